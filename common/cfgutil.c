/* cfgutil — see cfgutil.h */
#include "common/cfgutil.h"
#include "common/config.h"
#include "common/json.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cfg_line(json_object *o)
{
	return json_value_line(o);
}

static int cfg_vfail(struct cfg_ctx *c, int line, const char *fmt, va_list ap)
{
	if (c->failed)
		return -1;
	c->failed = true;
	int n = line > 0 ? snprintf(c->err, c->errlen, "%s:%d: ", c->file, line)
			 : snprintf(c->err, c->errlen, "%s: ", c->file);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	return -1;
}

int cfg_fail(struct cfg_ctx *c, json_object *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cfg_vfail(c, cfg_line(at), fmt, ap);
	va_end(ap);
	return -1;
}

int cfg_fail_line(struct cfg_ctx *c, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cfg_vfail(c, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* at the member (null or not), else at obj */
static int cfg_member_line(json_object *obj, const char *key)
{
	int line = json_member_line(obj, key);
	return line > 0 ? line : cfg_line(obj);
}

json_object *cfg_member(json_object *obj, const char *key)
{
	json_object *v = NULL;
	if (obj && json_object_is_type(obj, json_type_object))
		json_object_object_get_ex(obj, key, &v);
	return v;
}

static bool cfg_has(json_object *obj, const char *key)
{
	return obj && json_object_is_type(obj, json_type_object) &&
	       json_object_object_get_ex(obj, key, NULL);
}

bool cfg_is_null(json_object *obj, const char *key)
{
	return cfg_has(obj, key) && !cfg_member(obj, key);
}

int cfg_check_keys(struct cfg_ctx *c, json_object *obj, const char *what,
		   const char *const *allowed)
{
	if (c->failed)
		return -1;
	if (!obj || !json_object_is_type(obj, json_type_object))
		return cfg_fail(c, obj, "%s must be an object", what);
	json_object_object_foreach(obj, key, val) {
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, key) == 0)
				ok = true;
		(void)val;
		if (!ok)
			return cfg_fail_line(c, cfg_member_line(obj, key),
					     "unknown key \"%s\" in %s", key, what);
	}
	return 0;
}

/* common prologue: returns 1 when the key is present, 0 when absent
 * (default applies), -1 on error.  JSON null is an error ("must be <what>,
 * not null"): the code relies on every value it reads, and a key that may
 * be null is tested with cfg_is_null() first. */
static int cfg_lookup(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		      const char *what, json_object **v)
{
	if (c->failed)
		return -1;
	*v = cfg_member(obj, key);
	if (!*v) {
		if (cfg_has(obj, key))
			return cfg_fail_line(c, cfg_member_line(obj, key),
					     "\"%s\" must be %s, not null", key, what);
		if (required)
			return cfg_fail(c, obj, "missing required key \"%s\"", key);
		return 0;
	}
	return 1;
}

/* an object or array member: NULL when absent, error when of another type */
static int cfg_get_typed(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
			 json_type type, const char *what, json_object **out)
{
	json_object *v;
	int r = cfg_lookup(c, obj, key, required, what, &v);
	*out = NULL;
	if (r <= 0)
		return r;
	if (!json_object_is_type(v, type))
		return cfg_fail(c, v, "\"%s\" must be %s", key, what);
	*out = v;
	return 0;
}

int cfg_get_object(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		   json_object **out)
{
	return cfg_get_typed(c, obj, key, required, json_type_object, "an object", out);
}

int cfg_get_array(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		  json_object **out)
{
	if (cfg_get_typed(c, obj, key, required, json_type_array, "an array", out) < 0)
		return -1;
	/* no array of raiz.json may hold a null: refused here for all */
	size_t n = *out ? json_object_array_length(*out) : 0;
	for (size_t i = 0; i < n; i++)
		if (!json_object_array_get_idx(*out, i)) {
			*out = NULL;
			return cfg_fail_line(c, json_element_line(cfg_member(obj, key), i),
					     "\"%s\": element %zu is null", key, i + 1);
		}
	return 0;
}

