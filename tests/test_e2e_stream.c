/* End to end: a scenario played as it is read (over CODEX_MOCK_STREAM_ABOVE bytes, default
 * 8 MiB) prints the same bytes as the whole model, resumed turns included; an error found while
 * playing exits 78 after what was already written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "e2e.h"

static char *tmp;

static int setup(void **state) {
    (void)state;
    return e2e_setup_home(&tmp);
}

static int teardown(void **state) {
    (void)state;
    e2e_rmtree(tmp);
    return 0;
}

/* `codex exec [--json] --skip-git-repo-check args…` on `scenario` in `home` (NULL: the group's),
 * with a fixed seed and start; `above` is CODEX_MOCK_STREAM_ABOVE (NULL: unset). */
static void codex(proc_result *r, const char *scenario, const char *above, const char *home,
                  bool json, const char *const *args) {
    const char *argv[16] = {CODEX_BIN, "exec"};
    size_t n = 2;
    if (json) argv[n++] = "--json";
    argv[n++] = "--skip-git-repo-check";
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char *e_scn = xasprintf("CODEX_MOCK_SCENARIO=%s", scenario);
    char *e_above = above ? xasprintf("CODEX_MOCK_STREAM_ABOVE=%s", above) : NULL;
    char *e_home = home ? xasprintf("CODEX_HOME=%s", home) : NULL;
    const char *env[8] = {e_scn, "CODEX_MOCK_SPEED=0", "CODEX_MOCK_SEED=7",
                          "CODEX_MOCK_NOW=2026-11-21T07:38:03Z"};
    size_t k = 4;
    if (e_above) env[k++] = e_above;
    if (e_home) env[k++] = e_home;
    env[k] = NULL;
    static const char *const unset_above[] = {"CODEX_MOCK_STREAM_ABOVE", "CODEX_MOCK_CHAOS",
                                              "CODEX_MOCK_VERSION", "CODEX_API_KEY", NULL};
    proc_spec spec = {
        .argv = argv, .env = env, .unset = unset_above, .cwd = tmp, .timeout_ms = 120000};
    assert_int_equal(proc_run(&spec, r), 0);
    assert_true(r->exited);
    free(e_scn);
    free(e_above);
    free(e_home);
}

static void same_result(const proc_result *a, const proc_result *b) {
    assert_int_equal(a->exit_code, b->exit_code);
    assert_int_equal(a->out_len, b->out_len);
    assert_memory_equal(a->out, b->out, a->out_len);
    assert_int_equal(a->err_len, b->err_len);
    assert_memory_equal(a->err, b->err, a->err_len);
}

static char *varied_scenario(const char *name, unsigned turns, unsigned steps) {
    buf b;
    buf_init(&b);
    buf_puts(&b, "codex_mock: 1\nname: varied\ncli: {model: gpt-test}\nturns:\n");
    for (unsigned t = 0; t < turns; t++) {
        buf_printf(&b, "  - started_after: %ums\n    steps:\n", 5 + t);
        if (t == 0) buf_puts(&b, "      - reasoning: &r \"**Planning**\\n\\nFirst {{prompt}}.\"\n");
        for (unsigned i = 0; i < steps; i++) {
            switch (i % 6) {
            case 0:
                buf_printf(&b, "      - message: \"turn %u step %u\"\n", t, i);
                break;
            case 1:
                buf_printf(&b, "      - command: \"ls %u\"\n        output: \"x\\n\"\n", i);
                break;
            case 2:
                buf_printf(&b, "      - todo_list: [\"a %u\", {text: b, completed: true}]\n", i);
                break;
            case 3:
                buf_puts(&b, "      - reasoning: *r\n");
                break;
            case 4:
                buf_printf(&b,
                           "      - event: {type: item.completed, item: {type: agent_message, "
                           "text: \"raw %u\"}}\n",
                           i);
                break;
            default:
                buf_printf(&b, "      - usage: {input_tokens: %u, output_tokens: 2}\n", i);
                break;
            }
        }
    }
    char *path = e2e_write(tmp, name, b.data);
    buf_free(&b);
    return path;
}

static void test_same_bytes(void **state) {
    (void)state;
    char *scn = varied_scenario("varied.yaml", 1, 3000);
    for (int json = 0; json < 2; json++) {
        proc_result whole, streamed;
        const char *args[] = {"--ephemeral", "do it", NULL};
        codex(&whole, scn, NULL, NULL, json, args);
        codex(&streamed, scn, "0", NULL, json, args);
        assert_int_equal(whole.exit_code, 0);
        assert_true(whole.out_len > (json ? 3000u * 50 : 5));
        same_result(&whole, &streamed);
        proc_result_free(&whole);
        proc_result_free(&streamed);
    }
    free(scn);
}

