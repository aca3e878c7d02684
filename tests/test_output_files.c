/* output_files: -o open/write semantics, schema loading and checking (atomic writes:
 * test_fileio). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"
#include "output_files.h"

#include <sys/stat.h>

static char *dir;

static int setup(void **state) {
    (void)state;
    dir = e2e_tmpdir();
    return dir ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    e2e_rmtree(dir);
    return 0;
}

static void test_last_message(void **state) {
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    char *err = NULL;
    assert_int_equal(last_message_open(path, &err), 0);
    size_t len = 99;
    char *got = read_file(path, &len);
    assert_int_equal(len, 0); /* created, empty */
    free(got);
    assert_int_equal(last_message_open(dir, &err), -1);
    char want[4300];
    snprintf(want, sizeof want,
             "Error: Failed to open last message file \"%s\": Is a directory (os error 21)", dir);
    assert_string_equal(err, want);
    free(err);

    last_message_state st;
    sink s = sink_last_message(&st, path);
    buf out, e;
    buf_init(&out);
    buf_init(&e);
    play_end failed = {END_EXIT, 1, false, true, "no", 2};
    s.on_end(s.ctx, &failed, &out, &e);
    got = read_file(path, &len);
    assert_int_equal(len, 0);
    free(got);
    play_end ok = {END_EXIT, 0, true, false, "a\0b", 3};
    s.on_end(s.ctx, &ok, &out, &e);
    got = read_file(path, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(got, "a\0b", 3);
    free(got);
    play_end none = {END_EXIT, 0, true, false, NULL, 0};
    s.on_end(s.ctx, &none, &out, &e);
    got = read_file(path, &len);
    assert_int_equal(len, 0);
    free(got);
    assert_int_equal(out.len + e.len, 0);
    buf_free(&out);
    buf_free(&e);
}

static void test_schema(void **state) {
    (void)state;
    cJSON *schema = NULL;
    char *err = NULL;
    char *p = e2e_write(dir, "s.json", "{\"type\":\"object\",\"required\":[\"a\"]}");
    assert_int_equal(output_schema_load(p, &schema, &err), 0);
    free(p);
    p = e2e_write(dir, "latin1.json", "\"caf\xe9\"");
    cJSON *none = NULL;
    assert_int_equal(output_schema_load(p, &none, &err), -1);
    char want[4400];
    snprintf(want, sizeof want,
             "Failed to read output schema file %s: stream did not contain valid UTF-8", p);
    assert_string_equal(err, want);
    free(err);
    free(p);
    p = e2e_write(dir, "num.json", "42"); /* any JSON value is accepted at load time */
    assert_int_equal(output_schema_load(p, &none, &err), 0);
    cJSON_Delete(none);
    free(p);

    schema_state st;
    sink s = sink_output_schema(&st, schema, "s.json", false);
    buf out, e;
    buf_init(&out);
    buf_init(&e);
    play_end good = {END_EXIT, 0, true, false, "{\"a\":1}", 7};
    s.on_end(s.ctx, &good, &out, &e);
    assert_false(st.mismatch);
    assert_int_equal(e.len, 0);
    play_end text = {END_EXIT, 0, true, false, "{\"a\":1} trailing", 16};
    s.on_end(s.ctx, &text, &out, &e);
    assert_true(st.mismatch);
    assert_string_equal(e.data, "codex-mock: the final message does not satisfy --output-schema "
                                "s.json: it is not JSON\n");
    buf_reset(&e);
    s = sink_output_schema(&st, schema, "s.json", true);
    play_end missing = {END_EXIT, 0, true, false, "{}", 2};
    s.on_end(s.ctx, &missing, &out, &e);
    assert_true(st.mismatch);
    assert_string_equal(e.data, "codex-mock: the final message does not satisfy --output-schema "
                                "s.json: /: missing required property 'a' (strict: exit 1)\n");
    buf_free(&out);
    buf_free(&e);
    cJSON_Delete(schema);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_last_message),
                                       cmocka_unit_test(test_schema)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
