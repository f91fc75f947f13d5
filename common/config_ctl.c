/* config_ctl — see config_ctl.h and raiz.json(5) */
#include "common/config.h"
#include "common/cfgutil.h"
#include "common/json.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MS(s) ((uint64_t)(s) * 1000u)
/* BIRD symbols are at most 64 bytes; the state file appends "_WITHDRAWN" */
#define CTL_STATIC_MAX 50

bool config_ctl_bird_ident(const char *s)
{
	size_t n = 0;
	if (!s || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (; s[n]; n++)
		if (!(isalnum((unsigned char)s[n]) || s[n] == '_'))
			return false;
	return n <= 63;
}

const struct cfg_service *config_ctl_service(const struct cfg_ctl *c, const char *name)
{
	for (size_t i = 0; i < c->nservices; i++)
		if (strcmp(c->services[i].name, name) == 0)
			return &c->services[i];
	return NULL;
}

const struct cfg_prefix *config_ctl_prefix(const struct cfg_ctl *c, const char *prefix)
{
	for (size_t i = 0; i < c->nprefixes; i++)
		if (strcmp(c->prefixes[i].prefix, prefix) == 0)
			return &c->prefixes[i];
	return NULL;
}

static char *ctl_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s/%s", dir, name);
	return s;
}

/* ---- controller ---- */

static const char *const ctl_on_stop_names[] = { "withdraw", "keep", NULL };
static const char *const ctl_degraded_names[] = { "keep", "drain", "withdraw", NULL };

static int ctl_parse_controller(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg)
{
	static const char *const keys[] = { "control-socket", "on-stop", "drain-time",
		"dnsd-pidfile", "watchdog", "stop-timeout", "history", "user", NULL };
	struct cfg_controller *k = &cfg->ctl.controller;
	json_object *o = NULL;
	const char *run = cfg->node.run_dir ? cfg->node.run_dir : "/run/raiz";
	char *defsock = ctl_join(run, "controller.sock");
	char *defpid = cfg->dnsd.pidfile ? strdup(cfg->dnsd.pidfile) : ctl_join(run, "dnsd.pid");

	if (!defsock || !defpid) {
		free(defsock);
		free(defpid);
		return cfg_fail(c, NULL, "out of memory");
	}
	if (cfg_get_object(c, root, "controller", false, &o) == 0 && o)
		cfg_check_keys(c, o, "controller", keys);
	cfg_get_path(c, o, "control-socket", false, defsock, &k->control_socket);
	cfg_get_enum(c, o, "on-stop", false, ctl_on_stop_names, CFG_ON_STOP_WITHDRAW,
		     &k->on_stop);
	cfg_get_duration(c, o, "drain-time", false, 0, MS(86400), MS(60), &k->drain_time_ms);
	if (!c->failed && cfg_is_null(o, "dnsd-pidfile"))
		k->dnsd_pidfile = NULL;          /* explicitly off */
	else
		cfg_get_path(c, o, "dnsd-pidfile", false, defpid, &k->dnsd_pidfile);
	if (!c->failed && k->dnsd_pidfile && !k->dnsd_pidfile[0]) {
		free(k->dnsd_pidfile);
		k->dnsd_pidfile = NULL;          /* "" = off too */
	}
	cfg_get_bool(c, o, "watchdog", false, true, &k->watchdog);
	cfg_get_duration(c, o, "stop-timeout", false, 0, MS(60), MS(3), &k->stop_timeout_ms);
	cfg_get_uint(c, o, "history", false, 8, 65536, 256, &k->history);
	/* resolved by raiz-controller itself (-n and start), with this line */
	cfg_get_string(c, o, "user", false, "", &k->user);
	k->user_line = o ? json_member_line(o, "user") : 0;
	free(defsock);
	free(defpid);
	return c->failed ? -1 : 0;
}

/* ---- bird ---- */

