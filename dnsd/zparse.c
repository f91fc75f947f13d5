/*
 * zparse — see zparse.h.
 *
 * Why hand-written: a profile of `raiz-dnsd -n` on a 1,000,000-delegation
 * signed ccTLD-like zone (4.9 million records, 470 MB; issue 10) spent 72%
 * of the load time in ldns's text reader (ldns_rr_new_frm_fp_l: getc, its
 * tokenizers, a malloc and a free per field and per record), against 18%
 * in raiz's own compile step.  This reader takes the file in 256 KiB
 * read(2)s, splits it into tokens in one pass over each byte, and converts
 * each field straight into wire bytes at the end of R->rdata.
 *
 * Fallback to ldns: a type this reader does not know in presentation form
 * but ldns does (WKS, APL, IPSECKEY, HIP, EUI48, ...: anything not in
 * zp_types[] below) has that one record's rdata text handed to
 * ldns_rr_new_frm_str().  Every type a root or ccTLD zone carries is
 * native, and so is the RFC 3597 form (\# length hex) of any type.
 * dnsd/test_zparse.c proves the reader against ldns's (zread_file_ldns()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "common/log.h"
#include "dnsd/zparse.h"
#include "dnsd/zread.h"

#define ZP_BUFSZ (256u * 1024)		/* one read(2) */
#define ZP_MAX_ENTRY (1u << 20)		/* text of one record */
#define ZP_RDMAX 65535

/* ---- tokens ---- */

struct zp_tok {
	uint32_t off, len;	/* in P->tb, NUL-terminated there */
	uint32_t line;
	bool quoted;		/* was "..." (the quotes are not in the text) */
};

/* one input: a file read in blocks, or text in memory */
struct zp_src {
	int fd;			/* -1: memory */
	const unsigned char *p, *end;
	unsigned char *buf;
	unsigned fidx;
	unsigned line;
	bool bol;		/* at the start of a line */
	bool eof;
};

struct zparse {
	struct zread *R;
	char *tb;		/* token text of the current entry */
	size_t tbn, tbcap;
	struct zp_tok *tok;
	size_t ntok, tokcap;
	uint64_t total;		/* bytes read from all the files */
	bool no_include;
	/* the last owner seen: its key and whether it is in the zone */
	uint8_t last[DNAME_MAX];
	size_t lastlen;
	uint8_t lastkey[DNAME_MAX];
	size_t lastkeylen;
	bool last_in;
	/* scratch: type bitmaps; SVCB parameters (allocated when needed) */
	uint8_t bm[256][32];
	uint8_t bmlen[256];
	uint8_t *sv;		/* ZP_SVSZ bytes: parameters, then ech text */
	uint32_t *svo;		/* ZP_RDMAX / 4 offsets in sv */
};
#define ZP_SVSZ (2 * (ZP_RDMAX + 4))

/* one file being read */
struct zp_file {
	struct zp_src s;
	uint8_t origin[DNAME_MAX];
	size_t olen;
	uint8_t prev[DNAME_MAX];
	size_t plen;
	uint32_t ttl;
	unsigned depth;
	char *dir;		/* for relative $INCLUDEs; NULL: the working directory */
};

#define TXT(P, t) ((P)->tb + (t)->off)

