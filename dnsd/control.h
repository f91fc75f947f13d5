/*
 * control — raiz-dnsd's control and statistics commands, served on a
 * common/ctlsock.h socket (mode 0660, transport contract there).
 *
 * Contract: a client writes one request per line, either a bare command
 * ("status") or a JSON object ({"command": "status"}); each request gets exactly one
 * JSON object on one line, in order, always with "ok": true|false (and
 * "error" when false).  Commands:
 *   status  version, pid, uptime, generation, last reload, and per zone:
 *           name, loaded, serial, records, error, loaded-at
 *   stats   query counters summed over the workers: by transport, by
 *           rcode, BADVERS, truncated, dropped, EDNS, DO; TCP connections
 *   reload  like SIGHUP; answered when the reload has finished (or at
 *           once when the configuration is refused, with its file:line)
 *   zones   per zone: served copy, sync state against the primaries
 *           (xfrd.h), timers, last transfer and failure
 *   refresh ZONE / retransfer ZONE   SOA check / full AXFR now
 *   transfer-trial ZONE [PRIMARY]    transfer into memory, verify, report;
 *           answered when done; nothing is published
 * Arguments follow the command word ("refresh br.") or come as JSON keys
 * ({"command": "transfer-trial", "zone": "br.", "primary": "192.0.2.1"}).
 * control_new() refuses a socket path another live process listens on
 * ("in use: is raiz-dnsd already running?"); a stale socket file is
 * replaced.  control_free() removes the file.
 */
#ifndef RAIZ_DNSD_CONTROL_H
#define RAIZ_DNSD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct ev_loop;
struct json_object;
struct reload;
struct server;
struct server_stats;
struct snapshot;
struct snapshot_reader;
struct control;
struct xfrd;

struct control_env {
	const char *version;
	time_t started;
	struct snapshot_reader *reader;  /* the main thread's reader slot */
	struct server *server;           /* NULL: no stats */
	struct reload *reload;           /* NULL: reload not available */
	struct xfrd *xfrd;               /* NULL: no zone transfers */
};

enum control_cmd { CONTROL_BAD = -1, CONTROL_NONE, CONTROL_STATUS, CONTROL_STATS,
		   CONTROL_RELOAD, CONTROL_ZONES, CONTROL_REFRESH, CONTROL_RETRANSFER,
		   CONTROL_TRIAL };

/* a request with its arguments */
struct control_req {
	enum control_cmd cmd;
	char zone[1024];
	char primary[64];
};
enum control_cmd control_parse_req(const char *line, struct control_req *r, char *err,
				   size_t errlen);

/* one request line (without newline); CONTROL_NONE for a blank line,
 * CONTROL_BAD with a message in err */
enum control_cmd control_parse(const char *line, char *err, size_t errlen);
/* reply objects (caller puts them) */
struct json_object *control_status_json(const struct control_env *env,
					const struct snapshot *snap);
struct json_object *control_stats_json(const struct server_stats *st);

struct control *control_new(struct ev_loop *loop, const char *path,
			    const struct control_env *env, char *err, size_t errlen);
void control_free(struct control *ctl);
/* answers the clients waiting for a reload */
void control_reload_done(struct control *ctl, bool ok, const char *msg);

#endif
