#define _GNU_SOURCE
#include "CSystemShim.h"

#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <unistd.h>
#include <signal.h>
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
