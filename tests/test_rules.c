/* Unit tests for src/state/rules.c: loading, errors with positions, matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *write_tmp(const char *text) {
    char *path = strdup("/tmp/codex-mock-rules-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static const char RULES[] = "codex_mock_rules: 1\n"
                            "rules:\n"
                            "  - name: sdk\n"
                            "    match:\n"
                            "      flags: [--experimental-json, --sandbox=workspace-write]\n"
                            "      env: {CI: \"true\", SDK: null}\n"
                            "    scenario: a\n"
                            "  - name: second-call\n"
                            "    match: {invocation: 2, command: exec}\n"
                            "    sequence: [b, c]\n"
                            "    per: thread\n"
                            "  - name: tests\n"
                            "    match: {prompt: \"^fix .*tests$\", cwd: \"/repo$\"}\n"
                            "    scenario: d\n"
                            "  - scenario: fallback\n";

static void test_match(void **state) {
    (void)state;
    char *path = write_tmp(RULES);
    rules rs;
    diag err;
    diag_init(&err);
    assert_int_equal(rules_load(path, &rs, &err), 0);
    assert_int_equal(rs.n, 4);
    assert_string_equal(rs.v[3].name, "rule-4");
    assert_true(rs.v[1].per_thread);
    assert_int_equal(rs.v[1].n_scenarios, 2);
    const char *argv_sdk[] = {"exec", "--experimental-json", "--sandbox", "workspace-write", NULL};
    const char *env_ci[] = {"CI=true", "SDK=1", NULL};
    rule_input in = {.prompt = "hi",
                     .cwd = "/x",
                     .command = "exec",
                     .argv = argv_sdk,
                     .argc = 4,
                     .envp = env_ci,
                     .invocation = 1};
    assert_string_equal(rules_match(&rs, &in)->name, "sdk");
    const char *env_other[] = {"CI=false", "SDK=1", NULL};
    in.envp = env_other;
    assert_string_equal(rules_match(&rs, &in)->name, "rule-4");
    in.invocation = 2;
    assert_string_equal(rules_match(&rs, &in)->name, "second-call");
    in.invocation = 3;
    in.prompt = "fix the tests";
    in.cwd = "/home/me/repo";
    assert_string_equal(rules_match(&rs, &in)->name, "tests");
    in.cwd = "/home/me/repo/sub";
    assert_string_equal(rules_match(&rs, &in)->name, "rule-4");
    /* --flag=value is found in either spelling */
    const char *argv_eq[] = {"exec", "--experimental-json", "--sandbox=workspace-write", NULL};
    in.argv = argv_eq;
    in.argc = 3;
    in.envp = env_ci;
    assert_string_equal(rules_match(&rs, &in)->name, "sdk");
    rules_free(&rs);
    unlink(path);
    free(path);
}

static void test_errors(void **state) {
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"rules: []\n", ":1:1: a rules file starts with 'codex_mock_rules: 1'"},
        {"codex_mock_rules: 1\nrulez: []\n",
         ":2:1: unknown key 'rulez' in a rules file (did you mean 'rules'?)"},
        {"codex_mock_rules: 1\nrules:\n  - match: {prompt: \"(\"}\n    scenario: a\n",
         ":3:21: bad regular expression for 'prompt': "},
        {"codex_mock_rules: 1\nrules:\n  - match: {}\n",
         ":3:5: a rule names a 'scenario' or a 'sequence' (one of them)"},
        {"codex_mock_rules: 1\nrules:\n  - scenario: a\n    sequence: [b]\n",
         ":3:5: a rule names a 'scenario' or a 'sequence' (one of them)"},
        {"codex_mock_rules: 1\nrules:\n  - match: {invocation: 0}\n    scenario: a\n",
         ":3:25: 'invocation' is a number from 1 (the Nth call)"},
        {"codex_mock_rules: 1\nrules:\n  - match: {command: login}\n    scenario: a\n",
         ":3:22: 'command' is exec, resume, fork, review or app-server"},
        {"codex_mock_rules: 1\nrules:\n  - scenario: a\n    per: call\n",
         ":4:10: 'per' is rule or thread"},
        {"codex_mock_rules: 1\nrules:\n  - match: {promt: x}\n    scenario: a\n",
         ":3:13: unknown key 'promt' in match (did you mean 'prompt'?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = write_tmp(cases[i].text);
        rules rs;
        diag err;
        diag_init(&err);
        assert_int_equal(rules_load(path, &rs, &err), -1);
        char *got = diag_format(&err);
        char want[512];
        snprintf(want, sizeof want, "codex-mock: %s%s", path, cases[i].want);
        if (strncmp(got, want, strlen(want)) != 0)
            fail_msg("case %zu:\n got %s\nwant %s", i, got, want);
        free(got);
        diag_free(&err);
        unlink(path);
        free(path);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_match), cmocka_unit_test(test_errors)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
