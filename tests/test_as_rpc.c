/* Unit tests for as_rpc and as_write: serde's classification of JSON-RPC lines (corpus 04, 05
 * and reference §9) and the real key order of what the server writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as_rpc.h"
#include "as_write.h"

#include <string.h>

static as_msg_kind kind_of(const char *line, as_msg *m) {
    as_rpc_parse(line, strlen(line), m);
    return m->kind;
}

static void expect_invalid(const char *line, const char *error) {
    as_msg m;
    assert_int_equal(kind_of(line, &m), AS_MSG_INVALID);
    assert_string_equal(m.error.data, error);
    as_rpc_free(&m);
}

static void test_not_json_gets_serde_text(void **state) {
    (void)state;
    expect_invalid("this is not json", "expected ident at line 1 column 2");
    expect_invalid("{\"id\": 70, \"method\": ", "EOF while parsing a value at line 1 column 21");
    expect_invalid("", "EOF while parsing a value at line 1 column 0");
}

static void test_no_variant(void **state) {
    (void)state;
    const char *no = "data did not match any variant of untagged enum JSONRPCMessage";
    expect_invalid("[1,2,3]", no);
    expect_invalid("{\"id\":91}", no);
    expect_invalid("{\"id\":1,\"method\":7}", no);
    expect_invalid("42", no);
}

static void test_requests_and_ids(void **state) {
    (void)state;
    as_msg m;
    assert_int_equal(kind_of("{\"jsonrpc\":\"2.0\",\"id\":80,\"method\":\"thread/list\","
                             "\"params\":{}}",
                             &m),
                     AS_MSG_REQUEST);
    assert_false(m.id.is_string);
    assert_int_equal(m.id.i, 80);
    assert_string_equal(m.method, "thread/list");
    assert_true(m.has_params);
    as_rpc_free(&m);

    assert_int_equal(kind_of("{\"id\":\"req-alpha\",\"method\":\"x\"}", &m), AS_MSG_REQUEST);
    assert_true(m.id.is_string);
    assert_string_equal(m.id.s, "req-alpha");
    assert_false(m.has_params);
    as_rpc_free(&m);

    assert_int_equal(kind_of("{\"id\":-0,\"method\":\"x\"}", &m), AS_MSG_REQUEST);
    assert_int_equal(m.id.i, 0);
    as_rpc_free(&m);

    assert_int_equal(kind_of("{\"id\":-7,\"method\":\"x\",\"params\":{}}", &m), AS_MSG_REQUEST);
    assert_int_equal(m.id.i, -7);
    as_rpc_free(&m);
}

/* Ids that are not integers or strings make the Request variant fail: the line is a
 * Notification, which is why such requests are never answered (corpus 04). */
static void test_odd_ids_are_notifications(void **state) {
    (void)state;
    const char *lines[] = {"{\"id\":1.5,\"method\":\"x\",\"params\":{}}",
                           "{\"id\":null,\"method\":\"x\",\"params\":{}}",
                           "{\"id\":1.0,\"method\":\"x\"}",
                           "{\"id\":1e2,\"method\":\"x\"}",
                           "{\"id\":true,\"method\":\"x\"}",
                           "{\"id\":{\"a\":1},\"method\":\"x\"}",
                           "{\"id\":99999999999999999999,\"method\":\"x\"}",
                           "{\"method\":\"initialized\"}"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        as_msg m;
        assert_int_equal(kind_of(lines[i], &m), AS_MSG_NOTIFICATION);
        as_rpc_free(&m);
    }
}

static void test_responses(void **state) {
    (void)state;
    as_msg m;
    assert_int_equal(kind_of("{\"id\":90,\"result\":{}}", &m), AS_MSG_RESPONSE);
    assert_int_equal(m.id.i, 90);
    as_rpc_free(&m);
    assert_int_equal(kind_of("{\"error\":{\"code\":1,\"message\":\"m\"},\"id\":0}", &m),
                     AS_MSG_ERROR);
    as_rpc_free(&m);
}

static void test_raw_member_skips_nested_values(void **state) {
    (void)state;
    const char *t = "{\"params\":{\"id\":\"inner\",\"s\":\"}\\\"\"},\"id\" : 12}";
    const char *p;
    size_t n;
    assert_true(as_rpc_raw_member(t, strlen(t), "id", &p, &n));
    assert_int_equal(n, 2);
    assert_memory_equal(p, "12", 2);
    assert_false(as_rpc_raw_member(t, strlen(t), "method", &p, &n));
}

static void test_writer_key_order(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    as_id num = {.i = 3}, str = {.is_string = true, .s = "a\"b", .len = 3};
    asw_response(&b, &num, "{}", 2);
    asw_error(&b, &str, -32600, "Not initialized");
    asw_notification(&b, "thread/started", "{\"x\":1}", 7, 1796418423732);
    asw_server_request(&b, "item/commandExecution/requestApproval", 0, "{}", 2);
    assert_string_equal(
        b.data,
        "{\"id\":3,\"result\":{}}\n"
        "{\"error\":{\"code\":-32600,\"message\":\"Not initialized\"},\"id\":\"a\\\"b\"}\n"
        "{\"method\":\"thread/started\",\"params\":{\"x\":1},\"emittedAtMs\":1796418423732}\n"
        "{\"method\":\"item/commandExecution/requestApproval\",\"id\":0,\"params\":{}}\n");
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_json_gets_serde_text),
        cmocka_unit_test(test_no_variant),
        cmocka_unit_test(test_requests_and_ids),
        cmocka_unit_test(test_odd_ids_are_notifications),
        cmocka_unit_test(test_responses),
        cmocka_unit_test(test_raw_member_skips_nested_values),
        cmocka_unit_test(test_writer_key_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
