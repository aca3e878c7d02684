/* Unit tests for settings: every CODEX_MOCK_* variable through settings_from_env() over a fixed
 * table (no process environment), values and errors; CODEX_MOCK_SPEED and CODEX_MOCK_SEED in
 * detail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scenario_load.h"
#include "settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mock_settings ok(const char *speed, const char *seed) {
    mock_settings s;
    diag err;
    diag_init(&err);
    int rc = settings_parse(speed, seed, &s, &err);
    if (rc != 0)
        fail_msg("speed=%s seed=%s failed: %s", speed ? speed : "(unset)", seed ? seed : "(unset)",
                 err.msg ? err.msg : "(no message)");
    assert_null(err.msg); /* success leaves the diag untouched */
    diag_free(&err);
    return s;
}

/* Fails the test unless parsing fails; returns the formatted message (caller frees). */
static char *bad(const char *speed, const char *seed) {
    mock_settings s;
    diag err;
    diag_init(&err);
    int rc = settings_parse(speed, seed, &s, &err);
    if (rc != -1)
        fail_msg("speed=%s seed=%s was accepted", speed ? speed : "(unset)",
                 seed ? seed : "(unset)");
    assert_non_null(err.msg);
    assert_null(err.file); /* an environment problem, not a file position */
    char *text = diag_format(&err);
    diag_free(&err);
    return text;
}

static void test_defaults(void **state) {
    (void)state;
    mock_settings s = ok(NULL, NULL);
    assert_true(s.speed == 1.0);
    assert_false(s.has_seed);
    assert_true(s.seed == 0);
    /* empty strings count as unset */
    s = ok("", "");
    assert_true(s.speed == 1.0);
    assert_false(s.has_seed);
}

static void test_speed_values(void **state) {
    (void)state;
    assert_true(ok("1", NULL).speed == 1.0);
    assert_true(ok("0", NULL).speed == 0.0);
    assert_true(ok("10", NULL).speed == 10.0);
    assert_true(ok("0.5", NULL).speed == 0.5);
    assert_true(ok("2.5", NULL).speed == 2.5);
    assert_true(ok("1000000", NULL).speed == 1e6);
    assert_true(ok("1e3", NULL).speed == 1000.0);
    assert_true(ok("0.0", NULL).speed == 0.0);
    assert_true(ok("-0", NULL).speed == 0.0);
}

static void test_speed_errors(void **state) {
    (void)state;
    const char *bad_speeds[] = {"-1",       "-0.5",  "abc", "fast", "1x",  "10 ",
                                "1,5",      "1.5.2", "nan", "NaN",  "inf", "-inf",
                                "infinity", "1e999", "--1", ".",    "-",   "e5"};
    for (size_t i = 0; i < sizeof bad_speeds / sizeof bad_speeds[0]; i++) {
        char *msg = bad(bad_speeds[i], NULL);
        /* the message names the variable, what it accepts, and echoes the value */
        assert_non_null(strstr(msg, "CODEX_MOCK_SPEED"));
        assert_non_null(strstr(msg, ">= 0"));
        char quoted[64];
        snprintf(quoted, sizeof quoted, "'%s'", bad_speeds[i]);
        if (!strstr(msg, quoted)) fail_msg("message does not quote the value: %s", msg);
        free(msg);
    }
}

static void test_speed_error_exact_text(void **state) {
    (void)state;
    char *msg = bad("slow", NULL);
    assert_string_equal(msg, "codex-mock: CODEX_MOCK_SPEED must be a number >= 0 (0 instant, 1 "
                             "real pace, 10 ten times faster), not 'slow'");
    free(msg);
}

static void test_seed_values(void **state) {
    (void)state;
    mock_settings s = ok(NULL, "0");
    assert_true(s.has_seed);
    assert_true(s.seed == 0);
    s = ok(NULL, "42");
    assert_true(s.has_seed);
    assert_true(s.seed == 42);
    s = ok(NULL, "18446744073709551615"); /* 2^64 - 1 */
    assert_true(s.seed == UINT64_MAX);
    s = ok(NULL, "007");
    assert_true(s.seed == 7);            /* decimal, not octal */
    s = ok(NULL, "9223372036854775808"); /* above INT64_MAX */
    assert_true(s.seed == UINT64_C(9223372036854775808));
}

