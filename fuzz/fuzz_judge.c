/*
 * fuzz_judge — the probe's reply judge, judge_reply() and
 * judge_primary_serial() (probes/judge.h), with rrsig.c and serial.c
 * behind them, on arbitrary reply messages.
 *
 * Input: one flags byte, then the reply as it came off the wire.
 *   bits 0-1  the probe spec (below, from the "probes" of a raiz.json
 *             loaded by config_load_string())
 *   bit  2    the query ID is the reply's own (else the reply's + 1: a
 *             mismatch); so that the checks past the ID see mutated replies
 *   bit  3    the primary's serial is known: it is the one
 *             judge_primary_serial() reads from the same message (or 7)
 *   bits 4-5  latency: 1 ms, 40 ms, 2 s, 0
 *   bits 6-7  the clock: 2026-11-21T12:00:00Z, 0, INT32_MAX, UINT32_MAX+1
 * The specs: 0 example. SOA +dnssec, expect-answer, expect-rrsig,
 * soa-max-age, primary with max-serial-lag, max-latency; 1 www.example. A
 * with expect-rdata and expect-nsid; 2 example. DNSKEY +dnssec with an
 * RRSIG margin; 3 nx.example. TXT CH expecting NXDOMAIN without AA.
 * Oracle: the sanitizers; a verdict other than ok carries a reason, ok
 * carries none; an rcode is read whenever the verdict is not "malformed".
 */
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "fuzz/fuzz_util.h"
#include "probes/judge.h"

static struct raiz_config *cfg;

static const char fuzz_judge_cfg[] =
	"{ \"node\": { \"identity\": \"fuzz1\" },\n"
	"  \"dnsd\": { \"listen\": [\"127.0.0.1@5353\"] },\n"
	"  \"probes\": [\n"
	"    { \"name\": \"soa\", \"target\": \"127.0.0.1@5353\", \"qname\": \"example.\",\n"
	"      \"qtype\": \"SOA\", \"dnssec-ok\": true, \"expect-answer\": true,\n"
	"      \"expect-rrsig\": true, \"soa-max-age\": \"30d\", \"primary\": \"127.0.0.1@5300\",\n"
	"      \"max-serial-lag\": 5, \"max-latency\": \"100ms\" },\n"
	"    { \"name\": \"www\", \"target\": \"127.0.0.1@5353\", \"qname\": \"www.example.\",\n"
	"      \"qtype\": \"A\", \"expect-rdata\": [\"192.0.2.80\"], \"expect-nsid\": true },\n"
	"    { \"name\": \"dnskey\", \"transport\": \"tcp\", \"target\": \"127.0.0.1@5353\",\n"
	"      \"qname\": \"example.\", \"qtype\": \"DNSKEY\", \"dnssec-ok\": true,\n"
	"      \"expect-rrsig\": true, \"rrsig-margin\": \"2d\" },\n"
	"    { \"name\": \"nx\", \"target\": \"127.0.0.1@5353\", \"qname\": \"nx.example.\",\n"
	"      \"qtype\": \"TXT\", \"qclass\": \"CH\", \"expect-rcode\": \"NXDOMAIN\",\n"
	"      \"expect-aa\": false }\n"
	"  ] }\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];
	fuzz_log();
	if (config_load_string("fuzz-judge.json", fuzz_judge_cfg, &cfg, err, sizeof err) < 0 ||
	    cfg->ctl.nprobes != 4) {
		fprintf(stderr, "fuzz_judge: configuration: %s\n", cfg ? "not 4 probes" : err);
		exit(2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t latency[4] = { 1000, 40000, 2000000, 0 };
	static const time_t clock[4] = { 1795262400, 0, INT32_MAX, (time_t)UINT32_MAX + 1 };
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	size_t len = size - 1;
	/* the reply in a buffer of its own size: reads past it are caught */
	uint8_t *wire = malloc(len ? len : 1);
	if (!wire)
		return 0;
	memcpy(wire, data + 1, len);
	const struct cfg_probe *spec = &cfg->ctl.probes[flags & 3];
	uint16_t id = len >= 2 ? (uint16_t)(wire[0] << 8 | wire[1]) : 0;
	if (!(flags & 4))
		id++;
	uint32_t primary = 7;
	bool has_primary = false;
	if (flags & 8) {
		has_primary = true;
		if (judge_primary_serial(spec, id, wire, len, &primary) < 0)
			primary = 7;
	}
	struct judge_input in = { .id = id, .wire = wire, .len = len,
				  .now = clock[(flags >> 6) & 3],
				  .latency_us = latency[(flags >> 4) & 3],
				  .has_primary_serial = has_primary, .primary_serial = primary };
	struct probe_result r;
	judge_init(&r);
	judge_reply(spec, &in, &r);
	free(wire);
	if ((r.verdict == PROBE_OK) != (r.reason[0] == 0)) {
		fprintf(stderr, "fuzz_judge: verdict %s with reason \"%s\"\n",
			probe_verdict_name(r.verdict), r.reason);
		abort();
	}
	if (r.rcode < 0 && !strstr(r.reason, "malformed reply")) {
		fprintf(stderr, "fuzz_judge: no rcode read: %s\n", r.reason);
		abort();
	}
	log_debug("fuzz_judge: %s: %s", probe_verdict_name(r.verdict), r.reason);
	return 0;
}
