/* ctlprint — see ctlprint.h */
#include "raizctl/ctlprint.h"

#include <string.h>

#include "raizctl/ctljson.h"

#define js ctljson_str
#define jb ctljson_bool
#define ja ctljson_array
#define jlen ctljson_len

/* one time field of o, "2026-11-21T08:00:00.123Z" -> "2026-11-21T08:00:00Z";
 * "-" when absent.  Each call needs its own buf. */
static const char *ctlprint_time(json_object *o, const char *key, char *buf, size_t len)
{
	const char *t = js(o, key);
	if (!t[0])
		return "-";
	snprintf(buf, len, "%.19sZ", t);
	return buf;
}

void ctlprint_json(FILE *f, json_object *o)
{
	fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
}

static const char *ctlprint_prefix_word(json_object *p)
{
	const char *d = js(p, "desired");
	bool v = jb(p, "verified");
	if (strcmp(d, "announce") == 0)
		return v ? "ANNOUNCED" : "ANNOUNCING";
	if (strcmp(d, "drain") == 0)
		return v ? "DRAINED" : "DRAINING";
	return v ? "WITHDRAWN" : "WITHDRAWING";
}

static void ctlprint_upper(const char *s, char *out, size_t len)
{
	size_t i;
	for (i = 0; s[i] && i + 1 < len; i++)
		out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	out[i] = '\0';
}

/* "    bird: connected, static raiz_v4 up; isp up Established exported" */
static void ctlprint_bird(FILE *f, json_object *p)
{
	json_object *b = NULL, *x;
	char t[40];

	if (!json_object_object_get_ex(p, "bird", &b) || !b)
		return;
	fprintf(f, "    bird: %s, static %s %s", jb(b, "connected") ? "connected" : "NOT CONNECTED",
		js(p, "static-protocol"), js(b, "static"));
	json_object *bgp = ja(b, "bgp");
	for (size_t j = 0; j < jlen(bgp); j++) {
		json_object *e = json_object_array_get_idx(bgp, j);
		fprintf(f, "; %s %s%s%s", js(e, "name"), js(e, "state"),
			js(e, "info")[0] ? " " : "", js(e, "info"));
		if (json_object_object_get_ex(e, "exported", &x))
			fputs(json_object_get_boolean(x) ? " exported" : " not exported", f);
		if (json_object_object_get_ex(e, "drained", &x) && json_object_get_boolean(x))
			fputs(" with 65535:0", f);
	}
	fputc('\n', f);
	if (js(b, "error")[0])
		fprintf(f, "    bird error: %s (%s)\n", js(b, "error"),
			ctlprint_time(b, "error-at", t, sizeof t));
}

static void ctlprint_prefix(FILE *f, json_object *p, json_object *svc)
{
	json_object *ps = ja(p, "services");
	char svcs[512] = "", t[40];
	size_t n = 0;

	for (size_t j = 0; j < jlen(ps) && n < sizeof svcs; j++) {
		const char *name = json_object_get_string(json_object_array_get_idx(ps, j));
		json_object *s = ctljson_find(svc, "name", name);
		n += (size_t)snprintf(svcs + n, sizeof svcs - n, "%s%s %s: %s/%s probes ok",
				      j ? ", " : "", name, s ? js(s, "state") : "?",
				      s ? js(s, "probes-ok") : "?",
				      s ? js(s, "probes-total") : "?");
	}
	fprintf(f, "%-18s %-11s since %s  (%s)\n", js(p, "prefix"), ctlprint_prefix_word(p),
		ctlprint_time(p, "since", t, sizeof t), svcs);
	fprintf(f, "    why: %s\n", js(p, "why"));
	ctlprint_bird(f, p);
}

static void ctlprint_service(FILE *f, json_object *s)
{
	json_object *pr = ja(s, "probes");
	char t[40], up[32];

	ctlprint_upper(js(s, "state"), up, sizeof up);
	fprintf(f, "service %-10s %-9s since %s  %s/%s probes ok%s\n", js(s, "name"), up,
		ctlprint_time(s, "since", t, sizeof t), js(s, "probes-ok"), js(s, "probes-total"),
		jb(s, "suppressed") ? ", SUPPRESSED by flap damping" : "");
	fprintf(f, "    why: %s\n", js(s, "why"));
	if (jb(s, "suppressed"))
		fprintf(f, "    damping: penalty %s, released at %s\n", js(s, "penalty"),
			ctlprint_time(s, "reuse-at", t, sizeof t));
	else if (js(s, "penalty")[0] && strcmp(js(s, "penalty"), "0") != 0)
		fprintf(f, "    damping: penalty %s\n", js(s, "penalty"));
	if (js(s, "hold-until")[0])
		fprintf(f, "    held down until %s\n", ctlprint_time(s, "hold-until", t, sizeof t));
	for (size_t j = 0; j < jlen(pr); j++) {
		json_object *p = json_object_array_get_idx(pr, j), *lat = NULL;
		json_object_object_get_ex(p, "latency-ms", &lat);
		fprintf(f, "    %-12s %-10s %7.1f ms  %s\n", js(p, "name"), js(p, "verdict"),
			lat ? json_object_get_double(lat) : 0.0, js(p, "reason"));
	}
}

