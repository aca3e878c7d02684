/* Unit tests for select: which scenario file answers (CODEX_MOCK_SCENARIO, _PATH, library). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "buf.h"
#include "select.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Each test gets a fresh temporary tree: ROOT/lib (the built-in library), ROOT/p1, ROOT/p2
 * (CODEX_MOCK_SCENARIO_PATH directories). */
typedef struct {
    char root[64];
    char lib[PATH_MAX];
    char p1[PATH_MAX];
    char p2[PATH_MAX];
} tree;

static void make_dir(const char *path) {
    if (mkdir(path, 0755) != 0) fail_msg("mkdir %s failed", path);
}

static void write_file(const char *dir, const char *name, const char *text) {
    char *p = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f) fail_msg("cannot create %s", p);
    fputs(text, f);
    fclose(f);
    free(p);
}

static int setup(void **state) {
    tree *t = calloc(1, sizeof *t);
    snprintf(t->root, sizeof t->root, "/tmp/codex-mock-test-select.XXXXXX");
    if (!mkdtemp(t->root)) return -1;
    snprintf(t->lib, sizeof t->lib, "%s/lib", t->root);
    snprintf(t->p1, sizeof t->p1, "%s/p1", t->root);
    snprintf(t->p2, sizeof t->p2, "%s/p2", t->root);
    make_dir(t->lib);
    make_dir(t->p1);
    make_dir(t->p2);
    *state = t;
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state) {
    tree *t = *state;
    int rc = nftw(t->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(t);
    return rc;
}

/* Selects and expects success; returns the choice (caller frees). */
static scenario_choice pick(const char *requested, const char *path_list, const char *builtin) {
    scenario_choice c;
    diag err;
    diag_init(&err);
    int rc = select_scenario(requested, path_list, builtin, &c, &err);
    if (rc != 0) fail_msg("select '%s' failed: %s", requested ? requested : "(unset)", err.msg);
    assert_null(err.msg);
    assert_non_null(c.name);
    diag_free(&err);
    return c;
}

/* Selects and expects an error; returns the message (caller frees). */
static char *pick_err(const char *requested, const char *path_list, const char *builtin) {
    scenario_choice c = {(char *)"sentinel", (char *)"sentinel"};
    diag err;
    diag_init(&err);
    int rc = select_scenario(requested, path_list, builtin, &c, &err);
    if (rc != -1) fail_msg("select '%s' succeeded with %s", requested, c.path ? c.path : "(null)");
    assert_null(c.path);
    assert_null(c.name);
    assert_non_null(err.msg);
    assert_null(err.file);
    char *msg = xstrdup(err.msg);
    diag_free(&err);
    return msg;
}

static char *join(const char *dir, const char *name) {
    return xasprintf("%s/%s", dir, name);
}

static void assert_contains(const char *hay, const char *needle) {
    if (!strstr(hay, needle)) fail_msg("'%s' does not contain '%s'", hay, needle);
}

static void assert_not_contains(const char *hay, const char *needle) {
    if (strstr(hay, needle)) fail_msg("'%s' contains '%s'", hay, needle);
}

/* ---- names ---- */

static void test_name_in_builtin_dir(void **state) {
    tree *t = *state;
    write_file(t->lib, "rate-limit-429.yaml", "x");
    scenario_choice c = pick("rate-limit-429", NULL, t->lib);
    char *want = join(t->lib, "rate-limit-429.yaml");
    assert_string_equal(c.path, want);
    assert_string_equal(c.name, "rate-limit-429");
    free(want);
    choice_free(&c);
    assert_null(c.path);
    assert_null(c.name);
}

static void test_path_dirs_before_builtin(void **state) {
    tree *t = *state;
    write_file(t->lib, "s.yaml", "lib");
    write_file(t->p2, "s.yaml", "p2");
    write_file(t->p1, "s.yaml", "p1");
    char *list = xasprintf("%s:%s", t->p1, t->p2);
    scenario_choice c = pick("s", list, t->lib);
    char *want = join(t->p1, "s.yaml");
    assert_string_equal(c.path, want);
    free(want);
    choice_free(&c);

    /* order of the list matters */
    char *rev = xasprintf("%s:%s", t->p2, t->p1);
    c = pick("s", rev, t->lib);
    want = join(t->p2, "s.yaml");
    assert_string_equal(c.path, want);
    free(want);
    choice_free(&c);

    /* a name only in the library is still found behind the path dirs */
    write_file(t->lib, "only-lib.yaml", "lib");
    c = pick("only-lib", list, t->lib);
    want = join(t->lib, "only-lib.yaml");
    assert_string_equal(c.path, want);
    free(want);
    choice_free(&c);
    free(list);
    free(rev);
}

static void test_path_list_forms(void **state) {
    tree *t = *state;
    write_file(t->p2, "x.yaml", "p2");
    /* empty segments and directories that do not exist are skipped */
    char *list = xasprintf("::%s/missing::%s:", t->root, t->p2);
    scenario_choice c = pick("x", list, NULL);
    char *want = join(t->p2, "x.yaml");
    assert_string_equal(c.path, want);
    free(want);
    choice_free(&c);
    free(list);
    /* the path list alone is enough (no library) */
    c = pick("x", t->p2, NULL);
    assert_non_null(c.path);
    choice_free(&c);
}

static void test_yml_extension(void **state) {
    tree *t = *state;
    write_file(t->lib, "a.yml", "yml");
    scenario_choice c = pick("a", NULL, t->lib);
    char *want = join(t->lib, "a.yml");
    assert_string_equal(c.path, want);
    free(want);
    choice_free(&c);
    /* .yaml wins over .yml in the same directory */
    write_file(t->lib, "a.yaml", "yaml");
    c = pick("a", NULL, t->lib);
    want = join(t->lib, "a.yaml");
    assert_string_equal(c.path, want);
    free(want);
    choice_free(&c);
    /* but an earlier directory's .yml wins over a later one's .yaml */
    write_file(t->p1, "a.yml", "p1");
    c = pick("a", t->p1, t->lib);
    want = join(t->p1, "a.yml");
    assert_string_equal(c.path, want);
    free(want);
    choice_free(&c);
}

static void test_name_with_dots(void **state) {
    tree *t = *state;
    write_file(t->lib, "v1.2_final-ok.yaml", "x");
    scenario_choice c = pick("v1.2_final-ok", NULL, t->lib);
    char *want = join(t->lib, "v1.2_final-ok.yaml");
    assert_string_equal(c.path, want);
    free(want);
    choice_free(&c);
}

static void test_directory_named_like_a_scenario_is_not_one(void **state) {
    tree *t = *state;
    char *d = join(t->lib, "dir.yaml");
    make_dir(d);
    free(d);
    char *msg = pick_err("dir", NULL, t->lib);
    assert_contains(msg, "no scenario named 'dir'");
    free(msg);
}

static void test_missing_name(void **state) {
    tree *t = *state;
    write_file(t->lib, "rate-limit-429.yaml", "x");
    write_file(t->lib, "command-success.yaml", "x");
    write_file(t->p1, "torn-line.yaml", "x");
    char *msg = pick_err("rate-limt-429", t->p1, t->lib);
    assert_contains(msg, "CODEX_MOCK_SCENARIO");
    assert_contains(msg, "no scenario named 'rate-limt-429'");
    assert_contains(msg, "(did you mean 'rate-limit-429'?)");
    /* every searched directory is named, in search order */
    char *order = xasprintf("searched %s, %s", t->p1, t->lib);
    assert_contains(msg, order);
    free(order);
    assert_contains(msg, "codex-mock list");
    free(msg);

    /* near misses come from the path directories too */
    msg = pick_err("torn_line", t->p1, t->lib);
    assert_contains(msg, "(did you mean 'torn-line'?)");
    free(msg);

    /* nothing close: no suggestion */
    msg = pick_err("completely-unrelated", t->p1, t->lib);
    assert_contains(msg, "no scenario named 'completely-unrelated'");
    assert_not_contains(msg, "did you mean");
    free(msg);
}

static void test_missing_name_no_dirs(void **state) {
    (void)state;
    char *msg = pick_err("anything", NULL, NULL);
    assert_contains(msg, "no scenario named 'anything'");
    assert_contains(msg, "nowhere");
    assert_not_contains(msg, "did you mean");
    free(msg);
    msg = pick_err("anything", "", NULL);
    assert_contains(msg, "nowhere");
    free(msg);
}

static void test_invalid_names_rejected(void **state) {
    tree *t = *state;
    /* a file that a "name" could reach by escaping the library must never be loaded */
    write_file(t->root, "secret.yaml", "x");
    write_file(t->lib, "ok.yaml", "x");
    const char *bad[] = {"..", "...", "a..b", ".hidden", ".",           "a b",  "a\\b",
                         "a*", "a:b", "a\nb", "tab\t",   "caf\xc3\xa9", "x;rm", "$HOME"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *msg = pick_err(bad[i], t->p1, t->lib);
        assert_contains(msg, "is not a scenario name");
        assert_contains(msg, "give a path with a '/'");
        free(msg);
    }
}

static void test_slash_means_path_not_name(void **state) {
    tree *t = *state;
    /* "../secret" is not looked up as NAME in the library (lib/../secret.yaml exists) */
    write_file(t->root, "secret.yaml", "x");
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(t->p1), 0); /* p1/../secret does not exist, p1/../secret.yaml does */
    char *msg = pick_err("../secret", NULL, t->lib);
    assert_contains(msg, "no scenario file '../secret'");
    free(msg);
    assert_int_equal(chdir(cwd), 0);
}

