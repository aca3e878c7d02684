/* serve_plan + sse: how scenario steps become model responses, and the SSE bytes of each. */
#include "buf.h"
#include "scenario_load.h"
#include "serve_plan.h"
#include "sse.h"

#include <cjson/cJSON.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void load(const char *name, scenario *sc, serve_plan *p) {
    char path[512];
    snprintf(path, sizeof path, "%s/tests/serve/%s", SOURCE_DIR, name);
    diag err;
    diag_init(&err);
    int rc = scenario_load_file(path, sc, &err);
    if (rc < 0) diag_print(&err, stderr);
    assert_int_equal(rc, 0);
    diag_free(&err);
    serve_plan_build(sc, 1800000000, p);
}

static char *slurp(const char *name, size_t *len) {
    char path[512];
    snprintf(path, sizeof path, "%s/tests/serve/%s", SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    buf b;
    buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return buf_detach(&b);
}

static void test_frame(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    sse_frame(&b, "response.created", "{\"a\":1}", 7);
    assert_int_equal(b.len, strlen("event: response.created\ndata: {\"a\":1}\n\n"));
    assert_memory_equal(b.data, "event: response.created\ndata: {\"a\":1}\n\n", b.len);
    buf_free(&b);
}

static void test_unwrap(void **state) {
    (void)state;
    arena a;
    arena_init(&a);
    const char *c = "/bin/bash -lc 'echo it'\\''s'";
    assert_string_equal(serve_unwrap_command(&a, c, strlen(c)), "echo it's");
    c = "/bin/bash -lc 'ls -1'";
    assert_string_equal(serve_unwrap_command(&a, c, strlen(c)), "ls -1");
    c = "ls 'a' 'b'";
    assert_string_equal(serve_unwrap_command(&a, c, strlen(c)), "ls 'a' 'b'");
    c = "/bin/bash -lc 'a' 'b'"; /* not one quoted word: kept whole */
    assert_string_equal(serve_unwrap_command(&a, c, strlen(c)), c);
    arena_free(&a);
}

/* A tool call ends the response; what follows comes in the next one; a trailing call gets an
 * empty answer so the CLI's tool output request is not left without one. */
static void test_plan_tools(void **state) {
    (void)state;
    scenario sc;
    serve_plan p;
    load("tools.yaml", &sc, &p);
    assert_int_equal(p.n, 3);
    const serve_response *r = &p.v[0];
    assert_int_equal(r->kind, RESP_SSE);
    assert_int_equal(r->n_items, 3);
    assert_int_equal(r->items[0].kind, SI_REASONING);
    assert_int_equal(r->items[1].kind, SI_MESSAGE);
    assert_string_equal(r->items[1].phase, "commentary");
    assert_int_equal(r->items[2].kind, SI_FUNCTION_CALL);
    assert_string_equal(r->items[2].name, "exec_command");
    assert_string_equal(r->items[2].text, "{\"cmd\":\"echo it's\"}");
    assert_true(r->has_usage);
    assert_int_equal(r->use.input_tokens, 10);
    r = &p.v[1]; /* web search (server side), then two calls in parallel: patch and MCP */
    assert_int_equal(r->n_items, 3);
    assert_int_equal(r->items[0].kind, SI_WEB_SEARCH);
    assert_string_equal(r->items[0].text, "{\"type\":\"search\",\"query\":\"codex mock\"}");
    assert_int_equal(r->items[1].kind, SI_CUSTOM_TOOL_CALL);
    assert_string_equal(r->items[1].name, "apply_patch");
    assert_non_null(strstr(r->items[1].text, "*** Add File: new.txt\n+"));
    assert_non_null(strstr(r->items[1].text, "*** Update File: README.md\n@@\n+"));
    assert_non_null(strstr(r->items[1].text, "*** Delete File: old.txt\n"));
    assert_false(r->has_usage);
    assert_string_equal(r->items[2].ns, "mcp__echo");
    assert_string_equal(r->items[2].name, "echo");
    assert_string_equal(r->items[2].text, "{\"text\":\"ping\"}");
    r = &p.v[2];
    assert_int_equal(r->n_items, 1);
    assert_int_equal(r->items[0].kind, SI_MESSAGE);
    assert_null(r->items[0].phase);
    serve_plan_free(&p);
    scenario_free(&sc);
}

static void test_plan_failures(void **state) {
    (void)state;
    scenario sc;
    serve_plan p;
    load("failures.yaml", &sc, &p);
    assert_int_equal(p.n, 4);
    assert_int_equal(p.v[0].kind, RESP_HTTP);
    assert_int_equal(p.v[0].status, 500);
    assert_int_equal(p.v[0].repeat, 2);
    assert_int_equal(p.v[1].kind, RESP_SSE); /* stream closed: clean end, no completed */
    assert_int_equal(p.v[1].final, FINAL_NONE);
    assert_int_equal(p.v[1].cut, CUT_EOF);
    assert_int_equal(p.v[1].repeat, 2);
    assert_int_equal(p.v[2].kind, RESP_SSE);
    assert_int_equal(p.v[2].final, FINAL_COMPLETED);
    assert_int_equal(p.v[3].kind, RESP_HTTP);
    assert_int_equal(p.v[3].status, 401);
    assert_int_equal(p.v[3].repeat, -1);
    assert_string_equal(p.v[3].body, "{\"error\":{\"message\":\"bad key\",\"type\":"
                                     "\"invalid_request_error\",\"param\":null,\"code\":"
                                     "\"invalid_api_key\"}}");
    serve_plan_free(&p);
    scenario_free(&sc);
}

/* Every frame: `event: T\ndata: J\n\n`, J's type is T, sequence numbers count from 0. Returns
 * the number of frames. */
static size_t check_frames(const sse_stream *st, const char *last_type) {
    size_t frames = 0;
    const char *last = NULL;
    for (size_t i = 0; i < st->n; i++) {
        const sse_chunk *c = &st->v[i];
        if (!c->len) continue;
        char *f = strndup(st->bytes.data + c->off, c->len);
        assert_int_equal(strncmp(f, "event: ", 7), 0);
        char *nl = strchr(f, '\n');
        assert_non_null(nl);
        assert_int_equal(strncmp(nl, "\ndata: ", 7), 0);
        assert_string_equal(f + c->len - 2, "\n\n");
        f[c->len - 2] = '\0';
        cJSON *j = cJSON_Parse(nl + 7);
        assert_non_null(j);
        *nl = '\0';
        assert_string_equal(cJSON_GetObjectItem(j, "type")->valuestring, f + 7);
        assert_int_equal(cJSON_GetObjectItem(j, "sequence_number")->valueint, (int)frames);
        if (last_type && !strcmp(f + 7, last_type)) last = last_type;
        cJSON_Delete(j);
        free(f);
        frames++;
    }
    if (last_type) assert_non_null(last);
    return frames;
}

/* The exact bytes of each response (tests/serve/tools-N.sse; created_at 0). With
 * SERVE_SSE_WRITE=1 in the environment the files are (re)written instead: review the diff. */
static void test_render_bytes(void **state) {
    (void)state;
    scenario sc;
    serve_plan p;
    load("tools.yaml", &sc, &p);
    static const char *const want[] = {"tools-1.sse", "tools-2.sse", "tools-3.sse"};
    for (size_t i = 0; i < 3; i++) {
        sse_stream st;
        char rid[16];
        snprintf(rid, sizeof rid, "resp_%zu", i + 1);
        sse_render(&p.v[i], rid, "gpt-5.5", 0, &st);
        check_frames(&st, "response.completed");
        if (getenv("SERVE_SSE_WRITE")) {
            char path[512];
            snprintf(path, sizeof path, "%s/tests/serve/%s", SOURCE_DIR, want[i]);
            FILE *f = fopen(path, "wb");
            assert_non_null(f);
            fwrite(st.bytes.data, 1, st.bytes.len, f);
            fclose(f);
        }
        size_t n;
        char *exp = slurp(want[i], &n);
        if (st.bytes.len != n || memcmp(st.bytes.data, exp, n)) {
            fprintf(stderr, "%s differs; got:\n%.*s\n", want[i], (int)st.bytes.len, st.bytes.data);
            fail();
        }
        free(exp);
        sse_stream_free(&st);
    }
    serve_plan_free(&p);
    scenario_free(&sc);
}

static void test_cut_and_final(void **state) {
    (void)state;
    serve_item msg = {.kind = SI_MESSAGE, .text = "a b c", .text_len = 5};
    serve_item pause = {.kind = SI_SLEEP, .sleep_ms = 20};
    serve_item items[] = {pause, msg};
    serve_response r = {
        .kind = RESP_SSE, .items = items, .n_items = 2, .cut_after = 5, .cut = CUT_ABORT};
    sse_stream st;
    sse_render(&r, "resp_x", "m", 0, &st);
    assert_int_equal(check_frames(&st, NULL), 5);
    assert_int_equal(st.v[2].len, 0); /* the pause, kept between frames */
    assert_int_equal(st.v[2].sleep_ms, 20);
    sse_stream_free(&st);

    r.cut_after = -1;
    r.final = FINAL_FAILED;
    r.error_code = "context_length_exceeded";
    r.error_message = "too long";
    sse_render(&r, "resp_x", "m", 0, &st);
    check_frames(&st, "response.failed");
    assert_non_null(strstr(st.bytes.data, "\"status\":\"failed\""));
    assert_non_null(strstr(st.bytes.data,
                           "\"error\":{\"code\":\"context_length_exceeded\",\"message\":\"too "
                           "long\"}"));
    sse_stream_free(&st);

    r.final = FINAL_INCOMPLETE;
    sse_render(&r, "resp_x", "m", 0, &st);
    check_frames(&st, "response.incomplete");
    assert_non_null(
        strstr(st.bytes.data, "\"incomplete_details\":{\"reason\":\"max_output_tokens\"}"));
    sse_stream_free(&st);

    r.final = FINAL_NONE;
    sse_render(&r, "resp_x", "m", 0, &st);
    assert_null(strstr(st.bytes.data, "response.completed"));
    sse_stream_free(&st);
}

static void test_usage(void **state) {
    (void)state;
    usage u = {.input_tokens = 10,
               .cached_input_tokens = 4,
               .output_tokens = 3,
               .reasoning_output_tokens = 1};
    buf b;
    buf_init(&b);
    sse_usage_json(&b, &u);
    assert_string_equal(b.data, "{\"input_tokens\":10,\"input_tokens_details\":{\"cached_tokens\":"
                                "4},\"output_tokens\":3,\"output_tokens_details\":{\"reasoning_"
                                "tokens\":1},\"total_tokens\":13}");
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame),        cmocka_unit_test(test_unwrap),
        cmocka_unit_test(test_plan_tools),   cmocka_unit_test(test_plan_failures),
        cmocka_unit_test(test_render_bytes), cmocka_unit_test(test_cut_and_final),
        cmocka_unit_test(test_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
