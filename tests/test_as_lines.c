/* Unit tests for as_lines: lines split across reads, CRLF, the last line at EOF, invalid UTF-8,
 * a very long line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as_lines.h"

#include <stdlib.h>
#include <string.h>

static void expect_line(as_lines *r, const char *want) {
    const char *l;
    size_t n;
    assert_int_equal(as_lines_next(r, &l, &n), 1);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(l, want, n);
}

static void test_split_across_feeds(void **state) {
    (void)state;
    as_lines r;
    as_lines_init(&r);
    const char *l;
    size_t n;
    as_lines_feed(&r, "{\"id\":92,\"method\":", 18);
    assert_int_equal(as_lines_next(&r, &l, &n), 0);
    as_lines_feed(&r, "\"x\"}\r\nsecond\nthi", 16);
    expect_line(&r, "{\"id\":92,\"method\":\"x\"}");
    expect_line(&r, "second");
    assert_int_equal(as_lines_next(&r, &l, &n), 0);
    as_lines_feed(&r, "rd\n\n", 4);
    expect_line(&r, "third");
    expect_line(&r, "");
    assert_int_equal(as_lines_next(&r, &l, &n), 0);
    as_lines_free(&r);
}

static void test_last_line_at_eof(void **state) {
    (void)state;
    as_lines r;
    as_lines_init(&r);
    const char *l;
    size_t n;
    as_lines_feed(&r, "a\nno newline", 12);
    expect_line(&r, "a");
    assert_int_equal(as_lines_next(&r, &l, &n), 0);
    as_lines_eof(&r);
    expect_line(&r, "no newline");
    assert_int_equal(as_lines_next(&r, &l, &n), 0);
    as_lines_free(&r);
}

static void test_invalid_utf8_stops(void **state) {
    (void)state;
    as_lines r;
    as_lines_init(&r);
    const char *l;
    size_t n;
    as_lines_feed(&r, "ok\n\xff\xfe\nafter\n", 13);
    expect_line(&r, "ok");
    assert_int_equal(as_lines_next(&r, &l, &n), -1);
    as_lines_free(&r);
}

static void test_long_line_in_small_reads(void **state) {
    (void)state;
    as_lines r;
    as_lines_init(&r);
    size_t total = 5u << 20;
    char *big = malloc(total);
    memset(big, 'x', total);
    const char *l;
    size_t n;
    for (size_t at = 0; at < total; at += 65536) {
        as_lines_feed(&r, big + at, total - at < 65536 ? total - at : 65536);
        assert_int_equal(as_lines_next(&r, &l, &n), 0);
    }
    as_lines_feed(&r, "\nnext\n", 6);
    assert_int_equal(as_lines_next(&r, &l, &n), 1);
    assert_int_equal(n, total);
    expect_line(&r, "next");
    free(big);
    as_lines_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_across_feeds),
        cmocka_unit_test(test_last_line_at_eof),
        cmocka_unit_test(test_invalid_utf8_stops),
        cmocka_unit_test(test_long_line_in_small_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