/* A new thread, then resumed past its last turn: the same turns play either way. */
static void test_same_bytes_resumed(void **state) {
    (void)state;
    char *scn = varied_scenario("turns.yaml", 3, 200);
    char *home_a = xasprintf("%s/home-whole", tmp), *home_b = xasprintf("%s/home-stream", tmp);
    assert_int_equal(mkdir(home_a, 0755), 0);
    assert_int_equal(mkdir(home_b, 0755), 0);
    for (int run = 0; run < 5; run++) {
        const char *first[] = {"start", NULL};
        const char *again[] = {"resume", "--last", "more", NULL};
        proc_result whole, streamed;
        codex(&whole, scn, NULL, home_a, true, run ? again : first);
        codex(&streamed, scn, "0", home_b, true, run ? again : first);
        assert_int_equal(whole.exit_code, 0);
        char want[32];
        snprintf(want, sizeof want, "turn %d step 0", run < 3 ? run : 2);
        if (!strstr(whole.out, want)) fail_msg("run %d: no '%s' in %.300s", run, want, whole.out);
        same_result(&whole, &streamed);
        proc_result_free(&whole);
        proc_result_free(&streamed);
    }
    free(home_a);
    free(home_b);
    free(scn);
}

static size_t count_lines(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    return n;
}

/* An error while playing: exit 78 after what was written, the message with its position. */
static void test_error_while_playing(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "codex_mock: 1\nsteps:\n");
    for (int i = 0; i < 300; i++)
        buf_printf(&b, "  - message: \"m%d\"\n", i);
    buf_puts(&b, "  - mesage: typo\n");
    char *scn = e2e_write(tmp, "broken.yaml", b.data);
    proc_result r;
    const char *args[] = {"--ephemeral", "x", NULL};
    codex(&r, scn, "0", NULL, true, args);
    assert_int_equal(r.exit_code, 78);
    assert_int_equal(count_lines(r.out, r.out_len), 302); /* thread, turn, 300 messages */
    char *want = xasprintf("codex-mock: %s:303:5: unknown step type 'mesage' (did you mean "
                           "'message'?)\n",
                           scn);
    size_t wl = strlen(want);
    if (r.err_len < wl || memcmp(r.err + r.err_len - wl, want, wl) != 0)
        fail_msg("stderr: %s", r.err);
    proc_result_free(&r);
    /* below the limit the same file is refused before any output */
    codex(&r, scn, NULL, NULL, true, args);
    assert_int_equal(r.exit_code, 78);
    assert_int_equal(r.out_len, 0);
    assert_string_equal(r.err, want);
    proc_result_free(&r);
    free(want);
    free(scn);
    buf_free(&b);
}

/* Over the default 8 MiB: played as read, so a key after 'steps' is an error at its end. */
static void test_default_limit(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "codex_mock: 1\nsteps:\n");
    char pad[2001];
    memset(pad, 'x', 2000);
    pad[2000] = '\0';
    unsigned n = 0; /* few long steps: quick under the sanitizers too */
    while (b.len <= 8u * 1024 * 1024)
        buf_printf(&b, "  - message: \"step %u: %s\"\n", n++, pad);
    buf_puts(&b, "name: late\n");
    char *scn = e2e_write(tmp, "late_key.yaml", b.data);
    proc_result r;
    const char *args[] = {"--ephemeral", "x", NULL};
    codex(&r, scn, NULL, NULL, true, args);
    assert_int_equal(r.exit_code, 78);
    assert_int_equal(count_lines(r.out, r.out_len), n + 2);
    char *want = xasprintf("codex-mock: %s:%u:1: 'name' after 'steps': a scenario over 8 MiB is "
                           "played as it is read, so 'steps' must come last\n",
                           scn, n + 3);
    size_t wl = strlen(want);
    if (r.err_len < wl || memcmp(r.err + r.err_len - wl, want, wl) != 0)
        fail_msg("stderr: %.500s", r.err);
    proc_result_free(&r);
    free(want);
    free(scn);
    buf_free(&b);
}

static void test_bad_variable(void **state) {
    (void)state;
    char *scn = varied_scenario("small.yaml", 1, 3);
    proc_result r;
    const char *args[] = {"x", NULL};
    codex(&r, scn, "8M", NULL, true, args);
    assert_int_equal(r.exit_code, 78);
    assert_int_equal(r.out_len, 0);
    assert_string_equal(r.err, "codex-mock: CODEX_MOCK_STREAM_ABOVE: expected a size in bytes such "
                               "as 8388608, found '8M'\n");
    proc_result_free(&r);
    free(scn);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes),          cmocka_unit_test(test_same_bytes_resumed),
        cmocka_unit_test(test_error_while_playing), cmocka_unit_test(test_default_limit),
        cmocka_unit_test(test_bad_variable),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
