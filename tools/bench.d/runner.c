/* runner — time commands without external tools.
 *
 *   runner [-n RUNS] [-w WARMUP] [-i STDIN] [-o STDOUT] [-e STDERR] -- CMD [ARG...] [--- CMD ...]
 *
 * Runs each command RUNS times (after WARMUP untimed runs), interleaving the commands run by run
 * so that drift in the machine's load affects them alike. Each run is fork + execvp + wait4; the
 * wall time is CLOCK_MONOTONIC from before fork to after wait4, the peak RSS is the child's
 * ru_maxrss. stdin defaults to /dev/null, stdout and stderr to /dev/null. For each command it
 * prints one line of key=value pairs:
 *
 *   cmd=0 runs=300 mean_ms=… median_ms=… min_ms=… max_ms=… maxrss_kb=…
 *
 * (maxrss_kb is the largest over the timed runs). A command that exits non-zero or is killed
 * stops the runner with exit status 1; timings never do. */
#define _GNU_SOURCE /* wait4 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    char **argv;
    double *ms;
    long maxrss_kb;
} command;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int open_or_die(const char *path, int flags) {
    int fd = open(path, flags, 0644);
    if (fd < 0) {
        fprintf(stderr, "runner: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return fd;
}

/* One run; returns the wall time in ms and stores the child's peak RSS. Exits on failure. */
static double run_once(const command *c, int in_fd, int out_fd, int err_fd, long *rss_kb) {
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "runner: fork: %s\n", strerror(errno));
        exit(1);
    }
    if (pid == 0) {
        if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) _exit(126);
        execvp(c->argv[0], c->argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    pid_t w;
    while ((w = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR) {
    }
    double t1 = now_ms();
    if (w < 0) {
        fprintf(stderr, "runner: wait4: %s\n", strerror(errno));
        exit(1);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "runner: '%s' failed: ", c->argv[0]);
        if (WIFEXITED(status))
            fprintf(stderr, "exit status %d%s\n", WEXITSTATUS(status),
                    WEXITSTATUS(status) == 127 ? " (could not execute it?)" : "");
        else if (WIFSIGNALED(status))
            fprintf(stderr, "killed by signal %d\n", WTERMSIG(status));
        else
            fprintf(stderr, "status %d\n", status);
        exit(1);
    }
    *rss_kb = ru.ru_maxrss;
    return t1 - t0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void usage(void) {
    fprintf(stderr, "usage: runner [-n RUNS] [-w WARMUP] [-i STDIN] [-o STDOUT] [-e STDERR] -- "
                    "CMD [ARG...] [--- CMD [ARG...]]...\n");
    exit(2);
}

static long parse_count(const char *s, long min) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < min) usage();
    return v;
}

int main(int argc, char **argv) {
    long runs = 1, warmup = 0;
    const char *in = "/dev/null", *out = "/dev/null", *err = "/dev/null";
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (i + 1 >= argc) usage();
        if (strcmp(a, "-n") == 0)
            runs = parse_count(argv[++i], 1);
        else if (strcmp(a, "-w") == 0)
            warmup = parse_count(argv[++i], 0);
        else if (strcmp(a, "-i") == 0)
            in = argv[++i];
        else if (strcmp(a, "-o") == 0)
            out = argv[++i];
        else if (strcmp(a, "-e") == 0)
            err = argv[++i];
        else
            usage();
    }
    if (i >= argc) usage();

    /* Split the rest at "---" (argv is NULL-terminated, so each piece can end in place). */
    command cmds[16];
    int n_cmds = 0;
    while (i < argc) {
        if (n_cmds == 16) usage();
        int start = i;
        while (i < argc && strcmp(argv[i], "---") != 0)
            i++;
        if (i == start) usage();
        if (i < argc) argv[i++] = NULL;
        cmds[n_cmds].argv = &argv[start];
        cmds[n_cmds].maxrss_kb = 0;
        cmds[n_cmds].ms = calloc((size_t)runs, sizeof(double));
        if (!cmds[n_cmds].ms) {
            fprintf(stderr, "runner: out of memory\n");
            return 1;
        }
        n_cmds++;
    }

    int in_fd = open_or_die(in, O_RDONLY);
    int out_fd = open_or_die(out, O_WRONLY | O_CREAT | O_TRUNC);
    int err_fd = open_or_die(err, O_WRONLY | O_CREAT | O_TRUNC);

    for (long r = -warmup; r < runs; r++) {
        for (int c = 0; c < n_cmds; c++) {
            long rss = 0;
            double ms = run_once(&cmds[c], in_fd, out_fd, err_fd, &rss);
            if (r < 0) continue;
            cmds[c].ms[r] = ms;
            if (rss > cmds[c].maxrss_kb) cmds[c].maxrss_kb = rss;
        }
    }

    for (int c = 0; c < n_cmds; c++) {
        double *v = cmds[c].ms, sum = 0;
        for (long r = 0; r < runs; r++)
            sum += v[r];
        qsort(v, (size_t)runs, sizeof *v, cmp_double);
        double median = runs % 2 ? v[runs / 2] : (v[runs / 2 - 1] + v[runs / 2]) / 2;
        printf("cmd=%d runs=%ld mean_ms=%.4f median_ms=%.4f min_ms=%.4f max_ms=%.4f "
               "maxrss_kb=%ld\n",
               c, runs, sum / (double)runs, median, v[0], v[runs - 1], cmds[c].maxrss_kb);
        free(v);
    }
    return 0;
}
