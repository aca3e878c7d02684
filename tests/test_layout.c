/* Unit tests for layout: the scenario library and the fake `codex` found from a binary's
 * directory, in the build-tree layout and in the Debian one (<prefix>/lib/codex-mock/bin). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "buf.h"
#include "layout.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char root[64];
} tree;

static void mkdirs(const char *root, const char *rel) {
    char *p = xasprintf("%s/%s", root, rel);
    for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    if (mkdir(p, 0755) != 0) fail_msg("mkdir %s failed", p);
    free(p);
}

static void touch(const char *root, const char *rel) {
    char *p = xasprintf("%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    if (!f) fail_msg("cannot create %s", p);
    fclose(f);
    free(p);
}

static int setup(void **state) {
    tree *t = calloc(1, sizeof *t);
    snprintf(t->root, sizeof t->root, "/tmp/codex-mock-test-layout.XXXXXX");
    if (!mkdtemp(t->root)) return -1;
    char real[PATH_MAX];
    if (!realpath(t->root, real) || strlen(real) >= sizeof t->root) return -1;
    strcpy(t->root, real);
    *state = t;
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int teardown(void **state) {
    tree *t = *state;
    int rc = nftw(t->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(t);
    return rc;
}

static void expect_path(char *got, const char *root, const char *rel) {
    char *want = xasprintf("%s/%s", root, rel);
    if (!got) fail_msg("expected %s, got NULL", want);
    assert_string_equal(got, want);
    free(want);
    free(got);
}

static char *at(const char *root, const char *rel) {
    return xasprintf("%s/%s", root, rel);
}

/* The build tree / `cmake --install` layout: bin/ beside share/. */
static void test_library_beside_bin(void **state) {
    tree *t = *state;
    mkdirs(t->root, "bin");
    mkdirs(t->root, "share/codex-mock/scenarios");
    char *bin = at(t->root, "bin");
    expect_path(layout_scenario_dir(bin), t->root, "share/codex-mock/scenarios");
    free(bin);
}

/* The Debian layout: the fake in lib/codex-mock/bin still finds share/codex-mock/scenarios. */
static void test_library_from_lib_codex_mock_bin(void **state) {
    tree *t = *state;
    mkdirs(t->root, "lib/codex-mock/bin");
    mkdirs(t->root, "share/codex-mock/scenarios");
    char *fake = at(t->root, "lib/codex-mock/bin");
    expect_path(layout_scenario_dir(fake), t->root, "share/codex-mock/scenarios");
    free(fake);
}

static void test_no_library(void **state) {
    tree *t = *state;
    mkdirs(t->root, "bin");
    mkdirs(t->root, "share/codex-mock"); /* no scenarios/ */
    char *bin = at(t->root, "bin");
    assert_null(layout_scenario_dir(bin));
    free(bin);
    assert_null(layout_scenario_dir(NULL));
}

/* A file where the library should be is not a library. */
static void test_library_must_be_a_directory(void **state) {
    tree *t = *state;
    mkdirs(t->root, "bin");
    mkdirs(t->root, "share/codex-mock");
    touch(t->root, "share/codex-mock/scenarios");
    char *bin = at(t->root, "bin");
    assert_null(layout_scenario_dir(bin));
    free(bin);
}

static void test_fake_beside_toolbox(void **state) {
    tree *t = *state;
    mkdirs(t->root, "bin");
    touch(t->root, "bin/codex");
    char *bin = at(t->root, "bin");
    expect_path(layout_fake_dir(bin), t->root, "bin");
    free(bin);
}

/* lib/codex-mock/bin wins over a `codex` in the toolbox's own directory (a real one, say). */
static void test_fake_in_lib_preferred(void **state) {
    tree *t = *state;
    mkdirs(t->root, "bin");
    mkdirs(t->root, "lib/codex-mock/bin");
    touch(t->root, "bin/codex");
    touch(t->root, "lib/codex-mock/bin/codex");
    char *bin = at(t->root, "bin");
    expect_path(layout_fake_dir(bin), t->root, "lib/codex-mock/bin");
    free(bin);
}

static void test_no_fake(void **state) {
    tree *t = *state;
    mkdirs(t->root, "bin");
    mkdirs(t->root, "lib/codex-mock/bin"); /* empty */
    char *bin = at(t->root, "bin");
    assert_null(layout_fake_dir(bin));
    free(bin);
    assert_null(layout_fake_dir(NULL));
}

/* This test binary itself: a directory that exists, without a trailing slash. */
static void test_exe_dir(void **state) {
    (void)state;
    char *d = exe_dir();
    assert_non_null(d);
    assert_true(d[0] == '/');
    assert_true(strlen(d) == 1 || d[strlen(d) - 1] != '/');
    struct stat st;
    assert_int_equal(stat(d, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    free(d);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_library_beside_bin),
        T(test_library_from_lib_codex_mock_bin),
        T(test_no_library),
        T(test_library_must_be_a_directory),
        T(test_fake_beside_toolbox),
        T(test_fake_in_lib_preferred),
        T(test_no_fake),
        T(test_exe_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
