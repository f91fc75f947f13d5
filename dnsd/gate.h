/*
 * gate — a new version of a zone file is asked the probes' questions
 * before it is published.
 *
 * Contract: gate_check(cfg, z) asks `z` alone, in process, the question of
 * every probe of cfg whose name falls in z (z the deepest configured zone
 * holding it, class IN) the way the probe would ask it (probes/query.h,
 * over TCP so nothing is truncated), and judges the answer with the
 * probe's own judge (probes/judge.h).  Only the data is judged: what the
 * network or the clock decide (NSID, latency, SOA age, the primary's
 * serial, RRSIG margins) is left to the running probes.  0 when every such
 * probe would be answered as it expects (or none applies); -1 with "probe
 * NAME would fail: reason" in why when one would not.  zoneset_build()
 * keeps the served version of a zone file that fails (dnsd.probe-gate,
 * default on), so that data the controller would withdraw the node for is
 * never served: the wrong answers between a bad reload and the next probe
 * round never happen.  Transferred zones are not gated: their data is the
 * zone owner's, the probes' expectations the node operator's.
 */
#ifndef RAIZ_DNSD_GATE_H
#define RAIZ_DNSD_GATE_H

#include <stddef.h>

struct raiz_config;
struct zone;

int gate_check(const struct raiz_config *cfg, const struct zone *z, char *why, size_t whylen);

#endif
