/* appserver — drive `codex app-server` over stdio for tools/bench, without external tools.
 *
 *   appserver probe TIMEOUT_MS -- CMD [ARG...]
 *       exit 0 when CMD answers an `initialize` request within TIMEOUT_MS, else 1
 *   appserver init RUNS -- CMD [ARG...]
 *       RUNS times: spawn CMD, write the initialize line, time until the first stdout line
 *       arrives (the answer; for a baseline like /bin/cat, the echo), close stdin, wait.
 *       Prints: runs=… mean_ms=… median_ms=… min_ms=… max_ms=…
 *   appserver turns N -- CMD [ARG...]
 *       one process: initialize, initialized, thread/start, then N turn/start requests one
 *       after the other, each waited for until its turn/completed notification.
 *       Prints: turns=… wall_s=… turns_per_s=… first_ms_per_turn=… last_ms_per_turn=…
 *       rss_kb_at_10pct=… rss_kb_end=… maxrss_kb=… (first/last: the mean over the first and
 *       the last tenth of the turns; equal when a turn's cost does not grow with the thread)
 *   appserver latency PLAN -- CMD [ARG...]
 *       one turn; PLAN holds one planned offset in ms per line (the agentMessage items of the
 *       scenario, in order). Each item/completed of an agentMessage is stamped on arrival
 *       (CLOCK_MONOTONIC) since the turn/start request was written: d = arrival − planned.
 *       offset = the median d (what the turn's start adds to every item), lateness = d − offset.
 *       Prints: lines=… offset_ms=… p50_ms=… p99_ms=… max_ms=… (|lateness|) first_ms=… last_ms=…
 *       (signed lateness of the first and last item)
 *
 * Ids are found by plain string search in the server's lines (`"thread":{"id":"`): the fake's
 * output format is fixed by the conformance suite, this only needs to find its way. Any
 * failure (no answer within 30 s, the process gone) prints a reason on stderr and exits 1. */
#define _GNU_SOURCE /* wait4 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { WAIT_MS = 30000 };

static const char INITIALIZE[] = "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":"
                                 "{\"name\":\"bench\",\"title\":null,\"version\":\"1\"}}}\n";

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what) {
    fprintf(stderr, "appserver: %s\n", what);
    exit(1);
}

typedef struct {
    pid_t pid;
    int in, out;
    char *buf; /* bytes read, not yet returned as lines */
    size_t len, cap;
    char *line; /* the last line returned (owned) */
} server;

static void spawn(server *s, char **argv) {
    int in_p[2], out_p[2];
    if (pipe(in_p) || pipe(out_p)) die("pipe failed");
    memset(s, 0, sizeof *s);
    s->pid = fork();
    if (s->pid < 0) die("fork failed");
    if (s->pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(in_p[0], 0), dup2(out_p[1], 1), dup2(devnull, 2);
        close(in_p[1]), close(out_p[0]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(in_p[0]), close(out_p[1]);
    s->in = in_p[1];
    s->out = out_p[0];
}

static void send_line(server *s, const char *text) {
    size_t n = strlen(text), off = 0;
    while (off < n) {
        ssize_t w = write(s->in, text + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) die("writing to the server failed (did it exit?)");
        off += (size_t)w;
    }
}

/* The next stdout line (without its newline), or NULL at EOF or after timeout_ms. */
static const char *next_line(server *s, double timeout_ms) {
    double end = now_ms() + timeout_ms;
    for (;;) {
        char *nl = s->len ? memchr(s->buf, '\n', s->len) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - s->buf);
            free(s->line);
            s->line = malloc(n + 1);
            memcpy(s->line, s->buf, n);
            s->line[n] = '\0';
            memmove(s->buf, nl + 1, s->len - n - 1);
            s->len -= n + 1;
            return s->line;
        }
        double left = end - now_ms();
        if (left <= 0) return NULL;
        struct pollfd p = {.fd = s->out, .events = POLLIN};
        if (poll(&p, 1, (int)left + 1) <= 0) continue;
        if (s->cap - s->len < 65536) {
            s->cap = (s->cap + 65536) * 2;
            s->buf = realloc(s->buf, s->cap);
        }
        ssize_t r = read(s->out, s->buf + s->len, s->cap - s->len);
        if (r <= 0) return NULL;
        s->len += (size_t)r;
    }
}

/* Reads lines until one contains `needle`; dies after WAIT_MS or at EOF. */
static const char *wait_for(server *s, const char *needle) {
    double end = now_ms() + WAIT_MS;
    for (;;) {
        const char *l = next_line(s, end - now_ms());
        if (!l) {
            fprintf(stderr, "appserver: no line with %s came\n", needle);
            exit(1);
        }
        if (strstr(l, needle)) return l;
    }
}

/* Closes stdin, waits for the exit; the peak RSS in KB. */
static long finish(server *s) {
    close(s->in);
    int status;
    struct rusage ru;
    double end = now_ms() + 5000;
    while (wait4(s->pid, &status, WNOHANG, &ru) == 0) {
        if (now_ms() > end) {
            kill(s->pid, SIGKILL);
            wait4(s->pid, &status, 0, &ru);
            break;
        }
        char sink[65536];
        struct pollfd p = {.fd = s->out, .events = POLLIN};
        if (poll(&p, 1, 2) > 0 && read(s->out, sink, sizeof sink) <= 0) usleep(1000);
    }
    close(s->out);
    free(s->buf), free(s->line);
    return ru.ru_maxrss;
}