/* ---- paths ---- */

static void test_absolute_path(void **state) {
    tree *t = *state;
    write_file(t->root, "mine.yaml", "x");
    char *p = join(t->root, "mine.yaml");
    scenario_choice c = pick(p, t->p1, t->lib);
    assert_string_equal(c.path, p);
    assert_string_equal(c.name, p);
    choice_free(&c);
    free(p);
    /* any extension, or none, once there is a '/' */
    write_file(t->root, "noext", "x");
    p = join(t->root, "noext");
    c = pick(p, NULL, NULL);
    assert_string_equal(c.path, p);
    choice_free(&c);
    free(p);
}

static void test_relative_paths(void **state) {
    tree *t = *state;
    write_file(t->p1, "here.yaml", "x");
    write_file(t->p1, "here.yml", "x");
    write_file(t->lib, "here.yaml", "library copy");
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(t->p1), 0);
    /* ends in .yaml/.yml: a file relative to the cwd, not a library name */
    scenario_choice c = pick("here.yaml", NULL, t->lib);
    assert_string_equal(c.path, "here.yaml");
    choice_free(&c);
    c = pick("here.yml", NULL, t->lib);
    assert_string_equal(c.path, "here.yml");
    choice_free(&c);
    c = pick("./here.yaml", NULL, t->lib);
    assert_string_equal(c.path, "./here.yaml");
    choice_free(&c);
    c = pick("../p1/here.yaml", NULL, t->lib);
    assert_string_equal(c.path, "../p1/here.yaml");
    choice_free(&c);
    assert_int_equal(chdir(cwd), 0);
}

