/*
 * chaos — CHAOS class identity queries: id.server and hostname.bind answer
 * TXT with the server identity, version.bind and version.server with the
 * version; each is REFUSED when the string is not configured, and every
 * other CHAOS question is REFUSED.  TTL 0, AA clear (like NSD).
 */
#ifndef RAIZ_DNSD_CHAOS_H
#define RAIZ_DNSD_CHAOS_H

#include <stdint.h>

#include "dnsd/wire.h"

struct query_opts;

/* writes the answer record after the question (owner = pointer to the
 * question name at offset 12); returns the rcode (0 or REFUSED) and sets
 * *ancount */
uint8_t chaos_answer(const struct query_opts *opts, const uint8_t *qname, uint16_t qtype,
		     struct wire *w, uint16_t *ancount);

#endif
