/* chaos — see chaos.h */
#include <string.h>

#include "dnsd/chaos.h"
#include "dnsd/dname.h"
#include "dnsd/query.h"

#define T_TXT 16
#define T_ANY 255
#define C_CH 3

static bool is(const uint8_t *qname, const char *wire, size_t len)
{
	uint8_t l[DNAME_MAX];
	size_t ql = dname_len(qname);
	if (ql != len)
		return false;
	dname_lower(l, qname, ql);
	return memcmp(l, wire, len) == 0;
}

uint8_t chaos_answer(const struct query_opts *opts, const uint8_t *qname, uint16_t qtype,
		     struct wire *w, uint16_t *ancount)
{
	const char *text = NULL;

	*ancount = 0;
	if (qtype != T_TXT && qtype != T_ANY)
		return 5;
	if (is(qname, "\002id\006server", 11) || is(qname, "\010hostname\004bind", 15))
		text = opts->identity;
	else if (is(qname, "\007version\006server", 16) || is(qname, "\007version\004bind", 14))
		text = opts->version;
	else
		return 5;
	if (!text)
		return 5;

	size_t tl = strlen(text);
	size_t rdlen = tl + (tl + 254) / 255;
	if (tl == 0)
		rdlen = 1;
	size_t mark = w->pos;
	if (rdlen > 65535 || !wire_u16(w, 0xc00c) || !wire_u16(w, T_TXT) || !wire_u16(w, C_CH) ||
	    !wire_u32(w, 0) || !wire_u16(w, (uint16_t)rdlen))
		goto nofit;
	if (tl == 0) {
		uint8_t z = 0;
		if (!wire_bytes(w, &z, 1))
			goto nofit;
	}
	for (size_t o = 0; o < tl; o += 255) {
		size_t n = tl - o > 255 ? 255 : tl - o;
		uint8_t b = (uint8_t)n;
		if (!wire_bytes(w, &b, 1) || !wire_bytes(w, text + o, n))
			goto nofit;
	}
	*ancount = 1;
	return 0;
nofit:
	wire_rollback(w, mark);
	return 0;
}
