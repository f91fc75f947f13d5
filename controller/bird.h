/*
 * bird — non-blocking client of BIRD 2's control socket on a libev loop.
 *
 * Contract: bird_new() connects to the unix socket in the background and
 * keeps reconnecting with exponential backoff while BIRD is away; on_state
 * reports every change between connected (greeting "0001 ..." read) and
 * disconnected.  bird_cmd() queues one command line; commands are sent one
 * at a time, the next only after the previous reply's final line
 * ("DDDD text", space in column 5), so BIRD's small input buffer is never
 * overrun.  Continuation lines (" text") inherit the code of the line
 * before; asynchronous "+" lines are skipped.  Every accepted command gets
 * exactly one callback: BIRD's reply, or a negative BIRD_E* code when it
 * timed out (the connection is then dropped and re-made, since the stream
 * is out of step) or the connection broke — unless bird_cancel() or
 * bird_free() dropped it, which silences its callback.
 * Commands are refused (-1, errno) while no connection is open or being
 * opened (ENOTCONN; while the greeting is awaited they are queued), empty or
 * holding control characters (EINVAL), longer than BIRD_CMD_MAX (E2BIG),
 * or when BIRD_QUEUE_MAX are waiting (ENOBUFS); refused commands get no
 * callback.  Callbacks may queue commands; they must not call bird_free().
 *
 * Measured on BIRD 2.0.12: a command line of 1024 bytes or more (newline
 * included) makes BIRD drop the connection, so BIRD_CMD_MAX is well below.
 */
#ifndef RAIZ_BIRD_H
#define RAIZ_BIRD_H

#include <stdbool.h>
#include <stddef.h>
#include <ev.h>

#define BIRD_CMD_MAX    1000    /* bytes, without the newline */
#define BIRD_QUEUE_MAX  256     /* commands waiting, besides the one sent */

/* local outcomes, reported as bird_reply.code */
enum {
	BIRD_ETIMEDOUT = -1,     /* no final line within the command timeout */
	BIRD_EDISCONNECTED = -2, /* connection lost before the reply */
	BIRD_ETOOBIG = -3,       /* reply larger than BIRD_REPLY_MAX; discarded */
};
#define BIRD_REPLY_MAX  (16u << 20)

struct bird_line {
	int code;                /* 0..9999; continuation lines inherit it */
	const char *text;        /* without code, separator and newline */
};

struct bird_reply {
	int code;                /* final line's code, or a BIRD_E* (< 0) */
	const char *text;        /* final line's text ("" for local errors) */
	size_t nlines;           /* lines before the final line */
	const struct bird_line *lines;
};

struct bird_client;

/* the reply is valid only during the call */
typedef void (*bird_reply_cb)(void *arg, const struct bird_reply *reply);
typedef void (*bird_state_cb)(void *arg, bool connected);

struct bird_client *bird_new(struct ev_loop *loop, const char *socket_path,
			     bird_state_cb on_state, void *arg);
/* drops queued commands without callbacks, closes the socket */
void bird_free(struct bird_client *c);

/* seconds; defaults 10 (command), 0.05 .. 2 (reconnect backoff) */
void bird_set_timeouts(struct bird_client *c, double cmd_timeout,
		       double backoff_min, double backoff_max);

/* queue cmd at the tail; 0 or -1 with errno (see above) */
int bird_cmd(struct bird_client *c, const char *cmd, bird_reply_cb cb, void *arg);
/* the same, but ahead of every waiting command (not of the one sent) */
int bird_cmd_urgent(struct bird_client *c, const char *cmd, bird_reply_cb cb, void *arg);
/* forget every command queued with this arg, without callbacks (the one
 * already sent still runs to its final line, unheard) */
void bird_cancel(struct bird_client *c, void *arg);

bool bird_connected(const struct bird_client *c);
/* true while no connection is open and the last attempt found no BIRD
 * behind the socket: the file is missing (ENOENT) or nobody listens on it
 * (ECONNREFUSED).  A BIRD that is merely slow or hung (SIGSTOP) still
 * accepts connections and is not "not running".  After a lost connection
 * the first new attempt is made within the backoff minimum (0.05 s). */
bool bird_not_running(const struct bird_client *c);
/* the greeting text ("BIRD 2.0.12 ready."), "" when never connected */
const char *bird_greeting(const struct bird_client *c);
/* commands waiting plus the one outstanding */
size_t bird_pending(const struct bird_client *c);

/* helpers for callers: index of the first line with this code, or -1 */
int bird_reply_find(const struct bird_reply *r, int code);
/* true when BIRD answered and the final code is below 8000 */
bool bird_reply_ok(const struct bird_reply *r);
/* "timed out", "disconnected", ... for local codes, else the final text */
const char *bird_reply_strerror(const struct bird_reply *r);

#endif
