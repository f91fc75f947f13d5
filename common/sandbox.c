/* sandbox — see sandbox.h
 *
 * The seccomp filter is written by hand in classic BPF rather than with
 * libseccomp: it is one straight allow-list of system call numbers (no
 * argument checks), which a few macros express in some sixty lines, and
 * it saves raiz a run-time dependency that every node would have to carry
 * for that.  The list is what raiz-dnsd and raiz-controller do after
 * start-up (found with strace -f -c over UDP and TCP queries, reloads,
 * transfers in and out, stored zone copies, control-socket commands,
 * syslog and sd_notify), plus what glibc may call underneath (malloc's
 * mmap/mremap/madvise/mprotect, thread creation, getrandom, the vDSO's
 * clock_gettime fallback, qsort's sysinfo).  A call outside it kills the
 * process with SIGSYS: see PRIVILEGES in raiz-dnsd(8) for what to do.
 * One argument is checked: clone may make threads and processes but no
 * namespace (clone3, whose flags the filter cannot see, answers ENOSYS so
 * that glibc falls back to clone).
 */
#include "common/sandbox.h"

#include <errno.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif

/* clone flags that make namespaces (args[0] is little-endian on both
 * architectures: its low 32 bits come first) */
#define SANDBOX_CLONE_NS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
			  CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

int sandbox_user_resolve(const char *name, struct sandbox_user *out, char *err, size_t errlen)
{
	char buf[4096];
	struct passwd pw, *res = NULL;
	int rc = getpwnam_r(name, &pw, buf, sizeof buf, &res);
	if (!res) {
		char *end;
		unsigned long id = strtoul(name, &end, 10);
		if (*end == '\0' && end != name)
			rc = getpwuid_r((uid_t)id, &pw, buf, sizeof buf, &res);
	}
	if (!res) {
		snprintf(err, errlen, "user \"%s\": %s", name, rc ? strerror(rc) : "no such user");
		return -1;
	}
	out->uid = pw.pw_uid;
	out->gid = pw.pw_gid;
	snprintf(out->name, sizeof out->name, "%s", pw.pw_name);
	return 0;
}

int sandbox_user_drop(const struct sandbox_user *u, char *err, size_t errlen)
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

