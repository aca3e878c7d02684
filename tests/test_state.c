/* Unit tests for src/state/state.c: counters, sequences, journal, reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_counters_and_journal(void **state) {
    (void)state;
    char tmpl[] = "/tmp/codex-mock-state-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    char sub[512];
    snprintf(sub, sizeof sub, "%s/a/b", dir); /* created on demand */
    state_dir s;
    diag err;
    diag_init(&err);
    assert_int_equal(state_open(&s, sub, NULL, &err), 0);
    long inv = 0, pos[2];
    const char *keys[] = {"rule:x", "rule:y"};
    assert_int_equal(state_next(&s, keys, 2, &inv, pos, &err), 0);
    assert_int_equal(inv, 1);
    assert_int_equal(pos[0], 0);
    assert_int_equal(state_next(&s, keys, 1, &inv, pos, &err), 0);
    assert_int_equal(inv, 2);
    assert_int_equal(pos[0], 1);
    assert_int_equal(state_next(&s, keys + 1, 1, NULL, pos, &err), 0); /* no invocation bump */
    assert_int_equal(pos[0], 1);
    assert_int_equal(state_journal_append(&s, "{\"a\":1}", 7, &err), 0);
    assert_int_equal(state_journal_append(&s, "{\"a\":2}", 7, &err), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/journal.jsonl", sub);
    FILE *f = fopen(path, "r");
    char text[64] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_string_equal(text, "{\"a\":1}\n{\"a\":2}\n");
    assert_int_equal(state_reset(&s, &err), 0);
    assert_int_equal(state_next(&s, NULL, 0, &inv, NULL, &err), 0);
    assert_int_equal(inv, 1); /* counting starts again */
    state_close(&s);
    /* a directory that cannot be made */
    assert_int_equal(state_open(&s, "/proc/nope/state", NULL, &err), -1);
    assert_null(err.file); /* no position: the message names the directory */
    assert_non_null(strstr(err.msg, "CODEX_MOCK_STATE: cannot create /proc/nope/state"));
    diag_free(&err);
    state_close(&s);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_counters_and_journal)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