/* an IP address without port; canonical text into *out */
static int ctl_get_ip(struct cfg_ctx *c, json_object *o, const char *key, bool required,
		      const char *what, int *family, char **out)
{
	char *text = NULL, buf[INET6_ADDRSTRLEN];
	uint8_t a[16];

	*out = NULL;
	if (cfg_get_string(c, o, key, required, NULL, &text) < 0 || !text)
		return c->failed ? -1 : 0;
	int fam = inet_pton(AF_INET, text, a) == 1 ? AF_INET :
		  inet_pton(AF_INET6, text, a) == 1 ? AF_INET6 : 0;
	if (!fam) {
		cfg_fail(c, cfg_member(o, key), "%s: \"%s\": \"%s\" is not an IP address",
			 what, key, text);
		free(text);
		return -1;
	}
	free(text);
	inet_ntop(fam, a, buf, sizeof buf);
	if (family)
		*family = fam;
	*out = strdup(buf);
	return *out ? 0 : cfg_fail(c, o, "out of memory");
}

/* ---- communities ---- */

static const struct {
	const char *name;
	uint32_t value;
} ctl_wellknown[] = {
	{ "no-export", CFG_COMMUNITY_NO_EXPORT },
	{ "no-advertise", 0xFFFFFF02u },
	{ "no-export-subconfed", 0xFFFFFF03u },
	{ "no-peer", 0xFFFFFF04u },
};

/* "N" in 0..max, decimal digits only; the text after it in *end */
static bool ctl_num(const char *s, uint32_t max, uint32_t *out, const char **end)
{
	uint64_t v = 0;
	const char *p = s;

	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	*end = p;
	return p != s;
}

static int ctl_parse_community(const char *s, uint32_t *out)
{
	uint32_t hi, lo;
	const char *p;

	for (size_t i = 0; i < sizeof ctl_wellknown / sizeof ctl_wellknown[0]; i++)
		if (strcmp(s, ctl_wellknown[i].name) == 0) {
			*out = ctl_wellknown[i].value;
			return 0;
		}
	if (!ctl_num(s, 65535, &hi, &p) || *p != ':' || !ctl_num(p + 1, 65535, &lo, &p) || *p)
		return -1;
	*out = hi << 16 | lo;
	return 0;
}

static int ctl_parse_large(const char *s, struct cfg_large_community *out)
{
	const char *p;

	if (!ctl_num(s, 4294967295u, &out->global, &p) || *p != ':' ||
	    !ctl_num(p + 1, 4294967295u, &out->local1, &p) || *p != ':' ||
	    !ctl_num(p + 1, 4294967295u, &out->local2, &p) || *p)
		return -1;
	return 0;
}

static json_object *ctl_string_elem(struct cfg_ctx *c, json_object *a, size_t i,
				    const char *what, const char *key)
{
	json_object *e = json_object_array_get_idx(a, i);
	if (!json_object_is_type(e, json_type_string)) {
		cfg_fail(c, e ? e : a, "%s: \"%s\" must list strings", what, key);
		return NULL;
	}
	return e;
}

/* "communities", "large-communities" and "no-export" of a neighbor or a
 * prefix */
static int ctl_parse_communities(struct cfg_ctx *c, json_object *o, const char *what,
				 struct cfg_communities *k)
{
	json_object *a = NULL;
	bool noexp = false;

