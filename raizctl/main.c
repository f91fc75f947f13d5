/*
 * raizctl — the operator's tool for a raiz node, one tool for both control
 * sockets (raiz-controller's and raiz-dnsd's): status, zones, why, probe,
 * drain/undrain, reload, refresh/retransfer/transfer-trial,
 * resolution-trial, metrics, bird-conf, version.  See raizctl(8).
 *
 * Exit status: 0 healthy and announcing (or the command succeeded),
 * 1 not announcing / unhealthy / raiz-dnsd unreachable or a zone not
 * loaded, expired or behind / the command failed, 2 usage or configuration
 * error, 3 raiz-controller not reachable (for the commands that ask only
 * raiz-dnsd — zones, refresh, retransfer, transfer-trial — raiz-dnsd;
 * for resolution-trial: none of the addresses asked answered).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cfgutil.h"
#include "common/config.h"
#include "common/log.h"
#include "bird-conf/birdconf.h"
#include "controller/ctlclient.h"
#include "probes/probe.h"
#include "raizctl/ctljson.h"
#include "raizctl/ctlprint.h"
#include "raizctl/ctlzones.h"
#include "raizctl/metrics.h"
#include "raizctl/restrial.h"

enum { EXIT_OK = 0, EXIT_BAD = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

#define CTL_TIMEOUT_MS 5000
#define CTL_RELOAD_TIMEOUT_MS 120000   /* raiz-dnsd answers when the zones are loaded */
#define CTL_TRIAL_TIMEOUT_MS 600000    /* a trial transfer of a large zone takes minutes */
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
	if (!ctljson_bool(rep, "ok")) {
		if (r->json)
			printf("%s\n", json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PRETTY));
		else
			fprintf(stderr, "raizctl: %s: %s\n", cmd, ctljson_str(rep, "error"));
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

/*
 * send {"command": cmd, ...extra} to raiz-dnsd (extra is consumed); its
 * reply when "ok", else NULL with the exit code in *rc: 2 when its socket
 * is not known, 3 when it does not answer, 1 when it refused (the reply is
 * printed with --json, its error on stderr without).
 */
static json_object *dnsd_cmd(struct raizctl *r, const char *cmd, json_object *extra,
			     int timeout_ms, int *rc)
{
	char err[1024];
	bool unreachable;
	const char *path = dnsd_socket(r, rc);

	if (!path) {
		if (*rc == EXIT_OK) {
			fprintf(stderr, "raizctl: raiz-dnsd's socket is not known (give -c or "
				"--dnsd-socket)\n");
			*rc = EXIT_USAGE;
		}
		json_object_put(extra);
		return NULL;
	}
	json_object *rep = ctl_ask("raiz-dnsd", path, cmd, extra, timeout_ms, &unreachable, err,
				   sizeof err);
	if (!rep) {
		fprintf(stderr, "raizctl: %s\n", err);
		*rc = unreachable ? EXIT_UNREACHABLE : EXIT_BAD;
		return NULL;
	}
	if (!ctljson_bool(rep, "ok")) {
		if (r->json)
			ctlprint_json(stdout, rep);
		else
			fprintf(stderr, "raizctl: %s: %s\n", cmd, ctljson_str(rep, "error"));
		json_object_put(rep);
		*rc = EXIT_BAD;
		return NULL;
	}
	*rc = EXIT_OK;
	return rep;
}

/* a zone name from the command line into out, with its final dot ("br" ->
 * "br."); false (usage printed) when it cannot be one */
