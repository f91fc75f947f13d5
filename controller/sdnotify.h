/*
 * sdnotify — the systemd notification protocol (sd_notify(3)) without
 * libsystemd: one datagram to the unix socket named by $NOTIFY_SOCKET
 * (a path, or "@name" for the abstract namespace).
 *
 * Contract: sdnotify() sends state text such as "READY=1" or
 * "WATCHDOG=1\nSTATUS=..."; returns 1 when sent, 0 when not running
 * under systemd (no $NOTIFY_SOCKET), -1 on error (errno).  Never blocks.
 * sdnotify_watchdog_usec() returns $WATCHDOG_USEC when it is meant for
 * this process ($WATCHDOG_PID absent or ours), else 0.
 */
#ifndef RAIZ_CONTROLLER_SDNOTIFY_H
#define RAIZ_CONTROLLER_SDNOTIFY_H

#include <stdint.h>

int sdnotify(const char *state);
uint64_t sdnotify_watchdog_usec(void);

#endif
