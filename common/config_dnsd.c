/* config_dnsd — the "dnsd", "zones" and "tsig-keys" sections; see
 * config_dnsd.h and raiz.json(5). */
#include "common/config.h"
#include "common/cfgutil.h"
#include "common/json.h"
#include "common/sandbox.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ldns/ldns.h>

static const char *const dnsd_keys[] = {
	"listen", "nsid", "identity", "version", "edns-buffer-size",
	"tcp-max-connections", "tcp-idle-timeout", "tcp-max-queries", "workers",
	"control-socket", "pidfile", "user", "seccomp", "rate-limit", "cookies", "cookie-secret",
	"cookie-secret-file", "probe-gate", NULL,
};
static const char *const zone_keys[] = {
	"name", "file", "primaries", "tsig-key", "transfer-source", "refresh-min",
	"refresh-max", "retry-min", "retry-max", "expire-min", "expire-max", "allow-notify",
	"allow-transfer", "zonemd", "trust-anchors", "max-lag", "catalog", "service-ns", NULL,
};
/* a catalog's member templates ("member-defaults", each group) */
static const char *const template_keys[] = {
	"primaries", "tsig-key", "transfer-source", "refresh-min", "refresh-max", "retry-min",
	"retry-max", "expire-min", "expire-max", "allow-notify", "allow-transfer", "zonemd",
	"max-lag", NULL,
};
static const char *const catalog_keys[] = { "member-defaults", "groups", NULL };
/* keys only a secondary zone may have */
static const char *const secondary_only[] = {
	"tsig-key", "transfer-source", "refresh-min", "refresh-max", "retry-min", "retry-max",
	"expire-min", "expire-max", "allow-notify", "zonemd", "trust-anchors", "max-lag", "catalog",
	NULL,
};
static const char *const zonemd_modes[] = { "verify", "require", "ignore", NULL };
static const char *const tsig_keys[] = { "name", "algorithm", "secret", "secret-file", NULL };
static const char *const tsig_algorithms[] = {
	"hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha1", NULL,
};

static char *dnsd_run_path(const struct raiz_config *cfg, const char *file)
{
	size_t n = strlen(cfg->node.run_dir) + strlen(file) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", cfg->node.run_dir, file);
	return p;
}

static int dnsd_parse_listen(struct cfg_ctx *c, json_object *d, struct cfg_dnsd *dn)
{
	json_object *arr;
	if (cfg_get_array(c, d, "listen", true, &arr) < 0)
		return -1;
	size_t n = json_object_array_length(arr);
	if (n == 0)
		return cfg_fail(c, arr, "\"listen\" needs at least one address");
	dn->listen = calloc(n, sizeof *dn->listen);
	if (!dn->listen)
		return cfg_fail(c, arr, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		if (cfg_parse_addr(c, v ? v : arr, 53, &dn->listen[i]) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(dn->listen[j].text, dn->listen[i].text) == 0)
				return cfg_fail(c, v, "listen address %s given twice",
						dn->listen[i].text);
		dn->nlisten = i + 1;
	}
	return 0;
}

/* "192.0.2.0/24", "2001:db8::/32" or a bare address (all bits) */
static int dnsd_parse_prefix(struct cfg_ctx *c, json_object *v, struct cfg_netblock *p)
{
	if (!json_object_is_type(v, json_type_string))
		return cfg_fail(c, v, "\"exempt\": a prefix must be a string such as "
				"\"192.0.2.0/24\", not %s", v ? json_type_to_name(json_object_get_type(v))
							   : "null");
	const char *text = json_object_get_string(v);
	char a[64];
	const char *slash = strchr(text, '/');
	size_t al = slash ? (size_t)(slash - text) : strlen(text);
	if (al >= sizeof a)
		return cfg_fail(c, v, "\"exempt\": \"%s\" is not a prefix", text);
	memcpy(a, text, al);
	a[al] = 0;
	memset(p, 0, sizeof *p);
	if (inet_pton(AF_INET, a, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, a, p->addr) == 1)
		p->family = AF_INET6;
	else
		return cfg_fail(c, v, "\"exempt\": \"%s\" is not an IPv4 or IPv6 prefix", text);
	unsigned max = p->family == AF_INET ? 32 : 128;
	p->len = max;
	if (slash) {
		char *end;
		errno = 0;
		unsigned long l = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || errno || l > max)
			return cfg_fail(c, v, "\"exempt\": \"%s\": the length must be 0 to %u", text,
					max);
		p->len = (unsigned)l;
	}
	for (unsigned bit = p->len; bit < max; bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return cfg_fail(c, v, "\"exempt\": \"%s\" has bits set beyond /%u", text,
					p->len);
	snprintf(p->text, sizeof p->text, "%s/%u", a, p->len);
	return 0;
}

