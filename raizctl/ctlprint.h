/*
 * ctlprint — raizctl's text for people: the controller's status and
 * history, and raiz-dnsd's status, from the JSON the control sockets send
 * (see node_status() and raiz-dnsd's "status" command).
 *
 * Contract: printing only, no decisions: whether the node is healthy and
 * why comes from the controller ("healthy", "healthy-why"), whether
 * raiz-dnsd serves every zone from ctlprint_dnsd_ok().  Missing members
 * print as "" or "-", never crash.  Times are shown to the second, UTC.
 */
#ifndef RAIZ_RAIZCTL_CTLPRINT_H
#define RAIZ_RAIZCTL_CTLPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <json.h>

/* a duration for people: 93784 -> "1d2h", 125 -> "2m5s", 0 -> "0s"
 * (negative as 0); returns buf */
const char *ctlprint_duration(long long secs, char *buf, size_t len);
/* pretty JSON, one document */
void ctlprint_json(FILE *f, json_object *o);
/* "status": the node line, per prefix, per service, maintenance */
void ctlprint_status(FILE *f, json_object *st);
/* "why": prefixes and services with their reasons, then the history */
void ctlprint_why(FILE *f, json_object *h);
/* raiz-dnsd's status (NULL: its socket is not known) */
void ctlprint_dnsd(FILE *f, json_object *d);
/* raiz-dnsd answered and every zone is loaded, its last load good */
bool ctlprint_dnsd_ok(json_object *d);

#endif
