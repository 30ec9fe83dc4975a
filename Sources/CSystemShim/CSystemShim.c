#define _GNU_SOURCE
#include "CSystemShim.h"

#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <unistd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

int tnsys_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
}

int tnsys_affinity_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}

int tnsys_pipe_cloexec(int fds[2], int extra_flags) {
    return pipe2(fds, O_CLOEXEC | extra_flags);
}

void tnsys_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 512 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

// ---- Sandbox ----

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>

// Bookworm's kernel headers predate parts of Landlock: the ABI is stable, so it is spelled out here.
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#define TNSYS_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define TNSYS_LANDLOCK_RULE_PATH_BENEATH 1

struct tnsys_landlock_ruleset_attr {
    uint64_t handled_access_fs;   // ABI 1
    uint64_t handled_access_net;  // ABI 4
    uint64_t scoped;              // ABI 6
};

struct tnsys_landlock_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

int tnsys_landlock_abi(void) {
    return (int)syscall(SYS_landlock_create_ruleset, NULL, 0, TNSYS_LANDLOCK_CREATE_RULESET_VERSION);
}

int tnsys_landlock_create_ruleset(uint64_t handled_fs, uint64_t handled_net, uint64_t scoped) {
    struct tnsys_landlock_ruleset_attr attr = { handled_fs, handled_net, scoped };
    // The size tells the kernel which fields exist; older kernels accept trailing fields left zero.
    return (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
}

int tnsys_landlock_allow_beneath(int ruleset, const char *path, uint64_t access) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return -1;
    struct tnsys_landlock_path_beneath_attr attr = { access, fd };
    int status = (int)syscall(SYS_landlock_add_rule, ruleset, TNSYS_LANDLOCK_RULE_PATH_BENEATH, &attr, 0);
    int saved = errno;
    close(fd);
    errno = saved;
    return status;
}

int tnsys_landlock_restrict_self(int ruleset) {
    return (int)syscall(SYS_landlock_restrict_self, ruleset, 0);
}

int tnsys_set_no_new_privs(void) {
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

int tnsys_seccomp_action_available(uint32_t action) {
    return (int)syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action);
}

static volatile int tnsys_blocked_report_fd = -1;

// Runs on the thread whose system call the filter trapped. Only async-signal-safe steps, and only
// system calls the filter allows (write, rt_sigprocmask, getpid, gettid, tgkill, exit_group).
static void tnsys_on_sigsys(int signal, siginfo_t *info, void *context) {
    (void)context;
    char line[48] = "blocked-syscall ";
    int n = 16;
    int number = info->si_syscall;
    char digits[12];
    int d = 0;
    unsigned value = number < 0 ? (unsigned)-number : (unsigned)number;
    do { digits[d++] = (char)('0' + value % 10); value /= 10; } while (value > 0 && d < 11);
    if (number < 0) line[n++] = '-';
    while (d > 0) line[n++] = digits[--d];
    line[n++] = '\n';
    if (tnsys_blocked_report_fd >= 0) {
        ssize_t ignored = write(tnsys_blocked_report_fd, line, (size_t)n);
        (void)ignored;
    }
    // SA_RESETHAND made SIGSYS's action the default (end the process) on entry here; unblock it and
    // send it, so the parent sees a death by SIGSYS. exit_group only if that somehow returns.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, sizeof(long));
    syscall(SYS_tgkill, (long)syscall(SYS_getpid), (long)syscall(SYS_gettid), signal);
    syscall(SYS_exit_group, 128 + signal);
}

int tnsys_report_blocked_syscalls(int report_fd) {
    tnsys_blocked_report_fd = report_fd;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_sigaction = tnsys_on_sigsys;
    action.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGSYS, &action, NULL);
}

int tnsys_ptrace_traceme(void) {
    return (int)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
}

int tnsys_thread_count(void) {
    DIR *dir = opendir("/proc/self/task");
    if (!dir) return -1;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] != '.') count++;
    }
    closedir(dir);
    return count;
}
