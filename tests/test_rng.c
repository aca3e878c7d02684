/* Unit tests for rng: xoshiro256** seeded through splitmix64; determinism and ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rng.h"

#include <math.h>
#include <string.h>

static void test_seed_expands_with_splitmix64(void **state) {
    (void)state;
    /* splitmix64's published first outputs for seed 0 */
    rng r;
    rng_seed(&r, 0);
    assert_true(r.s[0] == UINT64_C(0xe220a8397b1dcdaf));
    assert_true(r.s[1] == UINT64_C(0x6e789e6aa1b965f4));
    assert_true(r.s[2] == UINT64_C(0x06c45d188009454f));
    assert_true(r.s[3] == UINT64_C(0xf88bb8a8724c81ec));
}

/* Golden values: a change here changes every seeded run's bytes (ids, jitter). */
static void test_golden_sequence(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 0);
    assert_true(rng_next(&r) == UINT64_C(0x99ec5f36cb75f2b4));
    assert_true(rng_next(&r) == UINT64_C(0xbf6e1f784956452a));
    assert_true(rng_next(&r) == UINT64_C(0x1a5f849d4933e6e0));
    assert_true(rng_next(&r) == UINT64_C(0x6aa594f1262d2d2c));
    rng_seed(&r, 42);
    assert_true(rng_next(&r) == UINT64_C(0x15780b2e0c2ec716));
    assert_true(rng_next(&r) == UINT64_C(0x6104d9866d113a7e));
    assert_true(rng_next(&r) == UINT64_C(0xae17533239e499a1));
    assert_true(rng_next(&r) == UINT64_C(0xecb8ad4703b360a1));
}

static void test_same_seed_same_sequence(void **state) {
    (void)state;
    const uint64_t seeds[] = {0, 1, 42, UINT64_MAX, UINT64_C(0x9e3779b97f4a7c15)};
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        rng a, b;
        rng_seed(&a, seeds[k]);
        rng_seed(&b, seeds[k]);
        for (int i = 0; i < 1000; i++)
            assert_true(rng_next(&a) == rng_next(&b));
        for (int i = 0; i < 100; i++)
            assert_true(rng_uniform(&a) == rng_uniform(&b));
        for (int i = 0; i < 100; i++)
            assert_int_equal(rng_scale(&a, 1000000, 0.5, 1.5), rng_scale(&b, 1000000, 0.5, 1.5));
    }
}

static void test_reseed_restarts(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 7);
    uint64_t first[8];
    for (int i = 0; i < 8; i++)
        first[i] = rng_next(&r);
    rng_seed(&r, 7);
    for (int i = 0; i < 8; i++)
        assert_true(rng_next(&r) == first[i]);
}

static void test_different_seeds_differ(void **state) {
    (void)state;
    /* neighbouring seeds give unrelated streams */
    for (uint64_t s = 0; s < 64; s++) {
        rng a, b;
        rng_seed(&a, s);
        rng_seed(&b, s + 1);
        int same = 0;
        for (int i = 0; i < 64; i++)
            same += rng_next(&a) == rng_next(&b);
        assert_int_equal(same, 0);
    }
}

static void test_state_never_all_zero(void **state) {
    (void)state;
    /* xoshiro's all-zero state is a fixed point; no seed may produce it */
    const uint64_t seeds[] = {0, 1, UINT64_MAX, UINT64_C(0x61c8864680b583eb)};
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        rng r;
        rng_seed(&r, seeds[k]);
        assert_true((r.s[0] | r.s[1] | r.s[2] | r.s[3]) != 0);
        uint64_t x = 0;
        for (int i = 0; i < 16; i++)
            x |= rng_next(&r);
        assert_true(x != 0);
    }
}

static void test_bits_look_random(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 12345);
    int ones[64] = {0};
    enum { N = 20000 };
    for (int i = 0; i < N; i++) {
        uint64_t v = rng_next(&r);
        for (int b = 0; b < 64; b++)
            ones[b] += (int)((v >> b) & 1);
    }
    /* each bit is set about half the time (±5σ ≈ ±354) */
    for (int b = 0; b < 64; b++)
        assert_in_range(ones[b], N / 2 - 400, N / 2 + 400);
}

