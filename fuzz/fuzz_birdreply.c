/*
 * fuzz_birdreply — what raiz-controller reads from BIRD: the control-socket
 * client (controller/bird.c: greeting, reply lines, codes, continuation
 * and "+" lines, the one-command-at-a-time queue), the reconciler's
 * parsing of the replies to `show status`, `show protocols`, `show route
 * export ... all`, `configure`, `enable`/`disable` (controller/reconcile.c),
 * and the state include file it adopts at start (controller/birdstate.c,
 * birdstate_read()).  A fake BIRD of the harness, on a unix socket in
 * /dev/shm, answers with the input.
 *
 * Input: one flags byte, then parts framed like DNS over TCP (a 2-byte
 * length, then the bytes; a last length larger than what is left takes the
 * rest), see fuzz_util.h:
 *   part 0    the state include file as reconcile_new() finds it
 *   part 1    the greeting, sent when the client connects
 *   part 2..  sent one each time a command line arrives (or when the
 *             client has been waiting for a while: a reply without its
 *             final line); when none is left the fake BIRD hangs up
 *   bits 0-1 / 2-3  the desired state set for prefix 0 / 1 once connected:
 *             unchanged, withdraw, drain, announce
 *   bit  4    the harness also queues `show route all` and checks the
 *             reply it gets (bird.h: exactly one callback per command)
 * The prefixes: 192.0.2.0/24 (static raiz_v4, BGP isp_v4 and isp_v4b) and
 * 2001:db8::/48 (raiz_v6, BGP isp_v6).
 * Oracle: the sanitizers; the exchange ends; every accepted command gets
 * one callback; reconcile_get() of each prefix afterwards.
 */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "controller/bird.h"
#include "controller/reconcile.h"
#include "fuzz/fuzz_util.h"

static struct ev_loop *loop;
static char dir[] = "/dev/shm/raiz-fuzz-bird-XXXXXX";
static char sock_path[108], state_path[128];
static int lfd = -1;

static const char *const bgp4[] = { "isp_v4", "isp_v4b" };
static const char *const bgp6[] = { "isp_v6" };
static const struct reconcile_prefix prefixes[] = {
	{ .prefix = "192.0.2.0/24", .static_proto = "raiz_v4", .bgp_protos = bgp4, .nbgp = 2 },
	{ .prefix = "2001:db8::/48", .static_proto = "raiz_v6", .bgp_protos = bgp6, .nbgp = 1 },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log();
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		exit(2);
	fuzz_rmtree_at_exit(dir);
	snprintf(sock_path, sizeof sock_path, "%s/bird.ctl", dir);
	snprintf(state_path, sizeof state_path, "%s/bird-state.conf", dir);
	loop = ev_loop_new(EVFLAG_AUTO);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	memcpy(sun.sun_path, sock_path, strlen(sock_path));
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!loop || lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
	    listen(lfd, 4) < 0) {
		perror("fuzz_birdreply: set-up");
		exit(2);
	}
	return 0;
}

static unsigned verified, route_replies;

static void fuzz_verified(void *arg, size_t i, enum announce_state st, double when)
{
	verified++;
}

static void fuzz_route_cb(void *arg, const struct bird_reply *rep)
{
	route_replies++;
	for (size_t i = 0; i < rep->nlines; i++)
		if (!rep->lines[i].text)
			abort();
	if (!rep->text)
		abort();
	log_debug("fuzz_birdreply: show route all: %d %s (%zu lines)", rep->code,
		  bird_reply_strerror(rep), rep->nlines);
}

