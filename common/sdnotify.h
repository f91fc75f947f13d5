/*
 * sdnotify — the systemd notification protocol without libsystemd.
 *
 * Contract: sdnotify() sends one datagram with `state` (e.g. "READY=1",
 * "RELOADING=1", "STOPPING=1", "WATCHDOG=1", "STATUS=...") to the socket
 * named by $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace).
 * It returns 0 when sent, 1 when $NOTIFY_SOCKET is unset, -1 on error.
 * sdnotify_watchdog_usec() returns $WATCHDOG_USEC when it is set for this
 * process ($WATCHDOG_PID absent or ours), else 0.
 */
#ifndef RAIZ_SDNOTIFY_H
#define RAIZ_SDNOTIFY_H

#include <stdint.h>

int sdnotify(const char *state);
uint64_t sdnotify_watchdog_usec(void);

#endif
