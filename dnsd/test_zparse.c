/* unit tests: the zone file reader (zparse.h) against ldns's (the
 * reference, zread_file_ldns()) on every zone the tests use and on a zone
 * of every type in odd formatting; its syntax, its errors, and the files it
 * refuses (FIFO, device, directory, too large).
 *
 *   test_zparse                       the cmocka tests
 *   test_zparse --compare ZONE FILE   read FILE as zone ZONE with both
 *                                     readers, compare (exit 0 = same) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnsd/test_engine_util.h"
#include "dnsd/zone.h"
#include "dnsd/zparse.h"
#include "dnsd/zread.h"

/* ---- both readers on one file ---- */

static void show_rr(const char *who, const struct zread *R, const struct zrec *r)
{
	char buf[DNAME_MAX * 4 + 1];
	fprintf(stderr, "  %s: %s:%u %s type %u ttl %u rdlen %u:", who, R->files[r->file], r->line,
		dname_str(zrec_wire(R, r), buf, sizeof buf), r->type, r->ttl, r->rdlen);
	for (unsigned i = 0; i < r->rdlen && i < 48; i++)
		fprintf(stderr, " %02x", ((const uint8_t *)R->rdata.p)[r->rd + i]);
	fprintf(stderr, "%s\n", r->rdlen > 48 ? " ..." : "");
}

/* The records both readers found, in file order, then the compiled zones
 * record by record (zone_iter) and their shape.  Returns the number of
 * records, or -1 (with the difference on stderr). */
static long compare_readers(const char *zname, const char *path)
{
	struct zread A, B;
	char ea[1024], eb[1024];
	long ret = -1;
	int ra = zread_init(&A, zname, ea, sizeof ea) < 0 ? -2 : zread_file(&A, path);
	int rb = zread_init(&B, zname, eb, sizeof eb) < 0 ? -2 : zread_file_ldns(&B, path);
	struct zone *za = NULL, *zb = NULL;
	if (ra < 0 || rb < 0) {
		fprintf(stderr, "%s: new reader: %s; ldns: %s\n", path, ra < 0 ? ea : "ok",
			rb < 0 ? eb : "ok");
		goto out;
	}
	if (A.rrs.n != B.rrs.n || A.nfiles != B.nfiles) {
		fprintf(stderr, "%s: %zu records in %u files (new) against %zu in %u (ldns)\n", path,
			A.rrs.n, A.nfiles, B.rrs.n, B.nfiles);
		goto out;
	}
	for (size_t i = 0; i < A.rrs.n; i++) {
		const struct zrec *a = (const struct zrec *)A.rrs.p + i;
		const struct zrec *b = (const struct zrec *)B.rrs.p + i;
		const uint8_t *wa = zrec_wire(&A, a), *wb = zrec_wire(&B, b);
		if (dname_len(wa) != dname_len(wb) || memcmp(wa, wb, dname_len(wa)) != 0 ||
		    a->type != b->type || a->ttl != b->ttl || a->rdlen != b->rdlen ||
		    a->file != b->file || a->covered != b->covered ||
		    (a->rdlen && memcmp((const uint8_t *)A.rdata.p + a->rd,
					(const uint8_t *)B.rdata.p + b->rd, a->rdlen) != 0)) {
			fprintf(stderr, "%s: record %zu differs\n", path, i + 1);
			show_rr("new ", &A, a);
			show_rr("ldns", &B, b);
			goto out;
		}
	}
	za = zone_build(zname, &A, ea, sizeof ea);
	zb = zone_build(zname, &B, eb, sizeof eb);
	if (!za || !zb) {
		if (!za && !zb && strcmp(strchr(ea, ':') ? strchr(ea, ':') : ea,
					 strchr(eb, ':') ? strchr(eb, ':') : eb) == 0) {
			ret = (long)A.rrs.n;	/* the same records, both not a zone */
			goto out;
		}
		fprintf(stderr, "%s: compile: new %s, ldns %s\n", path, za ? "ok" : ea, zb ? "ok" : eb);
		goto out;
	}
	if (za->nnodes != zb->nnodes || za->nrrsets != zb->nrrsets || za->records != zb->records ||
	    za->rdata_len != zb->rdata_len || za->serial != zb->serial || za->nnsec3 != zb->nnsec3 ||
	    memcmp(za->rrsets, zb->rrsets, za->nrrsets * sizeof *za->rrsets) != 0) {
		fprintf(stderr, "%s: compiled zones differ in shape\n", path);
		goto out;
	}
	struct zone_iter ia, ib;
	struct zone_rr x, y;
	zone_iter_init(&ia, za);
	zone_iter_init(&ib, zb);
	for (;;) {
		bool na = zone_iter_next(&ia, &x), nb = zone_iter_next(&ib, &y);
		if (na != nb) {
			fprintf(stderr, "%s: compiled zones differ in length\n", path);
			goto out;
		}
		if (!na)
			break;
		if (dname_len(x.owner) != dname_len(y.owner) ||
		    memcmp(x.owner, y.owner, dname_len(x.owner)) != 0 || x.type != y.type ||
		    x.ttl != y.ttl || x.rdlen != y.rdlen || memcmp(x.rdata, y.rdata, x.rdlen) != 0) {
			char buf[DNAME_MAX * 4 + 1];
			fprintf(stderr, "%s: compiled record at %s type %u differs\n", path,
				dname_str(x.owner, buf, sizeof buf), x.type);
			goto out;
		}
	}
	ret = (long)A.rrs.n;
out:
	zone_unref(za);
	zone_unref(zb);
	zread_free(&A);
	zread_free(&B);
	return ret;
}

/* the same compiled zone whatever its layout (zone_lowmem_min): every
 * node, RRset, record and the NSEC3 chain, but not where they lie */
