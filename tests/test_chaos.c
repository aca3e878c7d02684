/* Unit tests for src/engine/chaos.c and the planner's chaos draws. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "chaos.h"
#include "duration.h"
#include "event_json.h"
#include "plan.h"
#include "scenario_load.h"

#include <stdlib.h>
#include <string.h>

static void test_parse(void **state) {
    (void)state;
    chaos_spec c;
    diag err;
    diag_init(&err);
    assert_int_equal(chaos_parse("reconnect=0.2,stall=0.1,stall_for=3s,fail=0.05", &c, &err), 0);
    assert_true(c.enabled);
    assert_true(c.reconnect == 0.2 && c.stall == 0.1 && c.fail == 0.05);
    assert_int_equal(c.stall_ns, 3 * NS_PER_S);
    assert_int_equal(chaos_parse("", &c, &err), 0);
    assert_false(c.enabled);
    assert_int_equal(chaos_parse(NULL, &c, &err), 0);
    assert_false(c.enabled);
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"reconnect=2", "codex-mock: CODEX_MOCK_CHAOS: 'reconnect' takes a probability from 0 to "
                        "1, not '2'"},
        {"fail=x", "codex-mock: CODEX_MOCK_CHAOS: 'fail' takes a probability from 0 to 1, not "
                   "'x'"},
        {"explode=0.1", "codex-mock: CODEX_MOCK_CHAOS: unknown key 'explode' (expected "
                        "reconnect, stall, stall_for, fail, or for the app-server "
                        "exit_after_initialize, kill_after_initialize, exit_at_turn_start, "
                        "wrong_id, no_answer, torn, close_stdout, drip, drip_delay)"},
        {"torn=1.5", "codex-mock: CODEX_MOCK_CHAOS: 'torn' takes a probability from 0 to 1, not "
                     "'1.5'"},
        {"drip_delay=fast", "codex-mock: CODEX_MOCK_CHAOS: drip_delay: expected a duration such "
                            "as 250ms, 1.5s, 2m or 0 (units: us, ms, s, m, h)"},
        {"wrong_id=", "codex-mock: CODEX_MOCK_CHAOS: 'wrong_id' takes a probability from 0 to 1, "
                      "not ''"},
        {"reconnect", "codex-mock: CODEX_MOCK_CHAOS: expected key=value pairs such as "
                      "reconnect=0.2,stall=0.1,stall_for=3s,fail=0.05, not 'reconnect'"},
        {"stall_for=soon", "codex-mock: CODEX_MOCK_CHAOS: stall_for: expected a duration such as "
                           "250ms, 1.5s, 2m or 0 (units: us, ms, s, m, h)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(chaos_parse(bad[i].text, &c, &err), -1);
        char *m = diag_format(&err);
        assert_string_equal(m, bad[i].want);
        free(m);
        diag_free(&err);
    }
}

/* The app-server's keys (docs/app-server.md#chaos): each lands in its field; defaults. */
static void test_parse_app_server(void **state) {
    (void)state;
    chaos_spec c;
    diag err;
    diag_init(&err);
    assert_int_equal(chaos_parse("reconnect=0.5", &c, &err), 0);
    assert_true(c.enabled);
    assert_false(chaos_app_server(&c));
    assert_int_equal(c.drip_ns, NS_PER_S / 1000); /* drip_delay's default: 1 ms */
    assert_int_equal(chaos_parse("exit_after_initialize=0.1,kill_after_initialize=0.2,"
                                 "exit_at_turn_start=0.3,wrong_id=0.4,no_answer=0.5,torn=0.6,"
                                 "close_stdout=0.7,drip=0.8,drip_delay=250us",
                                 &c, &err),
                     0);
    assert_true(chaos_app_server(&c));
    assert_true(c.exit_after_initialize == 0.1 && c.kill_after_initialize == 0.2);
    assert_true(c.exit_at_turn_start == 0.3 && c.wrong_id == 0.4 && c.no_answer == 0.5);
    assert_true(c.torn == 0.6 && c.close_stdout == 0.7 && c.drip == 0.8);
    assert_int_equal(c.drip_ns, 250000);
    assert_true(c.reconnect == 0 && c.stall == 0 && c.fail == 0);
    assert_int_equal(c.stall_ns, 5 * NS_PER_S);
    /* one key alone turns the app-server's chaos on; zero does not */
    assert_int_equal(chaos_parse("torn=0", &c, &err), 0);
    assert_false(chaos_app_server(&c));
    assert_int_equal(chaos_parse("drip=1", &c, &err), 0);
    assert_true(chaos_app_server(&c));
    assert_int_equal(chaos_parse("", &c, &err), 0);
    assert_false(chaos_app_server(&c));
}