static int zp_fail(struct zparse *P, unsigned fidx, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int zp_fail(struct zparse *P, unsigned fidx, unsigned line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	zread_error(P->R, fidx, line, "%s", msg);
	return -2;
}

static int zp_oom(struct zparse *P, unsigned fidx, unsigned line)
{
	zread_error(P->R, fidx, line, "out of memory");
	return -1;
}

/* at most 60 bytes of a token, for messages */
#define TSHOW(P, t) (int)((t)->len > 60 ? 60 : (t)->len), TXT(P, t)

enum { C_NORM, C_SPACE, C_NL, C_SEMI, C_OPEN, C_CLOSE, C_QUOTE, C_BSL, C_NUL };
static const uint8_t zp_cls[256] = {
	[0] = C_NUL, [' '] = C_SPACE, ['\t'] = C_SPACE, ['\r'] = C_SPACE, ['\f'] = C_SPACE,
	['\v'] = C_SPACE, ['\n'] = C_NL, [';'] = C_SEMI, ['('] = C_OPEN, [')'] = C_CLOSE,
	['"'] = C_QUOTE, ['\\'] = C_BSL,
};

static int zp_fill(struct zparse *P, struct zp_src *s)
{
	if (s->eof || s->fd < 0) {
		s->eof = true;
		return 0;
	}
	for (;;) {
		ssize_t n = read(s->fd, s->buf, ZP_BUFSZ);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return zp_fail(P, s->fidx, 0, "read error: %s", strerror(errno));
		if (n == 0) {
			s->eof = true;
			return 0;
		}
		P->total += (uint64_t)n;
		if (P->total > ZREAD_MAX_BYTES)
			return zp_fail(P, s->fidx, s->line, "the zone's files hold more than %llu bytes",
				       (unsigned long long)ZREAD_MAX_BYTES);
		s->p = s->buf;
		s->end = s->buf + n;
		return 1;
	}
}

static int zp_tb_room(struct zparse *P, size_t more)
{
	if (P->tbn + more <= P->tbcap)
		return 0;
	size_t nc = P->tbcap ? P->tbcap * 2 : 4096;
	while (nc < P->tbn + more)
		nc *= 2;
	char *n = realloc(P->tb, nc);
	if (!n)
		return -1;
	P->tb = n;
	P->tbcap = nc;
	return 0;
}

static int zp_push_tok(struct zparse *P, uint32_t off, unsigned line, bool quoted)
{
	if (P->ntok == P->tokcap) {
		size_t nc = P->tokcap ? P->tokcap * 2 : 64;
		struct zp_tok *n = realloc(P->tok, nc * sizeof *n);
		if (!n)
			return -1;
		P->tok = n;
		P->tokcap = nc;
	}
	if (zp_tb_room(P, 1) < 0)
		return -1;
	struct zp_tok *t = &P->tok[P->ntok++];
	t->off = off;
	t->len = (uint32_t)(P->tbn - off);
	t->line = line;
	t->quoted = quoted;
	P->tb[P->tbn++] = 0;
	return 0;
}

/* One token (the opening quote already taken when quoted).  Inside an
 * unquoted token a '"' is an ordinary byte, except after '=': then up to
 * the closing '"' is part of the token, quotes included, so that an SVCB
 * parameter key="a value; with blanks" is one token. */
static int zp_word(struct zparse *P, struct zp_src *s, bool quoted)
{
	uint32_t start = (uint32_t)P->tbn;
	unsigned line0 = s->line;
	bool esc = false;	/* a block ended just after a backslash */
	bool inq = quoted;	/* inside quotes */
	bool eq = false;	/* the last byte was an unescaped '=' */

	for (;;) {
		if (s->p == s->end) {
			int r = zp_fill(P, s);
			if (r < 0)
				return r;
			if (r == 0) {
				if (inq)
					return zp_fail(P, s->fidx, line0, "missing closing quote");
				if (esc)
					return zp_fail(P, s->fidx, s->line, "backslash at the end of the file");
				break;
			}
		}
		if (zp_tb_room(P, (size_t)(s->end - s->p) + 2) < 0)
			return zp_oom(P, s->fidx, s->line);
		const unsigned char *p = s->p, *e = s->end;
		char *o = P->tb + P->tbn;
		bool done = false;
		if (esc) {
			if (*p == '\n' || *p == 0)
				return zp_fail(P, s->fidx, s->line, "backslash at the end of a line");
			*o++ = (char)*p++;
			esc = false;
		}
		while (p < e) {
			unsigned char c = *p;
			uint8_t k = zp_cls[c];
			if (k == C_NORM || (k != C_BSL && k != C_NUL && k != C_NL && k != C_QUOTE && inq)) {
				*o++ = (char)c;
				p++;
				eq = c == '=';
				continue;
			}
			if (k == C_BSL) {
				*o++ = (char)c;
				eq = false;
				if (++p == e) {
					esc = true;
					break;
				}
				if (*p == '\n' || *p == 0)
					return zp_fail(P, s->fidx, s->line, "backslash at the end of a line");
				*o++ = (char)*p++;
				continue;
			}
			if (k == C_NUL)
				return zp_fail(P, s->fidx, s->line, "NUL byte in the text");
			if (k == C_NL && inq)
				return zp_fail(P, s->fidx, line0, "missing closing quote");
			if (k == C_QUOTE) {
				p++;
				if (quoted) {	/* the end of a quoted token */
					done = true;
					break;
				}
				if (inq || eq) {	/* key="value" */
					*o++ = (char)c;
					inq = !inq;
					eq = false;
					continue;
				}
				*o++ = (char)c;	/* an ordinary byte */
				continue;
			}
			done = true;	/* a delimiter */
			break;
		}
		P->tbn = (size_t)(o - P->tb);
		s->p = p;
		if (P->tbn > ZP_MAX_ENTRY)
			return zp_fail(P, s->fidx, line0, "record text longer than %u bytes", ZP_MAX_ENTRY);
		if (done)
			break;
	}
	if (zp_push_tok(P, start, line0, quoted) < 0)
		return zp_oom(P, s->fidx, line0);
	return 0;
}

/* The tokens of the next entry (a record or a directive, parentheses
 * joining lines) into P->tok: 1, 0 at the end of the input, < 0 error.
 * *omitted: the entry's line starts with a blank (the owner is left out). */
static int zp_entry(struct zparse *P, struct zp_src *s, bool *omitted)
{
	int depth = 0;
	unsigned open_line = 0;

	P->ntok = 0;
	P->tbn = 0;
	*omitted = false;
	for (;;) {
		if (s->p == s->end) {
			int r = zp_fill(P, s);
			if (r < 0)
				return r;
			if (r == 0) {
				if (depth > 0)
					return zp_fail(P, s->fidx, open_line, "'(' without ')'");
				return P->ntok > 0;
			}
		}
		unsigned char c = *s->p;
		uint8_t k = zp_cls[c];
		if (s->bol) {
			s->bol = false;
			if (depth == 0 && P->ntok == 0)
				*omitted = k == C_SPACE;
		}
		switch (k) {
		case C_SPACE:
			s->p++;
			while (s->p < s->end && zp_cls[*s->p] == C_SPACE)
				s->p++;
			break;
		case C_NL:
			s->p++;
			s->line++;
			s->bol = true;
			if (depth == 0 && P->ntok > 0)
				return 1;
			break;
		case C_SEMI:
			for (;;) {
				const unsigned char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
				if (nl) {
					s->p = nl;
					break;
				}
				s->p = s->end;
				int r = zp_fill(P, s);
				if (r < 0)
					return r;
				if (r == 0)
					break;
			}
			break;
		case C_OPEN:
			if (depth++ == 0)
				open_line = s->line;
			s->p++;
			break;
		case C_CLOSE:
			if (depth == 0)
				return zp_fail(P, s->fidx, s->line, "')' without '('");
			depth--;
			s->p++;
			break;
		case C_NUL:
			return zp_fail(P, s->fidx, s->line, "NUL byte in the text");
		case C_QUOTE: {
			s->p++;
			int r = zp_word(P, s, true);
			if (r < 0)
				return r;
			break;
		}
		default: {
			int r = zp_word(P, s, false);
			if (r < 0)
				return r;
			break;
		}
		}
	}
}

/* ---- field converters (no allocation) ---- */

/* presentation name -> wire (relative names get the origin; "@" is the
 * origin).  Returns the length, or 0 with a reason in *why. */
static size_t zp_dname(const char *s, size_t len, const uint8_t *origin, size_t olen, uint8_t *out,
		       const char **why)
{
	if (len == 1 && s[0] == '@') {
		memcpy(out, origin, olen);
		return olen;
	}
	if (len == 1 && s[0] == '.') {
		out[0] = 0;
		return 1;
	}
	if (len == 0) {
		*why = "empty name";
		return 0;
	}
	const char *e = s + len;
	size_t lp = 0, w = 1, lab = 0;
	bool absolute = false;
	while (s < e) {
		unsigned c = (unsigned char)*s++;
		if (c == '.') {
			if (lab == 0) {
				*why = "empty label";
				return 0;
			}
			if (w >= DNAME_MAX) {	/* no room for the next length byte */
				*why = "name longer than 255 bytes";
				return 0;
			}
			out[lp] = (uint8_t)lab;
			lp = w++;
			lab = 0;
			absolute = true;
			continue;
		}
		absolute = false;
		if (c == '\\') {
			if (s == e) {
				*why = "bad escape";
				return 0;
			}
			if (*s >= '0' && *s <= '9') {
				if (e - s < 3 || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9') {
					*why = "bad escape";
					return 0;
				}
				c = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 +
				    (unsigned)(s[2] - '0');
				if (c > 255) {
					*why = "bad escape";
					return 0;
				}
				s += 3;
			} else {
				c = (unsigned char)*s++;
			}
		}
		if (lab == 63) {
			*why = "label longer than 63 bytes";
			return 0;
		}
		if (w >= DNAME_MAX) {
			*why = "name longer than 255 bytes";
			return 0;
		}
		out[w++] = (uint8_t)c;
		lab++;
	}
	if (absolute) {
		/* lp == w - 1 holds the root label */
		out[lp] = 0;
		return w;
	}
	out[lp] = (uint8_t)lab;
	if (w + olen > DNAME_MAX) {
		*why = "name longer than 255 bytes";
		return 0;
	}
	memcpy(out + w, origin, olen);
	return w + olen;
}

/* decimal, digits only, at most max */
static bool zp_uint(const char *s, size_t len, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	if (len == 0 || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (d > 9)
			return false;
		x = x * 10 + d;
		if (x > max)
			return false;
	}
	*v = x;
	return true;
}

/* a TTL or SOA timer: digits with optional units (1h30m) */
static bool zp_period(const char *s, size_t len, uint32_t *out)
{
	uint64_t total = 0, cur = 0;
	bool digits = false;
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned c = (unsigned char)s[i];
		if (c >= '0' && c <= '9') {
			cur = cur * 10 + (c - '0');
			if (cur > UINT32_MAX)
				return false;
			digits = true;
			continue;
		}
		uint64_t m;
		switch (c | 0x20) {
		case 's': m = 1; break;
		case 'm': m = 60; break;
		case 'h': m = 3600; break;
		case 'd': m = 86400; break;
		case 'w': m = 604800; break;
		default: return false;
		}
		if (!digits)
			return false;
		total += cur * m;
		if (total > UINT32_MAX)
			return false;
		cur = 0;
		digits = false;
	}
	total += cur;
	if (total > UINT32_MAX)
		return false;
	*out = (uint32_t)total;
	return true;
}

/* one character-string's bytes (escapes decoded) into out (cap bytes):
 * the length, or -1 bad escape, -2 too long */
static long zp_unescape(const char *s, size_t len, uint8_t *out, size_t cap)
{
	const char *e = s + len;
	size_t n = 0;
	while (s < e) {
		unsigned c = (unsigned char)*s++;
		if (c == '\\') {
			if (s == e)
				return -1;
			if (*s >= '0' && *s <= '9') {
				if (e - s < 3 || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
					return -1;
				c = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 +
				    (unsigned)(s[2] - '0');
				if (c > 255)
					return -1;
				s += 3;
			} else {
				c = (unsigned char)*s++;
			}
		}
		if (n == cap)
			return -2;
		out[n++] = (uint8_t)c;
	}
	return (long)n;
}

static const int8_t zp_hexv[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
	['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};	/* value + 1; 0 = not a hex digit */

#define B64(c, v) [c] = (v) + 1
static const int8_t zp_b64v[256] = {
	B64('A', 0), B64('B', 1), B64('C', 2), B64('D', 3), B64('E', 4), B64('F', 5), B64('G', 6),
	B64('H', 7), B64('I', 8), B64('J', 9), B64('K', 10), B64('L', 11), B64('M', 12),
	B64('N', 13), B64('O', 14), B64('P', 15), B64('Q', 16), B64('R', 17), B64('S', 18),
	B64('T', 19), B64('U', 20), B64('V', 21), B64('W', 22), B64('X', 23), B64('Y', 24),
	B64('Z', 25), B64('a', 26), B64('b', 27), B64('c', 28), B64('d', 29), B64('e', 30),
	B64('f', 31), B64('g', 32), B64('h', 33), B64('i', 34), B64('j', 35), B64('k', 36),
	B64('l', 37), B64('m', 38), B64('n', 39), B64('o', 40), B64('p', 41), B64('q', 42),
	B64('r', 43), B64('s', 44), B64('t', 45), B64('u', 46), B64('v', 47), B64('w', 48),
	B64('x', 49), B64('y', 50), B64('z', 51), B64('0', 52), B64('1', 53), B64('2', 54),
	B64('3', 55), B64('4', 56), B64('5', 57), B64('6', 58), B64('7', 59), B64('8', 60),
	B64('9', 61), B64('+', 62), B64('/', 63),
};	/* value + 1; 0 = not base64 ('=' handled apart) */
#undef B64

/* streaming base64 / hex decoders (a field may be split into tokens) */
struct zp_dec {
	uint8_t *p, *end;
	uint32_t acc;
	unsigned bits, chars, pad;
	bool over;
};

static bool zp_b64_feed(struct zp_dec *d, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '=') {
			d->pad++;
			continue;
		}
		int v = zp_b64v[c] - 1;
		if (v < 0 || d->pad)
			return false;
		d->acc = d->acc << 6 | (uint32_t)v;
		d->bits += 6;
		d->chars++;
		if (d->bits >= 8) {
			d->bits -= 8;
			if (d->p == d->end) {
				d->over = true;
				return false;
			}
			*d->p++ = (uint8_t)(d->acc >> d->bits);
		}
	}
	return true;
}

static bool zp_b64_done(const struct zp_dec *d)
{
	if (d->chars % 4 == 1 || d->pad > 2)
		return false;
	return d->pad == 0 || (d->chars + d->pad) % 4 == 0;
}

static bool zp_hex_feed(struct zp_dec *d, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int v = zp_hexv[(unsigned char)s[i]] - 1;
		if (v < 0)
			return false;
		d->acc = d->acc << 4 | (uint32_t)v;
		if (++d->chars % 2 == 0) {
			if (d->p == d->end) {
				d->over = true;
				return false;
			}
			*d->p++ = (uint8_t)d->acc;
		}
	}
	return true;
}

