/* lint: the lifecycle rules, each pointed at the step that breaks it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lint.h"
#include "scenario_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static findings lint_text(const char *yaml) {
    scenario sc;
    diag err;
    diag_init(&err);
    if (scenario_load_mem("t.yaml", yaml, strlen(yaml), &sc, &err) != 0)
        fail_msg("does not load: %s", err.msg);
    findings f = {0};
    lint_scenario(&sc, &f);
    scenario_free(&sc);
    diag_free(&err);
    return f;
}

static bool has(const findings *f, finding_level lv, int line, const char *text) {
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].level == lv && f->v[i].line == line && strstr(f->v[i].msg, text)) return true;
    for (size_t i = 0; i < f->n; i++)
        print_message("  %d:%d %s\n", f->v[i].line, f->v[i].col, f->v[i].msg);
    return false;
}

static void test_clean_scenario(void **state) {
    (void)state;
    findings f = lint_text("codex_mock: 1\nsteps:\n  - message: hi\n  - command: ls\n");
    assert_int_equal(f.n, 0);
    findings_free(&f);
}

static void test_rules(void **state) {
    (void)state;
    findings f =
        lint_text("codex_mock: 1\n"
                  "implicit_events: false\n"
                  "steps:\n"
                  "  - event: {type: turn.started}\n"   /* 4 */
                  "  - event: {type: thread.started}\n" /* 5 */
                  "  - event: {type: item.started, item: {id: a, type: agent_message, text: x}}\n"
                  "  - event: {type: item.completed, item: {id: a, type: agent_message, text: x}}\n"
                  "  - event: {type: item.completed, item: {id: a, type: agent_message, text: y}}\n"
                  "  - event: {type: error, message: one}\n"                /* 9 */
                  "  - event: {type: turn.failed, error: {message: two}}\n" /* 10 */
                  "  - event: {type: turn.completed}\n");                   /* 11 */
    assert_true(has(&f, FIND_ERROR, 4, "first event is turn.started"));
    assert_true(has(&f, FIND_ERROR, 6, "never get item.started"));
    assert_true(has(&f, FIND_ERROR, 8, "used again"));
    assert_true(has(&f, FIND_ERROR, 10, "same message"));
    assert_true(has(&f, FIND_ERROR, 11, "second terminal event"));
    assert_true(has(&f, FIND_ERROR, 11, "after the turn ended"));
    findings_free(&f);
}

/* Thousands of ids (past every growth of the id index): a reused id is still found, at its
 * own line, and nothing else is reported. */
static void test_many_ids(void **state) {
    (void)state;
    enum { N = 5000 };
    size_t cap = (size_t)N * 120 + 256, len = 0;
    char *yaml = malloc(cap);
    len += (size_t)snprintf(yaml + len, cap - len, "codex_mock: 1\nsteps:\n");
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(yaml + len, cap - len,
                                "  - event: {type: item.completed, item: {id: m%d, type: "
                                "agent_message, text: x}}\n",
                                i);
    /* line 3 + N: m4321 completed again */
    snprintf(
        yaml + len, cap - len,
        "  - event: {type: item.completed, item: {id: m4321, type: agent_message, text: y}}\n");
    findings f = lint_text(yaml);
    assert_true(has(&f, FIND_ERROR, 3 + N, "item id 'm4321' is used again (it completed at 4324:"));
    assert_int_equal(f.errors, 1);
    findings_free(&f);
    free(yaml);
}

static void test_warnings(void **state) {
    (void)state;
    findings f = lint_text(
        "codex_mock: 1\n"
        "implicit_events: false\n"
        "turns:\n"
        "  - steps:\n"
        "      - event: {type: thread.started}\n"
        "      - event: {type: turn.started}\n"
        "      - event: {type: item.started, item: {type: command_execution, command: ls}}\n"
        "      - exit: 0\n");
    assert_int_equal(f.errors, 0);
    assert_true(has(&f, FIND_WARNING, 4, "no turn.completed"));
    assert_true(has(&f, FIND_WARNING, 7, "never completes"));
    findings_free(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_scenario),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_many_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
