/* Unit tests for src/engine/template.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "template.h"

#include <stdlib.h>
#include <string.h>

static char *expand(const char *s, const template_vars *v) {
    buf b;
    buf_init(&b);
    template_expand(&b, s, strlen(s), v);
    return buf_detach(&b);
}

static void test_expand(void **state) {
    (void)state;
    const char *env[] = {"USER=ada", "HOME=/h", NULL};
    template_vars v = {.prompt = "fix it",
                       .thread_id = "t-1",
                       .cwd = "/w",
                       .envp = env,
                       .invocation = 3,
                       .now = "2026-11-21T07:38:03.000Z"};
    char *s = expand("{{prompt}}|{{ thread_id }}|{{cwd}}|{{env.USER}}|{{env.NOPE}}|{{invocation}}|"
                     "{{now}}",
                     &v);
    assert_string_equal(s, "fix it|t-1|/w|ada||3|2026-11-21T07:38:03.000Z");
    free(s);
    s = expand("no placeholders {here} or {{unclosed", &v);
    assert_string_equal(s, "no placeholders {here} or {{unclosed");
    free(s);
    s = expand("{{env.HOME}}{{env.HOMEX}}", &v); /* a name is matched whole */
    assert_string_equal(s, "/h");
    free(s);
    /* a prompt holding a placeholder is not expanded again: substituted, never executed */
    template_vars w = v;
    w.prompt = "{{cwd}}";
    s = expand("{{prompt}}", &w);
    assert_string_equal(s, "{{cwd}}");
    free(s);
}

/* {{braces}} is a literal `{{`: how a scenario writes text that looks like a placeholder */
static void test_braces(void **state) {
    (void)state;
    template_vars v = {.prompt = "p", .cwd = "/w"};
    char *s = expand("{{braces}}cwd}} is {{cwd}}", &v); /* one pass: not read again */
    assert_string_equal(s, "{{cwd}} is /w");
    free(s);
    s = expand("{{braces}}{{braces}}x}}}}", &v);
    assert_string_equal(s, "{{{{x}}}}");
    free(s);
    s = expand("{{ braces }}HOME}}", &v);
    assert_string_equal(s, "{{HOME}}");
    free(s);
    const char *bad;
    size_t n;
    /* what would not load written plainly loads with the escape */
    assert_int_equal(template_check("{{HOME}}", 8, &bad, &n), -1);
    assert_int_equal(template_check("{{braces}}HOME}}", 16, &bad, &n), 0);
    assert_int_equal(template_check("{{brace}}", 9, &bad, &n), -1);
}

/* {{cwd_parent}}: the folder holding the working directory (a path outside the workspace) */
static void test_cwd_parent(void **state) {
    (void)state;
    template_vars v = {.cwd = "/run/x/work"};
    char *s = expand("touch {{cwd_parent}}/outside.txt", &v);
    assert_string_equal(s, "touch /run/x/outside.txt");
    free(s);
    v.cwd = "/work";
    s = expand("{{cwd_parent}}", &v);
    assert_string_equal(s, "/");
    free(s);
    const char *bad;
    size_t n;
    assert_int_equal(template_check("{{cwd_parent}}", 14, &bad, &n), 0);
}

static void test_check(void **state) {
    (void)state;
    const char *bad;
    size_t n;
    assert_true(template_present("a{{b", 4));
    assert_false(template_present("a{b}", 4));
    assert_int_equal(template_check("{{prompt}} {{env.A_1}}", 22, &bad, &n), 0);
    assert_int_equal(template_check("x {{promt}} y", 13, &bad, &n), -1);
    assert_int_equal(n, 9);
    assert_memory_equal(bad, "{{promt}}", 9);
    assert_int_equal(template_check("{{env.1A}}", 10, &bad, &n), -1);
    assert_int_equal(template_check("{{env.}}", 8, &bad, &n), -1);
    assert_int_equal(template_check("{{ $(rm -rf /) }}", 17, &bad, &n), -1);
    assert_int_equal(template_check("{{unclosed", 10, &bad, &n), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_expand), cmocka_unit_test(test_braces),
                                       cmocka_unit_test(test_cwd_parent),
                                       cmocka_unit_test(test_check)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
