/* Unit tests for as_diff: a fileChange's per-file diffs from the turn's git diff — an added
 * file's content, a deleted file's old content, an update's hunks with one line of context
 * (split where more than two unchanged lines part two changes), a path the diff lacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as_diff.h"

#include <stdlib.h>
#include <string.h>

/* corpus app-server-0.171.0/13: what the real server sent for each change */
static const char GIT_DIFF[] =
    "diff --git a/README.md b/README.md\n"
    "index c35ac7ea82889b39162a952914fb1f8b9273f97c..3742cc68b130b6c3305b57053f7011e798d2711c\n"
    "--- a/README.md\n"
    "+++ b/README.md\n"
    "@@ -1,3 +1,3 @@\n"
    " # Demo project\n"
    " \n"
    "-TODO: write docs\n"
    "+Docs written by the agent.\n"
    "diff --git a/hello.txt b/hello.txt\n"
    "new file mode 100644\n"
    "index 0000000000000000000000000000000000000000..0b8d64d17abf21ffa70bcb6ffd3b880951837231\n"
    "--- /dev/null\n"
    "+++ b/hello.txt\n"
    "@@ -0,0 +1,2 @@\n"
    "+Hello from apply_patch!\n"
    "+Second line.\n"
    "diff --git a/obsolete.txt b/obsolete.txt\n"
    "deleted file mode 100644\n"
    "index e3c647d090299ed73ce1630e89f2d46ed3efa5b6..0000000000000000000000000000000000000000\n"
    "--- a/obsolete.txt\n"
    "+++ /dev/null\n"
    "@@ -1 +0,0 @@\n"
    "-old stuff\n";

static char *diff_of(const char *git, const char *path, change_kind kind, bool *found) {
    buf b;
    buf_init(&b);
    *found = as_diff_for(&b, git, strlen(git), path, strlen(path), kind);
    char *s = xstrndup(b.data ? b.data : "", b.len);
    buf_free(&b);
    return s;
}

static void test_corpus_13(void **state) {
    (void)state;
    bool found;
    char *s = diff_of(GIT_DIFF, "README.md", CHANGE_UPDATE, &found);
    assert_true(found);
    assert_string_equal(s, "@@ -2,2 +2,2 @@\n \n-TODO: write docs\n+Docs written by the agent.\n");
    free(s);
    s = diff_of(GIT_DIFF, "hello.txt", CHANGE_ADD, &found);
    assert_true(found);
    assert_string_equal(s, "Hello from apply_patch!\nSecond line.\n");
    free(s);
    s = diff_of(GIT_DIFF, "obsolete.txt", CHANGE_DELETE, &found);
    assert_true(found);
    assert_string_equal(s, "old stuff\n");
    free(s);
    s = diff_of(GIT_DIFF, "README", CHANGE_UPDATE, &found); /* a prefix is not the path */
    assert_false(found);
    assert_string_equal(s, "");
    free(s);
    s = diff_of("", "README.md", CHANGE_UPDATE, &found);
    assert_false(found);
    free(s);
}

/* Two changes three unchanged lines apart: one git hunk, two hunks with one line of context;
 * two lines apart: one hunk. */
static void test_context_radius(void **state) {
    (void)state;
    bool found;
    const char *three = "diff --git a/f b/f\n"
                        "--- a/f\n"
                        "+++ b/f\n"
                        "@@ -1,9 +1,9 @@\n"
                        " a\n"
                        "-b\n"
                        "+B\n"
                        " c\n"
                        " d\n"
                        " e\n"
                        "-f\n"
                        "+F\n"
                        " g\n"
                        " h\n"
                        " i\n";
    char *s = diff_of(three, "f", CHANGE_UPDATE, &found);
    assert_true(found);
    assert_string_equal(s, "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -5,3 +5,3 @@\n e\n-f\n+F\n g\n");
    free(s);
    const char *two = "diff --git a/f b/f\n"
                      "@@ -1,6 +1,7 @@\n"
                      "-a\n"
                      "+A\n"
                      " b\n"
                      " c\n"
                      "-d\n"
                      "+D\n"
                      "+E\n"
                      " e\n"
                      " f\n";
    s = diff_of(two, "f", CHANGE_UPDATE, &found);
    assert_string_equal(s, "@@ -1,5 +1,6 @@\n-a\n+A\n b\n c\n-d\n+D\n+E\n e\n");
    free(s);
}

/* "\ No newline at end of file": an added file's content ends without one. */
static void test_no_newline(void **state) {
    (void)state;
    bool found;
    const char *git = "diff --git a/n b/n\n"
                      "new file mode 100644\n"
                      "--- /dev/null\n"
                      "+++ b/n\n"
                      "@@ -0,0 +1 @@\n"
                      "+last\n"
                      "\\ No newline at end of file\n";
    char *s = diff_of(git, "n", CHANGE_ADD, &found);
    assert_true(found);
    assert_string_equal(s, "last");
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_corpus_13),
                                       cmocka_unit_test(test_context_radius),
                                       cmocka_unit_test(test_no_newline)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