static void test_seed_errors(void **state) {
    (void)state;
    const char *bad_seeds[] = {"-1",
                               " -1",
                               "-0",
                               "18446744073709551616",
                               "99999999999999999999",
                               "abc",
                               "12a",
                               "1.5",
                               "1e3",
                               "0x10",
                               " 5",
                               "5 ",
                               "+5",
                               "\t7",
                               "-"};
    for (size_t i = 0; i < sizeof bad_seeds / sizeof bad_seeds[0]; i++) {
        char *msg = bad(NULL, bad_seeds[i]);
        assert_non_null(strstr(msg, "CODEX_MOCK_SEED"));
        assert_non_null(strstr(msg, "18446744073709551615"));
        char quoted[64];
        snprintf(quoted, sizeof quoted, "'%s'", bad_seeds[i]);
        if (!strstr(msg, quoted)) fail_msg("message does not quote the value: %s", msg);
        free(msg);
    }
}

static void test_seed_error_exact_text(void **state) {
    (void)state;
    char *msg = bad(NULL, "-1");
    assert_string_equal(msg, "codex-mock: CODEX_MOCK_SEED must be a whole number from 0 to "
                             "18446744073709551615, not '-1'");
    free(msg);
}

static void test_both(void **state) {
    (void)state;
    mock_settings s = ok("0", "123");
    assert_true(s.speed == 0.0);
    assert_true(s.has_seed);
    assert_true(s.seed == 123);
    /* a bad seed fails even with a good speed, and vice versa */
    free(bad("2", "x"));
    free(bad("x", "2"));
}

static void test_error_does_not_depend_on_errno(void **state) {
    (void)state;
    /* a stale errno from earlier calls must not turn a good value into an error */
    errno = ERANGE;
    mock_settings s = ok("2", "5");
    assert_true(s.speed == 2.0);
    assert_true(s.seed == 5);
}

/* An environment as a NULL-terminated list of "NAME=value" strings. */
static const char *table_lookup(void *ctx, const char *name) {
    const char *const *env = ctx;
    size_t n = strlen(name);
    for (; *env; env++)
        if (!strncmp(*env, name, n) && (*env)[n] == '=') return *env + n + 1;
    return NULL;
}

static mock_settings env_ok(const char *const *env) {
    mock_settings s;
    diag err;
    diag_init(&err);
    if (settings_from_env(table_lookup, (void *)env, &s, &err) != 0)
        fail_msg("rejected: %s", err.msg ? err.msg : "(no message)");
    diag_free(&err);
    return s;
}

/* The formatted error for an environment that must be rejected (caller frees). */
static char *env_bad(const char *const *env) {
    mock_settings s;
    diag err;
    diag_init(&err);
    if (settings_from_env(table_lookup, (void *)env, &s, &err) != -1) fail_msg("accepted");
    char *text = diag_format(&err);
    diag_free(&err);
    return text;
}

static void test_env_defaults(void **state) {
    (void)state;
    const char *env[] = {"HOME=/h", "CODEX_MOCK_RULES=", NULL};
    mock_settings s = env_ok(env);
    assert_true(s.speed == 1.0);
    assert_false(s.has_seed);
    assert_false(s.has_now);
    assert_false(s.has_chaos);
    assert_int_equal(s.stream_above, SCENARIO_STREAM_ABOVE);
    assert_int_equal(s.schema, SCHEMA_MODE_UNSET);
    assert_null(s.version);
    assert_null(s.scenario);
    assert_null(s.rules); /* empty counts as unset */
    assert_null(s.state_dir);
    assert_null(s.explain);
}

