/* Unit tests for buf (growable byte buffer, x* allocation helpers) and arena (bump allocator). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

/* ---- buf ---- */

static void test_buf_init_is_empty(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    buf_free(&b); /* freeing an untouched buffer is fine */
    assert_null(b.data);
}

static void test_buf_append_keeps_nul_terminated(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_append(&b, "abc", 3);
    assert_int_equal(b.len, 3);
    assert_true(b.cap > b.len);
    assert_string_equal(b.data, "abc");
    buf_putc(&b, 'd');
    assert_string_equal(b.data, "abcd");
    buf_puts(&b, "ef");
    assert_string_equal(b.data, "abcdef");
    assert_int_equal(b.len, 6);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void test_buf_append_zero_bytes_allocates_terminator(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_append(&b, NULL, 0);
    assert_non_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    buf_puts(&b, "");
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

static void test_buf_embedded_nul(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_append(&b, "a\0b", 3);
    buf_putc(&b, '\0');
    buf_putc(&b, 'c');
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "a\0b\0c", 6); /* including the terminator */
    buf_free(&b);
}

static void test_buf_growth_preserves_content(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, (char)('a' + i % 26));
    assert_int_equal(b.len, 100000);
    assert_true(b.cap >= 100001);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(b.data[i], 'a' + i % 26);
    assert_int_equal(b.data[100000], '\0');
    buf_free(&b);
}

static void test_buf_append_exactly_at_capacity(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_putc(&b, 'x');
    size_t cap = b.cap;
    /* fill to exactly cap-1 bytes (room for the terminator), then one more must grow */
    char *fill = malloc(cap);
    memset(fill, 'y', cap);
    buf_append(&b, fill, cap - 2);
    assert_int_equal(b.len, cap - 1);
    assert_int_equal(b.cap, cap);
    assert_int_equal(b.data[cap - 1], '\0');
    buf_putc(&b, 'z');
    assert_true(b.cap > cap);
    assert_int_equal(b.len, cap);
    assert_int_equal(b.data[cap - 1], 'z');
    assert_int_equal(b.data[cap], '\0');
    free(fill);
    buf_free(&b);
}

static void test_buf_reserve(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_reserve(&b, 1000);
    assert_true(b.cap >= 1001);
    size_t cap = b.cap;
    char *data = b.data;
    for (int i = 0; i < 1000; i++)
        buf_putc(&b, 'q');
    assert_ptr_equal(b.data, data); /* no reallocation inside the reservation */
    assert_int_equal(b.cap, cap);
    buf_reserve(&b, 0);
    assert_int_equal(b.cap, cap);
    buf_free(&b);
}

static void test_buf_reset_keeps_allocation(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_reset(&b); /* on an empty buffer */
    assert_int_equal(b.len, 0);
    buf_puts(&b, "hello world");
    char *data = b.data;
    size_t cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    assert_string_equal(b.data, "");
    buf_puts(&b, "hi");
    assert_string_equal(b.data, "hi");
    buf_free(&b);
}

static void test_buf_printf(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_printf(&b, "%d-%s", 42, "x");
    assert_string_equal(b.data, "42-x");
    buf_printf(&b, "%s", "");
    assert_int_equal(b.len, 4);
    buf_printf(&b, "[%5.2f]", 3.14159);
    assert_string_equal(b.data, "42-x[ 3.14]");
    assert_int_equal(b.len, strlen("42-x[ 3.14]"));
    buf_free(&b);
}

static void test_buf_printf_empty_result_on_fresh_buffer(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s", "");
    assert_non_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    buf_free(&b);
}

static void test_buf_printf_long_output_grows(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "<");
    char big[5000];
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_printf(&b, "%s>%d", big, 7);
    assert_int_equal(b.len, 1 + 4999 + 2);
    assert_int_equal(b.data[0], '<');
    assert_int_equal(b.data[4999], 'k');
    assert_string_equal(b.data + 5000, ">7");
    buf_free(&b);
}

static void test_buf_detach(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "owned");
    char *s = buf_detach(&b);
    assert_string_equal(s, "owned");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    free(s);

    /* detaching a never-used buffer still gives a freeable empty string */
    char *e = buf_detach(&b);
    assert_non_null(e);
    assert_string_equal(e, "");
    free(e);
}

static void test_x_helpers(void **state) {
    (void)state;
    char *s = xstrdup("dup");
    assert_string_equal(s, "dup");
    free(s);

    char *n = xstrndup("abcdef", 3);
    assert_string_equal(n, "abc");
    free(n);

    char *z = xstrndup("a\0b", 3);
    assert_memory_equal(z, "a\0b\0", 4);
    free(z);

    char *a = xasprintf("%s=%u", "k", 5u);
    assert_string_equal(a, "k=5");
    free(a);

    char *empty = xasprintf("%s", "");
    assert_string_equal(empty, "");
    free(empty);

    int *c = xcalloc(16, sizeof(int));
    for (int i = 0; i < 16; i++)
        assert_int_equal(c[i], 0);
    c = xrealloc(c, 32 * sizeof(int));
    for (int i = 0; i < 16; i++)
        assert_int_equal(c[i], 0);
    free(c);

    void *m0 = xmalloc(0); /* zero-size requests still return a unique pointer */
    assert_non_null(m0);
    free(m0);
}

