/*
 * test_engine_util — helpers shared by the answering engine's unit tests:
 * write zones to a temporary directory, build a zone set from them, send a
 * query through query_process() and parse the reply with ldns.
 * (Header only, included by the dnsd/test_*.c files that need it.)
 */
#ifndef RAIZ_DNSD_TEST_ENGINE_UTIL_H
#define RAIZ_DNSD_TEST_ENGINE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "common/config.h"
#include "dnsd/query.h"
#include "dnsd/zoneset.h"

struct tzone {
	const char *name;
	const char *text;
};

static char tdir[256];

static inline void tdir_make(void)
{
	if (tdir[0])
		return;
	snprintf(tdir, sizeof tdir, "/tmp/raiz-engine-XXXXXX");
	if (!mkdtemp(tdir))
		abort();
}

static inline void tdir_remove(void)
{
	char cmd[512];
	if (!tdir[0])
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tdir);
	tdir[0] = 0;
}

static inline char *tfile(const char *fname, const char *text)
{
	static char path[1024];
	tdir_make();
	snprintf(path, sizeof path, "%s/%s", tdir, fname);
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

/* a config with the given zones (file = path, already written) */
static inline struct raiz_config *tcfg(size_t n, const char **names, const char **files)
{
	struct raiz_config *cfg = calloc(1, sizeof *cfg);
	cfg->zones = calloc(n, sizeof *cfg->zones);
	cfg->nzones = n;
	for (size_t i = 0; i < n; i++) {
		cfg->zones[i].name = strdup(names[i]);
		cfg->zones[i].file = strdup(files[i]);
	}
	return cfg;
}

static inline void tcfg_free(struct raiz_config *cfg)
{
	for (size_t i = 0; i < cfg->nzones; i++) {
		free(cfg->zones[i].name);
		free(cfg->zones[i].file);
	}
	free(cfg->zones);
	free(cfg);
}

/* build a zone set from one zone given as text */
static inline struct zoneset *tzs1(const char *name, const char *text)
{
	char fname[300];
	snprintf(fname, sizeof fname, "%szone", name);
	char *p = strdup(tfile(fname, text));
	const char *names[1] = { name };
	const char *files[1] = { p };
	struct raiz_config *cfg = tcfg(1, names, files);
	struct zoneset *zs = zoneset_build(cfg, NULL);
	tcfg_free(cfg);
	free(p);
	return zs;
}

static struct query_opts topts = {
	.nsid = (const uint8_t *)"node1",
	.nsid_len = 5,
	.identity = "node1.example",
	.version = NULL,
	.edns_size = 1232,
};

/* query flags */
enum { TQ_DO = 1, TQ_TCP = 2, TQ_NOEDNS = 4, TQ_NSID = 8 };

static uint8_t tout[65535];
static size_t toutlen;

static inline ldns_pkt *tquery_raw(struct zoneset *zs, const uint8_t *wire, size_t len, int flags)
{
	toutlen = query_process(zs, &topts, wire, len, tout, sizeof tout,
				(flags & TQ_TCP) ? QUERY_TCP : QUERY_UDP, NULL);
	if (toutlen == 0)
		return NULL;
	ldns_pkt *p = NULL;
	if (ldns_wire2pkt(&p, tout, toutlen) != LDNS_STATUS_OK)
		return NULL;
	return p;
}

/* a query for name in wire format (free() it) */
static inline uint8_t *twire(const char *name, ldns_rr_type type, int flags, uint16_t bufsize, size_t *len)
{
	ldns_rdf *dn = ldns_dname_new_frm_str(name);
	ldns_pkt *q = ldns_pkt_query_new(dn, type, LDNS_RR_CLASS_IN, LDNS_RD);
	ldns_pkt_set_id(q, 4242);
	if (!(flags & TQ_NOEDNS)) {
		ldns_pkt_set_edns_udp_size(q, bufsize ? bufsize : 1232);
		ldns_pkt_set_edns_do(q, (flags & TQ_DO) != 0);
		if (flags & TQ_NSID) {
			ldns_edns_option_list *l = ldns_edns_option_list_new();
			ldns_edns_option_list_push(l, ldns_edns_new_from_data(LDNS_EDNS_NSID, 0, NULL));
			ldns_pkt_set_edns_option_list(q, l);
		}
	}
	uint8_t *wire = NULL;
	*len = 0;
	if (ldns_pkt2wire(&wire, q, len) != LDNS_STATUS_OK)
		abort();
	ldns_pkt_free(q);
	return wire;
}

static inline ldns_pkt *tquery(struct zoneset *zs, const char *name, ldns_rr_type type, int flags,
			uint16_t bufsize)
{
	size_t len;
	uint8_t *wire = twire(name, type, flags, bufsize, &len);
	ldns_pkt *r = tquery_raw(zs, wire, len, flags);
	free(wire);
	return r;
}

/* query_warm() of one query for name, into *pf */
static inline void twarm(struct zoneset *zs, const char *name, ldns_rr_type type, int flags, struct zone_pf *pf)
{
	size_t len;
	const uint8_t *wire = twire(name, type, flags, 0, &len);
	query_warm(zs, pf, &wire, &len, 1);
	free((void *)wire);
}

/* number of RRs of `type` owned by `owner` (NULL = any) in a section */
static inline int tcount(const ldns_pkt *p, ldns_pkt_section s, const char *owner, ldns_rr_type type)
{
	ldns_rr_list *l = s == LDNS_SECTION_ANSWER ? ldns_pkt_answer(p) :
			  s == LDNS_SECTION_AUTHORITY ? ldns_pkt_authority(p) : ldns_pkt_additional(p);
	ldns_rdf *o = owner ? ldns_dname_new_frm_str(owner) : NULL;
	int n = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		if (ldns_rr_get_type(rr) != type)
			continue;
		if (o && ldns_dname_compare(ldns_rr_owner(rr), o) != 0)
			continue;
		n++;
	}
	if (o)
		ldns_rdf_deep_free(o);
	return n;
}

static inline void tprint(const ldns_pkt *p)
{
	if (getenv("TEST_VERBOSE"))
		ldns_pkt_print(stderr, p);
}

/* a socket address from "192.0.2.1" or "2001:db8::1" (port 0) */
static inline struct sockaddr_storage taddr(const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, text, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, text, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
	} else {
		fprintf(stderr, "taddr: not an address: %s\n", text);
		abort();
	}
	return ss;
}

/* 127.0.0.1, port 0 (the kernel picks one), as a listen address */
static inline struct cfg_addr tloopback4(void)
{
	struct cfg_addr a = { .family = AF_INET, .len = sizeof(struct sockaddr_in) };
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	strcpy(a.text, "127.0.0.1@0");
	return a;
}

/* the cmocka group setup() and teardown() of a test file answering from
 * one zone, example., given as text, in its `static struct zoneset *zs` */
#define TZS_GROUP(text)								\
	static int setup(void **state)						\
	{									\
		(void)state;							\
		zs = tzs1("example.", text);					\
		struct zoneset_info zi;						\
		zoneset_info(zs, 0, &zi);					\
		return zi.loaded ? 0 : -1;					\
	}									\
	static int teardown(void **state)					\
	{									\
		(void)state;							\
		zoneset_free(zs);						\
		tdir_remove();							\
		return 0;							\
	}

#endif
