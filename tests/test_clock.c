/* Unit tests for clock: the system clock's waits, the fixed-start wall clock
 * (CODEX_MOCK_NOW) and the process-age estimate that anchors due times at spawn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "clock.h"

#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void test_process_age_counts_cpu_time(void **state) {
    (void)state;
    int64_t a = clock_process_age_ns();
    assert_true(a > 0);
    assert_true(a <= INT64_C(1000000000));
    /* 20 ms of our own work makes us at least that much older (unless capped) */
    int64_t until = cpu_ns() + INT64_C(20000000);
    volatile uint64_t spin = 0;
    while (cpu_ns() < until)
        spin++;
    int64_t b = clock_process_age_ns();
    assert_true(b >= a + INT64_C(20000000) || b == INT64_C(1000000000));
}

/* A fresh child's age is about the time since fork, never much more. */
static void test_process_age_of_a_child(void **state) {
    (void)state;
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    const mock_clock *c = clock_system();
    int64_t before = c->mono_ns(c);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int64_t spawn = c->mono_ns(c) - clock_process_age_ns();
        ssize_t n = write(fd[1], &spawn, sizeof spawn);
        _exit(n == (ssize_t)sizeof spawn ? 0 : 1);
    }
    int64_t spawn = 0;
    assert_int_equal(read(fd[0], &spawn, sizeof spawn), (ssize_t)sizeof spawn);
    int64_t after = c->mono_ns(c);
    int status;
    waitpid(pid, &status, 0);
    close(fd[0]);
    close(fd[1]);
    /* the estimate lies between our fork and the child's report (it errs towards late); the
     * kernel's accounts of CPU and run-queue time are coarse on a loaded machine (seen 1 ms
     * over in CI), so 10 ms of slack on that side */
    if (spawn < before - INT64_C(10000000))
        fail_msg("spawn estimated %.3f ms before the fork", (double)(before - spawn) / 1e6);
    assert_true(spawn <= after);
}

static void test_fixed_start_wall_clock(void **state) {
    (void)state;
    const mock_clock *sys = clock_system();
    fixed_start ctx;
    int64_t mono = sys->mono_ns(sys);
    mock_clock f = clock_fixed_start(&ctx, sys, INT64_C(1795000000000), mono);
    int64_t w = f.wall_ms(&f);
    assert_true(w >= INT64_C(1795000000000) && w < INT64_C(1795000001000));
    /* waits go to the base clock: an absolute deadline already passed returns at once */
    assert_int_equal(f.wait_until(&f, mono, NULL), 0);
    int64_t t0 = sys->mono_ns(sys);
    assert_int_equal(f.wait_until(&f, t0 + INT64_C(2000000), NULL), 0);
    assert_true(sys->mono_ns(sys) >= t0 + INT64_C(2000000));
}

/* rollout timestamps and CODEX_MOCK_NOW: exact UTC RFC 3339 only */
static void test_parse_utc(void **state) {
    (void)state;
    int64_t ms = -1;
    assert_true(clock_parse_utc("1970-01-01T00:00:00Z", &ms));
    assert_int_equal(ms, 0);
    assert_true(clock_parse_utc("2026-11-21T07:38:03.123Z", &ms));
    assert_int_equal(ms, INT64_C(1795246683123));
    assert_true(clock_parse_utc("2026-11-21T07:38:03.1239Z", &ms)); /* past ms: dropped */
    assert_int_equal(ms, INT64_C(1795246683123));
    assert_true(clock_parse_utc("2026-11-21T07:38:03.5Z", &ms));
    assert_int_equal(ms, INT64_C(1795246683500));
    ms = 42;
    const char *bad[] = {"",
                         "2026-11-21",
                         "2026-11-21T07:38:03",
                         "2026-11-21T07:38:03+01:00",
                         "2026-13-21T07:38:03Z",
                         "2026-11-21T24:00:00Z",
                         "2026-11-21T07:38:03Zx",
                         "soon"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(clock_parse_utc(bad[i], &ms));
    assert_int_equal(ms, 42);
}

static void test_format_utc(void **state) {
    (void)state;
    char out[CLOCK_UTC_SIZE];
    clock_format_utc(out, INT64_C(1795246683123));
    assert_string_equal(out, "2026-11-21T07:38:03.123Z");
    clock_format_utc(out, 0);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    clock_format_utc(out, INT64_C(1795246683007));
    assert_string_equal(out, "2026-11-21T07:38:03.007Z");
    clock_format_utc(out, -1); /* the last ms of 1969 */
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    clock_format_utc(out, INT64_MAX); /* clamped, never more than four digits of year */
    assert_string_equal(out, "9999-12-31T23:59:59.999Z");
    clock_format_utc(out, INT64_MIN);
    assert_string_equal(out, "0000-01-01T00:00:00.000Z");
    /* the same calendar as gmtime_r, over the whole four-digit range */
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t lo = INT64_C(-62167219200000), span = INT64_C(253402300799999) - lo;
        int64_t v = lo + (int64_t)(x % (uint64_t)span);
        if (i < 2000) v = INT64_C(951782400000) + (int64_t)(x % INT64_C(172800000)) - 86400000;
        clock_format_utc(out, v);
        int64_t sec = v >= 0 ? v / 1000 : -((-v + 999) / 1000);
        time_t t = (time_t)sec;
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        char want[64];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)(v - sec * 1000));
        assert_string_equal(out, want);
    }
    /* what it writes, clock_parse_utc reads back */
    int64_t ms = 0;
    clock_format_utc(out, INT64_C(1795246683123));
    assert_true(clock_parse_utc(out, &ms));
    assert_int_equal(ms, INT64_C(1795246683123));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_process_age_counts_cpu_time),
        cmocka_unit_test(test_process_age_of_a_child),
        cmocka_unit_test(test_fixed_start_wall_clock),
        cmocka_unit_test(test_parse_utc),
        cmocka_unit_test(test_format_utc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