static void test_missing_path(void **state) {
    tree *t = *state;
    char *p = join(t->root, "nope.yaml");
    char *msg = pick_err(p, NULL, t->lib);
    char *want = xasprintf("no scenario file '%s'", p);
    assert_contains(msg, want);
    assert_contains(msg, "No such file or directory");
    free(want);
    free(msg);
    free(p);
    /* a name ending in .yaml is a path, so it is not found in the library */
    write_file(t->lib, "lib-only.yaml", "x");
    msg = pick_err("lib-only.yaml", NULL, t->lib);
    assert_contains(msg, "no scenario file 'lib-only.yaml'");
    free(msg);
}

static void test_path_is_directory(void **state) {
    tree *t = *state;
    char *msg = pick_err(t->p1, NULL, t->lib);
    assert_contains(msg, "it is a directory");
    free(msg);
    char *d = join(t->root, "d.yaml");
    make_dir(d);
    msg = pick_err(d, NULL, t->lib);
    assert_contains(msg, "it is a directory");
    free(msg);
    free(d);
}

/* ---- default ---- */

static void test_default_from_library(void **state) {
    tree *t = *state;
    write_file(t->lib, "default.yaml", "x");
    scenario_choice c = pick(NULL, NULL, t->lib);
    char *want = join(t->lib, "default.yaml");
    assert_string_equal(c.path, want);
    assert_string_equal(c.name, "default");
    choice_free(&c);
    /* empty counts as unset */
    c = pick("", NULL, t->lib);
    assert_string_equal(c.path, want);
    assert_string_equal(c.name, "default");
    choice_free(&c);
    free(want);
    /* a default.yaml in a path directory overrides the library's */
    write_file(t->p1, "default.yaml", "x");
    c = pick(NULL, t->p1, t->lib);
    want = join(t->p1, "default.yaml");
    assert_string_equal(c.path, want);
    free(want);
    choice_free(&c);
}