/* ---- arena ---- */

static void test_arena_zeroed_and_aligned(void **state) {
    (void)state;
    arena a;
    arena_init(&a);
    for (size_t n = 1; n < 200; n += 7) {
        unsigned char *p = arena_alloc(&a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xAB, n); /* dirty it so a reused byte would show */
    }
    arena_free(&a);
    assert_null(a.head);
}

static void test_arena_allocations_do_not_overlap(void **state) {
    (void)state;
    arena a;
    arena_init(&a);
    enum { N = 5000 };
    unsigned char **ptrs = malloc(N * sizeof *ptrs);
    for (int i = 0; i < N; i++) {
        ptrs[i] = arena_alloc(&a, 37);
        memset(ptrs[i], i & 0xff, 37);
    }
    /* 5000 × 48 bytes spans several 64 KiB blocks; every allocation must keep its bytes */
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 37; j++)
            assert_int_equal(ptrs[i][j], i & 0xff);
    free(ptrs);
    arena_free(&a);
}

static void test_arena_large_allocations(void **state) {
    (void)state;
    arena a;
    arena_init(&a);
    /* a large request first (no head yet), then small ones, then another large one */
    unsigned char *big1 = arena_alloc(&a, 200000);
    for (size_t i = 0; i < 200000; i++)
        assert_int_equal(big1[i], 0);
    memset(big1, 1, 200000);
    unsigned char *small = arena_alloc(&a, 16);
    for (int i = 0; i < 16; i++)
        assert_int_equal(small[i], 0);
    memset(small, 2, 16);
    unsigned char *big2 = arena_alloc(&a, 100000);
    for (size_t i = 0; i < 100000; i++)
        assert_int_equal(big2[i], 0);
    memset(big2, 3, 100000);
    unsigned char *small2 = arena_alloc(&a, 16);
    for (int i = 0; i < 16; i++)
        assert_int_equal(small2[i], 0);
    memset(small2, 4, 16);
    assert_int_equal((uintptr_t)big2 % alignof(max_align_t), 0);
    assert_int_equal((uintptr_t)small2 % alignof(max_align_t), 0);
    for (size_t i = 0; i < 200000; i++)
        assert_int_equal(big1[i], 1);
    for (int i = 0; i < 16; i++)
        assert_int_equal(small[i], 2);
    for (size_t i = 0; i < 100000; i++)
        assert_int_equal(big2[i], 3);
    for (int i = 0; i < 16; i++)
        assert_int_equal(small2[i], 4);
    arena_free(&a);
}

static void test_arena_zero_size(void **state) {
    (void)state;
    arena a;
    arena_init(&a);
    void *p = arena_alloc(&a, 0);
    assert_non_null(p);
    char *q = arena_alloc(&a, 1);
    assert_non_null(q);
    *q = 'x';
    arena_free(&a);
}

static void test_arena_strdup(void **state) {
    (void)state;
    arena a;
    arena_init(&a);
    char *s = arena_strdup(&a, "hello");
    assert_string_equal(s, "hello");
    char *e = arena_strdup(&a, "");
    assert_string_equal(e, "");
    char *n = arena_strndup(&a, "a\0b\0c", 5);
    assert_memory_equal(n, "a\0b\0c\0", 6);
    char *t = arena_strndup(&a, "truncate", 3);
    assert_string_equal(t, "tru");
    assert_string_equal(s, "hello"); /* earlier strings are untouched */
    arena_free(&a);
}

static void test_arena_free_twice_and_reuse(void **state) {
    (void)state;
    arena a;
    arena_init(&a);
    arena_free(&a); /* empty arena */
    arena_strdup(&a, "x");
    arena_free(&a);
    arena_free(&a);
    assert_null(a.head);
    assert_int_equal(a.used, 0);
    char *s = arena_strdup(&a, "again");
    assert_string_equal(s, "again");
    arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_init_is_empty),
        cmocka_unit_test(test_buf_append_keeps_nul_terminated),
        cmocka_unit_test(test_buf_append_zero_bytes_allocates_terminator),
        cmocka_unit_test(test_buf_embedded_nul),
        cmocka_unit_test(test_buf_growth_preserves_content),
        cmocka_unit_test(test_buf_append_exactly_at_capacity),
        cmocka_unit_test(test_buf_reserve),
        cmocka_unit_test(test_buf_reset_keeps_allocation),
        cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_buf_printf_empty_result_on_fresh_buffer),
        cmocka_unit_test(test_buf_printf_long_output_grows),
        cmocka_unit_test(test_buf_detach),
        cmocka_unit_test(test_x_helpers),
        cmocka_unit_test(test_arena_zeroed_and_aligned),
        cmocka_unit_test(test_arena_allocations_do_not_overlap),
        cmocka_unit_test(test_arena_large_allocations),
        cmocka_unit_test(test_arena_zero_size),
        cmocka_unit_test(test_arena_strdup),
        cmocka_unit_test(test_arena_free_twice_and_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
