/* json — see json.h.  Recursive descent; the depth is bounded. */
#include "common/json.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#define JSON_MAX_DEPTH 64

struct jp {
	const char *s, *end;
	int line;
	int vline;               /* the line of the last value read (nulls too) */
	char *err;
	size_t errlen;
	int errline;
	bool failed;
};

static json_object *jp_value(struct jp *p, int depth);

static void jp_fail(struct jp *p, const char *fmt, ...)
{
	if (p->failed)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	p->errline = p->line;
	p->failed = true;
}

/* Scalars carry their line as the userdata itself; objects and arrays
 * carry a struct jmeta (their line, and the lines of their null members,
 * which json-c stores as NULL and so cannot carry anything). */
struct jnull {
	char *key;               /* object member, or NULL for an array element */
	size_t idx;
	int line;
};

struct jmeta {
	int line;
	size_t n, cap;
	struct jnull *v;
};

static void jmeta_free(json_object *o, void *ud)
{
	struct jmeta *m = ud;
	(void)o;
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].key);
	free(m->v);
	free(m);
}

static bool json_is_container(json_object *o)
{
	return json_object_is_type(o, json_type_object) || json_object_is_type(o, json_type_array);
}

static json_object *jp_mark(json_object *o, int line)
{
	if (o && !json_is_container(o))
		json_object_set_userdata(o, (void *)(intptr_t)line, NULL);
	return o;
}

/* a new container carrying its line; NULL (and failed) when out of memory */
static json_object *jp_container(struct jp *p, bool object, int line)
{
	json_object *o = object ? json_object_new_object() : json_object_new_array();
	struct jmeta *m = calloc(1, sizeof *m);
	if (!o || !m) {
		json_object_put(o);
		free(m);
		jp_fail(p, "out of memory");
		return NULL;
	}
	m->line = line;
	json_object_set_userdata(o, m, jmeta_free);
	return o;
}

/* remembers that member key (or element idx) of o is a null on line */
static bool jp_note_null(struct jp *p, json_object *o, const char *key, size_t idx, int line)
{
	struct jmeta *m = json_object_get_userdata(o);
	if (m->n == m->cap) {
		size_t ncap = m->cap ? 2 * m->cap : 4;
		struct jnull *nv = realloc(m->v, ncap * sizeof *nv);
		if (!nv) {
			jp_fail(p, "out of memory");
			return false;
		}
		m->v = nv;
		m->cap = ncap;
	}
	char *k = key ? strdup(key) : NULL;
	if (key && !k) {
		jp_fail(p, "out of memory");
		return false;
	}
	m->v[m->n++] = (struct jnull){ .key = k, .idx = idx, .line = line };
	return true;
}

int json_value_line(json_object *o)
{
	if (!o)
		return 0;
	if (json_is_container(o)) {
		const struct jmeta *m = json_object_get_userdata(o);
		return m ? m->line : 0;
	}
	return (int)(intptr_t)json_object_get_userdata(o);
}

int json_member_line(json_object *obj, const char *key)
{
	json_object *v = NULL;
	if (!obj || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v))
		return 0;
	if (v)
		return json_value_line(v);
	const struct jmeta *m = json_object_get_userdata(obj);
	for (size_t i = 0; m && i < m->n; i++)
		if (m->v[i].key && strcmp(m->v[i].key, key) == 0)
			return m->v[i].line;
	return 0;
}

int json_element_line(json_object *arr, size_t idx)
{
	if (!arr || !json_object_is_type(arr, json_type_array) ||
	    idx >= json_object_array_length(arr))
		return 0;
	json_object *v = json_object_array_get_idx(arr, idx);
	if (v)
		return json_value_line(v);
	const struct jmeta *m = json_object_get_userdata(arr);
	for (size_t i = 0; m && i < m->n; i++)
		if (!m->v[i].key && m->v[i].idx == idx)
			return m->v[i].line;
	return 0;
}

/* skip white space and comments */
static void jp_skip(struct jp *p)
{
	while (p->s < p->end) {
		char c = *p->s;
		if (c == '\n') {
			p->line++;
			p->s++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			p->s++;
		} else if (c == '/' && p->s + 1 < p->end && p->s[1] == '/') {
			while (p->s < p->end && *p->s != '\n')
				p->s++;
		} else if (c == '/' && p->s + 1 < p->end && p->s[1] == '*') {
			int start = p->line;
			p->s += 2;
			while (p->s + 1 < p->end && !(p->s[0] == '*' && p->s[1] == '/')) {
				if (*p->s == '\n')
					p->line++;
				p->s++;
			}
			if (p->s + 1 >= p->end) {
				p->line = start;
				jp_fail(p, "unterminated comment");
				p->s = p->end;
				return;
			}
			p->s += 2;
		} else {
			return;
		}
	}
}

