/*
 * privs — give up root after the sockets are bound.
 *
 * Contract: privs_lookup() resolves `user` (name or numeric uid) to a
 * uid/gid; privs_drop() then switches the process (all threads that exist
 * later inherit it, so call it before starting any) to that user with its
 * supplementary groups, and verifies that root cannot be regained.  An
 * empty or NULL user, or a process not running as root, means: do nothing
 * (privs_lookup() returns 1).  Return 0 on success, -1 with a message in
 * err.
 */
#ifndef RAIZ_DNSD_PRIVS_H
#define RAIZ_DNSD_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

struct privs_user {
	uid_t uid;
	gid_t gid;
	char name[64];
};

int privs_lookup(const char *user, struct privs_user *out, char *err, size_t errlen);
int privs_drop(const struct privs_user *u, char *err, size_t errlen);

#endif
