/* base64: RFC 4648's test vectors both ways, every byte value, whitespace, and what is not
 * base64 (with the offset where it fails). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base64.h"

#include <string.h>

static const char *const VECTORS[][2] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_rfc4648_vectors(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof VECTORS / sizeof VECTORS[0]; i++) {
        buf b;
        buf_init(&b);
        base64_encode(&b, VECTORS[i][0], strlen(VECTORS[i][0]));
        assert_int_equal(b.len, strlen(VECTORS[i][1]));
        assert_memory_equal(b.len ? b.data : "", VECTORS[i][1], b.len);
        buf_free(&b);
        buf_init(&b);
        assert_int_equal(base64_decode(&b, VECTORS[i][1], strlen(VECTORS[i][1]), NULL), 0);
        assert_int_equal(b.len, strlen(VECTORS[i][0]));
        assert_memory_equal(b.len ? b.data : "", VECTORS[i][0], b.len);
        buf_free(&b);
    }
}

static void test_every_byte_round_trips(void **state) {
    (void)state;
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)(255 - i);
    for (size_t len = 0; len <= sizeof all; len += 1 + len / 3) {
        buf enc, dec;
        buf_init(&enc);
        buf_init(&dec);
        base64_encode(&enc, all, len);
        assert_int_equal(enc.len, (len + 2) / 3 * 4);
        assert_int_equal(base64_decode(&dec, enc.data ? enc.data : "", enc.len, NULL), 0);
        assert_int_equal(dec.len, len);
        if (len) assert_memory_equal(dec.data, all, len);
        buf_free(&enc);
        buf_free(&dec);
    }
}

static void test_whitespace_is_skipped(void **state) {
    (void)state;
    static const char text[] = " Zm9v\n  YmE=\r\n";
    buf b;
    buf_init(&b);
    assert_int_equal(base64_decode(&b, text, sizeof text - 1, NULL), 0);
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "fooba", 5);
    buf_free(&b);
}

static void test_not_base64(void **state) {
    (void)state;
    static const struct {
        const char *text;
        size_t bad;
    } cases[] = {
        {"Zm9v!", 4},    /* outside the alphabet */
        {"Zm9", 3},      /* a quantum cut short */
        {"Zg==Zm9v", 4}, /* data after the padding */
        {"Z===", 1},     /* "=" as the second character */
        {"Zm=v", 3},     /* data after "=" in a quantum */
        {"Zm8=\n x", 6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf b;
        buf_init(&b);
        size_t bad = 999;
        assert_int_equal(base64_decode(&b, cases[i].text, strlen(cases[i].text), &bad), -1);
        if (bad != cases[i].bad)
            fail_msg("%s: failed at %zu, not %zu", cases[i].text, bad, cases[i].bad);
        buf_free(&b);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors),
        cmocka_unit_test(test_every_byte_round_trips),
        cmocka_unit_test(test_whitespace_is_skipped),
        cmocka_unit_test(test_not_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
