/* Unit tests for jsonw: serde_json's string escaping and ryu's number shapes, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "jsonw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *str_json(const char *s, size_t len) {
    buf b;
    buf_init(&b);
    jsonw_string(&b, s, len);
    return buf_detach(&b);
}

#define assert_json_string(in, len, expected)                                                      \
    do {                                                                                           \
        char *got_ = str_json((in), (len));                                                        \
        assert_string_equal(got_, (expected));                                                     \
        free(got_);                                                                                \
    } while (0)

static char *dbl_json(double v) {
    buf b;
    buf_init(&b);
    jsonw_double(&b, v);
    return buf_detach(&b);
}

#define assert_json_double(v, expected)                                                            \
    do {                                                                                           \
        char *got_ = dbl_json(v);                                                                  \
        assert_string_equal(got_, (expected));                                                     \
        free(got_);                                                                                \
    } while (0)

static char *int_json(int64_t v) {
    buf b;
    buf_init(&b);
    jsonw_int(&b, v);
    return buf_detach(&b);
}

/* ---- strings ---- */

static void test_string_plain(void **state) {
    (void)state;
    assert_json_string("", 0, "\"\"");
    assert_json_string("hello world", 11, "\"hello world\"");
    /* only len bytes are taken */
    assert_json_string("abcdef", 3, "\"abc\"");
}

static void test_string_quote_backslash(void **state) {
    (void)state;
    assert_json_string("\"", 1, "\"\\\"\"");
    assert_json_string("\\", 1, "\"\\\\\"");
    assert_json_string("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    assert_json_string("\\\\\"\"", 4, "\"\\\\\\\\\\\"\\\"\"");
}

static void test_string_short_escapes(void **state) {
    (void)state;
    assert_json_string("\n", 1, "\"\\n\"");
    assert_json_string("\r", 1, "\"\\r\"");
    assert_json_string("\t", 1, "\"\\t\"");
    assert_json_string("\f", 1, "\"\\f\"");
    assert_json_string("\b", 1, "\"\\b\"");
    assert_json_string("a\r\nb", 4, "\"a\\r\\nb\"");
}

/* Every byte 0x00..0x1f: the five short forms, all others \u00xx with lowercase hex. */
static void test_string_every_control_char(void **state) {
    (void)state;
    for (int c = 0; c < 0x20; c++) {
        char in[1] = {(char)c};
        char expected[16];
        switch (c) {
        case '\b':
            strcpy(expected, "\"\\b\"");
            break;
        case '\t':
            strcpy(expected, "\"\\t\"");
            break;
        case '\n':
            strcpy(expected, "\"\\n\"");
            break;
        case '\f':
            strcpy(expected, "\"\\f\"");
            break;
        case '\r':
            strcpy(expected, "\"\\r\"");
            break;
        default:
            snprintf(expected, sizeof expected, "\"\\u%04x\"", c);
            break;
        }
        char *got = str_json(in, 1);
        assert_string_equal(got, expected);
        free(got);
    }
}

static void test_string_specific_unicode_escapes(void **state) {
    (void)state;
    assert_json_string("\x1b[0m", 4, "\"\\u001b[0m\""); /* lowercase b, never \u001B */
    assert_json_string("\x0b", 1, "\"\\u000b\"");
    assert_json_string("\x07", 1, "\"\\u0007\"");
    assert_json_string("\x1f", 1, "\"\\u001f\"");
    assert_json_string("\x0e", 1, "\"\\u000e\"");
}

static void test_string_embedded_nul(void **state) {
    (void)state;
    assert_json_string("a\0b", 3, "\"a\\u0000b\"");
    assert_json_string("\0", 1, "\"\\u0000\"");
    assert_json_string("\0\0", 2, "\"\\u0000\\u0000\"");
    /* a trailing NUL is within len and escaped, not a terminator */
    assert_json_string("x\0", 2, "\"x\\u0000\"");
}