/* base32hex (RFC 4648 section 7, no padding): bytes written, or -1 */
static long zp_b32hex(const char *s, size_t len, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned c = (unsigned char)s[i], v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'v')
			v = (c | 0x20) - 'a' + 10;
		else
			return -1;
		acc = acc << 5 | v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return (long)n;
}

/* days since 1970-01-01 of a civil date (proleptic Gregorian) */
static int64_t zp_days(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* RRSIG time: YYYYMMDDHHmmSS (UTC, modulo 2^32) or seconds */
static bool zp_time(const char *s, size_t len, uint32_t *out)
{
	uint64_t v;
	if (len == 14 && zp_uint(s, 14, UINT64_MAX, &v)) {
		unsigned f[6];
		static const unsigned w[6] = { 4, 2, 2, 2, 2, 2 };
		for (unsigned i = 0, o = 0; i < 6; o += w[i], i++) {
			uint64_t x = 0;
			zp_uint(s + o, w[i], UINT64_MAX, &x);
			f[i] = (unsigned)x;
		}
		static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		bool leap = (f[0] % 4 == 0 && f[0] % 100 != 0) || f[0] % 400 == 0;
		if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > mdays[f[1] - 1] ||
		    (f[1] == 2 && f[2] == 29 && !leap) || f[3] > 23 || f[4] > 59 || f[5] > 59)
			return false;
		int64_t t = zp_days(f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
		*out = (uint32_t)t;
		return true;
	}
	if (len <= 10 && zp_uint(s, len, UINT32_MAX, &v)) {
		*out = (uint32_t)v;
		return true;
	}
	return false;
}

/* ---- type, class and mnemonic tables ---- */

/* Field codes of the rdata descriptors:
 *   n name          b 8-bit         s 16-bit         l 32-bit
 *   p period (TTL units)            4 IPv4 address   6 IPv6 address
 *   c character-string              C character-strings, one or more (rest)
 *   x hex (rest, blanks allowed)    B base64 (rest, blanks allowed)
 *   h NSEC3 salt (hex or -)         H NSEC3 next owner (base32hex)
 *   M type bitmap (rest)            T type           a DNSSEC algorithm
 *   D RRSIG time                    L LOC (rest)     V SVCB parameters (rest)
 *   g CAA tag       S string without length byte (CAA value, URI target)
 *   k CERT type     u e m TLSA usage, selector, matching type */
struct zp_type {
	const char *name;
	uint16_t code;
	const char *fields;
};

static const struct zp_type zp_types[] = {
	{ "A", 1, "4" },		{ "NS", 2, "n" },		{ "MD", 3, "n" },
	{ "MF", 4, "n" },		{ "CNAME", 5, "n" },		{ "SOA", 6, "nnlpppp" },
	{ "MB", 7, "n" },		{ "MG", 8, "n" },		{ "MR", 9, "n" },
	{ "PTR", 12, "n" },		{ "HINFO", 13, "cc" },		{ "MINFO", 14, "nn" },
	{ "MX", 15, "sn" },		{ "TXT", 16, "C" },		{ "RP", 17, "nn" },
	{ "AFSDB", 18, "sn" },		{ "RT", 21, "sn" },		{ "AAAA", 28, "6" },
	{ "LOC", 29, "L" },		{ "SRV", 33, "sssn" },		{ "NAPTR", 35, "sscccn" },
	{ "KX", 36, "sn" },		{ "CERT", 37, "ksaB" },		{ "DNAME", 39, "n" },
	{ "DS", 43, "sabx" },		{ "SSHFP", 44, "bbx" },		{ "RRSIG", 46, "TablDDsnB" },
	{ "NSEC", 47, "nM" },		{ "DNSKEY", 48, "sbaB" },	{ "DHCID", 49, "B" },
	{ "NSEC3", 50, "bbshHM" },	{ "NSEC3PARAM", 51, "bbsh" },	{ "TLSA", 52, "uemx" },
	{ "SMIMEA", 53, "uemx" },	{ "CDS", 59, "sabx" },		{ "CDNSKEY", 60, "sbaB" },
	{ "OPENPGPKEY", 61, "B" },	{ "CSYNC", 62, "lsM" },		{ "ZONEMD", 63, "lbbx" },
	{ "SVCB", 64, "snV" },		{ "HTTPS", 65, "snV" },		{ "SPF", 99, "C" },
	{ "URI", 256, "ssS" },		{ "CAA", 257, "bgS" },
};
#define ZP_NTYPES (sizeof zp_types / sizeof zp_types[0])

static uint8_t zp_tlen[ZP_NTYPES];
static uint8_t zp_thash[256];	/* index + 1, open addressing */
static pthread_once_t zp_once = PTHREAD_ONCE_INIT;

static unsigned zp_hash(const char *s, size_t len)
{
	unsigned h = (unsigned)len;
	for (size_t i = 0; i < len; i++)
		h = h * 33 + ((unsigned char)s[i] & 0xdf);
	return (h ^ h >> 7) & 255;
}

static void zp_init_tables(void)
{
	for (unsigned i = 0; i < ZP_NTYPES; i++) {
		size_t l = strlen(zp_types[i].name);
		zp_tlen[i] = (uint8_t)l;
		unsigned h = zp_hash(zp_types[i].name, l);
		while (zp_thash[h])
			h = (h + 1) & 255;
		zp_thash[h] = (uint8_t)(i + 1);
	}
}

static const struct zp_type *zp_type_by_name(const char *s, size_t len)
{
	unsigned h = zp_hash(s, len);
	while (zp_thash[h]) {
		unsigned i = zp_thash[h] - 1u;
		if (zp_tlen[i] == len && strncasecmp(zp_types[i].name, s, len) == 0)
			return &zp_types[i];
		h = (h + 1) & 255;
	}
	return NULL;
}

static const struct zp_type *zp_type_by_code(uint16_t code)
{
	for (unsigned i = 0; i < ZP_NTYPES; i++)
		if (zp_types[i].code == code)
			return &zp_types[i];
	return NULL;
}

/* "PREFIXnnn" (case-insensitive) with nnn <= 65535 */
static bool zp_prefixed(const char *s, size_t len, const char *prefix, uint16_t *v)
{
	size_t pl = strlen(prefix);
	uint64_t x;
	if (len <= pl || strncasecmp(s, prefix, pl) != 0 || !zp_uint(s + pl, len - pl, 65535, &x))
		return false;
	*v = (uint16_t)x;
	return true;
}

/* a type mnemonic known here, TYPEnnn, or a name ldns knows */
static bool zp_type_code(const char *s, size_t len, uint16_t *code)
{
	const struct zp_type *t = zp_type_by_name(s, len);
	if (t) {
		*code = t->code;
		return true;
	}
	if (zp_prefixed(s, len, "TYPE", code))
		return true;
	if (len >= 4 && strncasecmp(s, "TYPE", 4) == 0)
		return false;
	ldns_rr_type lt = ldns_get_rr_type_by_name(s);
	if (lt == 0)
		return false;
	*code = (uint16_t)lt;
	return true;
}

static bool zp_class(const char *s, size_t len, uint16_t *cls)
{
	if (len == 2) {
		if ((s[0] | 0x20) == 'i' && (s[1] | 0x20) == 'n') {
			*cls = 1;
			return true;
		}
		if (strncasecmp(s, "CH", 2) == 0) {
			*cls = 3;
			return true;
		}
		if (strncasecmp(s, "HS", 2) == 0) {
			*cls = 4;
			return true;
		}
		if (strncasecmp(s, "CS", 2) == 0) {
			*cls = 2;
			return true;
		}
		return false;
	}
	if (len == 4 && strncasecmp(s, "NONE", 4) == 0) {
		*cls = 254;
		return true;
	}
	if (len == 3 && strncasecmp(s, "ANY", 3) == 0) {
		*cls = 255;
		return true;
	}
	return zp_prefixed(s, len, "CLASS", cls);
}

struct zp_mnem {
	const char *name;
	uint16_t v;
};

static const struct zp_mnem zp_algs[] = {
	{ "RSAMD5", 1 }, { "DH", 2 }, { "DSA", 3 }, { "ECC", 4 }, { "RSASHA1", 5 },
	{ "DSA-NSEC3-SHA1", 6 }, { "RSASHA1-NSEC3-SHA1", 7 }, { "RSASHA256", 8 },
	{ "RSASHA512", 10 }, { "ECC-GOST", 12 }, { "ECDSAP256SHA256", 13 },
	{ "ECDSAP384SHA384", 14 }, { "ED25519", 15 }, { "ED448", 16 }, { "INDIRECT", 252 },
	{ "PRIVATEDNS", 253 }, { "PRIVATEOID", 254 }, { NULL, 0 },
};
static const struct zp_mnem zp_certtypes[] = {
	{ "PKIX", 1 }, { "SPKI", 2 }, { "PGP", 3 }, { "IPKIX", 4 }, { "ISPKI", 5 }, { "IPGP", 6 },
	{ "ACPKIX", 7 }, { "IACPKIX", 8 }, { "URI", 253 }, { "OID", 254 }, { NULL, 0 },
};
static const struct zp_mnem zp_usages[] = {
	{ "PKIX-TA", 0 }, { "PKIX-EE", 1 }, { "DANE-TA", 2 }, { "DANE-EE", 3 }, { "PrivCert", 255 },
	{ NULL, 0 },
};
static const struct zp_mnem zp_selectors[] = {
	{ "Cert", 0 }, { "SPKI", 1 }, { "PrivSel", 255 }, { NULL, 0 },
};
static const struct zp_mnem zp_matchings[] = {
	{ "Full", 0 }, { "SHA2-256", 1 }, { "SHA2-512", 2 }, { "PrivMatch", 255 }, { NULL, 0 },
};

/* a number up to max, or one of the mnemonics */
static bool zp_mnemonic(const struct zp_mnem *m, const char *s, size_t len, uint64_t max,
			uint64_t *v)
{
	if (zp_uint(s, len, max, v))
		return true;
	for (; m->name; m++) {
		if (strlen(m->name) == len && strncasecmp(m->name, s, len) == 0) {
			*v = m->v;
			return true;
		}
	}
	return false;
}

/* ---- rdata ---- */

struct zp_rd {
	uint8_t *p, *end;
};

static bool rd_put(struct zp_rd *W, const void *d, size_t n)
{
	if ((size_t)(W->end - W->p) < n)
		return false;
	if (n)
		memcpy(W->p, d, n);
	W->p += n;
	return true;
}

static bool rd_u8(struct zp_rd *W, uint64_t v)
{
	uint8_t b = (uint8_t)v;
	return rd_put(W, &b, 1);
}

static bool rd_u16(struct zp_rd *W, uint64_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	return rd_put(W, b, 2);
}

static bool rd_u32(struct zp_rd *W, uint64_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	return rd_put(W, b, 4);
}

struct zp_ctx {
	struct zparse *P;
	struct zp_file *F;
	size_t i, n;		/* next token, end of tokens */
};

#define TOOLONG(C, t) zp_fail((C)->P, (C)->F->s.fidx, (t)->line, "record data longer than 65535 bytes")

/* the type bitmap of NSEC, NSEC3 and CSYNC from the remaining tokens */
static int zp_bitmap(struct zp_ctx *C, struct zp_rd *W)
{
	struct zparse *P = C->P;
	uint8_t wins[256];
	unsigned nw = 0;
	int ret = 0;
	for (; C->i < C->n; C->i++) {
		const struct zp_tok *t = &P->tok[C->i];
		uint16_t code;
		if (t->quoted || !zp_type_code(TXT(P, t), t->len, &code)) {
			ret = zp_fail(P, C->F->s.fidx, t->line, "unknown type '%.*s' in the type bitmap",
				      TSHOW(P, t));
			goto out;
		}
		unsigned w = code >> 8, b = code & 255;
		if (!P->bmlen[w]) {
			unsigned k = nw++;
			while (k > 0 && wins[k - 1] > w) {
				wins[k] = wins[k - 1];
				k--;
			}
			wins[k] = (uint8_t)w;
		}
		P->bm[w][b >> 3] |= (uint8_t)(0x80 >> (b & 7));
		if (P->bmlen[w] < (b >> 3) + 1)
			P->bmlen[w] = (uint8_t)((b >> 3) + 1);
	}
	for (unsigned k = 0; k < nw; k++) {
		unsigned w = wins[k];
		if (!rd_u8(W, w) || !rd_u8(W, P->bmlen[w]) || !rd_put(W, P->bm[w], P->bmlen[w])) {
			ret = TOOLONG(C, &P->tok[C->n - 1]);
			goto out;
		}
	}
out:
	for (unsigned k = 0; k < nw; k++) {
		memset(P->bm[wins[k]], 0, 32);
		P->bmlen[wins[k]] = 0;
	}
	return ret;
}

/* LOC (RFC 1876), the arithmetic of ldns_str2rdf_loc() so that both
 * readers agree to the bit */
static bool zp_loc_cm(const char **sp, uint8_t *m, uint8_t *e)
{
	const char *s = *sp;
	char *end;
	uint32_t meters, cm = 0, val;
	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	meters = (uint32_t)strtoul(s, &end, 10);
	s = end;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		cm = (uint32_t)strtoul(s, &end, 10);
		if (end - s == 1)
			cm *= 10;
		else if (end - s > 2)
			return false;
		s = end;
	}
	if (meters >= 1) {
		*e = 2;
		val = meters;
	} else {
		*e = 0;
		val = cm;
	}
	while (val >= 10) {
		(*e)++;
		val /= 10;
	}
	*m = (uint8_t)val;
	if (*e > 9)
		return false;
	if (*s == 'm' || *s == 'M')
		s++;
	if (*s && *s != ' ')
		return false;
	*sp = s;
	return true;
}

