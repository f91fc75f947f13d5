/*
 * wire — writing a DNS response into the caller's buffer, with name
 * compression (RFC 1035 4.1.4).
 *
 * Contract: no allocation; the compression table lives inside struct wire
 * (on the caller's stack).  Every write checks against w->limit and fails
 * (returns false) instead of overflowing; wire_rollback() undoes writes
 * back to a mark, including the compression entries made since.
 */
#ifndef RAIZ_DNSD_WIRE_H
#define RAIZ_DNSD_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_COMP_MAX 128
#define WIRE_COMP_BUCKETS 64	/* a power of two */

struct wire_comp {
	uint16_t off;
	uint8_t labels;
	uint8_t next;		/* the next entry of its bucket, + 1; 0 ends */
	uint32_t hash;
};

struct wire {
	uint8_t *buf;
	size_t pos;
	size_t limit;
	unsigned ncomp;
	struct wire_comp comp[WIRE_COMP_MAX];
	uint8_t head[WIRE_COMP_BUCKETS];	/* first entry by hash, + 1 */
	/* the last name written with compression (its address) and the
	 * offset of its first whole occurrence: the RRs of an RRset pass the
	 * same owner, which then costs a comparison instead of hashing */
	const uint8_t *last;
	size_t last_off;
};

void wire_init(struct wire *w, uint8_t *buf, size_t limit);
bool wire_bytes(struct wire *w, const void *p, size_t n);
bool wire_u16(struct wire *w, uint16_t v);
bool wire_u32(struct wire *w, uint32_t v);
/* write an uncompressed wire name; compress = use and record compression */
bool wire_name(struct wire *w, const uint8_t *name, bool compress);
/* record a name already in the buffer at off (the question) */
void wire_note_name(struct wire *w, size_t off, const uint8_t *name);
void wire_rollback(struct wire *w, size_t mark);
static inline void wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
