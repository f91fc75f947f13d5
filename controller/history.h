/*
 * history — a ring buffer of state transitions for "raizctl why".
 *
 * Contract: history_new(cap) keeps the last cap entries; history_add()
 * copies its strings (truncated to fit) and never fails after creation;
 * history_get(h, 0) is the newest entry, NULL past the oldest.  Times are
 * wall-clock milliseconds since the epoch (what an operator reads).
 */
#ifndef RAIZ_CONTROLLER_HISTORY_H
#define RAIZ_CONTROLLER_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#define HISTORY_SUBJECT_MAX 64
#define HISTORY_STATE_MAX   24
#define HISTORY_REASON_MAX  384

struct history_entry {
	uint64_t at_ms;
	char subject[HISTORY_SUBJECT_MAX];   /* "service dns", "prefix 192.0.2.0/24" */
	char from[HISTORY_STATE_MAX];
	char to[HISTORY_STATE_MAX];
	char reason[HISTORY_REASON_MAX];
};

struct history;

struct history *history_new(size_t cap);
void history_free(struct history *h);
void history_add(struct history *h, uint64_t at_ms, const char *subject, const char *from,
		 const char *to, const char *reason);
size_t history_count(const struct history *h);
const struct history_entry *history_get(const struct history *h, size_t i);

/* "2026-11-21T08:00:00.123Z" into buf (>= 25 bytes) */
char *history_time(uint64_t at_ms, char *buf, size_t len);

#endif
