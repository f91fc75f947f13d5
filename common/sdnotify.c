/* sdnotify — see sdnotify.h */
#include "common/sdnotify.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int sdnotify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !path[0])
		return 1;
	size_t plen = strlen(path);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (plen >= sizeof sun.sun_path || (path[0] != '/' && path[0] != '@'))
		return -1;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	socklen_t slen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);

	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ssize_t n = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
			   (struct sockaddr *)&sun, slen);
	int saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(state) ? 0 : -1;
}

int sdnotify_stopping(void)
{
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	return sdnotify("STOPPING=1");
}

uint64_t sdnotify_watchdog_usec(void)
{
	const char *us = getenv("WATCHDOG_USEC");
	if (!us || !us[0])
		return 0;
	const char *pid = getenv("WATCHDOG_PID");
	if (pid && pid[0] && strtol(pid, NULL, 10) != (long)getpid())
		return 0;
	char *end;
	unsigned long long v = strtoull(us, &end, 10);
	return *end ? 0 : (uint64_t)v;
}
