/* Unit tests for src/state/journal.c: the journal line of one invocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "journal.h"

#include <cJSON.h>
#include <string.h>

static const char *fake_env(const char *name) {
    if (!strcmp(name, "CODEX_MOCK_SPEED")) return "0";
    if (!strcmp(name, "CODEX_HOME")) return "/h/\"quoted\"";
    if (!strcmp(name, "OPENAI_API_KEY")) return "sk-secret";
    return NULL;
}

static const char *no_env(const char *name) {
    (void)name;
    return NULL;
}

static cJSON *format(const journal_entry *e, const char *(*lookup)(const char *), buf *b) {
    buf_init(b);
    journal_format(b, e, lookup);
    assert_null(memchr(b->data, '\n', b->len)); /* one line, the caller adds the newline */
    cJSON *j = cJSON_ParseWithLength(b->data, b->len);
    assert_non_null(j);
    return j;
}

static const char *str(const cJSON *j, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

static void test_full_entry(void **state) {
    (void)state;
    char *argv[] = {"codex", "exec", "--json", "fix \"it\"\n", NULL};
    const char stdin_bytes[] = "a\0b";
    journal_entry e = {.invocation = 12,
                       .start = "2026-11-21T07:38:03.000Z",
                       .end = "2026-11-21T07:38:04.500Z",
                       .argc = 4,
                       .argv = argv,
                       .command = "exec",
                       .cwd = "/w",
                       .prompt = "fix \"it\"\n",
                       .stdin_read = true,
                       .stdin_text = stdin_bytes,
                       .stdin_len = 3,
                       .rule = "flaky",
                       .scenario = "usage-limit-429",
                       .thread_id = "01a1fd0a-7378-722c-884f-963d5c479679",
                       .exit_code = 1};
    buf b;
    cJSON *j = format(&e, fake_env, &b);
    assert_int_equal(cJSON_GetObjectItem(j, "invocation")->valueint, 12);
    assert_string_equal(str(j, "start"), "2026-11-21T07:38:03.000Z");
    assert_string_equal(str(j, "end"), "2026-11-21T07:38:04.500Z");
    const cJSON *av = cJSON_GetObjectItem(j, "argv");
    assert_int_equal(cJSON_GetArraySize(av), 4);
    assert_string_equal(cJSON_GetArrayItem(av, 3)->valuestring, "fix \"it\"\n");
    assert_string_equal(str(j, "command"), "exec");
    assert_string_equal(str(j, "prompt"), "fix \"it\"\n");
    assert_non_null(strstr(b.data, "\"stdin\":\"a\\u0000b\"")); /* NUL kept, escaped */
    const cJSON *env = cJSON_GetObjectItem(j, "env");
    assert_string_equal(str(env, "CODEX_MOCK_SPEED"), "0");
    assert_string_equal(str(env, "CODEX_HOME"), "/h/\"quoted\"");
    assert_string_equal(str(env, "OPENAI_API_KEY"), "<set>"); /* never the key itself */
    assert_null(strstr(b.data, "sk-secret"));
    assert_null(cJSON_GetObjectItem(env, "CODEX_MOCK_SEED"));
    assert_string_equal(str(j, "rule"), "flaky");
    assert_string_equal(str(j, "scenario"), "usage-limit-429");
    assert_string_equal(str(j, "thread_id"), "01a1fd0a-7378-722c-884f-963d5c479679");
    assert_int_equal(cJSON_GetObjectItem(j, "exit_code")->valueint, 1);
    /* the keys in the documented order */
    const char *order[] = {"invocation", "start",     "end",      "argv", "command",
                           "cwd",        "prompt",    "stdin",    "env",  "rule",
                           "scenario",   "thread_id", "exit_code"};
    const cJSON *c = j->child;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++, c = c->next) {
        assert_non_null(c);
        assert_string_equal(c->string, order[i]);
    }
    assert_null(c);
    cJSON_Delete(j);
    buf_free(&b);
}

/* What a run that stopped early leaves: no prompt, stdin never read, no thread, no rule. */
static void test_absent_values_are_null(void **state) {
    (void)state;
    char *argv[] = {"codex", "exec", NULL};
    journal_entry e = {.invocation = 1,
                       .start = "2026-11-21T07:38:03.000Z",
                       .end = "2026-11-21T07:38:03.001Z",
                       .argc = 2,
                       .argv = argv,
                       .command = "exec",
                       .cwd = "/w",
                       .scenario = "default",
                       .thread_id = "",
                       .exit_code = 2};
    buf b;
    cJSON *j = format(&e, no_env, &b);
    const char *nulls[] = {"prompt", "stdin", "rule", "thread_id"};
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, nulls[i])));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "env")), 0);
    assert_non_null(strstr(b.data, "\"env\":{}"));
    cJSON_Delete(j);
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_entry),
        cmocka_unit_test(test_absent_values_are_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
