/* Unit tests for src/yread.c: scalar typing by the YAML 1.2 core schema, node trees with their
 * positions, anchors and aliases (and the alias budget), the nesting limit, and the exact text
 * and position of every kind of error (syntax, reader, expectation, unreadable file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "yread.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads the one document of `text` as a node tree (stream and document start consumed). */
static int read_doc(yread *r, diag *d, const char *text, size_t len, ynode **out) {
    diag_init(d);
    assert_int_equal(yread_open_mem(r, "t.yaml", text, len, d), 0);
    if (yread_expect(r, YAML_STREAM_START_EVENT, "a stream") < 0) return -1;
    if (yread_expect(r, YAML_DOCUMENT_START_EVENT, "a document") < 0) return -1;
    return yread_node(r, out);
}

/* The error as diag_print writes it: `codex-mock: FILE:LINE:COL: message`. */
static void assert_diag(const diag *d, const char *want) {
    char *got = diag_format(d);
    assert_string_equal(got, want);
    free(got);
}

static const ynode *value_of(const ynode *map, const char *key) {
    assert_int_equal(map->kind, YN_MAPPING);
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (strcmp(map->items[i]->value, key) == 0) return map->items[i + 1];
    fail_msg("no key %s", key);
    return NULL;
}

static void test_scalars_typed_by_core_schema(void **state) {
    (void)state;
    static const char text[] = "null1: ~\n"
                               "null2: null\n"
                               "null3:\n"
                               "t: true\n"
                               "f: FALSE\n"
                               "yes: yes\n"
                               "dec: -42\n"
                               "hex: 0x1f\n"
                               "oct: 0o17\n"
                               "neghex: -0x1\n"
                               "big: 9223372036854775808\n"
                               "flt: 1.5e3\n"
                               "dot: .5\n"
                               "inf: -.inf\n"
                               "nan: .NaN\n"
                               "quoted: \"12\"\n"
                               "single: 'true'\n"
                               "tagged: !!str 5\n"
                               "forced: !!int \"0x10\"\n"
                               "badforced: !!int \"ten\"\n"
                               "word: 12abc\n";
    yread r;
    diag d;
    ynode *n;
    assert_int_equal(read_doc(&r, &d, text, sizeof text - 1, &n), 0);
    assert_int_equal(n->n, 2 * 21);
    assert_int_equal(value_of(n, "null1")->type, YS_NULL);
    assert_int_equal(value_of(n, "null2")->type, YS_NULL);
    assert_int_equal(value_of(n, "null3")->type, YS_NULL);
    assert_int_equal(value_of(n, "t")->type, YS_BOOL);
    assert_true(value_of(n, "t")->b);
    assert_int_equal(value_of(n, "f")->type, YS_BOOL);
    assert_false(value_of(n, "f")->b);
    assert_int_equal(value_of(n, "yes")->type, YS_STR); /* YAML 1.2: not a boolean */
    assert_int_equal(value_of(n, "dec")->type, YS_INT);
    assert_int_equal(value_of(n, "dec")->i, -42);
    assert_int_equal(value_of(n, "hex")->i, 31);
    assert_int_equal(value_of(n, "hex")->type, YS_INT);
    assert_int_equal(value_of(n, "oct")->i, 15);
    assert_int_equal(value_of(n, "neghex")->type, YS_STR);
    /* One past INT64_MAX is no int; it still reads as a number. */
    assert_int_equal(value_of(n, "big")->type, YS_FLOAT);
    assert_int_equal(value_of(n, "flt")->type, YS_FLOAT);
    assert_true(value_of(n, "flt")->d == 1500.0);
    assert_true(value_of(n, "dot")->d == 0.5);
    assert_true(isinf(value_of(n, "inf")->d) && value_of(n, "inf")->d < 0);
    assert_true(isnan(value_of(n, "nan")->d));
    assert_int_equal(value_of(n, "quoted")->type, YS_STR);
    assert_string_equal(value_of(n, "quoted")->value, "12");
    assert_int_equal(value_of(n, "single")->type, YS_STR);
    assert_int_equal(value_of(n, "tagged")->type, YS_STR);
    assert_int_equal(value_of(n, "forced")->type, YS_INT);
    assert_int_equal(value_of(n, "forced")->i, 16);
    assert_int_equal(value_of(n, "badforced")->type, YS_STR);
    assert_int_equal(value_of(n, "word")->type, YS_STR);
    assert_string_equal(ynode_kind_name(value_of(n, "dec")), "an integer");
    assert_string_equal(ynode_kind_name(value_of(n, "flt")), "a number");
    assert_string_equal(ynode_kind_name(value_of(n, "word")), "a string");
    assert_string_equal(ynode_kind_name(value_of(n, "t")), "a boolean");
    assert_string_equal(ynode_kind_name(value_of(n, "null1")), "null");
    yread_close(&r);
    diag_free(&d);
}

