#ifndef THUMBNAIL_CSYSTEMSHIM_H
#define THUMBNAIL_CSYSTEMSHIM_H
/*
 * Linux calls Swift cannot make directly: prctl() is variadic and the CPU_* affinity helpers are
 * macros. Symbols are prefixed `tnsys_`.
 */
#ifdef __cplusplus
extern "C" {
#endif

/// Asks the kernel to send `signal` to this process when its parent dies. Returns 0 or -1 (errno).
int tnsys_set_parent_death_signal(int signal);

/// The number of CPUs this process may run on (its affinity mask), or -1 on failure.
int tnsys_affinity_cpu_count(void);

/// pipe2(fds, O_CLOEXEC | extra_flags): a pipe whose ends are not inherited by spawned programs.
int tnsys_pipe_cloexec(int fds[2], int extra_flags);

/// Tells malloc to keep large freed blocks for reuse (mallopt M_MMAP_THRESHOLD and
/// M_TRIM_THRESHOLD), so a worker's per-image buffers do not page-fault afresh for every image.
void tnsys_keep_freed_memory(void);


// ---- Sandbox (see ThumbnailKit's Sandbox.swift, which makes every decision) ----

#include <stdint.h>

/// The Landlock ABI version the kernel offers (landlock_create_ruleset with
/// LANDLOCK_CREATE_RULESET_VERSION), or -1 with errno (ENOSYS: not built in; EOPNOTSUPP: disabled).
int tnsys_landlock_abi(void);

/// A Landlock ruleset handling these access rights (0 for a kind the kernel does not know): its
/// descriptor, or -1 with errno.
int tnsys_landlock_create_ruleset(uint64_t handled_fs, uint64_t handled_net, uint64_t scoped);

/// Allows `access` beneath `path` in `ruleset`. Returns 0, or -1 with errno.
int tnsys_landlock_allow_beneath(int ruleset, const char *path, uint64_t access);

/// Restricts this thread (and every thread and process it starts later) to `ruleset`. 0 or -1.
int tnsys_landlock_restrict_self(int ruleset);

/// prctl(PR_SET_NO_NEW_PRIVS, 1): no exec can ever grant more rights. 0 or -1 with errno.
int tnsys_set_no_new_privs(void);

/// Whether the kernel can apply the seccomp filter action `action` (SECCOMP_GET_ACTION_AVAIL):
/// 0 yes, or -1 with errno (ENOSYS or EINVAL: no seccomp filters; EOPNOTSUPP: not this action).
int tnsys_seccomp_action_available(uint32_t action);

/// Installs the SIGSYS handler a seccomp SECCOMP_RET_TRAP rule reaches: it writes
/// "blocked-syscall NUMBER\n" to `report_fd`, then ends the process with SIGSYS. 0 or -1.
int tnsys_report_blocked_syscalls(int report_fd);

/// ptrace(PTRACE_TRACEME) (variadic in glibc), for the sandbox's tests. 0 or -1 with errno.
int tnsys_ptrace_traceme(void);

/// The number of threads in this process (entries of /proc/self/task), or -1.
int tnsys_thread_count(void);

#ifdef __cplusplus
}
#endif
#endif
