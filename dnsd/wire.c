/* wire — see wire.h */
#include <string.h>

#include "dnsd/dname.h"
#include "dnsd/wire.h"

static inline uint8_t lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

void wire_init(struct wire *w, uint8_t *buf, size_t limit)
{
	w->buf = buf;
	w->pos = 0;
	w->limit = limit;
	w->ncomp = 0;
	memset(w->head, 0, sizeof w->head);
	w->last = NULL;
}

bool wire_bytes(struct wire *w, const void *p, size_t n)
{
	if (w->pos + n > w->limit)
		return false;
	memcpy(w->buf + w->pos, p, n);
	w->pos += n;
	return true;
}

bool wire_u16(struct wire *w, uint16_t v)
{
	if (w->pos + 2 > w->limit)
		return false;
	wire_put16(w->buf + w->pos, v);
	w->pos += 2;
	return true;
}

bool wire_u32(struct wire *w, uint32_t v)
{
	if (w->pos + 4 > w->limit)
		return false;
	w->buf[w->pos] = (uint8_t)(v >> 24);
	w->buf[w->pos + 1] = (uint8_t)(v >> 16);
	w->buf[w->pos + 2] = (uint8_t)(v >> 8);
	w->buf[w->pos + 3] = (uint8_t)v;
	w->pos += 4;
	return true;
}

/* Hashes of every suffix of name, deepest last; returns the label count.
 * Case-blind: bit 0x20 of every byte is ignored, so that names differing
 * in case hash alike (and a few that differ otherwise, which same_at()
 * tells apart).  A label is taken 8 bytes at a time: loaded whole where
 * 8 bytes remain before the end of the name (what lies past the label
 * masked off), else byte by byte (loading 8 bytes that end at the name's
 * end and shifting was tried: more instructions); the value hashed is the
 * same whichever way it was loaded.
 * (It was FNV-like, a multiply and a lowercasing per byte: a fifth of the
 * instructions of an answer.) */
static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

static unsigned suffix_hashes(const uint8_t *name, const uint8_t **lab, uint32_t *h)
{
	const uint64_t K = 0x9e3779b97f4a7c15u, FOLD = 0xdfdfdfdfdfdfdfdfu;
	unsigned n = 0;
	const uint8_t *p = name;
	while (*p && n < DNAME_MAXLABELS) {
		lab[n++] = p;
		p += *p + 1;
	}
	const uint8_t *end = p + 1;
	uint64_t acc = K;
	for (unsigned i = n; i-- > 0;) {
		const uint8_t *q = lab[i] + 1;
		unsigned m = lab[i][0];
		acc = (acc + m) * K;
		while (m) {
			unsigned take = m < 8 ? m : 8;
			uint64_t x = 0;
			if (end - q >= 8) {
				x = load_le64(q);
				if (take < 8)
					x &= ~(uint64_t)0 >> (64 - 8 * take);
			} else {
				for (unsigned j = 0; j < take; j++)
					x |= (uint64_t)q[j] << (8 * j);
			}
			acc = (acc ^ (x & FOLD)) * K;
			q += take;
			m -= take;
		}
		h[i] = (uint32_t)(acc >> 32) ^ (uint32_t)acc;
	}
	return n;
}

/* does the (possibly compressed) name at buf[off] equal the suffix s? */
static bool same_at(const struct wire *w, size_t off, const uint8_t *s)
{
	unsigned hops = 0;
	for (;;) {
		if (off >= w->pos)
			return false;
		uint8_t l = w->buf[off];
		if ((l & 0xc0) == 0xc0) {
			if (off + 1 >= w->pos || ++hops > 64)
				return false;
			off = ((size_t)(l & 0x3f) << 8) | w->buf[off + 1];
			continue;
		}
		if (l != *s)
			return false;
		if (l == 0)
			return true;
		if (off + 1 + l > w->pos)
			return false;
		/* the same bytes (the usual case: zone data in one case), else
		 * equal without case */
		if (memcmp(w->buf + off + 1, s + 1, l) != 0)
			for (unsigned k = 1; k <= l; k++)
				if (lc(w->buf[off + k]) != lc(s[k]))
					return false;
		off += (size_t)l + 1;
		s += l + 1;
	}
}

static void note(struct wire *w, size_t off, unsigned labels, uint32_t hash)
{
	if (w->ncomp >= WIRE_COMP_MAX || off > 0x3fff)
		return;
	struct wire_comp *c = &w->comp[w->ncomp];
	uint8_t *head = &w->head[hash & (WIRE_COMP_BUCKETS - 1)];
	c->off = (uint16_t)off;
	c->labels = (uint8_t)labels;
	c->hash = hash;
	c->next = *head;
	*head = (uint8_t)++w->ncomp;
}

void wire_note_name(struct wire *w, size_t off, const uint8_t *name)
{
	const uint8_t *lab[DNAME_MAXLABELS];
	uint32_t h[DNAME_MAXLABELS];
	unsigned n = suffix_hashes(name, lab, h);
	for (unsigned i = 0; i < n; i++)
		note(w, off + (size_t)(lab[i] - name), n - i, h[i]);
}

bool wire_name(struct wire *w, const uint8_t *name, bool compress)
{
	size_t len = dname_len(name);
	if (!compress)
		return wire_bytes(w, name, len);
	if (name == w->last && same_at(w, w->last_off, name)) {
		/* the name the previous call wrote (the same bytes at the same
		 * address): a pointer to where it first occurs whole, the
		 * table's answer too unless the table was full then */
		if (w->pos + 2 > w->limit)
			return false;
		wire_put16(w->buf + w->pos, (uint16_t)(0xc000 | w->last_off));
		w->pos += 2;
		return true;
	}

	const uint8_t *lab[DNAME_MAXLABELS];
	uint32_t h[DNAME_MAXLABELS];
	unsigned n = suffix_hashes(name, lab, h);
	unsigned hit = n;
	size_t ptr = 0;

	for (unsigned i = 0; i < n && hit == n; i++) {
		for (unsigned e = w->head[h[i] & (WIRE_COMP_BUCKETS - 1)]; e; e = w->comp[e - 1].next) {
			const struct wire_comp *c = &w->comp[e - 1];
			if (c->hash == h[i] && c->labels == n - i && same_at(w, c->off, lab[i])) {
				hit = i;
				ptr = c->off;
				break;
			}
		}
	}
	size_t lit = hit < n ? (size_t)(lab[hit] - name) : len;
	size_t need = lit + (hit < n ? 2 : 0);
	if (w->pos + need > w->limit)
		return false;
	size_t start = w->pos;
	memcpy(w->buf + w->pos, name, lit);
	w->pos += lit;
	if (hit < n) {
		wire_put16(w->buf + w->pos, (uint16_t)(0xc000 | ptr));
		w->pos += 2;
	}
	for (unsigned i = 0; i < hit; i++)
		note(w, start + (size_t)(lab[i] - name), n - i, h[i]);
	/* remember where the whole name is, if a pointer can reach it */
	size_t whole = hit == 0 ? ptr : start;
	w->last = n > 0 && whole <= 0x3fff ? name : NULL;
	w->last_off = whole;
	return true;
}

void wire_rollback(struct wire *w, size_t mark)
{
	w->pos = mark;
	/* entries go in the order they came, so each one dropped heads its
	 * bucket's chain */
	while (w->ncomp > 0 && w->comp[w->ncomp - 1].off >= mark) {
		const struct wire_comp *c = &w->comp[--w->ncomp];
		w->head[c->hash & (WIRE_COMP_BUCKETS - 1)] = c->next;
	}
	if (w->last && w->last_off >= mark)
		w->last = NULL;
}
