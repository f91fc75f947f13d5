/*
 * nsec3 — NSEC3 hashing (RFC 5155 section 5) and the base32hex encoding
 * of hashed owner names.  No allocation; safe from any thread.
 */
#ifndef RAIZ_DNSD_NSEC3_H
#define RAIZ_DNSD_NSEC3_H

#include <stddef.h>
#include <stdint.h>

/* SHA-1 NSEC3 hash of a lowercase wire name; out holds 20 bytes */
void nsec3_hash(const uint8_t *name, size_t len, const uint8_t *salt, uint8_t saltlen,
		uint16_t iterations, uint8_t *out);
/* decode base32hex text (case-insensitive, no padding); returns the number
 * of bytes written, or 0 when malformed or too long for outcap */
size_t nsec3_b32_decode(const uint8_t *text, size_t len, uint8_t *out, size_t outcap);

#endif