static int jp_hex4(struct jp *p, unsigned *out)
{
	if (p->end - p->s < 4) {
		jp_fail(p, "truncated \\u escape");
		return -1;
	}
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p->s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else {
			jp_fail(p, "bad \\u escape");
			return -1;
		}
	}
	p->s += 4;
	*out = v;
	return 0;
}

static size_t jp_utf8(unsigned cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* parse a string at p->s (on the opening quote); returns malloc'ed text */
static char *jp_string(struct jp *p, size_t *outlen)
{
	p->s++;
	size_t cap = 64, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		jp_fail(p, "out of memory");
		return NULL;
	}
	for (;;) {
		if (p->s >= p->end) {
			jp_fail(p, "unterminated string");
			goto fail;
		}
		if (cap - n < 8) {
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				jp_fail(p, "out of memory");
				goto fail;
			}
			buf = nb;
		}
		unsigned char c = (unsigned char)*p->s;
		if (c == '"') {
			p->s++;
			break;
		}
		if (c < 0x20) {
			jp_fail(p, "control character in string (strings cannot span lines)");
			goto fail;
		}
		if (c != '\\') {
			buf[n++] = (char)c;
			p->s++;
			continue;
		}
		p->s++;
		if (p->s >= p->end) {
			jp_fail(p, "unterminated string");
			goto fail;
		}
		char e = *p->s++;
		switch (e) {
		case '"': buf[n++] = '"'; break;
		case '\\': buf[n++] = '\\'; break;
		case '/': buf[n++] = '/'; break;
		case 'b': buf[n++] = '\b'; break;
		case 'f': buf[n++] = '\f'; break;
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case 'u': {
			unsigned cp;
			if (jp_hex4(p, &cp) < 0)
				goto fail;
			if (cp >= 0xd800 && cp < 0xdc00) {
				unsigned lo;
				if (p->end - p->s < 6 || p->s[0] != '\\' || p->s[1] != 'u') {
					jp_fail(p, "lone surrogate in \\u escape");
					goto fail;
				}
				p->s += 2;
				if (jp_hex4(p, &lo) < 0)
					goto fail;
				if (lo < 0xdc00 || lo > 0xdfff) {
					jp_fail(p, "bad surrogate pair in \\u escape");
					goto fail;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				jp_fail(p, "lone surrogate in \\u escape");
				goto fail;
			}
			if (cp == 0) {
				jp_fail(p, "\\u0000 is not allowed in strings");
				goto fail;
			}
			n += jp_utf8(cp, buf + n);
			break;
		}
		default:
			jp_fail(p, "bad escape \\%c in string", e);
			goto fail;
		}
	}
	buf[n] = '\0';
	*outlen = n;
	return buf;
fail:
	free(buf);
	return NULL;
}

static json_object *jp_number(struct jp *p)
{
	const char *start = p->s;
	bool is_float = false;
	if (p->s < p->end && *p->s == '-')
		p->s++;
	if (p->s >= p->end || *p->s < '0' || *p->s > '9') {
		jp_fail(p, "bad number");
		return NULL;
	}
	if (*p->s == '0' && p->s + 1 < p->end && p->s[1] >= '0' && p->s[1] <= '9') {
		jp_fail(p, "numbers cannot have leading zeros");
		return NULL;
	}
	while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
		p->s++;
	if (p->s < p->end && *p->s == '.') {
		is_float = true;
		p->s++;
		if (p->s >= p->end || *p->s < '0' || *p->s > '9') {
			jp_fail(p, "bad number");
			return NULL;
		}
		while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
			p->s++;
	}
	if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
		is_float = true;
		p->s++;
		if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
			p->s++;
		if (p->s >= p->end || *p->s < '0' || *p->s > '9') {
			jp_fail(p, "bad number");
			return NULL;
		}
		while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
			p->s++;
	}
	char tmp[64];
	size_t len = (size_t)(p->s - start);
	if (len >= sizeof tmp) {
		jp_fail(p, "number too long");
		return NULL;
	}
	memcpy(tmp, start, len);
	tmp[len] = '\0';
	errno = 0;
	if (!is_float) {
		long long v = strtoll(tmp, NULL, 10);
		if (errno == ERANGE) {
			jp_fail(p, "number out of range");
			return NULL;
		}
		return json_object_new_int64(v);
	}
	return json_object_new_double(strtod(tmp, NULL));
}