void ctlprint_status(FILE *f, json_object *st)
{
	json_object *pfx = ja(st, "prefixes"), *svc = ja(st, "services"), *m = NULL;
	const char *node = js(st, "node")[0] ? js(st, "node") : "?";
	char since[40], until[40];

	if (jb(st, "healthy"))
		fprintf(f, "node %s: healthy, every prefix announced\n", node);
	else
		fprintf(f, "node %s: NOT healthy: %s\n", node, js(st, "healthy-why"));
	for (size_t i = 0; i < jlen(pfx); i++)
		ctlprint_prefix(f, json_object_array_get_idx(pfx, i), svc);
	for (size_t i = 0; i < jlen(svc); i++)
		ctlprint_service(f, json_object_array_get_idx(svc, i));
	/* the zone copies: said when they are not known to be fine */
	json_object *zs = NULL;
	if (json_object_object_get_ex(st, "zone-sync", &zs) && js(zs, "verdict")[0] &&
	    strcmp(js(zs, "verdict"), "healthy") != 0)
		fprintf(f, "zone copies: %s%s%s\n",
			strcmp(js(zs, "verdict"), "unknown") == 0
				? "UNKNOWN (raiz-dnsd's control socket does not answer; not a reason "
				  "to withdraw)" : "UNFIT",
			js(zs, "reason")[0] ? ": " : "", js(zs, "reason"));
	if (json_object_object_get_ex(st, "maintenance", &m) && jb(m, "active"))
		fprintf(f, "maintenance: DRAIN since %s (%s); withdrawn from %s; end with "
			"\"raizctl undrain\"\n", ctlprint_time(m, "since", since, sizeof since),
			js(m, "reason"), ctlprint_time(m, "withdraw-at", until, sizeof until));
	if (jb(st, "stopping"))
		fprintf(f, "raiz-controller is stopping\n");
}

void ctlprint_why(FILE *f, json_object *h)
{
	json_object *pfx = ja(h, "prefixes"), *svc = ja(h, "services"), *hist = ja(h, "history");
	char t[40];

	for (size_t i = 0; i < jlen(pfx); i++) {
		json_object *p = json_object_array_get_idx(pfx, i);
		fprintf(f, "%-18s %-11s %s\n", js(p, "prefix"), ctlprint_prefix_word(p),
			js(p, "why"));
	}
	for (size_t i = 0; i < jlen(svc); i++) {
		json_object *s = json_object_array_get_idx(svc, i);
		fprintf(f, "service %-10s %-9s %s\n", js(s, "name"), js(s, "state"), js(s, "why"));
	}
	fprintf(f, "recent transitions, newest first:\n");
	for (size_t i = 0; i < jlen(hist); i++) {
		json_object *e = json_object_array_get_idx(hist, i);
		fprintf(f, "  %s  %-22s %s -> %s: %s\n", ctlprint_time(e, "at", t, sizeof t),
			js(e, "subject"), js(e, "from"), js(e, "to"), js(e, "reason"));
	}
}

const char *ctlprint_duration(long long secs, char *buf, size_t len)
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

bool ctlprint_dnsd_ok(json_object *d)
{
	json_object *zones = ja(d, "zones");
	if (!d || !jb(d, "reachable"))
		return false;
	for (size_t i = 0; i < jlen(zones); i++) {
		json_object *z = json_object_array_get_idx(zones, i), *e;
		if (!jb(z, "loaded") || (json_object_object_get_ex(z, "error", &e) && e))
			return false;
	}
	return true;
}

void ctlprint_dnsd(FILE *f, json_object *d)
{
	json_object *zones = ja(d, "zones"), *last = NULL, *e = NULL;
	char t[40], up[32];
	size_t loaded = 0;

	if (!d) {
		fprintf(f, "dnsd: not checked (no configuration: give -c or --dnsd-socket)\n");
		return;
	}
	if (!jb(d, "reachable")) {
		fprintf(f, "dnsd: NOT REACHABLE: %s\n", js(d, "error"));
		return;
	}
	for (size_t i = 0; i < jlen(zones); i++)
		loaded += jb(json_object_array_get_idx(zones, i), "loaded");
	json_object_object_get_ex(d, "uptime", &e);
	fprintf(f, "dnsd: %s, %zu of %zu zones loaded (pid %s, up %s, generation %s%s)\n",
		ctlprint_dnsd_ok(d) ? "serving" : "SERVING WITH PROBLEMS", loaded, jlen(zones),
		js(d, "pid"), ctlprint_duration(e ? json_object_get_int64(e) : 0, up, sizeof up),
		js(d, "generation"), jb(d, "reloading") ? ", reloading now" : "");
	for (size_t i = 0; i < jlen(zones); i++) {
		json_object *z = json_object_array_get_idx(zones, i);
		bool err = json_object_object_get_ex(z, "error", &e) && e;
		if (jb(z, "loaded"))
			fprintf(f, "    zone %-24s serial %-10s loaded %s  %s records%s%s\n",
				js(z, "name"), js(z, "serial"),
				ctlprint_time(z, "loaded-at", t, sizeof t), js(z, "records"),
				err ? "\n        LAST LOAD FAILED, serving the older copy: " : "",
				err ? js(z, "error") : "");
		else
			fprintf(f, "    zone %-24s NOT LOADED (answered REFUSED): %s\n",
				js(z, "name"), err ? js(z, "error") : "?");
	}
	if (json_object_object_get_ex(d, "last-reload", &last) && last)
		fprintf(f, "    last reload %s: %s: %s\n", ctlprint_time(last, "at", t, sizeof t),
			jb(last, "ok") ? "ok" : "FAILED", js(last, "message"));
}