static void test_env_every_value(void **state) {
    (void)state;
    const char *env[] = {"CODEX_MOCK_VERSION=0.171.0",
                         "CODEX_MOCK_SPEED=2.5",
                         "CODEX_MOCK_SEED=42",
                         "CODEX_MOCK_NOW=2026-11-21T07:38:03Z",
                         "CODEX_MOCK_STREAM_ABOVE=1024",
                         "CODEX_MOCK_CHAOS=reconnect=0.5,stall_for=2s",
                         "CODEX_MOCK_SCHEMA=strict",
                         "CODEX_MOCK_SCENARIO=rate-limit-429",
                         "CODEX_MOCK_SCENARIO_PATH=/a:/b",
                         "CODEX_MOCK_RULES=/r.yaml",
                         "CODEX_MOCK_STATE=/state",
                         "CODEX_MOCK_EXPLAIN=/dev/null",
                         "CODEX_MOCK_REAL_CODEX=/usr/bin/codex",
                         NULL};
    mock_settings s = env_ok(env);
    assert_string_equal(s.version, "0.171.0");
    assert_true(s.speed == 2.5);
    assert_true(s.has_seed && s.seed == 42);
    assert_true(s.has_now);
    assert_int_equal(s.now_ms, INT64_C(1795246683000));
    assert_int_equal(s.stream_above, 1024);
    assert_true(s.has_chaos && s.chaos.enabled);
    assert_true(s.chaos.reconnect == 0.5);
    assert_int_equal(s.chaos.stall_ns, INT64_C(2000000000));
    assert_int_equal(s.schema, SCHEMA_MODE_STRICT);
    assert_string_equal(s.scenario, "rate-limit-429");
    assert_string_equal(s.scenario_path, "/a:/b");
    assert_string_equal(s.rules, "/r.yaml");
    assert_string_equal(s.state_dir, "/state");
    assert_string_equal(s.explain, "/dev/null");
    assert_string_equal(s.real_codex, "/usr/bin/codex");
    const char *warn[] = {"CODEX_MOCK_SCHEMA=warn", NULL};
    assert_int_equal(env_ok(warn).schema, SCHEMA_MODE_WARN);
}

/* Every malformed variable is named with its value and what it accepts. */
static void test_env_errors(void **state) {
    (void)state;
    static const struct {
        const char *var;
        const char *want;
    } cases[] = {
        {"CODEX_MOCK_SCHEMA=bogus",
         "codex-mock: CODEX_MOCK_SCHEMA must be 'warn' or 'strict', not 'bogus'"},
        {"CODEX_MOCK_STREAM_ABOVE=abc", "codex-mock: CODEX_MOCK_STREAM_ABOVE: expected a size in "
                                        "bytes such as 8388608, found 'abc'"},
        {"CODEX_MOCK_STREAM_ABOVE=-1", "codex-mock: CODEX_MOCK_STREAM_ABOVE: expected a size in "
                                       "bytes such as 8388608, found '-1'"},
        {"CODEX_MOCK_NOW=yesterday", "codex-mock: CODEX_MOCK_NOW must be Unix seconds "
                                     "(1795260000) or UTC RFC 3339 (2026-11-21T07:38:03Z), not "
                                     "'yesterday'"},
        {"CODEX_MOCK_SPEED=fast", "codex-mock: CODEX_MOCK_SPEED must be a number >= 0 (0 "
                                  "instant, 1 real pace, 10 ten times faster), not 'fast'"},
        {"CODEX_MOCK_VERSION=one", "codex-mock: CODEX_MOCK_VERSION: expected a version such as "
                                   "0.171.0, 0.169.0 or 0.60.0 (or 'legacy'), found 'one'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *env[] = {cases[i].var, NULL};
        char *got = env_bad(env);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
    const char *chaos[] = {"CODEX_MOCK_CHAOS=explode=1", NULL};
    char *got = env_bad(chaos);
    assert_non_null(strstr(got, "CODEX_MOCK_CHAOS"));
    free(got);
    /* the first malformed one in the documented order is reported */
    const char *two[] = {"CODEX_MOCK_SCHEMA=x", "CODEX_MOCK_SEED=y", NULL};
    got = env_bad(two);
    assert_non_null(strstr(got, "CODEX_MOCK_SEED"));
    free(got);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_speed_values),
        cmocka_unit_test(test_speed_errors),
        cmocka_unit_test(test_speed_error_exact_text),
        cmocka_unit_test(test_seed_values),
        cmocka_unit_test(test_seed_errors),
        cmocka_unit_test(test_seed_error_exact_text),
        cmocka_unit_test(test_both),
        cmocka_unit_test(test_error_does_not_depend_on_errno),
        cmocka_unit_test(test_env_defaults),
        cmocka_unit_test(test_env_every_value),
        cmocka_unit_test(test_env_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
