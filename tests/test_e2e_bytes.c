/* End to end: a recorded line may hold any byte but LF. For each byte class (tests/bytes/, one file
 * each: NUL, CR, ESC, line separators, other controls, BOM and noncharacters, invalid UTF-8) the
 * fake `codex` plays a scenario printing those bytes — in a message, a stderr line and raw stdout —
 * in JSON mode and in human mode, under `codex-mock record` (CODEX_MOCK_REAL_CODEX: the fake is
 * the program recorded). Then:
 *  - the recording holds exactly what the program printed (the same run, unrecorded, seeded
 *    and with a fixed clock, prints the same bytes), and the class's bytes are in it;
 *  - test_conformance_all (strict) converts every recording with `codex-mock convert` and
 *    replays the scenario: the same stdout and stderr bytes, exit code and timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "corpus.h"
#include "e2e.h"

#include <dirent.h>
#include <sys/stat.h>

static char *tmp;

static int setup(void **state) {
    (void)state;
    tmp = e2e_tmpdir();
    if (!tmp) return -1;
    static const char *const dirs[] = {"work", "home", "codex_home", "recordings", NULL};
    for (size_t i = 0; dirs[i]; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", tmp, dirs[i]);
        mkdir(p, 0755);
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    const char *keep = getenv("CODEX_MOCK_KEEP_SCRATCH");
    if (keep && *keep) {
        fprintf(stderr, "scratch kept: %s\n", tmp);
        free(tmp);
        return 0;
    }
    e2e_rmtree(tmp);
    return 0;
}

/* The bytes after "Expect (hex): " in the file's header comment. */
static size_t expected_bytes(const char *path, unsigned char *out, size_t cap) {
    char *text = read_file(path, NULL);
    assert_non_null(text);
    const char *p = strstr(text, "Expect (hex): ");
    if (!p) fail_msg("%s: no 'Expect (hex): ' in its header", path);
    p += strlen("Expect (hex): ");
    size_t n = 0;
    unsigned v;
    while (n < cap && sscanf(p, "%2x", &v) == 1 && p[0] != '\n' && p[1] != '\n') {
        out[n++] = (unsigned char)v;
        p += 2;
    }
    free(text);
    assert_true(n > 0);
    return n;
}

static bool contains(const char *hay, size_t hay_len, const unsigned char *needle, size_t n) {
    return hay && memmem(hay, hay_len, needle, n) != NULL;
}

/* Runs `codex exec [--json] --skip-git-repo-check PROMPT` from the work dir, recorded into
 * `record_to` unless it is NULL. */
static void run(proc_result *r, const char *scenario, bool json, const char *record_to) {
    char env_real[PATH_MAX + 32], env_home[PATH_MAX + 16], env_chome[PATH_MAX + 32],
        env_scen[PATH_MAX + 32], cwd[PATH_MAX];
    snprintf(env_real, sizeof env_real, "CODEX_MOCK_REAL_CODEX=%s", CODEX_BIN);
    snprintf(env_home, sizeof env_home, "HOME=%s/home", tmp);
    snprintf(env_chome, sizeof env_chome, "CODEX_HOME=%s/codex_home", tmp);
    snprintf(env_scen, sizeof env_scen, "CODEX_MOCK_SCENARIO=%s", scenario);
    snprintf(cwd, sizeof cwd, "%s/work", tmp);
    const char *env[] = {env_real,
                         env_home,
                         env_chome,
                         env_scen,
                         "CODEX_MOCK_SPEED=0",
                         "CODEX_MOCK_SEED=7",
                         "CODEX_MOCK_NOW=2026-11-21T07:38:03Z",
                         "CODEX_API_KEY=dummy",
                         NULL};
    static const char *const unset[] = {"CODEX_MOCK_VERSION", "CODEX_MOCK_RULES",
                                        "CODEX_MOCK_CHAOS", NULL};
    const char *argv[16];
    size_t n = 0;
    if (record_to) {
        argv[n++] = TOOLBOX_BIN;
        argv[n++] = "record";
        argv[n++] = "--out";
        argv[n++] = record_to;
        argv[n++] = "--";
        argv[n++] = "codex";
    } else {
        argv[n++] = CODEX_BIN;
    }
    argv[n++] = "exec";
    if (json) argv[n++] = "--json";
    argv[n++] = "--skip-git-repo-check";
    argv[n++] = "Say hello.";
    argv[n] = NULL;
    proc_spec spec = {.argv = argv, .env = env, .unset = unset, .cwd = cwd, .timeout_ms = 30000};
    assert_int_equal(proc_run(&spec, r), 0);
}

