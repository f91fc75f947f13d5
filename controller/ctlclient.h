/*
 * ctlclient — the client side of the raiz control sockets (common/ctlsock.h;
 * raiz-controller's commands in controller/main.c, raiz-dnsd's in
 * dnsd/control.h): send one JSON request line, read one JSON reply line.
 *
 * Contract: ctlclient_call() connects, sends, waits at most timeout_ms for
 * the whole reply and returns it (caller frees with json_object_put()), or
 * NULL with a reason in err; *unreachable is set when the controller could
 * not be reached at all (no socket, refused, permission), as opposed to a
 * broken or late reply.
 */
#ifndef RAIZ_CONTROLLER_CTLCLIENT_H
#define RAIZ_CONTROLLER_CTLCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json.h>

#include "common/version.h"

/* microseconds as a JSON number of milliseconds with 3 decimals */
json_object *ctlclient_json_ms(uint64_t us);

json_object *ctlclient_call(const char *path, json_object *req, int timeout_ms,
			    bool *unreachable, char *err, size_t errlen);
/* the same for any raiz control socket; who names the daemon in errors */
json_object *ctlclient_call_to(const char *who, const char *path, json_object *req,
			       int timeout_ms, bool *unreachable, char *err, size_t errlen);

#endif
