/* ctlzones — see ctlzones.h */
#include "raizctl/ctlzones.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "raizctl/ctljson.h"
#include "raizctl/ctlprint.h"

#define js ctljson_str
#define jb ctljson_bool
#define ja ctljson_array
#define jlen ctljson_len

enum { ZT_NAME, ZT_KIND, ZT_SERVED, ZT_STATE, ZT_SERIAL, ZT_PSERIAL, ZT_LAG, ZT_REFRESHED,
       ZT_NEXT, ZT_EXPIRES, ZT_FAILURE, ZT_COLS };

static const char *const ctlzones_heads[ZT_COLS] = {
	"ZONE", "KIND", "SERVED", "STATE", "SERIAL", "PRIMARY-SERIAL", "LAG", "LAST-REFRESH",
	"NEXT-REFRESH", "EXPIRES", "LAST-FAILURE",
};

#define ZT_CELL 280		/* a presentation-format name, escapes included */
#define ZT_REASON 40		/* a failure's reason in the table, at most */

json_object *ctlzones_find(json_object *rep, const char *name)
{
	json_object *zones = ja(rep, "zones");
	size_t n = strlen(name);

	if (n > 1 && name[n - 1] == '.')
		n--;
	for (size_t i = 0; i < jlen(zones); i++) {
		json_object *z = json_object_array_get_idx(zones, i);
		const char *zn = js(z, "name");
		size_t m = strlen(zn);
		if (m > 1 && zn[m - 1] == '.')
			m--;
		if (m == n && strncasecmp(zn, name, n) == 0)
			return z;
	}
	return NULL;
}

/* seconds since the epoch as "2026-12-07T10:00:00Z" */
static const char *ctlzones_utc(long long t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "@%lld", t);
	return buf;
}

/* t against now: "12s ago", "now", "in 48s" */
static const char *ctlzones_rel(long long now, long long t, char *buf, size_t len)
{
	char d[32];
	if (t == now)
		snprintf(buf, len, "now");
	else if (t < now)
		snprintf(buf, len, "%s ago", ctlprint_duration(now - t, d, sizeof d));
	else
		snprintf(buf, len, "in %s", ctlprint_duration(t - now, d, sizeof d));
	return buf;
}

/* o[key], a time: "-" when null or missing, else relative (or, with abs,
 * "2026-12-07T10:00:00Z (12s ago)") */
static const char *ctlzones_when(json_object *o, const char *key, long long now, bool abs,
				 char *buf, size_t len)
{
	int64_t t;
	char u[40], r[48];
	if (!ctljson_int(o, key, &t))
		return "-";
	if (!abs)
		return ctlzones_rel(now, t, buf, len);
	snprintf(buf, len, "%s (%s)", ctlzones_utc(t, u, sizeof u), ctlzones_rel(now, t, r, sizeof r));
	return buf;
}

/* o[key] as text, "-" when null or missing */
static const char *ctlzones_text(json_object *o, const char *key)
{
	return js(o, key)[0] ? js(o, key) : "-";
}

/* s cut to at most max bytes, "..." marking the cut: after a word when
 * one ends in the second half, never inside a UTF-8 character */
static const char *ctlzones_short(const char *s, size_t max, char *buf, size_t len)
{
	size_t n = strlen(s);
	if (n <= max) {
		snprintf(buf, len, "%s", s);
		return buf;
	}
	n = max - 3;
	for (size_t i = max - 4; i > max / 2; i--)
		if (s[i] == ' ') {
			n = i + 1;
			break;
		}
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	snprintf(buf, len, "%.*s...", (int)n, s);
	return buf;
}

/* "; last failure: reason" when the zone has one, else "" */
static const char *ctlzones_failure_note(json_object *z, char *buf, size_t len)
{
	json_object *lf = NULL;
	buf[0] = '\0';
	if (json_object_object_get_ex(z, "last-failure", &lf) && lf && js(lf, "reason")[0])
		snprintf(buf, len, "; last failure: %s", js(lf, "reason"));
	return buf;
}

