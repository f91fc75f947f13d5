/* dname — see dname.h */
#include <stdio.h>
#include <string.h>

#include "dnsd/dname.h"

static inline uint8_t lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

size_t dname_parse(const uint8_t *pkt, size_t len, size_t *pos, uint8_t *out, bool allow_ptr)
{
	size_t p = *pos, o = 0, end = 0;
	bool jumped = false;
	unsigned hops = 0, labels = 0;

	for (;;) {
		if (p >= len)
			return 0;
		uint8_t l = pkt[p];
		if ((l & 0xc0) == 0xc0) {
			if (!allow_ptr || p + 1 >= len)
				return 0;
			size_t target = ((size_t)(l & 0x3f) << 8) | pkt[p + 1];
			if (!jumped)
				end = p + 2;
			/* pointers must go strictly backwards: no loops */
			if (target >= p || ++hops > DNAME_MAXLABELS)
				return 0;
			jumped = true;
			p = target;
			continue;
		}
		if (l & 0xc0)
			return 0;	/* extended label types */
		if (l == 0) {
			if (o + 1 > DNAME_MAX)
				return 0;
			out[o++] = 0;
			if (!jumped)
				end = p + 1;
			*pos = end;
			return o;
		}
		if (p + 1 + l > len || o + 1 + l + 1 > DNAME_MAX || ++labels > DNAME_MAXLABELS)
			return 0;
		memcpy(out + o, pkt + p, (size_t)l + 1);
		o += (size_t)l + 1;
		p += (size_t)l + 1;
	}
}

size_t dname_len(const uint8_t *name)
{
	const uint8_t *p = name;
	while (*p)
		p += *p + 1;
	return (size_t)(p - name) + 1;
}

unsigned dname_labels(const uint8_t *name)
{
	unsigned n = 0;
	while (*name) {
		n++;
		name += *name + 1;
	}
	return n;
}

size_t dname_key(const uint8_t *name, uint8_t *key)
{
	const uint8_t *lab[DNAME_MAXLABELS];
	unsigned n = 0;
	size_t k = 0;

	while (*name && n < DNAME_MAXLABELS) {
		lab[n++] = name;
		name += *name + 1;
	}
	while (n-- > 0) {
		const uint8_t *l = lab[n];
		key[k++] = l[0];
		for (unsigned i = 1; i <= l[0]; i++)
			key[k++] = lc(l[i]);
	}
	return k;
}

int dname_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i = 0, j = 0;

	while (i < alen && j < blen) {
		uint8_t la = a[i], lb = b[j];
		uint8_t m = la < lb ? la : lb;
		int c = memcmp(a + i + 1, b + j + 1, m);
		if (c)
			return c;
		if (la != lb)
			return la < lb ? -1 : 1;
		i += (size_t)la + 1;
		j += (size_t)lb + 1;
	}
	if (i < alen)
		return 1;
	if (j < blen)
		return -1;
	return 0;
}

size_t dname_key_prefix(const uint8_t *key, size_t keylen, unsigned n)
{
	size_t i = 0;
	while (n-- > 0 && i < keylen)
		i += (size_t)key[i] + 1;
	return i;
}

unsigned dname_key_labels(const uint8_t *key, size_t keylen)
{
	unsigned n = 0;
	for (size_t i = 0; i < keylen; i += (size_t)key[i] + 1)
		n++;
	return n;
}

bool dname_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return false;
		if (*a == 0)
			return true;
		uint8_t l = *a;
		for (unsigned i = 1; i <= l; i++)
			if (lc(a[i]) != lc(b[i]))
				return false;
		a += l + 1;
		b += l + 1;
	}
}

const uint8_t *dname_suffix(const uint8_t *name, unsigned labels)
{
	unsigned n = dname_labels(name);
	while (n > labels) {
		name += *name + 1;
		n--;
	}
	return name;
}

void dname_lower(uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint8_t l = src[i];
		dst[i] = l;
		if (l == 0)
			break;
		for (unsigned k = 1; k <= l && i + k < len; k++)
			dst[i + k] = lc(src[i + k]);
		i += (size_t)l + 1;
	}
}

char *dname_str(const uint8_t *name, char *buf, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return buf;
	if (*name == 0) {
		snprintf(buf, size, ".");
		return buf;
	}
	while (*name && o + 5 < size) {
		uint8_t l = *name++;
		for (unsigned i = 0; i < l && o + 5 < size; i++, name++) {
			uint8_t c = *name;
			if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';') {
				buf[o++] = '\\';
				buf[o++] = (char)c;
			} else if (c > 0x20 && c < 0x7f) {
				buf[o++] = (char)c;
			} else {
				o += (size_t)snprintf(buf + o, size - o, "\\%03u", c);
			}
		}
		buf[o++] = '.';
	}
	buf[o < size ? o : size - 1] = 0;
	return buf;
}

size_t dname_wire_len(const uint8_t *p, size_t len)
{
	size_t o = 0;
	while (o < len && o < DNAME_MAX) {
		if (p[o] == 0)
			return o + 1;
		if (p[o] > 63)
			return 0;
		o += (size_t)p[o] + 1;
	}
	return 0;
}
