/* Unit tests for as_faults: what becomes of an answer line under wrong_id / no_answer (results
 * and errors, integer and string ids, an explicit id), notifications left alone, the chaos
 * draws (torn, close_stdout, exit_at_turn_start, at initialize) and their reproducibility, and
 * a channel holding its lines until a server request (request_before_answer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as_server.h"
#include "scenario_load.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char FAULTS[] = "codex_mock: 1\n"
                             "protocol_faults:\n"
                             "  - {fault: wrong_id, method: turn/start}\n"
                             "  - {fault: wrong_id, method: thread/fork, id: 42}\n"
                             "  - {fault: wrong_id, method: thread/read, id: other}\n"
                             "  - {fault: no_answer, method: thread/list}\n"
                             "  - fault: request_before_answer\n"
                             "steps: []\n";

/* A server holding only what as_faults reads: the scenario `yaml` (NULL: none), chaos. */
static void server_init(as_server *s, const char *yaml, const char *chaos, uint64_t seed) {
    memset(s, 0, sizeof *s);
    diag err;
    diag_init(&err);
    if (yaml) {
        assert_int_equal(scenario_load_mem("f.yaml", yaml, strlen(yaml), &s->sc, &err), 0);
        s->have_sc = true;
    }
    chaos_spec c;
    assert_int_equal(chaos_parse(chaos, &c, &err), 0);
    as_faults_init(s, chaos ? &c : NULL, true, seed);
}

static void server_done(as_server *s) {
    as_faults_free(s);
    if (s->have_sc) scenario_free(&s->sc);
}

static void request(as_server *s, const char *json) {
    as_msg m;
    as_rpc_parse(json, strlen(json), &m);
    assert_int_equal(m.kind, AS_MSG_REQUEST);
    as_faults_request(s, &m);
    as_rpc_free(&m);
}

/* The line after as_faults_line (appended after a prefix, which must stay), and its action. */
static int line_through(as_server *s, bool notification, const char *text, char **out, int *code) {
    buf b;
    buf_init(&b);
    buf_puts(&b, "prefix\n");
    buf_puts(&b, text);
    *code = -1;
    int act = as_faults_line(s, notification, &b, 7, code);
    assert_memory_equal(b.data, "prefix\n", 7);
    *out = xstrndup(b.data + 7, b.len - 7);
    buf_free(&b);
    return act;
}

static void expect_line(as_server *s, bool notification, const char *text, const char *want) {
    char *got;
    int code;
    assert_int_equal(line_through(s, notification, text, &got, &code), AF_GO);
    assert_string_equal(got, want);
    free(got);
}

static void test_wrong_id(void **state) {
    (void)state;
    as_server s;
    server_init(&s, FAULTS, NULL, 1);
    request(&s, "{\"id\":3,\"method\":\"turn/start\",\"params\":{}}");
    request(&s, "{\"id\":\"abc\",\"method\":\"turn/start\",\"params\":{}}");
    request(&s, "{\"id\":5,\"method\":\"thread/fork\",\"params\":{}}");
    request(&s, "{\"id\":6,\"method\":\"thread/read\",\"params\":{}}");
    request(&s, "{\"id\":7,\"method\":\"thread/start\",\"params\":{}}"); /* no fault */
    /* other ids, notifications that mention the id: untouched */
    expect_line(&s, false, "{\"id\":7,\"result\":{}}\n", "{\"id\":7,\"result\":{}}\n");
    expect_line(&s, false, "{\"id\":33,\"result\":{}}\n", "{\"id\":33,\"result\":{}}\n");
    expect_line(&s, true, "{\"method\":\"x\",\"params\":{\"id\":3}}\n",
                "{\"method\":\"x\",\"params\":{\"id\":3}}\n");
    expect_line(&s, false, "{\"id\":3,\"result\":{\"turn\":{}}}\n",
                "{\"id\":1003,\"result\":{\"turn\":{}}}\n");
    /* once only: a later line with the id is left alone */
    expect_line(&s, false, "{\"id\":3,\"result\":{}}\n", "{\"id\":3,\"result\":{}}\n");
    expect_line(&s, false, "{\"error\":{\"code\":-32600,\"message\":\"m\"},\"id\":\"abc\"}\n",
                "{\"error\":{\"code\":-32600,\"message\":\"m\"},\"id\":\"abc-wrong\"}\n");
    expect_line(&s, false, "{\"id\":5,\"result\":{}}\n", "{\"id\":42,\"result\":{}}\n");
    expect_line(&s, false, "{\"id\":6,\"result\":{}}\n", "{\"id\":\"other\",\"result\":{}}\n");
    server_done(&s);
}

