#include "failures.h"

#include <string.h>
#include <time.h>

/* http_retries: 4 for 5xx and transport errors, 0 for 4xx
 * (docs/behaviour.md#retries-and-reconnects); stream_retries: the default stream_max_retries (5)
 * where the real CLI retries the turn. */
#define FAILURE_KINDS(X)                                                                           \
    X("unauthorized_401", "HTTP 401: bad or expired key; 5 visible retries, then fails", 0, 5,     \
      false)                                                                                       \
    X("forbidden_403", "HTTP 403; 5 visible retries, then fails", 0, 5, false)                     \
    X("cloudflare_403", "HTTP 403 from Cloudflare (restricted region); 5 retries", 0, 5, false)    \
    X("not_found_404", "HTTP 404 (empty body); 5 retries", 0, 5, false)                            \
    X("bad_request_400", "HTTP 400: the raw response body, no retry", 0, 0, false)                 \
    X("model_not_found", "HTTP 400/404 model_not_found: the message only, no retry", 0, 0, false)  \
    X("context_window_exceeded", "context window exceeded, no retry", 0, 0, false)                 \
    X("rate_limit_429", "HTTP 429; no retry, or 5 retries spaced by an advised delay", 0, 0, true) \
    X("usage_limit", "HTTP 429 usage_limit_reached: plan-specific text with the reset time", 0, 0, \
      false)                                                                                       \
    X("insufficient_quota", "HTTP 429 insufficient_quota, no retry", 0, 0, false)                  \
    X("server_error_500", "HTTP 500: 4 hidden request retries per attempt, 5 visible", 4, 5,       \
      false)                                                                                       \
    X("bad_gateway_502", "HTTP 502: 4 hidden request retries per attempt, 5 visible", 4, 5, false) \
    X("service_unavailable_503", "HTTP 503: 4 hidden request retries per attempt, 5 visible", 4,   \
      5, false)                                                                                    \
    X("overloaded_503", "HTTP 503 server_is_overloaded: 4 hidden retries, no notice", 4, 0, false) \
    X("stream_closed", "SSE stream closed before response.completed; 5 retries", 0, 5, false)      \
    X("idle_timeout", "no SSE data within the idle timeout; 5 retries", 0, 5, false)               \
    X("stream_error", "SSE response.failed (server_error); 5 retries", 0, 5, false)                \
    X("connection_failed", "connection refused / DNS failure; 4 hidden + 5 visible retries", 4, 5, \
      false)                                                                                       \
    X("missing_env_var", "the provider's env_key is unset: fails at once", 0, 0, false)            \
    X("missing_api_key", "no API key (CODEX_API_KEY unset): fails at once", 0, 0, false)           \
    X("workspace_out_of_credits", "workspace out of credits, no retry", 0, 0, false)               \
    X("spend_cap", "workspace spend cap reached, no retry", 0, 0, false)

#define AS_KIND(name, summary, http, stream, advised) {name, summary, http, stream, advised},
#define AS_NAME(name, summary, http, stream, advised) name,
static const failure_kind KINDS[] = {FAILURE_KINDS(AS_KIND)};
static const char *const NAMES[] = {FAILURE_KINDS(AS_NAME) NULL};

enum { N_KINDS = sizeof KINDS / sizeof KINDS[0] };

const failure_kind *failure_find(const char *name, size_t len) {
    for (size_t i = 0; i < N_KINDS; i++)
        if (strlen(KINDS[i].name) == len && memcmp(KINDS[i].name, name, len) == 0) return &KINDS[i];
    return NULL;
}

const char *const *failure_names(void) {
    return NAMES;
}

static const char *or_default(const char *v, const char *d) {
    return v && *v ? v : d;
}

static const char DEFAULT_URL[] = "https://api.openai.com/v1/responses";

/* `unexpected status <code> <reason>: <message>, url: <url>[, request id: <id>]` */
static void unexpected_status(buf *b, const char *status, const char *msg,
                              const failure_params *p) {
    buf_printf(b, "unexpected status %s: %s, url: %s", status, msg,
               or_default(p->url, DEFAULT_URL));
    if (p->request_id && *p->request_id) buf_printf(b, ", request id: %s", p->request_id);
}