int cfg_get_string(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		   const char *def, char **out)
{
	json_object *v;
	int r = cfg_lookup(c, obj, key, required, "a string", &v);
	*out = NULL;
	if (r < 0)
		return r;
	if (r == 0) {
		if (def && !(*out = strdup(def)))
			return cfg_fail(c, obj, "out of memory");
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return cfg_fail(c, v, "\"%s\" must be a string", key);
	if (!(*out = strdup(json_object_get_string(v))))
		return cfg_fail(c, v, "out of memory");
	return 0;
}

static char *cfg_resolve(const struct cfg_ctx *c, const char *p)
{
	if (p[0] == '/' || !c->dir || !c->dir[0])
		return strdup(p);
	size_t n = strlen(c->dir) + strlen(p) + 2;
	char *r = malloc(n);
	if (r)
		snprintf(r, n, "%s/%s", c->dir, p);
	return r;
}

int cfg_get_path(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		 const char *def, char **out)
{
	char *s;
	if (cfg_get_string(c, obj, key, required, def, &s) < 0)
		return -1;
	*out = NULL;
	if (!s)
		return 0;
	if (!s[0]) {
		free(s);
		return cfg_fail(c, cfg_member(obj, key), "\"%s\" must not be empty", key);
	}
	*out = cfg_resolve(c, s);
	free(s);
	if (!*out)
		return cfg_fail(c, cfg_member(obj, key), "out of memory");
	return 0;
}

int cfg_get_uint(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		 unsigned min, unsigned max, unsigned def, unsigned *out)
{
	json_object *v;
	int r = cfg_lookup(c, obj, key, required, "a whole number", &v);
	if (r < 0)
		return r;
	if (r == 0) {
		*out = def;
		return 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return cfg_fail(c, v, "\"%s\" must be a whole number", key);
	int64_t n = json_object_get_int64(v);
	if (n < (int64_t)min || n > (int64_t)max)
		return cfg_fail(c, v, "\"%s\" is %lld, must be between %u and %u", key,
				(long long)n, min, max);
	*out = (unsigned)n;
	return 0;
}

int cfg_get_bool(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		 bool def, bool *out)
{
	json_object *v;
	int r = cfg_lookup(c, obj, key, required, "true or false", &v);
	if (r < 0)
		return r;
	if (r == 0) {
		*out = def;
		return 0;
	}
	if (!json_object_is_type(v, json_type_boolean))
		return cfg_fail(c, v, "\"%s\" must be true or false", key);
	*out = json_object_get_boolean(v);
	return 0;
}

static void cfg_fmt_ms(uint64_t ms, char *buf, size_t len)
{
	if (ms % 1000)
		snprintf(buf, len, "%llums", (unsigned long long)ms);
	else
		snprintf(buf, len, "%llus", (unsigned long long)(ms / 1000));
}

int cfg_get_duration(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		     uint64_t min_ms, uint64_t max_ms, uint64_t def_ms, uint64_t *out_ms)
{
	json_object *v;
	int r = cfg_lookup(c, obj, key, required, "a duration", &v);
	if (r < 0)
		return r;
	if (r == 0) {
		*out_ms = def_ms;
		return 0;
	}
	double ms;
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
		ms = json_object_get_double(v) * 1000.0;
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		char *end;
		double n = strtod(s, &end);
		if (end == s || n < 0 || !isfinite(n))
			return cfg_fail(c, v, "\"%s\": \"%s\" is not a duration (e.g. \"500ms\", \"2s\", \"5m\")",
					key, s);
		double mult;
		if (strcmp(end, "ms") == 0)
			mult = 1;
		else if (strcmp(end, "s") == 0 || *end == '\0')
			mult = 1000;
		else if (strcmp(end, "m") == 0)
			mult = 60000;
		else if (strcmp(end, "h") == 0)
			mult = 3600000;
		else if (strcmp(end, "d") == 0)
			mult = 86400000;
		else
			return cfg_fail(c, v, "\"%s\": unknown unit \"%s\" (use ms, s, m, h or d)", key, end);
		ms = n * mult;
	} else {
		return cfg_fail(c, v, "\"%s\" must be a duration: seconds or a string like \"500ms\"", key);
	}
	if (!(ms >= 0) || ms > 1e15)
		return cfg_fail(c, v, "\"%s\" is not a valid duration", key);
	uint64_t m = (uint64_t)(ms + 0.5);
	if (m < min_ms || m > max_ms) {
		char a[32], b[32];
		cfg_fmt_ms(min_ms, a, sizeof a);
		cfg_fmt_ms(max_ms, b, sizeof b);
		return cfg_fail(c, v, "\"%s\" must be between %s and %s", key, a, b);
	}
	*out_ms = m;
	return 0;
}

int cfg_get_enum(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		 const char *const *names, int def, int *out)
{
	char list[256] = "one of ";
	for (int i = 0; names[i]; i++) {
		size_t l = strlen(list);
		snprintf(list + l, sizeof list - l, "%s\"%s\"", i ? ", " : "", names[i]);
	}
	json_object *v;
	int r = cfg_lookup(c, obj, key, required, list, &v);
	if (r < 0)
		return r;
	if (r == 0) {
		*out = def;
		return 0;
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		for (int i = 0; names[i]; i++)
			if (strcmp(names[i], s) == 0) {
				*out = i;
				return 0;
			}
	}
	return cfg_fail(c, v, "\"%s\" must be %s", key, list);
}

int cfg_addr_from_text(const char *text, uint16_t default_port, struct cfg_addr *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *at = strrchr(text, '@');
	size_t hlen = at ? (size_t)(at - text) : strlen(text);
	if (hlen == 0 || hlen >= sizeof host)
		return -1;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	unsigned long port = default_port;
	if (at) {
		char *end;
		if (!isdigit((unsigned char)at[1]))
			return -1;
		port = strtoul(at + 1, &end, 10);
		if (*end || port == 0 || port > 65535)
			return -1;
	}
	memset(out, 0, sizeof *out);
	out->port = (uint16_t)port;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(out->port);
		out->len = sizeof *s4;
		out->family = AF_INET;
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(out->port);
		out->len = sizeof *s6;
		out->family = AF_INET6;
	} else {
		return -1;
	}
	char canon[INET6_ADDRSTRLEN];
	inet_ntop(out->family, out->family == AF_INET ? (void *)&s4->sin_addr
						      : (void *)&s6->sin6_addr,
		  canon, sizeof canon);
	snprintf(out->text, sizeof out->text, "%s@%u", canon, out->port);
	return 0;
}