	if (cfg_get_array(c, o, "communities", false, &a) < 0)
		return -1;
	size_t n = a ? json_object_array_length(a) : 0;
	if (!(k->std = calloc(n + 1, sizeof *k->std)))
		return cfg_fail(c, o, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *e = ctl_string_elem(c, a, i, what, "communities");
		uint32_t v;
		if (!e)
			return -1;
		if (ctl_parse_community(json_object_get_string(e), &v) < 0)
			return cfg_fail(c, e, "%s: community \"%s\" is not ASN:VALUE (each "
					"0-65535) nor no-export, no-advertise, "
					"no-export-subconfed, no-peer", what,
					json_object_get_string(e));
		if (v == 0xFFFF0000u)
			return cfg_fail(c, e, "%s: community 65535:0 (GRACEFUL_SHUTDOWN) is "
					"set by drain, not by configuration", what);
		for (size_t j = 0; j < k->nstd; j++)
			if (k->std[j] == v)
				return cfg_fail(c, e, "%s: community \"%s\" listed twice", what,
						json_object_get_string(e));
		k->std[k->nstd++] = v;
	}
	if (cfg_get_bool(c, o, "no-export", false, false, &noexp) < 0)
		return -1;
	if (noexp) {
		size_t j;
		for (j = 0; j < k->nstd && k->std[j] != CFG_COMMUNITY_NO_EXPORT; j++)
			;
		if (j == k->nstd)
			k->std[k->nstd++] = CFG_COMMUNITY_NO_EXPORT;
	}
	if (cfg_get_array(c, o, "large-communities", false, &a) < 0)
		return -1;
	if (!a)
		return 0;
	n = json_object_array_length(a);
	if (!(k->large = calloc(n ? n : 1, sizeof *k->large)))
		return cfg_fail(c, o, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *e = ctl_string_elem(c, a, i, what, "large-communities");
		struct cfg_large_community v;
		if (!e)
			return -1;
		if (ctl_parse_large(json_object_get_string(e), &v) < 0)
			return cfg_fail(c, e, "%s: large community \"%s\" is not "
					"GLOBAL:LOCAL1:LOCAL2 (each 0-4294967295)", what,
					json_object_get_string(e));
		for (size_t j = 0; j < k->nlarge; j++)
			if (memcmp(&k->large[j], &v, sizeof v) == 0)
				return cfg_fail(c, e, "%s: large community \"%s\" listed twice",
						what, json_object_get_string(e));
		k->large[k->nlarge++] = v;
	}
	return 0;
}

static void ctl_free_communities(struct cfg_communities *k)
{
	free(k->std);
	free(k->large);
	*k = (struct cfg_communities){ 0 };
}

static const char *const ctl_kind_names[] = { "transit", "route-server", NULL };

static int ctl_parse_neighbor(struct cfg_ctx *c, json_object *o, struct cfg_bird_neighbor *nb)
{
	static const char *const keys[] = { "name", "address", "as", "local-address", "interface",
		"multihop", "password", "bfd", "export-limit", "kind", "communities",
		"large-communities", "no-export", NULL };
	char what[96];
	unsigned as = 0;
	int lfam = 0;

	nb->line = cfg_line(o);
	if (!json_object_is_type(o, json_type_object))
		return cfg_fail(c, o, "bird: each of \"neighbors\" must be an object");
	if (cfg_check_keys(c, o, "neighbor", keys) < 0 ||
	    cfg_get_string(c, o, "name", true, NULL, &nb->name) < 0)
		return -1;
	if (!config_ctl_bird_ident(nb->name))
		return cfg_fail(c, cfg_member(o, "name"),
				"neighbor \"%s\" is not a BIRD protocol name ([A-Za-z_][A-Za-z0-9_]*)",
				nb->name);
	snprintf(what, sizeof what, "neighbor \"%s\"", nb->name);
	if (ctl_get_ip(c, o, "address", true, what, &nb->family, &nb->address) < 0 ||
	    cfg_get_uint(c, o, "as", true, 1, 4294967295u, 0, &as) < 0 ||
	    ctl_get_ip(c, o, "local-address", false, what, &lfam, &nb->local) < 0)
		return -1;
	nb->as = as;
	if (nb->local && lfam != nb->family)
		return cfg_fail(c, cfg_member(o, "local-address"),
				"%s: \"local-address\" and \"address\" are of different families", what);
	cfg_get_string(c, o, "interface", false, NULL, &nb->iface);
	cfg_get_uint(c, o, "multihop", false, 0, 255, 0, &nb->multihop);
	cfg_get_string(c, o, "password", false, NULL, &nb->password);
	cfg_get_bool(c, o, "bfd", false, true, &nb->bfd);
	cfg_get_uint(c, o, "export-limit", false, 0, 1000000, 0, &nb->export_limit);
	cfg_get_enum(c, o, "kind", false, ctl_kind_names, CFG_BGP_TRANSIT, &nb->kind);
	if (!c->failed)
		ctl_parse_communities(c, o, what, &nb->comm);
	return c->failed ? -1 : 0;
}

