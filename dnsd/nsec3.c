/* nsec3 — see nsec3.h */
#include <string.h>

#include <openssl/sha.h>

#include "dnsd/nsec3.h"

void nsec3_hash(const uint8_t *name, size_t len, const uint8_t *salt, uint8_t saltlen,
		uint16_t iterations, uint8_t *out)
{
	uint8_t buf[255 + 255];

	memcpy(buf, name, len);
	memcpy(buf + len, salt, saltlen);
	SHA1(buf, len + saltlen, out);
	for (unsigned i = 0; i < iterations; i++) {
		memcpy(buf, out, SHA_DIGEST_LENGTH);
		memcpy(buf + SHA_DIGEST_LENGTH, salt, saltlen);
		SHA1(buf, SHA_DIGEST_LENGTH + (size_t)saltlen, out);
	}
}

static int b32val(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'v')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'V')
		return c - 'A' + 10;
	return -1;
}

size_t nsec3_b32_decode(const uint8_t *text, size_t len, uint8_t *out, size_t outcap)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int v = b32val(text[i]);
		if (v < 0)
			return 0;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			if (o >= outcap)
				return 0;
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
			acc &= (1u << bits) - 1;
		}
	}
	return o;
}
