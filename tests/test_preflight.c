/* preflight: -c checks and values, CODEX_HOME, -C, the upward .git search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"
#include "preflight.h"

static void test_overrides(void **state) {
    (void)state;
    const char *cfg[] = {"model=\"gpt-5\"", " sandbox_mode = 'read-only' ", "x=1", "model=o3",
                         "esc=\"a\\\"b\""};
    invocation inv = {0};
    inv.config.v = cfg;
    inv.config.n = 5;
    char *err = NULL;
    assert_int_equal(preflight_overrides(&inv, &err), 0);
    char *v = override_value(&inv, "model");
    assert_string_equal(v, "o3"); /* the last one wins */
    free(v);
    v = override_value(&inv, "sandbox_mode");
    assert_string_equal(v, "read-only");
    free(v);
    v = override_value(&inv, "esc");
    assert_string_equal(v, "a\"b");
    free(v);
    assert_null(override_value(&inv, "missing"));
    const char *bad[] = {"a=1", "oops"};
    inv.config.v = bad;
    inv.config.n = 2;
    assert_int_equal(preflight_overrides(&inv, &err), -1);
    assert_string_equal(err, "Error parsing -c overrides: Invalid override (missing '='): oops");
    free(err);
}

static void test_codex_home(void **state) {
    (void)state;
    char *home = NULL, *err = NULL;
    assert_int_equal(preflight_codex_home("/nonexistent/ch", "/root", &home, &err), -1);
    assert_string_equal(err, "Error finding codex home: CODEX_HOME points to \"/nonexistent/ch\", "
                             "but that path does not exist");
    free(err);
    assert_int_equal(preflight_codex_home(NULL, "/home/u", &home, &err), 0);
    assert_string_equal(home, "/home/u/.codex");
    free(home);
    assert_int_equal(preflight_codex_home("/tmp", NULL, &home, &err), 0);
    assert_string_equal(home, "/tmp");
    free(home);
}

static void test_cd_and_git(void **state) {
    (void)state;
    char *err = NULL;
    assert_int_equal(preflight_cd("/nonexistent-dir", &err), -1);
    assert_string_equal(err, "Error: No such file or directory (os error 2)");
    free(err);
    char *repo = e2e_tmpdir(); /* has .git */
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/x/y", repo);
    assert_int_equal(preflight_git(sub, false, &err), 0); /* the search only reads paths */
    assert_int_equal(preflight_git(repo, false, &err), 0);
    assert_int_equal(preflight_git("/nonexistent/not/a/repo", false, &err), -1);
    assert_string_equal(err, "Not inside a trusted directory and --skip-git-repo-check was not "
                             "specified.");
    free(err);
    assert_int_equal(preflight_git("/nonexistent", true, &err), 0);
    e2e_rmtree(repo);
    buf b;
    buf_init(&b);
    os_error(&b, 21);
    assert_string_equal(b.data, "Is a directory (os error 21)");
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_overrides),
                                       cmocka_unit_test(test_codex_home),
                                       cmocka_unit_test(test_cd_and_git)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