static int ctl_parse_neighbors(struct cfg_ctx *c, json_object *bird, struct cfg_bird *b)
{
	json_object *a = NULL;
	if (cfg_get_array(c, bird, "neighbors", false, &a) < 0 || !a)
		return c->failed ? -1 : 0;
	size_t n = json_object_array_length(a);
	b->neighbors = calloc(n ? n : 1, sizeof *b->neighbors);
	if (!b->neighbors)
		return cfg_fail(c, a, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		b->nneighbors++;
		if (ctl_parse_neighbor(c, o, &b->neighbors[i]) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(b->neighbors[j].name, b->neighbors[i].name) == 0)
				return cfg_fail(c, cfg_member(o, "name"),
						"neighbor \"%s\" defined twice (first on line %d)",
						b->neighbors[i].name, b->neighbors[j].line);
	}
	return 0;
}

static int ctl_parse_bird(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg)
{
	static const char *const keys[] = { "socket", "state-file", "as", "prepend",
		"router-id", "med", "neighbors", NULL };
	struct cfg_bird *b = &cfg->ctl.bird;
	json_object *o = NULL;
	const char *st = cfg->node.state_dir ? cfg->node.state_dir : "/var/lib/raiz";
	char *defstate = ctl_join(st, "bird-state.conf");
	unsigned as = 0;

	if (!defstate)
		return cfg_fail(c, NULL, "out of memory");
	if (cfg_get_object(c, root, "bird", false, &o) == 0 && o)
		cfg_check_keys(c, o, "bird", keys);
	cfg_get_path(c, o, "socket", false, "/run/bird/bird.ctl", &b->socket);
	cfg_get_path(c, o, "state-file", false, defstate, &b->state_file);
	cfg_get_uint(c, o, "as", false, 0, 4294967295u, 0, &as);
	b->as = as;
	cfg_get_uint(c, o, "prepend", false, 0, 10, 3, &b->prepend);
	unsigned med = 1000;
	cfg_get_uint(c, o, "med", false, 0, 4294967295u, 1000, &med);
	b->med = med;
	int rfam = 0;
	if (!c->failed && ctl_get_ip(c, o, "router-id", false, "bird", &rfam, &b->router_id) == 0 &&
	    b->router_id && rfam != AF_INET)
		cfg_fail(c, cfg_member(o, "router-id"), "bird: \"router-id\" must be an IPv4 address");
	if (!c->failed)
		ctl_parse_neighbors(c, o, b);
	if (!c->failed && b->prepend > 0 && b->as == 0 && cfg_member(o, "prepend"))
		cfg_fail(c, cfg_member(o, "prepend"),
			 "bird: \"prepend\" needs the node's \"as\"");
	free(defstate);
	return c->failed ? -1 : 0;
}

/* ---- string lists ---- */

static void ctl_free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* an array of non-empty, distinct strings; *out NULL and *n 0 when absent */
static int ctl_get_strv(struct cfg_ctx *c, json_object *obj, const char *key,
			const char *what, char ***out, size_t *n)
{
	json_object *a = NULL;
	*out = NULL;
	*n = 0;
	if (cfg_get_array(c, obj, key, false, &a) < 0 || !a)
		return c->failed ? -1 : 0;
	size_t len = json_object_array_length(a);
	*out = calloc(len ? len : 1, sizeof **out);
	if (!*out)
		return cfg_fail(c, a, "out of memory");
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_string) || !json_object_get_string_len(e))
			return cfg_fail(c, e ? e : a, "%s: \"%s\" must list non-empty strings",
					what, key);
		const char *s = json_object_get_string(e);
		for (size_t j = 0; j < i; j++)
			if (strcmp((*out)[j], s) == 0)
				return cfg_fail(c, e, "%s: \"%s\" lists \"%s\" twice", what, key, s);
		(*out)[i] = strdup(s);
		if (!(*out)[i])
			return cfg_fail(c, e, "out of memory");
		(*n)++;
	}
	return 0;
}

/* ---- services ---- */

static int ctl_parse_damping(struct cfg_ctx *c, json_object *svc, const char *what,
			     struct cfg_damping *d)
{
	static const char *const keys[] = { "penalty", "suppress", "reuse", "half-life",
		"max-suppress", NULL };
	json_object *o = cfg_member(svc, "damping");

