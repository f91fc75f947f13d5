/* cookie — see cookie.h */
#include "dnsd/cookie.h"

#include <netinet/in.h>
#include <string.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define SIPROUND                                                                  \
	do {                                                                      \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);         \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                            \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                            \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);         \
	} while (0)

uint64_t cookie_siphash24(const uint8_t key[16], const void *msg, size_t len)
{
	const uint8_t *m = msg;
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	size_t full = len & ~(size_t)7;
	for (size_t i = 0; i < full; i += 8) {
		uint64_t mi = le64(m + i);
		v3 ^= mi;
		SIPROUND;
		SIPROUND;
		v0 ^= mi;
	}
	uint64_t b = (uint64_t)len << 56;
	for (size_t i = 0; i < (len & 7); i++)
		b |= (uint64_t)m[full + i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* Hash of RFC 9018 section 4.4: client cookie, the 8 first bytes of the
 * server cookie (version, reserved, timestamp), the client's address */
static uint64_t cookie_hash(const uint8_t secret[COOKIE_SECRET_LEN],
			    const uint8_t client[COOKIE_CLIENT_LEN], const uint8_t head[8],
			    const struct sockaddr *from)
{
	uint8_t msg[8 + 8 + 16];
	size_t n = 16;
	memcpy(msg, client, 8);
	memcpy(msg + 8, head, 8);
	if (from->sa_family == AF_INET) {
		memcpy(msg + n, &((const struct sockaddr_in *)from)->sin_addr, 4);
		n += 4;
	} else if (from->sa_family == AF_INET6) {
		memcpy(msg + n, &((const struct sockaddr_in6 *)from)->sin6_addr, 16);
		n += 16;
	}
	return cookie_siphash24(secret, msg, n);
}

void cookie_make(const uint8_t secret[COOKIE_SECRET_LEN], const uint8_t client[COOKIE_CLIENT_LEN],
		 const struct sockaddr *from, uint32_t now, uint8_t out[COOKIE_SERVER_LEN])
{
	out[0] = 1;		/* version */
	out[1] = out[2] = out[3] = 0;
	out[4] = (uint8_t)(now >> 24);
	out[5] = (uint8_t)(now >> 16);
	out[6] = (uint8_t)(now >> 8);
	out[7] = (uint8_t)now;
	uint64_t h = cookie_hash(secret, client, out, from);
	/* the hash goes out in SipHash's own (little-endian) byte order, as
	 * in the examples of RFC 9018 appendix A */
	for (int i = 0; i < 8; i++)
		out[8 + i] = (uint8_t)(h >> (8 * i));
}

bool cookie_check(const uint8_t secret[COOKIE_SECRET_LEN], const uint8_t client[COOKIE_CLIENT_LEN],
		  const uint8_t *server, size_t slen, const struct sockaddr *from, uint32_t now)
{
	if (slen != COOKIE_SERVER_LEN || server[0] != 1)
		return false;
	uint32_t ts = (uint32_t)server[4] << 24 | (uint32_t)server[5] << 16 |
		      (uint32_t)server[6] << 8 | server[7];
	/* serial-number arithmetic: the timestamp wraps in 2106 */
	int32_t age = (int32_t)(now - ts);
	if (age > COOKIE_MAX_AGE || age < -COOKIE_MAX_AHEAD)
		return false;
	uint64_t h = cookie_hash(secret, client, server, from);
	uint8_t want[8];
	for (int i = 0; i < 8; i++)
		want[i] = (uint8_t)(h >> (8 * i));
	/* constant time: the comparison must not tell how much matched */
	uint8_t diff = 0;
	for (int i = 0; i < 8; i++)
		diff |= (uint8_t)(want[i] ^ server[8 + i]);
	return diff == 0;
}
