/*
 * fuzz_ctlsock — the control sockets' request path: common/ctlsock.c's
 * framing (lines, "\r\n", blank lines, over-long lines, pipelining,
 * deferred replies, a client that hangs up) and the command parsing and
 * dispatch behind it, of raiz-dnsd (dnsd/control.c: control_new() on a
 * snapshot, without server, reload or xfrd, which answer "not available")
 * and of raiz-controller (controller/main.c's main_line(), compiled into
 * this file, on a node of its own that has no prefix, service or probe,
 * and whose loop never runs: commands, JSON requests, drain and undrain
 * (to a state directory in /dev/shm), reload of a copy of its file).
 *
 * Input: one flags byte, then the bytes a client writes.
 *   bits 0-1  the server: 0 raiz-dnsd, 1 raiz-controller, 2 a handler of
 *             the harness that defers every reply to the next loop turn
 *             (3: raiz-dnsd)
 *   bits 2-4  the client writes 4^n bytes a turn (7: all at once)
 *   bit  5    8200 bytes without a newline come first (a line too long)
 *   bit  6    the client closes without shutting down its writing side
 *             first and without reading (else it shuts down and reads to
 *             the end)
 *   bit  7    the client reads only once it has written everything or
 *             cannot write more (replies pile up: CTLSOCK_OUT_PENDING)
 * The deferring handler answers a line that starts with '!' from inside
 * the handler (ctlsock_reply() while the line is handled), others a turn
 * later.
 * Oracle: the sanitizers; the exchange ends (no hang); every reply is one
 * JSON object on one line with a boolean "ok", and "error" when false;
 * there are never more replies than request lines (plus "too long"), and
 * exactly one per non-empty line when the client reads to the end and
 * sends no over-long line.
 */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common/ctlsock.h"
#include "dnsd/control.h"
#include "dnsd/snapshot.h"
#include "fuzz/fuzz_util.h"

/* raiz-controller's control socket commands, without its main() */
int fuzz_controller_main(int argc, char **argv);
#define main fuzz_controller_main
#include "controller/main.c"
#undef main

static struct ev_loop *loop, *node_loop;
static char dir[] = "/dev/shm/raiz-fuzz-ctl-XXXXXX";
static char paths[3][128];
static struct control *dnsd_ctl;
static struct ctlsock *ctl_sock, *defer_sock;
static struct ctl_main cm;

/* the harness's own handler: every reply comes a loop turn later */
static struct ctlsock_conn *owed[CTLSOCK_CONN_MAX];
static json_object *owed_reply[CTLSOCK_CONN_MAX];
static size_t nowed;

static json_object *fuzz_defer_line(void *arg, struct ctlsock_conn *c, const char *line)
{
	json_object *o = ctlsock_json_object(line, strlen(line));
	if (nowed == CTLSOCK_CONN_MAX)
		abort();   /* one per client, and there is one client */
	if (!o) {
		o = ctlsock_error("not a JSON object");
	} else {
		json_object_object_add(o, "ok", json_object_new_boolean(1));
		json_object_object_del(o, "error");
	}
	ctlsock_defer(c);
	if (line[0] == '!') {
		ctlsock_reply(c, o);
		return NULL;
	}
	owed[nowed] = c;
	owed_reply[nowed++] = o;
	return NULL;
}

static void fuzz_defer_answer(void)
{
	size_t n = nowed;
	nowed = 0;
	for (size_t i = 0; i < n; i++)
		ctlsock_reply(owed[i], owed_reply[i]);
}

static const char ctl_cfg_fmt[] =
	"{ \"node\": { \"identity\": \"fuzz1\", \"log-level\": \"err\", \"run-dir\": \"%s\", \"state-dir\": \"%s\" },\n"
	"  \"dnsd\": { \"listen\": [\"127.0.0.1@5353\"], \"pidfile\": \"%s/dnsd.pid\" },\n"
	"  \"controller\": { \"control-socket\": \"%s/controller.sock\" },\n"
	"  \"bird\": { \"socket\": \"%s/bird.ctl\", \"as\": 65001, \"router-id\": \"192.0.2.1\" }\n"
	"}\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[1024], json[2048];
	fuzz_log();
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		exit(2);
	fuzz_rmtree_at_exit(dir);
	for (int i = 0; i < 3; i++)
		snprintf(paths[i], sizeof paths[i], "%s/%s", dir,
			 (const char *const[]){ "dnsd.sock", "controller.sock", "defer.sock" }[i]);
	loop = ev_loop_new(EVFLAG_AUTO);
	node_loop = ev_loop_new(EVFLAG_AUTO);

	struct snapshot *snap = fuzz_snapshot("fuzz_ctlsock");
	struct snapshot_rcu *rcu = snapshot_rcu_new(1, snap);
	struct control_env env = { .version = "raiz-fuzz", .started = 1795262400,
				   .reader = rcu ? snapshot_rcu_reader(rcu, 0) : NULL };
	dnsd_ctl = env.reader ? control_new(loop, paths[0], &env, err, sizeof err) : NULL;

	snprintf(json, sizeof json, ctl_cfg_fmt, dir, dir, dir, dir, dir);
	char *cfile = fuzz_write(dir, "raiz.json", json);
	struct raiz_config *cfg = NULL;
	if (!dnsd_ctl || !cfile || config_load(cfile, &cfg, err, sizeof err) < 0) {
		fprintf(stderr, "fuzz_ctlsock: set-up: %s\n", err);
		exit(2);
	}
	cm.loop = node_loop;
	cm.config_path = cfile;
	cm.sock_path = strdup(cfg->ctl.controller.control_socket);
	cm.node = node_new(node_loop, cfg, err, sizeof err);
	if (!cm.node) {
		fprintf(stderr, "fuzz_ctlsock: node: %s\n", err);
		exit(2);
	}
	ctl_sock = ctlsock_new(loop, paths[1], 0600, "raiz-controller", main_line, &cm, err,
			       sizeof err);
	defer_sock = ctl_sock ? ctlsock_new(loop, paths[2], 0600, "fuzz", fuzz_defer_line, NULL,
					    err, sizeof err) : NULL;
	if (!defer_sock) {
		fprintf(stderr, "fuzz_ctlsock: control socket: %s\n", err);
		exit(2);
	}
	return 0;
}