	d->enabled = true;
	if (cfg_is_null(svc, "damping"))
		return cfg_fail_line(c, json_member_line(svc, "damping"),
				     "%s: \"damping\" must be an object or false, not null", what);
	if (o && json_object_is_type(o, json_type_boolean)) {
		d->enabled = json_object_get_boolean(o);
		o = NULL;
	} else if (o && !json_object_is_type(o, json_type_object)) {
		return cfg_fail(c, o, "%s: \"damping\" must be an object or false", what);
	} else if (o) {
		cfg_check_keys(c, o, "damping", keys);
	}
	cfg_get_uint(c, o, "penalty", false, 1, 1000000, 1000, &d->penalty);
	cfg_get_uint(c, o, "suppress", false, 1, 1000000, 2000, &d->suppress);
	cfg_get_uint(c, o, "reuse", false, 1, 1000000, 750, &d->reuse);
	cfg_get_duration(c, o, "half-life", false, 1000, MS(3600), MS(60), &d->half_life_ms);
	cfg_get_duration(c, o, "max-suppress", false, 1000, MS(86400), MS(600),
			 &d->max_suppress_ms);
	if (c->failed)
		return -1;
	if (d->reuse >= d->suppress)
		return cfg_fail(c, o, "%s: damping \"reuse\" (%u) must be below \"suppress\" (%u)",
				what, d->reuse, d->suppress);
	/* RFC 2439 4.2: the ceiling must lie above the suppress limit, or
	 * suppression could never happen */
	double ceiling = d->reuse, hl = (double)d->max_suppress_ms / (double)d->half_life_ms;
	for (; hl >= 1.0 && ceiling < 1e12; hl -= 1.0)
		ceiling *= 2.0;
	if (hl > 0 && hl < 1.0)
		ceiling *= 1.0 + hl;     /* close enough to 2^hl for a sanity check */
	if (d->enabled && ceiling <= d->suppress)
		return cfg_fail(c, o, "%s: damping \"max-suppress\" too short for \"half-life\": "
				"the penalty ceiling %.0f never exceeds \"suppress\" %u",
				what, ceiling, d->suppress);
	return 0;
}

static int ctl_parse_service(struct cfg_ctx *c, json_object *o, struct raiz_config *cfg,
			     struct cfg_service *s)
{
	static const char *const keys[] = { "name", "probes", "interval", "fast-interval",
		"rise", "fall", "hold-down", "degraded", "damping", NULL };
	char what[96];

	s->line = cfg_line(o);
	if (!json_object_is_type(o, json_type_object))
		return cfg_fail(c, o, "services: each entry must be an object");
	if (cfg_check_keys(c, o, "service", keys) < 0 ||
	    cfg_get_string(c, o, "name", true, NULL, &s->name) < 0)
		return -1;
	if (!s->name[0] || strlen(s->name) > 63 || strpbrk(s->name, " \t\"\\"))
		return cfg_fail(c, cfg_member(o, "name"),
				"service name \"%s\" must be 1-63 characters without blanks",
				s->name);
	snprintf(what, sizeof what, "service \"%s\"", s->name);

	if (cfg_member(o, "probes") || cfg_is_null(o, "probes")) {
		if (ctl_get_strv(c, o, "probes", what, &s->probes, &s->nprobes) < 0)
			return -1;
	} else {
		/* default: every configured probe */
		s->probes = calloc(cfg->ctl.nprobes ? cfg->ctl.nprobes : 1, sizeof *s->probes);
		if (!s->probes)
			return cfg_fail(c, o, "out of memory");
		for (size_t i = 0; i < cfg->ctl.nprobes; i++) {
			s->probes[i] = strdup(cfg->ctl.probes[i].name);
			if (!s->probes[i])
				return cfg_fail(c, o, "out of memory");
			s->nprobes++;
		}
	}
	if (s->nprobes == 0)
		return cfg_fail(c, cfg_member(o, "probes") ? cfg_member(o, "probes") : o,
				"%s: needs at least one probe (define some in \"probes\")", what);
	s->probe_idx = calloc(s->nprobes, sizeof *s->probe_idx);
	if (!s->probe_idx)
		return cfg_fail(c, o, "out of memory");
	json_object *pa = cfg_member(o, "probes");
	for (size_t i = 0; i < s->nprobes; i++) {
		size_t j;
		for (j = 0; j < cfg->ctl.nprobes; j++)
			if (cfg->ctl.probes[j].name && strcmp(cfg->ctl.probes[j].name, s->probes[i]) == 0)
				break;
		if (j == cfg->ctl.nprobes)
			return cfg_fail(c, pa ? json_object_array_get_idx(pa, i) : o,
					"%s: unknown probe \"%s\"", what, s->probes[i]);
		s->probe_idx[i] = j;
	}

