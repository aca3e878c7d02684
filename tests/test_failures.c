/* Unit tests for src/engine/failures.c: every catalogue entry through its parameters, against the
 * texts of docs/behaviour.md#failure-texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "failures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *msg(const char *name, const failure_params *p, int64_t now) {
    const failure_kind *k = failure_find(name, strlen(name));
    if (!k) fail_msg("no failure named %s", name);
    buf b;
    buf_init(&b);
    failure_message(&b, k, p, now);
    return buf_detach(&b);
}

#define EXPECT(name, params, now, want)                                                            \
    do {                                                                                           \
        failure_params p_ = params;                                                                \
        char *got_ = msg(name, &p_, now);                                                          \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static int utc(void **state) {
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    return 0;
}

static void test_http_statuses(void **state) {
    (void)state;
    EXPECT("unauthorized_401",
           ((failure_params){.message = "Incorrect API key provided: mk-123.",
                             .url = "http://127.0.0.1:18765/v1/responses"}),
           0,
           "unexpected status 401 Unauthorized: Incorrect API key provided: mk-123., url: "
           "http://127.0.0.1:18765/v1/responses");
    EXPECT("unauthorized_401",
           ((failure_params){.message = "Incorrect API key provided.",
                             .url = "http://h/v1/responses",
                             .request_id = "req_fake_6617"}),
           0,
           "unexpected status 401 Unauthorized: Incorrect API key provided., url: "
           "http://h/v1/responses, request id: req_fake_6617");
    EXPECT("forbidden_403", ((failure_params){.message = "nope", .url = "u"}), 0,
           "unexpected status 403 Forbidden: nope, url: u");
    EXPECT("cloudflare_403",
           ((failure_params){.url = "https://x/v1/responses", .cf_ray = "abc-SJC"}), 0,
           "Access blocked by Cloudflare. This usually happens when connecting from a restricted "
           "region (status 403 Forbidden), url: https://x/v1/responses, cf-ray: abc-SJC");
    EXPECT("not_found_404", ((failure_params){.url = "u"}), 0,
           "unexpected status 404 Not Found: Unknown error, url: u");
    EXPECT("bad_request_400", ((failure_params){0}), 0,
           "{\"error\":{\"message\":\"Invalid value for model\",\"type\":\"invalid_request_error\","
           "\"param\":\"model\",\"code\":null}}");
    EXPECT("bad_request_400", ((failure_params){.body = "{\"error\": 1}"}), 0, "{\"error\": 1}");
    EXPECT("model_not_found", ((failure_params){.model = "some-nonexistent-model"}), 0,
           "The model `some-nonexistent-model` does not exist or you do not have access to it.");
    EXPECT("context_window_exceeded", ((failure_params){0}), 0,
           "Codex ran out of room in the model's context window. Start a new thread or clear "
           "earlier history before retrying.");
    EXPECT("rate_limit_429", ((failure_params){0}), 0,
           "exceeded retry limit, last status: 429 Too Many Requests");
    EXPECT("rate_limit_429", ((failure_params){.request_id = "req_1"}), 0,
           "exceeded retry limit, last status: 429 Too Many Requests, request id: req_1");
    EXPECT("insufficient_quota", ((failure_params){0}), 0,
           "Quota exceeded. Check your plan and billing details.");
    EXPECT(
        "server_error_500", ((failure_params){0}), 0,
        "We\xe2\x80\x99re currently experiencing high demand, which may cause temporary errors.");
    EXPECT("bad_gateway_502", ((failure_params){.body = "upstream down", .url = "u"}), 0,
           "unexpected status 502 Bad Gateway: upstream down, url: u");
    EXPECT("service_unavailable_503", ((failure_params){.url = "u"}), 0,
           "unexpected status 503 Service Unavailable: Service Unavailable, url: u");
    EXPECT("overloaded_503", ((failure_params){0}), 0,
           "Selected model is at capacity. Please try a different model.");
}

static void test_stream_and_local(void **state) {
    (void)state;
    EXPECT("stream_closed", ((failure_params){0}), 0,
           "stream disconnected before completion: stream closed before response.completed");
    EXPECT("idle_timeout", ((failure_params){0}), 0,
           "stream disconnected before completion: idle timeout waiting for SSE");
    EXPECT("stream_error",
           ((failure_params){.message = "Transport error: network error: error decoding response "
                                        "body"}),
           0,
           "stream disconnected before completion: Transport error: network error: error "
           "decoding response body");
    EXPECT("connection_failed", ((failure_params){0}), 0,
           "Connection failed: error sending request");
    EXPECT("missing_api_key", ((failure_params){0}), 0,
           "Missing environment variable: `CODEX_API_KEY`.");
    EXPECT("missing_env_var", ((failure_params){.env_var = "MOCK_API_KEY"}), 0,
           "Missing environment variable: `MOCK_API_KEY`.");
    EXPECT("workspace_out_of_credits", ((failure_params){.owner = true}), 0,
           "Your workspace is out of credits. Add credits to continue.");
    EXPECT("workspace_out_of_credits", ((failure_params){0}), 0,
           "Your workspace is out of credits. Ask your workspace owner to refill in order to "
           "continue.");
    EXPECT("spend_cap", ((failure_params){.owner = true}), 0,
           "You hit your spend cap set in your workspace. Increase your spend cap to continue.");
    EXPECT("spend_cap", ((failure_params){0}), 0,
           "You hit your spend cap set by the owner of your workspace. Ask an owner to increase "
           "your spend cap to continue.");
}

/* 2026-11-21T07:38:03Z (the recording of trace 10) and its resets_at, 11:20 the same day */
#define NOW INT64_C(1795246683)
#define RESETS INT64_C(1795260000)

