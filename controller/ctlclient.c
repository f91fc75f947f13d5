/* ctlclient — see ctlclient.h */
#include "controller/ctlclient.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CTLCLIENT_REPLY_MAX (16u << 20)

static long ctlclient_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

json_object *ctlclient_json_ms(uint64_t us)
{
	char b[32];
	snprintf(b, sizeof b, "%llu.%03llu", (unsigned long long)(us / 1000),
		 (unsigned long long)(us % 1000));
	return json_object_new_double_s((double)us / 1000.0, b);
}

json_object *ctlclient_call(const char *path, json_object *req, int timeout_ms,
			    bool *unreachable, char *err, size_t errlen)
{
	return ctlclient_call_to("raiz-controller", path, req, timeout_ms, unreachable, err,
				 errlen);
}

json_object *ctlclient_call_to(const char *who, const char *path, json_object *req,
			       int timeout_ms, bool *unreachable, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *buf = NULL;
	size_t len = 0, cap = 0;
	json_object *reply = NULL;
	long deadline = ctlclient_ms() + timeout_ms;

	*unreachable = false;
	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, errlen, "%s: path too long", path);
		*unreachable = true;
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		snprintf(err, errlen, "cannot reach %s at %s: %s", who, path,
			 strerror(errno));
		*unreachable = true;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	const char *txt = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	size_t tl = strlen(txt), off = 0;
	char *line = malloc(tl + 2);
	if (!line)
		goto oom;
	memcpy(line, txt, tl);
	line[tl++] = '\n';
	while (off < tl) {
		ssize_t n = send(fd, line + off, tl - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: send: %s", path, strerror(errno));
			free(line);
			goto out;
		}
		off += (size_t)n;
	}
	free(line);
	for (;;) {
		long left = deadline - ctlclient_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0) {
			snprintf(err, errlen, "%s: no reply within %d ms", path, timeout_ms);
			goto out;
		}
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		if (len + 4096 > cap) {
			if (cap >= CTLCLIENT_REPLY_MAX) {
				snprintf(err, errlen, "%s: reply too large", path);
				goto out;
			}
			char *nb = realloc(buf, cap ? cap * 2 : 8192);
			if (!nb)
				goto oom;
			buf = nb;
			cap = cap ? cap * 2 : 8192;
		}
		ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: connection closed before the reply ended", path);
			goto out;
		}
		len += (size_t)n;
		char *nl = memchr(buf, '\n', len);
		if (nl) {
			*nl = '\0';
			reply = json_tokener_parse(buf);
			if (!reply || !json_object_is_type(reply, json_type_object)) {
				json_object_put(reply);
				reply = NULL;
				snprintf(err, errlen, "%s: reply is not a JSON object", path);
			}
			goto out;
		}
	}
oom:
	snprintf(err, errlen, "out of memory");
out:
	free(buf);
	close(fd);
	return reply;
}
