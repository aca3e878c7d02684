/* Unit tests for duration: exact (decimal) parsing of scenario time values, and display form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "duration.h"

#include <string.h>

static int64_t parse_ok(const char *s) {
    int64_t ns = -12345;
    const char *why = NULL;
    int rc = duration_parse(s, strlen(s), &ns, &why);
    if (rc != 0) fail_msg("'%s' did not parse: %s", s, why ? why : "(no reason)");
    return ns;
}

static const char *parse_err(const char *s, size_t len) {
    int64_t ns = -12345;
    const char *why = NULL;
    int rc = duration_parse(s, len, &ns, &why);
    if (rc != -1)
        fail_msg("'%.*s' parsed as %lld ns; expected an error", (int)len, s, (long long)ns);
    assert_non_null(why);
    assert_true(strlen(why) > 0);
    return why;
}

#define PARSE_ERR(s) parse_err((s), strlen(s))

static void test_units(void **state) {
    (void)state;
    assert_int_equal(parse_ok("250ms"), 250 * NS_PER_MS);
    assert_int_equal(parse_ok("1s"), NS_PER_S);
    assert_int_equal(parse_ok("2m"), 120 * NS_PER_S);
    assert_int_equal(parse_ok("1h"), 3600 * NS_PER_S);
    assert_int_equal(parse_ok("500us"), 500000);
    assert_int_equal(parse_ok("7ns"), 7);
}

static void test_fractions_are_exact(void **state) {
    (void)state;
    assert_int_equal(parse_ok("1.5s"), 1500 * NS_PER_MS);
    /* 46.7 is not representable in binary; decimal parsing must still give exactly this */
    assert_int_equal(parse_ok("46.7ms"), 46700000);
    assert_int_equal(parse_ok("0.1s"), 100000000);
    assert_int_equal(parse_ok("0.3s"), 300000000);
    assert_int_equal(parse_ok("1.001s"), 1001000000);
    assert_int_equal(parse_ok("0.5m"), 30 * NS_PER_S);
    assert_int_equal(parse_ok("1.25h"), 4500 * NS_PER_S);
    assert_int_equal(parse_ok("2.5us"), 2500);
    assert_int_equal(parse_ok("0.000000001s"), 1);
    assert_int_equal(parse_ok("123.456789ms"), 123456789);
    assert_int_equal(parse_ok("10.000ms"), 10 * NS_PER_MS);
    /* sub-nanosecond remainders are truncated, not rounded */
    assert_int_equal(parse_ok("1.9ns"), 1);
    assert_int_equal(parse_ok("0.0000000019s"), 1);
}

static void test_many_fraction_digits(void **state) {
    (void)state;
    /* long fractions in large units must not overflow the intermediate product */
    assert_int_equal(parse_ok("0.33333333333h"), INT64_C(1199999999988));
    assert_int_equal(parse_ok("1.123456789012h"), INT64_C(4044444440443));
    assert_int_equal(parse_ok("0.999999999999m"), INT64_C(59999999999));
    assert_int_equal(parse_ok("0.12345678901234567s"), 123456789);
    assert_int_equal(parse_ok("1.99999999999999999999s"), 1999999999);
    /* trailing zeros beyond the kept precision change nothing */
    assert_int_equal(parse_ok("1.50000000000000000000000s"), 1500 * NS_PER_MS);
}

static void test_zero(void **state) {
    (void)state;
    assert_int_equal(parse_ok("0"), 0);
    assert_int_equal(parse_ok("0ms"), 0);
    assert_int_equal(parse_ok("0s"), 0);
    assert_int_equal(parse_ok("0.0"), 0);
    assert_int_equal(parse_ok("000"), 0);
    assert_int_equal(parse_ok("0.000h"), 0);
}

static void test_whitespace(void **state) {
    (void)state;
    assert_int_equal(parse_ok(" 250ms"), 250 * NS_PER_MS);
    assert_int_equal(parse_ok("250ms "), 250 * NS_PER_MS);
    assert_int_equal(parse_ok("\t 1.5s \t"), 1500 * NS_PER_MS);
    assert_int_equal(parse_ok("  0  "), 0);
    /* but not between the number and its unit */
    PARSE_ERR("250 ms");
    PARSE_ERR("1. 5s");
}