static bool zones_same(const struct zone *a, const struct zone *b)
{
	if (a->serial != b->serial || a->records != b->records || a->nnodes != b->nnodes ||
	    a->nrrsets != b->nrrsets || a->nnsec3 != b->nnsec3 || a->has_nsec3 != b->has_nsec3 ||
	    a->n3_iter != b->n3_iter || a->n3_saltlen != b->n3_saltlen ||
	    a->soa_nx_ttl != b->soa_nx_ttl || a->rdata_len != b->rdata_len ||
	    (a->nnsec3 && memcmp(a->nsec3, b->nsec3, a->nnsec3 * sizeof *a->nsec3) != 0))
		return false;
	for (size_t i = 0; i < a->nnodes; i++) {
		const struct znode *x = &a->nodes[i], *y = &b->nodes[i];
		const uint8_t *xn = znode_name(a, x), *yn = znode_name(b, y);
		if (dname_len(xn) != dname_len(yn) || memcmp(xn, yn, dname_len(xn)) != 0 ||
		    x->keylen != y->keylen || memcmp(znode_key(a, x), znode_key(b, y), x->keylen) != 0 ||
		    x->labels != y->labels || x->flags != y->flags || x->nrrsets != y->nrrsets ||
		    x->rrsets != y->rrsets || x->parent != y->parent || x->wild != y->wild ||
		    x->nsec != y->nsec || x->deleg != y->deleg || x->nsec3 != y->nsec3 || x->dname != y->dname)
			return false;
		const struct zrrset *r = znode_rrsets(a, x), *q = znode_rrsets(b, y);
		for (unsigned k = 0; k < x->nrrsets; k++)
			if (r[k].type != q[k].type || r[k].count != q[k].count || r[k].order != q[k].order ||
			    r[k].sig_count != q[k].sig_count || r[k].len != q[k].len ||
			    r[k].sig_len != q[k].sig_len ||
			    memcmp(a->rdata + r[k].off, b->rdata + q[k].off, r[k].len) != 0 ||
			    memcmp(a->rdata + r[k].sig_off, b->rdata + q[k].sig_off, r[k].sig_len) != 0)
				return false;
	}
	return true;
}

/* zone_load() with the low-memory layout and the canonical one */
static void check_layouts(const char *zname, const char *path)
{
	char err[1024];
	size_t keep = zone_lowmem_min;
	zone_lowmem_min = 0;
	struct zone *a = zone_load(zname, path, err, sizeof err);
	zone_lowmem_min = SIZE_MAX;
	struct zone *b = zone_load(zname, path, err, sizeof err);
	zone_lowmem_min = keep;
	if (!a || !b)
		fprintf(stderr, "%s: %s\n", path, err);
	assert_non_null(a);
	assert_non_null(b);
	if (!zones_same(a, b))
		fail_msg("%s: the two layouts of the compiled zone differ", path);
	zone_unref(a);
	zone_unref(b);
}

/* ---- a zone with every type, in odd formatting ---- */

