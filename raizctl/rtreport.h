/*
 * rtreport — the report of a resolution trial (raizctl resolution-trial,
 * see restrial.h): the facts it worked from, one line per check and server
 * (ok, FAIL or skipped, and why), and the verdict, as text or JSON.
 *
 * Contract: pure — no I/O but the stream given, no clock.  The verdict is
 * PASS when no check failed and at least one ran ok; a skipped check never
 * fails the trial, its reason says what was not looked at.  The exit
 * status is 3 when no server answered at all (rtreport_unreachable()),
 * else 1 on FAIL, 0 on PASS.  Checks keep the order they were added in.
 * Strings are copied; rtreport_free() releases everything.  Allocation
 * failures abort the program (raizctl is a short-lived tool).
 * Single-threaded callers only.
 */
#ifndef RAIZ_RAIZCTL_RTREPORT_H
#define RAIZ_RAIZCTL_RTREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <json.h>

enum rt_status { RT_OK, RT_FAIL, RT_SKIP };

struct rt_check {
	char *server;           /* "127.0.0.1@53", or "" for a check of the zone */
	char *name;             /* "soa", "referrals", ... */
	enum rt_status status;
	char *why;              /* one line */
	char **details;         /* the rest (one per failed delegation ...), for --json */
	size_t ndetails;
};

struct rt_fact {
	char *key, *value;
};

struct rt_report {
	char *zone;
	struct rt_check *checks;
	size_t nchecks, cap;
	struct rt_fact *facts;  /* what the trial worked from, in order */
	size_t nfacts;
	size_t servers, answered;  /* servers asked, servers that answered */
};

void rtreport_init(struct rt_report *r, const char *zone);
void rtreport_free(struct rt_report *r);

/* a fact shown above the checks ("primary", "127.0.0.1@53: serial 5") */
void rtreport_fact(struct rt_report *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* one check; returns it so details can be added */
struct rt_check *rtreport_add(struct rt_report *r, const char *server, const char *name,
			      enum rt_status st, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void rtreport_detail(struct rt_check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

const char *rtreport_status_name(enum rt_status st);
size_t rtreport_count(const struct rt_report *r, enum rt_status st);
/* PASS: nothing failed, something ran ok, some server answered */
bool rtreport_passed(const struct rt_report *r);
bool rtreport_unreachable(const struct rt_report *r);
/* 0 pass, 1 fail, 3 no server answered */
int rtreport_exit(const struct rt_report *r);

/* the facts, each check on one line, the verdict line naming the failed
 * checks */
void rtreport_text(FILE *f, const struct rt_report *r);
/* {"ok", "zone", "verdict", "passed", "failed", "skipped", "facts": {...},
 *  "checks": [{"server", "check", "status", "why", "details"?}]} (new
 *  reference) */
json_object *rtreport_json(const struct rt_report *r);

#endif
