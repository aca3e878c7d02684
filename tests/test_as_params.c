/* Unit tests for as_params and as_methods: serde's texts for wrong types, missing fields and
 * unknown methods (corpus 04). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as_methods.h"
#include "as_params.h"

#include <string.h>

static void test_wrong_types(void **state) {
    (void)state;
    cJSON *p =
        cJSON_Parse("{\"cwd\":42,\"f\":1.5,\"s\":\"x\",\"b\":true,\"a\":[],\"m\":{},\"n\":null}");
    const char *keys[] = {"cwd", "f", "b", "a", "m"};
    const char *want[] = {"invalid type: integer `42`, expected a string",
                          "invalid type: floating point `1.5`, expected a string",
                          "invalid type: boolean `true`, expected a string",
                          "invalid type: sequence, expected a string",
                          "invalid type: map, expected a string"};
    for (size_t i = 0; i < 5; i++) {
        buf err;
        buf_init(&err);
        const char *out = NULL;
        assert_int_equal(as_param_string(p, keys[i], false, &out, &err), -1);
        assert_string_equal(err.data, want[i]);
        buf_free(&err);
    }
    buf err;
    buf_init(&err);
    const char *out = NULL;
    assert_int_equal(as_param_string(p, "n", false, &out, &err), 1);
    assert_int_equal(as_param_string(p, "absent", false, &out, &err), 1);
    assert_int_equal(as_param_string(p, "s", true, &out, &err), 0);
    assert_string_equal(out, "x");
    assert_int_equal(as_param_string(p, "threadId", true, &out, &err), -1);
    assert_string_equal(err.data, "missing field `threadId`");
    buf_reset(&err);
    bool b = false;
    assert_int_equal(as_param_bool(p, "s", false, &b, &err), -1);
    assert_string_equal(err.data, "invalid type: string \"x\", expected a boolean");
    buf_free(&err);
    cJSON_Delete(p);
}

static void test_params_must_be_a_map(void **state) {
    (void)state;
    cJSON *p = cJSON_Parse("[1]");
    buf err;
    buf_init(&err);
    assert_int_equal(as_params_struct(p, "ThreadStartParams", &err), -1);
    assert_string_equal(err.data, "invalid type: sequence, expected struct ThreadStartParams");
    buf_free(&err);
    cJSON_Delete(p);
}

static void test_method_table(void **state) {
    (void)state;
    assert_int_equal(AS_N_METHODS, 192);
    assert_string_equal(AS_METHODS[0].name, "initialize");
    assert_non_null(as_method_find("thread/start"));
    assert_null(as_method_find("no/such/method"));
    assert_true(as_method_find("account/logout")->params_optional);
    assert_false(as_method_find("thread/list")->params_optional);
    buf b;
    buf_init(&b);
    as_method_unknown(&b, "no/such/method");
    assert_true(!strncmp(b.data,
                         "Invalid request: unknown variant `no/such/method`, expected one of "
                         "`initialize`, `server/diagnostics`, ",
                         100));
    assert_true(b.len > 4000);
    assert_string_equal(b.data + b.len - 29, "`fuzzyFileSearch/sessionStop`");
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_params_must_be_a_map),
        cmocka_unit_test(test_method_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
