/* record_appserver: transcript rows in the corpus format (text, bytes that are not UTF-8, NUL,
 * a fragment), which argv runs the app-server, the sequence names and `ended_by` of meta.json
 * and exit.json, a run's transcript (record_run with tx), and the folder written from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fileio.h"
#include "record_appserver.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *row(int64_t t, char dir, const char *line, size_t len, bool eol) {
    buf b;
    buf_init(&b);
    record_tx_line(&b, t, dir, line, len, eol);
    return buf_detach(&b);
}

static void test_tx_line(void **state) {
    (void)state;
    char *r = row(41, 'c', "{\"id\":1}", 8, true);
    assert_string_equal(r, "{\"t_ms\": 4.1, \"dir\": \"c2s\", \"line\": \"{\\\"id\\\":1}\"}\n");
    free(r);
    r = row(1880, 's', "é\t\x1b", 4, true); /* UTF-8 raw, controls escaped as serde/Python do */
    assert_string_equal(r, "{\"t_ms\": 188.0, \"dir\": \"s2c\", \"line\": \"é\\t\\u001b\"}\n");
    free(r);
    r = row(2223, 'c', "\xff\xfe", 2, true); /* the corpus's 06: U+FFFD per bad byte + bytes */
    assert_string_equal(
        r, "{\"t_ms\": 222.3, \"dir\": \"c2s\", \"line\": \"\xef\xbf\xbd\xef\xbf\xbd\", "
           "\"line_b64\": \"//4=\"}\n");
    free(r);
    r = row(5, 's', "a\0b", 3, true); /* NUL: exact bytes in line_b64 */
    assert_string_equal(r, "{\"t_ms\": 0.5, \"dir\": \"s2c\", \"line\": \"a\\u0000b\", "
                           "\"line_b64\": \"YQBi\"}\n");
    free(r);
    r = row(10943, 'c', "{\"id\":92,", 9, false);
    assert_string_equal(r, "{\"t_ms\": 1094.3, \"dir\": \"c2s\", \"line\": \"{\\\"id\\\":92,\", "
                           "\"eol\": false}\n");
    free(r);
    r = row(0, 's', "", 0, true);
    assert_string_equal(r, "{\"t_ms\": 0.0, \"dir\": \"s2c\", \"line\": \"\"}\n");
    free(r);
}

static void test_is_appserver(void **state) {
    (void)state;
    assert_true(record_is_appserver((char *[]){"codex", "app-server", NULL}));
    assert_true(
        record_is_appserver((char *[]){"codex", "app-server", "--listen", "stdio://", NULL}));
    assert_true(record_is_appserver(
        (char *[]){"codex", "-c", "model=\"x\"", "--enable", "foo", "app-server", NULL}));
    assert_false(record_is_appserver((char *[]){"codex", "exec", "--json", "app-server", NULL}));
    assert_false(record_is_appserver((char *[]){"codex", "-c", "app-server", NULL}));
    assert_false(record_is_appserver((char *[]){"codex", "--", "app-server", NULL}));
    assert_false(record_is_appserver((char *[]){"codex", NULL}));
    assert_false(record_is_appserver(NULL));
}

static void seq(char dir, const char *line, const char *want) {
    char *got = record_sequence_name(dir, line, strlen(line));
    assert_string_equal(got, want);
    free(got);
}

static void test_sequence_names(void **state) {
    (void)state;
    seq('c', "{\"id\":1,\"method\":\"initialize\",\"params\":{}}", "> initialize#1");
    seq('c', "{\"method\":\"initialized\"}", "> initialized");
    seq('s', "{\"id\":1,\"result\":{}}", "< result#1");
    seq('s', "{\"error\":{\"code\":-32600,\"message\":\"x\"},\"id\":\"a\"}", "< error#a(-32600)");
    seq('s', "{\"method\":\"item/started\",\"params\":{\"item\":{\"type\":\"userMessage\"}}}",
        "< item/started:userMessage");
    seq('s', "{\"method\":\"item/commandExecution/requestApproval\",\"id\":0,\"params\":{}}",
        "< item/commandExecution/requestApproval#0");
    seq('c', "{\"id\":0,\"result\":{\"decision\":\"accept\"}}", "> result#0");
    seq('c', "not json", "> (not a JSON object)");
    seq('c', "[1,2]", "> (not a JSON object)");
}

static void test_ended_by(void **state) {
    (void)state;
    record_transcript tx;
    record_transcript_init(&tx);
    char *e = record_ended_by(0, 1000, &tx);
    assert_string_equal(e, "exited by itself (stdin still open)");
    free(e);
    tx.stdin_closed_t = 900;
    e = record_ended_by(0, 1000, &tx);
    assert_string_equal(e, "exited after stdin EOF");
    free(e);
    e = record_ended_by(-SIGSEGV, 1000, &tx);
    assert_string_equal(e, "killed by signal SIGSEGV");
    free(e);
    tx.signals = xcalloc(1, sizeof *tx.signals);
    tx.signals[0] = (rec_tx_signal){800, SIGINT};
    tx.n_signals = 1;
    e = record_ended_by(-SIGINT, 1000, &tx);
    assert_string_equal(e, "exited after signal SIGINT");
    free(e);
    e = record_ended_by(0, 750, &tx); /* the signal and the close came after the exit */
    assert_string_equal(e, "exited by itself (stdin still open)");
    free(e);
    record_transcript_free(&tx);
}