static const char *const rrl_keys[] = {
	"responses-per-second", "slip", "window", "ipv4-prefix-length", "ipv6-prefix-length",
	"exempt", "table-size", NULL,
};

static int dnsd_parse_rrl(struct cfg_ctx *c, json_object *d, struct cfg_rrl *r)
{
	json_object *o = NULL, *arr = NULL;
	if (cfg_get_object(c, d, "rate-limit", false, &o) < 0)
		return -1;
	if (o && cfg_check_keys(c, o, "\"rate-limit\"", rrl_keys) < 0)
		return -1;
	/* an absent object: every default (o NULL gives the defaults) */
	cfg_get_uint(c, o, "responses-per-second", false, 0, 100000, 200, &r->rate);
	cfg_get_uint(c, o, "slip", false, 0, 100, 2, &r->slip);
	cfg_get_uint(c, o, "window", false, 1, 15, 1, &r->window);
	cfg_get_uint(c, o, "ipv4-prefix-length", false, 8, 32, 24, &r->ipv4_prefix);
	cfg_get_uint(c, o, "ipv6-prefix-length", false, 16, 128, 56, &r->ipv6_prefix);
	cfg_get_uint(c, o, "table-size", false, 1024, 1u << 24, 1u << 18, &r->table_size);
	if (c->failed || cfg_get_array(c, o, "exempt", false, &arr) < 0)
		return -1;
	static const char *const def[] = { "127.0.0.0/8", "::1/128" };
	size_t n = arr ? json_object_array_length(arr) : 2;
	r->exempt = calloc(n ? n : 1, sizeof *r->exempt);
	if (!r->exempt)
		return cfg_fail(c, o, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (!arr) {
			json_object *v = json_object_new_string(def[i]);
			int rc = v ? dnsd_parse_prefix(c, v, &r->exempt[i]) : -1;
			json_object_put(v);
			if (rc < 0)
				return c->failed ? -1 : cfg_fail(c, d, "out of memory");
		} else if (dnsd_parse_prefix(c, json_object_array_get_idx(arr, i), &r->exempt[i]) < 0) {
			return -1;
		}
		r->nexempt = i + 1;
	}
	return 0;
}