	cfg_get_duration(c, o, "interval", false, 50, MS(3600), 500, &s->interval_ms);
	cfg_get_duration(c, o, "fast-interval", false, 0, MS(3600), 100, &s->fast_interval_ms);
	cfg_get_uint(c, o, "rise", false, 1, 100, 3, &s->rise);
	cfg_get_uint(c, o, "fall", false, 1, 100, 2, &s->fall);
	cfg_get_duration(c, o, "hold-down", false, 0, MS(86400), 1000, &s->hold_down_ms);
	cfg_get_enum(c, o, "degraded", false, ctl_degraded_names, CFG_DEGRADED_KEEP,
		     &s->degraded);
	if (c->failed)
		return -1;
	if (s->fast_interval_ms > s->interval_ms)
		return cfg_fail(c, cfg_member(o, "fast-interval"),
				"%s: \"fast-interval\" must not exceed \"interval\"", what);
	return ctl_parse_damping(c, o, what, &s->damping);
}

static int ctl_parse_services(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg)
{
	struct cfg_ctl *k = &cfg->ctl;
	json_object *a = NULL;

	if (cfg_get_array(c, root, "services", false, &a) < 0)
		return -1;
	if (!a) {
		/* no "services": one service "dns" made of every probe, if any */
		if (k->nprobes == 0)
			return 0;
		k->services = calloc(1, sizeof *k->services);
		if (!k->services)
			return cfg_fail(c, NULL, "out of memory");
		k->nservices = 1;
		json_object *o = json_object_new_object();
		if (!o)
			return cfg_fail(c, NULL, "out of memory");
		json_object_object_add(o, "name", json_object_new_string("dns"));
		int r = ctl_parse_service(c, o, cfg, &k->services[0]);
		json_object_put(o);
		return r;
	}
	size_t n = json_object_array_length(a);
	k->services = calloc(n ? n : 1, sizeof *k->services);
	if (!k->services)
		return cfg_fail(c, a, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		k->nservices++;
		if (ctl_parse_service(c, o, cfg, &k->services[i]) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(k->services[j].name, k->services[i].name) == 0)
				return cfg_fail(c, cfg_member(o, "name"),
						"service \"%s\" defined twice (first on line %d)",
						k->services[i].name, k->services[j].line);
	}
	return 0;
}

/* ---- prefixes ---- */

