/*
 * ctlzones — raizctl's text for raiz-dnsd's zone copies: the "zones" reply
 * as a table (one zone per line) or one zone field by field, the judgement
 * behind "raizctl zones"'s exit status, and the report of a
 * "transfer-trial" (the replies are described in raiz-dnsd(8), CONTROL
 * SOCKET).
 *
 * Contract: pure — no I/O but the stream, no clock: times are shown as UTC
 * and relative to the reply's own "now" ("12s ago", "in 48s").  A member
 * that is null prints "-"; in the one-zone view a member that is absent
 * (a file zone has no primary) is left out; nothing crashes on a reply of
 * the wrong shape.  ctlzones_wrong() is the one rule for "something is
 * wrong with this zone" (the same conditions raiz-controller withdraws
 * for, plus "not served").  Single-threaded callers only (raizctl).
 */
#ifndef RAIZ_RAIZCTL_CTLZONES_H
#define RAIZ_RAIZCTL_CTLZONES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <json.h>

/* the zone of the reply's "zones" named name (case does not matter, nor a
 * missing final dot), NULL when none */
json_object *ctlzones_find(json_object *rep, const char *name);

/*
 * true when zone z is wrong: state "expired" or "no-copy", "max-lag" > 0
 * and "lag" > "max-lag", or not served; then why holds the reason for
 * people, without the zone's name ("expired at ... (no refresh from a
 * primary since ...; last failure: ...)"), else why is "".
 */
bool ctlzones_wrong(json_object *z, char *why, size_t len);

/* every zone of a "zones" reply, one line each under a header, then one
 * line per wrong zone saying why; returns how many zones are wrong */
size_t ctlzones_table(FILE *f, json_object *rep);

/* zone z of reply rep, one field per line; returns whether it is wrong */
bool ctlzones_detail(FILE *f, json_object *rep, json_object *z);

/* a "transfer-trial" reply passed: "ok", verdict "pass" and no check
 * failed (a failed check outweighs a verdict that says otherwise) */
bool ctlzones_trial_passed(json_object *rep);
/* a "transfer-trial" reply: the verdict line, each check, then the
 * numbers and findings; returns ctlzones_trial_passed() */
bool ctlzones_trial(FILE *f, json_object *rep);

#endif
