/* Unit tests for evloop: timer order on a fake clock, cancelling, fds, signals, stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "evloop.h"

#include <string.h>
#include <unistd.h>

typedef struct {
    int64_t now;
} fake_time;

static int64_t fake_mono(const mock_clock *c) {
    return ((fake_time *)c->ctx)->now;
}
static int64_t fake_wall(const mock_clock *c) {
    return ((fake_time *)c->ctx)->now / 1000000;
}

/* The fake wait: time jumps to the deadline, fds are polled without waiting. */
static int fake_wait(struct pollfd *fds, nfds_t n, int64_t timeout_ns, void *ctx) {
    fake_time *t = ctx;
    if (timeout_ns > 0) t->now += timeout_ns;
    return poll(fds, n, 0);
}

typedef struct {
    char log[256];
    int64_t at[16];
    int n;
    fake_time *ft;
} trace;

typedef struct {
    trace *tr;
    char name;
} tag;

static void on_timer(evloop *l, void *ctx) {
    tag *t = ctx;
    size_t len = strlen(t->tr->log);
    t->tr->log[len] = t->name;
    t->tr->log[len + 1] = '\0';
    t->tr->at[t->tr->n++] = evloop_now(l);
    if (t->name == 'z') evloop_stop(l, 7);
}

static mock_clock fake_clock(fake_time *ft) {
    mock_clock c = {.mono_ns = fake_mono, .wall_ms = fake_wall, .ctx = ft};
    return c;
}

static void test_timers_fire_in_due_order_then_arming_order(void **state) {
    (void)state;
    fake_time ft = {1000};
    mock_clock c = fake_clock(&ft);
    evloop *l = evloop_new(&c);
    evloop_set_wait(l, fake_wait, &ft);
    trace tr = {.ft = &ft};
    tag a = {&tr, 'a'}, b = {&tr, 'b'}, b2 = {&tr, 'B'}, z = {&tr, 'z'};
    evloop_timer(l, 5000, on_timer, &b);
    evloop_timer(l, 3000, on_timer, &a);
    evloop_timer(l, 5000, on_timer, &b2);
    evloop_timer(l, 9000, on_timer, &z);
    assert_int_equal(evloop_run(l), 7);
    assert_string_equal(tr.log, "abBz");
    assert_int_equal(tr.at[0], 3000);
    assert_int_equal(tr.at[1], 5000);
    assert_int_equal(tr.at[3], 9000);
    evloop_free(l);
}

static void test_cancel_and_cancel_ctx(void **state) {
    (void)state;
    fake_time ft = {0};
    mock_clock c = fake_clock(&ft);
    evloop *l = evloop_new(&c);
    evloop_set_wait(l, fake_wait, &ft);
    trace tr = {.ft = &ft};
    tag a = {&tr, 'a'}, b = {&tr, 'b'}, z = {&tr, 'z'};
    uint64_t id = evloop_timer(l, 10, on_timer, &a);
    evloop_timer(l, 20, on_timer, &b);
    evloop_timer(l, 30, on_timer, &b);
    evloop_timer(l, 40, on_timer, &z);
    evloop_cancel(l, id);
    evloop_cancel_ctx(l, &b);
    assert_int_equal(evloop_pending(l), 1);
    assert_int_equal(evloop_run(l), 7);
    assert_string_equal(tr.log, "z");
    evloop_free(l);
}

static void test_nothing_to_wait_for_returns(void **state) {
    (void)state;
    fake_time ft = {0};
    mock_clock c = fake_clock(&ft);
    evloop *l = evloop_new(&c);
    evloop_set_wait(l, fake_wait, &ft);
    assert_int_equal(evloop_run(l), -1);
    evloop_free(l);
}

typedef struct {
    char got[64];
    size_t len;
    bool eof;
} reader;

static void on_read(evloop *l, int fd, short rev, void *ctx) {
    (void)rev;
    reader *r = ctx;
    ssize_t n = read(fd, r->got + r->len, sizeof r->got - 1 - r->len);
    if (n <= 0) {
        r->eof = true;
        evloop_unwatch_fd(l, fd);
        evloop_stop(l, 3);
        return;
    }
    r->len += (size_t)n;
}

static void test_fd_input_between_timers(void **state) {
    (void)state;
    fake_time ft = {0};
    mock_clock c = fake_clock(&ft);
    evloop *l = evloop_new(&c);
    evloop_set_wait(l, fake_wait, &ft);
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "hello", 5), 5);
    close(p[1]);
    reader r = {0};
    evloop_watch_fd(l, p[0], POLLIN, on_read, &r);
    assert_int_equal(evloop_run(l), 3);
    assert_int_equal(r.len, 5);
    assert_memory_equal(r.got, "hello", 5);
    assert_true(r.eof);
    close(p[0]);
    evloop_free(l);
}

static void on_signal(evloop *l, int signo, void *ctx) {
    *(int *)ctx = signo;
    evloop_stop(l, 9);
}

static void raise_usr1(evloop *l, void *ctx) {
    (void)l;
    (void)ctx;
    raise(SIGUSR1);
}

/* On the system clock: a timer 5 ms out raises a signal the loop reports. */
static void test_signal_reported_on_the_system_clock(void **state) {
    (void)state;
    const mock_clock *c = clock_system();
    evloop *l = evloop_new(c);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    int got = 0;
    assert_int_equal(evloop_watch_signals(l, &set, on_signal, &got), 0);
    int64_t t0 = c->mono_ns(c);
    evloop_timer(l, t0 + 5000000, raise_usr1, NULL);
    assert_int_equal(evloop_run(l), 9);
    assert_int_equal(got, SIGUSR1);
    int64_t took = c->mono_ns(c) - t0;
    assert_true(took >= 5000000);
    assert_true(took < 1000000000);
    evloop_free(l);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timers_fire_in_due_order_then_arming_order),
        cmocka_unit_test(test_cancel_and_cancel_ctx),
        cmocka_unit_test(test_nothing_to_wait_for_returns),
        cmocka_unit_test(test_fd_input_between_timers),
        cmocka_unit_test(test_signal_reported_on_the_system_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