/* one reply line: a JSON object with a boolean "ok" (and "error" when false) */
static void fuzz_check_reply(const char *line, size_t len)
{
	json_object *o = ctlsock_json_object(line, len), *ok = NULL, *e = NULL;
	if (!o || !json_object_object_get_ex(o, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean) ||
	    (!json_object_get_boolean(ok) && (!json_object_object_get_ex(o, "error", &e) ||
					      !json_object_is_type(e, json_type_string)))) {
		fprintf(stderr, "fuzz_ctlsock: bad reply: %.*s\n", (int)len, line);
		abort();
	}
	json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	unsigned srv = flags & 3;
	if (srv == 3)
		srv = 0;
	size_t step = ((flags >> 2) & 7) == 7 ? SIZE_MAX : (size_t)1 << (2 * ((flags >> 2) & 7));
	bool longline = flags & 0x20, rude = flags & 0x40, lazy = flags & 0x80;

	size_t pre = longline ? 8200 : 0, inlen = pre + size - 1;
	char *in = malloc(inlen + 1);
	if (!in)
		return 0;
	memset(in, 'a', pre);
	memcpy(in + pre, data + 1, size - 1);
	size_t lines = longline ? 1 : 0, expect = 0;
	for (size_t i = pre; i < inlen; i++)
		lines += in[i] == '\n';
	lines++;   /* a last line without newline is not handled, but counts here */
	/* the replies due (ctlsock.h, control.h): one per complete line that
	 * is not empty once one "\r" is stripped (raiz-dnsd: once blanks are
	 * trimmed; its handler sees the line up to a NUL) */
	for (size_t i = pre, start = pre; i < inlen; i++) {
		if (in[i] != '\n')
			continue;
		size_t l = i - start;
		if (l && in[start + l - 1] == '\r')
			l--;
		if (srv == 0) {
			size_t c = strnlen(in + start, l), b = 0, e = c;
			while (b < c && (in[start + b] == ' ' || in[start + b] == '\t'))
				b++;
			while (e > b && (in[start + e - 1] == ' ' || in[start + e - 1] == '\t' ||
					 in[start + e - 1] == '\r'))
				e--;
			l = e - b;
		}
		expect += l != 0;
		start = i + 1;
	}

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	memcpy(sun.sun_path, paths[srv], strlen(paths[srv]));
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		perror("fuzz_ctlsock: connect");
		abort();
	}

	/* the replies, in a buffer kept from run to run */
	static char *out;
	static size_t outcap;
	size_t off = 0, outlen = 0, replies = 0;
	if (!out && !(out = malloc(outcap = 1 << 16)))
		abort();
	bool shut = false, eof = false, stalled = false;
	for (unsigned turn = 0; !eof; turn++) {
		if (turn > 200000) {
			fprintf(stderr, "fuzz_ctlsock: the exchange does not end\n");
			abort();
		}
		if (off < inlen) {
			/* the long line in one piece, then step bytes a turn */
			size_t n = off < pre ? pre - off : inlen - off < step ? inlen - off : step;
			ssize_t w = send(fd, in + off, n, MSG_NOSIGNAL);
			stalled = w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
			if (w > 0)
				off += (size_t)w;
			else if (w < 0 && !stalled)
				off = inlen;   /* the server hung up */
		} else if (!shut) {
			shut = true;
			if (rude)
				break;
			shutdown(fd, SHUT_WR);
		}
		fuzz_defer_answer();
		ev_run(loop, EVRUN_NOWAIT);
		for (; !lazy || off >= inlen || stalled;) {
			if (outlen == outcap) {
				char *b = realloc(out, outcap *= 2);
				if (!b)
					abort();
				out = b;
			}
			ssize_t r = recv(fd, out + outlen, outcap - outlen, 0);
			if (r > 0) {
				outlen += (size_t)r;
				continue;
			}
			if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
				eof = true;
			break;
		}
	}
	close(fd);
	/* the server notices the hang-up (and a deferred reply finds the
	 * connection gone) */
	for (int i = 0; i < 4; i++) {
		fuzz_defer_answer();
		ev_run(loop, EVRUN_NOWAIT);
	}
	free(in);
	for (size_t s = 0; s < outlen;) {
		char *nl = memchr(out + s, '\n', outlen - s);
		if (!nl) {
			fprintf(stderr, "fuzz_ctlsock: a reply without newline\n");
			abort();
		}
		fuzz_check_reply(out + s, (size_t)(nl - (out + s)));
		replies++;
		s = (size_t)(nl - out) + 1;
	}
	if (replies > lines || (!rude && !longline && replies != expect)) {
		fprintf(stderr, "fuzz_ctlsock: %zu replies to %zu lines, %zu due\n", replies,
			lines, expect);
		abort();
	}
	struct ctlsock_stats st;
	ctlsock_get_stats(ctl_sock, &st);
	log_debug("fuzz_ctlsock: server %u, %zu replies (%zu bytes), %zu clients", srv, replies,
		  outlen, st.clients);
	return 0;
}