static bool jp_word(struct jp *p, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(p->end - p->s) >= n && memcmp(p->s, w, n) == 0) {
		p->s += n;
		return true;
	}
	return false;
}

static json_object *jp_object(struct jp *p, int depth, int line)
{
	json_object *o = jp_container(p, true, line);
	if (!o)
		return NULL;
	p->s++; /* { */
	jp_skip(p);
	if (p->s < p->end && *p->s == '}') {
		p->s++;
		return o;
	}
	for (;;) {
		jp_skip(p);
		if (p->s >= p->end || *p->s != '"') {
			jp_fail(p, "expected a quoted key");
			goto fail;
		}
		size_t klen;
		char *key = jp_string(p, &klen);
		if (!key)
			goto fail;
		if (json_object_object_get_ex(o, key, NULL)) {
			jp_fail(p, "duplicate key \"%s\"", key);
			free(key);
			goto fail;
		}
		jp_skip(p);
		if (p->s >= p->end || *p->s != ':') {
			jp_fail(p, "expected ':' after key \"%s\"", key);
			free(key);
			goto fail;
		}
		p->s++;
		json_object *v = jp_value(p, depth + 1);
		if (p->failed) {
			free(key);
			goto fail;
		}
		json_object_object_add(o, key, v);
		if (!v && !jp_note_null(p, o, key, 0, p->vline)) {
			free(key);
			goto fail;
		}
		free(key);
		jp_skip(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == '}') {
			p->s++;
			return o;
		}
		jp_fail(p, "expected ',' or '}' in object");
		goto fail;
	}
fail:
	json_object_put(o);
	return NULL;
}

static json_object *jp_array(struct jp *p, int depth, int line)
{
	json_object *a = jp_container(p, false, line);
	if (!a)
		return NULL;
	p->s++; /* [ */
	jp_skip(p);
	if (p->s < p->end && *p->s == ']') {
		p->s++;
		return a;
	}
	for (;;) {
		json_object *v = jp_value(p, depth + 1);
		if (p->failed)
			goto fail;
		json_object_array_add(a, v);
		if (!v && !jp_note_null(p, a, NULL, json_object_array_length(a) - 1, p->vline))
			goto fail;
		jp_skip(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == ']') {
			p->s++;
			return a;
		}
		jp_fail(p, "expected ',' or ']' in array");
		goto fail;
	}
fail:
	json_object_put(a);
	return NULL;
}

static json_object *jp_value(struct jp *p, int depth)
{
	if (depth > JSON_MAX_DEPTH) {
		jp_fail(p, "nested too deeply");
		return NULL;
	}
	jp_skip(p);
	if (p->failed)
		return NULL;
	if (p->s >= p->end) {
		jp_fail(p, "unexpected end of file");
		return NULL;
	}
	int line = p->line;
	char c = *p->s;
	p->vline = line;
	if (c == '{')
		return jp_object(p, depth, line);
	if (c == '[')
		return jp_array(p, depth, line);
	if (c == '"') {
		size_t n;
		char *s = jp_string(p, &n);
		if (!s)
			return NULL;
		json_object *o = json_object_new_string_len(s, (int)n);
		free(s);
		return jp_mark(o, line);
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return jp_mark(jp_number(p), line);
	if (jp_word(p, "true"))
		return jp_mark(json_object_new_boolean(1), line);
	if (jp_word(p, "false"))
		return jp_mark(json_object_new_boolean(0), line);
	if (jp_word(p, "null"))
		return NULL;
	jp_fail(p, "unexpected character '%c'", c);
	return NULL;
}

json_object *json_parse_lines(const char *text, size_t len, char *err, size_t errlen,
			      int *errline)
{
	struct jp p = { .s = text, .end = text + len, .line = 1, .err = err,
			.errlen = errlen };
	json_object *root = jp_value(&p, 0);
	if (!p.failed) {
		jp_skip(&p);
		if (!p.failed && p.s < p.end)
			jp_fail(&p, "unexpected text after the end of the top-level value");
	}
	if (!p.failed && !root)
		jp_fail(&p, "the file must hold a JSON object, not null");
	if (p.failed) {
		json_object_put(root);
		if (errline)
			*errline = p.errline;
		return NULL;
	}
	return root;
}
