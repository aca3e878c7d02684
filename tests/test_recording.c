/* recording: line splitting and stamps, write → load round trip, corpus layout, signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fileio.h"
#include "recording.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_feed_splits_lines(void **state) {
    (void)state;
    rec_stream s = {0};
    buf_init(&s.bytes);
    rec_stream_feed(&s, "a\nb", 3, 10);
    rec_stream_feed(&s, "c\n", 2, 25);
    rec_stream_feed(&s, "tail", 4, 30);
    rec_stream_finish(&s, 40);
    assert_int_equal(s.n_lines, 3);
    assert_int_equal(s.lines[0].t, 10);
    assert_int_equal(s.lines[1].t, 25); /* stamped when its newline arrived */
    assert_int_equal(s.lines[1].len, 3);
    assert_int_equal(s.lines[2].t, 40);
    assert_int_equal(s.lines[2].len, 4);
    buf_free(&s.bytes);
    free(s.lines);
}

static void test_write_then_load(void **state) {
    (void)state;
    char dir[] = "/tmp/recording-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *out = xasprintf("%s/rec", dir);
    recording r;
    recording_init(&r);
    r.argc = 3;
    r.argv = xcalloc(4, sizeof(char *));
    r.argv[0] = xstrdup("codex");
    r.argv[1] = xstrdup("exec");
    r.argv[2] = xstrdup("--json");
    r.cwd = xstrdup("/w");
    r.json_mode = r.has_timing = r.has_exit = true;
    r.exit_code = -2;
    r.signal_name = xstrdup("SIGINT");
    r.signal_after_t = 15005;
    rec_stream_feed(&r.out, "{\"type\":\"turn.started\"}\n", 24, 2187);
    rec_stream_feed(&r.err, "warn\n", 5, 1000);
    r.rollout_name = xstrdup("rollout-x.jsonl");
    r.rollout_data = xstrdup("{}\n");
    r.rollout_len = 3;
    diag err;
    diag_init(&err);
    assert_int_equal(recording_write_dir(&r, out, &err), 0);
    /* a second write into the same folder is refused */
    assert_int_equal(recording_write_dir(&r, out, &err), -1);
    assert_non_null(strstr(err.msg, "already holds"));
    recording l;
    assert_int_equal(recording_load_dir(out, &l, &err), 0);
    assert_int_equal(l.argc, 3);
    assert_string_equal(l.argv[2], "--json");
    assert_true(l.json_mode && l.has_timing);
    assert_int_equal(l.out.n_lines, 1);
    assert_int_equal(l.out.lines[0].t, 2187);
    assert_int_equal(l.err.lines[0].t, 1000);
    assert_int_equal(l.exit_code, -2);
    assert_string_equal(l.signal_name, "SIGINT");
    assert_int_equal(l.signal_after_t, 15005);
    assert_non_null(l.rollout_path);
    char *tsv = xasprintf("%s/stdout_timing.tsv", out);
    char *text = fileio_read_file(tsv, 0, NULL);
    assert_string_equal(text, "ms_since_spawn\tline\n218.7\t{\"type\":\"turn.started\"}\n");
    free(text);
    free(tsv);
    recording_free(&l);
    recording_free(&r);
    diag_free(&err);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(out);
}

static void test_corpus_layout(void **state) {
    (void)state;
    recording r;
    diag err;
    diag_init(&err);
    char *dir = xasprintf("%s/46_login_browser_waiting_for_callback/run2/", CORPUS_DIR);
    assert_int_equal(recording_load_dir(dir, &r, &err), 0);
    assert_string_equal(r.argv[0], "codex"); /* the timeout wrapper is gone */
    assert_int_equal(r.exit_code, -15);
    assert_string_equal(r.signal_name, "SIGTERM"); /* from the parent's meta.json, runs[1] */
    assert_false(r.json_mode);
    assert_int_equal(r.err.n_lines, 6);
    recording_free(&r);
    free(dir);
    dir = xasprintf("%s/46_login_browser_waiting_for_callback", CORPUS_DIR);
    assert_int_equal(recording_load_dir(dir, &r, &err), -1);
    assert_non_null(strstr(err.msg, "several runs"));
    recording_free(&r);
    free(dir);
    diag_free(&err);
}