static void test_tree_and_positions(void **state) {
    (void)state;
    static const char text[] = "steps:\n"
                               "  - message: hi\n"
                               "    after: 20ms\n"
                               "  - [a, \"b\\0c\"]\n";
    yread r;
    diag d;
    ynode *n;
    assert_int_equal(read_doc(&r, &d, text, sizeof text - 1, &n), 0);
    assert_int_equal(n->kind, YN_MAPPING);
    assert_int_equal(n->line, 1);
    assert_int_equal(n->col, 1);
    const ynode *steps = value_of(n, "steps");
    assert_int_equal(steps->kind, YN_SEQUENCE);
    assert_string_equal(ynode_kind_name(steps), "a list");
    assert_int_equal(steps->n, 2);
    assert_int_equal(steps->line, 2);
    assert_int_equal(steps->col, 3);
    const ynode *first = steps->items[0];
    assert_string_equal(ynode_kind_name(first), "a mapping");
    assert_int_equal(first->n, 4);
    assert_int_equal(first->line, 2);
    assert_int_equal(first->col, 5);
    const ynode *after = value_of(first, "after");
    assert_int_equal(after->line, 3);
    assert_int_equal(after->col, 12);
    assert_string_equal(after->value, "20ms");
    const ynode *pair = steps->items[1];
    assert_int_equal(pair->line, 4);
    assert_int_equal(pair->col, 5);
    assert_int_equal(pair->items[1]->col, 9);
    /* An escaped NUL stays inside the value: len is authoritative. */
    assert_int_equal(pair->items[1]->len, 3);
    assert_memory_equal(pair->items[1]->value, "b\0c", 3);
    /* 1 mapping + key + list + (mapping + 4 scalars) + (list + 2 scalars) */
    assert_int_equal(n->weight, 11);
    yread_close(&r);
    diag_free(&d);
}

static void test_alias_is_the_anchored_tree(void **state) {
    (void)state;
    static const char text[] = "a: &x {k: [1, 2]}\nb: *x\n";
    yread r;
    diag d;
    ynode *n;
    assert_int_equal(read_doc(&r, &d, text, sizeof text - 1, &n), 0);
    const ynode *a = value_of(n, "a"), *b = value_of(n, "b");
    assert_ptr_equal(a, b); /* the kept copy, shared */
    const ynode *k = value_of(b, "k");
    assert_int_equal(k->n, 2);
    assert_int_equal(k->items[1]->i, 2);
    /* Reset the scratch arena: the anchored tree lives on in the reader's second arena. */
    yread_scratch_reset(&r);
    assert_int_equal(value_of(b, "k")->items[0]->i, 1);
    yread_close(&r);
    diag_free(&d);
}

