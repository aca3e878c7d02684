/* Unit tests for prompt: the positional PROMPT, `-`, piped stdin
 * (docs/behaviour.md#prompt-and-stdin, docs/behaviour.md#command-line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "prompt.h"

#include <stdlib.h>
#include <string.h>

static const char NO_PROMPT[] =
    "No prompt provided. Either specify one as an argument or pipe the prompt into stdin.";
static const char NO_PROMPT_STDIN[] = "No prompt provided via stdin.";
static const char ADDITIONAL[] = "Reading additional input from stdin...";
static const char FROM_STDIN[] = "Reading prompt from stdin...";
static const char REVIEW_NO_TARGET[] =
    "Error: Specify --uncommitted, --base, --commit, or provide custom review instructions";
static const char REVIEW_EMPTY[] = "Error: Review prompt cannot be empty";

static invocation inv_of(cli_command cmd, const char *prompt) {
    invocation inv;
    memset(&inv, 0, sizeof inv);
    inv.cmd = cmd;
    inv.prompt = prompt;
    return inv;
}

/* Runs both steps with `in` as everything stdin held; returns the prompt or NULL (*error set).
 * Fails the test if stdin is handed over without the plan asking for it. */
static char *resolve(const invocation *inv, bool tty, const char *in, size_t len,
                     prompt_plan *plan_out, const char **error) {
    prompt_plan p = prompt_decide(inv, tty);
    if (plan_out) *plan_out = p;
    if (p.error) {
        *error = p.error;
        return NULL;
    }
    if (!p.read_stdin) {
        in = "";
        len = 0;
    }
    return prompt_finish(inv, &p, in, len, error);
}

static void expect_prompt(const invocation *inv, bool tty, const char *in, const char *expected) {
    const char *error = "unset";
    char *got = resolve(inv, tty, in, strlen(in), NULL, &error);
    if (!got) fail_msg("expected a prompt, got error: %s", error ? error : "(null)");
    assert_null(error);
    assert_string_equal(got, expected);
    free(got);
}

static void expect_error(const invocation *inv, bool tty, const char *in, const char *expected) {
    const char *error = NULL;
    char *got = resolve(inv, tty, in, strlen(in), NULL, &error);
    if (got) fail_msg("expected error '%s', got prompt '%s'", expected, got);
    assert_non_null(error);
    assert_string_equal(error, expected);
}

/* ---- positional PROMPT ---- */

static void test_prompt_with_tty(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC, "fix the tests");
    prompt_plan p = prompt_decide(&inv, true);
    assert_false(p.read_stdin);
    assert_null(p.notice);
    assert_null(p.error);
    expect_prompt(&inv, true, "ignored", "fix the tests");
}

static void test_prompt_with_piped_stdin(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC, "PROMPT");
    prompt_plan p = prompt_decide(&inv, false);
    assert_true(p.read_stdin);
    assert_non_null(p.notice);
    assert_string_equal(p.notice, ADDITIONAL);
    assert_null(p.error);
    /* a newline is added only when stdin did not end with one */
    expect_prompt(&inv, false, "TEXT", "PROMPT\n\n<stdin>\nTEXT\n</stdin>");
    expect_prompt(&inv, false, "TEXT\n", "PROMPT\n\n<stdin>\nTEXT\n</stdin>");
    expect_prompt(&inv, false, "TEXT\n\n", "PROMPT\n\n<stdin>\nTEXT\n\n</stdin>");
    expect_prompt(&inv, false, "a\nb", "PROMPT\n\n<stdin>\na\nb\n</stdin>");
    /* stdin text is kept verbatim, leading whitespace included */
    expect_prompt(&inv, false, "  x  ", "PROMPT\n\n<stdin>\n  x  \n</stdin>");
    expect_prompt(&inv, false, "\r\nx\r\n", "PROMPT\n\n<stdin>\n\r\nx\r\n</stdin>");
}

static void test_prompt_with_blank_stdin(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC, "PROMPT");
    /* /dev/null or whitespace only: the prompt alone, and the notice was still printed */
    prompt_plan p = prompt_decide(&inv, false);
    assert_string_equal(p.notice, ADDITIONAL);
    expect_prompt(&inv, false, "", "PROMPT");
    expect_prompt(&inv, false, "\n", "PROMPT");
    expect_prompt(&inv, false, " \t\r\n ", "PROMPT");
    /* Rust's trim: vertical tab, form feed, NBSP, NEL, U+2028, ideographic space, … */
    expect_prompt(&inv, false, "\v\f", "PROMPT");
    expect_prompt(&inv, false, "\xc2\xa0\xc2\x85\n", "PROMPT");
    expect_prompt(&inv, false, "\xe2\x80\xa8\xe2\x80\xa9\xe3\x80\x80\xe2\x80\x8a", "PROMPT");
    expect_prompt(&inv, false, "\xe1\x9a\x80\xe2\x80\xaf\xe2\x81\x9f", "PROMPT");
    /* a lone BOM decodes to nothing */
    expect_prompt(&inv, false, "\xef\xbb\xbf\n", "PROMPT");
}

