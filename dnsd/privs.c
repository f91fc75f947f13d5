/* privs — see privs.h */
#include "dnsd/privs.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int privs_lookup(const char *user, struct privs_user *out, char *err, size_t errlen)
{
	if (!user || !user[0] || geteuid() != 0)
		return 1;
	return privs_resolve(user, out, err, errlen);
}

int privs_resolve(const char *user, struct privs_user *out, char *err, size_t errlen)
{
	char buf[4096];
	struct passwd pw, *res = NULL;
	int rc = getpwnam_r(user, &pw, buf, sizeof buf, &res);
	if (!res) {
		char *end;
		unsigned long id = strtoul(user, &end, 10);
		if (*end == '\0' && end != user)
			rc = getpwuid_r((uid_t)id, &pw, buf, sizeof buf, &res);
	}
	if (!res) {
		snprintf(err, errlen, "user \"%s\": %s", user,
			 rc ? strerror(rc) : "no such user");
		return -1;
	}
	out->uid = pw.pw_uid;
	out->gid = pw.pw_gid;
	snprintf(out->name, sizeof out->name, "%s", pw.pw_name);
	return 0;
}

bool privs_can_write(const struct privs_user *u, const struct stat *st)
{
	if (u->uid == 0)
		return false;           /* no boundary to protect */
	if (st->st_uid == u->uid || (st->st_mode & S_IWOTH))
		return true;
	if (!(st->st_mode & S_IWGRP))
		return false;
	if (st->st_gid == u->gid)
		return true;
	gid_t groups[256];
	int n = (int)(sizeof groups / sizeof groups[0]);
	if (getgrouplist(u->name, u->gid, groups, &n) < 0)
		return true;            /* too many groups to tell: assume the worst */
	for (int i = 0; i < n; i++)
		if (groups[i] == st->st_gid)
			return true;
	return false;
}

int privs_drop(const struct privs_user *u, char *err, size_t errlen)
{
	if (initgroups(u->name, u->gid) != 0 && setgroups(1, &u->gid) != 0) {
		snprintf(err, errlen, "setgroups for %s: %s", u->name, strerror(errno));
		return -1;
	}
	if (setresgid(u->gid, u->gid, u->gid) != 0) {
		snprintf(err, errlen, "setgid %u: %s", (unsigned)u->gid, strerror(errno));
		return -1;
	}
	if (setresuid(u->uid, u->uid, u->uid) != 0) {
		snprintf(err, errlen, "setuid %u: %s", (unsigned)u->uid, strerror(errno));
		return -1;
	}
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "could regain root after dropping to %s", u->name);
		return -1;
	}
	return 0;
}
