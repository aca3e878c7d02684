/* auth: the masking rule, login/status/logout texts and codes, auth.json, key precedence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth.h"
#include "e2e.h"

static char *home;

static int setup(void **state) {
    (void)state;
    home = e2e_tmpdir();
    return home ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    e2e_rmtree(home);
    return 0;
}

static void test_mask(void **state) {
    (void)state;
    const char *cases[][2] = {{"sk-test-1234567890abcdef", "sk-test-***bcdef"},
                              {"12345678901234", "12345678***01234"},
                              {"1234567890123", "***"},
                              {"", "***"}};
    for (size_t i = 0; i < 4; i++) {
        buf b;
        buf_init(&b);
        auth_mask(&b, cases[i][0]);
        assert_string_equal(b.data, cases[i][1]);
        buf_free(&b);
    }
}

static int status(bool legacy, const char *expected) {
    buf err;
    buf_init(&err);
    int code = auth_status(home, legacy, &err);
    assert_string_equal(err.data ? err.data : "", expected);
    buf_free(&err);
    return code;
}

static void test_login_cycle(void **state) {
    (void)state;
    buf err;
    buf_init(&err);
    assert_string_equal(auth_login_notice(false), "Reading API key from stdin...");
    assert_null(auth_login_notice(true));
    assert_int_equal(auth_login_api_key(home, "", 0, true, false, &err), 1);
    assert_string_equal(err.data, "--with-api-key expects the API key on stdin. Try piping it, "
                                  "e.g. `printenv OPENAI_API_KEY | codex login --with-api-key`.\n");
    buf_reset(&err);
    assert_int_equal(auth_login_api_key(home, " \t\n", 3, false, false, &err), 1);
    assert_string_equal(err.data, "No API key provided via stdin.\n");
    buf_reset(&err);
    assert_int_equal(status(false, "Not logged in\n"), 1);
    assert_false(auth_exec_has_credentials(home, NULL));
    assert_true(auth_exec_has_credentials(home, "sk-env"));
    assert_false(auth_exec_has_credentials(home, "  "));

    const char key[] = "\"quoted\"\\key-1234567\n";
    assert_int_equal(auth_login_api_key(home, key, sizeof key - 1, false, true, &err), 0);
    assert_string_equal(err.data, "Successfully logged in\n");
    char path[4200];
    snprintf(path, sizeof path, "%s/auth.json", home);
    char *json = read_file(path, NULL);
    assert_string_equal(json, "{\n  \"auth_mode\": \"apikey\",\n  \"OPENAI_API_KEY\": "
                              "\"\\\"quoted\\\"\\\\key-1234567\"\n}");
    free(json);
    assert_true(auth_exec_has_credentials(home, NULL));
    assert_int_equal(status(true, "Logged in using an API key - \"quoted\"***34567\n"), 0);
    buf_reset(&err);
    assert_int_equal(auth_logout(home, &err), 0);
    assert_string_equal(err.data, "Successfully logged out\n");
    buf_reset(&err);
    assert_int_equal(auth_logout(home, &err), 0);
    assert_string_equal(err.data, "Not logged in\n");
    buf_free(&err);
}

static void test_status_shapes(void **state) {
    (void)state;
    free(e2e_write(home, "auth.json",
                   "{\"auth_mode\":\"chatgpt\",\"OPENAI_API_KEY\":null,"
                   "\"tokens\":{\"id_token\":\"x\"}}"));
    assert_int_equal(status(false, "Logged in using ChatGPT\n"), 0);
    assert_true(auth_exec_has_credentials(home, NULL));
    free(e2e_write(home, "auth.json", "{\"OPENAI_API_KEY\":null}"));
    assert_int_equal(status(false, "Not logged in\n"), 1);
    free(e2e_write(home, "auth.json", ""));
    assert_int_equal(status(false, "Error checking login status: failed to deserialize CLI auth "
                                   "from file: EOF while parsing a value at line 1 column 0\n"),
                     1);
    assert_false(auth_exec_has_credentials(home, NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_mask),
                                       cmocka_unit_test(test_login_cycle),
                                       cmocka_unit_test(test_status_shapes)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