#define KEY64 "AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU="
#define SIG64 "oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6oB9wfuh3DTJXUAfI/M0zmO/zz8bW0Rznl8O3tGNazPwQKkRN20XPXV6nwwfoXmJQbsLNrLfkGJ5D6fwFm8nN+6pBzeDQfsS3Ap3o="
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char *every_type =
	"; every type a root or ccTLD zone carries, formatted oddly\n"
	"$ORIGIN example.\n"
	"$TTL 3600\n"
	"@\tIN\tSOA\tns1 hostmaster (\n"
	"\t\t\t2026112101 ; serial\n"
	"\t\t\t7200       ; refresh\n"
	"\t\t\t1h         ; retry\n"
	"\t\t\t2w ) 300   ; expire, minimum\n"
	"\t\tIN\tNS\tns1\n"
	"\tNS ns2.example.  ; owner left out\n"
	"ns1\t300\tIN\tA\t192.0.2.1\n"
	"ns1\tIN\tAAAA\t2001:db8::1\n"
	"ns2 A 192.0.2.2\n"
	"@ MX 10 mail\n"
	"@ MX ( 20\n  mail.example.net. )\n"
	"mail\t\tA 192.0.2.25\n"
	"txt\tTXT\t\"hello world\" \"semi; colon\" \"quote \\\" inside\" \"paren ( \" plain \\065\\066C\n"
	"txt TXT ( \"multi\" ; a comment inside\n"
	"\t\"line\" )\n"
	"txt TXT \"\" \"\\255\\000\\\\\"\n"
	"spf\tSPF\t\"v=spf1 -all\"\n"
	"hinfo\tHINFO\t\"PDP-11\" UNIX\n"
	"rp\tRP\tadmin.example. txt\n"
	"afsdb\tAFSDB\t1 afs\n"
	"srv\tSRV\t0 5 5060 sip\n"
	"_sip._udp SRV 10 60 5060 sip.example.net.\n"
	"naptr\tNAPTR\t100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .\n"
	"dname\tDNAME\ttarget\n"
	"cname\tCNAME\twww\n"
	"ptr\tPTR\thost.example.net.\n"
	"ds\tDS\t12345 13 2 ( 0123456789abcdef0123456789abcdef\n"
	"\t\t\t     0123456789ABCDEF0123456789ABCDEF )\n"
	"ds DS 4711 RSASHA256 1 0123456789abcdef0123456789abcdef01234567\n"
	"cds\tCDS\t0 0 0 00\n"
	"dnskey\tDNSKEY\t257 3 8 ( " KEY64 " )\n"
	"dnskey DNSKEY 256 3 ED25519 ( l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= )\n"
	"cdnskey\tCDNSKEY\t0 3 0 AA==\n"
	"rrsig\tRRSIG\tA 8 2 3600 20300101000000 20200101000000 12345 example. (\n"
	"\t\t\t" SIG64 " )\n"
	"rrsig RRSIG TYPE65000 13 2 86400 2147483648 1700000000 1 example. AAAA\n"
	"nsec\tNSEC\tnext.example. A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY TYPE65000 CAA URI\n"
	"nsec NSEC next.example. ( A ; types on two lines\n TXT )\n"
	"2vptu5timamqttgl4luu9kg21e0aor3s\tNSEC3\t1 1 12 aabbccdd (\n"
	"\t\t2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG )\n"
	"ent NSEC3 1 0 0 - 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S\n"
	"n3p\tNSEC3PARAM\t1 0 10 aabbccdd\n"
	"n3p NSEC3PARAM 1 0 0 -\n"
	"_443._tcp.www\tTLSA\t3 1 1 " HEX64 "\n"
	"_443._tcp.www TLSA DANE-EE SPKI SHA2-256 " HEX64 "\n"
	"smimea\tSMIMEA\t3 1 1 ( " HEX64 " )\n"
	"sshfp\tSSHFP\t4 2 " HEX64 "\n"
	"caa\tCAA\t0 issue \"ca.example.net; account=123\"\n"
	"caa\tCAA\t128 tbs \"Unknown\"\n"
	"caa\tCAA\t0 iodef \"mailto:security@example.com\"\n"
	"caa CAA 0 issue \"\"\n"
	"zonemd\tZONEMD\t2026112101 1 241 ( " HEX64 "\n\t\t" HEX64 " )\n"
	"svcb\tSVCB\t1 svc.example. alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.1,192.0.2.2 "
	"ipv6hint=2001:db8::1,2001:db8::2 key65000=abc mandatory=alpn,port\n"
	"svcb SVCB 2 . ech=AEn+DQBFKwAgACABWIHUGj4u+PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50bHMtZWNoLmRldgAA dohpath=/dns-query{?dns}\n"
	"svcb SVCB 3 svc alpn=\"h2 x,h\\\\,3\" key65001=\"a; b (c)\" key65002 key65003=\"\"\n"
	"svcb SVCB 4 . alpn=h2,h3\\\"q key65004=a\\\"b\n"
	"https\tHTTPS\t0 target.example.\n"
	"mx2 MX 10 na\\\"me\\(\\;.example.\n"
	"https2\tHTTPS\t1 . alpn=h2 no-default-alpn\n"
	"loc\tLOC\t52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m\n"
	"loc2\tLOC\t42 21 54.500 N 71 06 18.300 W 24.00m 30m\n"
	"loc3 LOC 32 7 19.000 S 116 2 25.000 E 10m\n"
	"cert\tCERT\tPKIX 0 8 " KEY64 "\n"
	"cert CERT 1 12345 RSASHA256 AAAA\n"
	"uri\tURI\t10 1 \"ftp://ftp1.example.com/public\"\n"
	"openpgpkey\tOPENPGPKEY\t( " KEY64 " )\n"
	"csync\tCSYNC\t66 3 A NS AAAA\n"
	"dhcid\tDHCID\tAAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=\n"
	"kx\tKX\t10 kx.example.\n"
	"rt RT 10 rt\n"
	"minfo\tMINFO\trmail emailbx\n"
	"unk\tTYPE65000\t\\# 4 0a000001\n"
	"unk TYPE65000 \\# 0\n"
	"unk\tIN\tTYPE65001\t\\# ( 3 ab\n\tcdef )\n"
	"generic-a TYPE1 \\# 4 c0000201\n"
	"generic-ns NS \\# 13 036e7333076578616d706c6500\n"
	"escaped\\.dot\tA\t192.0.2.3\n"
	"\\200bin\tTXT\t\"octet\"\n"
	"sp\\032ace A 192.0.2.12\n"
	"*.wild\tA\t192.0.2.4\n"
	"MiXeD.CaSe\tA\t192.0.2.5\n"
	"ttlunits\t1h30m\tIN\tA\t192.0.2.6\n"
	"class\tCLASS1\tA\t192.0.2.7\n"
	"absolute.example.\t60 IN A 192.0.2.8\n"
	"$ORIGIN sub.example.\n"
	"www A 192.0.2.9\n"
	"@ TXT \"at sub\"\n"
	"$ORIGIN example.\n"
	"$TTL 1d\n"
	"ttl1d A 192.0.2.10\n"
	"wks WKS 192.0.2.11 6 25 80\n"
	"apl APL 1:192.0.2.0/24 !2:2001:db8::/32\n"
	"eui48 EUI48 00-00-5e-00-53-2a\n"
	"ipseckey IPSECKEY 10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==\n"
	"out.of.zone.net. A 192.0.2.99\n"
	"ch CH TXT \"chaos\"\n";

static void test_every_type(void **state)
{
	char *f = strdup(tfile("every.zone", every_type));
	long n = compare_readers("example.", f);
	fprintf(stderr, "every type: %ld records the same\n", n);
	assert_true(n > 80);
	check_layouts("example.", f);
	/* and it is a zone */
	char err[1024];
	struct zone *z = zone_load("example.", f, err, sizeof err);
	if (!z)
		fprintf(stderr, "%s\n", err);
	assert_non_null(z);
	zone_unref(z);
	free(f);
}

/* the same zone signed with ldns-signzone (NSEC, then NSEC3 opt-out):
 * ldns's own output of every type, the form zstore writes, read back */
static void test_every_type_signed(void **state)
{
	if (system("command -v ldns-signzone >/dev/null && command -v ldns-keygen >/dev/null") != 0) {
		fprintf(stderr, "skipped: ldns-signzone/ldns-keygen missing\n");
		skip();
	}
	/* ldns-signzone drops nothing: take the records of other classes
	 * and outside the zone out first */
	char *text = strdup(every_type);
	char *p = strstr(text, "out.of.zone.net.");
	*p = 0;
	char *f = strdup(tfile("every-s.zone", text));
	free(text);
	const char *opts[] = { "", "-n -p -s abcd -t 3" };
	for (int i = 0; i < 2; i++) {
		char cmd[2048], signedf[600];
		snprintf(signedf, sizeof signedf, "%s.%d.signed", f, i);
		snprintf(cmd, sizeof cmd,
			 "cd '%s' && k=$(ldns-keygen -a ED25519 -k example.) && z=$(ldns-keygen -a ED25519 "
			 "example.) && ldns-signzone %s -f '%s' '%s' \"$k\" \"$z\" >/dev/null", tdir,
			 opts[i], signedf, f);
		assert_int_equal(system(cmd), 0);
		long n = compare_readers("example.", signedf);
		assert_true(n > 200);
	}
	free(f);
}

