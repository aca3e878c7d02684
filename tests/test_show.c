/* show: rows in time order with gaps to scale; --json rows carry the exact bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bytediff.h"
#include "scenario_load.h"
#include "show.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

static const char YAML[] = "codex_mock: 1\n"
                           "preflight: 100ms\n"
                           "startup: 200ms\n"
                           "turns:\n"
                           "  - started_after: 50ms\n"
                           "    completed_after: 10ms\n"
                           "    steps:\n"
                           "      - message: \"Hello\\nthere\"\n"
                           "        after: 40ms\n"
                           "      - stderr: warn\n"
                           "        after: 400ms\n";

static void load(scenario *sc) {
    diag err;
    diag_init(&err);
    assert_int_equal(scenario_load_mem("t.yaml", YAML, strlen(YAML), sc, &err), 0);
    diag_free(&err);
}

static void test_human(void **state) {
    (void)state;
    scenario sc;
    load(&sc);
    buf out;
    buf_init(&out);
    show_options o = {.seed = 1, .cwd = "/w"};
    show_timeline(&sc, &o, &out);
    const char *p = out.data;
    const char *pre = strstr(p, "preflight"), *ts = strstr(p, "thread.started"),
               *msg = strstr(p, "agent_message item_0: Hello\\nthere"), *err = strstr(p, "warn"),
               *ex = strstr(p, "code 0");
    assert_true(pre && ts && msg && err && ex);
    assert_true(pre < ts && ts < msg && msg < err && err < ex);
    assert_non_null(strstr(p, "     290.0"));
    /* the 400 ms gap is the longest: a full bar */
    assert_non_null(strstr(p, "████████████████████████"));
    /* The whole table, byte for byte (tests/data/show/human.txt): columns, the bars (24 cells
     * for the longest gap, eighths of a cell for the rest), the summaries. */
    char path[512];
    snprintf(path, sizeof path, "%s/tests/data/show/human.txt", SOURCE_DIR);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char want[8192];
    size_t n = fread(want, 1, sizeof want, f);
    fclose(f);
    if (bytediff_report(stderr, path, want, n, out.data, out.len) >= 0)
        fail_msg("the timeline differs (above)");
    buf_free(&out);
    scenario_free(&sc);
}

static void test_json(void **state) {
    (void)state;
    scenario sc;
    load(&sc);
    buf out;
    buf_init(&out);
    show_options o = {.seed = 1, .cwd = "/w", .json = true};
    show_timeline(&sc, &o, &out);
    size_t rows = 0;
    bool saw_msg = false;
    for (char *line = strtok(out.data, "\n"); line; line = strtok(NULL, "\n"), rows++) {
        cJSON *v = cJSON_Parse(line);
        assert_non_null(v);
        const cJSON *ev = cJSON_GetObjectItem(v, "event"), *b = cJSON_GetObjectItem(v, "bytes");
        if (!strcmp(ev->valuestring, "item.completed")) {
            saw_msg = true;
            assert_string_equal(b->valuestring, "{\"type\":\"item.completed\",\"item\":{\"id\":"
                                                "\"item_0\",\"type\":\"agent_message\",\"text\":"
                                                "\"Hello\\nthere\"}}\n");
            assert_true(cJSON_GetObjectItem(v, "t_ms")->valuedouble == 290.0);
        }
        cJSON_Delete(v);
    }
    assert_true(saw_msg);
    assert_int_equal(rows, 7); /* preflight, thread, turn, message, stderr, turn.completed, exit */
    buf_free(&out);
    scenario_free(&sc);
}

/* An app-server scenario: the client's rows (its requests, its answer to the approval asked)
 * sit in the timeline; exec's stdin notice does not. */
static void test_app_server(void **state) {
    (void)state;
    static const char AS[] = "codex_mock: 1\n"
                             "startup: 200ms\n"
                             "steps:\n"
                             "  - command: \"rm -rf build\"\n"
                             "    approval: {reason: \"Need to delete\", expect: decline}\n"
                             "    after: 30ms\n"
                             "  - message: done\n";
    scenario sc;
    diag err;
    diag_init(&err);
    assert_int_equal(scenario_load_mem("as.yaml", AS, strlen(AS), &sc, &err), 0);
    diag_free(&err);
    assert_true(show_wants_app_server(&sc));
    buf out;
    buf_init(&out);
    show_options o = {.seed = 1, .cwd = "/w", .app_server = true};
    show_timeline(&sc, &o, &out);
    const char *p = out.data;
    const char *req = strstr(p, "client  request         initialize, thread/start, turn/start");
    const char *start = strstr(p, "item.started    command_execution");
    const char *ans =
        strstr(p, "client  answer          answers decline to the approval request (reason: "
                  "Need to delete)");
    const char *done = strstr(p, "item.completed  command_execution");
    assert_true(req && start && ans && done);
    assert_true(req < start && start < ans && ans < done);
    assert_null(strstr(p, "preflight"));
    /* without the option: exec's view, no client rows */
    buf_reset(&out);
    o.app_server = false;
    show_timeline(&sc, &o, &out);
    assert_null(strstr(out.data, "client"));
    buf_free(&out);
    scenario_free(&sc);
    /* a plain scenario is not taken for an app-server one */
    load(&sc);
    assert_false(show_wants_app_server(&sc));
    scenario_free(&sc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_human),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_app_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
