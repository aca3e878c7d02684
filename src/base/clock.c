#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t sys_mono(const mock_clock *c) {
    (void)c;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t sys_wall(const mock_clock *c) {
    (void)c;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sys_wait(const mock_clock *c, int64_t deadline, const sigset_t *watch) {
    for (;;) {
        int64_t now = sys_mono(c);
        if (now >= deadline) {
            if (!watch) return 0;
            /* Deadline reached: still report a signal that is already pending. */
            struct timespec zero = {0, 0};
            int sig = sigtimedwait(watch, NULL, &zero);
            return sig > 0 ? sig : 0;
        }
        int64_t left = deadline - now;
        struct timespec ts = {(time_t)(left / 1000000000), (long)(left % 1000000000)};
        if (watch) {
            /* sigtimedwait takes a relative timeout; recomputing it from the absolute deadline
             * on every pass keeps the error from accumulating. */
            int sig = sigtimedwait(watch, NULL, &ts);
            if (sig > 0) return sig;
        } else {
            struct timespec abs = {(time_t)(deadline / 1000000000), (long)(deadline % 1000000000)};
            int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);
            if (rc != 0 && rc != EINTR) return 0;
        }
    }
}

static const mock_clock system_clock = {sys_mono, sys_wall, sys_wait, NULL};

const mock_clock *clock_system(void) {
    return &system_clock;
}

static int64_t fixed_mono(const mock_clock *c) {
    const fixed_start *f = c->ctx;
    return f->base->mono_ns(f->base);
}

static int64_t fixed_wall(const mock_clock *c) {
    const fixed_start *f = c->ctx;
    return f->start_ms + (f->base->mono_ns(f->base) - f->start_mono) / 1000000;
}

static int fixed_wait(const mock_clock *c, int64_t deadline, const sigset_t *watch) {
    const fixed_start *f = c->ctx;
    return f->base->wait_until(f->base, deadline, watch);
}

mock_clock clock_fixed_start(fixed_start *ctx_storage, const mock_clock *base, int64_t start_ms,
                             int64_t start_mono) {
    ctx_storage->base = base;
    ctx_storage->start_ms = start_ms;
    ctx_storage->start_mono = start_mono;
    return (mock_clock){fixed_mono, fixed_wall, fixed_wait, ctx_storage};
}

int64_t clock_process_age_ns(void) {
    /* CPU time first: reading it brings the kernel's runtime figure up to date. */
    struct timespec cpu;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) != 0) return 0;
    int64_t age = (int64_t)cpu.tv_sec * 1000000000 + cpu.tv_nsec;
    /* schedstat: "<ns on a CPU> <ns waiting for one> <timeslices>" */
    int fd = open("/proc/self/schedstat", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char text[96];
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        unsigned long long run, wait;
        if (n > 0) {
            text[n] = '\0';
            if (sscanf(text, "%llu %llu", &run, &wait) == 2 && wait < 1000000000ULL)
                age += (int64_t)wait;
        }
    }
    return age < 0 ? 0 : age > 1000000000 ? 1000000000 : age;
}

bool clock_parse_utc(const char *text, int64_t *unix_ms) {
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return false;
    const char *p = text + n;
    int64_t frac_ms = 0;
    if (*p == '.') {
        int scale = 100;
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
            if (scale) frac_ms += (*p - '0') * scale;
    }
    if (strcmp(p, "Z") != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h >= 24 || mi >= 60 ||
        sec >= 61)
        return false;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    *unix_ms = (int64_t)timegm(&tm) * 1000 + frac_ms;
    return true;
}

static char *two_digits(char *p, int v) {
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

void clock_format_utc(char out[CLOCK_UTC_SIZE], int64_t unix_ms) {
    /* four-digit years only: a clock that far off is clamped to 0000 / 9999 */
    const int64_t lo = INT64_C(-62167219200000), hi = INT64_C(253402300799999);
    if (unix_ms < lo) unix_ms = lo;
    if (unix_ms > hi) unix_ms = hi;
    int64_t s = unix_ms / 1000, milli = unix_ms % 1000;
    if (milli < 0) { /* before 1970: the second below, and the ms into it */
        milli += 1000;
        s--;
    }
    /* days to a civil date (H. Hinnant's days_from_civil inverted): gmtime_r would take the
     * time-zone lock and cost ten times the rest */
    int64_t days = s / 86400, sod = s % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int mday = (int)(doy - (153 * mp + 2) / 5 + 1), mon = (int)(mp < 10 ? mp + 3 : mp - 9);
    int year = (int)(yoe + era * 400 + (mon <= 2));
    char *p = two_digits(two_digits(out, year / 100), year % 100);
    *p++ = '-';
    p = two_digits(p, mon);
    *p++ = '-';
    p = two_digits(p, mday);
    *p++ = 'T';
    p = two_digits(p, (int)(sod / 3600));
    *p++ = ':';
    p = two_digits(p, (int)(sod / 60 % 60));
    *p++ = ':';
    p = two_digits(p, (int)(sod % 60));
    *p++ = '.';
    *p++ = (char)('0' + milli / 100);
    p = two_digits(p, (int)(milli % 100));
    *p++ = 'Z';
    *p = '\0';
}
