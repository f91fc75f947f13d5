/*
 * zsync — are raiz-dnsd's copies of its secondary zones fit to serve?
 * Asks raiz-dnsd's control socket "zones" on the controller's loop and
 * judges the reply (the contract of "zones": raiz-dnsd(8)).
 *
 * Contract: zsync_judge() is pure.  A secondary zone whose state is
 * "expired" or "no-copy", or whose lag exceeds its max-lag (> 0), makes the
 * verdict UNHEALTHY; a reply that is not ok, not JSON, or lacks what the
 * judgment needs makes it UNKNOWN (unless another zone is unhealthy); file
 * zones are not judged.  max-lag is the controller's own raiz.json value for
 * a zone it lists, else the reply's.  The reason is one line for people,
 * worst zone first ("zone br.: expired at ..."); the key changes only when
 * what is wrong changes (which zones, how), not when a lag grows by a second.
 *
 * zsync_new() asks every zsync_period_ms() on the libev loop and never
 * blocks it: non-blocking connect, buffered write and read, one request at
 * a time (a tick while one is outstanding is skipped), at most
 * ZSYNC_TIMEOUT_MS per request.  on_result(arg, r, prev) runs from the loop
 * once per request, with the previous result (NULL for the first); it must
 * not free z.  The first request goes out on the loop's next iteration.
 * Loop thread only.  Cost: one unix-socket connection per period.
 */
#ifndef RAIZ_CONTROLLER_ZSYNC_H
#define RAIZ_CONTROLLER_ZSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json.h>

struct ev_loop;
struct raiz_config;
struct zsync;

enum zsync_verdict { ZSYNC_UNKNOWN = 0, ZSYNC_HEALTHY, ZSYNC_UNHEALTHY };

#define ZSYNC_REASON_MAX 320
#define ZSYNC_KEY_MAX 256
#define ZSYNC_TIMEOUT_MS 1000
#define ZSYNC_MIN_PERIOD_MS 1000
#define ZSYNC_REPLY_MAX (4u << 20)

struct zsync_result {
	enum zsync_verdict verdict;
	char reason[ZSYNC_REASON_MAX];  /* why (not) healthy, one line */
	char key[ZSYNC_KEY_MAX];        /* "healthy", "br.:expired;ar.:lag", "unknown:..." */
	size_t secondaries;             /* secondary zones in the reply */
	size_t unfit;                   /* of them expired, without a copy or too far behind */
	uint64_t at_ms;                 /* wall-clock ms of the answer (the poller sets it) */
};

typedef void (*zsync_cb)(void *arg, const struct zsync_result *r,
			 const struct zsync_result *prev);

const char *zsync_verdict_name(enum zsync_verdict v);

/* judge a "zones" reply (NULL: none); cfg may be NULL (max-lag from the reply) */
void zsync_judge(json_object *reply, const struct raiz_config *cfg, struct zsync_result *r);

/* true when cfg has a secondary zone and a raiz-dnsd control socket */
bool zsync_wanted(const struct raiz_config *cfg);
/* the probe interval of the fastest service, at least ZSYNC_MIN_PERIOD_MS */
uint64_t zsync_period_ms(const struct raiz_config *cfg);

/* cfg is borrowed: call zsync_configure() with the new one before the
 * old one is freed.  NULL when out of memory. */
struct zsync *zsync_new(struct ev_loop *loop, const struct raiz_config *cfg, zsync_cb on_result,
			void *arg);
/* a new configuration: socket path (a changed one abandons the request in
 * flight), period, max-lag values */
void zsync_configure(struct zsync *z, const struct raiz_config *cfg);
void zsync_free(struct zsync *z);
/* ask now unless a request is outstanding */
void zsync_poll_now(struct zsync *z);
bool zsync_busy(const struct zsync *z);
/* the last result; verdict UNKNOWN, "not asked yet", at_ms 0 before the first */
const struct zsync_result *zsync_last(const struct zsync *z);
const char *zsync_socket(const struct zsync *z);

#endif
