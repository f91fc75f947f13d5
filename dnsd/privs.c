/* privs — see privs.h */
#include "dnsd/privs.h"
#include "common/sandbox.h"

#include <grp.h>
#include <stdio.h>
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
	struct sandbox_user u;
	if (sandbox_user_resolve(user, &u, err, errlen) != 0)
		return -1;
	out->uid = u.uid;
	out->gid = u.gid;
	snprintf(out->name, sizeof out->name, "%s", u.name);
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
	struct sandbox_user su = { .uid = u->uid, .gid = u->gid };
	snprintf(su.name, sizeof su.name, "%s", u->name);
	return sandbox_user_drop(&su, err, errlen);
}
