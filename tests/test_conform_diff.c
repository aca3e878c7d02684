/* conform_diff: what conform treats as the same (normalising) and how it says what differs. */
#include "buf.h"
#include "conform_diff.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static char *norm(const char *s, const conform_dirs *d, buf *b) {
    buf_reset(b);
    conform_normalise(s, strlen(s), d, b);
    buf_putc(b, '\0');
    return b->data;
}

static void test_normalise(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    conform_dirs d = {"/r/real/work", "/r/real/home", "/r/real/codex_home"};
    assert_string_equal(norm("{\"thread_id\":\"01a24333-7ffb-7ac3-855e-71d35645bc3d\"}", &d, &b),
                        "{\"thread_id\":\"<UUID>\"}");
    assert_string_equal(norm("/r/real/work/a.txt /r/real/codex_home/x /r/real/home", &d, &b),
                        "<WORK>/a.txt <CODEX_HOME>/x <HOME>");
    assert_string_equal(norm("url: http://127.0.0.1:45385/v1/responses", &d, &b),
                        "url: http://127.0.0.1:<PORT>/v1/responses");
    assert_string_equal(norm("2026-12-04T22:40:02.123456Z ERROR x", &d, &b), "<TIME> ERROR x");
    /* not quite a UUID, not a time: kept */
    assert_string_equal(norm("01a24333-7ffb-7ac3-855e-71d35645bc3", &d, &b),
                        "01a24333-7ffb-7ac3-855e-71d35645bc3");
    assert_string_equal(norm("2026-12-04 22:40", &d, &b), "2026-12-04 22:40");
    assert_string_equal(norm("127.0.0.1:x", NULL, &b), "127.0.0.1:x");
    assert_string_equal(norm("request id: req_6bba39dc6c5f593264a641c70e6288f9)", NULL, &b),
                        "request id: req_<ID>)");
    assert_string_equal(norm("request id: req_123", NULL, &b), "request id: req_123");
    assert_string_equal(norm(" succeeded in 2ms:", NULL, &b), " succeeded in <DURATION>:");
    assert_string_equal(norm("exited 1 in 1.25s:", NULL, &b), "exited 1 in <DURATION>:");
    assert_string_equal(norm("in 2 steps; in 5sec; plugin 3ms", NULL, &b),
                        "in 2 steps; in 5sec; plugin 3ms");
    buf_free(&b);
}

static void test_compare(void **state) {
    (void)state;
    buf why;
    buf_init(&why);
    assert_true(conform_compare_lines("a\nb\n", 4, "a\nb\n", 4, &why));
    assert_false(conform_compare_lines("a\nbcd\n", 6, "a\nbxd\n", 6, &why));
    assert_string_equal(why.data, "line 2 differs at byte 2:\n  real: bcd\n  fake: bxd");
    buf_reset(&why);
    assert_false(conform_compare_lines("a\n", 2, "a\nz\n", 4, &why));
    buf_putc(&why, '\0');
    assert_string_equal(why.data, "line 2 only in the fake output:\n  fake: z");
    buf_reset(&why);
    assert_false(conform_compare_lines("a\n\x1b", 3, "a\n", 2, &why));
    buf_putc(&why, '\0');
    assert_string_equal(why.data, "line 2 only in the real output:\n  real: \\x1b");
    buf_reset(&why);
    assert_false(conform_compare_lines("a\n", 2, "a", 1, &why));
    buf_putc(&why, '\0');
    assert_string_equal(why.data, "the fake output does not end with a newline");
    buf_free(&why);
}

static void test_timing(void **state) {
    (void)state;
    assert_true(conform_timing_ok(100, 100, 0, 0));
    assert_true(conform_timing_ok(1000, 1500, 0, 0.5));  /* 500 <= 0.5 * 1500 */
    assert_false(conform_timing_ok(100, 1500, 0, 0.5));  /* 1400 > 750 */
    assert_true(conform_timing_ok(100, 1500, 700, 0.5)); /* 1400 <= 700 + 750 */
    assert_false(conform_timing_ok(0, 10, 5, 0));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_timing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