static bool zone_arg(const char *in, char *out, size_t len)
{
	size_t n = strlen(in);
	if (n == 0 || n > 254 || (n > 1 && strstr(in, ".."))) {
		fprintf(stderr, "raizctl: \"%s\" is not a zone name\n", in);
		return false;
	}
	snprintf(out, len, "%s%s", in, in[n - 1] == '.' ? "" : ".");
	return true;
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
	} else if (!ctljson_bool(st, "ok")) {
		rc = EXIT_BAD;
		if (!r->json)
			fprintf(stderr, "raizctl: status: %s\n", ctljson_str(st, "error"));
	} else {
		/* the controller decides; see node_healthy() */
		rc = ctljson_bool(st, "healthy") ? EXIT_OK : EXIT_BAD;
		if (!r->json)
			ctlprint_status(stdout, st);
	}
	if (d) {
		if (rc == EXIT_OK && !ctlprint_dnsd_ok(d))
			rc = EXIT_BAD;
		if (!r->json)
			ctlprint_dnsd(stdout, d);
		json_object_object_add(st, "dnsd", d);
	} else if (!r->json) {
		ctlprint_dnsd(stdout, NULL);
	}
	if (r->json)
		ctlprint_json(stdout, st);
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
	if (r->json)
		ctlprint_json(stdout, h);
	else
		ctlprint_why(stdout, h);
	bool all = true;
	json_object *pfx = ctljson_array(h, "prefixes");
	for (size_t i = 0; i < ctljson_len(pfx); i++) {
		json_object *p = json_object_array_get_idx(pfx, i);
		all &= strcmp(ctljson_str(p, "desired"), "announce") == 0 &&
		       ctljson_bool(p, "verified");
	}
	all &= ctljson_len(pfx) > 0;
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
		ctlprint_json(stdout, rep);
	else if (ctljson_str(rep, "message")[0])
		printf("%s\n", ctljson_str(rep, "message"));
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
		ctlprint_json(stdout, o);
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
			if (!ctljson_bool(d, "ok"))
				rc = EXIT_BAD;
			if (!r->json)
				printf("raiz-dnsd: %s%s\n", ctljson_bool(d, "ok") ? "" : "FAILED: ",
				       ctljson_str(d, ctljson_bool(d, "ok") ? "result" : "error"));
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
		} else if (!ctljson_bool(c, "ok") && rc == EXIT_OK) {
			rc = EXIT_BAD;
		}
		if (!r->json)
			printf("raiz-controller: %s%s\n", ctljson_bool(c, "ok") ? "" : "FAILED: ",
			       ctljson_str(c, ctljson_bool(c, "ok") ? "message" : "error"));
		json_object_object_add(out, "controller", c);
	}
	json_object_object_add(out, "ok", json_object_new_boolean(rc == EXIT_OK));
	if (r->json)
		ctlprint_json(stdout, out);
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
	struct metrics_input in = { NULL, NULL, NULL, NULL };
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
	json_object *dt = ctljson_bool(ds, "ok") ? dnsd_call(r, "stats", CTL_TIMEOUT_MS, &drc)
		: NULL;
	json_object *dz = ctljson_bool(ds, "ok") ? dnsd_call(r, "zones", CTL_TIMEOUT_MS, &drc)
		: NULL;
	json_object *cs = ctl_ask("raiz-controller", path, "status", NULL, CTL_TIMEOUT_MS,
				  &unreachable, err, sizeof err);
	if (!cs || !ctljson_bool(cs, "ok")) {
		fprintf(stderr, "raizctl: %s\n", cs ? ctljson_str(cs, "error") : err);
		rc = !cs && unreachable ? EXIT_UNREACHABLE : EXIT_BAD;
	} else {
		in.ctl_status = cs;
	}
	if (!ds || !ctljson_bool(ds, "ok") || !dt || !ctljson_bool(dt, "ok")) {
		if (ds)
			fprintf(stderr, "raizctl: %s\n",
				ctljson_str(ctljson_bool(ds, "ok") ? dt : ds, "error"));
		else
			fprintf(stderr, "raizctl: raiz-dnsd's socket is not known (give -c or "
				"--dnsd-socket)\n");
		if (rc == EXIT_OK)
			rc = EXIT_BAD;
	}
	if (ds && ctljson_bool(ds, "ok")) {
		in.dnsd_status = ds;
		in.dnsd_stats = dt && ctljson_bool(dt, "ok") ? dt : NULL;
	}
	/* a raiz-dnsd without zone transfers does not know "zones": no raiz_zone_* */
	if (ctljson_bool(dz, "ok"))
		in.dnsd_zones = dz;
	else if (dz && strncmp(ctljson_str(dz, "error"), "unknown command", 15) != 0) {
		fprintf(stderr, "raizctl: zones: %s\n", ctljson_str(dz, "error"));
		if (rc == EXIT_OK)
			rc = EXIT_BAD;
	}
	if (r->json) {
		json_object *o = json_object_new_object(), *d = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(rc == EXIT_OK));
		json_object_object_add(d, "status", json_object_get(ds));
		json_object_object_add(d, "stats", json_object_get(dt));
		json_object_object_add(d, "zones", json_object_get(dz));
		json_object_object_add(o, "dnsd", d);
		json_object_object_add(o, "controller",
				       cs ? json_object_get(cs) : ctl_unreachable(path, err));
		ctlprint_json(stdout, o);
		json_object_put(o);
	} else if (metrics_write(stdout, &in) < 0) {
		fprintf(stderr, "raizctl: metrics: cannot write: %s\n", strerror(errno));
		rc = EXIT_BAD;
	}
	json_object_put(ds);
	json_object_put(dt);
	json_object_put(dz);
	json_object_put(cs);
	return rc;
}

/*
 * zones [ZONE]: raiz-dnsd's zones as a table, or one zone field by field;
 * --json the reply (with ZONE, its "zones" holds that zone only).  Exit 1
 * when a zone shown is wrong (ctlzones_wrong()), 2 for a zone raiz-dnsd
 * does not have.
 */