static void test_length_is_respected(void **state) {
    (void)state;
    int64_t ns = 0;
    const char *why = NULL;
    /* only the first len bytes are the value: "250ms" of "250msXYZ" */
    assert_int_equal(duration_parse("250msXYZ", 5, &ns, &why), 0);
    assert_int_equal(ns, 250 * NS_PER_MS);
    /* "25" of "250ms" has no unit */
    parse_err("250ms", 2);
    /* "2" of "2m" plus nothing else */
    assert_int_equal(duration_parse("2ms", 2, &ns, &why), 0);
    assert_int_equal(ns, 120 * NS_PER_S);
}

static void test_errors(void **state) {
    (void)state;
    PARSE_ERR("");
    PARSE_ERR("   ");
    PARSE_ERR("abc");
    PARSE_ERR("ms");
    PARSE_ERR(".");
    PARSE_ERR(".s");
    PARSE_ERR("1x");
    PARSE_ERR("1sec");
    PARSE_ERR("1S");
    PARSE_ERR("1MS");
    PARSE_ERR("1e3ms");
    PARSE_ERR("1,5s");
    PARSE_ERR("1.5.0s");
    PARSE_ERR("+1s");
    PARSE_ERR("1m30s"); /* one unit per value */
    PARSE_ERR("0x10ms");
    parse_err("1\0s", 3); /* an embedded NUL is not part of any unit */
}

static void test_error_no_unit(void **state) {
    (void)state;
    const char *why = PARSE_ERR("5");
    assert_non_null(strstr(why, "unit"));
    why = PARSE_ERR("1.5");
    assert_non_null(strstr(why, "unit"));
    why = PARSE_ERR("0.5");
    assert_non_null(strstr(why, "unit"));
}

static void test_error_negative(void **state) {
    (void)state;
    const char *why = PARSE_ERR("-1s");
    assert_non_null(strstr(why, "negative"));
    PARSE_ERR("-0");
    PARSE_ERR(" -250ms");
}

static void test_error_message_lists_forms(void **state) {
    (void)state;
    const char *why = PARSE_ERR("abc");
    assert_non_null(strstr(why, "250ms"));
    assert_non_null(strstr(why, "ms"));
    why = PARSE_ERR("1x");
    assert_non_null(strstr(why, "1.5s"));
}

static void test_error_too_large(void **state) {
    (void)state;
    const char *why = PARSE_ERR("99999999999999999999999999s");
    assert_non_null(strstr(why, "too large"));
    PARSE_ERR("18446744073709551616ns"); /* 2^64 */
    PARSE_ERR("9223372036854775808ns");  /* 2^63 */
    PARSE_ERR("101d");
    PARSE_ERR("2401h");   /* just over 100 days */
    PARSE_ERR("2400.5h"); /* whole part at the limit, fraction would pass it */
    PARSE_ERR("100000000000000000000ms");
    /* 100 days exactly is the limit, in every unit */
    assert_int_equal(parse_ok("2400h"), INT64_C(2400) * 3600 * NS_PER_S);
    assert_int_equal(parse_ok("144000m"), INT64_C(144000) * 60 * NS_PER_S);
    assert_int_equal(parse_ok("8640000s"), INT64_C(8640000) * NS_PER_S);
    assert_int_equal(parse_ok("8640000000ms"), INT64_C(8640000000) * NS_PER_MS);
    /* small units must not have a lower limit than big ones */
    assert_int_equal(parse_ok("200000000000us"), INT64_C(200000) * NS_PER_S);
    assert_int_equal(parse_ok("200000000000ns"), INT64_C(200) * NS_PER_S);
    assert_int_equal(parse_ok("8640000000000000ns"), INT64_C(8640000000000000));
    PARSE_ERR("8640000000000001ns");
    PARSE_ERR("2400.000001h");
}

static const char *fmt(int64_t ns) {
    static char out[64];
    memset(out, 'Z', sizeof out);
    duration_format(ns, out, 32);
    return out;
}