static bool zp_loc_angle(const char **sp, char pos, char neg, uint32_t maxdeg, uint32_t *out)
{
	const char *s = *sp;
	char *end;
	uint32_t h, m = 0;
	double sec = 0;
	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	h = (uint32_t)strtoul(s, &end, 10);
	s = end;
	while (*s == ' ')
		s++;
	if (*s >= '0' && *s <= '9') {
		m = (uint32_t)strtoul(s, &end, 10);
		s = end;
		while (*s == ' ')
			s++;
		if (*s >= '0' && *s <= '9') {
			sec = strtod(s, &end);
			s = end;
			while (*s == ' ')
				s++;
		}
	}
	if (h > maxdeg || m > 59 || sec >= 60 || (*s != pos && *s != neg))
		return false;
	uint32_t v = (uint32_t)(1000.0 * sec + 0.0005) + 60000u * m + 3600000u * h;
	if (v > 3600000u * maxdeg)
		return false;
	*out = *s == pos ? 0x80000000u + v : 0x80000000u - v;
	*sp = s + 1;
	return true;
}

static int zp_loc(struct zp_ctx *C, struct zp_rd *W)
{
	struct zparse *P = C->P;
	char text[256];
	size_t o = 0;
	const struct zp_tok *t0 = C->i < C->n ? &P->tok[C->i] : &P->tok[C->n - 1];
	for (; C->i < C->n; C->i++) {
		const struct zp_tok *t = &P->tok[C->i];
		if (t->quoted || o + t->len + 2 > sizeof text)
			goto bad;
		memcpy(text + o, TXT(P, t), t->len);
		o += t->len;
		text[o++] = ' ';
	}
	text[o] = 0;
	const char *s = text;
	uint32_t lat, lon, alt;
	uint8_t sm = 1, se = 2, hm = 1, he = 6, vm = 1, ve = 3;
	if (!zp_loc_angle(&s, 'N', 'S', 90, &lat) || !zp_loc_angle(&s, 'E', 'W', 180, &lon))
		goto bad;
	while (*s == ' ')
		s++;
	char *end;
	double a = strtod(s, &end);
	if (end == s || a < -100000.0 || a > 42849672.95)
		goto bad;
	alt = (uint32_t)(a * 100.0 + 10000000.0 + 0.5);
	s = end;
	if (*s == 'm' || *s == 'M')
		s++;
	if (*s && *s != ' ')
		goto bad;
	while (*s == ' ')
		s++;
	if (*s && !zp_loc_cm(&s, &sm, &se))
		goto bad;
	while (*s == ' ')
		s++;
	if (*s && !zp_loc_cm(&s, &hm, &he))
		goto bad;
	while (*s == ' ')
		s++;
	if (*s && !zp_loc_cm(&s, &vm, &ve))
		goto bad;
	while (*s == ' ')
		s++;
	if (*s)
		goto bad;
	if (!rd_u8(W, 0) || !rd_u8(W, (unsigned)sm << 4 | se) || !rd_u8(W, (unsigned)hm << 4 | he) ||
	    !rd_u8(W, (unsigned)vm << 4 | ve) || !rd_u32(W, lat) || !rd_u32(W, lon) || !rd_u32(W, alt))
		return TOOLONG(C, t0);
	return 0;
bad:
	return zp_fail(P, C->F->s.fidx, t0->line, "bad LOC data");
}