/* recording_load_files(): the files of a folder in memory (bytes without a NUL). */
static void test_load_files(void **state) {
    (void)state;
    static const char out[] = "{\"type\":\"turn.started\"}\npartial";
    static const char timing[] = "ms_since_spawn\tline\n218.7\t{\"type\":\"turn.started\"}\n"
                                 "300\tpartial\n";
    static const char meta[] = "{\"scenario\":\"s\",\"runs\":[{\"duration_ms\":1},"
                               "{\"duration_ms\":2.5,\"signal_sent\":{\"name\":\"SIGINT\","
                               "\"sent_at_ms\":2}}]}";
    recording_files f = {
        .dir = "mem",
        .run = 2,
        .argv_json = {"{\"argv\":[\"timeout\",\"5\",\"codex\",\"exec\"]}XX", 39},
        .stdout_jsonl = {out, sizeof out - 1},
        .stdout_timing = {timing, sizeof timing - 1},
        .exit_code = {"-2999", 2}, /* "-2": the length bounds it */
        .meta_json = {meta, sizeof meta - 1},
        .last_message = {"done\0!", 6},
    };
    recording r;
    diag err;
    diag_init(&err);
    assert_int_equal(recording_load_files(&f, &r, &err), 0);
    assert_int_equal(r.argc, 2);
    assert_string_equal(r.argv[0], "codex");
    assert_true(r.json_mode && r.has_timing);
    assert_int_equal(r.out.n_lines, 2);
    assert_int_equal(r.out.lines[0].t, 2187);
    assert_int_equal(r.out.lines[1].t, 3000);
    assert_true(r.has_exit);
    assert_int_equal(r.exit_code, -2);
    assert_string_equal(r.signal_name, "SIGINT"); /* runs[1] */
    assert_int_equal(r.duration_t, 25);
    assert_int_equal(r.last_message_len, 6);
    assert_memory_equal(r.last_message, "done\0!", 6);
    assert_null(r.rollout_path);
    recording_free(&r);
    /* a timing file that does not match: the message names DIR/FILE */
    f.stdout_timing.len = strlen("ms_since_spawn\tline\n218.7\t{\"type\":\"turn.started\"}\n");
    assert_int_equal(recording_load_files(&f, &r, &err), -1);
    assert_string_equal(err.file, "mem/stdout_timing.tsv");
    assert_string_equal(err.msg, "has 1 timing rows but mem/stdout.jsonl has 2 lines");
    recording_free(&r);
    f.argv_json.data = NULL;
    assert_int_equal(recording_load_files(&f, &r, &err), -1);
    assert_non_null(strstr(err.msg, "no argv.json"));
    recording_free(&r);
    diag_free(&err);
}

/* A recorded line may hold any byte but LF, and its timing row repeats it after the time: NUL,
 * CR, ESC, invalid UTF-8 in a row neither end it nor split it. */
static void test_timing_rows_hold_any_byte(void **state) {
    (void)state;
    static const char out[] = "nul[\0]\ncr[\r]\nesc[\x1b[1m] bad[\xff\xc3(]\nlast";
    static const char timing[] = "ms_since_spawn\tline\n"
                                 "10.5\tnul[\0]\n20\tcr[\r]\n30\tesc[\x1b[1m] bad[\xff\xc3(]\n"
                                 "40.1\tlast";
    recording_files f = {
        .dir = "mem",
        .argv_json = {"{\"argv\":[\"codex\",\"exec\",\"hi\"]}", 30},
        .stdout_txt = {out, sizeof out - 1},
        .stdout_timing = {timing, sizeof timing - 1},
    };
    recording r;
    diag err;
    diag_init(&err);
    if (recording_load_files(&f, &r, &err) != 0) fail_msg("%s", err.msg);
    assert_false(r.json_mode);
    assert_int_equal(r.out.n_lines, 4);
    static const int64_t want[] = {105, 200, 300, 401};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(r.out.lines[i].t, want[i]);
    assert_int_equal(r.out.lines[0].len, 7);
    recording_free(&r);
    /* a row whose time is not a number is still an error, at its line */
    static const char bad[] = "ms_since_spawn\tline\n10\tnul[\0]\nx\0\tcr\n";
    f.stdout_timing = (rec_file){bad, sizeof bad - 1};
    assert_int_equal(recording_load_files(&f, &r, &err), -1);
    assert_string_equal(err.file, "mem/stdout_timing.tsv");
    assert_int_equal(err.line, 3);
    recording_free(&r);
    diag_free(&err);
}

static void test_signal_names(void **state) {
    (void)state;
    assert_int_equal(signal_number("SIGINT"), SIGINT);
    assert_int_equal(signal_number("TERM"), SIGTERM);
    assert_int_equal(signal_number("SIGNOPE"), 0);
    assert_string_equal(signal_name_of(SIGKILL), "SIGKILL");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed_splits_lines), cmocka_unit_test(test_write_then_load),
        cmocka_unit_test(test_corpus_layout),     cmocka_unit_test(test_load_files),
        cmocka_unit_test(test_signal_names),      cmocka_unit_test(test_timing_rows_hold_any_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
