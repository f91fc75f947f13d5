/* maint — see maint.h */
#include "controller/maint.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json.h>

int maint_load(const char *path, struct policy_maint *m, char *err, size_t errlen)
{
	uint64_t drain = m->drain_time_ms;
	memset(m, 0, sizeof *m);
	m->drain_time_ms = drain;

	json_object *o = json_object_from_file(path);
	if (!o) {
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: cannot read or parse: %s", path,
			 json_util_get_last_err() ? json_util_get_last_err() : "?");
		return -1;
	}
	json_object *a, *s, *r;
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "active", &a) ||
	    !json_object_is_type(a, json_type_boolean) ||
	    !json_object_object_get_ex(o, "since", &s) || !json_object_is_type(s, json_type_int)) {
		snprintf(err, errlen, "%s: not a maintenance state file", path);
		json_object_put(o);
		return -1;
	}
	m->active = json_object_get_boolean(a);
	m->since_ms = (uint64_t)json_object_get_int64(s);
	if (json_object_object_get_ex(o, "reason", &r) && json_object_is_type(r, json_type_string))
		snprintf(m->reason, sizeof m->reason, "%s", json_object_get_string(r));
	json_object_put(o);
	return 0;
}

static int maint_sync_dir(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -1;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

int maint_save(const char *path, const struct policy_maint *m, char *err, size_t errlen)
{
	char tmp[4096];

	if (!m->active) {
		if (unlink(path) < 0 && errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		maint_sync_dir(path);
		return 0;
	}
	json_object *o = json_object_new_object();
	if (!o) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_object_object_add(o, "active", json_object_new_boolean(1));
	json_object_object_add(o, "since", json_object_new_int64((int64_t)m->since_ms));
	json_object_object_add(o, "reason", json_object_new_string(m->reason));
	const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);

	snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(txt);
	bool ok = fd >= 0 && write(fd, txt, len) == (ssize_t)len && write(fd, "\n", 1) == 1 &&
		  fsync(fd) == 0;
	int e = errno;
	if (fd >= 0 && close(fd) < 0 && ok) {
		ok = false;
		e = errno;
	}
	json_object_put(o);
	if (!ok || rename(tmp, path) < 0) {
		if (ok)
			e = errno;
		unlink(tmp);
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	maint_sync_dir(path);
	return 0;
}
