/*
 * cfgutil — typed, validated access to a parsed raiz.json for the section
 * parsers (config_dnsd.c, config_ctl.c, config_probe.c).
 *
 * Contract: every value in the tree remembers the line it starts on
 * (cfg_line()).  Each getter either stores a valid value (or the default
 * when the key is absent and not required) and returns 0, or records the
 * first error as "file:line: reason" in the context and returns -1.
 * A JSON null is never taken for "absent": every getter refuses it
 * ("\"run-dir\" must be a string, not null"), like a value of the wrong
 * type; a key documented as "or null" is tested with cfg_is_null() first.
 * After the first error every further call fails at once, so a parser may
 * chain calls and check ctx->failed at the end.  Strings returned are
 * strdup()ed and owned by the caller.  cfg_check_keys() refuses keys not in
 * the allowed list (catches typos like "edns-bufer-size").
 */
#ifndef RAIZ_CFGUTIL_H
#define RAIZ_CFGUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json.h>

struct cfg_addr;

struct cfg_ctx {
	const char *file;        /* for messages */
	const char *dir;         /* for relative paths */
	char *err;
	size_t errlen;
	bool failed;
};

int cfg_line(json_object *o);
/* record "file:line: <fmt>" (line of `at`, or 0 = no line); returns -1 */
int cfg_fail(struct cfg_ctx *c, json_object *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* the same at a given line (json_member_line() for a null member) */
int cfg_fail_line(struct cfg_ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* obj has member `key` and it is JSON null */
bool cfg_is_null(json_object *obj, const char *key);

/* obj must be an object; every key must be in the NULL-terminated list */
int cfg_check_keys(struct cfg_ctx *c, json_object *obj, const char *what,
		   const char *const *allowed);
/* the member `key` of obj, NULL if absent (or obj NULL) */
json_object *cfg_member(json_object *obj, const char *key);

/* `what` names the enclosing thing for messages, e.g. "dnsd" or "zone br." */
int cfg_get_object(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		   json_object **out);
int cfg_get_array(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		  json_object **out);
/* def may be NULL: absent -> *out = NULL.  JSON null is refused. */
int cfg_get_string(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		   const char *def, char **out);
/* like cfg_get_string, relative paths resolved against the file's directory */
int cfg_get_path(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		 const char *def, char **out);
int cfg_get_uint(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		 unsigned min, unsigned max, unsigned def, unsigned *out);
int cfg_get_bool(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		 bool def, bool *out);
/* seconds as a number (fractions allowed) or "250ms", "2s", "5m", "1h", "1d";
 * stored in milliseconds; min/max in milliseconds */
int cfg_get_duration(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		     uint64_t min_ms, uint64_t max_ms, uint64_t def_ms, uint64_t *out_ms);
/* one of the NULL-terminated names; stores the index */
int cfg_get_enum(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		 const char *const *names, int def, int *out);

/* parse a value as an address "ip", "ip@port"; default_port when absent */
int cfg_parse_addr(struct cfg_ctx *c, json_object *val, uint16_t default_port,
		   struct cfg_addr *out);
int cfg_get_addr(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		 uint16_t default_port, struct cfg_addr *out, bool *present);
/* text -> address without a context (for command lines); 0 ok, -1 bad */
int cfg_addr_from_text(const char *text, uint16_t default_port, struct cfg_addr *out);

/* a domain name in presentation format: valid, made absolute (trailing dot) */
int cfg_get_dname(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		  const char *def, char **out);

/* section parsers, called by config_load() in this order */
struct raiz_config;
int config_node_parse(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg);
int config_dnsd_parse(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg);
int config_probe_parse(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg);
int config_ctl_parse(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg);
/* and their destructors (must accept partially filled structs) */
void config_dnsd_free(struct raiz_config *cfg);
void config_probe_free(struct raiz_config *cfg);
void config_ctl_free(struct raiz_config *cfg);

#endif