/* Renders a plan of `yaml` with chaos `spec` and chaos seed `seed`. */
static char *plan_text(const char *yaml, const char *spec, uint64_t seed) {
    scenario sc;
    diag err;
    diag_init(&err);
    if (scenario_load_mem("c.yaml", yaml, strlen(yaml), &sc, &err) != 0) fail_msg("load");
    chaos_spec c;
    assert_int_equal(chaos_parse(spec, &c, &err), 0);
    rng r, cr;
    rng_seed(&r, 1);
    rng_seed(&cr, seed);
    plan_params p = {.sc = &sc,
                     .speed = 1,
                     .rng = &r,
                     .cwd = "/",
                     .thread_id = "t",
                     .chaos = &c,
                     .chaos_rng = &cr};
    planner pl;
    plan_init(&pl, &p);
    buf b;
    buf_init(&b);
    action a;
    while (plan_next(&pl, &a)) {
        buf_printf(&b, "%lld ", (long long)a.raw_due_ns);
        if (a.kind == ACT_EVENT) event_write_json(&b, &a.ev);
        if (a.kind == ACT_EXIT) buf_printf(&b, "EXIT:%d\n", a.exit_code);
    }
    plan_free(&pl);
    scenario_free(&sc);
    return buf_detach(&b);
}

static const char YAML[] = "codex_mock: 1\nsteps:\n  - message: one\n  - command: ls\n"
                           "  - message: two\n  - message: three\n";

static void test_injection(void **state) {
    (void)state;
    char *plain = plan_text(YAML, "", 9);
    char *none = plan_text(YAML, "reconnect=0,stall=0,fail=0", 9);
    assert_string_equal(plain, none); /* zero probabilities change nothing */
    char *a = plan_text(YAML, "reconnect=0.5,stall=0.3,fail=0.1", 9);
    char *b = plan_text(YAML, "reconnect=0.5,stall=0.3,fail=0.1", 9);
    assert_string_equal(a, b); /* the same seed gives the same faults */
    char *fail = plan_text(YAML, "fail=1", 9);
    /* a certain failure hits before the first item: notices, error, turn.failed, exit 1 */
    assert_null(strstr(fail, "agent_message"));
    assert_non_null(strstr(fail, "Reconnecting... 5/5"));
    assert_non_null(strstr(fail, "turn.failed"));
    assert_non_null(strstr(fail, "EXIT:1"));
    char *rc = plan_text(YAML, "reconnect=1", 9);
    /* reconnects before every item, and the turn still completes */
    assert_non_null(strstr(rc, "Reconnecting... 1/5"));
    assert_non_null(strstr(rc, "three"));
    assert_non_null(strstr(rc, "EXIT:0"));
    /* some seed among a few gives a different fault pattern */
    bool differs = false;
    for (uint64_t s = 10; s < 20 && !differs; s++) {
        char *c = plan_text(YAML, "reconnect=0.5,stall=0.3,fail=0.1", s);
        differs = strcmp(c, a) != 0;
        free(c);
    }
    assert_true(differs);
    free(plain);
    free(none);
    free(a);
    free(b);
    free(fail);
    free(rc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_app_server),
        cmocka_unit_test(test_injection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
