/* Unit tests for src/tool_state.c: `codex-mock journal`, `verify` and `reset` over a state
 * directory holding tests/data/tool_state/journal.jsonl (three invocations and a broken line):
 * exact stdout and stderr, exit codes, usage errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "bytediff.h"
#include "tool_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    buf b;
    buf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_append(&b, tmp, n);
    fclose(f);
    return b.data ? buf_detach(&b) : xstrdup("");
}

typedef struct {
    char *dir;
    char *out, *err; /* the last command's stdout and stderr */
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    char tmpl[] = "/tmp/test-tool-state-XXXXXX";
    f->dir = xstrdup(mkdtemp(tmpl));
    char *src = xasprintf("%s/tests/data/tool_state/journal.jsonl", SOURCE_DIR);
    char *text = read_all(src);
    char *dst = xasprintf("%s/journal.jsonl", f->dir);
    FILE *o = fopen(dst, "wb");
    fputs(text, o);
    fclose(o);
    free(src);
    free(text);
    free(dst);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    char *cmd = xasprintf("rm -rf '%s'", f->dir);
    if (system(cmd) != 0) return -1;
    free(cmd);
    free(f->dir);
    free(f->out);
    free(f->err);
    free(f);
    return 0;
}

typedef int (*tool_fn)(int argc, char **argv, const mock_settings *set);

/* No CODEX_MOCK_STATE: the directory comes from --state. */
static const mock_settings NO_SETTINGS;

/* Runs a tool command with `--state DIR` and the given words; keeps its stdout and stderr. */
static int run(fixture *f, tool_fn fn, const char *const *words) {
    char *argv[32] = {"--state", f->dir};
    int argc = 2;
    for (; words && *words; words++)
        argv[argc++] = (char *)*words;
    argv[argc] = NULL;
    char out_path[] = "/tmp/test-tool-state-out-XXXXXX",
         err_path[] = "/tmp/test-tool-state-err-XXXXXX";
    int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    int rc = fn(argc, argv, &NO_SETTINGS);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out), close(saved_err), close(out_fd), close(err_fd);
    free(f->out);
    free(f->err);
    f->out = read_all(out_path);
    f->err = read_all(err_path);
    unlink(out_path);
    unlink(err_path);
    return rc;
}

static void assert_text(const char *what, const char *want, const char *got) {
    if (bytediff_report(stderr, what, want, strlen(want), got, strlen(got)) >= 0)
        fail_msg("%s differs (above)", what);
}

static char *broken_line_note(const fixture *f) {
    return xasprintf("codex-mock: %s/journal.jsonl:2: not a JSON line, skipped\n", f->dir);
}

static void test_journal_as_a_person_reads_it(void **state) {
    fixture *f = *state;
    assert_int_equal(run(f, tool_journal, NULL), 0);
    char *path = xasprintf("%s/tests/data/tool_state/journal.txt", SOURCE_DIR);
    char *want = read_all(path);
    assert_text("journal.txt", want, f->out);
    char *note = broken_line_note(f);
    assert_string_equal(f->err, note);
    free(note);
    free(want);
    free(path);
}

/* --json: each entry as compact JSON, in order, the broken line left out. */
static void test_journal_json(void **state) {
    fixture *f = *state;
    assert_int_equal(run(f, tool_journal, (const char *[]){"--json", NULL}), 0);
    char *path = xasprintf("%s/tests/data/tool_state/journal.jsonl", SOURCE_DIR);
    char *src = read_all(path);
    char *bad = strstr(src, "not json at all\n");
    memmove(bad, bad + 16, strlen(bad + 16) + 1);
    assert_text("journal --json", src, f->out);
    free(src);
    free(path);
    assert_int_equal(run(f, tool_journal, (const char *[]){"--xml", NULL}), 2);
    assert_string_equal(f->out, "");
    assert_string_equal(f->err, "usage: codex-mock journal [--state DIR] [--json]\n");
}