static int dnsd_hex_secret(const char *s, uint8_t *out)
{
	size_t n = strlen(s);
	if (n != 2 * CFG_COOKIE_SECRET_LEN)
		return -1;
	for (size_t i = 0; i < CFG_COOKIE_SECRET_LEN; i++) {
		unsigned v;
		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* "cookies", "cookie-secret" (32 hex digits) or "cookie-secret-file" (a
 * file holding them, not readable by others); random when neither */
static int dnsd_parse_cookie(struct cfg_ctx *c, json_object *d, struct cfg_dnsd *dn)
{
	char *hex = NULL, *path = NULL;
	json_object *at = cfg_member(d, "cookie-secret");
	cfg_get_bool(c, d, "cookies", false, true, &dn->cookies);
	if (cfg_get_string(c, d, "cookie-secret", false, NULL, &hex) < 0 ||
	    cfg_get_path(c, d, "cookie-secret-file", false, NULL, &path) < 0) {
		free(hex);
		return -1;
	}
	int rc = 0;
	char buf[256];
	if (hex && path) {
		rc = cfg_fail(c, cfg_member(d, "cookie-secret-file"),
			      "give \"cookie-secret\" or \"cookie-secret-file\", not both");
	} else if (path) {
		at = cfg_member(d, "cookie-secret-file");
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		struct stat st;
		ssize_t n = -1;
		if (fd < 0)
			rc = cfg_fail(c, at, "cookie-secret-file %s: %s", path, strerror(errno));
		else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			rc = cfg_fail(c, at, "cookie-secret-file %s is not a regular file", path);
		else if (st.st_mode & S_IROTH)
			rc = cfg_fail(c, at, "cookie-secret-file %s is readable by everyone; make it "
				      "0640 root:raiz (or 0600)", path);
		else if ((n = read(fd, buf, sizeof buf - 1)) < 0)
			rc = cfg_fail(c, at, "cookie-secret-file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		if (rc == 0) {
			buf[n] = 0;
			char *b = buf + strspn(buf, " \t\r\n");
			b[strcspn(b, " \t\r\n")] = 0;
			if (dnsd_hex_secret(b, dn->cookie_secret) < 0)
				rc = cfg_fail(c, at, "cookie-secret-file %s must hold 32 hex digits "
					      "(16 bytes)", path);
		}
		explicit_bzero(buf, sizeof buf);
	} else if (hex) {
		if (dnsd_hex_secret(hex, dn->cookie_secret) < 0)
			rc = cfg_fail(c, at, "\"cookie-secret\" must be 32 hex digits (16 bytes)");
		explicit_bzero(hex, strlen(hex));
	} else {
		dn->cookie_secret_random = true;
		if (getrandom(dn->cookie_secret, sizeof dn->cookie_secret, 0) !=
		    (ssize_t)sizeof dn->cookie_secret)
			rc = cfg_fail(c, d, "no random cookie secret: %s", strerror(errno));
	}
	free(hex);
	free(path);
	return rc;
}

static int dnsd_parse_server(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg)
{
	struct cfg_dnsd *dn = &cfg->dnsd;
	json_object *d;
	uint64_t idle;
	if (cfg_get_object(c, root, "dnsd", true, &d) < 0 ||
	    cfg_check_keys(c, d, "\"dnsd\"", dnsd_keys) < 0 ||
	    dnsd_parse_listen(c, d, dn) < 0)
		return -1;
	/* these three may be null: no NSID, id.server and version.bind REFUSED */
	if (!cfg_is_null(d, "nsid"))
		cfg_get_string(c, d, "nsid", false, cfg->node.identity, &dn->nsid);
	if (!cfg_is_null(d, "identity"))
		cfg_get_string(c, d, "identity", false, cfg->node.identity, &dn->identity);
	if (!cfg_is_null(d, "version"))
		cfg_get_string(c, d, "version", false, NULL, &dn->version);
	if (!c->failed && dn->nsid && strlen(dn->nsid) > 255)
		cfg_fail(c, cfg_member(d, "nsid"), "\"nsid\" must be at most 255 characters");
	if (!c->failed && dn->identity && strlen(dn->identity) > 255)
		cfg_fail(c, cfg_member(d, "identity"), "\"identity\" must be at most 255 characters");
	if (!c->failed && dn->version && strlen(dn->version) > 255)
		cfg_fail(c, cfg_member(d, "version"), "\"version\" must be at most 255 characters");
	cfg_get_uint(c, d, "edns-buffer-size", false, 512, 4096, 1232, &dn->edns_buffer_size);
	cfg_get_uint(c, d, "tcp-max-connections", false, 1, 65536, 250, &dn->tcp_max_connections);
	cfg_get_duration(c, d, "tcp-idle-timeout", false, 100, 3600000, 10000, &idle);
	dn->tcp_idle_timeout_ms = (unsigned)idle;
	cfg_get_uint(c, d, "tcp-max-queries", false, 0, 1000000, 0, &dn->tcp_max_queries);
	cfg_get_uint(c, d, "workers", false, 1, 64, 1, &dn->workers);
	cfg_get_path(c, d, "control-socket", false, NULL, &dn->control_socket);
	cfg_get_path(c, d, "pidfile", false, NULL, &dn->pidfile);
	cfg_get_string(c, d, "user", false, "raiz", &dn->user);
	dn->user_line = json_member_line(d, "user");
	static const char *const seccomp_modes[] = SANDBOX_MODES;
	cfg_get_enum(c, d, "seccomp", false, seccomp_modes, SANDBOX_SECCOMP_AUTO, &dn->seccomp);
	cfg_get_bool(c, d, "probe-gate", false, true, &dn->probe_gate);
	if (c->failed || dnsd_parse_rrl(c, d, &dn->rrl) < 0 || dnsd_parse_cookie(c, d, dn) < 0)
		return -1;
	if (!dn->control_socket)
		dn->control_socket = dnsd_run_path(cfg, "dnsd.sock");
	if (!dn->pidfile)
		dn->pidfile = dnsd_run_path(cfg, "dnsd.pid");
	if (!dn->control_socket || !dn->pidfile)
		return cfg_fail(c, d, "out of memory");
	return 0;
}

/* names compare case-insensitively, with or without the final dot */
static int dnsd_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 1 && a[la - 1] == '.')
		la--;
	if (lb > 1 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* an optional array of addresses (port default 53) */
static int dnsd_parse_addrs(struct cfg_ctx *c, json_object *obj, const char *key,
			    struct cfg_addr **out, size_t *nout)
{
	json_object *arr;
	*out = NULL;
	*nout = 0;
	if (cfg_get_array(c, obj, key, false, &arr) < 0 || !arr)
		return c->failed ? -1 : 0;
	size_t n = json_object_array_length(arr);
	if (n == 0)
		return cfg_fail(c, arr, "\"%s\" needs at least one address", key);
	*out = calloc(n, sizeof **out);
	if (!*out)
		return cfg_fail(c, arr, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		if (cfg_parse_addr(c, v ? v : arr, 53, &(*out)[i]) < 0)
			return -1;
		*nout = i + 1;
		for (size_t j = 0; j < i; j++)
			if (strcmp((*out)[j].text, (*out)[i].text) == 0)
				return cfg_fail(c, v, "%s: address %s given twice", key, (*out)[i].text);
	}
	return 0;
}

/* a trust anchor: a DS or DNSKEY record owned by the zone's apex */
static int dnsd_anchor_check(struct cfg_ctx *c, json_object *at, const char *zname, const char *text)
{
	ldns_rr *rr = NULL;
	ldns_rdf *origin = NULL;
	if (ldns_str2rdf_dname(&origin, zname) != LDNS_STATUS_OK)
		return cfg_fail(c, at, "zone %s: bad zone name", zname);
	ldns_status st = ldns_rr_new_frm_str(&rr, text, 3600, origin, NULL);
	int rc = 0;
	if (st != LDNS_STATUS_OK)
		rc = cfg_fail(c, at, "zone %s: trust anchor \"%s\" does not parse: %s", zname, text,
			      ldns_get_errorstr_by_id(st));
	else if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DS && ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNSKEY)
		rc = cfg_fail(c, at, "zone %s: a trust anchor must be a DS or DNSKEY record", zname);
	else if (ldns_dname_compare(ldns_rr_owner(rr), origin) != 0)
		rc = cfg_fail(c, at, "zone %s: the trust anchor is not for the zone's apex", zname);
	ldns_rr_free(rr);
	ldns_rdf_deep_free(origin);
	return rc;
}

/* a duration in whole seconds */
static int dnsd_get_secs(struct cfg_ctx *c, json_object *z, const char *key, unsigned min,
			 unsigned max, unsigned def, unsigned *out)
{
	uint64_t ms;
	if (cfg_get_duration(c, z, key, false, (uint64_t)min * 1000, (uint64_t)max * 1000,
			     (uint64_t)def * 1000, &ms) < 0)
		return -1;
	*out = (unsigned)(ms / 1000);
	return 0;
}

static int dnsd_parse_secondary(struct cfg_ctx *c, json_object *z, struct cfg_zone *zc)
{
	const unsigned day = 86400, year = 365 * 86400;
	bool has_src;
	struct cfg_addr src;
	json_object *arr;

	cfg_get_dname(c, z, "tsig-key", false, NULL, &zc->tsig_key);
	if (cfg_get_addr(c, z, "transfer-source", false, 0, &src, &has_src) < 0)
		return -1;
	if (has_src) {
		zc->source = malloc(sizeof *zc->source);
		if (!zc->source)
			return cfg_fail(c, z, "out of memory");
		*zc->source = src;
	}
	/* the defaults clamp what a primary's SOA may ask for (like Knot) */
	dnsd_get_secs(c, z, "refresh-min", 1, year, 2, &zc->refresh_min);
	dnsd_get_secs(c, z, "refresh-max", 1, year, day, &zc->refresh_max);
	dnsd_get_secs(c, z, "retry-min", 1, year, 2, &zc->retry_min);
	dnsd_get_secs(c, z, "retry-max", 1, year, day, &zc->retry_max);
	dnsd_get_secs(c, z, "expire-min", 3, 10 * year, 3, &zc->expire_min);
	dnsd_get_secs(c, z, "expire-max", 3, 10 * year, 10 * year, &zc->expire_max);
	dnsd_get_secs(c, z, "max-lag", 0, year, 0, &zc->max_lag);
	cfg_get_enum(c, z, "zonemd", false, zonemd_modes, CFG_ZONEMD_VERIFY, &zc->zonemd);
	if (c->failed)
		return -1;
	if (zc->refresh_min > zc->refresh_max)
		return cfg_fail(c, z, "zone %s: refresh-min is above refresh-max", zc->name);
	if (zc->retry_min > zc->retry_max)
		return cfg_fail(c, z, "zone %s: retry-min is above retry-max", zc->name);
	if (zc->expire_min > zc->expire_max)
		return cfg_fail(c, z, "zone %s: expire-min is above expire-max", zc->name);
	if (dnsd_parse_addrs(c, z, "allow-notify", &zc->allow_notify, &zc->nallow_notify) < 0 ||
	    cfg_get_array(c, z, "trust-anchors", false, &arr) < 0)
		return -1;
	size_t n = arr ? json_object_array_length(arr) : 0;
	if (arr && n == 0)
		return cfg_fail(c, arr, "zone %s: \"trust-anchors\" is empty", zc->name);
	zc->trust_anchors = calloc(n ? n : 1, sizeof *zc->trust_anchors);
	if (!zc->trust_anchors)
		return cfg_fail(c, z, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		if (!v || !json_object_is_type(v, json_type_string))
			return cfg_fail(c, v ? v : arr, "zone %s: a trust anchor must be a string "
					"holding a DS or DNSKEY record", zc->name);
		zc->trust_anchors[i] = strdup(json_object_get_string(v));
		zc->ntrust_anchors = i + 1;
		if (!zc->trust_anchors[i])
			return cfg_fail(c, v, "out of memory");
		if (dnsd_anchor_check(c, v, zc->name, zc->trust_anchors[i]) < 0)
			return -1;
	}
	return 0;
}

static int dnsd_addrs_copy(struct cfg_ctx *c, json_object *at, const struct cfg_addr *src, size_t n,
			   struct cfg_addr **out, size_t *nout)
{
	*out = calloc(n ? n : 1, sizeof **out);
	if (!*out)
		return cfg_fail(c, at, "out of memory");
	memcpy(*out, src, n * sizeof **out);
	*nout = n;
	return 0;
}

/* one member template; what it does not give: the catalog's primaries,
 * key and transfer source, and the usual defaults */
static int dnsd_parse_template(struct cfg_ctx *c, json_object *o, const char *what,
			       const struct cfg_zone *cat, struct cfg_zone *t)
{
	t->name = strdup(what);
	if (!t->name)
		return cfg_fail(c, o, "out of memory");
	if (o && cfg_check_keys(c, o, what, template_keys) < 0)
		return -1;
	if (dnsd_parse_addrs(c, o, "primaries", &t->primaries, &t->nprimaries) < 0)
		return -1;
	if (!t->nprimaries &&
	    dnsd_addrs_copy(c, o, cat->primaries, cat->nprimaries, &t->primaries, &t->nprimaries) < 0)
		return -1;
	if (dnsd_parse_secondary(c, o, t) < 0 ||
	    dnsd_parse_addrs(c, o, "allow-transfer", &t->allow_transfer, &t->nallow_transfer) < 0)
		return -1;
	if (!cfg_member(o, "tsig-key") && cat->tsig_key && !(t->tsig_key = strdup(cat->tsig_key)))
		return cfg_fail(c, o, "out of memory");
	if (!cfg_member(o, "transfer-source") && cat->source) {
		t->source = malloc(sizeof *t->source);
		if (!t->source)
			return cfg_fail(c, o, "out of memory");
		*t->source = *cat->source;
	}
	return 0;
}

static int dnsd_parse_catalog(struct cfg_ctx *c, json_object *z, struct cfg_zone *zc)
{
	json_object *o, *groups;
	char what[600];
	if (cfg_get_object(c, z, "catalog", false, &o) < 0 || !o)
		return c->failed ? -1 : 0;
	if (cfg_check_keys(c, o, "\"catalog\"", catalog_keys) < 0)
		return -1;
	zc->catalog = calloc(1, sizeof *zc->catalog);
	if (!zc->catalog)
		return cfg_fail(c, o, "out of memory");
	json_object *def = NULL;
	if (cfg_get_object(c, o, "member-defaults", false, &def) < 0)
		return -1;
	snprintf(what, sizeof what, "catalog %s member-defaults", zc->name);
	if (dnsd_parse_template(c, def, what, zc, &zc->catalog->defaults) < 0)
		return -1;
	if (cfg_get_object(c, o, "groups", false, &groups) < 0)
		return -1;
	size_t n = groups ? (size_t)json_object_object_length(groups) : 0;
	zc->catalog->groups = calloc(n ? n : 1, sizeof *zc->catalog->groups);
	if (!zc->catalog->groups)
		return cfg_fail(c, o, "out of memory");
	if (!groups)
		return 0;
	json_object_object_foreach(groups, gname, gval) {
		struct cfg_catalog_group *g = &zc->catalog->groups[zc->catalog->ngroups++];
		g->name = strdup(gname);
		if (!g->name)
			return cfg_fail(c, gval, "out of memory");
		if (!json_object_is_type(gval, json_type_object))
			return cfg_fail(c, gval, "catalog %s: group \"%s\" must be an object", zc->name,
					gname);
		snprintf(what, sizeof what, "catalog %s group %s", zc->name, gname);
		if (dnsd_parse_template(c, gval, what, zc, &g->tmpl) < 0)
			return -1;
	}
	return 0;
}

void config_member_zone(const struct cfg_zone *cat, const char *group, const char *name,
			struct cfg_zone *out)
{
	const struct cfg_zone *t = &cat->catalog->defaults;
	for (size_t i = 0; group && i < cat->catalog->ngroups; i++)
		if (strcmp(cat->catalog->groups[i].name, group) == 0)
			t = &cat->catalog->groups[i].tmpl;
	*out = *t;
	out->name = (char *)name;
	out->file = NULL;
	out->line = cat->line;
	out->catalog = NULL;
	out->trust_anchors = NULL;
	out->ntrust_anchors = 0;
}

/* "service-ns": the names the zone's apex NS set must list (the cloud's
 * service names; raizctl resolution-trial checks them), each a domain name */
static int dnsd_parse_service_ns(struct cfg_ctx *c, json_object *z, struct cfg_zone *zc)
{
	json_object *arr;
	if (cfg_get_array(c, z, "service-ns", false, &arr) < 0 || !arr)
		return c->failed ? -1 : 0;
	size_t n = json_object_array_length(arr);
	if (n == 0)
		return cfg_fail(c, arr, "zone %s: \"service-ns\" is empty", zc->name);
	zc->service_ns = calloc(n, sizeof *zc->service_ns);
	if (!zc->service_ns)
		return cfg_fail(c, arr, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i), *one;
		/* checked (and made absolute) the way cfg_get_dname() does a member */
		if (!(one = json_object_new_object()))
			return cfg_fail(c, arr, "out of memory");
		json_object_object_add(one, "service-ns", json_object_get(v));
		int rc = cfg_get_dname(c, one, "service-ns", true, NULL, &zc->service_ns[i]);
		json_object_put(one);
		if (rc < 0)
			return -1;
		zc->nservice_ns = i + 1;
		for (size_t j = 0; j < i; j++)
			if (dnsd_name_eq(zc->service_ns[j], zc->service_ns[i]))
				return cfg_fail(c, v, "zone %s: service-ns %s given twice", zc->name,
						zc->service_ns[i]);
	}
	return 0;
}