static int ctl_parse_net(struct cfg_ctx *c, json_object *at, const char *text,
			 struct cfg_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8], out[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	char *end;

	if (!slash || (size_t)(slash - text) >= INET6_ADDRSTRLEN)
		return cfg_fail(c, at, "prefix \"%s\": expected address/length", text);
	memcpy(buf, text, (size_t)(slash - text));
	buf[slash - text] = '\0';
	memset(p->addr, 0, sizeof p->addr);
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = AF_INET6;
	else
		return cfg_fail(c, at, "prefix \"%s\": bad address \"%s\"", text, buf);
	unsigned max = p->family == AF_INET ? 32 : 128;
	errno = 0;
	unsigned long len = strtoul(slash + 1, &end, 10);
	if (!isdigit((unsigned char)slash[1]) || *end || errno || len > max)
		return cfg_fail(c, at, "prefix \"%s\": bad length (0-%u)", text, max);
	p->len = (unsigned)len;
	for (unsigned bit = p->len; bit < max; bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return cfg_fail(c, at, "prefix \"%s\": host bits set after /%u",
					text, p->len);
	inet_ntop(p->family, p->addr, out, sizeof out);
	snprintf(buf, sizeof buf, "%s/%u", out, p->len);
	p->prefix = strdup(buf);
	return p->prefix ? 0 : cfg_fail(c, at, "out of memory");
}

static int ctl_parse_prefix(struct cfg_ctx *c, json_object *o, struct raiz_config *cfg,
			    struct cfg_prefix *p)
{
	static const char *const keys[] = { "prefix", "static-protocol", "bgp", "services",
		"communities", "large-communities", "no-export", NULL };
	char *text = NULL, what[96];

	p->line = cfg_line(o);
	if (!json_object_is_type(o, json_type_object))
		return cfg_fail(c, o, "prefixes: each entry must be an object");
	if (cfg_check_keys(c, o, "prefix", keys) < 0 ||
	    cfg_get_string(c, o, "prefix", true, NULL, &text) < 0)
		return -1;
	int r = ctl_parse_net(c, cfg_member(o, "prefix"), text, p);
	free(text);
	if (r < 0)
		return -1;
	snprintf(what, sizeof what, "prefix %s", p->prefix);

	if (cfg_get_string(c, o, "static-protocol", true, NULL, &p->static_protocol) < 0)
		return -1;
	if (!config_ctl_bird_ident(p->static_protocol))
		return cfg_fail(c, cfg_member(o, "static-protocol"),
				"%s: \"%s\" is not a BIRD protocol name ([A-Za-z_][A-Za-z0-9_]*)",
				what, p->static_protocol);
	if (strlen(p->static_protocol) > CTL_STATIC_MAX)
		return cfg_fail(c, cfg_member(o, "static-protocol"),
				"%s: static protocol name \"%s\" longer than %d characters "
				"(the state file derives constants from it)", what,
				p->static_protocol, CTL_STATIC_MAX);
	if (ctl_get_strv(c, o, "bgp", what, &p->bgp, &p->nbgp) < 0)
		return -1;
	for (size_t i = 0; i < p->nbgp; i++)
		if (!config_ctl_bird_ident(p->bgp[i]))
			return cfg_fail(c, json_object_array_get_idx(cfg_member(o, "bgp"), i),
					"%s: \"%s\" is not a BIRD protocol name "
					"([A-Za-z_][A-Za-z0-9_]*)", what, p->bgp[i]);

	for (size_t i = 0; i < p->nbgp && cfg->ctl.bird.nneighbors; i++) {
		size_t j;
		for (j = 0; j < cfg->ctl.bird.nneighbors; j++)
			if (strcmp(cfg->ctl.bird.neighbors[j].name, p->bgp[i]) == 0)
				break;
		if (j == cfg->ctl.bird.nneighbors)
			return cfg_fail(c, json_object_array_get_idx(cfg_member(o, "bgp"), i),
					"%s: \"%s\" is not one of bird.neighbors", what, p->bgp[i]);
		if (cfg->ctl.bird.neighbors[j].family != p->family)
			return cfg_fail(c, json_object_array_get_idx(cfg_member(o, "bgp"), i),
					"%s: neighbor \"%s\" is a session of the other family",
					what, p->bgp[i]);
	}

	if (ctl_parse_communities(c, o, what, &p->comm) < 0)
		return -1;

	json_object *sa = cfg_member(o, "services");
	if (sa || cfg_is_null(o, "services")) {
		if (ctl_get_strv(c, o, "services", what, &p->services, &p->nservices) < 0)
			return -1;
		if (p->nservices == 0)
			return cfg_fail(c, sa, "%s: \"services\" must not be empty", what);
	} else {
		/* default: depends on every service */
		p->services = calloc(cfg->ctl.nservices ? cfg->ctl.nservices : 1,
				     sizeof *p->services);
		if (!p->services)
			return cfg_fail(c, o, "out of memory");
		for (size_t i = 0; i < cfg->ctl.nservices; i++) {
			if (!(p->services[i] = strdup(cfg->ctl.services[i].name)))
				return cfg_fail(c, o, "out of memory");
			p->nservices++;
		}
		if (p->nservices == 0)
			return cfg_fail(c, o, "%s: no services to depend on (define \"probes\" "
					"and \"services\")", what);
	}
	p->service_idx = calloc(p->nservices, sizeof *p->service_idx);
	if (!p->service_idx)
		return cfg_fail(c, o, "out of memory");
	for (size_t i = 0; i < p->nservices; i++) {
		const struct cfg_service *s = config_ctl_service(&cfg->ctl, p->services[i]);
		if (!s)
			return cfg_fail(c, sa ? json_object_array_get_idx(sa, i) : o,
					"%s: unknown service \"%s\"", what, p->services[i]);
		p->service_idx[i] = (size_t)(s - cfg->ctl.services);
	}
	return 0;
}

static int ctl_parse_prefixes(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg)
{
	struct cfg_ctl *k = &cfg->ctl;
	json_object *a = NULL;

	if (cfg_get_array(c, root, "prefixes", false, &a) < 0 || !a)
		return c->failed ? -1 : 0;
	size_t n = json_object_array_length(a);
	k->prefixes = calloc(n ? n : 1, sizeof *k->prefixes);
	if (!k->prefixes)
		return cfg_fail(c, a, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		struct cfg_prefix *p = &k->prefixes[i];
		k->nprefixes++;
		if (ctl_parse_prefix(c, o, cfg, p) < 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			struct cfg_prefix *q = &k->prefixes[j];
			if (strcmp(p->prefix, q->prefix) == 0)
				return cfg_fail(c, cfg_member(o, "prefix"),
						"prefix %s listed twice (first on line %d)",
						p->prefix, q->line);
			if (strcasecmp(p->static_protocol, q->static_protocol) == 0)
				return cfg_fail(c, cfg_member(o, "static-protocol"),
						"prefix %s: static protocol \"%s\" already carries "
						"%s (line %d)", p->prefix, p->static_protocol,
						q->prefix, q->line);
		}
		for (size_t j = 0; j <= i; j++)
			for (size_t b = 0; b < p->nbgp; b++)
				if (strcmp(p->bgp[b], k->prefixes[j].static_protocol) == 0)
					return cfg_fail(c, cfg_member(o, "bgp"),
							"prefix %s: \"%s\" is a static protocol, "
							"not a BGP one", p->prefix, p->bgp[b]);
	}
	return 0;
}

int config_ctl_parse(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg)
{
	if (ctl_parse_controller(c, root, cfg) < 0 || ctl_parse_bird(c, root, cfg) < 0 ||
	    ctl_parse_services(c, root, cfg) < 0 || ctl_parse_prefixes(c, root, cfg) < 0)
		return -1;
	return 0;
}

void config_ctl_free(struct raiz_config *cfg)
{
	struct cfg_ctl *k = &cfg->ctl;

	free(k->controller.control_socket);
	free(k->controller.dnsd_pidfile);
	free(k->controller.user);
	free(k->bird.socket);
	free(k->bird.state_file);
	free(k->bird.router_id);
	for (size_t i = 0; k->bird.neighbors && i < k->bird.nneighbors; i++) {
		struct cfg_bird_neighbor *nb = &k->bird.neighbors[i];
		free(nb->name);
		free(nb->address);
		free(nb->local);
		free(nb->iface);
		free(nb->password);
		ctl_free_communities(&nb->comm);
	}
	free(k->bird.neighbors);
	for (size_t i = 0; k->services && i < k->nservices; i++) {
		ctl_free_strv(k->services[i].probes, k->services[i].nprobes);
		free(k->services[i].probe_idx);
		free(k->services[i].name);
	}
	free(k->services);
	for (size_t i = 0; k->prefixes && i < k->nprefixes; i++) {
		struct cfg_prefix *p = &k->prefixes[i];
		free(p->prefix);
		free(p->static_protocol);
		ctl_free_strv(p->bgp, p->nbgp);
		ctl_free_strv(p->services, p->nservices);
		free(p->service_idx);
		ctl_free_communities(&p->comm);
	}
	free(k->prefixes);
	k->controller = (struct cfg_controller){ 0 };
	k->bird = (struct cfg_bird){ 0 };
	k->services = NULL;
	k->nservices = 0;
	k->prefixes = NULL;
	k->nprefixes = 0;
}