static void test_verify_met(void **state) {
    fixture *f = *state;
    assert_int_equal(
        run(f, tool_verify,
            (const char *[]){"--times", "3", "--prompt", "^fix", "--prompt", "now\\?$", NULL}),
        0);
    assert_string_equal(f->out, "ok: 3 invocations match\n");
    /* --command narrows; `--flag --model=X` matches `--model X` and `--model=X`. */
    assert_int_equal(run(f, tool_verify,
                         (const char *[]){"--command", "exec", "--times", "2", "--flag", "--json",
                                          "--flag", "--model=gpt-5.5", "--in-order", "--prompt",
                                          "tests$", "--prompt", "^fix them", NULL}),
                     0);
    assert_string_equal(f->out, "ok: 2 invocations match\n");
    assert_int_equal(
        run(f, tool_verify, (const char *[]){"--command", "resume", "--max", "1", NULL}), 0);
    assert_string_equal(f->out, "ok: 1 invocation match\n");
}

static void test_verify_not_met_says_what_differs(void **state) {
    fixture *f = *state;
    assert_int_equal(run(f, tool_verify,
                         (const char *[]){"--command", "exec", "--times", "1", "--min", "3",
                                          "--flag", "-m=gpt-5.5", "--in-order", "--prompt",
                                          "^fix the", "--prompt", "^nope", "--prompt", "x", NULL}),
                     1);
    char *want = xasprintf(
        "codex-mock verify: expectations not met\n"
        "  expected 1 invocation of exec, found 2\n"
        "  expected at least 3 invocations, found 2\n"
        "  #1 was called without -m=gpt-5.5\n"
        "  #2 was called without -m=gpt-5.5\n"
        "  expected 3 prompts in order, found 2 invocations\n"
        "  #2: prompt \"fix them again\nplease\" does not match /^nope/ (expected 2 of 3 in "
        "order)\n"
        "recorded invocations (%s):\n"
        "  #1 codex exec --json --model gpt-5.5 'fix the tests'  -> exit 1  (scenario "
        "usage-limit-429, rule flaky)\n"
        "  #2 codex exec --json --model=gpt-5.5 'fix them again\nplease' 'it'\\''s'  -> exit 0  "
        "(scenario command-success)\n"
        "  #3 codex exec resume --last 'and now?'  -> exit 0  (scenario -)\n",
        f->dir);
    assert_text("verify", want, f->out);
    free(want);
    assert_int_equal(run(f, tool_verify,
                         (const char *[]){"--max", "2", "--prompt", "zzz", "--flag",
                                          "--model=gpt-4", "--command", "exec", NULL}),
                     1);
    assert_non_null(strstr(f->out, "codex-mock verify: expectations not met\n"
                                   "  #1 was called without --model=gpt-4\n"
                                   "  #2 was called without --model=gpt-4\n"
                                   "  no invocation has a prompt matching /zzz/\n"
                                   "recorded invocations"));
    /* More invocations than prompts in order is as wrong as fewer. */
    assert_int_equal(
        run(f, tool_verify,
            (const char *[]){"--max", "2", "--in-order", "--prompt", "^fix the", NULL}),
        1);
    assert_non_null(strstr(f->out, "codex-mock verify: expectations not met\n"
                                   "  expected at most 2 invocations, found 3\n"
                                   "  expected 1 prompts in order, found 3 invocations\n"
                                   "recorded invocations"));
}

