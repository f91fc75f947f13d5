/*
 * ctljson — reading the replies of the control sockets (raiz-controller's
 * and raiz-dnsd's) in raizctl: lenient accessors for json-c objects.
 *
 * Contract: every accessor takes a NULL object or a missing key and then
 * answers the empty value ("" / false / NULL / 0), so callers print what
 * is there without checking each step.  Strings point into the object and
 * live as long as it does.
 */
#ifndef RAIZ_RAIZCTL_CTLJSON_H
#define RAIZ_RAIZCTL_CTLJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json.h>

/* o[key] as text ("" when missing or null; numbers as written) */
const char *ctljson_str(json_object *o, const char *key);
/* o[key] as a number in *out; false (and *out untouched) when it is
 * missing, null or not a number */
bool ctljson_int(json_object *o, const char *key, int64_t *out);
/* o[key] is there and not null */
bool ctljson_has(json_object *o, const char *key);
/* o[key] is true */
bool ctljson_bool(json_object *o, const char *key);
/* o[key] when it is an array, else NULL */
json_object *ctljson_array(json_object *o, const char *key);
/* the length of an array, 0 for NULL */
size_t ctljson_len(json_object *a);
/* the element of arr whose key is val, NULL when none */
json_object *ctljson_find(json_object *arr, const char *key, const char *val);

#endif