static void test_usage_limit_texts(void **state) {
    (void)state;
    const char *pre = "You\xe2\x80\x99ve hit your usage limit. ";
    struct {
        const char *plan;
        const char *tail;
    } plans[] = {
        {"plus", "Upgrade to Pro (https://chatgpt.com/explore/pro), visit "
                 "https://chatgpt.com/settings/usage to purchase more credits or try again at "
                 "11:20 AM."},
        {"pro", "Visit https://chatgpt.com/settings/usage to purchase more credits or try again at "
                "11:20 AM."},
        {"free", "Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or "
                 "try again at 11:20 AM."},
        {"go", "Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or "
               "try again at 11:20 AM."},
        {"team", "To get more access now, send a request to your admin or try again at 11:20 AM."},
        {"enterprise", "Try again at 11:20 AM."},
        {"edu", "Try again at 11:20 AM."},
    };
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        failure_params p = {.plan = plans[i].plan, .has_resets_at = true, .resets_at = RESETS};
        char *got = msg("usage_limit", &p, NOW);
        char want[512];
        snprintf(want, sizeof want, "%s%s", pre, plans[i].tail);
        assert_string_equal(got, want);
        free(got);
    }
    /* no reset time */
    EXPECT("usage_limit", ((failure_params){.plan = "pro"}), NOW,
           "You\xe2\x80\x99ve hit your usage limit. Visit https://chatgpt.com/settings/usage to "
           "purchase more credits or try again later.");
    EXPECT("usage_limit", ((failure_params){.plan = "enterprise"}), NOW,
           "You\xe2\x80\x99ve hit your usage limit. Try again later.");
    /* a named non-codex limit */
    EXPECT("usage_limit",
           ((failure_params){.limit_name = "GPT-5.5", .has_resets_at = true, .resets_at = RESETS}),
           NOW,
           "You\xe2\x80\x99ve hit your usage limit for GPT-5.5. Switch to another model now, or "
           "try again at 11:20 AM.");
}

static void test_reset_time_format(void **state) {
    (void)state;
    struct {
        int64_t at;
        const char *want;
    } cases[] = {
        {RESETS, "11:20 AM"},
        {NOW + 3600 * 15, "10:38 PM"}, /* same day, evening */
        {INT64_C(1795826000), "Nov 28th, 2026 12:33 AM"},
        {INT64_C(1795395600), "Nov 23rd, 2026 1:00 AM"},  /* no leading zero on the hour */
        {INT64_C(1795392000), "Nov 23rd, 2026 12:00 AM"}, /* midnight is 12 AM */
        {INT64_C(1796083200), "Dec 1st, 2026 12:00 AM"},
        {INT64_C(1796169600), "Dec 2nd, 2026 12:00 AM"},
        {INT64_C(1796947200), "Dec 11th, 2026 12:00 AM"},
        {INT64_C(1797033600), "Dec 12th, 2026 12:00 AM"},
        {INT64_C(1797120000), "Dec 13th, 2026 12:00 AM"},
        {INT64_C(1797811200), "Dec 21st, 2026 12:00 AM"},
        {INT64_C(1797944400), "Dec 22nd, 2026 1:00 PM"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf b;
        buf_init(&b);
        format_reset_time(&b, cases[i].at, NOW);
        if (strcmp(b.data, cases[i].want) != 0)
            fail_msg("case %zu: got %s want %s", i, b.data, cases[i].want);
        buf_free(&b);
    }
    /* local time: the same instant in New York is still the previous evening */
    setenv("TZ", "America/New_York", 1);
    tzset();
    buf b;
    buf_init(&b);
    format_reset_time(&b, INT64_C(1795395600), NOW);
    assert_string_equal(b.data, "Nov 22nd, 2026 8:00 PM");
    buf_free(&b);
    setenv("TZ", "UTC", 1);
    tzset();
}

static void test_catalogue(void **state) {
    (void)state;
    const char *const *names = failure_names();
    size_t n = 0;
    for (; names[n]; n++) {
        const failure_kind *k = failure_find(names[n], strlen(names[n]));
        assert_non_null(k);
        assert_string_equal(k->name, names[n]);
        assert_true(strlen(k->summary) > 10);
        /* every entry produces a non-empty message with default parameters */
        char *m = msg(names[n], &(failure_params){0}, NOW);
        assert_true(strlen(m) > 10);
        free(m);
    }
    assert_true(n >= 20);
    assert_null(failure_find("unauthorized", 12));
    /* the retry layers of docs/behaviour.md#failure-texts */
    assert_int_equal(failure_find("server_error_500", 16)->http_retries, 4);
    assert_int_equal(failure_find("server_error_500", 16)->stream_retries, 5);
    assert_int_equal(failure_find("unauthorized_401", 16)->http_retries, 0);
    assert_int_equal(failure_find("unauthorized_401", 16)->stream_retries, 5);
    assert_int_equal(failure_find("overloaded_503", 14)->stream_retries, 0);
    assert_int_equal(failure_find("bad_request_400", 15)->stream_retries, 0);
    assert_int_equal(failure_find("usage_limit", 11)->stream_retries, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_statuses),     cmocka_unit_test(test_stream_and_local),
        cmocka_unit_test(test_usage_limit_texts), cmocka_unit_test(test_reset_time_format),
        cmocka_unit_test(test_catalogue),
    };
    return cmocka_run_group_tests(tests, utc, NULL);
}