static int dnsd_parse_zones(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg)
{
	json_object *arr;
	if (cfg_get_array(c, root, "zones", false, &arr) < 0 || !arr)
		return c->failed ? -1 : 0;
	size_t n = json_object_array_length(arr);
	cfg->zones = calloc(n ? n : 1, sizeof *cfg->zones);
	if (!cfg->zones)
		return cfg_fail(c, arr, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *z = json_object_array_get_idx(arr, i);
		struct cfg_zone *zc = &cfg->zones[i];
		cfg->nzones = i + 1;
		if (cfg_check_keys(c, z, "a zone", zone_keys) < 0)
			return -1;
		zc->line = cfg_line(z);
		if (cfg_get_dname(c, z, "name", true, NULL, &zc->name) < 0 ||
		    cfg_get_path(c, z, "file", false, NULL, &zc->file) < 0 ||
		    dnsd_parse_addrs(c, z, "primaries", &zc->primaries, &zc->nprimaries) < 0)
			return -1;
		if (zc->file && zc->nprimaries)
			return cfg_fail(c, z, "zone %s: give either \"file\" or \"primaries\", not both",
					zc->name);
		if (!zc->file && !zc->nprimaries)
			return cfg_fail(c, z, "zone %s: needs \"file\" (a zone file) or \"primaries\" "
					"(a secondary zone)", zc->name);
		if (zc->file) {
			for (const char *const *k = secondary_only; *k; k++)
				if (cfg_member(z, *k))
					return cfg_fail(c, cfg_member(z, *k), "zone %s: \"%s\" is only for "
							"a secondary zone (one with \"primaries\")", zc->name, *k);
		} else if (dnsd_parse_secondary(c, z, zc) < 0 || dnsd_parse_catalog(c, z, zc) < 0) {
			return -1;
		}
		if (dnsd_parse_addrs(c, z, "allow-transfer", &zc->allow_transfer,
				     &zc->nallow_transfer) < 0 || dnsd_parse_service_ns(c, z, zc) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (dnsd_name_eq(cfg->zones[j].name, zc->name))
				return cfg_fail(c, z, "zone %s is defined twice (first at line %d)",
						zc->name, cfg->zones[j].line);
	}
	return 0;
}

static int dnsd_base64_ok(const char *s)
{
	size_t n = 0, pad = 0;
	for (; *s; s++, n++) {
		if (*s == '=') {
			pad++;
			continue;
		}
		if (pad || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
			     (*s >= '0' && *s <= '9') || *s == '+' || *s == '/'))
			return 0;
	}
	return n > 0 && n % 4 == 0 && pad <= 2;
}