static void test_verify_usage_errors(void **state) {
    fixture *f = *state;
    static const char usage[] =
        "usage: codex-mock verify [--state DIR] [--command exec|resume|fork|review|app-server]\n"
        "                         [--times N] [--min N] [--max N] [--flag FLAG[=VALUE]]...\n"
        "                         [--prompt REGEX]... [--in-order]\n"
        "                         app-server runs: [--approval REGEX=DECISION]... [--request "
        "METHOD]...\n"
        "                         [--thread started|resumed|forked] [--interrupted-within "
        "DURATION]\n"
        "                         [--expected-answers]\n";
    assert_int_equal(run(f, tool_verify, (const char *[]){"--times", "-1", NULL}), 2);
    assert_string_equal(f->err, "codex-mock verify: --times takes a whole number, not '-1'\n");
    assert_int_equal(run(f, tool_verify, (const char *[]){"--min", "", NULL}), 2);
    assert_string_equal(f->err, "codex-mock verify: --min takes a whole number, not ''\n");
    assert_int_equal(run(f, tool_verify, (const char *[]){"--prompt", "(", NULL}), 2);
    assert_string_equal(f->err,
                        "codex-mock verify: bad regular expression '(': Unmatched ( or \\(\n");
    char *want = xasprintf("codex-mock verify: unknown option '--bogus'\n%s", usage);
    assert_int_equal(run(f, tool_verify, (const char *[]){"--bogus", "1", NULL}), 2);
    assert_string_equal(f->err, want);
    free(want);
    want = xasprintf("codex-mock verify: --flag needs a value\n%s", usage);
    assert_int_equal(run(f, tool_verify, (const char *[]){"--flag", NULL}), 2);
    assert_string_equal(f->err, want);
    free(want);
    assert_string_equal(f->out, "");
}

/* reset empties the journal; journal then says so; verify sees none. */
static void test_reset(void **state) {
    fixture *f = *state;
    assert_int_equal(run(f, tool_reset, (const char *[]){"extra", NULL}), 2);
    assert_string_equal(f->err, "usage: codex-mock reset [--state DIR]\n");
    assert_int_equal(run(f, tool_reset, NULL), 0);
    char *want = xasprintf("reset %s\n", f->dir);
    assert_string_equal(f->out, want);
    free(want);
    assert_int_equal(run(f, tool_journal, NULL), 0);
    want = xasprintf("no invocations recorded in %s\n", f->dir);
    assert_string_equal(f->out, want);
    free(want);
    assert_int_equal(run(f, tool_verify, (const char *[]){"--min", "1", NULL}), 1);
    want = xasprintf("codex-mock verify: expectations not met\n"
                     "  expected at least 1 invocations, found 0\n"
                     "recorded invocations (%s):\n"
                     "  (none)\n",
                     f->dir);
    assert_string_equal(f->out, want);
    free(want);
}

/* Without --state, CODEX_MOCK_STATE (the settings' state_dir) names the directory. */
static void test_state_dir_from_settings(void **state) {
    fixture *f = *state;
    mock_settings set = {.state_dir = f->dir};
    char out_path[] = "/tmp/test-tool-state-out-XXXXXX";
    int out_fd = mkstemp(out_path);
    fflush(stdout);
    int saved = dup(1);
    dup2(out_fd, 1);
    char *argv[] = {"--times", "3", NULL};
    int rc = tool_verify(2, argv, &set);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(out_fd);
    char *out = read_all(out_path);
    unlink(out_path);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "ok: 3 invocations match\n");
    free(out);
}

/* A state directory that cannot be opened: 78 and the reason. */
static void test_reset_unusable_dir(void **state) {
    fixture *f = *state;
    char *file = xasprintf("%s/journal.jsonl", f->dir);
    char *argv[] = {"--state", file, NULL};
    fflush(stderr);
    char err_path[] = "/tmp/test-tool-state-err-XXXXXX";
    int err_fd = mkstemp(err_path), saved = dup(2);
    dup2(err_fd, 2);
    int rc = tool_reset(2, argv, &NO_SETTINGS);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(err_fd);
    char *err = read_all(err_path);
    unlink(err_path);
    assert_int_equal(rc, 78);
    assert_true(strncmp(err, "codex-mock: ", 12) == 0);
    assert_non_null(strstr(err, file));
    free(err);
    free(file);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_journal_as_a_person_reads_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_met, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_not_met_says_what_differs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_usage_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_unusable_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_dir_from_settings, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
