/* Conformance of the failure scenarios: for each failing trace of tests/corpus, the built-in
 * scenario that reproduces it, planned at real pace over several seeds, must give the same
 * stdout bytes (thread ids and request ids aside), the same exit code, and every gap between
 * consecutive lines within the real jitter band: |ours − real| ≤ 23 % of the real gap + 10 ms
 * (both sides draw backoff and request time from ±10 %: a real gap at the low edge, 0.9 ×
 * nominal, and ours at the high edge differ by 0.2 × nominal ≈ 0.22 × real). The stderr lines that
 * matter (the WebSocket tracing lines, the patch error) are compared with their timestamps masked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "buf.h"
#include "corpus.h"
#include "event_json.h"
#include "plan.h"
#include "proc.h"
#include "scenario_load.h"
#include "settings.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *trace, *scenario;
} pair;

static const pair PAIRS[] = {
    {"09_http_401_unauthorized", "http-401-unauthorized"},
    {"10_http_429_usage_limit", "usage-limit-429"},
    {"12_http_400_bad_request", "http-400-bad-request"},
    {"13_http_500_then_success", "http-500-then-success"},
    {"15_stream_cut_retries_exhausted", "stream-cut-retries-exhausted"},
    {"22_ws_fallback_openai_base_url", "websocket-fallback"},
    {"30_sigint_during_stream", "stall-after-turn-started"},
    {"31_stream_idle_timeout_then_success", "idle-timeout-then-success"},
    {"32_stream_eof_without_completed_then_success", "reconnect-then-success"},
    {"34_missing_api_key", "missing-api-key"},
    {"41_apply_patch_failure", "apply-patch-failure"},
    {"42_slow_command_with_streaming_output", "slow-command"},
};

/* Masks "request id: X" values and RFC 3339 timestamps, then UUIDs. */
static char *mask(const char *s) {
    buf b;
    buf_init(&b);
    for (const char *p = s; *p;) {
        if (!strncmp(p, "request id: ", 12)) {
            buf_puts(&b, "request id: <id>");
            p += 12;
            while (*p && *p != ',' && *p != ')' && *p != '"' && *p != '\\')
                p++;
        } else if (p[0] >= '0' && p[0] <= '9' && strlen(p) > 20 && p[4] == '-' && p[7] == '-' &&
                   p[10] == 'T' && p[13] == ':') {
            buf_puts(&b, "<time>");
            while (*p && *p != 'Z')
                p++;
            if (*p) p++;
        } else {
            buf_putc(&b, *p++);
        }
    }
    char *u = mask_uuids(b.data ? b.data : "");
    buf_free(&b);
    return u;
}

typedef struct {
    buf out, err;
    double out_ms[64], err_ms[64];
    size_t n_out, n_err;
    int exit_code;
    bool hangs;
} planned;

static void plan_scenario(const char *name, uint64_t seed, int64_t wall_ms, planned *pl_out) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.yaml", SCENARIO_DIR, name);
    scenario sc;
    diag err;
    diag_init(&err);
    if (scenario_load_file(path, &sc, &err) != 0) fail_msg("%s: %s", name, diag_format(&err));
    rng r;
    rng_seed(&r, seed);
    plan_params p = {.sc = &sc,
                     .speed = 1,
                     .rng = &r,
                     .cwd = "{{RUN}}/work",
                     .thread_id = "01a1fd0a-0000-7000-8000-000000000000",
                     .wall_start_ms = wall_ms};
    planner pl;
    plan_init(&pl, &p);
    memset(pl_out, 0, sizeof *pl_out);
    buf_init(&pl_out->out);
    buf_init(&pl_out->err);
    action a;
    while (plan_next(&pl, &a)) {
        double ms = (double)a.raw_due_ns / 1e6;
        if (a.kind == ACT_EVENT) {
            event_write_json(&pl_out->out, &a.ev);
            pl_out->out_ms[pl_out->n_out++] = ms;
        } else if (a.kind == ACT_STDERR) {
            buf_append(&pl_out->err, a.bytes.ptr, a.bytes.len);
            pl_out->err_ms[pl_out->n_err++] = ms;
        } else if (a.kind == ACT_EXIT) {
            pl_out->exit_code = a.exit_code;
        } else if (a.kind == ACT_HANG) {
            pl_out->hangs = true;
        }
    }
    plan_free(&pl);
    scenario_free(&sc);
}

static void planned_free(planned *p) {
    buf_free(&p->out);
    buf_free(&p->err);
}

/* stderr without the stdin notice (the e2e suites check that line; plans do not print it) */
static const char *stderr_after_notice(const trace *t) {
    const char *s = t->stderr_bytes ? t->stderr_bytes : "";
    const char *nl = strchr(s, '\n');
    return !strncmp(s, "Reading ", 8) && nl ? nl + 1 : s;
}

