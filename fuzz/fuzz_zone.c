/*
 * fuzz_zone — the zone file reader (dnsd/zparse.h) on arbitrary text, and
 * the compile step behind it (zone_build()).
 *
 * Input: the text of a zone file for the zone "example." ($INCLUDE is
 * refused: zparse_text() reads from memory only).
 * Oracles besides the sanitizers:
 *  - a refused text has a "fuzz.zone:LINE: reason" message;
 *  - every record read, written out by ldns in presentation form (what
 *    dnsd/zstore.c stores for a zone copy) and read again, is the same
 *    record or refused, never another one (zparse_reads_back(): a writer
 *    falls back to the RFC 3597 form then) -- when ldns reads its own text
 *    back to the same bytes; and the RFC 3597 form reads back the same;
 *  - a zone that compiles holds no more records than were read, and
 *    zone_iter walks exactly zone->records of them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "common/log.h"
#include "dnsd/zone.h"
#include "dnsd/zparse.h"
#include "dnsd/zread.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* ldns's own text parsers leak on some malformed records (IPSECKEY with
 * bad base64: 4 bytes in ldns_str2rdf_ipseckey(), ldns 1.8.3), which the
 * reader reaches through its ldns fallback for types it does not know.
 * The unit tests (dnsd/test_zparse.c, under LSan) cover the reader's own
 * use of ldns there. */
const char *__lsan_default_suppressions(void)
{
	return "leak:libldns.so\n";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_zone", false, LOG_LVL_ERR);	/* no out-of-zone warnings */
	return 0;
}

static void die(const char *what, const char *text)
{
	fprintf(stderr, "fuzz_zone: %s: %s\n", what, text);
	abort();
}

/* does ldns read its own text back to the same rdata (zstore's test)? */
static bool ldns_reads_back(const char *line, const uint8_t *rd, uint16_t rdlen)
{
	ldns_rr *b = NULL;
	bool ok = false;
	if (ldns_rr_new_frm_str(&b, line, 0, NULL, NULL) == LDNS_STATUS_OK && b) {
		size_t off = 0;
		ok = true;
		for (size_t i = 0; i < ldns_rr_rd_count(b) && ok; i++) {
			ldns_rdf *f = ldns_rr_rdf(b, i);
			size_t n = ldns_rdf_size(f);
			ok = off + n <= rdlen && (n == 0 || memcmp(ldns_rdf_data(f), rd + off, n) == 0);
			off += n;
		}
		ok = ok && off == rdlen;
	}
	if (b)
		ldns_rr_free(b);
	return ok;
}

static void check_record(const struct zread *R, const struct zrec *r)
{
	const uint8_t *rd = (const uint8_t *)R->rdata.p + r->rd;
	uint8_t wire[DNAME_MAX + 10 + 65535];
	size_t ol = dname_len(zrec_wire(R, r)), len = 0;
	memcpy(wire, zrec_wire(R, r), ol);
	len = ol;
	wire[len++] = (uint8_t)(r->type >> 8);
	wire[len++] = (uint8_t)r->type;
	wire[len++] = 0;
	wire[len++] = 1;
	wire[len++] = (uint8_t)(r->ttl >> 24);
	wire[len++] = (uint8_t)(r->ttl >> 16);
	wire[len++] = (uint8_t)(r->ttl >> 8);
	wire[len++] = (uint8_t)r->ttl;
	wire[len++] = (uint8_t)(r->rdlen >> 8);
	wire[len++] = (uint8_t)r->rdlen;
	if (r->rdlen)
		memcpy(wire + len, rd, r->rdlen);
	len += r->rdlen;

	ldns_rr *rr = NULL;
	size_t pos = 0;
	char *text = NULL;
	if (ldns_wire2rr(&rr, wire, len, &pos, LDNS_SECTION_ANSWER) == LDNS_STATUS_OK && rr && pos == len)
		text = ldns_rr2str_fmt(ldns_output_format_nocomments, rr);
	if (rr)
		ldns_rr_free(rr);
	if (text) {
		/* one line, without the trailing newline */
		size_t n = strlen(text);
		while (n && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == '\t'))
			text[--n] = 0;
		if (!memchr(text, '\n', n) && ldns_reads_back(text, rd, r->rdlen) &&
		    zparse_reads_back(text, r->type, r->ttl, rd, r->rdlen) == 0)
			die("ldns's text of a record reads back as another record", text);
		free(text);
	}
	/* the RFC 3597 form always does */
	char *g = malloc(64 + 2 * (size_t)r->rdlen);
	if (!g)
		return;
	int o = sprintf(g, ". %u IN TYPE%u \\# %u ", r->ttl, r->type, r->rdlen);
	for (unsigned i = 0; i < r->rdlen; i++)
		o += sprintf(g + o, "%02x", rd[i]);
	if (r->type != 0 && r->type != 41 && !(r->type >= 249 && r->type <= 255) &&
	    !((r->type == 1 && r->rdlen != 4) || (r->type == 28 && r->rdlen != 16)) &&
	    zparse_reads_back(g, r->type, r->ttl, rd, r->rdlen) != 1)
		die("the RFC 3597 form of a record does not read back", g);
	free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zread R;
	char err[1024];
	if (zread_init(&R, "example.", err, sizeof err) < 0)
		die("zread_init", err);
	err[0] = 0;
	int r = zparse_text(&R, "fuzz.zone", (const char *)data, size);
	if (r < 0) {
		if (strncmp(err, "fuzz.zone", 9) != 0)
			die("an error without the file name", err);
		zread_free(&R);
		return 0;
	}
	size_t n = R.rrs.n;
	for (size_t i = 0; i < n && i < 64; i++)
		check_record(&R, (const struct zrec *)R.rrs.p + i);
	struct zone *z = zone_build("example.", &R, err, sizeof err);
	if (z) {
		if (z->records > n)
			die("more records compiled than read", "");
		struct zone_iter it;
		struct zone_rr rr;
		size_t k = 0;
		zone_iter_init(&it, z);
		while (zone_iter_next(&it, &rr))
			k++;
		if (k != z->records)
			die("zone_iter does not walk every record", "");
		zone_unref(z);
	} else if (!err[0]) {
		die("zone_build failed without a reason", "");
	}
	zread_free(&R);
	return 0;
}
