/*
 * sdnotify — the systemd notification protocol without libsystemd.
 *
 * Contract: sdnotify() sends one datagram with `state` (e.g. "READY=1",
 * "RELOADING=1", "STOPPING=1", "WATCHDOG=1", "STATUS=...") to the socket
 * named by $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace).
 * It returns 0 when sent, 1 when $NOTIFY_SOCKET is unset, -1 on error.
 * sdnotify_stopping() sends "STOPPING=1" and from then on holds SIGTERM,
 * SIGINT and SIGHUP pending in the calling thread (the daemons' other
 * threads block every signal): a second stop signal (systemd's after
 * ours, an operator's second ^C) or a reload must not cut the shutdown
 * short, as the default action of a signal whose watcher the teardown
 * stopped would.  Call it from the main thread when the stop begins.
 * sdnotify_watchdog_usec() returns $WATCHDOG_USEC when it is set for this
 * process ($WATCHDOG_PID absent or ours), else 0.
 */
#ifndef RAIZ_SDNOTIFY_H
#define RAIZ_SDNOTIFY_H

#include <stdint.h>

int sdnotify(const char *state);
int sdnotify_stopping(void);
uint64_t sdnotify_watchdog_usec(void);

#endif