/* ---- the zones of the other tests ---- */

#define HEAD "$ORIGIN example.\n$TTL 300\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n"

/* test_zone.c's, dnsd.py's zone_text(), t_raizctl.sh's, lab.sh's */
static void test_small_zones(void **state)
{
	char *f = strdup(tfile("ok.zone", HEAD
			       "www CNAME x\nwww RRSIG A 8 2 300 20300101000000 20200101000000 1 example. AAAA\n"
			       "www.example.org. A 192.0.2.9\n"
			       "dup A 192.0.2.3\ndup A 192.0.2.3\n"
			       "$INCLUDE inc.zone\n"
			       "$INCLUDE inc2.zone sub.example.\n"
			       "after A 192.0.2.6\n"
			       "$TTL 1h ; comment\n"
			       "$ORIGIN sub2\n"
			       "foo A 192.0.2.8\n"));
	tfile("inc.zone", "inc A 192.0.2.4\n");
	tfile("inc2.zone", "@ A 192.0.2.5\nx A 192.0.2.7\n");
	assert_int_equal(compare_readers("example.", f), 12);
	check_layouts("example.", f);
	free(f);
	/* owners that come back, out of order, duplicates */
	f = strdup(tfile("back.zone", HEAD "b A 192.0.2.1\na TXT x\nb TXT y\nb A 192.0.2.1\n"
			 "a A 192.0.2.2\nc.b A 192.0.2.3\nb RRSIG A 8 2 300 20300101000000 20200101000000 "
			 "1 example. AAAA\na RRSIG TXT 8 2 300 20300101000000 20200101000000 1 example. AAAA\n"
			 "b RRSIG TXT 8 2 300 20300101000000 20200101000000 1 example. AAAA\n"
			 "NS2.example. A 192.0.2.9\nns2 AAAA 2001:db8::9\n"));
	assert_int_equal(compare_readers("example.", f), 14);
	check_layouts("example.", f);
	free(f);

	char text[8192];
	size_t n = (size_t)snprintf(text, sizeof text,
		"$ORIGIN example.\n$TTL 3600\n@ IN SOA ns1 hostmaster 2026112101 7200 3600 1209600 300\n"
		"@ IN NS ns1\n@ IN NS ns2\nns1 IN A 192.0.2.1\nns1 IN AAAA 2001:db8::1\n"
		"ns2 IN A 192.0.2.2\nwww IN A 192.0.2.80\nwww IN AAAA 2001:db8::80\n");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "big IN TXT \"%03d-%096d\"\n", i, 0);
	f = strdup(tfile("dnsdpy.zone", text));
	assert_int_equal(compare_readers("example.", f), 48);
	free(f);

	f = strdup(tfile("arpa.zone", "$ORIGIN 2.0.192.in-addr.arpa.\n$TTL 300\n"
			 "@ IN SOA ns1.example. host.example. 7 3600 900 604800 300\n"
			 "@ IN NS ns1.example.\n1 IN PTR ns1.example.\n"));
	assert_int_equal(compare_readers("2.0.192.in-addr.arpa.", f), 3);
	free(f);

	/* the root zone of test_zone.c */
	size_t cap = 1 << 20;
	char *big = malloc(cap);
	n = (size_t)snprintf(big, cap, "$TTL 86400\n. SOA a.root. n. 1 2 3 4 5\n. NS a.root.\na.root. A 192.0.2.1\n");
	for (int i = 0; i < 1500; i++)
		n += (size_t)snprintf(big + n, cap - n, "tld%d. NS ns.tld%d.\nns.tld%d. A 192.0.2.%d\n", i, i, i, i % 250);
	f = strdup(tfile("root.zone", big));
	free(big);
	assert_int_equal(compare_readers(".", f), 3003);
	free(f);
}

/* the differential test's signed zones (tests/lib/zonegen.py): the root
 * zone with NSEC and ZONEMD, the ccTLD-like one with NSEC3 opt-out, both
 * also unsigned, and a second pair from another seed and size */
static void test_zonegen(void **state)
{
	char cmd[2048];
	if (access("tests/lib/zonegen.py", R_OK) != 0 || access("/usr/bin/python3", X_OK) != 0 ||
	    system("command -v ldns-signzone >/dev/null 2>&1") != 0) {
		fprintf(stderr, "skipped: needs tests/lib/zonegen.py (run from the repository root), "
			"/usr/bin/python3 and ldns-signzone\n");
		skip();
	}
	tdir_make();
	for (int k = 0; k < 2; k++) {
		char dir[600];
		snprintf(dir, sizeof dir, "%s/zg%d", tdir, k);
		mkdir(dir, 0700);
		snprintf(cmd, sizeof cmd,
			 "/usr/bin/python3 -c 'import sys; sys.path.insert(0, \"tests/lib\"); import zonegen; "
			 "zonegen.build_all(\"%s\", seed=%d, ntld=%d)' >/dev/null", dir,
			 k ? 4711 : 20261121, k ? 3000 : 1100);
		assert_int_equal(system(cmd), 0);
		const char *names[4] = { ".", ".", "example.", "example." };
		const char *files[4] = { "root.zone", "root.zone.signed", "example.zone",
					 "example.zone.signed" };
		for (int i = 0; i < 4; i++) {
			char path[800];
			snprintf(path, sizeof path, "%s/%s", dir, files[i]);
			long n = compare_readers(names[i], path);
			if (n < 0)
				fail_msg("%s differs", path);
			assert_true(n > 1000);
			check_layouts(names[i], path);
		}
	}
}

/* ---- syntax, against expected wire ---- */

