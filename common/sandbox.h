/*
 * sandbox — what a raiz daemon gives up once it has bound its sockets:
 * capabilities, the right to gain privileges, and every system call it
 * does not use.
 *
 * Contract: sandbox_bounding_drop() empties the capability bounding set
 * (needs CAP_SETPCAP, i.e. root before privs_drop(); returns 1 without it,
 * e.g. under systemd with CapabilityBoundingSet=CAP_NET_BIND_SERVICE),
 * sandbox_caps_clear() empties the ambient, inheritable, permitted and
 * effective sets of the calling thread, sandbox_no_new_privs() sets
 * PR_SET_NO_NEW_PRIVS (nothing exec'd can gain privileges; required by
 * seccomp), sandbox_seccomp() installs the allow-list filter of
 * sandbox.c on every thread of the process (SECCOMP_FILTER_FLAG_TSYNC):
 * in SANDBOX_SECCOMP_ON a system call outside the list kills the whole
 * process with SIGSYS (core dump, audit record "type=SECCOMP ... sig=31
 * syscall=N"), in SANDBOX_SECCOMP_LOG it is allowed and only logged by the
 * kernel (audit "type=SECCOMP ... code=0x7ffc0000").  None of this can be
 * undone.  Return 0 on success, 1 when not possible here (not root; an
 * architecture without a list), -1 with a reason in err.  Call from the
 * main thread during start-up; not thread-safe against concurrent
 * credential changes.
 *
 * sandbox_user_resolve() turns a user name (or numeric uid) into its uid
 * and primary gid; sandbox_user_drop() switches the process to it with its
 * supplementary groups (initgroups: raiz-controller's user is in group
 * bird for BIRD's socket) and checks that root cannot be regained.  Call
 * it before any thread exists (threads made later inherit it).  dnsd's
 * privs.c builds on these two.
 */
#ifndef RAIZ_COMMON_SANDBOX_H
#define RAIZ_COMMON_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* the values of raiz.json's "seccomp" key, in the order of SANDBOX_MODES */
enum sandbox_seccomp {
	SANDBOX_SECCOMP_AUTO = 0,   /* on, unless started by systemd (its filter applies) */
	SANDBOX_SECCOMP_ON,
	SANDBOX_SECCOMP_OFF,
	SANDBOX_SECCOMP_LOG,
};
#define SANDBOX_MODES { "auto", "on", "off", "log", NULL }

struct sandbox_user {
	uid_t uid;
	gid_t gid;
	char name[64];
};

int sandbox_user_resolve(const char *name, struct sandbox_user *out, char *err, size_t errlen);
int sandbox_user_drop(const struct sandbox_user *u, char *err, size_t errlen);

int sandbox_bounding_drop(char *err, size_t errlen);
int sandbox_caps_clear(char *err, size_t errlen);
int sandbox_no_new_privs(char *err, size_t errlen);
/* true when started as a systemd service (INVOCATION_ID is set) */
bool sandbox_under_systemd(void);
/* SANDBOX_SECCOMP_AUTO resolved: ON or OFF (under systemd) */
enum sandbox_seccomp sandbox_seccomp_mode(enum sandbox_seccomp configured);
/* mode ON or LOG; OFF and AUTO install nothing and return 1 */
int sandbox_seccomp(enum sandbox_seccomp mode, char *err, size_t errlen);

#endif
