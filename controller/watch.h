/*
 * watch — know within milliseconds when raiz-dnsd's main process exits:
 * read its pid file, open a pidfd (pidfd_open(2)) and wait on the libev
 * loop for it to become readable.
 *
 * Contract: watch_new() never fails because the pid file or the process
 * is missing: it retries every second (and 100 ms after an exit, to pick
 * up a restarted daemon quickly).  on_exit(arg, pid) is called once per
 * watched process that exits.  Without pidfd support (Linux < 5.3) it logs
 * once and stays idle; probes still find the failure.
 */
#ifndef RAIZ_CONTROLLER_WATCH_H
#define RAIZ_CONTROLLER_WATCH_H

#include <stdbool.h>
#include <sys/types.h>

struct ev_loop;
struct watch;

struct watch *watch_new(struct ev_loop *loop, const char *pidfile,
			void (*on_exit)(void *arg, pid_t pid), void *arg);
void watch_free(struct watch *w);
/* the pid being watched, 0 when none */
pid_t watch_pid(const struct watch *w);
const char *watch_pidfile(const struct watch *w);

#endif