static int cmd_zones(struct raizctl *r, int argc, char **argv)
{
	char name[260];
	int rc;

	if (argc > 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc == 2 && !zone_arg(argv[1], name, sizeof name))
		return EXIT_USAGE;
	json_object *rep = dnsd_cmd(r, "zones", NULL, CTL_TIMEOUT_MS, &rc);
	if (!rep)
		return rc;
	if (argc == 1) {
		if (r->json) {
			json_object *zones = ctljson_array(rep, "zones");
			char why[8];
			for (size_t i = 0; i < ctljson_len(zones); i++)
				if (ctlzones_wrong(json_object_array_get_idx(zones, i), why, sizeof why))
					rc = EXIT_BAD;
			ctlprint_json(stdout, rep);
		} else if (ctlzones_table(stdout, rep) > 0) {
			rc = EXIT_BAD;
		}
		json_object_put(rep);
		return rc;
	}
	json_object *z = ctlzones_find(rep, name);
	if (!z) {
		fprintf(stderr, "raizctl: zones: raiz-dnsd has no zone %s\n", name);
		json_object_put(rep);
		return EXIT_USAGE;
	}
	if (r->json) {
		char why[8];
		json_object *one = json_object_new_array();
		json_object_array_add(one, json_object_get(z));
		json_object_object_add(rep, "zones", one);   /* frees the others */
		rc = ctlzones_wrong(z, why, sizeof why) ? EXIT_BAD : EXIT_OK;
		ctlprint_json(stdout, rep);
	} else {
		rc = ctlzones_detail(stdout, rep, z) ? EXIT_BAD : EXIT_OK;
	}
	json_object_put(rep);
	return rc;
}

/* refresh ZONE / retransfer ZONE: raiz-dnsd starts it and answers at once */
static int cmd_zone_now(struct raizctl *r, int argc, char **argv, const char *what)
{
	char name[260];
	int rc;

	if (argc != 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!zone_arg(argv[1], name, sizeof name))
		return EXIT_USAGE;
	json_object *req = json_object_new_object();
	json_object_object_add(req, "zone", json_object_new_string(name));
	json_object *rep = dnsd_cmd(r, argv[0], req, CTL_TIMEOUT_MS, &rc);
	if (!rep)
		return rc;
	if (r->json)
		ctlprint_json(stdout, rep);
	else if (ctljson_str(rep, "message")[0])
		printf("raiz-dnsd: %s\n", ctljson_str(rep, "message"));
	else
		printf("raiz-dnsd: zone %s: %s started; \"raizctl zones %s\" shows how it went\n",
		       name, what, name);
	json_object_put(rep);
	return EXIT_OK;
}

static int cmd_refresh(struct raizctl *r, int argc, char **argv)
{
	return cmd_zone_now(r, argc, argv, "SOA check of the primaries");
}

static int cmd_retransfer(struct raizctl *r, int argc, char **argv)
{
	return cmd_zone_now(r, argc, argv, "full transfer (AXFR)");
}

/*
 * transfer-trial ZONE [PRIMARY]: raiz-dnsd transfers the zone and checks it
 * without serving it, and answers when done (up to 10 minutes).  Exit 0
 * when it passed, 1 when it failed or raiz-dnsd refused.
 */
static int cmd_transfer_trial(struct raizctl *r, int argc, char **argv)
{
	char name[260];
	int rc;

	if (argc < 2 || argc > 3) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!zone_arg(argv[1], name, sizeof name))
		return EXIT_USAGE;
	json_object *req = json_object_new_object();
	json_object_object_add(req, "zone", json_object_new_string(name));
	if (argc == 3)
		json_object_object_add(req, "primary", json_object_new_string(argv[2]));
	if (!r->json)
		fprintf(stderr, "raizctl: transfer trial of %s from %s: waiting for raiz-dnsd "
			"(a large zone can take minutes; raizctl waits up to %d minutes)\n", name,
			argc == 3 ? argv[2] : "its primaries", CTL_TRIAL_TIMEOUT_MS / 60000);
	json_object *rep = dnsd_cmd(r, "transfer-trial", req, CTL_TRIAL_TIMEOUT_MS, &rc);
	if (!rep)
		return rc;
	bool pass = ctlzones_trial_passed(rep);
	if (r->json)
		ctlprint_json(stdout, rep);
	else
		ctlzones_trial(stdout, rep);
	json_object_put(rep);
	return pass ? EXIT_OK : EXIT_BAD;
}

/*
 * resolution-trial ZONE [--server ADDR]...: ask the node's service
 * addresses (dnsd "listen", or those given) for the zone the way a
 * validating resolver would (restrial.h).  Exit 0 pass, 1 fail, 2 usage or
 * a zone not in raiz.json, 3 no server answered.
 */