bool ctlzones_wrong(json_object *z, char *why, size_t len)
{
	const char *state = js(z, "state");
	char a[40], b[40], note[512];
	int64_t t, lag, max, serial, pserial;

	why[0] = '\0';
	ctlzones_failure_note(z, note, sizeof note);
	if (strcmp(state, "expired") == 0) {
		char since[80] = "never refreshed from a primary";
		if (ctljson_int(z, "refreshed-at", &t))
			snprintf(since, sizeof since, "no refresh from a primary since %s",
				 ctlzones_utc(t, b, sizeof b));
		if (ctljson_int(z, "expires-at", &t))
			snprintf(why, len, "expired at %s (%s%s)", ctlzones_utc(t, a, sizeof a), since,
				 note);
		else
			snprintf(why, len, "expired (%s%s)", since, note);
		return true;
	}
	if (strcmp(state, "no-copy") == 0) {
		snprintf(why, len, "no copy to serve (no transfer from a primary has succeeded%s)",
			 note);
		return true;
	}
	if (ctljson_int(z, "lag", &lag) && ctljson_int(z, "max-lag", &max) && max > 0 &&
	    lag > max) {
		char s1[24] = "-", s2[24] = "-";
		if (ctljson_int(z, "serial", &serial))
			snprintf(s1, sizeof s1, "%lld", (long long)serial);
		if (ctljson_int(z, "primary-serial", &pserial))
			snprintf(s2, sizeof s2, "%lld", (long long)pserial);
		snprintf(why, len, "%lld s behind its primary (served %s, primary %s; max-lag %lld s)",
			 (long long)lag, s1, s2, (long long)max);
		return true;
	}
	/* a catalog zone is transferred and checked, never answered */
	if (!jb(z, "served") && !json_object_object_get_ex(z, "catalog-members", NULL)) {
		if (strcmp(state, "file") == 0)
			snprintf(why, len, "not served: its file did not load (see raizctl status)");
		else
			snprintf(why, len, "not served (state %s%s)", state[0] ? state : "unknown", note);
		return true;
	}
	return false;
}

/* the cells of one table row */
static void ctlzones_row(json_object *z, long long now, char cell[ZT_COLS][ZT_CELL])
{
	json_object *lf = NULL;
	char why[8], r[48], sh[ZT_REASON + 8];
	int64_t lag;
	bool wrong = ctlzones_wrong(z, why, sizeof why);
	const char *state = js(z, "state");

	snprintf(cell[ZT_NAME], ZT_CELL, "%s", js(z, "name"));
	snprintf(cell[ZT_KIND], ZT_CELL, "%s", ctlzones_text(z, "kind"));
	snprintf(cell[ZT_SERVED], ZT_CELL, "%s", jb(z, "served") ? "yes" : "NO");
	size_t i;
	for (i = 0; state[i] && i + 1 < ZT_CELL; i++)
		cell[ZT_STATE][i] = wrong && state[i] >= 'a' && state[i] <= 'z' ? (char)(state[i] - 32)
			: state[i];
	cell[ZT_STATE][i] = '\0';
	if (!i)
		snprintf(cell[ZT_STATE], ZT_CELL, "-");
	snprintf(cell[ZT_SERIAL], ZT_CELL, "%s", ctlzones_text(z, "serial"));
	snprintf(cell[ZT_PSERIAL], ZT_CELL, "%s", ctlzones_text(z, "primary-serial"));
	if (strcmp(js(z, "kind"), "file") != 0 && ctljson_int(z, "lag", &lag))
		ctlprint_duration(lag, cell[ZT_LAG], ZT_CELL);
	else
		snprintf(cell[ZT_LAG], ZT_CELL, "-");
	snprintf(cell[ZT_REFRESHED], ZT_CELL, "%s",
		 ctlzones_when(z, "refreshed-at", now, false, r, sizeof r));
	snprintf(cell[ZT_NEXT], ZT_CELL, "%s", ctlzones_when(z, "next-refresh", now, false, r, sizeof r));
	snprintf(cell[ZT_EXPIRES], ZT_CELL, "%s", ctlzones_when(z, "expires-at", now, false, r, sizeof r));
	if (json_object_object_get_ex(z, "last-failure", &lf) && lf)
		snprintf(cell[ZT_FAILURE], ZT_CELL, "%s: %s",
			 ctlzones_when(lf, "at", now, false, r, sizeof r),
			 ctlzones_short(js(lf, "reason"), ZT_REASON, sh, sizeof sh));
	else
		snprintf(cell[ZT_FAILURE], ZT_CELL, "-");
}

static void ctlzones_line(FILE *f, char cell[ZT_COLS][ZT_CELL], const int *w)
{
	for (int c = 0; c < ZT_COLS - 1; c++)
		fprintf(f, "%-*s  ", w[c], cell[c]);
	fprintf(f, "%s\n", cell[ZT_COLS - 1]);
}