/* record_run with a transcript: the client's lines as written to the program, the order,
 * the fragment at EOF, the moments. */
static void test_run_transcript(void **state) {
    (void)state;
    char *const argv[] = {"/bin/sh", "-c",
                          "read a; echo \"got $a\"; read b; echo \"got $b\"; cat >/dev/null; "
                          "printf torn",
                          NULL};
    int in[2], devnull = open("/dev/null", O_WRONLY);
    assert_int_equal(pipe(in), 0);
    const char input[] = "one\ntwo\nfrag";
    assert_int_equal(write(in[1], input, strlen(input)), (ssize_t)strlen(input));
    close(in[1]);
    record_transcript tx;
    record_transcript_init(&tx);
    record_params p = {.program = argv[0],
                       .argv = argv,
                       .clock = clock_system(),
                       .in_fd = in[0],
                       .out_fd = devnull,
                       .err_fd = devnull,
                       .progress_fd = -1,
                       .tx = &tx};
    recording r;
    recording_init(&r);
    diag err;
    diag_init(&err);
    assert_int_equal(record_run(&p, &r, &err), 0);
    close(in[0]);
    close(devnull);
    assert_int_equal(tx.in.n_lines, 3);
    assert_int_equal(r.out.n_lines, 3);
    assert_null(r.stdin_text); /* the transcript holds it */
    assert_int_equal(tx.n_order, 6);
    /* the client's three (the fragment last), then the program's answers */
    const char *want[] = {"one\n", "two\n", "frag", "got one\n", "got two\n", "torn"};
    for (size_t i = 0; i < 6; i++) {
        const rec_tx_entry *e = &tx.order[i];
        const rec_stream *s = e->dir == 'c' ? &tx.in : &r.out;
        assert_int_equal(e->dir, i < 3 ? 'c' : 's');
        assert_int_equal(e->line, i % 3);
        const rec_line *l = &s->lines[e->line];
        assert_int_equal(l->len, strlen(want[i]));
        assert_memory_equal(s->bytes.data + l->off, want[i], l->len);
        if (i) {
            const rec_tx_entry *pe = &tx.order[i - 1];
            const rec_stream *ps = pe->dir == 'c' ? &tx.in : &r.out;
            assert_true(ps->lines[pe->line].t <= l->t);
        }
    }
    assert_true(tx.stdin_eof_t >= 0 && tx.stdin_closed_t >= tx.stdin_eof_t);
    assert_true(tx.stdout_eof_t >= r.out.lines[2].t);
    assert_true(r.duration_t >= tx.stdin_closed_t);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(tx.n_signals, 0);
    recording_free(&r);
    record_transcript_free(&tx);
    diag_free(&err);
}

static char *read_in(const char *dir, const char *name) {
    char *p = xasprintf("%s/%s", dir, name);
    size_t len;
    char *d = fileio_read_file(p, 0, &len);
    free(p);
    return d;
}

static void feed(rec_stream *s, const char *text, int64_t t) {
    rec_stream_feed(s, text, strlen(text), t);
}

