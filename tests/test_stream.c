/* Unit tests for streamed scenarios (scenario_open_file above its size limit): the planner plays
 * exactly what it plays from the whole model, and errors found while playing stop it with
 * their position. The limit is 0 here, so every file streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "event_json.h"
#include "plan.h"
#include "scenario_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/codex-mock-stream-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *write_file(const char *name, const char *text, size_t len) {
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

typedef struct {
    size_t turn;
    const char *chaos; /* CODEX_MOCK_CHAOS-style spec, or NULL */
} play_opts;

/* Every action of the planner, one line each: kind, due times, and what it writes. */
static void plan_all(const scenario *sc, const play_opts *o, buf *out, const diag **error,
                     planner *pl) {
    rng r, chaos_rng;
    rng_seed(&r, 42);
    rng_seed(&chaos_rng, 4242);
    static const char *const envp[] = {"WHO=tester", NULL};
    template_vars vars = {.prompt = "the prompt",
                          .thread_id = "01a1fd0a-40a4-7731-81cc-b59e067340fd",
                          .cwd = "/work/dir",
                          .envp = envp,
                          .invocation = 3,
                          .now = "2026-11-21T07:38:03.000Z"};
    chaos_spec chaos = {0};
    if (o->chaos) {
        diag d;
        diag_init(&d);
        assert_int_equal(chaos_parse(o->chaos, &chaos, &d), 0);
        diag_free(&d);
    }
    plan_params p = {.sc = sc,
                     .turn = o->turn,
                     .speed = 0.5,
                     .rng = &r,
                     .cwd = "/work/dir",
                     .thread_id = "01a1fd0a-40a4-7731-81cc-b59e067340fd",
                     .prompt = "the prompt",
                     .vars = &vars,
                     .wall_start_ms = INT64_C(1763710683000),
                     .chaos = o->chaos ? &chaos : NULL,
                     .chaos_rng = &chaos_rng};
    plan_init(pl, &p);
    action a;
    while (plan_next(pl, &a)) {
        buf_printf(out, "%d %lld %lld ", (int)a.kind, (long long)a.raw_due_ns, (long long)a.due_ns);
        switch (a.kind) {
        case ACT_EVENT:
            event_write_json(out, &a.ev);
            break;
        case ACT_STDERR:
        case ACT_STDOUT:
            buf_append(out, a.bytes.ptr, a.bytes.len);
            buf_putc(out, '\n');
            break;
        default:
            buf_printf(out, "%d\n", a.exit_code);
            break;
        }
    }
    *error = plan_error(pl);
}

/* Plays `yaml` from the whole model and streamed; both must give the same actions. Returns the
 * number of actions. */
static size_t same_play(const char *yaml, const play_opts *o) {
    char *path = write_file("same.yaml", yaml, strlen(yaml));
    scenario whole, streamed;
    diag err;
    diag_init(&err);
    if (scenario_load_file(path, &whole, &err) != 0) fail_msg("load: %s", diag_format(&err));
    assert_null(whole.stream);
    if (scenario_open_file(path, 0, &streamed, &err) != 0) fail_msg("open: %s", diag_format(&err));
    assert_non_null(streamed.stream);
    assert_null(streamed.turns);
    buf a, b;
    buf_init(&a);
    buf_init(&b);
    const diag *ea, *eb;
    planner pa, pb;
    plan_all(&whole, o, &a, &ea, &pa);
    plan_all(&streamed, o, &b, &eb, &pb);
    assert_null(ea);
    if (eb) fail_msg("stream: %s", diag_format(eb));
    assert_true(a.len > 0);
    if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
        size_t i = 0;
        while (i < a.len && i < b.len && a.data[i] == b.data[i])
            i++;
        size_t from = i > 200 ? i - 200 : 0;
        fail_msg("differ at byte %zu:\nwhole: %.400s\nstream: %.400s", i, a.data + from,
                 b.data + from);
    }
    size_t lines = 0;
    for (size_t i = 0; i < a.len; i++)
        lines += a.data[i] == '\n';
    plan_free(&pa);
    plan_free(&pb);
    buf_free(&a);
    buf_free(&b);
    scenario_free(&whole);
    scenario_free(&streamed);
    diag_free(&err);
    free(path);
    return lines;
}

