/*
 * query — the question a probe sends, in wire format.
 *
 * Contract: query_build() makes the query a resolver on the Internet would
 * send to an authoritative server: RD clear, the given ID, EDNS(0) with the
 * probe's buffer size, the DO bit when asked, and an empty NSID option
 * (RFC 5001) so every reply says which instance answered.  With
 * `primary` set it builds the SOA query sent to the primary instead (same
 * qname and class, no DO, no NSID).  The result is malloc()ed; for TCP the
 * caller adds the 2-byte length.  query_random_id() draws from the kernel
 * CSPRNG.
 */
#ifndef RAIZ_PROBES_QUERY_H
#define RAIZ_PROBES_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config_probe.h"

/* 0 on success, -1 on failure (bad qname, no memory) */
int query_build(const struct cfg_probe *spec, bool primary, uint16_t id,
		uint8_t **wire, size_t *len);
uint16_t query_random_id(void);

#endif
