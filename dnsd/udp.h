/*
 * udp — DNS over UDP: socket setup and batched answering.
 *
 * Contract: udp_open() creates a non-blocking UDP socket bound to one
 * listen address with SO_REUSEPORT (one socket per worker and address),
 * IPV6_V6ONLY for IPv6, and IP_PKTINFO/IPV6_RECVPKTINFO when the address
 * is a wildcard so that replies leave from the address the query came to.
 * udp_serve() reads queries with recvmmsg(), answers each with
 * query_process_client() from `snap` (NOTIFY and TSIG-signed queries with
 * dispatch_process(), as dispatch.h says) and sends the replies with
 * sendmmsg(); it returns when the socket has no more queued packets or
 * after max_rounds batches.  DNS cookies are answered with the secrets of
 * snap's configuration.  With `rrl` (shared by the workers) and a nonzero
 * dnsd.rate-limit.responses-per-second, every answer to a query without a
 * valid server cookie goes through rrl_check() (dnsd/rrl.h): dropped, or
 * sent truncated (header and question, TC set) when it slips.  NOTIFY and
 * signed answers are never limited.  A struct udp_batch holds one worker's buffers (65535 bytes per
 * receive slot); it is not shared between threads.
 */
#ifndef RAIZ_DNSD_UDP_H
#define RAIZ_DNSD_UDP_H

#include <stdbool.h>
#include <stddef.h>

struct cfg_addr;
struct snapshot;
struct query_stats;
struct udp_batch;
struct sockaddr;
struct rrl;

enum { UDP_BATCH = 32, UDP_RECV_MAX = 65535, UDP_SEND_MAX = 4096 };

/* fd >= 0, or -1 with a message in err; *pktinfo tells whether the socket
 * receives destination addresses */
int udp_open(const struct cfg_addr *a, bool *pktinfo, char *err, size_t errlen);

struct udp_batch *udp_batch_new(void);
void udp_batch_free(struct udp_batch *b);

/* number of packets received; local is the socket's address (NULL for a
 * wildcard socket, whose queries carry their destination as pktinfo) */
size_t udp_serve(int fd, const struct sockaddr *local, bool pktinfo, struct udp_batch *b,
		 const struct snapshot *snap, struct rrl *rrl, struct query_stats *stats,
		 unsigned max_rounds);

#endif
