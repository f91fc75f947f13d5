/* rtreport — see rtreport.h */
#include "raizctl/rtreport.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *rt_alloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "raizctl: out of memory\n");
		exit(2);
	}
	return q;
}

static char *rt_vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0) {
		fprintf(stderr, "raizctl: out of memory\n");
		exit(2);
	}
	/* one line: a reason never breaks the layout */
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return s;
}

static char *rt_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(rt_alloc(NULL, n), s, n);
}

void rtreport_init(struct rt_report *r, const char *zone)
{
	memset(r, 0, sizeof *r);
	r->zone = rt_strdup(zone);
}

void rtreport_free(struct rt_report *r)
{
	for (size_t i = 0; i < r->nchecks; i++) {
		struct rt_check *c = &r->checks[i];
		free(c->server);
		free(c->name);
		free(c->why);
		for (size_t j = 0; j < c->ndetails; j++)
			free(c->details[j]);
		free(c->details);
	}
	free(r->checks);
	for (size_t i = 0; i < r->nfacts; i++) {
		free(r->facts[i].key);
		free(r->facts[i].value);
	}
	free(r->facts);
	free(r->zone);
	memset(r, 0, sizeof *r);
}

void rtreport_fact(struct rt_report *r, const char *key, const char *fmt, ...)
{
	va_list ap;
	r->facts = rt_alloc(r->facts, (r->nfacts + 1) * sizeof *r->facts);
	struct rt_fact *f = &r->facts[r->nfacts++];
	f->key = rt_strdup(key);
	va_start(ap, fmt);
	f->value = rt_vfmt(fmt, ap);
	va_end(ap);
}

struct rt_check *rtreport_add(struct rt_report *r, const char *server, const char *name,
			      enum rt_status st, const char *fmt, ...)
{
	va_list ap;
	if (r->nchecks == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->checks = rt_alloc(r->checks, r->cap * sizeof *r->checks);
	}
	struct rt_check *c = &r->checks[r->nchecks++];
	memset(c, 0, sizeof *c);
	c->server = rt_strdup(server ? server : "");
	c->name = rt_strdup(name);
	c->status = st;
	va_start(ap, fmt);
	c->why = rt_vfmt(fmt, ap);
	va_end(ap);
	return c;
}

void rtreport_detail(struct rt_check *c, const char *fmt, ...)
{
	va_list ap;
	c->details = rt_alloc(c->details, (c->ndetails + 1) * sizeof *c->details);
	va_start(ap, fmt);
	c->details[c->ndetails++] = rt_vfmt(fmt, ap);
	va_end(ap);
}

const char *rtreport_status_name(enum rt_status st)
{
	switch (st) {
	case RT_OK:
		return "ok";
	case RT_FAIL:
		return "FAIL";
	default:
		return "skipped";
	}
}

size_t rtreport_count(const struct rt_report *r, enum rt_status st)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nchecks; i++)
		n += r->checks[i].status == st;
	return n;
}

bool rtreport_unreachable(const struct rt_report *r)
{
	return r->answered == 0;
}

bool rtreport_passed(const struct rt_report *r)
{
	return !rtreport_unreachable(r) && rtreport_count(r, RT_FAIL) == 0 &&
	       rtreport_count(r, RT_OK) > 0;
}

int rtreport_exit(const struct rt_report *r)
{
	if (rtreport_unreachable(r))
		return 3;
	return rtreport_passed(r) ? 0 : 1;
}

void rtreport_text(FILE *f, const struct rt_report *r)
{
	size_t kw = 0, nw = 0, sw = 0;
	for (size_t i = 0; i < r->nfacts; i++)
		if (strlen(r->facts[i].key) > kw)
			kw = strlen(r->facts[i].key);
	for (size_t i = 0; i < r->nchecks; i++) {
		if (strlen(r->checks[i].name) > nw)
			nw = strlen(r->checks[i].name);
		if (strlen(r->checks[i].server) > sw)
			sw = strlen(r->checks[i].server);
	}
	fprintf(f, "resolution trial of %s\n", r->zone);
	for (size_t i = 0; i < r->nfacts; i++)
		fprintf(f, "  %-*s  %s\n", (int)kw, r->facts[i].key, r->facts[i].value);
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct rt_check *c = &r->checks[i];
		fprintf(f, "%-7s %-*s  %-*s  %s\n", rtreport_status_name(c->status), (int)nw, c->name,
			(int)sw, c->server, c->why);
	}
	size_t ok = rtreport_count(r, RT_OK), bad = rtreport_count(r, RT_FAIL),
	       skip = rtreport_count(r, RT_SKIP);
	if (rtreport_passed(r)) {
		fprintf(f, "verdict: PASS (%zu ok, %zu skipped)\n", ok, skip);
		return;
	}
	fprintf(f, "verdict: FAIL");
	if (rtreport_unreachable(r))
		fprintf(f, ": no server answered");
	else if (bad == 0)
		fprintf(f, ": no check could run");
	/* the failed checks by name, each once, with where it failed */
	const char *sep = " (";
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct rt_check *c = &r->checks[i];
		bool seen = false;
		if (c->status != RT_FAIL)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = r->checks[j].status == RT_FAIL && strcmp(r->checks[j].name, c->name) == 0;
		if (seen)
			continue;
		fprintf(f, "%s%s", sep, c->name);
		sep = ", ";
	}
	fprintf(f, "%s%zu ok, %zu failed, %zu skipped\n", bad ? "); " : "; ", ok, bad, skip);
}

json_object *rtreport_json(const struct rt_report *r)
{
	json_object *o = json_object_new_object(), *facts = json_object_new_object(),
		    *arr = json_object_new_array();
	bool pass = rtreport_passed(r);
	json_object_object_add(o, "ok", json_object_new_boolean(pass));
	json_object_object_add(o, "zone", json_object_new_string(r->zone));
	json_object_object_add(o, "verdict", json_object_new_string(pass ? "pass" : "fail"));
	json_object_object_add(o, "reachable", json_object_new_boolean(!rtreport_unreachable(r)));
	json_object_object_add(o, "passed", json_object_new_int64((int64_t)rtreport_count(r, RT_OK)));
	json_object_object_add(o, "failed",
			       json_object_new_int64((int64_t)rtreport_count(r, RT_FAIL)));
	json_object_object_add(o, "skipped",
			       json_object_new_int64((int64_t)rtreport_count(r, RT_SKIP)));
	for (size_t i = 0; i < r->nfacts; i++)
		json_object_object_add(facts, r->facts[i].key,
				       json_object_new_string(r->facts[i].value));
	json_object_object_add(o, "facts", facts);
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct rt_check *c = &r->checks[i];
		json_object *e = json_object_new_object();
		json_object_object_add(e, "server", c->server[0] ? json_object_new_string(c->server)
								  : NULL);
		json_object_object_add(e, "check", json_object_new_string(c->name));
		json_object_object_add(e, "status", json_object_new_string(
			c->status == RT_OK ? "ok" : c->status == RT_FAIL ? "fail" : "skipped"));
		json_object_object_add(e, "why", json_object_new_string(c->why));
		if (c->ndetails) {
			json_object *d = json_object_new_array();
			for (size_t j = 0; j < c->ndetails; j++)
				json_object_array_add(d, json_object_new_string(c->details[j]));
			json_object_object_add(e, "details", d);
		}
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "checks", arr);
	return o;
}