static void test_string_raw_bytes(void **state) {
    (void)state;
    /* DEL, `/`, HTML-ish characters and space are raw */
    assert_json_string("\x7f", 1, "\"\x7f\"");
    assert_json_string("a/b", 3, "\"a/b\"");
    assert_json_string("</script>", 9, "\"</script>\"");
    assert_json_string("<>&' ", 5, "\"<>&' \"");
    /* U+2019 (’), U+2028, U+2029, U+0085 (C1 NEL), U+FEFF: raw UTF-8 */
    assert_json_string("it\xe2\x80\x99s", 6, "\"it\xe2\x80\x99s\"");
    assert_json_string("\xe2\x80\xa8", 3, "\"\xe2\x80\xa8\"");
    assert_json_string("\xe2\x80\xa9", 3, "\"\xe2\x80\xa9\"");
    assert_json_string("\xc2\x85", 2, "\"\xc2\x85\"");
    assert_json_string("\xef\xbb\xbf", 3, "\"\xef\xbb\xbf\"");
    /* a ZWJ emoji sequence */
    const char fam[] = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9";
    char expected[32];
    snprintf(expected, sizeof expected, "\"%s\"", fam);
    assert_json_string(fam, strlen(fam), expected);
}

static void test_string_high_bytes_are_not_controls(void **state) {
    (void)state;
    /* bytes >= 0x80 must never be treated as (signed) control characters */
    char in[128];
    for (int i = 0; i < 128; i++)
        in[i] = (char)(0x80 + i);
    char *got = str_json(in, sizeof in);
    assert_int_equal(strlen(got), 130);
    assert_int_equal(got[0], '"');
    assert_memory_equal(got + 1, in, 128);
    assert_int_equal(got[129], '"');
    free(got);
}

static void test_string_mixed_runs(void **state) {
    (void)state;
    const char in[] = "line1\nline2\t\"q\"\x01"
                      "end\\";
    assert_json_string(in, sizeof in - 1, "\"line1\\nline2\\t\\\"q\\\"\\u0001end\\\\\"");
}

static void test_string_appends(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "[");
    jsonw_cstring(&b, "a");
    buf_putc(&b, ',');
    jsonw_cstring(&b, "b\n");
    buf_putc(&b, ']');
    assert_string_equal(b.data, "[\"a\",\"b\\n\"]");
    assert_int_equal(b.len, strlen("[\"a\",\"b\\n\"]"));
    buf_free(&b);
}

static void test_string_long(void **state) {
    (void)state;
    size_t n = 100000;
    char *in = malloc(n);
    for (size_t i = 0; i < n; i++)
        in[i] = (i % 10 == 9) ? '\n' : 'x';
    char *got = str_json(in, n);
    assert_int_equal(strlen(got), n + n / 10 + 2);
    assert_memory_equal(got, "\"xxxxxxxxx\\nxx", 14);
    free(got);
    free(in);
}

static void test_key(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_putc(&b, '{');
    jsonw_key(&b, "type");
    jsonw_cstring(&b, "thread.started");
    buf_putc(&b, ',');
    jsonw_key(&b, "we\"ird\n/key");
    jsonw_null(&b);
    buf_putc(&b, ',');
    jsonw_key(&b, "");
    jsonw_bool(&b, false);
    buf_putc(&b, '}');
    assert_string_equal(b.data,
                        "{\"type\":\"thread.started\",\"we\\\"ird\\n/key\":null,\"\":false}");
    buf_free(&b);
}

static void test_bool_null(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    jsonw_bool(&b, true);
    jsonw_bool(&b, false);
    jsonw_null(&b);
    assert_string_equal(b.data, "truefalsenull");
    assert_int_equal(b.len, 13);
    buf_free(&b);
}

/* ---- integers ---- */

