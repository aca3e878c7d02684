/* json_check: serde_json's error texts and positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "json_check.h"

#include <string.h>

static void expect(const char *text, const char *msg) {
    buf b;
    buf_init(&b);
    bool ok = json_check(text, strlen(text), &b);
    if (!msg) {
        if (!ok) fail_msg("'%s' should be valid: %s", text, b.data);
    } else {
        if (ok) fail_msg("'%s' should be invalid", text);
        assert_string_equal(b.data, msg);
    }
    buf_free(&b);
}

static void test_valid(void **state) {
    (void)state;
    expect("{}", NULL);
    expect(" [1, -2.5e+3, 0, true, false, null, \"a\\u00e9\\ud83d\\ude00\\n\"] \n", NULL);
    expect("{\"a\":{\"b\":[{}]}}", NULL);
    expect("\"x\"", NULL);
    expect("0.0", NULL);
}

static void test_errors(void **state) {
    (void)state;
    expect("", "EOF while parsing a value at line 1 column 0");
    expect("   ", "EOF while parsing a value at line 1 column 3");
    expect("nope", "expected ident at line 1 column 2");
    expect("tru", "EOF while parsing a value at line 1 column 3");
    expect("x", "expected value at line 1 column 1");
    expect("{", "EOF while parsing an object at line 1 column 1");
    expect("[", "EOF while parsing a list at line 1 column 1");
    expect("[1,]", "trailing comma at line 1 column 4");
    expect("[,1]", "expected value at line 1 column 2");
    expect("[1 2]", "expected `,` or `]` at line 1 column 4");
    expect("{\"a\":1 \"b\":2}", "expected `,` or `}` at line 1 column 8");
    expect("{1:2}", "key must be a string at line 1 column 2");
    expect("{\"a\" 1}", "expected `:` at line 1 column 6");
    expect("{\"a\":1,}", "trailing comma at line 1 column 8");
    expect("\"abc", "EOF while parsing a string at line 1 column 4");
    expect("\"a\\x\"", "invalid escape at line 1 column 4");
    expect("\"a\tb\"", "control character (\\u0000-\\u001F) found while parsing a string at line 1 "
                       "column 3");
    expect("\"\\udc00\"", "lone leading surrogate in hex escape at line 1 column 7");
    expect("\"\\ud800x\"", "unexpected end of hex escape at line 1 column 8");
    expect("01", "invalid number at line 1 column 2");
    expect("-", "EOF while parsing a value at line 1 column 1");
    expect("-a", "invalid number at line 1 column 2");
    expect("1.", "EOF while parsing a value at line 1 column 2");
    expect("1.x", "invalid number at line 1 column 3");
    expect("1e", "EOF while parsing a value at line 1 column 2");
    expect("{} x", "trailing characters at line 1 column 4");
    expect("{\n  \"a\": 1,\n  \"b\"\n}", "expected `:` at line 4 column 1");
    char deep[300];
    memset(deep, '[', 200);
    deep[200] = '\0';
    expect(deep, "recursion limit exceeded at line 1 column 128");
}

static void test_utf8(void **state) {
    (void)state;
    assert_true(json_utf8_valid("h\xc3\xa9", 3));
    assert_false(json_utf8_valid("h\xc3", 2));
    assert_false(json_utf8_valid("\xed\xa0\x80", 3)); /* a surrogate */
    assert_false(json_utf8_valid("\xc0\x80", 2));     /* overlong */
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_valid), cmocka_unit_test(test_errors),
                                       cmocka_unit_test(test_utf8)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