static void test_unknown_alias_error(void **state) {
    (void)state;
    static const char text[] = "a: 1\nb: *nope\n";
    yread r;
    diag d;
    ynode *n;
    assert_int_equal(read_doc(&r, &d, text, sizeof text - 1, &n), -1);
    assert_diag(&d, "codex-mock: t.yaml:2:4: unknown alias *nope");
    yread_close(&r);
    diag_free(&d);
}

/* Nine levels of ten aliases each: 10^9 nodes through aliases from a few hundred bytes. */
static void test_billion_laughs_stopped(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_printf(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i <= 9; i++)
        buf_printf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                   i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    yread r;
    diag d;
    ynode *n;
    assert_int_equal(read_doc(&r, &d, b.data, b.len, &n), -1);
    /* aK weighs (10^(K+2) - 1) / 9 nodes; a1..a4 spend 123,440 of the budget, a5's first
     * seven *a4 (111,111 each) another 777,777, and the eighth (line 6, column 45) is over. */
    assert_diag(&d, "codex-mock: t.yaml:6:45: alias *a4 expands to too many nodes (more than "
                    "1000000 through aliases; a billion-laughs file?)");
    yread_close(&r);
    diag_free(&d);
    buf_free(&b);
}

static void test_nesting_limit(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    for (int i = 0; i < 202; i++)
        buf_append(&b, "[", 1);
    for (int i = 0; i < 202; i++)
        buf_append(&b, "]", 1);
    yread r;
    diag d;
    ynode *n;
    assert_int_equal(read_doc(&r, &d, b.data, b.len, &n), -1);
    /* Depth 0 is the outer list at column 1; depth 201 starts at column 202. */
    assert_diag(&d, "codex-mock: t.yaml:1:202: nesting deeper than 200 levels");
    yread_close(&r);
    diag_free(&d);
    buf_free(&b);
    /* 201 levels (depth 200) still read. */
    buf_init(&b);
    for (int i = 0; i < 201; i++)
        buf_append(&b, "[", 1);
    for (int i = 0; i < 201; i++)
        buf_append(&b, "]", 1);
    assert_int_equal(read_doc(&r, &d, b.data, b.len, &n), 0);
    yread_close(&r);
    diag_free(&d);
    buf_free(&b);
}

static void test_syntax_error_with_context(void **state) {
    (void)state;
    static const char text[] = "steps:\n  - message: [1, 2\n  - other: x\n";
    yread r;
    diag d;
    ynode *n;
    assert_int_equal(read_doc(&r, &d, text, sizeof text - 1, &n), -1);
    assert_diag(&d, "codex-mock: t.yaml:3:10: YAML syntax error: did not find expected ',' or "
                    "']' while parsing a flow sequence (line 2)");
    yread_close(&r);
    diag_free(&d);
}

/* A reader error (bad UTF-8) has only a byte offset: the line and column are counted. */
static void test_reader_error_position(void **state) {
    (void)state;
    static const char text[] = "a: 1\nbb: x\xff\n";
    yread r;
    diag d;
    ynode *n;
    assert_int_equal(read_doc(&r, &d, text, sizeof text - 1, &n), -1);
    assert_diag(&d, "codex-mock: t.yaml:2:6: YAML syntax error: invalid leading UTF-8 octet (at "
                    "byte 10)");
    yread_close(&r);
    diag_free(&d);
}

static void test_expect_names_what_it_found(void **state) {
    (void)state;
    static const char text[] = "\n  - 1\n";
    yread r;
    diag d;
    diag_init(&d);
    assert_int_equal(yread_open_mem(&r, "t.yaml", text, sizeof text - 1, &d), 0);
    assert_int_equal(yread_expect(&r, YAML_STREAM_START_EVENT, "a stream"), 0);
    assert_int_equal(yread_expect(&r, YAML_DOCUMENT_START_EVENT, "a document"), 0);
    const yaml_event_t *ev;
    assert_int_equal(yread_peek(&r, &ev), 0);
    assert_int_equal(ev->type, YAML_SEQUENCE_START_EVENT);
    assert_int_equal(yread_expect(&r, YAML_MAPPING_START_EVENT, "a mapping of settings"), -1);
    assert_diag(&d, "codex-mock: t.yaml:2:3: expected a mapping of settings, found a list");
    yread_close(&r);
    diag_free(&d);
}

