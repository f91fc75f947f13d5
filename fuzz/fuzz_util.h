/*
 * fuzz_util — what the libFuzzer harnesses of fuzz/ share: the TSIG keys,
 * the zone example. at serial 1 (the copy a secondary holds, and what
 * fuzz/make_corpus.py gives Knot to capture the seed corpus from), a
 * configuration with a secondary zone (TSIG key, allow-notify,
 * allow-transfer) and a file zone, and the splitting of one fuzz input
 * into DNS messages (or other parts); the removal of a harness's scratch
 * directory at exit.  (Header only, included by the fuzz/fuzz_*.c files.)
 *
 * Inputs that hold several messages frame them like DNS over TCP: a 2-byte
 * length, then the message; a last length larger than what is left takes
 * the rest.
 */
#ifndef RAIZ_FUZZ_UTIL_H
#define RAIZ_FUZZ_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "dnsd/snapshot.h"
#include "dnsd/tsig.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the keys (make_corpus.py signs with the same) */
#define FUZZ_XFR_KEY "xfr-key"
#define FUZZ_XFR_SECRET "ZnV6ei14ZnIta2V5LXNlY3JldC0wMTIzNDU2Nzg5YWI="
#define FUZZ_QUERY_KEY "query-key"
#define FUZZ_QUERY_SECRET "ZnV6ei1xdWVyeS1rZXktc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWI="

/* example. at serial 1: make_corpus.py reads it from between the markers */
/* BEGIN ZONE V1 */
#define FUZZ_ZONE_V1 \
	"$ORIGIN example.\n" \
	"$TTL 3600\n" \
	"@ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 300\n" \
	"@ 3600 IN NS ns1\n" \
	"@ 3600 IN NS ns2\n" \
	"@ 3600 IN MX 10 mail\n" \
	"@ 3600 IN TXT \"v=spf1 -all\"\n" \
	"@ 3600 IN CAA 0 issue \"ca.example.net\"\n" \
	"ns1 3600 IN A 192.0.2.1\n" \
	"ns2 3600 IN AAAA 2001:db8::2\n" \
	"mail 3600 IN A 192.0.2.25\n" \
	"www 3600 IN A 192.0.2.80\n" \
	"www 3600 IN AAAA 2001:db8::80\n" \
	"alias 3600 IN CNAME www\n" \
	"*.wild 3600 IN TXT \"wildcard\"\n" \
	"_sip._tcp 3600 IN SRV 10 60 5060 sip\n" \
	"sip 3600 IN A 192.0.2.60\n" \
	"ptr 3600 IN PTR www\n" \
	"old 3600 IN DNAME example.net.\n" \
	"sub 86400 IN NS ns.sub\n" \
	"sub 3600 IN DS 4711 13 2 abababababababababababababababababababababababababababababababab\n" \
	"ns.sub 86400 IN A 198.51.100.53\n" \
	"h0 3600 IN A 192.0.2.100\n" \
	"h0 3600 IN AAAA 2001:db8::100\n" \
	"h0 300 IN TXT \"host 0\"\n" \
	"h1 3600 IN A 192.0.2.101\n" \
	"h2 3600 IN A 192.0.2.102\n" \
	"h3 3600 IN A 192.0.2.103\n" \
	"h3 3600 IN AAAA 2001:db8::103\n"
/* END ZONE V1 */

/* a file zone beside it */
#define FUZZ_FILE_ZONE \
	"$ORIGIN file.test.\n" \
	"$TTL 300\n" \
	"@ IN SOA ns hostmaster 7 3600 600 86400 60\n" \
	"@ IN NS ns\n" \
	"ns IN A 192.0.2.53\n" \
	"a IN A 192.0.2.1\n" \
	"b.a IN TXT \"below\"\n" \
	"deleg IN NS ns.deleg\n" \
	"ns.deleg IN A 192.0.2.54\n"

/* the peers a harness can pretend to be (by the low bits of a flags byte) */
enum { FUZZ_NPEERS = 4 };
static const char *const fuzz_peers[FUZZ_NPEERS] = {
	"127.0.0.1",	/* example.'s primary; in both allow-transfer */
	"127.0.0.9",	/* in example.'s allow-notify */
	"192.0.2.99",	/* a stranger to example. (file.test. allow-transfer,
			 * unsigned.test. allow-notify) */
	"::1",		/* in example.'s allow-notify and allow-transfer */
};

