/* edns — see edns.h */
#include <string.h>

#include "dnsd/dname.h"
#include "dnsd/edns.h"

#define T_OPT 41
#define T_TSIG 250
#define OPT_NSID 3
#define OPT_COOKIE 10
#define OPT_EDE 15

int edns_parse(const uint8_t *pkt, size_t len, size_t pos, unsigned arcount, struct edns *e)
{
	bool bad_cookie = false;
	memset(e, 0, sizeof *e);
	for (unsigned i = 0; i < arcount; i++) {
		uint8_t name[DNAME_MAX];
		size_t nl = dname_parse(pkt, len, &pos, name, true);
		if (nl == 0 || pos + 10 > len)
			return -1;
		uint16_t type = (uint16_t)(pkt[pos] << 8 | pkt[pos + 1]);
		uint16_t klass = (uint16_t)(pkt[pos + 2] << 8 | pkt[pos + 3]);
		const uint8_t *ttl = pkt + pos + 4;
		uint16_t rdlen = (uint16_t)(pkt[pos + 8] << 8 | pkt[pos + 9]);
		pos += 10;
		if (pos + rdlen > len)
			return -1;
		if (type == T_TSIG) {
			/* must be the last record */
			if (i != arcount - 1)
				return -1;
			e->tsig = true;
		} else if (type == T_OPT) {
			if (e->present || nl != 1)
				return -1;
			e->present = true;
			e->udp_size = klass;
			e->version = ttl[1];
			e->do_bit = (ttl[2] & 0x80) != 0;
			size_t o = pos, end = pos + rdlen;
			while (o < end) {
				if (o + 4 > end)
					return -1;
				uint16_t code = (uint16_t)(pkt[o] << 8 | pkt[o + 1]);
				uint16_t olen = (uint16_t)(pkt[o + 2] << 8 | pkt[o + 3]);
				o += 4;
				if (o + olen > end)
					return -1;
				if (code == OPT_NSID)
					e->nsid = true;
				/* RFC 7873 5.2.2: a client cookie of 8 bytes, alone
				 * or with a server cookie of 8 to 32: anything else
				 * is malformed */
				if (code == OPT_COOKIE && olen != 8 && (olen < 16 || olen > 40))
					bad_cookie = true;
				else if (code == OPT_COOKIE && !e->cookie_len) {
					e->cookie_len = (uint8_t)olen;
					e->cookie_off = o;
				}
				o += olen;
			}
		} else {
			return -1;
		}
		pos += rdlen;
	}
	return bad_cookie ? EDNS_BAD_OPTION : 0;
}

size_t edns_reply_len(const struct edns *e, size_t nsid_len)
{
	if (!e->present)
		return 0;
	return EDNS_OPT_LEN + (e->nsid && nsid_len ? 4 + nsid_len : 0);
}

size_t edns_write(uint8_t *out, size_t room, const struct edns *e, uint16_t our_size,
		  uint8_t ext_rcode, const uint8_t *nsid, size_t nsid_len, int ede)
{
	bool with_nsid = e->nsid && nsid && nsid_len && nsid_len <= 512 &&
			 room >= EDNS_OPT_LEN + 4 + nsid_len;
	size_t rdlen = with_nsid ? 4 + nsid_len : 0;
	bool with_ede = ede >= 0 && room >= EDNS_OPT_LEN + rdlen + 6;

	if (room < EDNS_OPT_LEN)
		return 0;
	if (with_ede)
		rdlen += 6;
	out[0] = 0;			/* root owner */
	out[1] = 0;
	out[2] = T_OPT;
	out[3] = (uint8_t)(our_size >> 8);
	out[4] = (uint8_t)our_size;
	out[5] = ext_rcode;
	out[6] = 0;			/* version */
	out[7] = e->do_bit ? 0x80 : 0;
	out[8] = 0;
	out[9] = (uint8_t)(rdlen >> 8);
	out[10] = (uint8_t)rdlen;
	uint8_t *o = out + EDNS_OPT_LEN;
	if (with_nsid) {
		o[0] = 0;
		o[1] = OPT_NSID;
		o[2] = (uint8_t)(nsid_len >> 8);
		o[3] = (uint8_t)nsid_len;
		memcpy(o + 4, nsid, nsid_len);
		o += 4 + nsid_len;
	}
	if (with_ede) {
		o[0] = 0;
		o[1] = OPT_EDE;
		o[2] = 0;
		o[3] = 2;
		o[4] = (uint8_t)(ede >> 8);
		o[5] = (uint8_t)ede;
	}
	return EDNS_OPT_LEN + rdlen;
}

size_t edns_add_option(uint8_t *opt, size_t optlen, size_t room, uint16_t code,
		       const uint8_t *data, size_t dlen)
{
	if (optlen < EDNS_OPT_LEN || optlen + 4 + dlen > room)
		return optlen;
	size_t rdlen = (size_t)(opt[9] << 8 | opt[10]) + 4 + dlen;
	if (rdlen > 65535)
		return optlen;
	uint8_t *o = opt + optlen;
	o[0] = (uint8_t)(code >> 8);
	o[1] = (uint8_t)code;
	o[2] = (uint8_t)(dlen >> 8);
	o[3] = (uint8_t)dlen;
	memcpy(o + 4, data, dlen);
	opt[9] = (uint8_t)(rdlen >> 8);
	opt[10] = (uint8_t)rdlen;
	return optlen + 4 + dlen;
}