/* One step of a varied scenario: every kind of step, templates, raw item pairs without ids,
 * todo lists across steps, and aliases of an anchor defined in the first turn. */
static void gen_step(buf *b, unsigned i, const char *indent) {
    switch (i % 17) {
    case 0:
        buf_printf(b, "%s- message: \"step %u: the answer for {{prompt}}\"\n", indent, i);
        break;
    case 1:
        buf_printf(b, "%s- reasoning: \"**Thinking %u**\\n\\nabout {{env.WHO}}\"\n", indent, i);
        break;
    case 2:
        buf_printf(b,
                   "%s- command: \"/bin/bash -lc 'ls %u'\"\n%s  output: \"a\\nb\\n\"\n%s  "
                   "exit_code: %u\n",
                   indent, i, indent, indent, i % 3);
        break;
    case 3:
        buf_printf(b, "%s- file_change: [{path: src/f%u.c, kind: add}, b%u.txt]\n", indent, i, i);
        break;
    case 4:
        buf_printf(b,
                   "%s- todo_list: [{text: \"plan %u\", status: in_progress}, \"next {{cwd}}\"]\n",
                   indent, i);
        break;
    case 5:
        buf_printf(b,
                   "%s- event: {type: item.started, item: {type: command_execution, command: "
                   "\"make\"}}\n",
                   indent);
        break;
    case 6:
        buf_printf(b,
                   "%s- event: {type: item.completed, item: {type: command_execution, command: "
                   "\"make\", output: \"ok %u\", exit_code: 0}}\n%s  at: %ums\n",
                   indent, i, indent, i * 3);
        break;
    case 7:
        buf_printf(b, "%s- message: *shared\n", indent);
        break;
    case 8:
        buf_printf(b, "%s- usage: {input_tokens: %u, output_tokens: 3}\n", indent, i);
        break;
    case 9:
        buf_printf(b, "%s- stderr: \"warning %u\"\n%s  after: 2ms\n", indent, i, indent);
        break;
    case 10:
        buf_printf(b, "%s- web_search: \"query %u\"\n", indent, i);
        break;
    case 11:
        buf_printf(b, "%s- mcp_tool_call: {server: s%u, tool: t, arguments: {a: [1, 2]}}\n", indent,
                   i);
        break;
    case 12:
        buf_printf(b, "%s- http_retries: 2\n", indent);
        break;
    case 13:
        buf_printf(b, "%s- reconnect: 2\n%s  message: \"overloaded {{invocation}}\"\n", indent,
                   indent);
        break;
    case 14:
        buf_printf(b,
                   "%s- event: {type: item.updated, item: {type: todo_list, items: [\"x %u\"]}}\n",
                   indent, i);
        break;
    case 15:
        buf_printf(b, "%s- raw: \"raw line %u\\n\"\n", indent, i);
        break;
    default:
        buf_printf(b, "%s- sleep: 1ms\n", indent);
        break;
    }
}

static char *gen_turns(unsigned turns, unsigned steps) {
    buf b;
    buf_init(&b);
    buf_puts(&b, "codex_mock: 1\nname: gen\nstartup: 120ms\nturns:\n");
    for (unsigned t = 0; t < turns; t++) {
        buf_printf(&b, "  - started_after: %ums\n    completed_after: 7ms\n    steps:\n", 10 + t);
        if (t == 0) buf_puts(&b, "      - message: &shared \"the shared text\"\n");
        for (unsigned i = 0; i < steps; i++)
            gen_step(&b, i + t * 5, "      ");
    }
    return buf_detach(&b);
}

