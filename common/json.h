/*
 * json — a JSON reader that remembers lines, for configuration files.
 *
 * Contract: json_parse_lines() parses text (RFC 8259 plus // and slash-star
 * comments) into a json-c tree in which every non-null value carries the
 * line it starts on (json_value_line()); json-c holds a JSON null as NULL,
 * so the line of a null member or element is asked of its container
 * (json_member_line(), json_element_line()).  Duplicate keys and trailing
 * garbage are errors.  On error it returns NULL and writes "line N: reason"
 * style text (without the file name) into err and the line into *errline.
 * The caller frees the tree with json_object_put().
 */
#ifndef RAIZ_JSON_H
#define RAIZ_JSON_H

#include <stddef.h>
#include <json.h>

json_object *json_parse_lines(const char *text, size_t len, char *err, size_t errlen,
			      int *errline);
/* 0 when unknown (null values, objects not made by json_parse_lines) */
int json_value_line(json_object *o);
/* the line of obj's member `key` / arr's element idx, null ones included;
 * 0 when absent or unknown */
int json_member_line(json_object *obj, const char *key);
int json_element_line(json_object *arr, size_t idx);

#endif
