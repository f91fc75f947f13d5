/*
 * metrics — a raiz node in the Prometheus text exposition format (0.0.4),
 * made from the JSON replies of both control sockets (raiz-dnsd "status",
 * "stats" and "zones", raiz-controller "status").
 *
 * Contract: metrics_write() prints every family once, contiguous, after
 * its "# HELP" and "# TYPE" lines; names are raiz_*; label values are
 * escaped (backslash, double quote, newline).  Any input may be NULL (the
 * daemon did not answer): its families are left out and
 * raiz_up{daemon="..."} is 0.  Members missing from a reply are skipped,
 * never invented.  Pure: no I/O but the stream, no clock.  Returns 0, or
 * -1 when writing to the stream failed.
 */
#ifndef RAIZ_RAIZCTL_METRICS_H
#define RAIZ_RAIZCTL_METRICS_H

#include <stdio.h>
#include <json.h>

struct metrics_input {
	json_object *dnsd_status;   /* raiz-dnsd {"command":"status"} reply */
	json_object *dnsd_stats;    /* raiz-dnsd {"command":"stats"} reply */
	json_object *ctl_status;    /* raiz-controller {"command":"status"} reply */
	json_object *dnsd_zones;    /* raiz-dnsd {"command":"zones"} reply (raiz_zone_*);
				       NULL: not asked, or a raiz-dnsd without it */
};

int metrics_write(FILE *f, const struct metrics_input *in);

/* a label value as the exposition format wants it between double quotes */
void metrics_escape(FILE *f, const char *value);

#endif