/* ---- SVCB / HTTPS parameters (RFC 9460 section 2.1, appendix A) ---- */

static const char *const zp_svckeys[] = {
	"mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint", "dohpath",
	"ohttp",
};

static bool zp_svckey(const char *s, size_t len, uint16_t *key)
{
	for (unsigned i = 0; i < sizeof zp_svckeys / sizeof zp_svckeys[0]; i++) {
		if (strlen(zp_svckeys[i]) == len && memcmp(zp_svckeys[i], s, len) == 0) {
			*key = (uint16_t)i;
			return true;
		}
	}
	uint64_t v;
	if (len > 3 && memcmp(s, "key", 3) == 0 && len <= 8 && zp_uint(s + 3, len - 3, 65535, &v)) {
		*key = (uint16_t)v;
		return true;
	}
	return false;
}

/* split the decoded-as-we-go value at unescaped commas: calls item() on
 * each item's decoded bytes.  false on a bad escape, an empty item or
 * item() failing. */
static bool zp_svc_list(const char *s, size_t len, bool (*item)(void *, const uint8_t *, size_t),
			void *arg)
{
	uint8_t buf[256];
	size_t n = 0;
	const char *e = s + len;
	while (s <= e) {
		if (s == e || *s == ',') {
			if (n == 0 || !item(arg, buf, n))
				return false;
			n = 0;
			if (s == e)
				break;
			s++;
			continue;
		}
		unsigned c = (unsigned char)*s++;
		if (c == '\\') {
			if (s == e)
				return false;
			if (*s >= '0' && *s <= '9') {
				if (e - s < 3 || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
					return false;
				c = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 +
				    (unsigned)(s[2] - '0');
				if (c > 255)
					return false;
				s += 3;
			} else {
				c = (unsigned char)*s++;
			}
		}
		if (n == sizeof buf)
			return false;
		buf[n++] = (uint8_t)c;
	}
	return true;
}

struct zp_svcout {
	uint8_t *p, *end;
	int kind;
};

static bool zp_svc_item(void *arg, const uint8_t *d, size_t n)
{
	struct zp_svcout *o = arg;
	char tmp[64];
	switch (o->kind) {
	case 0: {	/* mandatory: key names */
		uint16_t k;
		if (!zp_svckey((const char *)d, n, &k) || o->end - o->p < 2)
			return false;
		*o->p++ = (uint8_t)(k >> 8);
		*o->p++ = (uint8_t)k;
		return true;
	}
	case 1:		/* alpn: length-prefixed ids */
		if (n > 255 || (size_t)(o->end - o->p) < n + 1)
			return false;
		*o->p++ = (uint8_t)n;
		memcpy(o->p, d, n);
		o->p += n;
		return true;
	case 4:		/* ipv4hint */
		if (n >= sizeof tmp || o->end - o->p < 4)
			return false;
		memcpy(tmp, d, n);
		tmp[n] = 0;
		if (inet_pton(AF_INET, tmp, o->p) != 1)
			return false;
		o->p += 4;
		return true;
	case 6:		/* ipv6hint */
		if (n >= sizeof tmp || o->end - o->p < 16)
			return false;
		memcpy(tmp, d, n);
		tmp[n] = 0;
		if (inet_pton(AF_INET6, tmp, o->p) != 1)
			return false;
		o->p += 16;
		return true;
	}
	return false;
}

static int zp_u16cmp(const void *a, const void *b)
{
	const uint8_t *x = a, *y = b;
	return (x[0] << 8 | x[1]) - (y[0] << 8 | y[1]);
}

/* one parameter into out (key, length, value): its size, or 0 */
static size_t zp_svcparam(struct zp_ctx *C, uint8_t *out, size_t cap)
{
	struct zparse *P = C->P;
	const struct zp_tok *t = &P->tok[C->i++];
	const char *s = TXT(P, t);
	const char *eq = memchr(s, '=', t->len);
	size_t klen = eq ? (size_t)(eq - s) : t->len;
	uint16_t key;
	if (t->quoted || !zp_svckey(s, klen, &key) || cap < 4)
		return 0;
	const char *v = NULL;
	size_t vlen = 0;
	if (eq) {
		v = eq + 1;
		vlen = t->len - klen - 1;
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
			v++;	/* key="value" (the lexer saw to the closing quote) */
			vlen -= 2;
		} else {
			for (size_t k = 0; k < vlen; k++) {	/* a '"' must be escaped */
				if (v[k] == '\\')
					k++;
				else if (v[k] == '"')
					return 0;
			}
		}
	}
	uint8_t *d = out + 4;
	size_t room = cap - 4, n = 0;
	struct zp_svcout o = { d, d + room, key };
	switch (key) {
	case 0:	/* mandatory */
		if (!v || !zp_svc_list(v, vlen, zp_svc_item, &o))
			return 0;
		n = (size_t)(o.p - d);
		qsort(d, n / 2, 2, zp_u16cmp);
		for (size_t k = 2; k < n; k += 2)
			if (memcmp(d + k - 2, d + k, 2) == 0)
				return 0;
		break;
	case 1:	/* alpn */
	case 4:	/* ipv4hint */
	case 6:	/* ipv6hint */
		if (!v || !zp_svc_list(v, vlen, zp_svc_item, &o))
			return 0;
		n = (size_t)(o.p - d);
		break;
	case 2:	/* no-default-alpn */
	case 8:	/* ohttp */
		if (vlen)
			return 0;
		break;
	case 3: {	/* port */
		uint8_t num[8];
		long l = v ? zp_unescape(v, vlen, num, sizeof num) : -1;
		uint64_t port;
		if (l <= 0 || !zp_uint((const char *)num, (size_t)l, 65535, &port) || room < 2)
			return 0;
		d[0] = (uint8_t)(port >> 8);
		d[1] = (uint8_t)port;
		n = 2;
		break;
	}
	case 5: {	/* ech: base64 */
		uint8_t *txt = P->sv + ZP_SVSZ / 2;	/* the upper half is free */
		long l = v ? zp_unescape(v, vlen, txt, ZP_SVSZ / 2) : -1;
		struct zp_dec dec = { .p = d, .end = d + room };
		if (l <= 0 || !zp_b64_feed(&dec, (const char *)txt, (size_t)l) || dec.chars % 4 == 1 ||
		    dec.pad > 2)
			return 0;
		n = (size_t)(dec.p - d);
		break;
	}
	default: {
		long l = v ? zp_unescape(v, vlen, d, room) : 0;
		if (l < 0)
			return 0;
		n = (size_t)l;
		break;
	}
	}
	out[0] = (uint8_t)(key >> 8);
	out[1] = (uint8_t)key;
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	return 4 + n;
}

static int zp_svcparams(struct zp_ctx *C, struct zp_rd *W)
{
	struct zparse *P = C->P;
	size_t used = 0, np = 0;
	const size_t half = ZP_SVSZ / 2;
	if (!P->sv) {
		P->sv = malloc(ZP_SVSZ);
		P->svo = malloc(ZP_RDMAX / 4 * sizeof *P->svo);
		if (!P->sv || !P->svo)
			return zp_oom(P, C->F->s.fidx, P->tok[C->i].line);
	}
	while (C->i < C->n) {
		const struct zp_tok *t = &P->tok[C->i];
		size_t l = zp_svcparam(C, P->sv + used, half - used);
		if (l == 0)
			return zp_fail(P, C->F->s.fidx, t->line, "bad SVCB parameter '%.*s'", TSHOW(P, t));
		/* in key order (insertion: there are few) */
		uint16_t key = (uint16_t)(P->sv[used] << 8 | P->sv[used + 1]);
		if (np >= ZP_RDMAX / 4)
			return TOOLONG(C, t);
		size_t k = np++;
		while (k > 0) {
			const uint8_t *q = P->sv + P->svo[k - 1];
			uint16_t qk = (uint16_t)(q[0] << 8 | q[1]);
			if (qk == key)
				return zp_fail(P, C->F->s.fidx, t->line, "SVCB parameter '%.*s' repeated",
					       TSHOW(P, t));
			if (qk < key)
				break;
			P->svo[k] = P->svo[k - 1];
			k--;
		}
		P->svo[k] = (uint32_t)used;
		used += l;
	}
	for (size_t k = 0; k < np; k++) {
		const uint8_t *q = P->sv + P->svo[k];
		if (!rd_put(W, q, 4u + (size_t)(q[2] << 8 | q[3])))
			return TOOLONG(C, &P->tok[C->n - 1]);
	}
	return 0;
}

/* ---- records ---- */

