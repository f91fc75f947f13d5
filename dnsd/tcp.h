/*
 * tcp — DNS over TCP (RFC 7766) for one worker's event loop.
 *
 * Contract: tcp_listen_open() creates a non-blocking listening socket
 * (SO_REUSEPORT, so each worker may have its own, IPV6_V6ONLY).  A struct
 * tcp_ctx accepts connections on the given listeners in one libev loop and
 * serves them: 2-byte length framing, pipelined queries answered in order,
 * partial reads and writes, an idle timeout (no query starting that long
 * after the last answer, the connection or the last output taken closes
 * the connection, including a client that stops reading) and a deadline
 * per query (complete within the timeout of its first byte: its later
 * bytes do not extend it, so a trickling client is cut), at most
 * `max_queries` per connection (0 = unlimited), and at most `max_conns`
 * connections: when full, the least recently active connection is closed
 * to make room (a slow client cannot lock out new ones).  Pending output
 * per connection is bounded: while more than TCP_WBUF_LIMIT bytes wait,
 * no further query of that connection is read.  A frame of length 0 or a
 * query the engine drops ends the connection after the pending answers.
 * Idle timeout and query limit come from the snapshot current at accept.
 *
 * tcp_frame_next() is the framing parser on its own.
 */
#ifndef RAIZ_DNSD_TCP_H
#define RAIZ_DNSD_TCP_H

#include <stddef.h>
#include <stdint.h>

#include <ev.h>

struct ev_loop;
struct cfg_addr;
struct query_stats;
struct snapshot_reader;

enum { TCP_MSG_MAX = 65535, TCP_WBUF_LIMIT = 65536 };

enum tcp_frame { TCP_FRAME_BAD = -1, TCP_FRAME_MORE = 0, TCP_FRAME_OK = 1 };
/* looks at the start of buf: OK with the message length in *msglen when a
 * whole frame is there, MORE when bytes are missing, BAD for length 0 */
enum tcp_frame tcp_frame_next(const uint8_t *buf, size_t len, size_t *msglen);

int tcp_listen_open(const struct cfg_addr *a, char *err, size_t errlen);

struct tcp_stats {
	uint64_t accepted;      /* connections accepted */
	uint64_t evicted;       /* closed to make room for a new one */
	uint64_t idle_closed;   /* closed by the idle timeout */
	uint64_t bad_closed;    /* closed after a bad frame or dropped query */
	uint64_t current;       /* open now */
};

struct tcp_ctx;
struct tcp_ctx *tcp_ctx_new(struct ev_loop *loop, const int *lfds, size_t nlfds,
			    struct snapshot_reader *reader, struct query_stats *qstats,
			    struct tcp_stats *tstats, unsigned max_conns);
/* closes every connection (not the listeners) */
void tcp_ctx_free(struct tcp_ctx *ctx);

/* A listener the caller owns (for listen addresses added and removed while
 * running): tcp_listener_start() serves fd's connections in ctx's loop,
 * tcp_listener_stop() stops accepting (connections already accepted go on;
 * the caller closes fd).  Both in the thread of ctx's loop. */
struct tcp_listener {
	ev_io io;
	struct tcp_ctx *ctx;
};
void tcp_listener_start(struct tcp_ctx *ctx, struct tcp_listener *l, int fd);
void tcp_listener_stop(struct tcp_listener *l);

#endif