static void test_uniform_range_and_spread(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 99);
    enum { N = 100000, BINS = 10 };
    int bins[BINS] = {0};
    double sum = 0, lo = 1, hi = 0;
    for (int i = 0; i < N; i++) {
        double u = rng_uniform(&r);
        assert_true(u >= 0.0);
        assert_true(u < 1.0);
        sum += u;
        if (u < lo) lo = u;
        if (u > hi) hi = u;
        bins[(int)(u * BINS)]++;
    }
    assert_true(fabs(sum / N - 0.5) < 0.01);
    assert_true(lo < 0.001);
    assert_true(hi > 0.999);
    for (int b = 0; b < BINS; b++)
        assert_in_range(bins[b], N / BINS - 600, N / BINS + 600);
}

static void test_uniform_uses_top_53_bits(void **state) {
    (void)state;
    /* The double is the top 53 bits of the next output over 2^53: exact, hence < 1. */
    rng a, b;
    rng_seed(&a, 2024);
    rng_seed(&b, 2024);
    for (int i = 0; i < 1000; i++) {
        uint64_t v = rng_next(&a);
        double u = rng_uniform(&b);
        assert_true(u == ldexp((double)(v >> 11), -53));
    }
}

static void test_scale_bounds(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 5);
    const int64_t ns = 250000000; /* 250ms */
    int64_t min = INT64_MAX, max = 0;
    for (int i = 0; i < 100000; i++) {
        int64_t v = rng_scale(&r, ns, 0.8, 1.2);
        assert_true(v >= 200000000);
        assert_true(v <= 300000000);
        if (v < min) min = v;
        if (v > max) max = v;
    }
    /* the whole range is used */
    assert_true(min < 200100000);
    assert_true(max > 299900000);
}

static void test_scale_degenerate(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 5);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(rng_scale(&r, 1000, 1.0, 1.0), 1000); /* lo == hi: exact */
        assert_int_equal(rng_scale(&r, 0, 0.5, 2.0), 0);
        assert_int_equal(rng_scale(&r, 1000, 0.0, 0.0), 0);
    }
}

static void test_scale_rounds_to_nearest(void **state) {
    (void)state;
    rng r;
    rng_seed(&r, 5);
    /* 3 ns × 0.5 = 1.5 → 2 (half rounds up); 3.4 → 3; 3.6 → 4 */
    assert_int_equal(rng_scale(&r, 3, 0.5, 0.5), 2);
    assert_int_equal(rng_scale(&r, 10, 0.34, 0.34), 3);
    assert_int_equal(rng_scale(&r, 10, 0.36, 0.36), 4);
    /* and a large value stays exact to the nanosecond */
    assert_int_equal(rng_scale(&r, INT64_C(3600000000000), 1.0, 1.0), INT64_C(3600000000000));
}

static void test_scale_consumes_one_draw(void **state) {
    (void)state;
    /* each rng_scale call advances the stream by exactly one output */
    rng a, b;
    rng_seed(&a, 77);
    rng_seed(&b, 77);
    rng_scale(&a, 1000, 0.5, 1.5);
    rng_next(&b);
    assert_true(rng_next(&a) == rng_next(&b));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_expands_with_splitmix64),
        cmocka_unit_test(test_golden_sequence),
        cmocka_unit_test(test_same_seed_same_sequence),
        cmocka_unit_test(test_reseed_restarts),
        cmocka_unit_test(test_different_seeds_differ),
        cmocka_unit_test(test_state_never_all_zero),
        cmocka_unit_test(test_bits_look_random),
        cmocka_unit_test(test_uniform_range_and_spread),
        cmocka_unit_test(test_uniform_uses_top_53_bits),
        cmocka_unit_test(test_scale_bounds),
        cmocka_unit_test(test_scale_degenerate),
        cmocka_unit_test(test_scale_rounds_to_nearest),
        cmocka_unit_test(test_scale_consumes_one_draw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
