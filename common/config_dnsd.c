/* config_dnsd — the "dnsd", "zones" and "tsig-keys" sections; see
 * config_dnsd.h and raiz.json(5). */
#include "common/config.h"
#include "common/cfgutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const dnsd_keys[] = {
	"listen", "nsid", "identity", "version", "edns-buffer-size",
	"tcp-max-connections", "tcp-idle-timeout", "tcp-max-queries", "workers",
	"control-socket", "pidfile", "user", NULL,
};
static const char *const zone_keys[] = { "name", "file", NULL };
static const char *const tsig_keys[] = { "name", "algorithm", "secret", NULL };
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

static int dnsd_parse_server(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg)
{
	struct cfg_dnsd *dn = &cfg->dnsd;
	json_object *d;
	uint64_t idle;
	if (cfg_get_object(c, root, "dnsd", true, &d) < 0 ||
	    cfg_check_keys(c, d, "\"dnsd\"", dnsd_keys) < 0 ||
	    dnsd_parse_listen(c, d, dn) < 0)
		return -1;
	cfg_get_string(c, d, "nsid", false, cfg->node.identity, &dn->nsid);
	cfg_get_string(c, d, "identity", false, cfg->node.identity, &dn->identity);
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
	if (c->failed)
		return -1;
	if (!dn->control_socket)
		dn->control_socket = dnsd_run_path(cfg, "dnsd.sock");
	if (!dn->pidfile)
		dn->pidfile = dnsd_run_path(cfg, "dnsd.pid");
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
		    cfg_get_path(c, z, "file", true, NULL, &zc->file) < 0)
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
		    cfg_get_string(c, k, "secret", true, NULL, &t->secret) < 0)
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
	return 0;
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
	for (size_t i = 0; i < cfg->nzones; i++) {
		free(cfg->zones[i].name);
		free(cfg->zones[i].file);
	}
	free(cfg->zones);
	for (size_t i = 0; i < cfg->ntsig; i++) {
		free(cfg->tsig[i].name);
		free(cfg->tsig[i].algorithm);
		free(cfg->tsig[i].secret);
	}
	free(cfg->tsig);
}
