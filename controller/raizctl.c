/*
 * raizctl — the operator's tool for a raiz node, one tool for both control
 * sockets (raiz-controller's and raiz-dnsd's): status, why, probe,
 * drain/undrain, reload, metrics, bird-conf, version.  See raizctl(8).
 *
 * Exit status: 0 healthy and announcing (or the command succeeded),
 * 1 not announcing / unhealthy / raiz-dnsd unreachable or a zone not
 * loaded / the command failed, 2 usage or configuration error,
 * 3 raiz-controller not reachable.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/log.h"
#include "controller/birdconf.h"
#include "controller/ctlclient.h"
#include "controller/metrics.h"
#include "probes/probe.h"

enum { EXIT_OK = 0, EXIT_BAD = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

#define CTL_TIMEOUT_MS 5000
#define CTL_RELOAD_TIMEOUT_MS 120000   /* raiz-dnsd answers when the zones are loaded */
#define CTL_DEFAULT_SOCKET "/run/raiz/controller.sock"

struct raizctl {
	const char *config_path;
	bool config_given;
	const char *socket;
	const char *dnsd_socket;
	bool json;
	struct raiz_config *cfg;
};

static void usage(FILE *f);

static int ctl_load_config(struct raizctl *r)
{
	char err[1024];
	if (r->cfg)
		return 0;
	if (config_load(r->config_path, &r->cfg, err, sizeof err) < 0) {
		fprintf(stderr, "raizctl: %s\n", err);
		return -1;
	}
	return 0;
}

/* the control socket: -s, else the configuration's, else the default */
static const char *ctl_socket(struct raizctl *r)
{
	if (r->socket)
		return r->socket;
	if (ctl_load_config(r) == 0)
		return r->cfg->ctl.controller.control_socket;
	return NULL;
}

static const char *js(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return "";
	return json_object_get_string(v);
}

static bool jb(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static json_object *ja(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

static size_t jlen(json_object *a)
{
	return a ? json_object_array_length(a) : 0;
}

/*
 * raiz-dnsd's control socket: --dnsd-socket, else the configuration's.
 * With -s and no -c the configuration is optional: NULL without an error
 * (*rc stays 0) means "not known, skip raiz-dnsd"; NULL with *rc = 2 is a
 * configuration error.
 */
static const char *dnsd_socket(struct raizctl *r, int *rc)
{
	char err[1024];
	*rc = EXIT_OK;
	if (r->dnsd_socket)
		return r->dnsd_socket;
	if (r->socket && !r->config_given) {
		if (!r->cfg && config_load(r->config_path, &r->cfg, err, sizeof err) < 0)
			return NULL;
		return r->cfg->dnsd.control_socket;
	}
	if (ctl_load_config(r) < 0) {
		*rc = EXIT_USAGE;
		return NULL;
	}
	return r->cfg->dnsd.control_socket;
}

/*
 * send {"command": cmd, ...extra} to who at path; the reply (ok or not),
 * or NULL with the reason in err and *unreachable set when nothing answered
 */
static json_object *ctl_ask(const char *who, const char *path, const char *cmd,
			    json_object *extra, int timeout_ms, bool *unreachable,
			    char *err, size_t errlen)
{
	json_object *req = extra ? extra : json_object_new_object();
	json_object_object_add(req, "command", json_object_new_string(cmd));
	json_object *rep = ctlclient_call_to(who, path, req, timeout_ms, unreachable, err, errlen);
	json_object_put(req);
	return rep;
}

/* send {"command": cmd, ...extra} to the controller; NULL with the exit code in *rc */
static json_object *ctl_call(struct raizctl *r, const char *cmd, json_object *extra, int *rc)
{
	char err[1024];
	bool unreachable;
	const char *path = ctl_socket(r);

	if (!path) {
		*rc = EXIT_USAGE;
		json_object_put(extra);
		return NULL;
	}
	json_object *rep = ctl_ask("raiz-controller", path, cmd, extra, CTL_TIMEOUT_MS,
				   &unreachable, err, sizeof err);
	if (!rep) {
		fprintf(stderr, "raizctl: %s\n", err);
		*rc = unreachable ? EXIT_UNREACHABLE : EXIT_BAD;
		return NULL;
	}
	if (!jb(rep, "ok")) {
		if (r->json)
			printf("%s\n", json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PRETTY));
		else
			fprintf(stderr, "raizctl: %s: %s\n", cmd, js(rep, "error"));
		json_object_put(rep);
		*rc = EXIT_BAD;
		return NULL;
	}
	*rc = EXIT_OK;
	return rep;
}

/* an object standing for a daemon that did not answer */
static json_object *ctl_unreachable(const char *path, const char *err)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "reachable", json_object_new_boolean(0));
	json_object_object_add(o, "socket", path ? json_object_new_string(path) : NULL);
	json_object_object_add(o, "error", json_object_new_string(err));
	return o;
}

