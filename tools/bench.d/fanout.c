/* fanout — start N copies of a command at once and time them all.
 *
 *   fanout N -- CMD [ARG...]
 *
 * Forks N children (stdin, stdout and stderr on /dev/null) as fast as it can, then waits for
 * all of them. The wall time is CLOCK_MONOTONIC from before the first fork to after the last
 * wait. Prints `n=… wall_ms=…`. Any child that exits non-zero or is killed makes it exit 1;
 * times never do. */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: fanout N -- CMD [ARG...]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    if (n <= 0) return 2;
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    double t0 = now_ms();
    for (int i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] < 0) return perror("fork"), 1;
        if (pids[i] == 0) {
            int nul = open("/dev/null", O_RDWR);
            dup2(nul, 0);
            dup2(nul, 1);
            dup2(nul, 2);
            execvp(argv[3], argv + 3);
            _exit(127);
        }
    }
    int failed = 0;
    for (int i = 0; i < n; i++) {
        int status;
        waitpid(pids[i], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
    }
    double wall = now_ms() - t0;
    free(pids);
    if (failed) {
        fprintf(stderr, "fanout: %d of %d runs failed\n", failed, n);
        return 1;
    }
    printf("n=%d wall_ms=%.3f\n", n, wall);
    return 0;
}
