/* Unit tests for diag: `codex-mock: FILE:LINE:COL: message` and did-you-mean suggestions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "buf.h"
#include "diag.h"
#include "yread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void assert_format(const diag *d, const char *expected) {
    char *s = diag_format(d);
    assert_string_equal(s, expected);
    free(s);
}

static void test_init(void **state) {
    (void)state;
    diag d;
    diag_init(&d);
    assert_null(d.file);
    assert_null(d.msg);
    assert_int_equal(d.line, 0);
    assert_int_equal(d.col, 0);
    diag_free(&d); /* freeing an empty diag is fine */
    assert_format(&d, "codex-mock: unknown error");
}

static void test_format_with_position(void **state) {
    (void)state;
    diag d;
    diag_init(&d);
    diag_set(&d, "scenarios/x.yaml", 12, 5, "unknown key '%s'", "mesage");
    assert_string_equal(d.file, "scenarios/x.yaml");
    assert_int_equal(d.line, 12);
    assert_int_equal(d.col, 5);
    assert_string_equal(d.msg, "unknown key 'mesage'");
    assert_format(&d, "codex-mock: scenarios/x.yaml:12:5: unknown key 'mesage'");
    diag_free(&d);
    assert_null(d.file);
    assert_null(d.msg);
}

static void test_format_without_file(void **state) {
    (void)state;
    diag d;
    diag_init(&d);
    /* a position without a file is not printed */
    diag_set(&d, NULL, 3, 4, "CODEX_MOCK_SPEED must be a number");
    assert_null(d.file);
    assert_format(&d, "codex-mock: CODEX_MOCK_SPEED must be a number");
    diag_free(&d);
}

static void test_format_file_without_line(void **state) {
    (void)state;
    diag d;
    diag_init(&d);
    diag_set(&d, "rules.yaml", 0, 0, "cannot open: %s", "No such file or directory");
    assert_format(&d, "codex-mock: rules.yaml: cannot open: No such file or directory");
    diag_free(&d);
}

static void test_format_line_without_col(void **state) {
    (void)state;
    diag d;
    diag_init(&d);
    diag_set(&d, "a.yaml", 7, 0, "bad");
    assert_format(&d, "codex-mock: a.yaml:7:1: bad"); /* columns are 1-based */
    diag_free(&d);
}

static void test_set_replaces_and_copies(void **state) {
    (void)state;
    diag d;
    diag_init(&d);
    char file[] = "first.yaml";
    diag_set(&d, file, 1, 1, "first");
    strcpy(file, "XXXXX.yaml"); /* the diag owns a copy */
    assert_format(&d, "codex-mock: first.yaml:1:1: first");
    diag_set(&d, NULL, 0, 0, "second %d%%", 50); /* replacing frees the first (ASan checks) */
    assert_format(&d, "codex-mock: second 50%");
    diag_free(&d);
}

static void test_message_is_not_a_format(void **state) {
    (void)state;
    diag d;
    diag_init(&d);
    diag_set(&d, "f%s.yaml", 2, 3, "%s", "100% %s literal");
    assert_format(&d, "codex-mock: f%s.yaml:2:3: 100% %s literal");
    diag_free(&d);
}

static void test_long_message(void **state) {
    (void)state;
    char big[3000];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    diag d;
    diag_init(&d);
    diag_set(&d, "f", 1, 2, "%s", big);
    char *s = diag_format(&d);
    assert_int_equal(strlen(s), strlen("codex-mock: f:1:2: ") + sizeof big - 1);
    free(s);
    diag_free(&d);
}

static void test_print(void **state) {
    (void)state;
    diag d;
    diag_init(&d);
    diag_set(&d, "s.yaml", 4, 9, "oops");
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    assert_non_null(f);
    diag_print(&d, f);
    fclose(f);
    assert_string_equal(mem, "codex-mock: s.yaml:4:9: oops\n");
    free(mem);
    diag_free(&d);
}

static const char *const STEP_KEYS[] = {"message",       "reasoning",  "command",   "file_change",
                                        "mcp_tool_call", "web_search", "todo_list", "usage",
                                        "reconnect",     "fail",       "after",     NULL};

static const char *dym(const char *word) {
    return did_you_mean(word, strlen(word), STEP_KEYS);
}

static void test_did_you_mean_near_misses(void **state) {
    (void)state;
    assert_string_equal(dym("mesage"), "message");   /* deletion */
    assert_string_equal(dym("messages"), "message"); /* insertion */
    assert_string_equal(dym("massage"), "message");  /* substitution */
    assert_string_equal(dym("comand"), "command");
    assert_string_equal(dym("reasnoing"), "reasoning"); /* transposition = 2 edits */
    assert_string_equal(dym("file-change"), "file_change");
    assert_string_equal(dym("web_serch"), "web_search");
    assert_string_equal(dym("usgae"), "usage");
    assert_string_equal(dym("Fail"), "fail"); /* case differs: one edit */
    assert_string_equal(dym("aftr"), "after");
}

static void test_did_you_mean_third_of_word(void **state) {
    (void)state;
    /* 3 edits are accepted for words of 9+ characters (≤ a third of the word) */
    assert_string_equal(dym("mcp_tol_cal"), "mcp_tool_call"); /* 2 edits */
    assert_string_equal(dym("mcptoolcal"), "mcp_tool_call");  /* 3 edits, 10 chars */
    assert_null(dym("mcpool"));                               /* 7 edits away from anything */
}

