/*
 * edns — EDNS(0) (RFC 6891) in queries and responses.
 *
 * Contract: edns_parse() reads the additional section of a query: at most
 * one OPT RR, with the root as owner; anything else there (other records,
 * a second OPT, an OPT with another owner, malformed options) makes the
 * query a FORMERR, like NSD.  A well-formed OPT holding a COOKIE option
 * of a length RFC 7873 section 5.2.2 calls malformed (not 8, nor 16 to
 * 40) is a FORMERR too, answered with an OPT (EDNS_BAD_OPTION).  A TSIG
 * record is reported separately.  Unknown options and flags are ignored
 * and never echoed.  edns_write() appends the response OPT: our UDP size,
 * extended rcode, version 0, the DO bit copied from the query (BADVERS
 * answers included, RFC 6891 6.1.3 and RFC 3225), and NSID when it was
 * asked for and fits.  edns_parse() also tells where the first well-formed
 * COOKIE option is (cookie_off, cookie_len: 8 = client cookie only, 16 to
 * 40 = with a server cookie); edns_add_option() appends one more option,
 * such as the response COOKIE, to an OPT RR already written.  No
 * allocation.
 */
#ifndef RAIZ_DNSD_EDNS_H
#define RAIZ_DNSD_EDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EDNS_OPT_LEN 11		/* an OPT RR without options */

struct edns {
	bool present;
	bool do_bit;
	bool nsid;		/* query carried an NSID option */
	bool tsig;		/* query carried a TSIG record */
	uint8_t version;
	uint16_t udp_size;
	uint8_t cookie_len;	/* COOKIE option length, 0 = none */
	size_t cookie_off;	/* its data, an offset in the query */
};

/* 0 = fine, -1 = FORMERR, EDNS_BAD_OPTION = FORMERR with the OPT (e is
 * filled); pos = start of the additional section */
#define EDNS_BAD_OPTION (-2)
int edns_parse(const uint8_t *pkt, size_t len, size_t pos, unsigned arcount, struct edns *e);

/* bytes an OPT RR takes in the response */
size_t edns_reply_len(const struct edns *e, size_t nsid_len);

#define EDNS_EDE_NONE (-1)
#define EDNS_EDE_NOT_AUTHORITATIVE 20	/* RFC 8914, as NSD 4.6 adds to REFUSED */

/* write the OPT RR at out (room bytes); returns its length or 0.  ede is
 * an Extended DNS Error info code to add (RFC 8914), or EDNS_EDE_NONE. */
size_t edns_write(uint8_t *out, size_t room, const struct edns *e, uint16_t our_size,
		  uint8_t ext_rcode, const uint8_t *nsid, size_t nsid_len, int ede);

#define EDNS_OPT_COOKIE 10

/* append option (code, data) to the OPT RR at opt (optlen bytes, room in
 * all); returns the new length, or optlen when it does not fit */
size_t edns_add_option(uint8_t *opt, size_t optlen, size_t room, uint16_t code,
		       const uint8_t *data, size_t dlen);

#endif
