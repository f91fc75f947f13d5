/* birdstate — BIRD state include file, see birdstate.h */
#include "controller/birdstate.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BIRDSTATE_HEADER "# raiz BIRD state: written by raiz-controller, do not edit.\n"
#define BIRDSTATE_FILE_MAX 65536

bool birdstate_name_ok(const char *p)
{
	size_t len = strlen(p);

	if (len == 0 || len + sizeof("_WITHDRAWN") > BIRDSTATE_NAME_MAX)
		return false;
	if (!isalpha((unsigned char)p[0]) && p[0] != '_')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_')
			return false;
	return true;
}

int birdstate_const(const char *proto, const char *suffix, char *out, size_t outlen)
{
	size_t len = strlen(proto), i;

	if (!birdstate_name_ok(proto) || len + strlen(suffix) + 1 > outlen)
		return -1;
	for (i = 0; i < len; i++)
		out[i] = (char)toupper((unsigned char)proto[i]);
	strcpy(out + len, suffix);
	return 0;
}

static bool birdstate_comment_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int birdstate_format(const struct birdstate_entry *e, size_t n, char *buf,
		     size_t buflen, char *err, size_t errlen)
{
	size_t pos = 0;
	int w;

	w = snprintf(buf, buflen, "%s", BIRDSTATE_HEADER);
	if (w < 0 || (size_t)w >= buflen)
		goto full;
	pos = (size_t)w;
	for (size_t i = 0; i < n; i++) {
		char wd[BIRDSTATE_NAME_MAX], dr[BIRDSTATE_NAME_MAX];
		const char *c = e[i].comment ? e[i].comment : "";

		if (birdstate_const(e[i].proto, "_WITHDRAWN", wd, sizeof(wd)) < 0 ||
		    birdstate_const(e[i].proto, "_DRAIN", dr, sizeof(dr)) < 0) {
			snprintf(err, errlen, "protocol name '%s' is not a BIRD symbol",
				 e[i].proto);
			return -1;
		}
		if (!birdstate_comment_ok(c))
			c = "";
		w = snprintf(buf + pos, buflen - pos,
			     "define %s = %d;\t# %s %s\ndefine %s = %d;\n",
			     wd, e[i].withdrawn, c,
			     e[i].withdrawn ? "withdrawn" : e[i].drain ? "drained" : "announced",
			     dr, e[i].drain);
		if (w < 0 || (size_t)w >= buflen - pos)
			goto full;
		pos += (size_t)w;
	}
	return 0;
full:
	snprintf(err, errlen, "state file text too long");
	return -1;
}

static int birdstate_fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

int birdstate_write(const char *path, const struct birdstate_entry *e, size_t n,
		    char *err, size_t errlen)
{
	char *buf, tmp[4096];
	size_t len, off = 0;
	int fd;

	buf = malloc(BIRDSTATE_FILE_MAX);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (birdstate_format(e, n, buf, BIRDSTATE_FILE_MAX, err, errlen) < 0) {
		free(buf);
		return -1;
	}
	len = strlen(buf);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		free(buf);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(buf);
		return -1;
	}
	if (fchmod(fd, 0644) < 0)
		goto fail;
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(buf);
	if (birdstate_fsync_dir(path) < 0) {
		snprintf(err, errlen, "%s: fsync of directory: %s", path, strerror(errno));
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(buf);
	return -1;
}

/* "define NAME = 0|1;" with an optional "# comment" */
static int birdstate_parse_line(char *l, char **name, int *val)
{
	char *p = l, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "define", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
		return -1;
	p += 6;
	while (*p == ' ' || *p == '\t')
		p++;
	*name = p;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (p == *name)
		return -1;
	end = p;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '=')
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '0' && *p != '1')
		return -1;
	*val = *p++ - '0';
	if (*p++ != ';')
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p && *p != '#')
		return -1;
	*end = '\0';
	return 0;
}

int birdstate_read(const char *path, struct birdstate_entry *e, size_t n,
		   char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char line[512];
	unsigned lineno = 0;
	bool *seen_w, *seen_d;
	int rc = 0;

	if (!f) {
		int saved = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		errno = saved;
		return -1;
	}
	seen_w = calloc(n + 1, sizeof(bool));
	seen_d = calloc(n + 1, sizeof(bool));
	if (!seen_w || !seen_d) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		e[i].found = false;
	while (fgets(line, sizeof(line), f)) {
		char *name, *p;
		int val;

		lineno++;
		p = strchr(line, '\n');
		if (!p && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path, lineno);
			rc = -1;
			goto out;
		}
		if (p)
			*p = '\0';
		p = line + strspn(line, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		if (birdstate_parse_line(line, &name, &val) < 0) {
			snprintf(err, errlen, "%s:%u: expected 'define NAME = 0|1;'", path, lineno);
			rc = -1;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			char wd[BIRDSTATE_NAME_MAX], dr[BIRDSTATE_NAME_MAX];

			if (birdstate_const(e[i].proto, "_WITHDRAWN", wd, sizeof(wd)) < 0 ||
			    birdstate_const(e[i].proto, "_DRAIN", dr, sizeof(dr)) < 0)
				continue;
			if (strcmp(name, wd) == 0) {
				e[i].withdrawn = val;
				seen_w[i] = true;
			} else if (strcmp(name, dr) == 0) {
				e[i].drain = val;
				seen_d[i] = true;
			}
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		e[i].found = seen_w[i] && seen_d[i];
out:
	free(seen_w);
	free(seen_d);
	fclose(f);
	return rc;
}
