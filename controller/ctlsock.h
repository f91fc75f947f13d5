/*
 * ctlsock — raiz-controller's control socket: a unix stream socket on
 * which each request is one line of JSON ({"command": "status", ...}) and
 * each reply is one line of JSON.
 *
 * Contract: ctlsock_new() refuses to take over a socket another process
 * still answers on, removes a stale one, binds, and sets the mode (0660:
 * the owner and the group may talk to the controller).  handler() gets
 * each parsed request object and returns a new reply object (ownership
 * passes to ctlsock); a line that is not a JSON object gets an error
 * reply without reaching the handler.  Lines longer than CTLSOCK_LINE_MAX,
 * more than CTLSOCK_CONN_MAX clients or a client idle for 30 s are cut
 * off; a slow reader cannot block the loop (replies are buffered and
 * written when the socket is writable).  ctlsock_free() closes every
 * connection and unlinks the socket.
 */
#ifndef RAIZ_CONTROLLER_CTLSOCK_H
#define RAIZ_CONTROLLER_CTLSOCK_H

#include <stddef.h>
#include <sys/types.h>
#include <json.h>

#define CTLSOCK_LINE_MAX 8192
#define CTLSOCK_CONN_MAX 32

struct ev_loop;
struct ctlsock;

typedef json_object *(*ctlsock_handler)(void *arg, json_object *req);

struct ctlsock *ctlsock_new(struct ev_loop *loop, const char *path, mode_t mode,
			    ctlsock_handler handler, void *arg, char *err, size_t errlen);
void ctlsock_free(struct ctlsock *s);

#endif