/* the records of a zone text (new reader), for syntax checks */
static struct zread *tread(const char *zname, const char *text, char *err, size_t errlen)
{
	static struct zread R;
	static char e[1024];
	zread_free(&R);
	zread_init(&R, zname, e, sizeof e);
	if (zparse_text(&R, "t.zone", text, strlen(text)) < 0) {
		snprintf(err, errlen, "%s", e);
		return NULL;
	}
	return &R;
}

static const struct zrec *trec(const struct zread *R, size_t i)
{
	return (const struct zrec *)R->rrs.p + i;
}

static const uint8_t *trd(const struct zread *R, size_t i)
{
	return (const uint8_t *)R->rdata.p + trec(R, i)->rd;
}

static void test_syntax(void **state)
{
	char err[1024];
	/* TTL and class in either order, or left out; CLASSnnn; owner left
	 * out; @; relative and absolute names */
	struct zread *R = tread("example.", "$TTL 77\n"
				"a 300 IN A 192.0.2.1\n"
				"b IN 301 A 192.0.2.2\n"
				"\tCLASS1 302 A 192.0.2.3\n"
				"@ A 192.0.2.4\n"
				"c.example. A 192.0.2.5\n", err, sizeof err);
	assert_non_null(R);
	assert_int_equal(R->rrs.n, 5);
	assert_int_equal(trec(R, 0)->ttl, 300);
	assert_int_equal(trec(R, 1)->ttl, 301);
	assert_int_equal(trec(R, 2)->ttl, 302);
	assert_int_equal(trec(R, 3)->ttl, 77);
	assert_memory_equal(zrec_wire(R, trec(R, 2)), "\001b\007example", 11);
	assert_memory_equal(zrec_wire(R, trec(R, 3)), "\007example", 9);
	assert_memory_equal(zrec_wire(R, trec(R, 4)), "\001c\007example", 11);
	assert_memory_equal(trd(R, 1), "\xc0\x00\x02\x02", 4);

	/* quoted strings with blanks, ';', parentheses and escapes; \DDD */
	R = tread("example.", "t TXT \"a b;c(d)\" \"\\\"q\\\"\" \\034x\\059 (\"x\"\n\"y\")\n", err,
		  sizeof err);
	assert_non_null(R);
	assert_int_equal(trec(R, 0)->rdlen, 9 + 4 + 4 + 2 + 2);
	assert_memory_equal(trd(R, 0), "\010a b;c(d)\003\"q\"\003\"x;\001x\001y", 21);

	/* RFC 3597 for a known and an unknown type; a TYPEnnn of a known type */
	R = tread("example.", "x TYPE65000 \\# 3 abcdef\nx TYPE1 \\# 4 c0000201\nx TYPE1 192.0.2.1\n"
		  "x A \\# 4 c0 00 02 01\n", err, sizeof err);
	assert_non_null(R);
	assert_int_equal(trec(R, 0)->type, 65000);
	assert_memory_equal(trd(R, 0), "\xab\xcd\xef", 3);
	for (int i = 1; i < 4; i++) {
		assert_int_equal(trec(R, (size_t)i)->type, 1);
		assert_memory_equal(trd(R, (size_t)i), "\xc0\x00\x02\x01", 4);
	}

	/* escaped dots and bytes in names */
	R = tread("example.", "a\\.b\\000c A 192.0.2.1\n", err, sizeof err);
	assert_non_null(R);
	assert_memory_equal(zrec_wire(R, trec(R, 0)), "\005a.b\000c\007example\000", 15);

	/* names of 255 bytes, the longest there are, and of 256 */
	char text[1024], err2[1024];
	char l63[64];
	memset(l63, 'x', 63);
	l63[63] = 0;
	/* 4 labels of 63 + 1 of 1: 4 * 64 + 2 + 1 = 259: too long; 3 of 63 and
	 * one of 61: 3 * 64 + 62 + 1 = 255 */
	snprintf(text, sizeof text, "%s.%s.%s.%.61s. A 192.0.2.1\n%s.%s.%s.%.61s.y. A 192.0.2.1\n",
		 l63, l63, l63, l63, l63, l63, l63, l63);
	struct zread N;
	zread_init(&N, ".", err2, sizeof err2);
	assert_int_equal(zparse_text(&N, "long", text, strlen(text)), -2);
	assert_non_null(strstr(err2, "long:2: bad owner name"));
	assert_non_null(strstr(err2, "name longer than 255 bytes"));
	assert_int_equal(N.rrs.n, 1);
	assert_int_equal(dname_len(zrec_wire(&N, (const struct zrec *)N.rrs.p)), 255);
	zread_free(&N);
	snprintf(text, sizeof text, "%s.%s.%s.%.62s. A 192.0.2.1\n", l63, l63, l63, l63);
	zread_init(&N, ".", err2, sizeof err2);
	assert_int_equal(zparse_text(&N, "long", text, strlen(text)), -2);
	assert_non_null(strstr(err2, "name longer than 255 bytes"));
	zread_free(&N);
	snprintf(text, sizeof text, "%s.%s.%s.%.61s A 192.0.2.1\n", l63, l63, l63, l63);
	zread_init(&N, ".", err2, sizeof err2);
	assert_int_equal(zparse_text(&N, "long", text, strlen(text)), 0);	/* relative to "." */
	zread_free(&N);
	zread_init(&N, "example.", err2, sizeof err2);
	assert_int_equal(zparse_text(&N, "long", text, strlen(text)), -2);	/* + "example." */
	assert_non_null(strstr(err2, "name longer than 255 bytes"));
	zread_free(&N);

	/* zparse_reads_back(): for writers of zone files (zstore) */
	assert_int_equal(zparse_reads_back("x.example. 300 IN A 192.0.2.1", 1, 300,
					   (const uint8_t *)"\xc0\x00\x02\x01", 4), 1);
	assert_int_equal(zparse_reads_back("x.example. 300 IN A 192.0.2.2", 1, 300,
					   (const uint8_t *)"\xc0\x00\x02\x01", 4), 0);
	assert_int_equal(zparse_reads_back("x.example. 300 IN A 192.0.2.1", 1, 301,
					   (const uint8_t *)"\xc0\x00\x02\x01", 4), 0);
	/* ldns writes a name's leading '$' or '"' as it is: not a line here */
	assert_int_equal(zparse_reads_back("$x.example. 300 IN A 192.0.2.1", 1, 300,
					   (const uint8_t *)"\xc0\x00\x02\x01", 4), -1);
	assert_int_equal(zparse_reads_back("x.example. 300 IN CNAME \"y.example.", 5, 300,
					   (const uint8_t *)"\002\"y\007example", 11), -1);

	/* CRLF line ends, a file without a final newline */
	R = tread("example.", "a A 192.0.2.1\r\nb A 192.0.2.2", err, sizeof err);
	assert_non_null(R);
	assert_int_equal(R->rrs.n, 2);
	assert_int_equal(trec(R, 1)->line, 2);

	/* multi-line records: the line of their first token */
	R = tread("example.", "; c\n\na SOA ns h (\n 1 2 3\n 4 5 )\nb A 192.0.2.1\n", err, sizeof err);
	assert_non_null(R);
	assert_int_equal(trec(R, 0)->line, 3);
	assert_int_equal(trec(R, 1)->line, 6);
	zread_free(R);
}