static const char *ordinal_suffix(int day) {
    if (day >= 11 && day <= 13) return "th";
    switch (day % 10) {
    case 1:
        return "st";
    case 2:
        return "nd";
    case 3:
        return "rd";
    default:
        return "th";
    }
}

void format_reset_time(buf *b, int64_t resets_at, int64_t now_unix) {
    time_t t = (time_t)resets_at, now = (time_t)now_unix;
    struct tm lt, ln;
    localtime_r(&t, &lt);
    localtime_r(&now, &ln);
    int hour12 = lt.tm_hour % 12 == 0 ? 12 : lt.tm_hour % 12;
    const char *ampm = lt.tm_hour < 12 ? "AM" : "PM";
    if (lt.tm_year == ln.tm_year && lt.tm_yday == ln.tm_yday) {
        buf_printf(b, "%d:%02d %s", hour12, lt.tm_min, ampm);
        return;
    }
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    buf_printf(b, "%s %d%s, %d %d:%02d %s", months[lt.tm_mon], lt.tm_mday,
               ordinal_suffix(lt.tm_mday), lt.tm_year + 1900, hour12, lt.tm_min, ampm);
}

static void usage_limit(buf *b, const failure_params *p, int64_t now) {
    const char *plan = or_default(p->plan, "plus");
    buf_puts(b, "You\u2019ve hit your usage limit");
    if (p->limit_name && *p->limit_name) {
        buf_printf(b, " for %s. Switch to another model now, or try again ", p->limit_name);
        if (p->has_resets_at) {
            buf_puts(b, "at ");
            format_reset_time(b, p->resets_at, now);
        } else {
            buf_puts(b, "later");
        }
        buf_putc(b, '.');
        return;
    }
    buf_puts(b, ". ");
    bool known = p->has_resets_at;
    /* "… or try again at <T>." / "… or try again later." */
#define TAIL_OR()                                                                                  \
    do {                                                                                           \
        if (known) {                                                                               \
            buf_puts(b, "try again at ");                                                          \
            format_reset_time(b, p->resets_at, now);                                               \
        } else {                                                                                   \
            buf_puts(b, "try again later");                                                        \
        }                                                                                          \
        buf_putc(b, '.');                                                                          \
    } while (0)
    if (!strcmp(plan, "plus")) {
        buf_puts(b, "Upgrade to Pro (https://chatgpt.com/explore/pro), visit "
                    "https://chatgpt.com/settings/usage to purchase more credits or ");
        TAIL_OR();
    } else if (!strcmp(plan, "pro") || !strcmp(plan, "prolite")) {
        buf_puts(b, "Visit https://chatgpt.com/settings/usage to purchase more credits or ");
        TAIL_OR();
    } else if (!strcmp(plan, "free") || !strcmp(plan, "go")) {
        buf_puts(b,
                 "Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or ");
        TAIL_OR();
    } else if (!strcmp(plan, "team") || !strcmp(plan, "business") ||
               !strcmp(plan, "self_serve_business_usage_based") ||
               !strcmp(plan, "enterprise_cbp_usage_based")) {
        buf_puts(b, "To get more access now, send a request to your admin or ");
        TAIL_OR();
    } else {
        /* enterprise, edu, unknown: "Try again at <T>." */
        if (known) {
            buf_puts(b, "Try again at ");
            format_reset_time(b, p->resets_at, now);
        } else {
            buf_puts(b, "Try again later");
        }
        buf_putc(b, '.');
    }
#undef TAIL_OR
}