/* A synthetic session written out: every file, scrubbed; the folder refused the second time. */
static void test_write(void **state) {
    (void)state;
    recording r;
    recording_init(&r);
    r.argv = xcalloc(3, sizeof *r.argv);
    r.argv[0] = xstrdup("codex");
    r.argv[1] = xstrdup("app-server");
    r.argc = 2;
    r.cwd = xstrdup("/w");
    r.exit_code = -SIGINT;
    r.has_exit = true;
    r.duration_t = 8034;
    r.name = xstrdup("sigint");
    feed(&r.out, "{\"id\":1,\"result\":{\"k\":\"sk-abcdefghijklmnop1234\"}}\n", 1760);
    feed(&r.out, "{\"method\":\"a\"}\n", 1770);
    feed(&r.out, "{\"method\":\"a\"}\n", 1771);
    feed(&r.out, "{\"meth", 1780);
    rec_stream_finish(&r.out, 1780);
    feed(&r.err, "warn Bearer abcdefghijklmnop\n", 1500);
    record_transcript tx;
    record_transcript_init(&tx);
    feed(&tx.in, "{\"id\":1,\"method\":\"initialize\"}\n", 136);
    tx.order = xcalloc(5, sizeof *tx.order);
    tx.order[0] = (rec_tx_entry){'c', 0};
    for (size_t i = 0; i < 4; i++)
        tx.order[i + 1] = (rec_tx_entry){'s', i};
    tx.n_order = tx.cap_order = 5;
    tx.signals = xcalloc(1, sizeof *tx.signals);
    tx.signals[0] = (rec_tx_signal){7924, SIGINT};
    tx.n_signals = 1;
    tx.stdout_eof_t = 8033;
    tx.stdin_eof_t = tx.stdin_closed_t = 8077;
    scrubber sc;
    scrub_init(&sc);
    char *env[] = {NULL};
    scrub_defaults(&sc, env);
    char roll_text[] = "{\"k\":\"sk-abcdefghijklmnop1234\"}\n";
    rec_blob roll = {"rollout-1.jsonl", roll_text, strlen(roll_text)};
    const char cfg[] = "model = \"m\"\n";
    appserver_recording a = {.r = &r,
                             .tx = &tx,
                             .scrub = &sc,
                             .config_toml = cfg,
                             .config_len = strlen(cfg),
                             .rollouts = &roll,
                             .n_rollouts = 1};
    char root[] = "/tmp/record-as-XXXXXX";
    assert_non_null(mkdtemp(root));
    char *dir = xasprintf("%s/deep/rec", root);
    diag err;
    diag_init(&err);
    assert_false(record_dir_taken(dir));
    assert_int_equal(record_appserver_write(&a, dir, &err), 0);
    assert_true(record_dir_taken(dir));
    char *t = read_in(dir, "transcript.jsonl");
    assert_string_equal(
        t, "{\"t_ms\": 13.6, \"dir\": \"c2s\", \"line\": \"{\\\"id\\\":1,\\\"method\\\":"
           "\\\"initialize\\\"}\"}\n"
           "{\"t_ms\": 176.0, \"dir\": \"s2c\", \"line\": \"{\\\"id\\\":1,\\\"result\\\":"
           "{\\\"k\\\":\\\"<SECRET>\\\"}}\"}\n"
           "{\"t_ms\": 177.0, \"dir\": \"s2c\", \"line\": \"{\\\"method\\\":\\\"a\\\"}\"}\n"
           "{\"t_ms\": 177.1, \"dir\": \"s2c\", \"line\": \"{\\\"method\\\":\\\"a\\\"}\"}\n"
           "{\"t_ms\": 178.0, \"dir\": \"s2c\", \"line\": \"{\\\"meth\", \"eol\": false}\n");
    free(t);
    t = read_in(dir, "stdout.txt");
    assert_string_equal(t, "{\"id\":1,\"result\":{\"k\":\"<SECRET>\"}}\n{\"method\":\"a\"}\n"
                           "{\"method\":\"a\"}\n{\"meth");
    free(t);
    t = read_in(dir, "stdin.txt");
    assert_string_equal(t, "{\"id\":1,\"method\":\"initialize\"}\n");
    free(t);
    t = read_in(dir, "stderr.txt");
    assert_string_equal(t, "warn Bearer <SECRET>\n");
    free(t);
    t = read_in(dir, "stderr_timing.tsv");
    assert_string_equal(t, "ms_since_spawn\tline\n150.0\twarn Bearer <SECRET>\n");
    free(t);
    t = read_in(dir, "exit.json");
    assert_string_equal(t, "{\n  \"exit_code\": null,\n  \"signal\": \"SIGINT\",\n"
                           "  \"returncode\": -2,\n  \"t_ms\": 803.4,\n"
                           "  \"stdout_eof_ms\": 803.3,\n  \"stdin_closed_ms\": 807.7,\n"
                           "  \"ended_by\": \"exited after signal SIGINT\"\n}\n");
    free(t);
    t = read_in(dir, "exit_code");
    assert_string_equal(t, "-2\n");
    free(t);
    t = read_in(dir, "actions.jsonl");
    assert_string_equal(t, "{\"t_ms\": 792.4, \"do\": \"signal\", \"name\": \"SIGINT\"}\n"
                           "{\"t_ms\": 807.7, \"do\": \"close_stdin\"}\n");
    free(t);
    t = read_in(dir, "config.toml");
    assert_string_equal(t, cfg);
    free(t);
    t = read_in(dir, "rollout/rollout-1.jsonl");
    assert_string_equal(t, "{\"k\":\"<SECRET>\"}\n");
    free(t);
    t = read_in(dir, "argv.json");
    assert_non_null(strstr(t, "\"app-server\""));
    assert_non_null(strstr(t, "<pipe: client>"));
    free(t);
    t = read_in(dir, "meta.json");
    assert_non_null(strstr(t, "\"< result#1\", \"< a x2\", \"< (not a JSON object)\""));
    assert_non_null(strstr(t, "\"sigint\""));
    free(t);
    /* again into the same folder: refused, nothing overwritten */
    assert_int_equal(record_appserver_write(&a, dir, &err), -1);
    assert_non_null(strstr(err.msg, "already holds a recording"));
    char *cmd = xasprintf("rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(dir);
    diag_free(&err);
    scrub_free(&sc);
    recording_free(&r);
    record_transcript_free(&tx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tx_line),        cmocka_unit_test(test_is_appserver),
        cmocka_unit_test(test_sequence_names), cmocka_unit_test(test_ended_by),
        cmocka_unit_test(test_run_transcript), cmocka_unit_test(test_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