static void test_same_actions_single_turn(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "codex_mock: 1\nname: one\nsteps:\n  - message: &shared \"shared\"\n");
    for (unsigned i = 0; i < 3000; i++)
        gen_step(&b, i, "  ");
    play_opts o = {0};
    assert_true(same_play(b.data, &o) > 3000);
    buf_free(&b);
}

static void test_same_actions_turns(void **state) {
    (void)state;
    char *yaml = gen_turns(4, 400);
    for (size_t t = 0; t < 7; t++) { /* 4..6: past the last turn, the last one plays */
        play_opts o = {.turn = t};
        assert_true(same_play(yaml, &o) > 400);
    }
    free(yaml);
}

static void test_same_actions_chaos(void **state) {
    (void)state;
    char *yaml = gen_turns(2, 600);
    play_opts o = {.turn = 1, .chaos = "reconnect=0.05,stall=0.1,stall_for=2s"};
    same_play(yaml, &o);
    play_opts f = {.turn = 0, .chaos = "fail=0.01"};
    same_play(yaml, &f);
    free(yaml);
}

/* Raw thread.started / turn.started among the first steps, a raw turn.completed at the end: the
 * implicit events give way as with the whole model. */
static void test_same_actions_raw_lifecycle(void **state) {
    (void)state;
    static const char *const cases[] = {
        "codex_mock: 1\nsteps:\n  - stderr: hello\n  - event: {type: thread.started}\n"
        "  - message: hi\n  - event: {type: turn.completed}\n",
        "codex_mock: 1\nsteps:\n  - event: {type: thread.started, thread_id: t-1}\n"
        "  - sleep: 5ms\n  - event: {type: turn.started}\n  - message: hi\n"
        "  - event: {type: turn.failed, error: {message: boom}}\n",
        "codex_mock: 1\nsteps:\n  - event: {type: turn.started}\n  - message: hi\n",
        "codex_mock: 1\nimplicit_events: false\nsteps:\n  - message: hi\n"
        "  - event: {type: thread.started}\n  - event: {type: turn.started}\n",
        "codex_mock: 1\nsteps:\n  - todo_list: [a, b]\n  - todo_list: [{text: a, completed: true}, "
        "b]\n  - message: done\n",
        "codex_mock: 1\nsteps:\n  - message: hi\n  - exit: 3\n  - message: never\n",
        "codex_mock: 1\nsteps: &all\n  - message: one\n  - command: ls\n",
        "codex_mock: 1\nturns: [{steps: [{message: a}]}, {startup: 1ms, steps: [{message: b}]}]\n",
        "codex_mock: 1\nturns:\n  - &t {steps: [{message: a}]}\n  - *t\n",
        "codex_mock: 1\nturns: &all\n  - steps: [{message: a}, {command: ls}]\n  - steps: "
        "[{message: b}]\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t t = 0; t < 2; t++) {
            play_opts o = {.turn = t};
            same_play(cases[i], &o);
        }
}

/* Plays a streamed file and returns its error (the file and planner are freed). */
static void stream_error(const char *yaml, size_t turn, size_t *actions, int line, int col,
                         const char *msg) {
    char *path = write_file("err.yaml", yaml, strlen(yaml));
    scenario sc;
    diag err;
    diag_init(&err);
    if (scenario_open_file(path, 0, &sc, &err) != 0) fail_msg("open: %s", diag_format(&err));
    buf out;
    buf_init(&out);
    const diag *e;
    planner pl;
    play_opts o = {.turn = turn};
    plan_all(&sc, &o, &out, &e, &pl);
    assert_non_null(e);
    assert_string_equal(e->file, path);
    if (e->line != line || e->col != col || strcmp(e->msg, msg) != 0)
        fail_msg("got %d:%d: %s", e->line, e->col, e->msg);
    *actions = 0;
    for (size_t i = 0; i < out.len; i++)
        *actions += out.data[i] == '\n';
    buf_free(&out);
    plan_free(&pl);
    scenario_free(&sc);
    diag_free(&err);
    free(path);
}