static void test_default_without_library_is_embedded(void **state) {
    tree *t = *state;
    scenario_choice c = pick(NULL, NULL, NULL);
    assert_null(c.path);
    assert_string_equal(c.name, "default");
    choice_free(&c);
    c = pick("", "", NULL);
    assert_null(c.path);
    choice_free(&c);
    /* a library (and path dirs) without default.yaml: the embedded copy too */
    write_file(t->lib, "other.yaml", "x");
    c = pick(NULL, t->p1, t->lib);
    assert_null(c.path);
    assert_string_equal(c.name, "default");
    choice_free(&c);
}

static void test_embedded_default(void **state) {
    (void)state;
    assert_true(DEFAULT_SCENARIO_YAML_LEN > 0);
    assert_int_equal(strlen(DEFAULT_SCENARIO_YAML), DEFAULT_SCENARIO_YAML_LEN);
    assert_non_null(strstr(DEFAULT_SCENARIO_YAML, "codex_mock: 1"));
    assert_non_null(strstr(DEFAULT_SCENARIO_YAML, "name: default"));
}

/* ---- listing ---- */

static void test_list_sorted(void **state) {
    tree *t = *state;
    write_file(t->lib, "zeta.yaml", "x");
    write_file(t->lib, "alpha.yaml", "x");
    write_file(t->lib, "Mid.yml", "x");
    write_file(t->lib, "beta-2.yaml", "x");
    write_file(t->lib, "beta.yaml", "x");
    write_file(t->lib, "notes.txt", "x");    /* not a scenario */
    write_file(t->lib, ".hidden.yaml", "x"); /* hidden */
    write_file(t->lib, "yaml", "x");         /* no extension */
    write_file(t->lib, "x.yaml.bak", "x");
    char **names = list_scenario_names(t->lib);
    const char *want[] = {"Mid", "alpha", "beta", "beta-2", "zeta"};
    size_t n = 0;
    while (names[n])
        n++;
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(names[i], want[i]);
    names_free(names);
}

static void test_list_empty_and_missing(void **state) {
    tree *t = *state;
    char **names = list_scenario_names(t->p2);
    assert_non_null(names);
    assert_null(names[0]);
    names_free(names);
    char *missing = join(t->root, "missing");
    names = list_scenario_names(missing);
    assert_non_null(names);
    assert_null(names[0]);
    names_free(names);
    free(missing);
    names = list_scenario_names(NULL);
    assert_non_null(names);
    assert_null(names[0]);
    names_free(names);
    names_free(NULL);
}

static void test_list_many(void **state) {
    tree *t = *state;
    for (int i = 99; i >= 0; i--) {
        char name[32];
        snprintf(name, sizeof name, "s%02d.yaml", i);
        write_file(t->lib, name, "x");
    }
    char **names = list_scenario_names(t->lib);
    for (int i = 0; i < 100; i++) {
        char want[32];
        snprintf(want, sizeof want, "s%02d", i);
        assert_non_null(names[i]);
        assert_string_equal(names[i], want);
    }
    assert_null(names[100]);
    names_free(names);
}

static void test_builtin_scenario_dir(void **state) {
    (void)state;
    /* beside this test binary: <build>/tests/../share/codex-mock/scenarios, when built */
    char *dir = builtin_scenario_dir();
    if (dir) {
        assert_int_equal(dir[0], '/');
        size_t n = strlen(dir);
        const char *tail = "/share/codex-mock/scenarios";
        assert_true(n > strlen(tail));
        assert_string_equal(dir + n - strlen(tail), tail);
        assert_null(strstr(dir, "/../")); /* resolved */
        struct stat st;
        assert_int_equal(stat(dir, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        free(dir);
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_name_in_builtin_dir),    T(test_path_dirs_before_builtin),
        T(test_path_list_forms),        T(test_yml_extension),
        T(test_name_with_dots),         T(test_directory_named_like_a_scenario_is_not_one),
        T(test_missing_name),           T(test_missing_name_no_dirs),
        T(test_invalid_names_rejected), T(test_slash_means_path_not_name),
        T(test_absolute_path),          T(test_relative_paths),
        T(test_missing_path),           T(test_path_is_directory),
        T(test_default_from_library),   T(test_default_without_library_is_embedded),
        T(test_embedded_default),       T(test_list_sorted),
        T(test_list_empty_and_missing), T(test_list_many),
        T(test_builtin_scenario_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