static long rss_kb(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) kb = atol(line + 6);
    if (f) fclose(f);
    return kb;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *sorted, size_t n, double p) {
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

/* initialize, initialized, thread/start: the thread id (static storage). */
static const char *handshake(server *s) {
    send_line(s, INITIALIZE);
    wait_for(s, "\"id\":1,");
    send_line(s, "{\"method\":\"initialized\"}\n");
    send_line(s, "{\"id\":2,\"method\":\"thread/start\",\"params\":{}}\n");
    const char *l = wait_for(s, "\"id\":2,");
    const char *p = strstr(l, "\"thread\":{\"id\":\"");
    if (!p) die("the thread/start answer has no thread id");
    static char id[128];
    p += strlen("\"thread\":{\"id\":\"");
    size_t n = strcspn(p, "\"");
    if (n >= sizeof id) die("the thread id is too long");
    memcpy(id, p, n);
    id[n] = '\0';
    return id;
}

static void start_turn(server *s, const char *thread, long id) {
    char req[512];
    snprintf(req, sizeof req,
             "{\"id\":%ld,\"method\":\"turn/start\",\"params\":{\"threadId\":\"%s\","
             "\"input\":[{\"type\":\"text\",\"text\":\"turn %ld\"}]}}\n",
             id, thread, id);
    send_line(s, req);
}

int main(int argc, char **argv) {
    if (argc < 5 || strcmp(argv[3], "--")) {
        fprintf(stderr, "usage: appserver probe|init|turns|latency ARG -- CMD [ARG...]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    const char *mode = argv[1];
    char **cmd = argv + 4;
    server s;
    if (!strcmp(mode, "probe")) {
        spawn(&s, cmd);
        send_line(&s, INITIALIZE);
        const char *l = next_line(&s, atof(argv[2]));
        int ok = l && !strncmp(l, "{\"id\":1,\"result\":", 17);
        finish(&s);
        return ok ? 0 : 1;
    }
    if (!strcmp(mode, "init")) {
        int runs = atoi(argv[2]);
        if (runs < 1) die("RUNS must be >= 1");
        double *ms = calloc((size_t)runs, sizeof *ms), sum = 0;
        for (int i = 0; i < runs; i++) {
            double t0 = now_ms();
            spawn(&s, cmd);
            send_line(&s, INITIALIZE);
            if (!next_line(&s, WAIT_MS)) die("no answer to initialize");
            ms[i] = now_ms() - t0;
            sum += ms[i];
            finish(&s);
        }
        qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
        printf("runs=%d mean_ms=%.3f median_ms=%.3f min_ms=%.3f max_ms=%.3f\n", runs, sum / runs,
               pct(ms, (size_t)runs, 0.5), ms[0], ms[runs - 1]);
        free(ms);
        return 0;
    }
    if (!strcmp(mode, "turns")) {
        long n = atol(argv[2]);
        if (n < 1) die("N must be >= 1");
        spawn(&s, cmd);
        const char *thread = handshake(&s);
        char tid[128];
        snprintf(tid, sizeof tid, "%s", thread);
        long rss10 = -1, tenth = (n + 9) / 10;
        double t0 = now_ms(), first_end = t0, last_start = t0;
        for (long i = 0; i < n; i++) {
            if (i == n - tenth) last_start = now_ms();
            start_turn(&s, tid, 10 + i);
            wait_for(&s, "\"method\":\"turn/completed\"");
            if (i + 1 == tenth) {
                first_end = now_ms();
                rss10 = rss_kb(s.pid);
            }
        }
        double t_end = now_ms(), wall = (t_end - t0) / 1e3;
        long rss_end = rss_kb(s.pid);
        long maxrss = finish(&s);
        printf("turns=%ld wall_s=%.3f turns_per_s=%.1f first_ms_per_turn=%.4f "
               "last_ms_per_turn=%.4f rss_kb_at_10pct=%ld rss_kb_end=%ld maxrss_kb=%ld\n",
               n, wall, wall > 0 ? (double)n / wall : 0, (first_end - t0) / (double)tenth,
               (t_end - last_start) / (double)tenth, rss10, rss_end, maxrss);
        return 0;
    }
    if (!strcmp(mode, "latency")) {
        FILE *f = fopen(argv[2], "r");
        if (!f) die("cannot read the plan");
        double *plan = NULL;
        size_t n = 0;
        double v;
        while (fscanf(f, "%lf", &v) == 1) {
            plan = realloc(plan, (n + 1) * sizeof *plan);
            plan[n++] = v;
        }
        fclose(f);
        if (!n) die("the plan is empty");
        spawn(&s, cmd);
        const char *thread = handshake(&s);
        char tid[128];
        snprintf(tid, sizeof tid, "%s", thread);
        double t0 = now_ms();
        start_turn(&s, tid, 10);
        double *d = calloc(n, sizeof *d), *late = calloc(n, sizeof *late);
        for (size_t i = 0; i < n;) {
            const char *l = wait_for(&s, "\"method\":\"item/completed\"");
            if (!strstr(l, "\"type\":\"agentMessage\"")) continue;
            d[i] = (now_ms() - t0) - plan[i];
            i++;
        }
        wait_for(&s, "\"method\":\"turn/completed\"");
        finish(&s);
        memcpy(late, d, n * sizeof *d);
        qsort(late, n, sizeof *late, cmp_double);
        double offset = pct(late, n, 0.5);
        for (size_t i = 0; i < n; i++)
            late[i] = d[i] - offset < 0 ? offset - d[i] : d[i] - offset;
        qsort(late, n, sizeof *late, cmp_double);
        printf("lines=%zu offset_ms=%.3f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f first_ms=%.3f "
               "last_ms=%.3f\n",
               n, offset, pct(late, n, 0.5), pct(late, n, 0.99), late[n - 1], d[0] - offset,
               d[n - 1] - offset);
        free(d);
        free(late), free(plan);
        return 0;
    }
    die("unknown mode");
    return 1;
}