static void fuzz_send(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;   /* the client hung up, or a reply larger than the buffer */
		p += w;
		n -= (size_t)w;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	const uint8_t *p = data + 1, *part;
	size_t n = size - 1, plen;

	/* part 0: the state file */
	FILE *f = fopen(state_path, "w");
	if (!f)
		abort();
	if (fuzz_next(&p, &n, &part, &plen))
		fwrite(part, 1, plen, f);
	fclose(f);

	verified = route_replies = 0;
	char err[256];
	struct reconcile_config rc = { .socket_path = sock_path, .include_path = state_path,
				       .prefixes = prefixes, .nprefixes = 2,
				       .on_verified = fuzz_verified };
	struct reconcile *r = reconcile_new(loop, &rc, err, sizeof err);
	if (!r) {
		fprintf(stderr, "fuzz_birdreply: %s\n", err);
		abort();
	}
	int cfd = -1;
	bool hung_up = false, set = false, hangup = false;
	int route_asked = 0;
	size_t cmds = 0, idle = 0, linebuf = 0;
	for (unsigned turn = 0; turn < 100000; turn++) {
		ev_run(loop, EVRUN_NOWAIT);
		bool progress = false;
		if (cfd < 0 && !hung_up) {
			cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (cfd >= 0) {
				progress = true;
				if (fuzz_next(&p, &n, &part, &plen))
					fuzz_send(cfd, part, plen);
				else {
					close(cfd);
					cfd = -1;
					hung_up = true;
				}
			}
		}
		if (cfd >= 0) {
			char buf[4096];
			ssize_t rd;
			while ((rd = recv(cfd, buf, sizeof buf, 0)) > 0) {
				progress = true;
				for (ssize_t i = 0; i < rd; i++) {
					linebuf++;
					if (buf[i] != '\n')
						continue;
					cmds++;
					log_debug("fuzz_birdreply: command %zu: %zu bytes", cmds, linebuf);
					linebuf = 0;
					if (fuzz_next(&p, &n, &part, &plen))
						fuzz_send(cfd, part, plen);
					else
						hangup = true;   /* below */
				}
			}
			if (rd == 0 || (rd < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
				hangup = true;
			if (hangup) {
				close(cfd);
				cfd = -1;
				hung_up = true;
			}
		}
		if (!set && bird_connected(reconcile_bird(r))) {
			set = true;
			for (int i = 0; i < 2; i++) {
				unsigned st = (flags >> (2 * i)) & 3;
				if (st)
					reconcile_set(r, (size_t)i, (enum announce_state)(st - 1),
						      "fuzz");
			}
			if ((flags & 0x10) &&
			    bird_cmd(reconcile_bird(r), "show route all", fuzz_route_cb, NULL) == 0)
				route_asked = 1;
		}
		if (progress) {
			idle = 0;
			continue;
		}
		if (++idle < 20)
			continue;
		/* the client waits: the next part unasked, or hang up */
		idle = 0;
		if (cfd >= 0 && fuzz_next(&p, &n, &part, &plen)) {
			fuzz_send(cfd, part, plen);
			continue;
		}
		if (cfd >= 0) {
			close(cfd);
			cfd = -1;
			hung_up = true;
			continue;
		}
		if (hung_up || turn > 200)
			break;
	}
	if (cfd >= 0)
		close(cfd);
	for (int i = 0; i < 4; i++)
		ev_run(loop, EVRUN_NOWAIT);
	for (size_t i = 0; i < 2; i++) {
		struct reconcile_status st;
		reconcile_get(r, i, &st);
		log_debug("fuzz_birdreply: %s: desired %s, static %s, verified %d, error \"%s\"",
			  st.prefix, reconcile_state_name(st.desired), st.static_state, st.verified,
			  st.last_error);
	}
	bool gone = !bird_connected(reconcile_bird(r));
	reconcile_free(r);
	/* one callback at most; exactly one once the connection is gone (it
	 * came with BIRD_EDISCONNECTED, as every queued command's) */
	if (route_replies > 1 || (route_asked && gone && route_replies != 1)) {
		fprintf(stderr, "fuzz_birdreply: show route all got %u callbacks\n", route_replies);
		abort();
	}
	/* a hung-up client is accepted by the next run's listener otherwise */
	int stale;
	while ((stale = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		close(stale);
	return 0;
}