static void test_format(void **state) {
    (void)state;
    assert_string_equal(fmt(0), "0");
    assert_string_equal(fmt(-5), "0");
    assert_string_equal(fmt(218 * NS_PER_MS), "218ms");
    assert_string_equal(fmt(1500 * NS_PER_MS), "1.5s");
    assert_string_equal(fmt(46700000), "46.7ms");
    assert_string_equal(fmt(500000), "500us");
    assert_string_equal(fmt(NS_PER_S), "1s");
    assert_string_equal(fmt(1001 * NS_PER_MS), "1.001s");
    assert_string_equal(fmt(1010 * NS_PER_MS), "1.01s");
    assert_string_equal(fmt(123 * NS_PER_S), "123s");
    assert_string_equal(fmt(NS_PER_MS), "1ms");
    assert_string_equal(fmt(1050000), "1.1ms"); /* 0.1 ms resolution, half rounds up */
    assert_string_equal(fmt(999), "999ns");
    assert_string_equal(fmt(1), "1ns");
}

static void test_format_unit_boundaries(void **state) {
    (void)state;
    /* rounding up into the next unit shows that unit, never 1000us / 1000ms */
    assert_string_equal(fmt(999499), "999us");
    assert_string_equal(fmt(999500), "1ms");
    assert_string_equal(fmt(999949999), "999.9ms");
    assert_string_equal(fmt(999950000), "1s");
    assert_string_equal(fmt(999999999), "1s");
    assert_string_equal(fmt(1999999999), "2s");
    assert_string_equal(fmt(59999600000), "60s");
}

static void test_format_small_buffer_truncates(void **state) {
    (void)state;
    char out[4];
    duration_format(46700000, out, sizeof out);
    assert_string_equal(out, "46.");
}

static void test_format_large(void **state) {
    (void)state;
    char out[32];
    duration_format(INT64_MAX, out, sizeof out);
    assert_string_equal(out, "9223372036.855s");
}

/* format → parse gives back the value, for values at the display resolution. */
static void test_round_trip_values(void **state) {
    (void)state;
    const int64_t values[] = {0,
                              1,
                              999,
                              1000,
                              500000,
                              999000,
                              NS_PER_MS,
                              46700000,
                              218 * NS_PER_MS,
                              999900000,
                              NS_PER_S,
                              1500 * NS_PER_MS,
                              1001 * NS_PER_MS,
                              59999 * NS_PER_MS,
                              123 * NS_PER_S,
                              3600 * NS_PER_S,
                              INT64_C(2400) * 3600 * NS_PER_S};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char out[32];
        duration_format(values[i], out, sizeof out);
        assert_int_equal(parse_ok(out), values[i]);
    }
}

/* parse → format gives back the text, for canonical texts. */
static void test_round_trip_texts(void **state) {
    (void)state;
    const char *texts[] = {"0",    "250ms", "1.5s",  "46.7ms", "500us", "1s",   "2.25s",
                           "123s", "1ms",   "100us", "9.9ms",  "999us", "17ns", "60s"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char out[32];
        duration_format(parse_ok(texts[i]), out, sizeof out);
        assert_string_equal(out, texts[i]);
    }
}

/* Every value on the 0.1 ms grid below a second survives format → parse. */
static void test_round_trip_grid(void **state) {
    (void)state;
    for (int64_t t = 10; t < 10000; t++) {
        int64_t ns = t * 100000;
        char out[32];
        duration_format(ns, out, sizeof out);
        assert_int_equal(parse_ok(out), ns);
    }
    for (int64_t ms = 1000; ms < 200000; ms += 7) {
        int64_t ns = ms * NS_PER_MS;
        char out[32];
        duration_format(ns, out, sizeof out);
        assert_int_equal(parse_ok(out), ns);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_fractions_are_exact),
        cmocka_unit_test(test_many_fraction_digits),
        cmocka_unit_test(test_zero),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_length_is_respected),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_no_unit),
        cmocka_unit_test(test_error_negative),
        cmocka_unit_test(test_error_message_lists_forms),
        cmocka_unit_test(test_error_too_large),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_unit_boundaries),
        cmocka_unit_test(test_format_small_buffer_truncates),
        cmocka_unit_test(test_format_large),
        cmocka_unit_test(test_round_trip_values),
        cmocka_unit_test(test_round_trip_texts),
        cmocka_unit_test(test_round_trip_grid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
