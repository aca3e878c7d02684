/* End to end: `codex exec --remote` with nothing listening, against the real 0.171.0 binary's
 * output recorded in tests/remote-0.171.0/ (one folder per case, made by its record.sh): the
 * fake, in its default profile, prints the same stdout and stderr bytes and exits the same.
 * In the 0.169.0 profile (CODEX_MOCK_VERSION=0.169.0) exec has no --remote: a usage error. */
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
static char codex_home[PATH_MAX], work[PATH_MAX];

static int setup(void **state) {
    (void)state;
    tmp = e2e_tmpdir();
    if (!tmp) return -1;
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/home", tmp);
    mkdir(p, 0755);
    snprintf(codex_home, sizeof codex_home, "%s/home/.codex", tmp);
    mkdir(codex_home, 0755);
    snprintf(work, sizeof work, "%s/work", tmp);
    mkdir(work, 0755);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    e2e_rmtree(tmp);
    return 0;
}

/* The lines of a file (heap array of heap strings, NULL-terminated). */
static char **lines_of(const char *path) {
    char *text = read_file(path, NULL);
    if (!text) fail_msg("cannot read %s", path);
    size_t n = 0;
    char **v = calloc(64, sizeof *v);
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && n < 63;
         l = strtok_r(NULL, "\n", &save))
        v[n++] = strdup(l);
    free(text);
    return v;
}

static void free_lines(char **v) {
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

static const char *const UNSET[] = {"RUST_BACKTRACE",
                                    "RUST_LIB_BACKTRACE",
                                    "CODEX_MOCK_VERSION",
                                    "CODEX_MOCK_SCENARIO",
                                    "CODEX_MOCK_RULES",
                                    "CODEX_MOCK_CHAOS",
                                    "TOKEN",
                                    "NOPE_UNSET",
                                    "NOPE",
                                    NULL};

static void run_case(const char *dir, const char *name) {
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s/argv", dir, name);
    char **words = lines_of(path);
    snprintf(path, sizeof path, "%s/%s/env", dir, name);
    char **vars = lines_of(path);
    const char *argv[64] = {CODEX_BIN};
    size_t n = 1;
    for (size_t i = 0; words[i] && n < 63; i++)
        argv[n++] = words[i];
    char home[PATH_MAX + 8], chome[PATH_MAX + 16];
    snprintf(home, sizeof home, "HOME=%s/home", tmp);
    snprintf(chome, sizeof chome, "CODEX_HOME=%s", codex_home);
    const char *env[72] = {home, chome, "CODEX_API_KEY=dummy"};
    size_t ne = 3;
    for (size_t i = 0; vars[i] && ne < 71; i++)
        env[ne++] = vars[i];
    proc_spec spec = {.argv = argv, .env = env, .unset = UNSET, .cwd = work};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);

    snprintf(path, sizeof path, "%s/%s/stdout", dir, name);
    size_t out_len;
    char *want_out = read_file(path, &out_len);
    snprintf(path, sizeof path, "%s/%s/stderr", dir, name);
    char *want_err_raw = read_file(path, NULL);
    char *want_err = replace_all(want_err_raw, "{{CODEX_HOME}}", codex_home);
    snprintf(path, sizeof path, "%s/%s/exit_code", dir, name);
    char *want_code = read_file(path, NULL);
    assert_non_null(want_out);
    assert_non_null(want_code);
    if (!r.exited || r.exit_code != atoi(want_code))
        fail_msg("%s: exit %d, the real one %d; stderr:\n%s", name, r.exit_code, atoi(want_code),
                 r.err);
    if (r.out_len != out_len || memcmp(r.out, want_out, out_len))
        fail_msg("%s: stdout differs:\n%s", name, r.out);
    if (strcmp(r.err, want_err))
        fail_msg("%s: stderr differs\n--- real:\n%s--- ours:\n%s", name, want_err, r.err);
    free(want_out), free(want_err_raw), free(want_err), free(want_code);
    proc_result_free(&r);
    free_lines(words);
    free_lines(vars);
}

static void test_every_recorded_case(void **state) {
    (void)state;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/tests/remote-0.171.0", SOURCE_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "record.sh")) continue;
        run_case(dir, e->d_name);
        n++;
    }
    closedir(d);
    assert_true(n >= 20);
    print_message("%zu recorded --remote cases reproduced\n", n);
}

static void test_not_in_the_0_169_profile(void **state) {
    (void)state;
    const char *argv[] = {CODEX_BIN, "exec", "--remote", "ws://127.0.0.1:9/", "hi", NULL};
    const char *env[] = {"CODEX_MOCK_VERSION=0.169.0", NULL};
    proc_spec spec = {.argv = argv, .env = env, .cwd = work};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "error: unexpected argument '--remote' found"));
    proc_result_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_recorded_case),
        cmocka_unit_test(test_not_in_the_0_169_profile),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
