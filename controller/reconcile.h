/*
 * reconcile — makes BIRD's actual routing state match the desired state of
 * every anycast prefix, and checks that it did.
 *
 * Each prefix has a static protocol in BIRD (route <prefix> blackhole,
 * `disabled <P>_WITHDRAWN;`) and the BGP protocols that export it (export
 * filter adds 65535:0 and prepends when <P>_DRAIN = 1), where <P> is the
 * upper-cased static protocol name (see birdstate.h).  Desired states:
 *
 *   WITHDRAW  `disable "<static>"` is sent at once, ahead of any queued
 *             command (the ISP loses the route as soon as BIRD answers
 *             0009), then the include file is rewritten and `configure`d
 *             so that the state survives configure and BIRD restarts.
 *   ANNOUNCE  include file, `configure`, then `enable "<static>"` if BIRD
 *   DRAIN     did not already bring it up.  A changed DRAIN constant
 *             changes the export filter, which plain `configure` detects
 *             and re-exports to the BGP peers (measured on 2.0.12).
 *
 * A reconcile pass runs after every change and every `interval` seconds:
 * `show status` (after a BIRD restart or someone else's `configure` the
 * include file is rewritten, in case it was edited, and configured again;
 * see below how they are told),
 * include file + `configure` when the file changed, `show protocols`,
 * `enable`/`disable` for every static protocol BIRD shows in the wrong
 * state (a BIRD restart, someone's `configure`), and `show route export
 * <bgp> <prefix> all` for every established BGP session.  A prefix is
 * verified when its static protocol is up (down for WITHDRAW) and every
 * established session exports it (not, for WITHDRAW) carrying 65535:0
 * exactly when DRAIN is desired.  While BIRD is away the include file is
 * still written, so BIRD starts in the desired state.
 *
 * Telling a restart or another's configure from `show status`: BIRD prints
 * each time as its real-time clock minus the monotonic time since the
 * event, the two clocks read at different moments, so one instant is
 * printed a few milliseconds apart from reply to reply (and moves with a
 * clock step); only differences within one reply are exact.  A restart is
 * therefore recognised only across a lost control connection, by an uptime
 * (server time - last reboot) shorter than the last one plus the time
 * passed here, by more than 1 s; someone else's configure by a changed
 * time from boot to the last reconfiguration (by more than the printed
 * resolution: with milliseconds, a configure within 2 ms of ours passes
 * for ours; raizctl bird-conf sets microseconds).  Our configure that BIRD
 * queued (0005) is ours when it takes effect.  The times must be
 * `timeformat base` iso long (s, ms or us, or dd-mm-yyyy); others cannot be
 * read, and then every reconnect re-applies.
 *
 * At start the desired state is adopted from the include file (a restarted
 * controller changes nothing); prefixes missing from it start withdrawn,
 * and the file is written at once so BIRD can start.
 *
 * Contract: reconcile_new() validates the prefixes (canonical IPv4/IPv6
 * prefix text, BIRD symbols as protocol names) and returns NULL with a
 * reason otherwise.  reconcile_set() never blocks on BIRD (it writes the
 * small include file, with fsync, after BIRD answered the disable).
 * on_verified is called once per change of desired state (and once for the
 * state adopted at start), when BIRD first shows it.  Callbacks must not
 * call reconcile_free().
 */
#ifndef RAIZ_RECONCILE_H
#define RAIZ_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>
#include <ev.h>

#include "controller/bird.h"

enum announce_state {
	RECONCILE_WITHDRAW = 0,
	RECONCILE_DRAIN,
	RECONCILE_ANNOUNCE,
};

/* one anycast prefix, as the controller's configuration describes it */
struct reconcile_prefix {
	const char *prefix;              /* "192.0.2.0/24", "2001:db8::/48" */
	const char *static_proto;        /* "raiz_v4" */
	const char *const *bgp_protos;   /* BGP protocols exporting it */
	size_t nbgp;
};

struct reconcile_config {
	const char *socket_path;         /* BIRD control socket */
	const char *include_path;        /* state include file */
	const struct reconcile_prefix *prefixes;
	size_t nprefixes;
	double interval;                 /* seconds between passes; 0 = 1 s */
	double cmd_timeout;              /* per BIRD command; 0 = 5 s */
	/* optional: BIRD shows the desired state (when = ev_now()) */
	void (*on_verified)(void *arg, size_t i, enum announce_state st, double when);
	/* optional: control socket connected / lost */
	void (*on_bird_state)(void *arg, bool connected);
	void *arg;
};

struct reconcile_bgp_status {
	const char *proto;
	char state[16];                  /* show protocols State: "up", "start", ... */
	char info[48];                   /* Info column: "Established", "Active", ... */
	int exported;                    /* -1 unknown (session not up), 0, 1 */
	int drained;                     /* -1 unknown, 0, 1: 65535:0 seen */
};

struct reconcile_status {
	const char *prefix;
	const char *static_proto;
	enum announce_state desired;
	char reason[128];                /* given with the last change */
	double since;                    /* ev_now() of the last change */
	bool applied;                    /* every step done for desired */
	double applied_at;
	bool verified;                   /* BIRD showed desired (last pass) */
	double verified_at;              /* first time for this desired */
	char static_state[16];           /* "up", "down", ..., "?" unknown */
	size_t nbgp;
	const struct reconcile_bgp_status *bgp; /* valid until the next pass */
	char last_error[256];            /* "" when the last pass went well */
	double error_at;
	/* ev_now() when a pass last got through to comparing this prefix with
	 * what BIRD shows; 0 until the first such pass after the control
	 * socket (re)connected (reset on every connect and disconnect) */
	double checked_at;
	bool bird_connected;
};

struct reconcile;

struct reconcile *reconcile_new(struct ev_loop *loop, const struct reconcile_config *cfg,
				char *err, size_t errlen);
void reconcile_free(struct reconcile *r);

size_t reconcile_count(const struct reconcile *r);
/* change the desired state (no-op when unchanged); reason is free text */
void reconcile_set(struct reconcile *r, size_t i, enum announce_state desired,
		   const char *reason);
void reconcile_get(const struct reconcile *r, size_t i, struct reconcile_status *out);
/* run a pass now (e.g. on raizctl request) */
void reconcile_kick(struct reconcile *r);
/* the BIRD client, for extra commands (raizctl passthrough) */
struct bird_client *reconcile_bird(struct reconcile *r);

const char *reconcile_state_name(enum announce_state st); /* "withdraw", ... */
/* "withdraw"/"drain"/"announce" -> state; -1 when unknown */
int reconcile_state_parse(const char *name);

#endif