/* $INCLUDE: relative to the including file, nested, with an origin;
 * the included file's $TTL and $ORIGIN do not leak back */
static void test_include(void **state)
{
	char err[1024];
	tdir_make();
	char d1[600], d2[600];
	snprintf(d1, sizeof d1, "%s/inc", tdir);
	snprintf(d2, sizeof d2, "%s/inc/deeper", tdir);
	mkdir(d1, 0700);
	mkdir(d2, 0700);
	char *f = strdup(tfile("top.zone", HEAD "$INCLUDE inc/a.zone\n$INCLUDE inc/b.zone b\nafter A 192.0.2.9\n"));
	tfile("inc/a.zone", "$TTL 5\n$ORIGIN a.example.\nx A 192.0.2.1\n$INCLUDE deeper/c.zone\n");
	tfile("inc/b.zone", "y A 192.0.2.2\n");
	tfile("inc/deeper/c.zone", "z A 192.0.2.3\n");
	struct zone *z = zone_load("example.", f, err, sizeof err);
	if (!z)
		fprintf(stderr, "%s\n", err);
	assert_non_null(z);
	assert_int_equal(z->nfiles, 4);
	static const char *const names[] = { "\001x\001a\007example", "\001y\001b\007example",
					     "\001z\001a\007example", "\005after\007example" };
	static const uint32_t ttls[] = { 5, 300, 5, 300 };
	for (int i = 0; i < 4; i++) {
		uint8_t key[DNAME_MAX];
		size_t kl = dname_key((const uint8_t *)names[i], key);
		int32_t n = zone_lookup(z, key, kl);
		assert_true(n >= 0);
		const struct zrrset *rs = zone_rrset(z, n, 1);
		assert_non_null(rs);
		const uint8_t *p = z->rdata + rs->off;
		assert_int_equal((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | p[2] << 8 | p[3], ttls[i]);
	}
	zone_unref(z);
	assert_int_equal(compare_readers("example.", f), 7);
	/* a quoted file name (ldns's reader does not take one) */
	free(f);
	f = strdup(tfile("top2.zone", HEAD "$INCLUDE \"inc/b.zone\" b\n"));
	z = zone_load("example.", f, err, sizeof err);
	assert_non_null(z);
	assert_int_equal(z->records, 4);
	zone_unref(z);

	/* nesting and file-count limits */
	char name[64], text[128];
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "n%d.zone", i);
		snprintf(text, sizeof text, "n%d A 192.0.2.1\n$INCLUDE n%d.zone\n", i, i + 1);
		tfile(name, text);
	}
	free(f);
	f = strdup(tfile("nest.zone", HEAD "$INCLUDE n0.zone\n"));
	z = zone_load("example.", f, err, sizeof err);
	assert_null(z);
	assert_non_null(strstr(err, "n7.zone:2: $INCLUDE nested more than 8 deep"));
	free(f);
	tfile("self.zone", "s A 192.0.2.1\n$INCLUDE self.zone\n");
	f = strdup(tfile("loop.zone", HEAD "$INCLUDE self.zone\n"));
	z = zone_load("example.", f, err, sizeof err);
	assert_null(z);
	assert_non_null(strstr(err, "nested more than"));
	free(f);
}

/* ---- errors: file:line: reason ---- */

static void expect_error(const char *text, const char *needle)
{
	char err[1024];
	char *f = strdup(tfile("bad.zone", text));
	struct zone *z = zone_load("example.", f, err, sizeof err);
	if (z || !strstr(err, needle))
		fprintf(stderr, "expected '%s', got '%s'\n", needle, z ? "(loaded)" : err);
	assert_null(z);
	assert_non_null(strstr(err, needle));
	assert_non_null(strstr(err, f));
	zone_unref(z);
	free(f);
}