static char *temp_file(const char *data, size_t len) {
    char *path = strdup("/tmp/test-yread-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

static void test_open_errors(void **state) {
    (void)state;
    yread r;
    diag d;
    diag_init(&d);
    assert_int_equal(yread_open(&r, "/nonexistent/x.yaml", &d), -1);
    assert_diag(&d, "codex-mock: /nonexistent/x.yaml: cannot read scenario file: No such file or "
                    "directory");
    yread_close(&r);
    diag_free(&d);
    diag_init(&d);
    assert_int_equal(yread_open(&r, "/tmp", &d), -1);
    assert_diag(&d, "codex-mock: /tmp: cannot read scenario file: it is a directory");
    yread_close(&r);
    diag_free(&d);
    diag_init(&d);
    assert_int_equal(yread_open(&r, "/dev/null", &d), -1);
    assert_diag(&d, "codex-mock: /dev/null: cannot read scenario file: not a regular file");
    yread_close(&r);
    diag_free(&d);
}

/* A small file is read whole, a big one through stdio: both give the same nodes, and a reader
 * error in the big one is placed by reading the file again (pread). */
static void test_small_and_big_files(void **state) {
    (void)state;
    static const char small[] = "k: [1, 2]\n";
    char *p = temp_file(small, sizeof small - 1);
    yread r;
    diag d;
    diag_init(&d);
    assert_int_equal(yread_open(&r, p, &d), 0);
    assert_non_null(r.owned);
    assert_null(r.fp);
    ynode *n;
    assert_int_equal(yread_expect(&r, YAML_STREAM_START_EVENT, "a stream"), 0);
    assert_int_equal(yread_expect(&r, YAML_DOCUMENT_START_EVENT, "a document"), 0);
    assert_int_equal(yread_node(&r, &n), 0);
    assert_int_equal(value_of(n, "k")->items[1]->i, 2);
    yread_close(&r);
    diag_free(&d);
    unlink(p);
    free(p);

    buf b;
    buf_init(&b);
    buf_printf(&b, "k:\n");
    while (b.len <= YREAD_SLURP_MAX)
        buf_printf(&b, "  - 1234567890123456789012345678901234567890\n"); /* 45 bytes */
    size_t lines = 1 + (b.len - 3) / 45;
    buf_printf(&b, "  - ab\x01\n");
    p = temp_file(b.data, b.len);
    diag_init(&d);
    assert_int_equal(yread_open(&r, p, &d), 0);
    assert_null(r.owned);
    assert_non_null(r.fp);
    assert_int_equal(yread_expect(&r, YAML_STREAM_START_EVENT, "a stream"), 0);
    assert_int_equal(yread_expect(&r, YAML_DOCUMENT_START_EVENT, "a document"), 0);
    assert_int_equal(yread_node(&r, &n), -1);
    char want[256];
    snprintf(want, sizeof want,
             "codex-mock: %s:%zu:7: YAML syntax error: control characters are not allowed (at "
             "byte %zu)",
             p, lines + 1, b.len - 2);
    assert_diag(&d, want);
    yread_close(&r);
    diag_free(&d);
    unlink(p);
    free(p);
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars_typed_by_core_schema),
        cmocka_unit_test(test_tree_and_positions),
        cmocka_unit_test(test_alias_is_the_anchored_tree),
        cmocka_unit_test(test_unknown_alias_error),
        cmocka_unit_test(test_billion_laughs_stopped),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_syntax_error_with_context),
        cmocka_unit_test(test_reader_error_position),
        cmocka_unit_test(test_expect_names_what_it_found),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_small_and_big_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
