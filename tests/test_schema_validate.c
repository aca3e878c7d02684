/* schema_validate: every supported keyword, accept and reject, and the failure text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema_validate.h"

#include <stdlib.h>
#include <string.h>

/* Validates value against schema (both JSON texts); returns the reason ("" when valid). */
static char *why_of(const char *schema, const char *value) {
    cJSON *s = cJSON_Parse(schema), *v = cJSON_Parse(value);
    assert_non_null(s);
    assert_non_null(v);
    buf why;
    buf_init(&why);
    bool ok = schema_validate(s, v, &why);
    cJSON_Delete(s);
    cJSON_Delete(v);
    if (ok) assert_int_equal(why.len, 0);
    if (!ok) assert_true(why.len > 0);
    char *r = xstrdup(why.data ? why.data : "");
    buf_free(&why);
    return r;
}

static void ok(const char *schema, const char *value) {
    char *w = why_of(schema, value);
    if (*w) fail_msg("%s should accept %s: %s", schema, value, w);
    free(w);
}

static void bad(const char *schema, const char *value, const char *expected) {
    char *w = why_of(schema, value);
    if (!*w) fail_msg("%s should reject %s", schema, value);
    if (expected) assert_string_equal(w, expected);
    free(w);
}

static void test_type(void **state) {
    (void)state;
    ok("{\"type\":\"string\"}", "\"a\"");
    bad("{\"type\":\"string\"}", "1", "/: expected string, found number");
    ok("{\"type\":\"integer\"}", "3");
    bad("{\"type\":\"integer\"}", "3.5", "/: expected integer, found number");
    ok("{\"type\":\"number\"}", "3.5");
    ok("{\"type\":[\"string\",\"null\"]}", "null");
    bad("{\"type\":[\"string\",\"null\"]}", "true", "/: expected string or null, found boolean");
    ok("{\"type\":\"array\"}", "[]");
    ok("{\"type\":\"object\"}", "{}");
    ok("{\"type\":\"boolean\"}", "false");
    ok("true", "{\"anything\":1}");
    bad("false", "1", "/: no value is allowed here (schema false)");
    ok("{}", "[1,2]");
}

static void test_objects(void **state) {
    (void)state;
    const char *s = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},"
                    "\"b/c\":{\"type\":\"integer\"}},\"required\":[\"a\"],"
                    "\"additionalProperties\":false}";
    ok(s, "{\"a\":\"x\"}");
    ok(s, "{\"a\":\"x\",\"b/c\":2}");
    bad(s, "{}", "/: missing required property 'a'");
    bad(s, "{\"a\":1}", "/a: expected string, found number");
    bad(s, "{\"a\":\"x\",\"b/c\":\"2\"}", "/b~1c: expected integer, found string");
    bad(s, "{\"a\":\"x\",\"z\":1}", "/: property 'z' is not allowed (additionalProperties: false)");
    ok("{\"additionalProperties\":{\"type\":\"integer\"}}", "{\"x\":1}");
    bad("{\"additionalProperties\":{\"type\":\"integer\"}}", "{\"x\":\"1\"}",
        "/x: expected integer, found string");
}

static void test_arrays(void **state) {
    (void)state;
    const char *s = "{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"n\":"
                    "{\"type\":\"string\"}}},\"minItems\":1,\"maxItems\":2}";
    ok(s, "[{\"n\":\"a\"}]");
    bad(s, "[]", "/: 0 items, fewer than minItems 1");
    bad(s, "[{},{},{}]", "/: 3 items, more than maxItems 2");
    bad(s, "[{\"n\":\"a\"},{\"n\":5}]", "/1/n: expected string, found number");
    ok("{\"prefixItems\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "[\"a\",1,true]");
    bad("{\"prefixItems\":[{\"type\":\"string\"}]}", "[1]", "/0: expected string, found number");
}

static void test_enum_const(void **state) {
    (void)state;
    ok("{\"enum\":[\"a\",1,null,{\"k\":[1,2]}]}", "{\"k\":[1,2]}");
    ok("{\"enum\":[\"a\",1.0]}", "1");
    bad("{\"enum\":[\"a\",\"b\"]}", "\"c\"", "/: value is not one of the enum values");
    ok("{\"const\":{\"x\":1,\"y\":2}}", "{\"y\":2,\"x\":1}");
    bad("{\"const\":\"v\"}", "\"w\"", "/: value is not the const value");
}

static void test_combinators_and_refs(void **state) {
    (void)state;
    const char *s = "{\"$defs\":{\"name\":{\"type\":\"string\",\"minLength\":2},"
                    "\"a~b\":{\"type\":\"integer\"}},"
                    "\"anyOf\":[{\"$ref\":\"#/$defs/name\"},{\"$ref\":\"#/$defs/a~0b\"}]}";
    ok(s, "\"ab\"");
    ok(s, "7");
    bad(s, "\"a\"", "/: matches none of the anyOf alternatives");
    bad("{\"$ref\":\"#/$defs/missing\"}", "1", "/: cannot resolve $ref '#/$defs/missing'");
    ok("{\"definitions\":{\"x\":{\"type\":\"null\"}},\"properties\":{\"p\":{\"$ref\":"
       "\"#/definitions/x\"}}}",
       "{\"p\":null}");
    /* a recursive schema */
    const char *tree = "{\"type\":\"object\",\"properties\":{\"kids\":{\"type\":\"array\","
                       "\"items\":{\"$ref\":\"#\"}}},\"additionalProperties\":false}";
    ok(tree, "{\"kids\":[{\"kids\":[]},{}]}");
    bad(tree, "{\"kids\":[{\"x\":1}]}",
        "/kids/0: property 'x' is not allowed (additionalProperties: false)");
    ok("{\"allOf\":[{\"type\":\"integer\"},{\"minimum\":1}]}", "2");
    bad("{\"allOf\":[{\"type\":\"integer\"},{\"minimum\":1}]}", "0", "/: 0 is outside minimum 1");
    bad("{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":1}]}", "2",
        "/: matches 2 of the oneOf alternatives, not exactly 1");
    bad("{\"not\":{\"type\":\"null\"}}", "null", "/: matches the schema under 'not'");
    bad("{\"$ref\":\"#\"}", "1", "/: schema nesting or $ref chain deeper than 64");
}

static void test_bounds(void **state) {
    (void)state;
    ok("{\"minLength\":2,\"maxLength\":3}", "\"h\xc3\xa9\"");
    bad("{\"maxLength\":1}", "\"h\xc3\xa9\"", "/: string of 2 characters, longer than maxLength 1");
    bad("{\"minLength\":3}", "\"ab\"", "/: string of 2 characters, shorter than minLength 3");
    ok("{\"pattern\":\"^[a-z]+$\"}", "\"abc\"");
    bad("{\"pattern\":\"^[a-z]+$\"}", "\"ab1\"", "/: string does not match pattern '^[a-z]+$'");
    ok("{\"minimum\":1,\"maximum\":3}", "3");
    bad("{\"exclusiveMaximum\":3}", "3", "/: 3 is outside exclusiveMaximum 3");
    bad("{\"exclusiveMinimum\":3}", "3", "/: 3 is outside exclusiveMinimum 3");
    ok("{\"minimum\":1}", "\"not a number\""); /* bounds apply to their own type only */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type),
        cmocka_unit_test(test_objects),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_enum_const),
        cmocka_unit_test(test_combinators_and_refs),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
