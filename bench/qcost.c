/*
 * qcost -- what raiz-dnsd's own code costs per answer, without the kernel
 * (`make build/qcost`; not part of `make all`).
 *
 *   qcost -c RAIZ.JSON -f QUERIES [-r ROUNDS] [-b BATCH[,BATCH...]] [-n REPS]
 *
 * Contract: loads the zones of RAIZ.JSON as raiz-dnsd does (config_load,
 * zoneset_build, snapshot_new), reads QUERIES (dnsperf's -B format: a
 * 2-byte big-endian length, then the wire), and answers every query ROUNDS
 * times (default 20) through query_process_client() for UDP, the function
 * a worker calls between recvmmsg and sendmmsg, into a 1232-byte buffer,
 * BATCH queries at a time (default 32, a full recvmmsg), each batch first
 * warmed as udp_serve() warms it (BATCH 1: no warming, one at a time).
 * Several batch sizes are run in turn, REPS times (default 1), one line
 * each: an A/B comparison in one process, under the same load.
 * Prints one line: queries answered, nanoseconds per answer (CLOCK_MONOTONIC
 * over the loop), bytes per answer and the rcode mix.  Under `valgrind
 * --tool=callgrind --toggle-collect=qcost_loop` the instruction count of
 * qcost_loop() divided by the answers is the instructions per answer: a
 * figure that does not move with the machine's load, for comparing two
 * builds.  Exit 0 ran, 1 an error (message on stderr), 2 bad usage.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "dnsd/query.h"
#include "dnsd/snapshot.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"

enum { QCOST_BATCH_MAX = 1024 };

struct q {
	uint8_t *wire;
	size_t len;
};

static struct q *read_queries(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return NULL;
	}
	size_t cap = 1024;
	struct q *qs = malloc(cap * sizeof *qs);
	uint8_t hdr[2];
	*n = 0;
	while (qs && fread(hdr, 1, 2, f) == 2) {
		size_t len = (size_t)hdr[0] << 8 | hdr[1];
		if (*n == cap) {
			struct q *more = realloc(qs, 2 * cap * sizeof *qs);
			if (!more)
				break;
			qs = more;
			cap *= 2;
		}
		qs[*n].wire = malloc(len ? len : 1);
		qs[*n].len = len;
		if (!qs[*n].wire || fread(qs[*n].wire, 1, len, f) != len) {
			fprintf(stderr, "%s: truncated at query %zu\n", path, *n);
			break;
		}
		(*n)++;
	}
	fclose(f);
	return qs;
}

size_t qcost_loop(const struct snapshot *snap, const struct q *qs, size_t n, unsigned rounds,
		  unsigned batch, struct query_stats *st);

/* the measured loop (callgrind --toggle-collect=qcost_loop): batches of
 * `batch` queries as a worker takes them from recvmmsg, warmed as
 * udp_serve() warms them (batch 1: not warmed) */
__attribute__((noinline)) size_t qcost_loop(const struct snapshot *snap, const struct q *qs, size_t n,
					    unsigned rounds, unsigned batch, struct query_stats *st)
{
	static uint8_t out[1232];
	static struct zone_pf pf[QCOST_BATCH_MAX];
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons(53000) };
	from.sin_addr.s_addr = htonl(0x7f000001);
	size_t bytes = 0;
	for (unsigned r = 0; r < rounds; r++)
		for (size_t i = 0; i < n; i += batch) {
			size_t m = n - i < batch ? n - i : batch;
			if (m > 1 && zoneset_warm(snap->zs)) {
				const uint8_t *pkt[QCOST_BATCH_MAX];
				size_t len[QCOST_BATCH_MAX];
				for (size_t k = 0; k < m; k++) {
					pkt[k] = qs[i + k].wire;
					len[k] = qs[i + k].len;
				}
				query_warm(snap->zs, pf, pkt, len, (unsigned)m);
			}
			for (size_t k = 0; k < m; k++) {
				struct query_client qc = { .from = (const struct sockaddr *)&from, .now = 1 };
				bytes += query_process_client(snap->zs, &snap->opts, qs[i + k].wire,
							      qs[i + k].len, out, sizeof out, QUERY_UDP, st, &qc);
			}
		}
	return bytes;
}

int main(int argc, char **argv)
{
	const char *conf = NULL, *qfile = NULL;
	unsigned rounds = 20, batch[8] = { 32 }, nbatch = 1, reps = 1;
	int c;
	while ((c = getopt(argc, argv, "c:f:r:b:n:")) != -1) {
		if (c == 'c')
			conf = optarg;
		else if (c == 'f')
			qfile = optarg;
		else if (c == 'r')
			rounds = (unsigned)atoi(optarg);
		else if (c == 'b') {
			nbatch = 0;
			for (char *t = strtok(optarg, ","); t && nbatch < 8; t = strtok(NULL, ","))
				batch[nbatch++] = (unsigned)atoi(t);
		} else if (c == 'n')
			reps = (unsigned)atoi(optarg);
		else
			goto usage;
	}
	for (unsigned b = 0; b < nbatch; b++)
		if (batch[b] == 0 || batch[b] > QCOST_BATCH_MAX)
			goto usage;
	if (!conf || !qfile || rounds == 0 || nbatch == 0 || reps == 0)
		goto usage;
	struct raiz_config *cfg;
	char err[512];
	if (config_load(conf, &cfg, err, sizeof err) != 0) {
		fprintf(stderr, "qcost: %s\n", err);
		return 1;
	}
	struct zoneset *zs = zoneset_build(cfg, NULL);
	struct snapshot *snap = zs ? snapshot_new(cfg, true, zs, NULL) : NULL;
	size_t n = 0;
	struct q *qs = read_queries(qfile, &n);
	if (!snap || !qs || n == 0) {
		fprintf(stderr, "qcost: no zones or no queries\n");
		return 1;
	}
	/* REPS passes over the batch sizes, alternating, so that two builds
	 * of the warming (or none, batch 1) are compared in one process
	 * under the same load */
	for (unsigned rep = 0; rep < reps; rep++)
		for (unsigned b = 0; b < nbatch; b++) {
			struct query_stats st;
			memset(&st, 0, sizeof st);
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			size_t bytes = qcost_loop(snap, qs, n, rounds, batch[b], &st);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
			size_t total = n * rounds;
			printf("%zu answers (%zu queries x %u, batches of %u), %.0f ns per answer, %.0f bytes per "
			       "answer; NOERROR %.1f%% NXDOMAIN %.1f%% REFUSED %.1f%%\n", total, n, rounds,
			       batch[b], ns / (double)total, (double)bytes / (double)total,
			       100.0 * (double)st.rcode[0] / (double)total,
			       100.0 * (double)st.rcode[3] / (double)total,
			       100.0 * (double)st.rcode[5] / (double)total);
			fflush(stdout);
		}
	for (size_t i = 0; i < n; i++)
		free(qs[i].wire);
	free(qs);
	snapshot_free(snap);
	return 0;
usage:
	fprintf(stderr, "usage: qcost -c RAIZ.JSON -f QUERIES [-r ROUNDS] [-b BATCH[,BATCH...]] [-n REPS]\n");
	return 2;
}