static void check_pair(const pair *c, uint64_t seed) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", CORPUS_DIR, c->trace);
    trace t;
    if (trace_load(dir, &t) != 0) fail_msg("cannot load trace %s", dir);
    char *recorded_at = NULL;
    int64_t wall_ms = 0;
    /* trace 10's reset time is printed relative to when it was recorded */
    diag err;
    diag_init(&err);
    assert_int_equal(settings_parse_now("2026-11-21T07:38:03Z", &wall_ms, &err), 0);
    planned p;
    plan_scenario(c->scenario, seed, wall_ms, &p);
    char *want = mask(t.stdout_bytes), *got = mask(p.out.data ? p.out.data : "");
    if (strcmp(want, got) != 0)
        fail_msg("%s (seed %llu): stdout differs\n--- real\n%s--- ours\n%s", c->trace,
                 (unsigned long long)seed, want, got);
    free(want);
    free(got);
    /* exit code: a trace ended by SIGINT exits 1 after the hang is interrupted */
    int want_exit = t.exit_code;
    if (p.hangs) {
        assert_int_equal(want_exit, 1);
    } else {
        assert_int_equal(p.exit_code, want_exit);
    }
    assert_int_equal(p.n_out, t.n_out);
    for (size_t i = 1; i < t.n_out; i++) {
        double real = t.out[i].ms - t.out[i - 1].ms, ours = p.out_ms[i] - p.out_ms[i - 1];
        double tol = 0.23 * real + 10.0;
        if (ours < real - tol || ours > real + tol)
            fail_msg("%s (seed %llu): gap before line %zu is %.1f ms, the real one %.1f ms "
                     "(allowed ±%.1f)",
                     c->trace, (unsigned long long)seed, i + 1, ours, real, tol);
    }
    /* stderr lines that matter: same text (timestamps, paths masked), same count */
    char *want_err = mask(stderr_after_notice(&t));
    char *we = replace_all(want_err, "{{RUN}}/work", "/home/user/repo");
    char *got_err = mask(p.err.data ? p.err.data : "");
    if (strcmp(we, got_err) != 0)
        fail_msg("%s: stderr differs\n--- real\n%s--- ours\n%s", c->trace, we, got_err);
    free(want_err);
    free(we);
    free(got_err);
    free(recorded_at);
    planned_free(&p);
    trace_free(&t);
}

static void test_failure_traces(void **state) {
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    static const uint64_t seeds[] = {1, 2, 3, 42, 0xC0FFEE};
    for (size_t i = 0; i < sizeof PAIRS / sizeof PAIRS[0]; i++)
        for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++)
            check_pair(&PAIRS[i], seeds[s]);
}

/* Trace 30 end to end: the stall, then SIGINT 1.5 s after spawn → exit 1, nothing more. */
static void test_sigint_during_stall(void **state) {
    (void)state;
    const char *argv[] = {CODEX_BIN,           "exec", "--json", "--skip-git-repo-check",
                          "Say hello slowly.", NULL};
    /* its session file goes to a CODEX_HOME of its own, not to the user's ~/.codex */
    char home[] = "/tmp/codex-conformance-home-XXXXXX";
    assert_non_null(mkdtemp(home));
    char env_home[64];
    snprintf(env_home, sizeof env_home, "CODEX_HOME=%s", home);
    const char *env[] = {"CODEX_MOCK_SCENARIO=stall-after-turn-started", env_home, NULL};
    static const char *const unset[] = {"CODEX_MOCK_SPEED", "CODEX_MOCK_CHAOS", NULL};
    proc_spec spec = {.argv = argv,
                      .env = env,
                      .unset = unset,
                      .signal = SIGINT,
                      .signal_after_ms = proc_ms(1500)};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, 1);
    assert_int_equal(r.n_out, 2);
    assert_string_equal(r.err, "Reading additional input from stdin...\n");
    assert_true(r.duration_ms >= proc_ms(1500) && r.duration_ms < proc_ms(3000));
    proc_result_free(&r);
    char rm[128];
    snprintf(rm, sizeof rm, "rm -rf '%s'", home);
    assert_int_equal(system(rm), 0);
}

/* The comparison is not toothless: a notice one jitter band too late is caught. */
static void test_detects_off_band_gap(void **state) {
    (void)state;
    double real = 229.0, ours = real * 1.3;
    assert_true(ours > real + 0.23 * real + 10.0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failure_traces),
        cmocka_unit_test(test_sigint_during_stall),
        cmocka_unit_test(test_detects_off_band_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