static int zp_fields(struct zp_ctx *C, const char *desc, struct zp_rd *W)
{
	struct zparse *P = C->P;
	struct zp_file *F = C->F;
	unsigned fidx = F->s.fidx;
	for (const char *f = desc; *f; f++) {
		const char k = *f;
		if (C->i >= C->n) {
			if (k == 'M' || k == 'V')	/* may be empty */
				continue;
			return zp_fail(P, fidx, P->tok[C->n - 1].line, "missing record data");
		}
		const struct zp_tok *t = &P->tok[C->i];
		const char *s = TXT(P, t);
		uint64_t v;
		uint32_t u;
		if (t->quoted && k != 'c' && k != 'C' && k != 'S')
			return zp_fail(P, fidx, t->line, "unexpected quoted text \"%.*s\"", TSHOW(P, t));
		switch (k) {
		case 'n': {
			uint8_t name[DNAME_MAX];
			const char *why = "";
			size_t l = zp_dname(s, t->len, F->origin, F->olen, name, &why);
			if (!l)
				return zp_fail(P, fidx, t->line, "bad name '%.*s': %s", TSHOW(P, t), why);
			if (!rd_put(W, name, l))
				return TOOLONG(C, t);
			C->i++;
			break;
		}
		case 'b':
		case 's':
		case 'l': {
			uint64_t max = k == 'b' ? 255 : k == 's' ? 65535 : UINT32_MAX;
			if (!zp_uint(s, t->len, max, &v))
				return zp_fail(P, fidx, t->line, "bad number '%.*s' (0 to %llu)", TSHOW(P, t),
					       (unsigned long long)max);
			if (!(k == 'b' ? rd_u8(W, v) : k == 's' ? rd_u16(W, v) : rd_u32(W, v)))
				return TOOLONG(C, t);
			C->i++;
			break;
		}
		case 'p':
			if (!zp_period(s, t->len, &u))
				return zp_fail(P, fidx, t->line, "bad time value '%.*s'", TSHOW(P, t));
			if (!rd_u32(W, u))
				return TOOLONG(C, t);
			C->i++;
			break;
		case '4':
		case '6': {
			uint8_t a[16];
			if (inet_pton(k == '4' ? AF_INET : AF_INET6, s, a) != 1)
				return zp_fail(P, fidx, t->line, "bad IPv%c address '%.*s'", k, TSHOW(P, t));
			if (!rd_put(W, a, k == '4' ? 4 : 16))
				return TOOLONG(C, t);
			C->i++;
			break;
		}
		case 'c':
		case 'C':
			do {
				t = &P->tok[C->i];
				if (W->p == W->end)
					return TOOLONG(C, t);
				size_t room = (size_t)(W->end - W->p) - 1;
				long l = zp_unescape(TXT(P, t), t->len, W->p + 1, room < 255 ? room : 255);
				if (l == -1)
					return zp_fail(P, fidx, t->line, "bad escape in '%.*s'", TSHOW(P, t));
				if (l < 0 && room < 255)
					return TOOLONG(C, t);
				if (l < 0)
					return zp_fail(P, fidx, t->line, "string longer than 255 bytes");
				W->p[0] = (uint8_t)l;
				W->p += 1 + l;
				C->i++;
			} while (k == 'C' && C->i < C->n);
			break;
		case 'S': {
			long l = zp_unescape(s, t->len, W->p, (size_t)(W->end - W->p));
			if (l == -1)
				return zp_fail(P, fidx, t->line, "bad escape in '%.*s'", TSHOW(P, t));
			if (l < 0)
				return TOOLONG(C, t);
			W->p += l;
			C->i++;
			break;
		}
		case 'g': {
			if (t->len == 0 || t->len > 255)
				return zp_fail(P, fidx, t->line, "bad CAA tag '%.*s'", TSHOW(P, t));
			for (size_t j = 0; j < t->len; j++)
				if (!((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z') &&
				    !(s[j] >= '0' && s[j] <= '9'))
					return zp_fail(P, fidx, t->line, "bad CAA tag '%.*s'", TSHOW(P, t));
			if (!rd_u8(W, t->len) || !rd_put(W, s, t->len))
				return TOOLONG(C, t);
			C->i++;
			break;
		}
		case 'x':
		case 'B': {
			struct zp_dec d = { .p = W->p, .end = W->end };
			if (k == 'B' && C->i + 1 == C->n && t->len == 1 && (s[0] == '-' || s[0] == '0')) {
				C->i++;	/* empty (ldns writes "0") */
				break;
			}
			for (; C->i < C->n; C->i++) {
				t = &P->tok[C->i];
				if (t->quoted)
					return zp_fail(P, fidx, t->line, "unexpected quoted text");
				if (!(k == 'x' ? zp_hex_feed : zp_b64_feed)(&d, TXT(P, t), t->len)) {
					if (d.over)
						return TOOLONG(C, t);
					return zp_fail(P, fidx, t->line, "bad %s '%.*s'",
						       k == 'x' ? "hex" : "base64", TSHOW(P, t));
				}
			}
			if (k == 'x' ? d.chars % 2 != 0 : !zp_b64_done(&d))
				return zp_fail(P, fidx, t->line, "%s data of a bad length",
					       k == 'x' ? "hex" : "base64");
			W->p = d.p;
			break;
		}
		case 'h': {
			if (t->len == 1 && s[0] == '-') {
				if (!rd_u8(W, 0))
					return TOOLONG(C, t);
				C->i++;
				break;
			}
			if (W->p == W->end)
				return TOOLONG(C, t);
			struct zp_dec d = { .p = W->p + 1, .end = W->end };
			if (t->len > 510 || t->len % 2 || !zp_hex_feed(&d, s, t->len)) {
				if (d.over)
					return TOOLONG(C, t);
				return zp_fail(P, fidx, t->line, "bad NSEC3 salt '%.*s'", TSHOW(P, t));
			}
			W->p[0] = (uint8_t)(t->len / 2);
			W->p = d.p;
			C->i++;
			break;
		}
		case 'H': {
			if (W->p == W->end)
				return TOOLONG(C, t);
			size_t room = (size_t)(W->end - W->p) - 1;
			long l = zp_b32hex(s, t->len, W->p + 1, room < 255 ? room : 255);
			if (l <= 0)
				return zp_fail(P, fidx, t->line, "bad NSEC3 next owner '%.*s'", TSHOW(P, t));
			W->p[0] = (uint8_t)l;
			W->p += 1 + l;
			C->i++;
			break;
		}
		case 'T': {
			uint16_t code;
			if (!zp_type_code(s, t->len, &code))
				return zp_fail(P, fidx, t->line, "unknown type '%.*s'", TSHOW(P, t));
			if (!rd_u16(W, code))
				return TOOLONG(C, t);
			C->i++;
			break;
		}
		case 'a':
		case 'k':
		case 'u':
		case 'e':
		case 'm': {
			const struct zp_mnem *m = k == 'a' ? zp_algs : k == 'k' ? zp_certtypes :
						  k == 'u' ? zp_usages : k == 'e' ? zp_selectors : zp_matchings;
			if (!zp_mnemonic(m, s, t->len, k == 'k' ? 65535 : 255, &v))
				return zp_fail(P, fidx, t->line, "bad %s '%.*s'",
					       k == 'a' ? "algorithm" : k == 'k' ? "certificate type" :
					       k == 'u' ? "certificate usage" : k == 'e' ? "selector" :
					       "matching type", TSHOW(P, t));
			if (!(k == 'k' ? rd_u16(W, v) : rd_u8(W, v)))
				return TOOLONG(C, t);
			C->i++;
			break;
		}
		case 'D':
			if (!zp_time(s, t->len, &u))
				return zp_fail(P, fidx, t->line, "bad time '%.*s'", TSHOW(P, t));
			if (!rd_u32(W, u))
				return TOOLONG(C, t);
			C->i++;
			break;
		case 'M': {
			int r = zp_bitmap(C, W);
			if (r < 0)
				return r;
			break;
		}
		case 'L': {
			int r = zp_loc(C, W);
			if (r < 0)
				return r;
			break;
		}
		case 'V': {
			int r = zp_svcparams(C, W);
			if (r < 0)
				return r;
			break;
		}
		default:
			return zp_fail(P, fidx, t->line, "internal error: field '%c'", k);
		}
	}
	if (C->i < C->n) {
		const struct zp_tok *t = &P->tok[C->i];
		return zp_fail(P, fidx, t->line, "trailing text '%.*s'", TSHOW(P, t));
	}
	return 0;
}

/* RFC 3597: \# length hex */
static int zp_generic(struct zp_ctx *C, uint16_t type, struct zp_rd *W)
{
	struct zparse *P = C->P;
	unsigned fidx = C->F->s.fidx;
	const struct zp_tok *t = &P->tok[C->i++];
	uint64_t len;
	if (C->i >= C->n)
		return zp_fail(P, fidx, t->line, "\\# without a length");
	t = &P->tok[C->i++];
	if (t->quoted || !zp_uint(TXT(P, t), t->len, ZP_RDMAX, &len))
		return zp_fail(P, fidx, t->line, "bad \\# length '%.*s'", TSHOW(P, t));
	struct zp_dec d = { .p = W->p, .end = W->p + len };
	for (; C->i < C->n; C->i++) {
		t = &P->tok[C->i];
		if (t->quoted || !zp_hex_feed(&d, TXT(P, t), t->len))
			return zp_fail(P, fidx, t->line, "%s", d.over ? "more \\# data than its length" :
				       "bad hex in \\# data");
	}
	if (d.chars % 2 || (size_t)(d.p - W->p) != len)
		return zp_fail(P, fidx, t->line, "\\# data of %zu bytes where the length says %llu",
			       (size_t)(d.p - W->p), (unsigned long long)len);
	if ((type == 1 && len != 4) || (type == 28 && len != 16))
		return zp_fail(P, fidx, t->line, "\\# data of a bad length for type %u", type);
	W->p = d.p;
	return 0;
}

/* a type known to ldns only: this record's rdata through ldns */
static int zp_fallback(struct zp_ctx *C, const struct zp_tok *tt, struct zp_rd *W)
{
	struct zparse *P = C->P;
	unsigned fidx = C->F->s.fidx, line = tt->line;
	size_t need = 16 + tt->len;
	for (size_t j = C->i; j < C->n; j++)
		need += P->tok[j].len + 3;
	char *text = malloc(need);
	if (!text)
		return zp_oom(P, fidx, line);
	int o = snprintf(text, need, ". 0 IN %s", TXT(P, tt));
	for (size_t j = C->i; j < C->n; j++) {
		const struct zp_tok *t = &P->tok[j];
		o += snprintf(text + o, need - (size_t)o, t->quoted ? " \"%s\"" : " %s", TXT(P, t));
	}
	ldns_rdf *org = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, C->F->olen, C->F->origin);
	ldns_rr *rr = NULL;
	ldns_status st = org ? ldns_rr_new_frm_str(&rr, text, 0, org, NULL) : LDNS_STATUS_MEM_ERR;
	free(text);
	if (org)
		ldns_rdf_deep_free(org);
	if (st != LDNS_STATUS_OK || !rr)
		return zp_fail(P, fidx, line, "%s record: %s", TXT(P, tt), ldns_get_errorstr_by_id(st));
	int ret = 0;
	for (size_t j = 0; j < ldns_rr_rd_count(rr) && ret == 0; j++) {
		ldns_rdf *f = ldns_rr_rdf(rr, j);
		if (!rd_put(W, ldns_rdf_data(f), ldns_rdf_size(f)))
			ret = zp_fail(P, fidx, line, "record data longer than 65535 bytes");
	}
	ldns_rr_free(rr);
	C->i = C->n;
	return ret;
}

static int zp_rr(struct zparse *P, struct zp_file *F, bool omitted)
{
	struct zread *R = P->R;
	const unsigned fidx = F->s.fidx;
	struct zp_ctx C = { P, F, 0, P->ntok };
	const struct zp_tok *t = &P->tok[0];
	const unsigned line = t->line;
	const char *why = "";

	if (!omitted) {
		size_t l = t->quoted ? 0 : zp_dname(TXT(P, t), t->len, F->origin, F->olen, F->prev, &why);
		if (!l)
			return zp_fail(P, fidx, line, "bad owner name '%.*s'%s%s", TSHOW(P, t),
				       t->quoted ? "" : ": ", t->quoted ? "" : why);
		F->plen = l;
		C.i = 1;
	}
	uint32_t ttl = F->ttl;
	uint16_t cls = 1, type;
	bool have_ttl = false, have_cls = false;
	for (;; C.i++) {
		if (C.i >= C.n)
			return zp_fail(P, fidx, line, "no type in the record");
		t = &P->tok[C.i];
		const char *s = TXT(P, t);
		if (t->quoted)
			return zp_fail(P, fidx, t->line, "unexpected quoted text \"%.*s\"", TSHOW(P, t));
		if (!have_ttl && s[0] >= '0' && s[0] <= '9') {
			if (!zp_period(s, t->len, &ttl))
				return zp_fail(P, fidx, t->line, "bad TTL '%.*s'", TSHOW(P, t));
			have_ttl = true;
			continue;
		}
		if (!have_cls && zp_class(s, t->len, &cls)) {
			have_cls = true;
			continue;
		}
		break;
	}
	const struct zp_tok *tt = t;
	const struct zp_type *ty = zp_type_by_name(TXT(P, tt), tt->len);
	bool via_ldns = false;
	if (ty) {
		type = ty->code;
	} else if (zp_prefixed(TXT(P, tt), tt->len, "TYPE", &type)) {
		ty = zp_type_by_code(type);
	} else {
		uint16_t code;
		if (!zp_type_code(TXT(P, tt), tt->len, &code))
			return zp_fail(P, fidx, tt->line, "unknown type '%.*s'", TSHOW(P, tt));
		type = code;
		via_ldns = true;
	}
	if (type == 0 || type == 41 || (type >= 249 && type <= 255))
		return zp_fail(P, fidx, tt->line, "type %.*s cannot be in a zone", TSHOW(P, tt));
	C.i++;

	uint8_t *base = zread_reserve(R, ZP_RDMAX);
	if (!base)
		return zp_oom(P, fidx, line);
	struct zp_rd W = { base, base + ZP_RDMAX };
	int r;
	if (C.i < C.n && !P->tok[C.i].quoted && P->tok[C.i].len == 2 && TXT(P, &P->tok[C.i])[0] == '\\' &&
	    TXT(P, &P->tok[C.i])[1] == '#')
		r = zp_generic(&C, type, &W);
	else if (ty)
		r = zp_fields(&C, ty->fields, &W);
	else if (via_ldns)
		r = zp_fallback(&C, tt, &W);
	else
		r = zp_fail(P, fidx, tt->line, "%.*s record not in the RFC 3597 form (\\# length hex)",
			    TSHOW(P, tt));
	if (r < 0)
		return r;

	if (cls != 1) {
		if (R->dropped++ < ZREAD_MAX_WARNINGS)
			log_warn("zone %s: %s:%u: record of class %u ignored", R->zname, R->files[fidx],
				 line, (unsigned)cls);
		return 0;
	}
	if (F->plen != P->lastlen || memcmp(F->prev, P->last, F->plen) != 0) {
		memcpy(P->last, F->prev, F->plen);
		P->lastlen = F->plen;
		P->lastkeylen = dname_key(P->last, P->lastkey);
		P->last_in = P->lastkeylen >= R->apex_keylen &&
			     memcmp(P->lastkey, R->apex_key, R->apex_keylen) == 0;
	}
	if (!P->last_in) {
		char buf[DNAME_MAX * 4 + 1];
		if (R->dropped++ < ZREAD_MAX_WARNINGS)
			log_warn("zone %s: %s:%u: out-of-zone data %s ignored", R->zname, R->files[fidx],
				 line, dname_str(P->last, buf, sizeof buf));
		return 0;
	}
	r = zread_append(R, P->last, P->lastlen, P->lastkey, P->lastkeylen, type, ttl,
			 (size_t)(W.p - base), fidx, line);
	if (r == -1)
		return zp_oom(P, fidx, line);
	return r;
}

/* ---- files ---- */

static const char *zp_ftype(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "of another kind";
}

/* open a zone file: a regular file only, never blocking on a FIFO or a
 * device; 0, or -2 with a reason (no errno) in *why */
static int zp_open(const char *path, int *fdp, struct stat *st, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -2;
	}
	if (fstat(fd, st) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
		return -2;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, whylen, "not a regular file (%s)", zp_ftype(st->st_mode));
		close(fd);
		return -2;
	}
	if ((uint64_t)st->st_size > ZREAD_MAX_BYTES) {
		snprintf(why, whylen, "larger than %llu bytes", (unsigned long long)ZREAD_MAX_BYTES);
		close(fd);
		return -2;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	*fdp = fd;
	return 0;
}