static void test_no_answer(void **state) {
    (void)state;
    as_server s;
    server_init(&s, FAULTS, NULL, 1);
    request(&s, "{\"id\":9,\"method\":\"thread/list\",\"params\":{}}");
    expect_line(&s, false, "{\"error\":{\"code\":-32600,\"message\":\"m\"},\"id\":9}\n", "");
    request(&s, "{\"id\":10,\"method\":\"thread/list\",\"params\":{}}");
    expect_line(&s, false, "{\"id\":10,\"result\":{\"data\":[]}}\n", "");
    assert_true(as_faults_hold_turn(&s, "turn/start"));
    assert_false(as_faults_hold_turn(&s, "thread/start"));
    assert_null(as_faults_find(&s, "turn/start", PROTO_GHOST_THREAD));
    /* a ghost turn's id: its answer is dropped */
    as_id g = as_faults_ghost_id(&s);
    assert_true(g.is_string);
    assert_string_equal(g.s, "codex-mock-ghost-1");
    expect_line(&s, false, "{\"id\":\"codex-mock-ghost-1\",\"result\":{}}\n", "");
    as_id_free(&g);
    server_done(&s);
}

static void test_chaos_lines(void **state) {
    (void)state;
    as_server s;
    char *got;
    int code;
    server_init(&s, NULL, "torn=1", 1);
    assert_int_equal(line_through(&s, true, "{\"method\":\"a\",\"params\":{}}\n", &got, &code),
                     AF_EXIT);
    assert_int_equal(code, 0);
    assert_string_equal(got, "{\"method\":\"a\""); /* 13 of its 27 bytes */
    free(got);
    server_done(&s);

    server_init(&s, NULL, "close_stdout=1", 1);
    assert_int_equal(line_through(&s, false, "{\"id\":1,\"result\":{}}\n", &got, &code), AF_CLOSE);
    assert_string_equal(got, "{\"id\":1,\"result\":{}}\n");
    free(got);
    server_done(&s);

    server_init(&s, NULL, "exit_at_turn_start=1", 1);
    request(&s, "{\"id\":4,\"method\":\"thread/start\",\"params\":{}}");
    request(&s, "{\"id\":5,\"method\":\"turn/start\",\"params\":{}}");
    expect_line(&s, false, "{\"id\":4,\"result\":{}}\n", "{\"id\":4,\"result\":{}}\n");
    assert_int_equal(line_through(&s, false, "{\"id\":5,\"result\":{}}\n", &got, &code), AF_EXIT);
    assert_int_equal(code, 1);
    assert_string_equal(got, "{\"id\":5,\"result\":{}}\n");
    free(got);
    server_done(&s);

    step st;
    server_init(&s, NULL, "exit_after_initialize=1", 1);
    assert_true(as_faults_initialize(&s, &st));
    assert_int_equal(st.kind, STEP_EXIT);
    assert_int_equal(st.u.exit_code, 1);
    server_done(&s);
    server_init(&s, NULL, "kill_after_initialize=1", 1);
    assert_true(as_faults_initialize(&s, &st));
    assert_int_equal(st.kind, STEP_SIGNAL);
    assert_int_equal(st.u.signal, SIGKILL);
    server_done(&s);
    server_init(&s, NULL, "reconnect=1", 1);
    assert_false(as_faults_initialize(&s, &st));
    assert_int_equal(s.faults.drip_ns, 0);
    assert_true(s.faults.plan_chaos.enabled);
    server_done(&s);
    server_init(&s, NULL, "drip=1,drip_delay=3ms", 1);
    assert_int_equal(s.faults.drip_ns, 3000000);
    server_done(&s);
    server_init(&s, "codex_mock: 1\ndrip: 5ms\nsteps: []\n", NULL, 1);
    assert_int_equal(s.faults.drip_ns, 5000000);
    server_done(&s);
}