static void test_did_you_mean_far_ones(void **state) {
    (void)state;
    assert_null(dym("banana"));
    assert_null(dym("xyzzy_plugh"));
    assert_null(dym("completely_different"));
    assert_null(dym("commando_unit")); /* too many edits for its length */
}

static void test_did_you_mean_exact_match_is_null(void **state) {
    (void)state;
    assert_null(dym("message"));
    assert_null(dym("fail"));
    /* even when another candidate is also close */
    const char *const cands[] = {"fail", "fails", "file", NULL};
    assert_null(did_you_mean("fail", 4, cands));
}

static void test_did_you_mean_uses_len(void **state) {
    (void)state;
    /* the word is a (ptr, len) slice, not a C string */
    assert_string_equal(did_you_mean("mesageXXXXXX", 6, STEP_KEYS), "message");
    assert_null(did_you_mean("messageXXXX", 7, STEP_KEYS)); /* exact once sliced */
}

static void test_did_you_mean_picks_closest(void **state) {
    (void)state;
    const char *const cands[] = {"abcdef", "abcxyz", "abcdxf", NULL};
    assert_string_equal(did_you_mean("abcdeg", 6, cands), "abcdef"); /* 1 vs 3 vs 2 */
    const char *const cands2[] = {"stop", "step", NULL};
    /* ties go to the first candidate listed */
    assert_string_equal(did_you_mean("stap", 4, cands2), "stop");
}

static void test_did_you_mean_empty_inputs(void **state) {
    (void)state;
    const char *const none[] = {NULL};
    assert_null(did_you_mean("message", 7, none));
    const char *const cands[] = {"ab", NULL};
    /* the empty word is two edits from "ab" */
    assert_string_equal(did_you_mean("", 0, cands), "ab");
    const char *const far[] = {"abc", NULL};
    assert_null(did_you_mean("", 0, far));
}

static void test_did_you_mean_long_words(void **state) {
    (void)state;
    /* very long words do not crash and do not produce a suggestion out of nothing */
    char word[200];
    memset(word, 'a', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    const char *const cands[] = {"aaaa", "message", NULL};
    assert_null(did_you_mean(word, strlen(word), cands));
    const char *const cands2[] = {word, NULL};
    assert_null(did_you_mean("aaa", 3, cands2));
}

/* ynode_fail: the one "fail at FILE:LINE:COL" — the node's position, -1, and an elided long
 * message exactly as diag_set would make it. */
static void test_ynode_fail(void **state) {
    (void)state;
    diag d;
    diag_init(&d);
    ynode n = {.kind = YN_SCALAR, .line = 7, .col = 12};
    assert_int_equal(ynode_fail(&d, "s.yaml", &n, "unknown key '%s'", "comand"), -1);
    assert_format(&d, "codex-mock: s.yaml:7:12: unknown key 'comand'");
    assert_int_equal(ynode_fail(&d, "s.yaml", NULL, "%d steps", 3), -1);
    assert_format(&d, "codex-mock: s.yaml: 3 steps");
    char big[6000];
    memset(big, 'v', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    diag e;
    diag_init(&e);
    ynode_fail(&d, "s.yaml", &n, "bad value %s", big);
    diag_set(&e, "s.yaml", 7, 12, "bad value %s", big);
    assert_string_equal(d.msg, e.msg);
    assert_non_null(strstr(d.msg, "bytes left out"));
    diag_free(&e);
    diag_free(&d);
}

/* xvasprintf: printf into a fresh string, also when the result outgrows the first guess. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    char *s = xvasprintf(f, ap);
    va_end(ap);
    return s;
}

static void test_xvasprintf(void **state) {
    (void)state;
    char *s = fmt("%s", "");
    assert_string_equal(s, "");
    free(s);
    s = fmt("%d-%s", 42, "x");
    assert_string_equal(s, "42-x");
    free(s);
    s = fmt("%0300d", 7);
    assert_int_equal(strlen(s), 300);
    assert_int_equal(s[299], '7');
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_format_with_position),
        cmocka_unit_test(test_format_without_file),
        cmocka_unit_test(test_format_file_without_line),
        cmocka_unit_test(test_format_line_without_col),
        cmocka_unit_test(test_set_replaces_and_copies),
        cmocka_unit_test(test_message_is_not_a_format),
        cmocka_unit_test(test_long_message),
        cmocka_unit_test(test_print),
        cmocka_unit_test(test_ynode_fail),
        cmocka_unit_test(test_xvasprintf),
        cmocka_unit_test(test_did_you_mean_near_misses),
        cmocka_unit_test(test_did_you_mean_third_of_word),
        cmocka_unit_test(test_did_you_mean_far_ones),
        cmocka_unit_test(test_did_you_mean_exact_match_is_null),
        cmocka_unit_test(test_did_you_mean_uses_len),
        cmocka_unit_test(test_did_you_mean_picks_closest),
        cmocka_unit_test(test_did_you_mean_empty_inputs),
        cmocka_unit_test(test_did_you_mean_long_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
