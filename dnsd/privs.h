/*
 * privs — give up root after the sockets are bound.
 *
 * Contract: privs_lookup() resolves `user` (name or numeric uid) to a
 * uid/gid; privs_drop() then switches the process (all threads that exist
 * later inherit it, so call it before starting any) to that user with its
 * supplementary groups, and verifies that root cannot be regained.  An
 * empty or NULL user, or a process not running as root, means: do nothing
 * (privs_lookup() returns 1).  Return 0 on success, -1 with a message in
 * err.  privs_resolve() is the lookup alone, whoever runs it (for -n).
 * privs_can_write() tells whether the user could create or replace names
 * in a directory with that stat (owner, group or other write): root must
 * write nothing there, since the user could plant links it would follow.
 * The lookup and the switch themselves are sandbox_user_resolve() and
 * sandbox_user_drop() (common/sandbox.h, shared with raiz-controller);
 * what is given up besides the user (capabilities, new privileges, system
 * calls) is sandbox.h's too, applied by main.c.
 */
#ifndef RAIZ_DNSD_PRIVS_H
#define RAIZ_DNSD_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct privs_user {
	uid_t uid;
	gid_t gid;
	char name[64];
};

int privs_lookup(const char *user, struct privs_user *out, char *err, size_t errlen);
int privs_resolve(const char *user, struct privs_user *out, char *err, size_t errlen);
bool privs_can_write(const struct privs_user *u, const struct stat *st);
int privs_drop(const struct privs_user *u, char *err, size_t errlen);

#endif
