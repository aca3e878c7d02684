/* Unit tests for chunker: the recording server's rule (corpus 07's reasoning deltas). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "chunker.h"

#include <string.h>

static void expect_chunks(const char *text, const char *const *want, size_t n_want) {
    size_t st[CHUNKER_MAX + 1];
    size_t n = chunker_split(text, strlen(text), st);
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(st[i + 1] - st[i], strlen(want[i]));
        assert_memory_equal(text + st[i], want[i], strlen(want[i]));
    }
}

static void test_thirteen_words_in_four_groups(void **state) {
    (void)state;
    const char *want[] = {"**Multiplying the numbers**\n\n17 * ", "23 = 17 * ", "20 + 17 * ", "3."};
    expect_chunks("**Multiplying the numbers**\n\n17 * 23 = 17 * 20 + 17 * 3.", want, 4);
}

static void test_few_words_one_each(void **state) {
    (void)state;
    const char *want[] = {"Got ", "it: ", "42."};
    expect_chunks("Got it: 42.", want, 3);
    const char *one[] = {"word"};
    expect_chunks("word", one, 1);
    expect_chunks("", NULL, 0);
}

static void test_five_words_in_pairs(void **state) {
    (void)state;
    const char *want[] = {"a b ", "c d ", "e"};
    expect_chunks("a b c d e", want, 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thirteen_words_in_four_groups),
        cmocka_unit_test(test_few_words_one_each),
        cmocka_unit_test(test_five_words_in_pairs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
