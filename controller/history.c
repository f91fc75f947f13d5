/* history — see history.h */
#include "controller/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct history {
	size_t cap, count, next;        /* next: slot the next entry goes to */
	struct history_entry e[];
};

struct history *history_new(size_t cap)
{
	if (cap == 0)
		cap = 1;
	struct history *h = calloc(1, sizeof *h + cap * sizeof h->e[0]);
	if (h)
		h->cap = cap;
	return h;
}

void history_free(struct history *h)
{
	free(h);
}

static void history_copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

void history_add(struct history *h, uint64_t at_ms, const char *subject, const char *from,
		 const char *to, const char *reason)
{
	struct history_entry *e = &h->e[h->next];
	e->at_ms = at_ms;
	history_copy(e->subject, sizeof e->subject, subject);
	history_copy(e->from, sizeof e->from, from);
	history_copy(e->to, sizeof e->to, to);
	history_copy(e->reason, sizeof e->reason, reason);
	h->next = (h->next + 1) % h->cap;
	if (h->count < h->cap)
		h->count++;
}

size_t history_count(const struct history *h)
{
	return h->count;
}

const struct history_entry *history_get(const struct history *h, size_t i)
{
	if (i >= h->count)
		return NULL;
	return &h->e[(h->next + h->cap - 1 - i) % h->cap];
}

char *history_time(uint64_t at_ms, char *buf, size_t len)
{
	time_t t = (time_t)(at_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(at_ms % 1000));
	return buf;
}
