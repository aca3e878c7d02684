/* Unit tests for uuid: UUIDv7 thread ids (time prefix, version, variant, seeded randomness). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "uuid.h"

#include <stdlib.h>
#include <string.h>

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Checks the textual shape: 8-4-4-4-12, lowercase hex, version 7, variant 10xx. */
static void assert_v7_shape(const char *u) {
    assert_int_equal(strlen(u), UUID_STR_LEN);
    for (int i = 0; i < UUID_STR_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(u[i], '-');
        else if (hexval(u[i]) < 0)
            fail_msg("'%s': character %d is not lowercase hex", u, i);
    }
    assert_int_equal(u[14], '7');
    int variant = hexval(u[19]);
    assert_int_equal(variant & 0xc, 0x8); /* 8, 9, a or b */
    assert_true(uuid_is_valid(u));
}

static uint64_t prefix_ms(const char *u) {
    uint64_t v = 0;
    for (int i = 0; i < 13; i++) {
        if (i == 8) continue;
        v = v << 4 | (uint64_t)hexval(u[i]);
    }
    return v;
}

static void test_time_prefix(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 1);
    char u[UUID_STR_LEN + 1];
    uuid_v7(u, UINT64_C(0x01a1fd0a40a4), &r);
    assert_memory_equal(u, "01a1fd0a-40a4-7", 15);
    assert_v7_shape(u);
    assert_true(prefix_ms(u) == UINT64_C(0x01a1fd0a40a4));
}

static void test_golden_with_seed(void **state) {
    (void)state;
    /* seed 0: first rng outputs 0x99ec5f36cb75f2b4, 0xbf6e1f784956452a (see test_rng) */
    rng r;
    rng_seed(&r, 0);
    char u[UUID_STR_LEN + 1];
    uuid_v7(u, UINT64_C(0x01a1fd0a40a4), &r);
    assert_string_equal(u, "01a1fd0a-40a4-74f2-b5cb-365fec992a45");
}

static void test_real_clock_values(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 3);
    const uint64_t times[] = {0, 1, UINT64_C(1761234567890), /* 2025 */
                              UINT64_C(1700000000000),
                              UINT64_C(0xffffffffffff)}; /* the largest 48-bit time */
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        char u[UUID_STR_LEN + 1];
        uuid_v7(u, times[i], &r);
        assert_v7_shape(u);
        assert_true(prefix_ms(u) == times[i]);
    }
    char u[UUID_STR_LEN + 1];
    uuid_v7(u, 0, &r);
    assert_memory_equal(u, "00000000-0000-7", 15);
    uuid_v7(u, UINT64_C(0xffffffffffff), &r);
    assert_memory_equal(u, "ffffffff-ffff-7", 15);
}

static void test_time_beyond_48_bits_is_truncated(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 3);
    char u[UUID_STR_LEN + 1];
    uuid_v7(u, UINT64_C(0x1234567890abcdef), &r);
    assert_v7_shape(u);
    assert_memory_equal(u, "567890ab-cdef-7", 15);
}

static void test_deterministic_under_seed(void **state) {
    (void)state;
    rng a, b;
    rng_seed(&a, 2024);
    rng_seed(&b, 2024);
    for (int i = 0; i < 100; i++) {
        char ua[UUID_STR_LEN + 1], ub[UUID_STR_LEN + 1];
        uuid_v7(ua, UINT64_C(1761234567890) + (uint64_t)i, &a);
        uuid_v7(ub, UINT64_C(1761234567890) + (uint64_t)i, &b);
        assert_string_equal(ua, ub);
    }
}

static void test_random_part_varies(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 8);
    enum { N = 500 };
    static char ids[N][UUID_STR_LEN + 1];
    int variants[4] = {0};
    for (int i = 0; i < N; i++) {
        uuid_v7(ids[i], UINT64_C(1761234567890), &r); /* same millisecond every time */
        assert_v7_shape(ids[i]);
        variants[hexval(ids[i][19]) & 3]++;
    }
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            if (strcmp(ids[i], ids[j]) == 0) fail_msg("duplicate id %s", ids[i]);
    /* all four variant characters (8, 9, a, b) occur: the low variant bits are random */
    for (int k = 0; k < 4; k++)
        assert_true(variants[k] > 0);
    /* different seeds give different ids for the same time */
    rng a, b;
    rng_seed(&a, 1);
    rng_seed(&b, 2);
    char ua[UUID_STR_LEN + 1], ub[UUID_STR_LEN + 1];
    uuid_v7(ua, 5, &a);
    uuid_v7(ub, 5, &b);
    assert_string_not_equal(ua, ub);
}

static void test_is_valid_accepts(void **state) {
    (void)state;
    assert_true(uuid_is_valid("01a1fd0a-40a4-74f2-b5cb-365fec992a45"));
    assert_true(uuid_is_valid("00000000-0000-0000-0000-000000000000"));
    /* any version, and upper case too */
    assert_true(uuid_is_valid("550e8400-e29b-41d4-a716-446655440000"));
    assert_true(uuid_is_valid("550E8400-E29B-41D4-A716-446655440000"));
    assert_true(uuid_is_valid("ffffffff-ffff-ffff-ffff-ffffffffffff"));
}

static void test_is_valid_rejects(void **state) {
    (void)state;
    assert_false(uuid_is_valid(""));
    assert_false(uuid_is_valid("my-thread-name"));
    assert_false(uuid_is_valid("01a1fd0a-40a4-74f2-b5cb-365fec992a4"));   /* 35 chars */
    assert_false(uuid_is_valid("01a1fd0a-40a4-74f2-b5cb-365fec992a451")); /* 37 chars */
    assert_false(uuid_is_valid("01a1fd0a-40a4-74f2-b5cb-365fec992a4g"));  /* not hex */
    assert_false(uuid_is_valid("01a1fd0a-40a4-74f2-b5cb+365fec992a45"));  /* wrong separator */
    assert_false(uuid_is_valid("01a1fd0a40a4-74f2-b5cb-365fec992a45-"));  /* misplaced hyphens */
    assert_false(uuid_is_valid("01a1fd0a-40a474f2-b5cb-365fec992a45a"));
    assert_false(uuid_is_valid("-01a1fd0a-40a4-74f2-b5cb-365fec992a4"));
    assert_false(uuid_is_valid("01a1fd0a 40a4 74f2 b5cb 365fec992a45"));
    assert_false(uuid_is_valid("{1a1fd0a-40a4-74f2-b5cb-365fec992a45"));
    assert_false(uuid_is_valid("01a1fd0a-40a4-74f2-b5cb-365fec992a45\n"));
    assert_false(uuid_is_valid("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"));
    assert_false(uuid_is_valid("------------------------------------"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_prefix),
        cmocka_unit_test(test_golden_with_seed),
        cmocka_unit_test(test_real_clock_values),
        cmocka_unit_test(test_time_beyond_48_bits_is_truncated),
        cmocka_unit_test(test_deterministic_under_seed),
        cmocka_unit_test(test_random_part_varies),
        cmocka_unit_test(test_is_valid_accepts),
        cmocka_unit_test(test_is_valid_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