static void test_errors(void **state)
{
	/* issue 11: junk loaded as a TYPE0 record */
	expect_error("garbage line\n", "bad.zone:1: unknown type 'line'");
	expect_error("garbage\n", "bad.zone:1: no type in the record");
	expect_error(HEAD "x TYPE0 \\# 0\n", "bad.zone:6: type TYPE0 cannot be in a zone");
	expect_error(HEAD "x TYPE255 \\# 0\n", "bad.zone:6: type TYPE255 cannot be in a zone");
	expect_error(HEAD "x ANY A 192.0.2.1\nx TSIG \\# 0\n", "bad.zone:7: type TSIG cannot be in a zone");
	expect_error(HEAD "x A 999.1.1.1\n", "bad.zone:6: bad IPv4 address '999.1.1.1'");
	expect_error(HEAD "x A 192.0.2.1 extra\n", "bad.zone:6: trailing text 'extra'");
	expect_error(HEAD "x MX 70000 mx\n", "bad.zone:6: bad number '70000'");
	expect_error(HEAD "x TXT \"open\n", "bad.zone:6: missing closing quote");
	expect_error(HEAD "x SOA ns h (1 2\n3 4 5\n", "bad.zone:6: '(' without ')'");
	expect_error(HEAD "x A 192.0.2.1 )\n", "bad.zone:6: ')' without '('");
	expect_error(HEAD "x NSEC y.example. A BOGUS\n", "bad.zone:6: unknown type 'BOGUS'");
	expect_error(HEAD "x DNSKEY 256 3 8 (\n AwEA!!\n)\n", "bad.zone:7: bad base64");
	expect_error(HEAD "x DS 1 8 2 abc\n", "bad.zone:6: hex data of a bad length");
	expect_error(HEAD "x TYPE65000 \\# 2 abcdef\n", "bad.zone:6: more \\# data than its length");
	expect_error(HEAD "x TYPE65000 \\# 4 abcd\n", "bad.zone:6: \\# data of 2 bytes");
	expect_error(HEAD "x TYPE65000 abcd\n", "bad.zone:6: TYPE65000 record not in the RFC 3597");
	expect_error(HEAD "x TXT a\\\n", "bad.zone:6: backslash at the end of a line");
	expect_error(HEAD "x\\4 A 192.0.2.1\n", "bad.zone:6: bad owner name 'x\\4': bad escape");
	expect_error(HEAD "x.." "example. A 192.0.2.1\n", "empty label");
	expect_error(HEAD "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx A 192.0.2.1\n",
		     "label longer than 63 bytes");
	expect_error(HEAD "x TXT \"" "0123456789012345678901234567890123456789012345678901234567890123456789"
		     "0123456789012345678901234567890123456789012345678901234567890123456789"
		     "0123456789012345678901234567890123456789012345678901234567890123456789"
		     "0123456789012345678901234567890123456789012345678901234567890123456789\"\n",
		     "bad.zone:6: string longer than 255 bytes");
	expect_error(HEAD "x RRSIG A 8 2 300 20300231000000 20200101000000 1 example. AAAA\n",
		     "bad.zone:6: bad time '20300231000000'");
	expect_error(HEAD "x SVCB 1 . alpn=h2 alpn=h3\n", "bad.zone:6: SVCB parameter 'alpn=h3' repeated");
	expect_error(HEAD "x SVCB 1 . port=x\n", "bad.zone:6: bad SVCB parameter 'port=x'");
	expect_error(HEAD "x 1y A 192.0.2.1\n", "bad.zone:6: bad TTL '1y'");
	expect_error(HEAD "x A\n", "bad.zone:6: missing record data");
	expect_error(HEAD "$TTL 1 2\n", "bad.zone:6: trailing text '2' after $TTL");
	expect_error(HEAD "$ORIGIN\n", "bad.zone:6: unknown or incomplete directive '$ORIGIN'");
	expect_error(HEAD "$GENERATE 1-2 x A 192.0.2.$\n", "bad.zone:6: unknown or incomplete directive");
	expect_error(HEAD "x A 192.0.2.1\n\001\002\n", "bad.zone:7: no type in the record");
	/* the messages test_zone.c expects */
	expect_error(HEAD "$INCLUDE nothere.zone\n", "bad.zone:6: $INCLUDE");
	expect_error(HEAD "$TTL x\n", "bad.zone:6: bad $TTL");
	expect_error(HEAD "$FOO\n", "bad.zone:6: unknown");
	/* a NUL byte */
	char text[256];
	snprintf(text, sizeof text, "%sx TXT \"aXb\"\n", HEAD);
	*strchr(text, 'X') = 0;
	char err[512];
	struct zread R;
	zread_init(&R, "example.", err, sizeof err);
	assert_int_equal(zparse_text(&R, "nul.zone", text, strlen(HEAD) + 13), -2);
	assert_non_null(strstr(err, "nul.zone:6: NUL byte"));
	zread_free(&R);
	/* $INCLUDE in text from memory */
	zread_init(&R, "example.", err, sizeof err);
	assert_int_equal(zparse_text(&R, "mem", "$INCLUDE /etc/passwd\n", 21), -2);
	assert_non_null(strstr(err, "mem:1: $INCLUDE is not allowed here"));
	zread_free(&R);
}

/* ---- files that are not zone files (issue 11: -n and reload hung) ---- */

static void expect_refused(const char *path, const char *needle)
{
	char err[1024];
	struct zone *z = zone_load("example.", path, err, sizeof err);
	if (z || !strstr(err, needle))
		fprintf(stderr, "expected '%s', got '%s'\n", needle, z ? "(loaded)" : err);
	assert_null(z);
	assert_non_null(strstr(err, needle));
}