/* "secret-file": a file holding the base64 secret, not readable by others */
static int dnsd_tsig_secret_file(struct cfg_ctx *c, json_object *k, struct cfg_tsig *t)
{
	char *path = NULL;
	json_object *at = cfg_member(k, "secret-file");
	if (cfg_get_path(c, k, "secret-file", false, NULL, &path) < 0)
		return -1;
	if (!path) {
		if (!t->secret)
			return cfg_fail(c, k, "TSIG key %s: needs \"secret\" or \"secret-file\"",
					t->name);
		return 0;
	}
	if (t->secret) {
		free(path);
		return cfg_fail(c, at, "TSIG key %s: give \"secret\" or \"secret-file\", not both",
				t->name);
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	char buf[1024];
	ssize_t n = -1;
	int rc = 0;
	if (fd < 0)
		rc = cfg_fail(c, at, "TSIG key %s: %s: %s", t->name, path, strerror(errno));
	else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = cfg_fail(c, at, "TSIG key %s: %s is not a regular file", t->name, path);
	else if (st.st_mode & S_IROTH)
		rc = cfg_fail(c, at, "TSIG key %s: %s is readable by everyone; make it 0640 "
			      "root:raiz (or 0600)", t->name, path);
	else if ((n = read(fd, buf, sizeof buf - 1)) < 0)
		rc = cfg_fail(c, at, "TSIG key %s: reading %s: %s", t->name, path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(path);
	if (rc < 0)
		return rc;
	buf[n] = 0;
	/* the secret is the first word; trailing newline and spaces ignored */
	char *b = buf + strspn(buf, " \t\r\n");
	b[strcspn(b, " \t\r\n")] = 0;
	t->secret = strdup(b);
	explicit_bzero(buf, sizeof buf);
	if (!t->secret)
		return cfg_fail(c, at, "out of memory");
	return 0;
}

static int dnsd_parse_tsig(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg)
{
	json_object *arr;
	if (cfg_get_array(c, root, "tsig-keys", false, &arr) < 0 || !arr)
		return c->failed ? -1 : 0;
	size_t n = json_object_array_length(arr);
	cfg->tsig = calloc(n ? n : 1, sizeof *cfg->tsig);
	if (!cfg->tsig)
		return cfg_fail(c, arr, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *k = json_object_array_get_idx(arr, i);
		struct cfg_tsig *t = &cfg->tsig[i];
		int alg;
		cfg->ntsig = i + 1;
		if (cfg_check_keys(c, k, "a TSIG key", tsig_keys) < 0)
			return -1;
		t->line = cfg_line(k);
		if (cfg_get_dname(c, k, "name", true, NULL, &t->name) < 0 ||
		    cfg_get_enum(c, k, "algorithm", false, tsig_algorithms, 0, &alg) < 0 ||
		    cfg_get_string(c, k, "secret", false, NULL, &t->secret) < 0 ||
		    dnsd_tsig_secret_file(c, k, t) < 0)
			return -1;
		t->algorithm = strdup(tsig_algorithms[alg]);
		if (!dnsd_base64_ok(t->secret))
			return cfg_fail(c, cfg_member(k, "secret"),
					"TSIG key %s: \"secret\" is not valid base64", t->name);
		for (size_t j = 0; j < i; j++)
			if (dnsd_name_eq(cfg->tsig[j].name, t->name))
				return cfg_fail(c, k, "TSIG key %s is defined twice", t->name);
	}
	return 0;
}

int config_dnsd_parse(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg)
{
	if (dnsd_parse_server(c, root, cfg) < 0 || dnsd_parse_zones(c, root, cfg) < 0 ||
	    dnsd_parse_tsig(c, root, cfg) < 0)
		return -1;
	/* cross references: the key a zone names must exist */
	json_object *arr = cfg_member(root, "zones");
	for (size_t i = 0; i < cfg->nzones; i++) {
		const struct cfg_zone *z = &cfg->zones[i];
		if (z->tsig_key && !config_tsig(cfg, z->tsig_key))
			return cfg_fail(c, cfg_member(json_object_array_get_idx(arr, i), "tsig-key"),
					"zone %s: TSIG key \"%s\" is not in \"tsig-keys\"",
					z->name, z->tsig_key);
		for (size_t g = 0; z->catalog && g <= z->catalog->ngroups; g++) {
			const struct cfg_zone *t = g < z->catalog->ngroups ? &z->catalog->groups[g].tmpl
									: &z->catalog->defaults;
			if (t->tsig_key && !config_tsig(cfg, t->tsig_key))
				return cfg_fail(c, cfg_member(json_object_array_get_idx(arr, i), "catalog"),
						"%s: TSIG key \"%s\" is not in \"tsig-keys\"", t->name,
						t->tsig_key);
		}
	}
	return 0;
}

/* a member template's own allocations */
static void dnsd_zone_free(struct cfg_zone *z)
{
	free(z->name);
	free(z->primaries);
	free(z->tsig_key);
	free(z->source);
	free(z->allow_notify);
	free(z->allow_transfer);
	free(z->trust_anchors);
}

void config_dnsd_free(struct raiz_config *cfg)
{
	struct cfg_dnsd *dn = &cfg->dnsd;
	free(dn->listen);
	free(dn->nsid);
	free(dn->identity);
	free(dn->version);
	free(dn->control_socket);
	free(dn->pidfile);
	free(dn->user);
	free(dn->rrl.exempt);
	for (size_t i = 0; i < cfg->nzones; i++) {
		struct cfg_zone *z = &cfg->zones[i];
		free(z->name);
		free(z->file);
		free(z->primaries);
		free(z->tsig_key);
		free(z->source);
		free(z->allow_notify);
		free(z->allow_transfer);
		for (size_t j = 0; j < z->ntrust_anchors; j++)
			free(z->trust_anchors[j]);
		free(z->trust_anchors);
		for (size_t j = 0; j < z->nservice_ns; j++)
			free(z->service_ns[j]);
		free(z->service_ns);
		if (z->catalog) {
			dnsd_zone_free(&z->catalog->defaults);
			for (size_t j = 0; j < z->catalog->ngroups; j++) {
				free(z->catalog->groups[j].name);
				dnsd_zone_free(&z->catalog->groups[j].tmpl);
			}
			free(z->catalog->groups);
			free(z->catalog);
		}
	}
	free(cfg->zones);
	for (size_t i = 0; i < cfg->ntsig; i++) {
		free(cfg->tsig[i].name);
		free(cfg->tsig[i].algorithm);
		free(cfg->tsig[i].secret);
	}
	free(cfg->tsig);
}