/* Which of 40 requests lose their answer (1) under no_answer=0.5 with `seed`. */
static void draws(uint64_t seed, char out[41]) {
    as_server s;
    server_init(&s, NULL, "no_answer=0.5", seed);
    for (int i = 0; i < 40; i++) {
        char req[96], line[64];
        snprintf(req, sizeof req, "{\"id\":%d,\"method\":\"thread/list\",\"params\":{}}", i);
        request(&s, req);
        snprintf(line, sizeof line, "{\"id\":%d,\"result\":{}}\n", i);
        char *got;
        int code;
        assert_int_equal(line_through(&s, false, line, &got, &code), AF_GO);
        out[i] = *got ? '0' : '1';
        free(got);
    }
    out[40] = '\0';
    server_done(&s);
}

static void test_chaos_seeded(void **state) {
    (void)state;
    char a[41], b[41], c[41];
    draws(7, a);
    draws(7, b);
    draws(8, c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_non_null(strchr(a, '0'));
    assert_non_null(strchr(a, '1'));
}

static as_out *out_new(int64_t due, const char *text) {
    as_out *o = xcalloc(1, sizeof *o);
    o->due = due;
    buf_init(&o->text);
    buf_puts(&o->text, text);
    return o;
}

static void test_hold(void **state) {
    (void)state;
    as_chan c;
    memset(&c, 0, sizeof c);
    c.holding = true;
    as_out *a = out_new(10, "answer"), *b = out_new(20, "started");
    c.queued = a->text.len + b->text.len;
    assert_true(as_faults_hold(&c, a, false, false));
    assert_true(as_faults_hold(&c, b, false, false));
    assert_null(c.head);
    /* the server request is not held: it goes first, the held lines behind it */
    as_out *r = out_new(30, "request");
    assert_false(as_faults_hold(&c, r, true, false));
    assert_false(c.holding);
    c.head = c.tail = r;
    c.last_due = 30;
    as_faults_release(&c);
    assert_ptr_equal(c.head, r);
    assert_ptr_equal(r->next, a);
    assert_ptr_equal(a->next, b);
    assert_ptr_equal(c.tail, b);
    assert_null(c.held_head);
    assert_int_equal(a->due, 30);
    assert_int_equal(b->due, 30);
    for (as_out *o = c.head; o;) {
        as_out *n = o->next;
        buf_free(&o->text);
        free(o);
        o = n;
    }
    /* the turn's end releases too; a cleared channel frees what it holds */
    memset(&c, 0, sizeof c);
    c.holding = true;
    as_out *h = out_new(5, "held");
    c.queued = h->text.len;
    assert_true(as_faults_hold(&c, h, false, false));
    as_out *done = out_new(6, "completed");
    assert_false(as_faults_hold(&c, done, false, true));
    buf_free(&done->text);
    free(done);
    as_faults_chan_clear(&c);
    assert_null(c.held_head);
    assert_int_equal(c.queued, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrong_id),    cmocka_unit_test(test_no_answer),
        cmocka_unit_test(test_chaos_lines), cmocka_unit_test(test_chaos_seeded),
        cmocka_unit_test(test_hold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