int sandbox_bounding_drop(char *err, size_t errlen)
{
	if (prctl(PR_CAPBSET_READ, CAP_SETPCAP, 0, 0, 0) < 0) {
		snprintf(err, errlen, "reading the capability bounding set: %s", strerror(errno));
		return -1;
	}
	for (unsigned long cap = 0; cap <= 63; cap++) {
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0)
			break;          /* EINVAL: past the kernel's last capability */
		if (r == 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
			if (errno == EPERM)
				return 1;   /* no CAP_SETPCAP: not ours to empty */
			snprintf(err, errlen, "dropping capability %lu from the bounding set: %s",
				 cap, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int sandbox_caps_clear(char *err, size_t errlen)
{
	/* ambient first: they would come back into permitted at an exec */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
		snprintf(err, errlen, "clearing the ambient capabilities: %s", strerror(errno));
		return -1;
	}
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	if (syscall(SYS_capset, &h, d) != 0) {
		snprintf(err, errlen, "clearing the capabilities: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int sandbox_no_new_privs(char *err, size_t errlen)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

bool sandbox_under_systemd(void)
{
	const char *id = getenv("INVOCATION_ID");
	return id && id[0];
}

enum sandbox_seccomp sandbox_seccomp_mode(enum sandbox_seccomp configured)
{
	if (configured != SANDBOX_SECCOMP_AUTO)
		return configured;
	return sandbox_under_systemd() ? SANDBOX_SECCOMP_OFF : SANDBOX_SECCOMP_ON;
}

#ifdef SANDBOX_ARCH
/* the allow-list; the names an architecture lacks (open on arm64) are under #ifdef */
static const long sandbox_allowed[] = {
	/* memory (malloc, thread stacks) */
	SYS_brk, SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_madvise,
	/* descriptors and files: zone files, stored copies, pid file, /proc */
	SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64, SYS_close,
	SYS_openat, SYS_lseek, SYS_fstat, SYS_newfstatat, SYS_statx, SYS_fstatfs,
	SYS_getdents64, SYS_fsync, SYS_fdatasync, SYS_ftruncate, SYS_renameat, SYS_unlinkat,
	SYS_mkdirat, SYS_readlinkat, SYS_faccessat, SYS_fchmod, SYS_fchmodat, SYS_fcntl, SYS_fadvise64,
	SYS_dup, SYS_dup3, SYS_pipe2, SYS_flock, SYS_getcwd, SYS_umask,
#ifdef SYS_renameat2
	SYS_renameat2,
#endif
#ifdef SYS_faccessat2
	SYS_faccessat2,
#endif
#ifdef SYS_open
	SYS_open, SYS_stat, SYS_lstat, SYS_access, SYS_rename, SYS_unlink, SYS_mkdir,
	SYS_readlink, SYS_dup2, SYS_pipe, SYS_chmod,
#endif
	/* sockets: DNS over UDP and TCP, transfers out and in, control
	 * sockets, syslog, sd_notify, the BIRD socket */
	SYS_socket, SYS_connect, SYS_bind, SYS_listen, SYS_accept, SYS_accept4,
	SYS_sendto, SYS_recvfrom, SYS_sendmsg, SYS_recvmsg, SYS_sendmmsg, SYS_recvmmsg,
	SYS_shutdown, SYS_getsockname, SYS_getpeername, SYS_setsockopt, SYS_getsockopt,
	SYS_socketpair, SYS_ioctl,
	/* the event loop */
	SYS_epoll_create1, SYS_epoll_ctl, SYS_epoll_pwait, SYS_ppoll, SYS_pselect6,
	SYS_eventfd2, SYS_signalfd4, SYS_timerfd_create, SYS_timerfd_settime,
	SYS_timerfd_gettime,
#ifdef SYS_epoll_wait
	SYS_epoll_wait, SYS_epoll_create, SYS_poll, SYS_select, SYS_eventfd, SYS_signalfd,
#endif
#ifdef SYS_epoll_pwait2
	SYS_epoll_pwait2,
#endif
#ifdef SYS_pidfd_open
	SYS_pidfd_open,
#endif
	/* signals */
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_rt_sigtimedwait,
	SYS_sigaltstack, SYS_kill, SYS_tgkill, SYS_tkill,
	/* threads (workers, reloads, transfer jobs): clone and clone3 are
	 * checked apart, below */
	SYS_set_robust_list, SYS_futex, SYS_exit, SYS_exit_group,
	SYS_set_tid_address, SYS_sched_yield, SYS_sched_getaffinity, SYS_restart_syscall,
	SYS_nanosleep, SYS_clock_nanosleep, SYS_membarrier, SYS_prctl,
#ifdef SYS_rseq
	SYS_rseq,
#endif
	/* time, randomness, identity, limits */
	SYS_clock_gettime, SYS_clock_getres, SYS_gettimeofday, SYS_getrandom,
	SYS_getpid, SYS_gettid, SYS_getppid, SYS_getuid, SYS_geteuid, SYS_getgid,
	SYS_getegid, SYS_getgroups, SYS_uname, SYS_sysinfo, SYS_prlimit64, SYS_getrlimit,
	SYS_getrusage,
#ifdef SYS_time
	SYS_time,
#endif
#ifdef SANDBOX_ASAN
	/* the sanitizer's run time: LeakSanitizer stops the world with a
	 * traced helper thread at exit; not in a production build */
	SYS_ptrace, SYS_wait4, SYS_waitid, SYS_process_vm_readv, SYS_mincore,
#ifdef SYS_getdents
	SYS_getdents,
#endif
#endif
};

int sandbox_seccomp(enum sandbox_seccomp mode, char *err, size_t errlen)
{
	if (mode != SANDBOX_SECCOMP_ON && mode != SANDBOX_SECCOMP_LOG)
		return 1;
	enum { N = sizeof sandbox_allowed / sizeof sandbox_allowed[0] };
	struct sock_filter prog[6 + 7 + 2 * N + 1];
	size_t n = 0;
	const unsigned deny = mode == SANDBOX_SECCOMP_LOG ? SECCOMP_RET_LOG : SECCOMP_RET_KILL_PROCESS;
	/* another architecture's numbers (x32, i386 through int 0x80) die */
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, arch));
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
#endif
	/* threads, never namespaces: clone3's flags are behind a pointer the
	 * filter cannot read, so it fails with ENOSYS and the C library falls
	 * back to clone, whose flags (first argument, low word) are checked */
#ifdef SYS_clone3
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
#endif
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 4);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, args[0]));
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SANDBOX_CLONE_NS, 0, 1);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, deny);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	for (size_t i = 0; i < N; i++) {
		prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							 (unsigned)sandbox_allowed[i], 0, 1);
		prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, deny);
	struct sock_fprog fp = { .len = (unsigned short)n, .filter = prog };
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 && sandbox_no_new_privs(err, errlen) != 0)
		return -1;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fp) != 0) {
		snprintf(err, errlen, "installing the seccomp filter: %s", strerror(errno));
		return -1;
	}
	return 0;
}
#else
int sandbox_seccomp(enum sandbox_seccomp mode, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	(void)mode;
	return 1;   /* no list for this architecture */
}
#endif