/* register file fidx = R->nfiles: its name and identity */
static int zp_register(struct zread *R, const char *path, const struct stat *st, unsigned *fidx)
{
	char *dup = strdup(path);
	if (!dup)
		return -1;
	*fidx = R->nfiles;
	R->owned_files[*fidx] = dup;
	R->files[*fidx] = dup;
	if (st) {
		R->fsize[*fidx] = st->st_size;
		R->fmtime[*fidx] = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	}
	R->nfiles++;
	return 0;
}

static char *zp_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return NULL;
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static int zp_run(struct zparse *P, struct zp_file *F);

static int zp_include(struct zparse *P, struct zp_file *F)
{
	struct zread *R = P->R;
	const unsigned fidx = F->s.fidx;
	const struct zp_tok *t = P->tok;
	const unsigned line = t[0].line;
	char file[4096], full[4096], why[200];

	if (P->no_include)
		return zp_fail(P, fidx, line, "$INCLUDE is not allowed here");
	long l = zp_unescape(TXT(P, &t[1]), t[1].len, (uint8_t *)file, sizeof file - 1);
	if (l <= 0 || memchr(file, 0, (size_t)l))
		return zp_fail(P, fidx, line, "bad $INCLUDE file name");
	file[l] = 0;
	if (file[0] == '/' || !F->dir)
		snprintf(full, sizeof full, "%s", file);
	else if ((size_t)snprintf(full, sizeof full, "%s/%s", F->dir, file) >= sizeof full)
		return zp_fail(P, fidx, line, "$INCLUDE file name too long");

	struct zp_file *G = calloc(1, sizeof *G);
	if (!G)
		return zp_oom(P, fidx, line);
	G->s.fd = -1;
	int ret;
	if (P->ntok == 3) {
		const char *w = "";
		G->olen = t[2].quoted ? 0 : zp_dname(TXT(P, &t[2]), t[2].len, F->origin, F->olen,
						     G->origin, &w);
		if (!G->olen) {
			ret = zp_fail(P, fidx, line, "bad $INCLUDE origin '%.*s'", TSHOW(P, &t[2]));
			goto out;
		}
	} else {
		memcpy(G->origin, F->origin, F->olen);
		G->olen = F->olen;
	}
	if (F->depth + 1 > ZREAD_MAX_DEPTH) {
		ret = zp_fail(P, fidx, line, "$INCLUDE nested more than %d deep", ZREAD_MAX_DEPTH);
		goto out;
	}
	if (R->nfiles >= ZREAD_MAX_FILES) {
		ret = zp_fail(P, fidx, line, "more than %d files $INCLUDEd", ZREAD_MAX_FILES);
		goto out;
	}
	struct stat st;
	if (zp_open(full, &G->s.fd, &st, why, sizeof why) < 0) {
		ret = zp_fail(P, fidx, line, "$INCLUDE %s: %s", full, why);
		goto out;
	}
	G->s.buf = malloc(ZP_BUFSZ);
	G->dir = zp_dirname(full);
	if (!G->s.buf || (strchr(full, '/') && !G->dir) || zp_register(R, full, &st, &G->s.fidx) < 0) {
		ret = zp_oom(P, fidx, line);
		goto out;
	}
	memcpy(G->prev, G->origin, G->olen);
	G->plen = G->olen;
	G->ttl = F->ttl;
	G->depth = F->depth + 1;
	G->s.line = 1;
	G->s.bol = true;
	ret = zp_run(P, G);
out:
	if (G->s.fd >= 0)
		close(G->s.fd);
	free(G->s.buf);
	free(G->dir);
	free(G);
	return ret;
}