static void test_not_regular(void **state)
{
	char fifo[600], big[600], link[600];
	tdir_make();
	snprintf(fifo, sizeof fifo, "%s/fifo.zone", tdir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* nobody writes to it: opening it to read would block for ever */
	expect_refused(fifo, "fifo.zone: not a regular file (a FIFO)");
	expect_refused("/dev/zero", "/dev/zero: not a regular file (a character device)");
	expect_refused(tdir, "not a regular file (a directory)");
	expect_refused("/nonexistent/raiz.zone", "/nonexistent/raiz.zone: No such file or directory");

	char *f = strdup(tfile("incfifo.zone", HEAD "$INCLUDE fifo.zone\n"));
	expect_refused(f, "incfifo.zone:6: $INCLUDE ");
	expect_refused(f, "fifo.zone: not a regular file (a FIFO)");
	free(f);
	f = strdup(tfile("inczero.zone", HEAD "$INCLUDE /dev/zero\n"));
	expect_refused(f, "inczero.zone:6: $INCLUDE /dev/zero: not a regular file (a character device)");
	free(f);

	/* larger than the bound: a sparse file, refused before any read */
	snprintf(big, sizeof big, "%s/big.zone", tdir);
	int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	if (ftruncate(fd, (off_t)ZREAD_MAX_BYTES + 1) == 0) {
		expect_refused(big, "big.zone: larger than");
	} else {
		fprintf(stderr, "(no sparse file of %llu bytes here: %s)\n",
			(unsigned long long)ZREAD_MAX_BYTES + 1, strerror(errno));
	}
	close(fd);
	unlink(big);

	/* a symbolic link to a regular zone file is fine */
	f = strdup(tfile("real.zone", HEAD));
	snprintf(link, sizeof link, "%s/link.zone", tdir);
	assert_int_equal(symlink(f, link), 0);
	char err[1024];
	struct zone *z = zone_load("example.", link, err, sizeof err);
	assert_non_null(z);
	zone_unref(z);
	free(f);
}

/* zread_sort(): the canonical order, whatever the order read (runs of
 * one owner, names in order with others among them, owners coming back) */
static uint32_t rs = 4242;
static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return rs;
}

static int zn3_qcmp(const void *a, const void *b)
{
	return memcmp(((const struct zn3 *)a)->hash, ((const struct zn3 *)b)->hash, NSEC3_HASH_LEN);
}

static void test_sort(void **state)
{
	char err[256];
	for (int round = 0; round < 40; round++) {
		struct zread R;
		zread_init(&R, "example.", err, sizeof err);
		size_t n = 1 + rnd() % 3000;
		unsigned names = 1 + rnd() % 500, mode = round % 4;
		for (size_t i = 0; i < n; i++) {
			/* mode 0: random; 1: names in order, runs of one owner;
			 * 2: as 1 with others among them; 3: as 2 with owners back */
			unsigned nm = mode == 0 ? rnd() % names : (unsigned)(i * names / n);
			if (mode >= 2 && rnd() % 4 == 0)
				nm = rnd() % names;
			if (mode == 3 && rnd() % 10 == 0 && nm > 0)
				nm -= 1;
			uint8_t w[64];
			/* odd rounds: names alike in their first 8 bytes */
			int l = snprintf((char *)w + 1, sizeof w - 1, round % 2 ? "Same-Start%05u%s" : "n%05u%s",
					 nm, nm % 7 ? "" : "X");
			w[0] = (uint8_t)l;
			memcpy(w + 1 + l, "\007example", 9);
			uint16_t type = (uint16_t)(1 + rnd() % 60);
			uint8_t rd[4] = { (uint8_t)(rnd() % 50), 0, (uint8_t)rnd(), (uint8_t)rnd() };
			assert_int_equal(zread_add_wire(&R, w, type, 300, rd, sizeof rd), 0);
		}
		zread_sort(&R);
		assert_int_equal(R.rrs.n, n);
		const struct zrec *r = R.rrs.p;
		uint8_t *seen = calloc(n, 1);
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				assert_true(zread_cmp(&R, &r[i - 1], &r[i]) < 0);
			assert_true(r[i].seq < n && !seen[r[i].seq]);
			seen[r[i].seq] = 1;
		}
		free(seen);
		zread_free(&R);
	}
}

/* zone_nsec3_cover(): the NSEC3 whose hash is the last <= the one asked
 * (wrapping to the last), on uniform hashes and on skewed ones */
static void test_nsec3_cover(void **state)
{
	for (int round = 0; round < 30; round++) {
		size_t n = 1 + rnd() % (round < 10 ? 8 : 5000);
		struct zn3 *a = calloc(n, sizeof *a);
		for (size_t i = 0; i < n; i++) {
			for (int b = 0; b < NSEC3_HASH_LEN; b++)
				a[i].hash[b] = (uint8_t)rnd();
			if (round % 3 == 1)	/* all in a narrow band */
				a[i].hash[0] = 0x7f, a[i].hash[1] = (uint8_t)(rnd() % 2);
			if (round % 3 == 2 && i % 2)	/* a cluster at the top */
				a[i].hash[0] = 0xff;
			a[i].node = (int32_t)i;
		}
		qsort(a, n, sizeof *a, zn3_qcmp);
		struct zone z;
		memset(&z, 0, sizeof z);
		z.nsec3 = a;
		z.nnsec3 = n;
		for (int q = 0; q < 2000; q++) {
			uint8_t h[NSEC3_HASH_LEN];
			if (q < (int)n && q % 2) {
				memcpy(h, a[q].hash, sizeof h);	/* a match */
			} else {
				for (int b = 0; b < NSEC3_HASH_LEN; b++)
					h[b] = (uint8_t)rnd();
				if (q % 5 == 0)
					h[0] = a[rnd() % n].hash[0];
				if (q == 2)
					memset(h, 0, sizeof h);
				if (q == 4)
					memset(h, 0xff, sizeof h);
			}
			int32_t want = (int32_t)n - 1;
			for (size_t i = 0; i < n; i++)
				if (memcmp(a[i].hash, h, sizeof h) <= 0)
					want = (int32_t)i;
			if (memcmp(a[0].hash, h, sizeof h) > 0)
				want = (int32_t)n - 1;
			assert_int_equal(zone_nsec3_cover(&z, h), want);
		}
		free(a);
	}
}

static int teardown(void **state)
{
	tdir_remove();
	return 0;
}

static int compare_main(int argc, char **argv)
{
	int bad = 0;
	for (int i = 2; i + 1 < argc; i += 2) {
		long n = compare_readers(argv[i], argv[i + 1]);
		if (n < 0)
			bad = 1;
		else
			printf("%s (%s): the same %ld records from both readers\n", argv[i + 1], argv[i], n);
	}
	return bad || argc < 4 || argc % 2 != 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--compare") == 0)
		return compare_main(argc, argv);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_every_type_signed),
		cmocka_unit_test(test_small_zones),
		cmocka_unit_test(test_zonegen),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_nsec3_cover),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