static void test_prompt_stdin_not_blank(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC, "P");
    /* zero-width space (U+200B) and BOM-like bytes in the middle are not whitespace */
    expect_prompt(&inv, false, "\xe2\x80\x8b", "P\n\n<stdin>\n\xe2\x80\x8b\n</stdin>");
    expect_prompt(&inv, false, "\x01", "P\n\n<stdin>\n\x01\n</stdin>");
    expect_prompt(&inv, false, "\n.\n", "P\n\n<stdin>\n\n.\n</stdin>");
}

static void test_prompt_stdin_bom_dropped(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC, "P");
    expect_prompt(&inv, false, "\xef\xbb\xbfhello", "P\n\n<stdin>\nhello\n</stdin>");
    invocation dash = inv_of(CMD_EXEC, "-");
    expect_prompt(&dash, false, "\xef\xbb\xbfhello\n", "hello\n");
    /* only a leading BOM */
    expect_prompt(&dash, false, "a\xef\xbb\xbf", "a\xef\xbb\xbf");
}

static void test_prompt_stdin_with_nul(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC, "P");
    const char *error = "unset";
    prompt_plan p;
    char *got = resolve(&inv, false, "a\0b", 3, &p, &error);
    assert_non_null(got);
    const char expected[] = "P\n\n<stdin>\na\0b\n</stdin>";
    assert_memory_equal(got, expected, sizeof expected);
    free(got);
}

/* ---- PROMPT = "-" ---- */

static void test_dash_reads_stdin_verbatim(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC, "-");
    for (int tty = 0; tty <= 1; tty++) {
        prompt_plan p = prompt_decide(&inv, tty);
        assert_true(p.read_stdin);
        assert_null(p.notice); /* no notice for `-` */
        assert_null(p.error);
        expect_prompt(&inv, tty, "do it\n", "do it\n"); /* trailing newline kept */
        expect_prompt(&inv, tty, "  spaced  ", "  spaced  ");
    }
}

static void test_dash_blank_stdin(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC, "-");
    expect_error(&inv, false, "", NO_PROMPT_STDIN);
    expect_error(&inv, false, "\n\n", NO_PROMPT_STDIN);
    expect_error(&inv, true, " \t", NO_PROMPT_STDIN);
    expect_error(&inv, false, "\xef\xbb\xbf", NO_PROMPT_STDIN);
}

/* ---- no PROMPT ---- */

static void test_no_prompt_tty_is_error(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC, NULL);
    prompt_plan p = prompt_decide(&inv, true);
    assert_false(p.read_stdin); /* the error comes before reading */
    assert_null(p.notice);
    assert_non_null(p.error);
    assert_string_equal(p.error, NO_PROMPT);
}

static void test_no_prompt_piped(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC, NULL);
    prompt_plan p = prompt_decide(&inv, false);
    assert_true(p.read_stdin);
    assert_string_equal(p.notice, FROM_STDIN);
    assert_null(p.error);
    expect_prompt(&inv, false, "from pipe\n", "from pipe\n");
    expect_prompt(&inv, false, "x", "x");
    expect_error(&inv, false, "", NO_PROMPT_STDIN);
    expect_error(&inv, false, "  \n", NO_PROMPT_STDIN);
}

static void test_empty_prompt_argument(void **state) {
    (void)state;
    /* `codex exec ""` is a prompt (empty), not "no prompt" */
    invocation inv = inv_of(CMD_EXEC, "");
    prompt_plan p = prompt_decide(&inv, true);
    assert_null(p.error);
    assert_false(p.read_stdin);
    expect_prompt(&inv, true, "", "");
    expect_prompt(&inv, false, "in", "\n\n<stdin>\nin\n</stdin>");
}

/* ---- resume / fork / review ---- */

static void test_resume_with_prompt_never_reads(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC_RESUME, "continue");
    for (int tty = 0; tty <= 1; tty++) {
        prompt_plan p = prompt_decide(&inv, tty);
        assert_false(p.read_stdin);
        assert_null(p.notice);
        assert_null(p.error);
        expect_prompt(&inv, tty, "piped stuff", "continue");
    }
}

static void test_resume_without_prompt(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC_RESUME, NULL);
    /* as "no PROMPT": error on a tty, read the prompt from a pipe */
    prompt_plan p = prompt_decide(&inv, true);
    assert_string_equal(p.error, NO_PROMPT);
    p = prompt_decide(&inv, false);
    assert_true(p.read_stdin);
    assert_string_equal(p.notice, FROM_STDIN);
    expect_prompt(&inv, false, "next step\n", "next step\n");
    expect_error(&inv, false, "\n", NO_PROMPT_STDIN);
}