static int cmd_resolution_trial(struct raizctl *r, int argc, char **argv)
{
	char name[260];
	const char *zarg = NULL;
	struct cfg_addr *servers = NULL;
	size_t nservers = 0;
	int rc = EXIT_USAGE;

	for (int i = 1; i < argc; i++) {
		const char *v;
		if (strcmp(argv[i], "--server") == 0 && i + 1 < argc)
			v = argv[++i];
		else if (strncmp(argv[i], "--server=", 9) == 0)
			v = argv[i] + 9;
		else if (argv[i][0] != '-' && !zarg) {
			zarg = argv[i];
			continue;
		} else {
			usage(stderr);
			goto out;
		}
		struct cfg_addr *n = realloc(servers, (nservers + 1) * sizeof *servers);
		if (!n)
			goto out;
		servers = n;
		if (cfg_addr_from_text(v, 53, &servers[nservers]) < 0) {
			fprintf(stderr, "raizctl: resolution-trial: \"%s\" is not an address (ip or "
				"ip@port)\n", v);
			goto out;
		}
		nservers++;
	}
	if (!zarg) {
		usage(stderr);
		goto out;
	}
	if (!zone_arg(zarg, name, sizeof name) || ctl_load_config(r) < 0)
		goto out;
	const struct cfg_zone *z = config_zone(r->cfg, name);
	if (!z) {
		fprintf(stderr, "raizctl: resolution-trial: %s has no zone %s (its trust anchors, "
			"primaries and service-ns come from there)\n", r->config_path, name);
		goto out;
	}
	struct restrial_opts o = {
		.cfg = r->cfg,
		.zone = z,
		.servers = nservers ? servers : r->cfg->dnsd.listen,
		.nservers = nservers ? nservers : r->cfg->dnsd.nlisten,
		.servers_given = nservers > 0,
		.now = time(NULL),
		.timeout_ms = RESTRIAL_TIMEOUT_MS,
		.max_delegations = RESTRIAL_MAX_DELEGATIONS,
	};
	struct rt_report rep;
	restrial_run(&o, &rep);
	if (r->json) {
		json_object *j = rtreport_json(&rep);
		ctlprint_json(stdout, j);
		json_object_put(j);
	} else {
		rtreport_text(stdout, &rep);
	}
	rc = rtreport_exit(&rep);
	rtreport_free(&rep);
out:
	free(servers);
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
	if (rep && ctljson_bool(rep, "ok"))
		printf("raiz-controller %s\n", ctljson_str(rep, "version"));
	else
		printf("raiz-controller not reachable (%s)\n",
		       rep ? ctljson_str(rep, "error") : err);
	json_object_put(rep);
	if (!r->dnsd_socket && !r->cfg)
		return EXIT_OK;
	rep = dnsd_call(r, "status", CTL_TIMEOUT_MS, &drc);
	if (rep && ctljson_bool(rep, "ok"))
		printf("raiz-dnsd %s\n", ctljson_str(rep, "version"));
	else if (rep)
		printf("raiz-dnsd not reachable (%s)\n", ctljson_str(rep, "error"));
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
	{ "zones", cmd_zones, "[ZONE]", "raiz-dnsd's zone copies: serials, lag, refresh, expiry" },
	{ "why", cmd_why, "[N]", "the last N transitions (default 20) with reasons" },
	{ "probe", cmd_probe, "[name...]", "run the configured probes once (no controller needed)" },
	{ "drain", cmd_drain, "[--reason T]", "announce with GRACEFUL_SHUTDOWN, withdraw after drain-time" },
	{ "undrain", cmd_undrain, "", "back to health-driven announcing" },
	{ "reload", cmd_reload, "[--dnsd|--controller]", "make both daemons (or one) re-read the configuration" },
	{ "refresh", cmd_refresh, "ZONE", "make raiz-dnsd ask the zone's primaries for its serial now" },
	{ "retransfer", cmd_retransfer, "ZONE", "make raiz-dnsd transfer the whole zone (AXFR) now" },
	{ "transfer-trial", cmd_transfer_trial, "ZONE [PRIMARY]",
	  "transfer and check the zone without serving it (waits up to 10 min)" },
	{ "resolution-trial", cmd_resolution_trial, "ZONE [--server ADDR]",
	  "ask the node for the zone as a validating resolver; verdict per check" },
	{ "metrics", cmd_metrics, "", "both daemons in the Prometheus text format" },
	{ "bird-conf", cmd_bird_conf, "[node|isp|rs|state]", "print BIRD configuration generated from raiz.json" },
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
		"             failed, 2 usage or configuration error, 3 controller not reachable\n"
		"             (zones, refresh, retransfer, transfer-trial: raiz-dnsd not reachable;\n"
		"             resolution-trial: no address asked answered)\n");
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
