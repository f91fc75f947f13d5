/*
 * ctlsock — a control socket: a unix stream socket served on a libev loop,
 * one request per line in, one JSON object per line out.  Used by
 * raiz-dnsd (dnsd/control.c) and raiz-controller (controller/main.c).
 *
 * Contract:
 *  - ctlsock_new() binds `path` with `mode` (0660: owner and group may
 *    talk; set through the umask at bind, never by a chmod of the name).  A live server answering on path makes it fail ("... in use:
 *    is <owner> already running?"); a stale socket file is removed; a path
 *    that exists and is not a socket is refused.  ctlsock_free() closes
 *    every connection and unlinks path.
 *  - Each connection has a CTLSOCK_LINE_MAX input buffer.  Every non-empty
 *    line (without "\n" or "\r\n", NUL-terminated) goes to the handler, in
 *    order; several lines in one write are all handled.  A line that
 *    fills the buffer gets {"ok":false,"error":"request line too long"}
 *    and the connection is closed after that reply.  Parsing is the
 *    handler's (ctlsock_json_object() helps); a garbage line gets the
 *    handler's error reply and the connection goes on.
 *  - The handler returns the reply (ownership passes to ctlsock) or NULL
 *    for none.  To answer later it calls ctlsock_defer(c) and returns NULL:
 *    no further line of that client is handled until ctlsock_reply(c, ..)
 *    is called, exactly once, on the kept pointer.  The connection stays
 *    valid until then even when the client hangs up, idles or ctlsock_free()
 *    runs (the reply is then dropped and the connection freed).
 *  - A client is cut when it makes no progress (no complete request, no
 *    reply taken) for CTLSOCK_IDLE seconds (ctlsock_set_idle()), not while
 *    a deferred reply is owed: bytes trickled without a newline do not
 *    keep it.  With CTLSOCK_CONN_MAX clients, a new one closes the least
 *    recently active client that owes no reply (idle clients cannot lock
 *    the operator out); only when every client is owed a reply does it get
 *    "too many clients".
 *  - Output is buffered (a slow reader never blocks the loop).  While more
 *    than CTLSOCK_OUT_PENDING bytes of replies wait, no further line of
 *    that client is handled nor read (a client pipelining requests without
 *    reading costs a bounded amount of work, then times out); one reply
 *    beyond CTLSOCK_OUT_MAX drops the client.
 *  - Out of descriptors (EMFILE, ENFILE), one kept in reserve accepts the
 *    next client; without one, accepting pauses for CTLSOCK_EMFILE_PAUSE
 *    seconds instead of spinning on the readable listener.
 */
#ifndef RAIZ_COMMON_CTLSOCK_H
#define RAIZ_COMMON_CTLSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <json.h>

#define CTLSOCK_LINE_MAX 8192
#define CTLSOCK_CONN_MAX 32
#define CTLSOCK_OUT_MAX (4u << 20)
#define CTLSOCK_OUT_PENDING (64u << 10)
#define CTLSOCK_IDLE 10.0
#define CTLSOCK_EMFILE_PAUSE 0.5

struct ev_loop;
struct ctlsock;
struct ctlsock_conn;

typedef json_object *(*ctlsock_handler)(void *arg, struct ctlsock_conn *c, const char *line);

/* owner names the program in the "in use" error */
struct ctlsock *ctlsock_new(struct ev_loop *loop, const char *path, mode_t mode,
			    const char *owner, ctlsock_handler handler, void *arg,
			    char *err, size_t errlen);
void ctlsock_free(struct ctlsock *s);
/* the idle cut, in seconds (default CTLSOCK_IDLE), for clients accepted later */
void ctlsock_set_idle(struct ctlsock *s, double seconds);

struct ctlsock_stats {
	size_t clients;              /* connected now */
	unsigned long accepted;
	unsigned long evicted;       /* closed to make room for a new client */
	unsigned long refused;       /* "too many clients" */
	unsigned long emfile;        /* accepts that found no descriptor */
	bool paused;                 /* accepting paused (out of descriptors) */
};
void ctlsock_get_stats(const struct ctlsock *s, struct ctlsock_stats *out);

/* from the handler: the reply to this line comes later; returns c */
struct ctlsock_conn *ctlsock_defer(struct ctlsock_conn *c);
/* the deferred reply (ownership passes; NULL: none) */
void ctlsock_reply(struct ctlsock_conn *c, json_object *reply);

/* {"ok":false,"error":msg} */
json_object *ctlsock_error(const char *msg);
/* the line as one JSON object, nothing after it; NULL when it is not */
json_object *ctlsock_json_object(const char *line, size_t len);

#endif