size_t ctlzones_table(FILE *f, json_object *rep)
{
	json_object *zones = ja(rep, "zones");
	char cell[ZT_COLS][ZT_CELL], why[1024];
	int w[ZT_COLS];
	int64_t now = 0;
	size_t nwrong = 0;

	ctljson_int(rep, "now", &now);
	if (!jlen(zones)) {
		fprintf(f, "raiz-dnsd has no zones\n");
		return 0;
	}
	for (int c = 0; c < ZT_COLS; c++) {
		w[c] = (int)strlen(ctlzones_heads[c]);
		snprintf(cell[c], ZT_CELL, "%s", ctlzones_heads[c]);
	}
	for (size_t i = 0; i < jlen(zones); i++) {
		char row[ZT_COLS][ZT_CELL];
		ctlzones_row(json_object_array_get_idx(zones, i), now, row);
		for (int c = 0; c < ZT_COLS; c++)
			if ((int)strlen(row[c]) > w[c])
				w[c] = (int)strlen(row[c]);
	}
	ctlzones_line(f, cell, w);
	for (size_t i = 0; i < jlen(zones); i++) {
		ctlzones_row(json_object_array_get_idx(zones, i), now, cell);
		ctlzones_line(f, cell, w);
	}
	for (size_t i = 0; i < jlen(zones); i++) {
		json_object *z = json_object_array_get_idx(zones, i);
		if (ctlzones_wrong(z, why, sizeof why)) {
			fprintf(f, "zone %s: %s\n", js(z, "name"), why);
			nwrong++;
		}
	}
	return nwrong;
}

/* one "label  value" line of the one-zone view */
static void ctlzones_field(FILE *f, const char *label, const char *value)
{
	fprintf(f, "%-16s %s\n", label, value);
}

bool ctlzones_detail(FILE *f, json_object *rep, json_object *z)
{
	static const struct {
		const char *key, *label;
	} times[] = {
		{ "checked-at", "checked" },
		{ "refreshed-at", "last refresh" },
		{ "behind-since", "behind since" },
	};
	json_object *o = NULL;
	char buf[1200], u[40], r[48], d[32], why[1024];
	int64_t now = 0, v;

	ctljson_int(rep, "now", &now);
	ctlzones_field(f, "zone", js(z, "name"));
	ctlzones_field(f, "kind", ctlzones_text(z, "kind"));
	ctlzones_field(f, "served", jb(z, "served") ? "yes" : "NO");
	ctlzones_field(f, "state", ctlzones_text(z, "state"));
	if (json_object_object_get_ex(z, "catalog-members", NULL))
		ctlzones_field(f, "catalog of", ctlzones_text(z, "catalog-members"));
	if (json_object_object_get_ex(z, "catalog", NULL))
		ctlzones_field(f, "catalog", ctlzones_text(z, "catalog"));
	if (json_object_object_get_ex(z, "group", NULL))
		ctlzones_field(f, "group", ctlzones_text(z, "group"));
	ctlzones_field(f, "serial", ctlzones_text(z, "serial"));
	if (json_object_object_get_ex(z, "records", NULL))
		ctlzones_field(f, "records", ctlzones_text(z, "records"));
	if (json_object_object_get_ex(z, "loaded-at", NULL))
		ctlzones_field(f, "loaded", ctlzones_when(z, "loaded-at", now, true, buf, sizeof buf));
	if (json_object_object_get_ex(z, "primary", NULL))
		ctlzones_field(f, "primary", ctlzones_text(z, "primary"));
	if (json_object_object_get_ex(z, "primary-serial", NULL))
		ctlzones_field(f, "primary serial", ctlzones_text(z, "primary-serial"));
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
		if (json_object_object_get_ex(z, times[i].key, NULL))
			ctlzones_field(f, times[i].label,
				       ctlzones_when(z, times[i].key, now, true, buf, sizeof buf));
	if (json_object_object_get_ex(z, "lag", NULL))
		ctlzones_field(f, "lag", ctljson_int(z, "lag", &v) ?
			       ctlprint_duration(v, d, sizeof d) : "-");
	if (json_object_object_get_ex(z, "max-lag", NULL)) {
		if (!ctljson_int(z, "max-lag", &v))
			snprintf(buf, sizeof buf, "-");
		else if (v == 0)
			snprintf(buf, sizeof buf, "0 (off)");
		else
			ctlprint_duration(v, buf, sizeof buf);
		ctlzones_field(f, "max-lag", buf);
	}
	if (json_object_object_get_ex(z, "next-refresh", NULL))
		ctlzones_field(f, "next refresh",
			       ctlzones_when(z, "next-refresh", now, true, buf, sizeof buf));
	if (json_object_object_get_ex(z, "expires-at", NULL))
		ctlzones_field(f, "expires", ctlzones_when(z, "expires-at", now, true, buf, sizeof buf));
	if (json_object_object_get_ex(z, "last-transfer", &o)) {
		if (o && ctljson_int(o, "at", &v))
			snprintf(buf, sizeof buf, "%s to serial %s: %s records, %s bytes in %s ms, "
				 "%s (%s)", ctlzones_text(o, "kind"), ctlzones_text(o, "serial"),
				 ctlzones_text(o, "records"), ctlzones_text(o, "bytes"),
				 ctlzones_text(o, "ms"), ctlzones_utc(v, u, sizeof u),
				 ctlzones_rel(now, v, r, sizeof r));
		else
			snprintf(buf, sizeof buf, "-");
		ctlzones_field(f, "last transfer", buf);
	}
	if (json_object_object_get_ex(z, "last-failure", &o)) {
		if (o && ctljson_int(o, "at", &v))
			snprintf(buf, sizeof buf, "%s (%s): %s", ctlzones_utc(v, u, sizeof u),
				 ctlzones_rel(now, v, r, sizeof r), ctlzones_text(o, "reason"));
		else if (o)
			snprintf(buf, sizeof buf, "%s", ctlzones_text(o, "reason"));
		else
			snprintf(buf, sizeof buf, "-");
		ctlzones_field(f, "last failure", buf);
	}
	if (json_object_object_get_ex(z, "failures", NULL)) {
		if (ctljson_int(z, "failures", &v) && v > 0)
			snprintf(buf, sizeof buf, "%lld in a row", (long long)v);
		else
			snprintf(buf, sizeof buf, "%s", ctlzones_text(z, "failures"));
		ctlzones_field(f, "failures", buf);
	}
	if (json_object_object_get_ex(z, "publish-latency-ms", NULL)) {
		if (ctljson_int(z, "publish-latency-ms", &v))
			snprintf(buf, sizeof buf, "%lld ms", (long long)v);
		else
			snprintf(buf, sizeof buf, "-");
		ctlzones_field(f, "publish latency", buf);
	}
	if (json_object_object_get_ex(z, "notify-received-at", NULL))
		ctlzones_field(f, "notify received",
			       ctlzones_when(z, "notify-received-at", now, true, buf, sizeof buf));
	if (!ctlzones_wrong(z, why, sizeof why))
		return false;
	ctlzones_field(f, "PROBLEM", why);
	return true;
}

