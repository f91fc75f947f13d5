/*
 * cookie — DNS server cookies (RFC 7873) in the interoperable format of
 * RFC 9018: Version (1) | Reserved (3, zero) | Timestamp (4, seconds since
 * the epoch) | Hash (8), where Hash = SipHash-2-4 keyed with the 16-byte
 * server secret over Client Cookie | Version | Reserved | Timestamp |
 * Client IP (4 or 16 bytes).
 *
 * Contract: pure functions, no allocation, no locks, safe from any thread.
 * cookie_make() writes a fresh 16-byte server cookie; cookie_check() says
 * whether a server cookie is one we made with `secret` for this client
 * cookie and address, with a timestamp at most one hour old and at most
 * five minutes ahead (RFC 9018 section 4.3).  cookie_siphash24() is the
 * reference SipHash-2-4 (Aumasson and Bernstein), also used to key RRL
 * buckets; it costs about 1 ns per byte.
 */
#ifndef RAIZ_DNSD_COOKIE_H
#define RAIZ_DNSD_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define COOKIE_SECRET_LEN 16
#define COOKIE_CLIENT_LEN 8
#define COOKIE_SERVER_LEN 16
#define COOKIE_MAX_AGE 3600      /* seconds a server cookie stays valid */
#define COOKIE_MAX_AHEAD 300     /* seconds a timestamp may be in the future */

uint64_t cookie_siphash24(const uint8_t key[16], const void *msg, size_t len);

/* the server cookie for this client cookie and address at time `now` */
void cookie_make(const uint8_t secret[COOKIE_SECRET_LEN], const uint8_t client[COOKIE_CLIENT_LEN],
		 const struct sockaddr *from, uint32_t now, uint8_t out[COOKIE_SERVER_LEN]);

/* server: the server cookie as received (slen bytes, 8 to 32) */
bool cookie_check(const uint8_t secret[COOKIE_SECRET_LEN], const uint8_t client[COOKIE_CLIENT_LEN],
		  const uint8_t *server, size_t slen, const struct sockaddr *from, uint32_t now);

#endif
