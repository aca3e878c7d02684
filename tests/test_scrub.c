/* scrub: default rules, env values, user filters (whole match or group 1), filter files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scrub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *apply(const scrubber *s, const char *in) {
    return scrub_apply(s, in, strlen(in), NULL);
}

static void test_defaults(void **state) {
    (void)state;
    char *env[] = {"OPENAI_API_KEY=abcdefgh12345", "MY_TOKEN=tok-1234567", "SHORT_KEY=abc",
                   "PATH=/usr/bin", NULL};
    scrubber s;
    scrub_init(&s);
    scrub_defaults(&s, env);
    char *o = apply(&s, "key sk-proj-ABCDEFGHIJKLMNOPQRST and Authorization: Bearer eyJhbGciOi.x");
    assert_string_equal(o, "key <SECRET> and Authorization: Bearer <SECRET>");
    free(o);
    o = apply(&s,
              "{\"k\":\"abcdefgh12345\",\"t\":\"tok-1234567\",\"s\":\"abc\",\"p\":\"/usr/bin\"}");
    assert_string_equal(o, "{\"k\":\"<OPENAI_API_KEY>\",\"t\":\"<MY_TOKEN>\",\"s\":\"abc\","
                           "\"p\":\"/usr/bin\"}");
    free(o);
    assert_true(scrub_sensitive_name("aws_secret_access"));
    assert_false(scrub_sensitive_name("HOME"));
    scrub_free(&s);
}

static void test_filters(void **state) {
    (void)state;
    scrubber s;
    scrub_init(&s);
    diag err;
    diag_init(&err);
    assert_int_equal(scrub_add_filter(&s, "EMAIL=[a-z]+@example\\.com", &err), 0);
    assert_int_equal(scrub_add_filter(&s, "ACCOUNT=account=([0-9]+)", &err), 0);
    char *o = apply(&s, "mail bob@example.com and alice@example.com, account=12345!");
    assert_string_equal(o, "mail <EMAIL> and <EMAIL>, account=<ACCOUNT>!");
    free(o);
    assert_int_equal(scrub_add_filter(&s, "noequals", &err), -1);
    assert_non_null(strstr(err.msg, "NAME=REGEX"));
    assert_int_equal(scrub_add_filter(&s, "BAD=([", &err), -1);
    assert_non_null(strstr(err.msg, "bad filter pattern"));
    diag_free(&err);
    scrub_free(&s);
}

static void test_binary_and_file(void **state) {
    (void)state;
    scrubber s;
    scrub_init(&s);
    scrub_add_literal(&s, "PW", "hunter22");
    size_t n;
    char *o = scrub_apply(&s, "a hunter22\0b hunter22", 21, &n);
    assert_int_equal(n, 13);
    assert_memory_equal(o, "a <PW>\0b <PW>", n);
    free(o);
    char path[] = "/tmp/scrub-test-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\n\nNUM=[0-9]{3}\n", f);
    fclose(f);
    diag err;
    diag_init(&err);
    assert_int_equal(scrub_add_file(&s, path, &err), 0);
    o = apply(&s, "x 123 y");
    assert_string_equal(o, "x <NUM> y");
    free(o);
    f = fopen(path, "w");
    fputs("OK=a\nbroken\n", f);
    fclose(f);
    assert_int_equal(scrub_add_file(&s, path, &err), -1);
    assert_int_equal(err.line, 2);
    unlink(path);
    diag_free(&err);
    scrub_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_binary_and_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