void failure_message(buf *b, const failure_kind *k, const failure_params *p, int64_t now_unix) {
    const char *n = k->name;
    if (!strcmp(n, "unauthorized_401")) {
        unexpected_status(b, "401 Unauthorized",
                          or_default(p->message, "Incorrect API key provided: sk-proj-********"
                                                 "************************abcd. You can find your "
                                                 "API key at "
                                                 "https://platform.openai.com/account/api-keys."),
                          p);
    } else if (!strcmp(n, "forbidden_403")) {
        unexpected_status(b, "403 Forbidden",
                          or_default(p->message, "You are not allowed to sample from this model"),
                          p);
    } else if (!strcmp(n, "cloudflare_403")) {
        buf_printf(b,
                   "Access blocked by Cloudflare. This usually happens when connecting from a "
                   "restricted region (status 403 Forbidden), url: %s, cf-ray: %s",
                   or_default(p->url, DEFAULT_URL), or_default(p->cf_ray, "8f1c2a3b4d5e6f70-SJC"));
    } else if (!strcmp(n, "not_found_404")) {
        unexpected_status(b, "404 Not Found", or_default(p->message, "Unknown error"), p);
    } else if (!strcmp(n, "bad_request_400")) {
        buf_puts(b, or_default(p->body, "{\"error\":{\"message\":\"Invalid value for "
                                        "model\",\"type\":\"invalid_request_error\",\"param\":"
                                        "\"model\",\"code\":null}}"));
    } else if (!strcmp(n, "model_not_found")) {
        if (p->message && *p->message)
            buf_puts(b, p->message);
        else
            buf_printf(b, "The model `%s` does not exist or you do not have access to it.",
                       or_default(p->model, "gpt-5.5"));
    } else if (!strcmp(n, "context_window_exceeded")) {
        buf_puts(b, "Codex ran out of room in the model's context window. Start a new thread or "
                    "clear earlier history before retrying.");
    } else if (!strcmp(n, "rate_limit_429")) {
        buf_puts(b, "exceeded retry limit, last status: 429 Too Many Requests");
        if (p->request_id && *p->request_id) buf_printf(b, ", request id: %s", p->request_id);
    } else if (!strcmp(n, "usage_limit")) {
        usage_limit(b, p, now_unix);
    } else if (!strcmp(n, "insufficient_quota")) {
        buf_puts(b, "Quota exceeded. Check your plan and billing details.");
    } else if (!strcmp(n, "server_error_500")) {
        buf_puts(b, "We\u2019re currently experiencing high demand, which may cause temporary "
                    "errors.");
    } else if (!strcmp(n, "bad_gateway_502")) {
        unexpected_status(b, "502 Bad Gateway", or_default(p->body, "Bad Gateway"), p);
    } else if (!strcmp(n, "service_unavailable_503")) {
        unexpected_status(b, "503 Service Unavailable", or_default(p->body, "Service Unavailable"),
                          p);
    } else if (!strcmp(n, "overloaded_503")) {
        buf_puts(b, "Selected model is at capacity. Please try a different model.");
    } else if (!strcmp(n, "stream_closed")) {
        buf_puts(b, "stream disconnected before completion: stream closed before "
                    "response.completed");
    } else if (!strcmp(n, "idle_timeout")) {
        buf_puts(b, "stream disconnected before completion: idle timeout waiting for SSE");
    } else if (!strcmp(n, "stream_error")) {
        buf_printf(b, "stream disconnected before completion: %s",
                   or_default(p->message, "An error occurred while processing your request."));
    } else if (!strcmp(n, "connection_failed")) {
        buf_puts(b, "Connection failed: error sending request");
    } else if (!strcmp(n, "missing_env_var") || !strcmp(n, "missing_api_key")) {
        buf_printf(b, "Missing environment variable: `%s`.",
                   or_default(p->env_var, "CODEX_API_KEY"));
    } else if (!strcmp(n, "workspace_out_of_credits")) {
        buf_puts(b, p->owner ? "Your workspace is out of credits. Add credits to continue."
                             : "Your workspace is out of credits. Ask your workspace owner to "
                               "refill in order to continue.");
    } else if (!strcmp(n, "spend_cap")) {
        buf_puts(b, p->owner ? "You hit your spend cap set in your workspace. Increase your "
                               "spend cap to continue."
                             : "You hit your spend cap set by the owner of your workspace. Ask "
                               "an owner to increase your spend cap to continue.");
    }
}
