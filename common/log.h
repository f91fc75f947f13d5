/*
 * log — leveled logging to stderr or syslog, shared by every raiz program.
 *
 * Contract: log_init() once at start (before threads); log_msg() and the
 * macros are thread-safe and never allocate.  Messages are single lines
 * without trailing newline.  Levels follow syslog: err, warning, notice,
 * info, debug.  Below the configured level nothing is formatted.
 */
#ifndef RAIZ_LOG_H
#define RAIZ_LOG_H

#include <stdbool.h>
#include <syslog.h>

enum log_level {
	LOG_LVL_ERR = LOG_ERR,
	LOG_LVL_WARNING = LOG_WARNING,
	LOG_LVL_NOTICE = LOG_NOTICE,
	LOG_LVL_INFO = LOG_INFO,
	LOG_LVL_DEBUG = LOG_DEBUG,
};

/* ident: program name; use_syslog: false = stderr with timestamps */
void log_init(const char *ident, bool use_syslog, int level);
void log_set_level(int level);
int log_get_level(void);
/* "err", "warning", "notice", "info", "debug" -> level, or -1 */
int log_level_parse(const char *name);
const char *log_level_name(int level);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)     log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)    log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