static inline socklen_t fuzz_peer(unsigned i, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	const char *a = fuzz_peers[i % FUZZ_NPEERS];
	if (strchr(a, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(40000);
		inet_pton(AF_INET6, a, &s6->sin6_addr);
		return sizeof *s6;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(40000);
	inet_pton(AF_INET, a, &s4->sin_addr);
	return sizeof *s4;
}

/* write text to a new file in dir (a mkdtemp() directory); its path, or NULL */
static inline char *fuzz_write(const char *dir, const char *name, const char *text)
{
	char *path = malloc(strlen(dir) + strlen(name) + 2);
	if (!path)
		return NULL;
	sprintf(path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		free(path);
		return NULL;
	}
	return path;
}

/* the configuration: example. a secondary with the TSIG key, file.test.
 * from zone_file; NULL with the reason on stderr */
static inline struct raiz_config *fuzz_config(const char *zone_file)
{
	char json[2048], err[512];
	snprintf(json, sizeof json,
		 "{\n"
		 "\"node\": { \"identity\": \"fuzz1\" },\n"
		 "\"dnsd\": { \"listen\": [\"127.0.0.1@5353\"], \"version\": \"raiz-fuzz\" },\n"
		 "\"tsig-keys\": [ { \"name\": \"" FUZZ_XFR_KEY "\", \"secret\": \"" FUZZ_XFR_SECRET "\" },\n"
		 "  { \"name\": \"" FUZZ_QUERY_KEY "\", \"algorithm\": \"hmac-sha512\",\n"
		 "    \"secret\": \"" FUZZ_QUERY_SECRET "\" } ],\n"
		 "\"zones\": [\n"
		 "  { \"name\": \"example\", \"primaries\": [\"127.0.0.1@5300\"], \"tsig-key\": \"" FUZZ_XFR_KEY "\",\n"
		 "    \"allow-notify\": [\"127.0.0.9\", \"::1\"], \"allow-transfer\": [\"127.0.0.1\", \"::1\"] },\n"
		 "  { \"name\": \"unsigned.test\", \"primaries\": [\"127.0.0.1\"], \"allow-notify\": [\"192.0.2.99\"] },\n"
		 "  { \"name\": \"file.test\", \"file\": \"%s\", \"allow-transfer\": [\"127.0.0.1\", \"192.0.2.99\"] }\n"
		 "] }\n", zone_file);
	struct raiz_config *cfg = NULL;
	if (config_load_string("fuzz.json", json, &cfg, err, sizeof err) < 0)
		fprintf(stderr, "fuzz: configuration: %s\n", err);
	return cfg;
}

/* a configured key made ready (tsig.h); exits on failure */
static inline void fuzz_key(struct tsig_key *k, const char *name, const char *alg, const char *secret)
{
	struct cfg_tsig c = { .name = (char *)name, .algorithm = (char *)alg, .secret = (char *)secret };
	char err[200];
	if (tsig_key_init(k, &c, err, sizeof err) < 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		exit(2);
	}
}

/* sign msg (len bytes, room for cap) as a later signed message of a
 * stream, after the prior MAC and the unsigned messages u[0..nu-1] that
 * its MAC covers too (RFC 8945 section 5.3.1); the new length, 0 when it
 * cannot.  tsig_sign() signs one message: over the concatenation of the
 * unsigned ones and msg it computes that MAC, since it rewrites the ID and
 * ARCOUNT of the first 12 bytes with their own values; the TSIG it
 * appends is moved to msg with msg's ID as the original ID. */
static inline size_t fuzz_sign_after(const struct tsig_key *k, uint8_t *const *u,
				     const size_t *ulen, size_t nu, uint8_t *msg, size_t len,
				     size_t cap, const uint8_t *prev_mac, size_t prev_len, time_t now,
				     uint8_t *mac_out, size_t *mac_len)
{
	size_t total = len;
	for (size_t i = 0; i < nu; i++)
		total += ulen[i];
	if (len < 12 || (msg[10] << 8 | msg[11]) == 0xffff)
		return 0;
	uint8_t *b = malloc(total + 512);
	if (!b)
		return 0;
	size_t at = 0;
	for (size_t i = 0; i < nu; i++) {
		memcpy(b + at, u[i], ulen[i]);
		at += ulen[i];
	}
	memcpy(b + at, msg, len);
	size_t n = tsig_sign(k, b, total, total + 512, prev_mac, prev_len, true, now, mac_out,
			     mac_len);
	size_t rr = n ? n - total : 0;
	if (!n || len + rr > cap) {
		free(b);
		return 0;
	}
	memcpy(msg + len, b + total, rr);
	free(b);
	/* the TSIG rdata ends with original ID, error, other length (0) */
	msg[len + rr - 6] = msg[0];
	msg[len + rr - 5] = msg[1];
	uint16_t ar = (uint16_t)((msg[10] << 8 | msg[11]) + 1);
	msg[10] = (uint8_t)(ar >> 8);
	msg[11] = (uint8_t)ar;
	return len + rr;
}

/* logging off unless FUZZ_LOG names a level ("debug") */
static inline void fuzz_log(void)
{
	const char *l = getenv("FUZZ_LOG");
	int lvl = l ? log_level_parse(l) : -1;
	log_init("fuzz", false, lvl >= 0 ? lvl : LOG_LVL_ERR - 1);
}

/* the next framed message of the input; false at the end */
static inline bool fuzz_next(const uint8_t **p, size_t *n, const uint8_t **msg, size_t *len)
{
	if (*n < 2)
		return false;
	size_t l = (size_t)(*p)[0] << 8 | (*p)[1];
	*p += 2;
	*n -= 2;
	if (l > *n)
		l = *n;
	*msg = *p;
	*len = l;
	*p += l;
	*n -= l;
	return true;
}

/* the snapshot both request harnesses answer from: fuzz_config()'s zones,
 * with the secondary example. holding FUZZ_ZONE_V1 as a transfer would have
 * published it; exits on a set-up failure (`who` names the harness) */
static inline struct snapshot *fuzz_snapshot(const char *who)
{
	char dir[] = "/tmp/raiz-fuzz-XXXXXX", err[512];
	if (!mkdtemp(dir))
		exit(2);
	char *file = fuzz_write(dir, "file.test.zone", FUZZ_FILE_ZONE);
	char *copy = fuzz_write(dir, "example.zone", FUZZ_ZONE_V1);
	if (!file || !copy)
		exit(2);
	struct raiz_config *cfg = fuzz_config(file);
	struct zoneset *zs = cfg ? zoneset_build(cfg, NULL) : NULL;
	struct zone *z = zone_load("example.", copy, err, sizeof err);
	unlink(file);
	unlink(copy);
	rmdir(dir);
	free(file);
	free(copy);
	int k = zs ? zoneset_index(zs, "example.") : -1;
	if (!z || k < 0) {
		fprintf(stderr, "%s: %s\n", who, z ? "no zone example." : err);
		exit(2);
	}
	struct zoneset *zs2 = zoneset_with(zs, (size_t)k, z, false, NULL);
	zoneset_free(zs);
	struct snapshot *snap = snapshot_new(cfg, true, zs2, NULL);
	if (!snap)
		exit(2);
	return snap;
}

/* removing a harness's scratch directory (at exit, see fuzz_rmtree_at_exit) */
static inline int fuzz_rm_one(const char *path, const struct stat *st, int flag,
			      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static char fuzz_scratch[256];

static inline void fuzz_rmtree_now(void)
{
	if (fuzz_scratch[0])
		nftw(fuzz_scratch, fuzz_rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* dir (a mkdtemp() directory of the harness) is removed when the process
 * exits normally (the end of -max_total_time or -runs) */
static inline void fuzz_rmtree_at_exit(const char *dir)
{
	snprintf(fuzz_scratch, sizeof fuzz_scratch, "%s", dir);
	atexit(fuzz_rmtree_now);
}

#endif