static void expect_same(const char *what, const char *want, size_t want_len, const char *got,
                        size_t got_len) {
    if (want_len == got_len && (!want_len || !memcmp(want, got, want_len))) return;
    size_t i = 0;
    while (i < want_len && i < got_len && want[i] == got[i])
        i++;
    fail_msg("%s: the recording differs from what the program printed at byte %zu (%zu bytes "
             "printed, %zu recorded)",
             what, i, want_len, got_len);
}

static void test_every_byte_class_round_trips(void **state) {
    (void)state;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/tests/bytes", SOURCE_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml")) continue;
        char scenario[PATH_MAX + 300];
        snprintf(scenario, sizeof scenario, "%s/%s", dir, e->d_name);
        unsigned char want[64];
        size_t want_n = expected_bytes(scenario, want, sizeof want);
        for (int json = 0; json < 2; json++) {
            char out[PATH_MAX + 300];
            snprintf(out, sizeof out, "%s/recordings/%.*s-%s", tmp, (int)(len - 5), e->d_name,
                     json ? "json" : "human");
            proc_result plain, rec;
            run(&plain, scenario, json, NULL);
            run(&rec, scenario, json, out);
            if (!plain.exited || plain.exit_code != 0)
                fail_msg("%s: codex exited %d: %s", out, plain.exit_code, plain.err);
            assert_true(rec.exited);
            assert_int_equal(rec.exit_code, plain.exit_code);
            /* record passes the bytes through, and keeps them */
            expect_same(out, plain.out, plain.out_len, rec.out, rec.out_len);
            expect_same(out, plain.err, plain.err_len, rec.err, rec.err_len);
            char path[PATH_MAX * 2];
            size_t got_len;
            snprintf(path, sizeof path, "%s/%s", out, json ? "stdout.jsonl" : "stdout.txt");
            char *got = read_file(path, &got_len);
            if (!got) fail_msg("%s: not recorded", path);
            expect_same(path, plain.out, plain.out_len, got, got_len);
            if (!contains(got, got_len, want, want_n))
                fail_msg("%s: the class's bytes are not on stdout", path);
            free(got);
            snprintf(path, sizeof path, "%s/stderr.txt", out);
            got = read_file(path, &got_len);
            if (!got) fail_msg("%s: not recorded", path);
            expect_same(path, plain.err, plain.err_len, got, got_len);
            if (!contains(got, got_len, want, want_n))
                fail_msg("%s: the class's bytes are not on stderr", path);
            free(got);
            proc_result_free(&plain);
            proc_result_free(&rec);
        }
        n++;
    }
    closedir(d);
    assert_true(n >= 7);
    /* convert and replay every recording, strictly */
    char conf[PATH_MAX], recs[PATH_MAX + 16], env_dir[PATH_MAX + 64], env_tmp[PATH_MAX + 32];
    snprintf(conf, sizeof conf, "%s", TOOLBOX_BIN);
    *strrchr(conf, '/') = '\0';
    strncat(conf, "/../tests/test_conformance_all", sizeof conf - strlen(conf) - 1);
    snprintf(recs, sizeof recs, "%s/recordings", tmp);
    snprintf(env_dir, sizeof env_dir, "CODEX_MOCK_CONFORMANCE_DIR=%s", recs);
    snprintf(env_tmp, sizeof env_tmp, "CODEX_MOCK_TEST_TMP=%s", tmp);
    const char *argv[] = {conf, NULL};
    const char *env[] = {env_dir, "CODEX_MOCK_CONFORMANCE_STRICT=1", env_tmp, NULL};
    proc_spec spec = {.argv = argv, .env = env, .timeout_ms = 300000};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    if (!r.exited || r.exit_code != 0) {
        for (size_t i = 0; i < r.n_out; i++)
            if (!strstr(r.out_lines[i].text, "identical") && !strstr(r.out_lines[i].text, "[ "))
                print_error("%s\n", r.out_lines[i].text);
        for (size_t i = 0; i < r.n_err; i++)
            print_error("%s\n", r.err_lines[i].text);
        fail_msg("a recording holding one of the byte classes does not replay identically");
    }
    print_message("%zu byte classes × 2 modes recorded, converted, replayed identically\n", n);
    proc_result_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte_class_round_trips),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