static void test_key_after_steps(void **state) {
    (void)state;
    size_t n;
    /* thread.started, turn.started, the message: then the key after the list stops it */
    stream_error("codex_mock: 1\nsteps:\n  - message: a\ncli: {version: 0.60.0}\n", 0, &n, 4, 1,
                 "'cli' after 'steps': a scenario over 0 bytes is played as it is read, so "
                 "'steps' must come last");
    assert_int_equal(n, 3);
    stream_error("codex_mock: 1\nturns:\n  - steps: [{message: a}]\n    completed_after: 5ms\n", 0,
                 &n, 4, 5,
                 "'completed_after' after 'steps' in a turn: a scenario over 0 bytes is played "
                 "as it is read, so a turn's 'steps' must come last");
    assert_int_equal(n, 3);
    /* an earlier turn is checked as it is skipped: nothing is played */
    stream_error("codex_mock: 1\nturns:\n  - steps: [{message: a}]\n    startup: 5ms\n"
                 "  - steps: [{message: b}]\n",
                 1, &n, 4, 5,
                 "'startup' after 'steps' in a turn: a scenario over 0 bytes is played as it is "
                 "read, so a turn's 'steps' must come last");
    assert_int_equal(n, 0);
    /* a later turn is checked after the played one */
    stream_error("codex_mock: 1\nturns:\n  - steps: [{message: a}]\n  - steps: [{mesage: b}]\n", 0,
                 &n, 4, 14, "unknown step type 'mesage' (did you mean 'message'?)");
    assert_int_equal(n, 3);
}

static void test_mid_stream_error(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "codex_mock: 1\nsteps:\n");
    for (int i = 0; i < 500; i++)
        buf_printf(&b, "  - message: \"m%d\"\n", i);
    buf_puts(&b, "  - message: {text: ok, colour: red}\n  - message: never\n");
    size_t n;
    stream_error(b.data, 0, &n, 503, 25,
                 "unknown key in a message step 'colour' (expected id, type or text)");
    assert_int_equal(n, 502); /* thread.started, turn.started, 500 messages */
    buf_free(&b);
    /* a YAML syntax error */
    stream_error("codex_mock: 1\nsteps:\n  - message: a\n  - message: \"b\n", 0, &n, 5, 1,
                 "YAML syntax error: found unexpected end of stream while scanning a quoted "
                 "scalar (line 4)");
    assert_int_equal(n, 3);
}

static void test_late_lifecycle_event(void **state) {
    (void)state;
    size_t n;
    stream_error("codex_mock: 1\nsteps:\n  - message: a\n  - event: {type: turn.started}\n", 0, &n,
                 4, 5,
                 "a raw turn.started event after the turn's first item: a scenario over 0 bytes "
                 "is played as it is read, so its raw thread.started and turn.started must come "
                 "before the first item (or say 'implicit_events: false')");
    assert_int_equal(n, 3);
}

/* The error in `err` is `want` ("LINE:COL: message") in the file at `path`. */
static void assert_error_at(const diag *err, const char *path, const char *want) {
    char *got = diag_format(err);
    char full[512];
    snprintf(full, sizeof full, "codex-mock: %s:%s", path, want);
    assert_string_equal(got, full);
    free(got);
}

static void open_error(const char *yaml, const char *want) {
    char *path = write_file("open.yaml", yaml, strlen(yaml));
    scenario sc;
    diag err;
    diag_init(&err);
    assert_int_equal(scenario_open_file(path, 0, &sc, &err), -1);
    assert_error_at(&err, path, want);
    diag_free(&err);
    free(path);
}

