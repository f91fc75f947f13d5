/* nsec3 — see nsec3.h */
#include <string.h>

/* The query path hashes names (NSEC3 proofs of NXDOMAIN, wildcard and
 * NODATA answers).  OpenSSL 3's one-shot SHA1() goes through
 * EVP_Q_digest(), which allocates and frees a digest context on every
 * call (CRYPTO_malloc in a profile of raiz-dnsd under load); the
 * low-level SHA1_Init/Update/Final on a context on the stack allocate
 * nothing.  They are deprecated in OpenSSL 3 but present and what the
 * default provider itself runs: ask for the 1.1.1 API in this file only. */
#define OPENSSL_API_COMPAT 0x10101000L
#include <openssl/sha.h>

#include "dnsd/nsec3.h"

void nsec3_hash(const uint8_t *name, size_t len, const uint8_t *salt, uint8_t saltlen,
		uint16_t iterations, uint8_t *out)
{
	uint8_t buf[255 + 255];

	SHA_CTX c;

	memcpy(buf, name, len);
	memcpy(buf + len, salt, saltlen);
	SHA1_Init(&c);
	SHA1_Update(&c, buf, len + saltlen);
	SHA1_Final(out, &c);
	for (unsigned i = 0; i < iterations; i++) {
		memcpy(buf, out, SHA_DIGEST_LENGTH);
		memcpy(buf + SHA_DIGEST_LENGTH, salt, saltlen);
		SHA1_Init(&c);
		SHA1_Update(&c, buf, SHA_DIGEST_LENGTH + (size_t)saltlen);
		SHA1_Final(out, &c);
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