static void test_resume_dash(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC_RESUME, "-");
    prompt_plan p = prompt_decide(&inv, false);
    assert_true(p.read_stdin);
    assert_null(p.notice);
    expect_prompt(&inv, false, "go", "go");
}

static void test_fork_with_prompt_never_reads(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC_FORK, "try another way");
    for (int tty = 0; tty <= 1; tty++) {
        prompt_plan p = prompt_decide(&inv, tty);
        assert_false(p.read_stdin);
        assert_null(p.notice);
        assert_null(p.error);
        expect_prompt(&inv, tty, "piped", "try another way");
    }
}

static void test_fork_without_prompt_reads_nothing(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC_FORK, NULL);
    for (int tty = 0; tty <= 1; tty++) {
        prompt_plan p = prompt_decide(&inv, tty);
        assert_false(p.read_stdin);
        assert_null(p.notice);
        assert_null(p.error); /* not the "No prompt provided" error: no turn at all */
        const char *error = "unset";
        char *got = prompt_finish(&inv, &p, "", 0, &error);
        assert_non_null(got);
        assert_null(error);
        assert_string_equal(got, "");
        free(got);
    }
}

static void test_review_with_prompt_never_reads(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC_REVIEW, "check error handling");
    for (int tty = 0; tty <= 1; tty++) {
        prompt_plan p = prompt_decide(&inv, tty);
        assert_false(p.read_stdin);
        assert_null(p.notice);
        assert_null(p.error);
        expect_prompt(&inv, tty, "piped", "check error handling");
    }
    /* custom review instructions are trimmed */
    invocation padded = inv_of(CMD_EXEC_REVIEW, "  look at x \n");
    expect_prompt(&padded, false, "piped", "look at x");
}

static void test_review_with_target_reads_nothing(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC_REVIEW, NULL);
    inv.uncommitted = true;
    for (int tty = 0; tty <= 1; tty++) {
        prompt_plan p = prompt_decide(&inv, tty);
        assert_false(p.read_stdin);
        assert_null(p.notice);
        assert_null(p.error);
    }
    inv.uncommitted = false;
    inv.base = "main";
    assert_null(prompt_decide(&inv, false).error);
    assert_false(prompt_decide(&inv, false).read_stdin);
    inv.base = NULL;
    inv.commit = "abc123";
    assert_null(prompt_decide(&inv, true).error);
    assert_false(prompt_decide(&inv, true).read_stdin);
}

static void test_review_without_target_or_prompt(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC_REVIEW, NULL);
    for (int tty = 0; tty <= 1; tty++) {
        prompt_plan p = prompt_decide(&inv, tty);
        assert_false(p.read_stdin); /* piped stdin is not taken as the review prompt */
        assert_null(p.notice);
        assert_non_null(p.error);
        assert_string_equal(p.error, REVIEW_NO_TARGET);
    }
}

static void test_review_blank_prompt(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC_REVIEW, "");
    expect_error(&inv, true, "", REVIEW_EMPTY);
    invocation ws = inv_of(CMD_EXEC_REVIEW, " \n\t");
    expect_error(&ws, false, "piped", REVIEW_EMPTY);
    assert_false(prompt_decide(&ws, false).read_stdin);
}

static void test_review_dash(void **state) {
    (void)state;
    invocation inv = inv_of(CMD_EXEC_REVIEW, "-");
    prompt_plan p = prompt_decide(&inv, false);
    assert_true(p.read_stdin);
    assert_null(p.notice);
    expect_prompt(&inv, false, "  review the parser\n", "review the parser");
    expect_error(&inv, false, "\n", NO_PROMPT_STDIN);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prompt_with_tty),
        cmocka_unit_test(test_prompt_with_piped_stdin),
        cmocka_unit_test(test_prompt_with_blank_stdin),
        cmocka_unit_test(test_prompt_stdin_not_blank),
        cmocka_unit_test(test_prompt_stdin_bom_dropped),
        cmocka_unit_test(test_prompt_stdin_with_nul),
        cmocka_unit_test(test_dash_reads_stdin_verbatim),
        cmocka_unit_test(test_dash_blank_stdin),
        cmocka_unit_test(test_no_prompt_tty_is_error),
        cmocka_unit_test(test_no_prompt_piped),
        cmocka_unit_test(test_empty_prompt_argument),
        cmocka_unit_test(test_resume_with_prompt_never_reads),
        cmocka_unit_test(test_resume_without_prompt),
        cmocka_unit_test(test_resume_dash),
        cmocka_unit_test(test_fork_with_prompt_never_reads),
        cmocka_unit_test(test_fork_without_prompt_reads_nothing),
        cmocka_unit_test(test_review_with_prompt_never_reads),
        cmocka_unit_test(test_review_with_target_reads_nothing),
        cmocka_unit_test(test_review_without_target_or_prompt),
        cmocka_unit_test(test_review_blank_prompt),
        cmocka_unit_test(test_review_dash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