static void test_int(void **state) {
    (void)state;
    struct {
        int64_t v;
        const char *s;
    } cases[] = {
        {0, "0"},
        {1, "1"},
        {-1, "-1"},
        {4096, "4096"},
        {INT64_C(1761234567890), "1761234567890"},
        {INT64_MAX, "9223372036854775807"},
        {INT64_MIN, "-9223372036854775808"},
        {INT64_MIN + 1, "-9223372036854775807"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = int_json(cases[i].v);
        assert_string_equal(got, cases[i].s);
        free(got);
    }
}

/* ---- doubles (ryu via serde_json) ---- */

static void test_double_integral(void **state) {
    (void)state;
    assert_json_double(1.0, "1.0");
    assert_json_double(-1.0, "-1.0");
    assert_json_double(2.0, "2.0");
    assert_json_double(10.0, "10.0");
    assert_json_double(100.0, "100.0");
    assert_json_double(1234.0, "1234.0");
    assert_json_double(9007199254740992.0, "9007199254740992.0"); /* 2^53, 16 digits */
}

static void test_double_zero(void **state) {
    (void)state;
    assert_json_double(0.0, "0.0");
    assert_json_double(-0.0, "-0.0");
}

static void test_double_fractions(void **state) {
    (void)state;
    assert_json_double(0.1, "0.1");
    assert_json_double(0.25, "0.25");
    assert_json_double(0.3, "0.3");
    assert_json_double(0.1 + 0.2, "0.30000000000000004");
    assert_json_double(2.0 / 3.0, "0.6666666666666666");
    assert_json_double(1.5, "1.5");
    assert_json_double(-2.5, "-2.5");
    assert_json_double(123456789.125, "123456789.125");
    assert_json_double(3.14159, "3.14159");
}

static void test_double_fixed_vs_exponent_boundaries(void **state) {
    (void)state;
    /* large: up to 16 integer digits stay fixed, 17+ switch to exponent form */
    assert_json_double(1e15, "1000000000000000.0");
    assert_json_double(1e16, "1e16");
    assert_json_double(1.5e16, "1.5e16");
    assert_json_double(1234567890123456.0, "1234567890123456.0");
    assert_json_double(12345678901234567.0, "1.2345678901234568e16");
    assert_json_double(1e20, "1e20");
    assert_json_double(1e21, "1e21");
    assert_json_double(1e23, "1e23");
    assert_json_double(1.7976931348623157e308, "1.7976931348623157e308");
    assert_json_double(-1e100, "-1e100");
    /* small: down to 0.0000x fixed (first digit at 10^-5), below that exponent form */
    assert_json_double(0.001, "0.001");
    assert_json_double(0.0001, "0.0001");
    assert_json_double(0.00001, "0.00001");
    assert_json_double(0.000012, "0.000012");
    assert_json_double(0.000001, "1e-6");
    assert_json_double(0.0000012, "1.2e-6");
    assert_json_double(1.5e-7, "1.5e-7");
    assert_json_double(-1.5e-7, "-1.5e-7");
    assert_json_double(1e-7, "1e-7");
    assert_json_double(5e-324, "5e-324"); /* smallest subnormal */
    assert_json_double(2.2250738585072014e-308, "2.2250738585072014e-308");
}

static void test_double_shortest_roundtrip(void **state) {
    (void)state;
    /* shortest digits that read back, not printf's %.17g noise */
    assert_json_double(0.2, "0.2");
    assert_json_double(1.1, "1.1");
    assert_json_double(100.01, "100.01");
    assert_json_double(5e-5, "0.00005");
    assert_json_double(0.07, "0.07");
    /* powers of two where the lower neighbour is closer (asymmetric interval) */
    assert_json_double(ldexp(1.0, -1022), "2.2250738585072014e-308");
    assert_json_double(ldexp(1.0, 60), "1.152921504606847e18");
    assert_json_double(ldexp(1.0, 100), "1.2676506002282294e30");
    assert_json_double(ldexp(1.0, -30), "9.313225746154785e-10");
    /* every result reads back to the same double */
    const double samples[] = {0.1,     1.0 / 3,   2.0 / 7,    1e-300, 6.02214076e23,
                              1.6e-19, 299792458, 0.000123,   12.5,   4.35,
                              1e300,   1e-5,      9.999999e15};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char *got = dbl_json(samples[i]);
        assert_true(strtod(got, NULL) == samples[i]);
        assert_null(strchr(got, '+')); /* exponents are written without a plus sign */
        free(got);
    }
}

static void test_double_non_finite_is_null(void **state) {
    (void)state;
    assert_json_double(INFINITY, "null");
    assert_json_double(-INFINITY, "null");
    assert_json_double(NAN, "null");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_plain),
        cmocka_unit_test(test_string_quote_backslash),
        cmocka_unit_test(test_string_short_escapes),
        cmocka_unit_test(test_string_every_control_char),
        cmocka_unit_test(test_string_specific_unicode_escapes),
        cmocka_unit_test(test_string_embedded_nul),
        cmocka_unit_test(test_string_raw_bytes),
        cmocka_unit_test(test_string_high_bytes_are_not_controls),
        cmocka_unit_test(test_string_mixed_runs),
        cmocka_unit_test(test_string_appends),
        cmocka_unit_test(test_string_long),
        cmocka_unit_test(test_key),
        cmocka_unit_test(test_bool_null),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_double_integral),
        cmocka_unit_test(test_double_zero),
        cmocka_unit_test(test_double_fractions),
        cmocka_unit_test(test_double_fixed_vs_exponent_boundaries),
        cmocka_unit_test(test_double_shortest_roundtrip),
        cmocka_unit_test(test_double_non_finite_is_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