/*
 * ask raiz-dnsd; always an object: its reply with "reachable": true and
 * "socket" added, or ctl_unreachable().  NULL only when the socket is not
 * known (skipped) or on a configuration error (*rc = 2).
 */
static json_object *dnsd_call(struct raizctl *r, const char *cmd, int timeout_ms, int *rc)
{
	char err[1024];
	bool unreachable;
	const char *path = dnsd_socket(r, rc);
	if (!path)
		return NULL;
	json_object *rep = ctl_ask("raiz-dnsd", path, cmd, NULL, timeout_ms, &unreachable, err,
				   sizeof err);
	if (!rep)
		return ctl_unreachable(path, err);
	json_object_object_add(rep, "reachable", json_object_new_boolean(1));
	json_object_object_add(rep, "socket", json_object_new_string(path));
	return rep;
}

static void ctl_print_json(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* "2026-11-21T08:00:00.123Z" -> "2026-11-21T08:00:00Z" */
static const char *ctl_time(const char *t, char *buf, size_t len)
{
	if (!t[0])
		return "-";
	snprintf(buf, len, "%.19sZ", t);
	return buf;
}

static json_object *ctl_find(json_object *arr, const char *key, const char *val)
{
	for (size_t i = 0; i < jlen(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (strcmp(js(e, key), val) == 0)
			return e;
	}
	return NULL;
}

static const char *ctl_prefix_word(json_object *p)
{
	const char *d = js(p, "desired");
	bool v = jb(p, "verified");
	if (strcmp(d, "announce") == 0)
		return v ? "ANNOUNCED" : "ANNOUNCING";
	if (strcmp(d, "drain") == 0)
		return v ? "DRAINED" : "DRAINING";
	return v ? "WITHDRAWN" : "WITHDRAWING";
}

static void ctl_upper(const char *s, char *out, size_t len)
{
	size_t i;
	for (i = 0; s[i] && i + 1 < len; i++)
		out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	out[i] = '\0';
}

/*
 * What the controller's "healthy" does not cover but the ISP sees: BIRD
 * not reachable (its last view may be stale) or a prefix none of whose BGP
 * sessions is Established.  A reason in buf, or NULL when there is none.
 */
static const char *ctl_doubt(json_object *st, char *buf, size_t len)
{
	json_object *pfx = ja(st, "prefixes"), *b;
	for (size_t i = 0; i < jlen(pfx); i++) {
		json_object *p = json_object_array_get_idx(pfx, i), *bgp;
		if (!json_object_object_get_ex(p, "bird", &b) || !b)
			continue;
		if (!jb(b, "connected")) {
			snprintf(buf, len, "raiz-controller is NOT CONNECTED to BIRD (is BIRD "
				 "running?); what BIRD announces is unknown");
			return buf;
		}
		bool up = false;
		bgp = ja(b, "bgp");
		for (size_t j = 0; j < jlen(bgp); j++)
			up |= strcmp(js(json_object_array_get_idx(bgp, j), "state"), "up") == 0;
		if (jlen(bgp) && !up) {
			snprintf(buf, len, "no BGP session of %s is up: the ISP does not hear it",
				 js(p, "prefix"));
			return buf;
		}
	}
	return NULL;
}

static void ctl_print_status(json_object *st)
{
	json_object *pfx = ja(st, "prefixes"), *svc = ja(st, "services");
	json_object *m = NULL;
	char t[40], up[32];

	char doubt[160];
	if (jb(st, "healthy") && ctl_doubt(st, doubt, sizeof doubt))
		printf("node %s: announced in BIRD, BUT %s\n", js(st, "node")[0] ? js(st, "node") : "?",
		       doubt);
	else
		printf("node %s: %s\n", js(st, "node")[0] ? js(st, "node") : "?",
		       jb(st, "healthy") ? "healthy, every prefix announced" : "NOT fully announcing");
	for (size_t i = 0; i < jlen(pfx); i++) {
		json_object *p = json_object_array_get_idx(pfx, i), *ps = ja(p, "services");
		char svcs[512] = "";
		size_t n = 0;
		for (size_t j = 0; j < jlen(ps) && n < sizeof svcs; j++) {
			const char *name = json_object_get_string(json_object_array_get_idx(ps, j));
			json_object *s = ctl_find(svc, "name", name);
			n += (size_t)snprintf(svcs + n, sizeof svcs - n, "%s%s %s: %s/%s probes ok",
					      j ? ", " : "", name, s ? js(s, "state") : "?",
					      s ? js(s, "probes-ok") : "?",
					      s ? js(s, "probes-total") : "?");
		}
		printf("%-18s %-11s since %s  (%s)\n", js(p, "prefix"), ctl_prefix_word(p),
		       ctl_time(js(p, "since"), t, sizeof t), svcs);
		printf("    why: %s\n", js(p, "why"));
		json_object *b = NULL, *bgp;
		if (json_object_object_get_ex(p, "bird", &b)) {
			printf("    bird: %s, static %s %s", jb(b, "connected") ? "connected" :
			       "NOT CONNECTED", js(p, "static-protocol"), js(b, "static"));
			bgp = ja(b, "bgp");
			for (size_t j = 0; j < jlen(bgp); j++) {
				json_object *e = json_object_array_get_idx(bgp, j), *x;
				printf("; %s %s %s", js(e, "name"), js(e, "state"), js(e, "info"));
				if (json_object_object_get_ex(e, "exported", &x))
					printf(json_object_get_boolean(x) ? " exported" : " not exported");
				if (json_object_object_get_ex(e, "drained", &x) &&
				    json_object_get_boolean(x))
					printf(" with 65535:0");
			}
			printf("\n");
			if (js(b, "error")[0])
				printf("    bird error: %s (%s)\n", js(b, "error"),
				       ctl_time(js(b, "error-at"), t, sizeof t));
		}
	}
	for (size_t i = 0; i < jlen(svc); i++) {
		json_object *s = json_object_array_get_idx(svc, i), *pr = ja(s, "probes");
		ctl_upper(js(s, "state"), up, sizeof up);
		printf("service %-10s %-9s since %s  %s/%s probes ok%s\n", js(s, "name"), up,
		       ctl_time(js(s, "since"), t, sizeof t), js(s, "probes-ok"),
		       js(s, "probes-total"), jb(s, "suppressed") ? ", SUPPRESSED by flap damping" : "");
		printf("    why: %s\n", js(s, "why"));
		if (jb(s, "suppressed"))
			printf("    damping: penalty %s, released at %s\n", js(s, "penalty"),
			       ctl_time(js(s, "reuse-at"), t, sizeof t));
		else if (strcmp(js(s, "penalty"), "0") != 0)
			printf("    damping: penalty %s\n", js(s, "penalty"));
		if (js(s, "hold-until")[0])
			printf("    held down until %s\n", ctl_time(js(s, "hold-until"), t, sizeof t));
		for (size_t j = 0; j < jlen(pr); j++) {
			json_object *p = json_object_array_get_idx(pr, j);
			json_object *lat = NULL;
			json_object_object_get_ex(p, "latency-ms", &lat);
			printf("    %-12s %-10s %7.1f ms  %s\n", js(p, "name"), js(p, "verdict"),
			       lat ? json_object_get_double(lat) : 0.0, js(p, "reason"));
		}
	}
	if (json_object_object_get_ex(st, "maintenance", &m) && jb(m, "active"))
		printf("maintenance: DRAIN since %s (%s); withdrawn from %s; end with \"raizctl "
		       "undrain\"\n", ctl_time(js(m, "since"), t, sizeof t), js(m, "reason"),
		       ctl_time(js(m, "withdraw-at"), t, sizeof t));
	if (jb(st, "stopping"))
		printf("raiz-controller is stopping\n");
}

/* 93784 -> "1d2h3m" */
static const char *ctl_duration(long long secs, char *buf, size_t len)
{
	size_t n = 0;
	if (secs < 0)
		secs = 0;
	if (secs >= 86400)
		n += (size_t)snprintf(buf + n, len - n, "%lldd", secs / 86400);
	if (secs >= 3600 && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%lldh", secs % 86400 / 3600);
	if (secs >= 60 && secs < 86400 && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%lldm", secs % 3600 / 60);
	if (secs < 3600 && n < len)
		snprintf(buf + n, len - n, "%llds", secs % 60);
	return buf;
}

/* every zone loaded and its last load good; false when dnsd did not answer */
static bool dnsd_healthy(json_object *d)
{
	json_object *zones = ja(d, "zones");
	if (!d || !jb(d, "reachable"))
		return false;
	for (size_t i = 0; i < jlen(zones); i++) {
		json_object *z = json_object_array_get_idx(zones, i), *e;
		if (!jb(z, "loaded") ||
		    (json_object_object_get_ex(z, "error", &e) && e))
			return false;
	}
	return true;
}

static void dnsd_print_status(json_object *d)
{
	json_object *zones = ja(d, "zones"), *last = NULL, *e;
	char t[40], up[32];
	size_t loaded = 0;

	if (!d) {
		printf("dnsd: not checked (no configuration: give -c or --dnsd-socket)\n");
		return;
	}
	if (!jb(d, "reachable")) {
		printf("dnsd: NOT REACHABLE: %s\n", js(d, "error"));
		return;
	}
	for (size_t i = 0; i < jlen(zones); i++)
		loaded += jb(json_object_array_get_idx(zones, i), "loaded");
	json_object_object_get_ex(d, "uptime", &e);
	printf("dnsd: %s, %zu of %zu zones loaded (pid %s, up %s, generation %s%s)\n",
	       dnsd_healthy(d) ? "serving" : "SERVING WITH PROBLEMS", loaded, jlen(zones),
	       js(d, "pid"), ctl_duration(e ? json_object_get_int64(e) : 0, up, sizeof up),
	       js(d, "generation"), jb(d, "reloading") ? ", reloading now" : "");
	for (size_t i = 0; i < jlen(zones); i++) {
		json_object *z = json_object_array_get_idx(zones, i);
		bool err = json_object_object_get_ex(z, "error", &e) && e;
		if (jb(z, "loaded"))
			printf("    zone %-24s serial %-10s loaded %s  %s records%s%s\n",
			       js(z, "name"), js(z, "serial"), ctl_time(js(z, "loaded-at"), t, sizeof t),
			       js(z, "records"), err ? "\n        LAST LOAD FAILED, serving the older copy: "
			       : "", err ? js(z, "error") : "");
		else
			printf("    zone %-24s NOT LOADED (answered REFUSED): %s\n", js(z, "name"),
			       err ? js(z, "error") : "?");
	}
	if (json_object_object_get_ex(d, "last-reload", &last) && last)
		printf("    last reload %s: %s: %s\n", ctl_time(js(last, "at"), t, sizeof t),
		       jb(last, "ok") ? "ok" : "FAILED", js(last, "message"));
}

static int cmd_status(struct raizctl *r, int argc, char **argv)
{
	char err[1024];
	bool unreachable;
	int rc, drc;
	const char *path = ctl_socket(r);

	if (argc != 1 || !path) {
		if (argc != 1)
			usage(stderr);
		return EXIT_USAGE;
	}
	json_object *st = ctl_ask("raiz-controller", path, "status", NULL, CTL_TIMEOUT_MS,
				  &unreachable, err, sizeof err);
	json_object *d = dnsd_call(r, "status", CTL_TIMEOUT_MS, &drc);
	if (drc != EXIT_OK) {
		json_object_put(st);
		return drc;
	}
	if (!st) {
		rc = unreachable ? EXIT_UNREACHABLE : EXIT_BAD;
		st = json_object_new_object();
		json_object_object_add(st, "ok", json_object_new_boolean(0));
		json_object_object_add(st, "error", json_object_new_string(err));
		json_object_object_add(st, "controller", ctl_unreachable(path, err));
		if (!r->json)
			fprintf(stderr, "raizctl: %s\n", err);
	} else if (!jb(st, "ok")) {
		rc = EXIT_BAD;
		if (!r->json)
			fprintf(stderr, "raizctl: status: %s\n", js(st, "error"));
	} else {
		char doubt[160];
		rc = jb(st, "healthy") && !ctl_doubt(st, doubt, sizeof doubt) ? EXIT_OK : EXIT_BAD;
		if (!r->json)
			ctl_print_status(st);
	}
	if (d) {
		if (rc == EXIT_OK && !dnsd_healthy(d))
			rc = EXIT_BAD;
		if (!r->json)
			dnsd_print_status(d);
		json_object_object_add(st, "dnsd", d);
	} else if (!r->json) {
		dnsd_print_status(NULL);
	}
	if (r->json)
		ctl_print_json(st);
	json_object_put(st);
	return rc;
}

static int cmd_why(struct raizctl *r, int argc, char **argv)
{
	int rc;
	long max = 20;
	if (argc > 1) {
		char *end;
		max = strtol(argv[1], &end, 10);
		if (*end || max <= 0 || argc > 2) {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	json_object *req = json_object_new_object();
	json_object_object_add(req, "max", json_object_new_int64(max));
	json_object *h = ctl_call(r, "why", req, &rc);
	if (!h)
		return rc;
	if (r->json) {
		ctl_print_json(h);
	} else {
		json_object *pfx = ja(h, "prefixes"), *svc = ja(h, "services"), *hist = ja(h, "history");
		char t[40];
		for (size_t i = 0; i < jlen(pfx); i++) {
			json_object *p = json_object_array_get_idx(pfx, i);
			printf("%-18s %-11s %s\n", js(p, "prefix"), ctl_prefix_word(p), js(p, "why"));
		}
		for (size_t i = 0; i < jlen(svc); i++) {
			json_object *s = json_object_array_get_idx(svc, i);
			printf("service %-10s %-9s %s\n", js(s, "name"), js(s, "state"), js(s, "why"));
		}
		printf("recent transitions, newest first:\n");
		for (size_t i = 0; i < jlen(hist); i++) {
			json_object *e = json_object_array_get_idx(hist, i);
			printf("  %s  %-22s %s -> %s: %s\n", ctl_time(js(e, "at"), t, sizeof t),
			       js(e, "subject"), js(e, "from"), js(e, "to"), js(e, "reason"));
		}
	}
	bool all = true;
	json_object *pfx = ja(h, "prefixes");
	for (size_t i = 0; i < jlen(pfx); i++) {
		json_object *p = json_object_array_get_idx(pfx, i);
		all &= strcmp(js(p, "desired"), "announce") == 0 && jb(p, "verified");
	}
	all &= jlen(pfx) > 0;
	json_object_put(h);
	return all ? EXIT_OK : EXIT_BAD;
}

static int cmd_simple(struct raizctl *r, const char *cmd, json_object *extra)
{
	int rc;
	json_object *rep = ctl_call(r, cmd, extra, &rc);
	if (!rep)
		return rc;
	if (r->json)
		ctl_print_json(rep);
	else if (js(rep, "message")[0])
		printf("%s\n", js(rep, "message"));
	json_object_put(rep);
	return EXIT_OK;
}

static int cmd_drain(struct raizctl *r, int argc, char **argv)
{
	const char *reason = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
			reason = argv[++i];
		else if (strncmp(argv[i], "--reason=", 9) == 0)
			reason = argv[i] + 9;
		else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	json_object *req = json_object_new_object();
	if (reason)
		json_object_object_add(req, "reason", json_object_new_string(reason));
	return cmd_simple(r, "drain", req);
}

static int cmd_probe(struct raizctl *r, int argc, char **argv)
{
	if (ctl_load_config(r) < 0)
		return EXIT_USAGE;
	const struct cfg_ctl *k = &r->cfg->ctl;
	for (int i = 1; i < argc; i++) {
		size_t j;
		for (j = 0; j < k->nprobes && strcmp(k->probes[j].name, argv[i]); j++)
			;
		if (j == k->nprobes) {
			fprintf(stderr, "raizctl: no probe \"%s\" in %s\n", argv[i], r->config_path);
			return EXIT_USAGE;
		}
	}
	if (k->nprobes == 0) {
		fprintf(stderr, "raizctl: %s configures no probes\n", r->config_path);
		return EXIT_USAGE;
	}
	json_object *arr = json_object_new_array();
	int rc = EXIT_OK;
	for (size_t j = 0; j < k->nprobes; j++) {
		const struct cfg_probe *p = &k->probes[j];
		bool wanted = argc <= 1;
		for (int i = 1; i < argc; i++)
			wanted |= strcmp(p->name, argv[i]) == 0;
		if (!wanted)
			continue;
		struct probe_result res;
		memset(&res, 0, sizeof res);
		int x = probe_run_once(p, &res);
		if (x < 0) {
			snprintf(res.reason, sizeof res.reason, "local error: %s", strerror(errno));
			res.verdict = PROBE_HARD;
		}
		if (res.verdict != PROBE_OK)
			rc = EXIT_BAD;
		if (r->json) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "name", json_object_new_string(p->name));
			json_object_object_add(o, "verdict",
					       json_object_new_string(probe_verdict_name(res.verdict)));
			json_object_object_add(o, "reason", json_object_new_string(res.reason));
			json_object_object_add(o, "latency-ms",
					       ctlclient_json_ms(res.latency_us));
			if (res.rcode >= 0)
				json_object_object_add(o, "rcode", json_object_new_int(res.rcode));
			if (res.has_nsid)
				json_object_object_add(o, "nsid", json_object_new_string(res.nsid));
			if (res.has_serial)
				json_object_object_add(o, "serial", json_object_new_int64(res.serial));
			json_object_array_add(arr, o);
		} else {
			printf("%-12s %-10s %7.1f ms  %s%s%s\n", p->name,
			       probe_verdict_name(res.verdict), (double)res.latency_us / 1000.0,
			       res.reason[0] ? res.reason : "ok", res.has_nsid ? "  nsid " : "",
			       res.has_nsid ? res.nsid : "");
		}
	}
	if (r->json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(rc == EXIT_OK));
		json_object_object_add(o, "probes", arr);
		ctl_print_json(o);
		json_object_put(o);
	} else {
		json_object_put(arr);
	}
	return rc;
}

/*
 * reload [--dnsd|--controller]: raiz-dnsd first (it answers when the new
 * zones are served), then raiz-controller.  The configuration is checked
 * here first, so a bad file is reported as file:line with exit 2.
 */
static int cmd_reload(struct raizctl *r, int argc, char **argv)
{
	bool want_dnsd = true, want_ctl = true;
	char err[1024];
	bool unreachable;
	int rc = EXIT_OK, drc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dnsd") == 0 && want_dnsd)
			want_ctl = false;
		else if (strcmp(argv[i], "--controller") == 0 && want_ctl)
			want_dnsd = false;
		else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if ((r->config_given || !r->socket) && ctl_load_config(r) < 0)
		return EXIT_USAGE;
	json_object *out = json_object_new_object();
	if (want_dnsd) {
		json_object *d = dnsd_call(r, "reload", CTL_RELOAD_TIMEOUT_MS, &drc);
		if (drc != EXIT_OK) {
			json_object_put(out);
			return drc;
		}
		if (!d && !want_ctl) {
			fprintf(stderr, "raizctl: reload --dnsd: raiz-dnsd's socket is not known "
				"(give -c or --dnsd-socket)\n");
			json_object_put(out);
			return EXIT_USAGE;
		}
		if (d) {
			if (!jb(d, "ok"))
				rc = EXIT_BAD;
			if (!r->json)
				printf("raiz-dnsd: %s%s\n", jb(d, "ok") ? "" : "FAILED: ",
				       jb(d, "ok") ? js(d, "result") : js(d, "error"));
			json_object_object_add(out, "dnsd", d);
		}
	}
	if (want_ctl) {
		const char *path = ctl_socket(r);
		json_object *c = path ? ctl_ask("raiz-controller", path, "reload", NULL,
						CTL_TIMEOUT_MS, &unreachable, err, sizeof err) : NULL;
		if (!path) {
			json_object_put(out);
			return EXIT_USAGE;
		}
		if (!c) {
			c = ctl_unreachable(path, err);
			rc = unreachable ? EXIT_UNREACHABLE : EXIT_BAD;
		} else if (!jb(c, "ok") && rc == EXIT_OK) {
			rc = EXIT_BAD;
		}
		if (!r->json)
			printf("raiz-controller: %s%s\n", jb(c, "ok") ? "" : "FAILED: ",
			       jb(c, "ok") ? js(c, "message") : js(c, "error"));
		json_object_object_add(out, "controller", c);
	}
	json_object_object_add(out, "ok", json_object_new_boolean(rc == EXIT_OK));
	if (r->json)
		ctl_print_json(out);
	json_object_put(out);
	return rc;
}

/*
 * metrics: both daemons in the Prometheus text format (see metrics.h);
 * --json prints the replies it is made from.  Exit 3 when the controller
 * did not answer, 1 when raiz-dnsd did not, else 0.
 */
static int cmd_metrics(struct raizctl *r, int argc, char **argv)
{
	char err[1024];
	bool unreachable;
	int rc = EXIT_OK, drc;
	struct metrics_input in = { NULL, NULL, NULL };
	const char *path = ctl_socket(r);

	if (argc != 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!path)
		return EXIT_USAGE;
	json_object *ds = dnsd_call(r, "status", CTL_TIMEOUT_MS, &drc);
	if (drc != EXIT_OK)
		return drc;
	json_object *dt = ds && jb(ds, "ok") ? dnsd_call(r, "stats", CTL_TIMEOUT_MS, &drc) : NULL;
	json_object *cs = ctl_ask("raiz-controller", path, "status", NULL, CTL_TIMEOUT_MS,
				  &unreachable, err, sizeof err);
	if (!cs || !jb(cs, "ok")) {
		fprintf(stderr, "raizctl: %s\n", cs ? js(cs, "error") : err);
		rc = !cs && unreachable ? EXIT_UNREACHABLE : EXIT_BAD;
	} else {
		in.ctl_status = cs;
	}
	if (!ds || !jb(ds, "ok") || !dt || !jb(dt, "ok")) {
		if (ds)
			fprintf(stderr, "raizctl: %s\n", jb(ds, "ok") ? js(dt, "error") : js(ds, "error"));
		else
			fprintf(stderr, "raizctl: raiz-dnsd's socket is not known (give -c or "
				"--dnsd-socket)\n");
		if (rc == EXIT_OK)
			rc = EXIT_BAD;
	}
	if (ds && jb(ds, "ok")) {
		in.dnsd_status = ds;
		in.dnsd_stats = dt && jb(dt, "ok") ? dt : NULL;
	}
	if (r->json) {
		json_object *o = json_object_new_object(), *d = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(rc == EXIT_OK));
		json_object_object_add(d, "status", json_object_get(ds));
		json_object_object_add(d, "stats", json_object_get(dt));
		json_object_object_add(o, "dnsd", d);
		json_object_object_add(o, "controller",
				       cs ? json_object_get(cs) : ctl_unreachable(path, err));
		ctl_print_json(o);
		json_object_put(o);
	} else if (metrics_write(stdout, &in) < 0) {
		fprintf(stderr, "raizctl: metrics: cannot write: %s\n", strerror(errno));
		rc = EXIT_BAD;
	}
	json_object_put(ds);
	json_object_put(dt);
	json_object_put(cs);
	return rc;
}

static int cmd_bird_conf(struct raizctl *r, int argc, char **argv)
{
	char err[1024];
	int kind = BIRDCONF_NODE;
	if (argc > 2 || (argc == 2 && (kind = birdconf_kind_parse(argv[1])) < 0)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (ctl_load_config(r) < 0)
		return EXIT_USAGE;
	if (birdconf_write(r->cfg, (enum birdconf_kind)kind, stdout, err, sizeof err) < 0) {
		fprintf(stderr, "raizctl: bird-conf: %s\n", err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int cmd_version(struct raizctl *r, int argc, char **argv)
{
	char err[1024];
	bool unreachable;
	int drc;
	const char *path = r->socket;

	if (argc != 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	printf("raizctl %s\n", RAIZ_VERSION);
	if (!path && config_load(r->config_path, &r->cfg, err, sizeof err) == 0)
		path = r->cfg->ctl.controller.control_socket;
	if (!path)
		path = CTL_DEFAULT_SOCKET;
	json_object *rep = ctl_ask("raiz-controller", path, "version", NULL, CTL_TIMEOUT_MS,
				   &unreachable, err, sizeof err);
	if (rep && jb(rep, "ok"))
		printf("raiz-controller %s\n", js(rep, "version"));
	else
		printf("raiz-controller not reachable (%s)\n", rep ? js(rep, "error") : err);
	json_object_put(rep);
	if (!r->dnsd_socket && !r->cfg)
		return EXIT_OK;
	rep = dnsd_call(r, "status", CTL_TIMEOUT_MS, &drc);
	if (rep && jb(rep, "ok"))
		printf("raiz-dnsd %s\n", js(rep, "version"));
	else if (rep)
		printf("raiz-dnsd not reachable (%s)\n", js(rep, "error"));
	json_object_put(rep);
	return EXIT_OK;
}

static int cmd_undrain(struct raizctl *r, int argc, char **argv)
{
	if (argc != 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return cmd_simple(r, "undrain", NULL);
}

/* the commands; tests/t_docs.sh checks that raizctl(8) documents each */
static const struct ctl_command {
	const char *name;
	int (*run)(struct raizctl *r, int argc, char **argv);
	const char *args, *help;
} ctl_commands[] = {
	{ "status", cmd_status, "", "per prefix: announced or not, since when, why; raiz-dnsd's zones" },
	{ "why", cmd_why, "[N]", "the last N transitions (default 20) with reasons" },
	{ "probe", cmd_probe, "[name...]", "run the configured probes once (no controller needed)" },
	{ "drain", cmd_drain, "[--reason T]", "announce with GRACEFUL_SHUTDOWN, withdraw after drain-time" },
	{ "undrain", cmd_undrain, "", "back to health-driven announcing" },
	{ "reload", cmd_reload, "[--dnsd|--controller]", "make both daemons (or one) re-read the configuration" },
	{ "metrics", cmd_metrics, "", "both daemons in the Prometheus text format" },
	{ "bird-conf", cmd_bird_conf, "[node|isp|state]", "print BIRD configuration generated from raiz.json" },
	{ "version", cmd_version, "", "print the versions of raizctl and both daemons" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: raizctl [-c config] [-s socket] [-d dnsd-socket] [--json] command [args]\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof ctl_commands / sizeof ctl_commands[0]; i++) {
		char head[64];
		snprintf(head, sizeof head, "%s %s", ctl_commands[i].name, ctl_commands[i].args);
		fprintf(f, "  %-34s %s\n", head, ctl_commands[i].help);
	}
	fprintf(f, "exit status: 0 healthy and announcing / done, 1 not announcing, unhealthy or\n"
		"             failed, 2 usage or configuration error, 3 controller not reachable\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "dnsd-socket", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct raizctl r = { .config_path = CONFIG_DEFAULT_PATH };
	int o, rc;

	log_init("raizctl", false, LOG_LVL_WARNING);
	/* options stop at the command: "raizctl drain --reason x" */
	while ((o = getopt_long(argc, argv, "+c:s:d:jhV", opts, NULL)) != -1) {
		switch (o) {
		case 'c': r.config_path = optarg; r.config_given = true; break;
		case 's': r.socket = optarg; break;
		case 'd': r.dnsd_socket = optarg; break;
		case 'j': r.json = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf("raizctl %s\n", RAIZ_VERSION); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	int cargc = argc - optind;
	char **cargv = argv + optind;
	const char *cmd = cargv[0];
	/* allow --json after the command too */
	for (int i = 1; i < cargc; i++)
		if (strcmp(cargv[i], "--json") == 0) {
			r.json = true;
			memmove(&cargv[i], &cargv[i + 1], (size_t)(cargc - i - 1) * sizeof *cargv);
			cargc--;
			i--;
		}

	rc = -1;
	for (size_t i = 0; i < sizeof ctl_commands / sizeof ctl_commands[0]; i++)
		if (strcmp(cmd, ctl_commands[i].name) == 0)
			rc = ctl_commands[i].run(&r, cargc, cargv);
	if (rc < 0) {
		usage(stderr);
		rc = EXIT_USAGE;
	}
	if (r.cfg)
		config_free(r.cfg);
	fflush(stdout);
	return rc;
}
