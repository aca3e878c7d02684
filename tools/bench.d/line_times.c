/* line_times — when does each stdout line of a command arrive, against a plan?
 *
 *   line_times PLAN -- CMD [ARG...]
 *
 * PLAN holds one planned offset in ms per line (ms since the process started). The command
 * runs with stdin and stderr on /dev/null and stdout on a pipe; each line's arrival is taken
 * with CLOCK_MONOTONIC against the instant before fork. The error of a line is arrival minus
 * plan. Prints one line of key=value pairs:
 *
 *   lines=… p50_ms=… p99_ms=… max_ms=… first_ms=… last_ms=… drift_ms=…
 *
 * p50/p99/max are of |error|; first_ms and last_ms are the signed errors of the first and last
 * lines; drift_ms = last_ms - first_ms. A command that exits non-zero, or prints another number
 * of lines than PLAN has, makes it exit 1. Times never do. */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <math.h>
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

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: line_times PLAN -- CMD [ARG...]\n");
        return 2;
    }
    FILE *pf = fopen(argv[1], "r");
    if (!pf) {
        perror(argv[1]);
        return 2;
    }
    size_t n_plan = 0, cap = 1024;
    double *plan = malloc(cap * sizeof *plan);
    double v;
    while (fscanf(pf, "%lf", &v) == 1) {
        if (n_plan == cap) plan = realloc(plan, (cap *= 2) * sizeof *plan);
        plan[n_plan++] = v;
    }
    fclose(pf);
    double *arrival = malloc((n_plan + 1) * sizeof *arrival);

    int fds[2];
    if (pipe(fds) != 0) return perror("pipe"), 1;
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) return perror("fork"), 1;
    if (pid == 0) {
        int nul = open("/dev/null", O_RDWR);
        dup2(nul, 0);
        dup2(nul, 2);
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[3], argv + 3);
        _exit(127);
    }
    close(fds[1]);
    char buf[1 << 16];
    size_t n_lines = 0;
    ssize_t r;
    while ((r = read(fds[0], buf, sizeof buf)) > 0) {
        double t = now_ms() - t0;
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] == '\n') {
                if (n_lines < n_plan) arrival[n_lines] = t;
                n_lines++;
            }
    }
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "line_times: the command failed (status %d)\n", status);
        return 1;
    }
    if (n_lines != n_plan || n_plan == 0) {
        fprintf(stderr, "line_times: %zu lines, the plan has %zu\n", n_lines, n_plan);
        return 1;
    }
    double *err = malloc(n_plan * sizeof *err);
    for (size_t i = 0; i < n_plan; i++)
        err[i] = fabs(arrival[i] - plan[i]);
    double first = arrival[0] - plan[0], last = arrival[n_plan - 1] - plan[n_plan - 1];
    qsort(err, n_plan, sizeof *err, cmp);
    size_t i50 = (n_plan - 1) / 2, i99 = (size_t)ceil(0.99 * (double)n_plan) - 1;
    printf("lines=%zu p50_ms=%.3f p99_ms=%.3f max_ms=%.3f first_ms=%.3f last_ms=%.3f "
           "drift_ms=%.3f\n",
           n_plan, err[i50], err[i99], err[n_plan - 1], first, last, last - first);
    free(err);
    free(plan);
    free(arrival);
    return 0;
}