bool ctlzones_trial_passed(json_object *rep)
{
	json_object *checks = ja(rep, "checks");
	bool pass = jb(rep, "ok") && strcmp(js(rep, "verdict"), "pass") == 0;
	for (size_t i = 0; i < jlen(checks); i++)
		pass &= jb(json_object_array_get_idx(checks, i), "ok");
	return pass;
}

bool ctlzones_trial(FILE *f, json_object *rep)
{
	static const char *const fields[] = {
		"serial", "records", "kind", "messages", "bytes", "time", "tsig", "signer",
		"zonemd", "dnssec",
	};
	json_object *checks = ja(rep, "checks");
	bool pass = ctlzones_trial_passed(rep);
	int w = 5;
	char from[300] = "";

	for (size_t i = 0; i < jlen(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		if ((int)strlen(js(c, "check")) > w)
			w = (int)strlen(js(c, "check"));
	}
	if (js(rep, "primary")[0])
		snprintf(from, sizeof from, " from %s", js(rep, "primary"));
	if (pass)
		fprintf(f, "transfer trial of %s%s: PASS\n", js(rep, "zone"), from);
	else
		fprintf(f, "transfer trial of %s%s: FAIL: %s\n", js(rep, "zone"), from,
			js(rep, "error")[0] ? js(rep, "error") : "no reason given");
	for (size_t i = 0; i < jlen(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		fprintf(f, "  %-4s  %-*s  %s\n", jb(c, "ok") ? "ok" : "FAIL", w, js(c, "check"),
			ctlzones_text(c, "detail"));
	}
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (strcmp(fields[i], "time") != 0)
			fprintf(f, "%-9s %s\n", fields[i], ctlzones_text(rep, fields[i]));
		else if (js(rep, "ms")[0])
			fprintf(f, "%-9s %s ms\n", fields[i], js(rep, "ms"));
		else
			fprintf(f, "%-9s -\n", fields[i]);
	}
	return pass;
}