static int zp_directive(struct zparse *P, struct zp_file *F)
{
	const struct zp_tok *t = P->tok;
	const unsigned fidx = F->s.fidx, line = t[0].line;
	const char *d = TXT(P, &t[0]);
	const size_t n = P->ntok;
	const int kind = strcasecmp(d, "$TTL") == 0 ? 1 : strcasecmp(d, "$ORIGIN") == 0 ? 2 :
			 strcasecmp(d, "$INCLUDE") == 0 ? 3 : 0;
	const size_t max = kind == 3 ? 3 : 2;

	if (kind == 0 || n < 2)
		return zp_fail(P, fidx, line, "unknown or incomplete directive '%.*s'", TSHOW(P, &t[0]));
	if (n > max)
		return zp_fail(P, fidx, t[max].line, "trailing text '%.*s' after %s", TSHOW(P, &t[max]), d);
	for (size_t j = 1; j < n; j++)
		if (t[j].quoted && !(kind == 3 && j == 1))
			return zp_fail(P, fidx, t[j].line, "unexpected quoted text \"%.*s\" in %s",
				       TSHOW(P, &t[j]), d);
	if (kind == 1) {
		if (!zp_period(TXT(P, &t[1]), t[1].len, &F->ttl))
			return zp_fail(P, fidx, line, "bad $TTL '%.*s'", TSHOW(P, &t[1]));
		return 0;
	}
	if (kind == 2) {
		uint8_t o[DNAME_MAX];
		const char *why = "";
		size_t l = zp_dname(TXT(P, &t[1]), t[1].len, F->origin, F->olen, o, &why);
		if (!l)
			return zp_fail(P, fidx, line, "bad $ORIGIN '%.*s': %s", TSHOW(P, &t[1]), why);
		memcpy(F->origin, o, l);
		F->olen = l;
		return 0;
	}
	return zp_include(P, F);
}

static int zp_run(struct zparse *P, struct zp_file *F)
{
	for (;;) {
		bool omitted;
		int r = zp_entry(P, &F->s, &omitted);
		if (r <= 0)
			return r;
		const struct zp_tok *t = &P->tok[0];
		if (!omitted && !t->quoted && TXT(P, t)[0] == '$')
			r = zp_directive(P, F);
		else
			r = zp_rr(P, F, omitted);
		if (r < 0)
			return r;
	}
}

static int zp_top(struct zread *R, struct zp_file *F, bool no_include)
{
	struct zparse *P = calloc(1, sizeof *P);
	if (!P) {
		snprintf(R->err, R->errlen, "out of memory");
		return -1;
	}
	pthread_once(&zp_once, zp_init_tables);
	P->R = R;
	P->no_include = no_include;
	memcpy(F->origin, R->apex, R->apex_len);
	F->olen = R->apex_len;
	memcpy(F->prev, R->apex, R->apex_len);
	F->plen = R->apex_len;
	F->ttl = 3600;
	F->s.line = 1;
	F->s.bol = true;
	int r = zp_run(P, F);
	if (r == 0 && R->dropped > ZREAD_MAX_WARNINGS)
		log_warn("zone %s: %zu more records out of the zone or class ignored", R->zname,
			 R->dropped - ZREAD_MAX_WARNINGS);
	free(P->tb);
	free(P->tok);
	free(P->sv);
	free(P->svo);
	free(P);
	return r;
}

int zparse_file(struct zread *R, const char *path)
{
	struct zp_file F;
	struct stat st;
	char why[200];
	int r;

	memset(&F, 0, sizeof F);
	F.s.fd = -1;
	if (R->nfiles >= ZREAD_MAX_FILES) {
		snprintf(R->err, R->errlen, "%s: too many files", path);
		return -2;
	}
	if (zp_open(path, &F.s.fd, &st, why, sizeof why) < 0) {
		snprintf(R->err, R->errlen, "%s: %s", path, why);
		return -2;
	}
	/* room for what the file will hold at about its size in text: fewer
	 * copies as the arrays grow; only the pages used become resident */
	if (!R->rrs.p && st.st_size > (1 << 20)) {
		size_t sz = (size_t)st.st_size;
		if (zvec_push(&R->rrs, sz / 64))
			R->rrs.n = 0;
		if (zvec_push(&R->rdata, sz / 2))
			R->rdata.n = 0;
		if (zvec_push(&R->names, sz / 4))
			R->names.n = 0;
	}
	F.s.buf = malloc(ZP_BUFSZ);
	F.dir = zp_dirname(path);
	if (!F.s.buf || (strchr(path, '/') && !F.dir) || zp_register(R, path, &st, &F.s.fidx) < 0) {
		snprintf(R->err, R->errlen, "out of memory");
		r = -1;
	} else {
		r = zp_top(R, &F, false);
	}
	close(F.s.fd);
	free(F.s.buf);
	free(F.dir);
	return r;
}

int zparse_text(struct zread *R, const char *name, const char *text, size_t len)
{
	struct zp_file F;
	memset(&F, 0, sizeof F);
	F.s.fd = -1;
	F.s.p = (const unsigned char *)text;
	F.s.end = F.s.p + len;
	if (R->nfiles >= ZREAD_MAX_FILES) {
		snprintf(R->err, R->errlen, "%s: too many files", name);
		return -2;
	}
	if (zp_register(R, name, NULL, &F.s.fidx) < 0) {
		snprintf(R->err, R->errlen, "out of memory");
		return -1;
	}
	return zp_top(R, &F, true);
}

int zparse_reads_back(const char *line, uint16_t type, uint32_t ttl, const uint8_t *rdata,
		      size_t rdlen)
{
	struct zread R;
	char err[256];
	int ret = -1;
	if (zread_init(&R, ".", err, sizeof err) < 0)
		return -1;
	if (zparse_text(&R, "line", line, strlen(line)) == 0 && R.rrs.n == 1) {
		const struct zrec *r = R.rrs.p;
		ret = r->type == type && r->ttl == ttl && r->rdlen == rdlen &&
		      (rdlen == 0 || memcmp((const uint8_t *)R.rdata.p + r->rd, rdata, rdlen) == 0);
	}
	zread_free(&R);
	return ret;
}