int cfg_parse_addr(struct cfg_ctx *c, json_object *val, uint16_t default_port,
		   struct cfg_addr *out)
{
	if (c->failed)
		return -1;
	if (!val || !json_object_is_type(val, json_type_string))
		return cfg_fail(c, val, "an address must be a string like \"192.0.2.53\" or \"2001:db8::53@5353\"");
	const char *s = json_object_get_string(val);
	if (cfg_addr_from_text(s, default_port, out) < 0)
		return cfg_fail(c, val, "\"%s\" is not an IPv4 or IPv6 address with optional @port", s);
	return 0;
}

int cfg_get_addr(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		 uint16_t default_port, struct cfg_addr *out, bool *present)
{
	json_object *v;
	int r = cfg_lookup(c, obj, key, required, "an address (a string)", &v);
	if (present)
		*present = r > 0;
	if (r <= 0)
		return r;
	return cfg_parse_addr(c, v, default_port, out);
}

/* checks presentation-format domain name syntax (no escapes beyond \. and
 * \DDD, labels 1..63, total <= 255 in wire form) */
static int cfg_dname_check(const char *s, char *why, size_t whylen)
{
	if (strcmp(s, ".") == 0)
		return 0;
	size_t wire = 1, label = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '.') {
			if (label == 0) {
				snprintf(why, whylen, "empty label");
				return -1;
			}
			wire += label + 1;
			label = 0;
			continue;
		}
		if (*p == '\\') {
			if (isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
			    isdigit((unsigned char)p[3]))
				p += 3;
			else if (p[1])
				p++;
		}
		if (++label > 63) {
			snprintf(why, whylen, "label longer than 63 octets");
			return -1;
		}
	}
	wire += label ? label + 1 : 0;
	if (wire > 255) {
		snprintf(why, whylen, "name longer than 255 octets");
		return -1;
	}
	return 0;
}

int cfg_get_dname(struct cfg_ctx *c, json_object *obj, const char *key, bool required,
		  const char *def, char **out)
{
	char *s;
	if (cfg_get_string(c, obj, key, required, def, &s) < 0)
		return -1;
	*out = NULL;
	if (!s)
		return 0;
	char why[64];
	if (!s[0] || cfg_dname_check(s, why, sizeof why) < 0) {
		int r = cfg_fail(c, cfg_member(obj, key), "\"%s\": \"%s\" is not a domain name: %s",
				 key, s, s[0] ? why : "empty");
		free(s);
		return r;
	}
	size_t n = strlen(s);
	if (s[n - 1] != '.' || (n >= 2 && s[n - 2] == '\\')) {
		char *t = malloc(n + 2);
		if (!t) {
			free(s);
			return cfg_fail(c, obj, "out of memory");
		}
		memcpy(t, s, n);
		t[n] = '.';
		t[n + 1] = '\0';
		free(s);
		s = t;
	}
	*out = s;
	return 0;
}
