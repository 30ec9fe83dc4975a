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

#ifdef __cplusplus
}
#endif
#endif
