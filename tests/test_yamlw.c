/* yamlw: scalars come back from the loader byte for byte; JSON becomes flow YAML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scenario_load.h"
#include "yamlw.h"

#include <stdlib.h>
#include <string.h>

/* Writes `message: <scalar>` into a scenario, loads it, returns the message text. */
static void round_trip(const char *s, size_t len) {
    buf y;
    buf_init(&y);
    buf_puts(&y, "codex_mock: 1\nsteps:\n  - message: ");
    assert_int_equal(yamlw_scalar(&y, s, len), 0);
    buf_puts(&y, "\n");
    scenario sc;
    diag err;
    diag_init(&err);
    int rc = scenario_load_mem("t.yaml", y.data, y.len, &sc, &err);
    if (rc != 0) fail_msg("%s\n%s", err.msg, y.data);
    const mstr *t = &sc.turns[0].steps[0].u.item.u.text.text;
    assert_int_equal(t->len, len);
    assert_memory_equal(t->ptr, s, len);
    scenario_free(&sc);
    diag_free(&err);
    buf_free(&y);
}

static void test_scalars_round_trip(void **state) {
    (void)state;
    const char *cases[] = {"hello",
                           "item_0",
                           "true",
                           "null",
                           "123",
                           "1.5",
                           "-x",
                           "a: b",
                           "#x",
                           "  lead",
                           "trail ",
                           "quote\"s",
                           "back\\slash",
                           "tab\there",
                           "line\nbreak\r\n",
                           "\x1b[90mgrey\x1b[0m",
                           "del\x7f",
                           "ünïcödé ’",
                           "\xc2\x85nel",
                           "\xe2\x80\xa8ls\xe2\x80\xa9ps",
                           "\xef\xbb\xbf"
                           "bom",
                           "emoji \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x92\xbb",
                           "{flow}",
                           "[x]",
                           "*alias",
                           "&anchor",
                           "!tag",
                           "%dir",
                           "@at",
                           "`tick",
                           "~",
                           "",
                           NULL};
    for (size_t i = 0; cases[i]; i++)
        round_trip(cases[i], strlen(cases[i]));
    round_trip("nul\0inside", 10);
}

static void test_plain_only_when_safe(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    yamlw_scalar(&b, "item.completed", 14);
    assert_string_equal(b.data, "item.completed");
    buf_reset(&b);
    yamlw_scalar(&b, "yes", 3);
    assert_string_equal(b.data, "\"yes\"");
    buf_reset(&b);
    yamlw_scalar(&b, "01a1fd0a", 8);
    assert_string_equal(b.data, "\"01a1fd0a\"");
    buf_free(&b);
}

static void test_invalid_utf8_refused(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    assert_int_equal(yamlw_quoted(&b, "a\xff", 2), -1);
    assert_int_equal(b.len, 0);
    assert_false(yamlw_valid_utf8("\xed\xa0\x80", 3)); /* a surrogate */
    assert_true(yamlw_valid_utf8("\xe2\x80\x99", 3));
    buf_free(&b);
}

static void test_json_flow(void **state) {
    (void)state;
    cJSON *v = cJSON_Parse("{\"type\":\"x\",\"n\":3,\"f\":0.5,\"a\":[true,null,\"s\"],"
                           "\"id\":\"a\",\"id\":\"b\"}");
    buf b;
    buf_init(&b);
    assert_int_equal(yamlw_json(&b, v), 0);
    /* `n` is a YAML 1.1 boolean, so even as a key it is quoted */
    assert_string_equal(b.data, "{type: x, \"n\": 3, f: 0.5, a: [true, null, s], id: a, id: b}");
    buf_free(&b);
    cJSON_Delete(v);
}

/* tests/regress/convert_jsonl/invalid-utf8-key-in-event.jsonl: a key that is not UTF-8 made
 * yamlw_json() fail after writing half the mapping, and convert.c's fallback `{}` went after
 * it: the scenario did not parse. A failure now appends nothing. */
static void test_json_failure_appends_nothing(void **state) {
    (void)state;
    cJSON *v = cJSON_Parse("{\"type\":\"x\",\"item\":{\"a\":1,\"b\\u00ff\":[\"s\"]}}");
    /* cJSON holds \u00ff as UTF-8; make the key's bytes invalid */
    cJSON *item = cJSON_GetObjectItemCaseSensitive(v, "item");
    item->child->next->string[1] = '\xff';
    buf b;
    buf_init(&b);
    buf_puts(&b, "event: ");
    assert_int_equal(yamlw_json(&b, v), -1);
    assert_string_equal(b.data, "event: ");
    buf_free(&b);
    cJSON_Delete(v);
}

/* tests/regress/convert_rollout/invalid-utf8-item-type.jsonl, convert_jsonl/newline-in-description:
 * convert quotes input in `# ` comments (notes, the description); a byte that is not UTF-8
 * or a line break there broke the scenario. */
static void test_comment_text_stays_a_comment(void **state) {
    (void)state;
    const char text[] = "a\xff\x9f\rb: [\n\xe2\x80\xa8"
                        "c\x01\td\xc2\x85\xe2\x80\x99";
    buf y;
    buf_init(&y);
    buf_puts(&y, "# ");
    yamlw_comment_text(&y, text, sizeof text - 1);
    assert_string_equal(y.data, "# a\xef\xbf\xbd\xef\xbf\xbd b: [ \xef\xbf\xbd"
                                "c\xef\xbf\xbd d\xef\xbf\xbd"
                                "\xe2\x80\x99");
    buf_puts(&y, "\ncodex_mock: 1\nsteps: []\n");
    scenario sc;
    diag err;
    diag_init(&err);
    assert_int_equal(scenario_load_mem("t.yaml", y.data, y.len, &sc, &err), 0);
    scenario_free(&sc);
    buf_free(&y);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars_round_trip),
        cmocka_unit_test(test_plain_only_when_safe),
        cmocka_unit_test(test_invalid_utf8_refused),
        cmocka_unit_test(test_json_flow),
        cmocka_unit_test(test_json_failure_appends_nothing),
        cmocka_unit_test(test_comment_text_stays_a_comment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