static void test_open_errors(void **state) {
    (void)state;
    open_error("name: x\nsteps:\n  - message: a\ncodex_mock: 1\n",
               "1:1: missing 'codex_mock: 1' (the format version) before 'steps': a scenario "
               "over 0 bytes is played as it is read");
    open_error("codex_mock: 1\nname: [x]\nsteps: []\n",
               "2:7: 'name' must be a string, found a list");
    open_error("codex_mock: 1\n", "1:1: missing 'turns' (or 'steps' for a single turn)");
    /* an empty turns list: found when the turn is opened */
    char *path = write_file("empty.yaml", "codex_mock: 1\nturns: []\n", 24);
    scenario sc;
    diag err;
    diag_init(&err);
    assert_int_equal(scenario_open_file(path, 0, &sc, &err), 0);
    buf out;
    buf_init(&out);
    const diag *e;
    planner pl;
    play_opts o = {0};
    plan_all(&sc, &o, &out, &e, &pl);
    assert_non_null(e);
    assert_string_equal(e->msg, "'turns' is empty: a scenario needs a turn");
    assert_int_equal(out.len, 0);
    buf_free(&out);
    plan_free(&pl);
    scenario_free(&sc);
    diag_free(&err);
    free(path);
}

/* At or below the limit, the whole model. */
static void test_small_file_loads_whole(void **state) {
    (void)state;
    const char *yaml = "codex_mock: 1\nsteps:\n  - message: a\n";
    char *path = write_file("small.yaml", yaml, strlen(yaml));
    scenario sc;
    diag err;
    diag_init(&err);
    assert_int_equal(scenario_open_file(path, strlen(yaml), &sc, &err), 0);
    assert_null(sc.stream);
    assert_int_equal(sc.n_turns, 1);
    scenario_free(&sc);
    assert_int_equal(scenario_open_file(path, strlen(yaml) - 1, &sc, &err), 0);
    assert_non_null(sc.stream);
    scenario_free(&sc);
    assert_int_equal(scenario_open_file(SCENARIO_DIR "/no-such-file.yaml", 0, &sc, &err), -1);
    diag_free(&err);
    free(path);
}

static void check_file(const char *yaml, size_t above, const char *want) {
    char *path = write_file("check.yaml", yaml, strlen(yaml));
    diag err;
    diag_init(&err);
    int rc = scenario_stream_check(path, above, &err);
    if (!want) {
        if (rc != 0) fail_msg("%s", diag_format(&err));
    } else {
        assert_int_equal(rc, -1);
        assert_error_at(&err, path, want);
    }
    diag_free(&err);
    free(path);
}

/* What `codex-mock lint` adds for a big file: every turn checked as if it were played. */
static void test_check(void **state) {
    (void)state;
    const char *good = "codex_mock: 1\nturns:\n  - steps: [{event: {type: thread.started}}, "
                       "{message: a}]\n  - steps: [{message: b}]\n";
    check_file(good, 0, NULL);
    check_file("codex_mock: 1\nturns:\n  - steps: [{message: a}]\n"
               "  - steps: [{message: b}, {event: {type: thread.started}}]\n"
               "  - steps: [{message: c}]\n",
               0,
               "4:27: a raw thread.started event after the turn's first item: a scenario over 0 "
               "bytes is played as it is read, so its raw thread.started and turn.started must "
               "come before the first item (or say 'implicit_events: false')");
    const char *late = "codex_mock: 1\nturns:\n  - steps: [{message: a}]\nname: x\n";
    check_file(late, 0,
               "4:1: 'name' after 'turns': a scenario over 0 bytes is played as it is read, so "
               "'turns' must come last");
    check_file(late, strlen(late), NULL); /* not streamed: any order */
    check_file("codex_mock: 1\nsteps: [{message: a}, {event: {type: turn.started}}]\n", 0,
               "2:23: a raw turn.started event after the turn's first item: a scenario over 0 "
               "bytes is played as it is read, so its raw thread.started and turn.started must "
               "come before the first item (or say 'implicit_events: false')");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_actions_single_turn),
        cmocka_unit_test(test_same_actions_turns),
        cmocka_unit_test(test_same_actions_chaos),
        cmocka_unit_test(test_same_actions_raw_lifecycle),
        cmocka_unit_test(test_key_after_steps),
        cmocka_unit_test(test_mid_stream_error),
        cmocka_unit_test(test_late_lifecycle_event),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_small_file_loads_whole),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
