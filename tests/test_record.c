/* record: finding the real CLI on PATH (our own directory skipped), and a run's capture:
 * bytes, per-line stamps, exit code or signal, stdin passed on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "record.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void make_exe(const char *path) {
    FILE *f = fopen(path, "w");
    fputs("#!/bin/sh\n", f);
    fclose(f);
    chmod(path, 0755);
}

static void test_find_program(void **state) {
    (void)state;
    char root[] = "/tmp/record-find-XXXXXX";
    assert_non_null(mkdtemp(root));
    char *ours = xasprintf("%s/ours", root), *real = xasprintf("%s/real", root);
    mkdir(ours, 0755);
    mkdir(real, 0755);
    char *a = xasprintf("%s/codex", ours), *b = xasprintf("%s/codex", real);
    make_exe(a);
    make_exe(b);
    char *path = xasprintf("%s:%s", ours, real);
    char *found = record_find_program("codex", path, ours, NULL);
    assert_string_equal(found, b); /* codex-mock's own directory is skipped */
    free(found);
    found = record_find_program("codex", path, NULL, NULL);
    assert_string_equal(found, a);
    free(found);
    found = record_find_program("codex", path, ours, "/opt/codex");
    assert_string_equal(found, "/opt/codex");
    free(found);
    assert_null(record_find_program("nope", path, ours, NULL));
    found = record_find_program("./x/codex", path, ours, NULL);
    assert_string_equal(found, "./x/codex");
    free(found);
    char *cmd = xasprintf("rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    free(cmd), free(path), free(a), free(b), free(ours), free(real);
}

static void run(char *const *argv, const char *input, recording *r) {
    int in[2], devnull = open("/dev/null", O_WRONLY);
    assert_int_equal(pipe(in), 0);
    if (input) assert_true(write(in[1], input, strlen(input)) == (ssize_t)strlen(input));
    close(in[1]);
    record_params p = {.program = argv[0],
                       .argv = argv,
                       .clock = clock_system(),
                       .in_fd = in[0],
                       .out_fd = devnull,
                       .err_fd = devnull,
                       .progress_fd = -1};
    recording_init(r);
    diag err;
    diag_init(&err);
    assert_int_equal(record_run(&p, r, &err), 0);
    diag_free(&err);
    close(in[0]);
    close(devnull);
}

static void test_capture(void **state) {
    (void)state;
    char *const argv[] = {"/bin/sh", "-c",
                          "read x; echo \"got $x\"; sleep 0.2; echo late >&2; printf tail; exit 3",
                          NULL};
    recording r;
    run(argv, "hello\n", &r);
    assert_int_equal(r.exit_code, 3);
    assert_int_equal(r.out.n_lines, 2);
    assert_memory_equal(r.out.bytes.data, "got hello\ntail", 14);
    assert_int_equal(r.err.n_lines, 1);
    /* the stderr line came ~200 ms after the first stdout line */
    int64_t gap = r.err.lines[0].t - r.out.lines[0].t;
    assert_true(gap >= 1900 && gap < 6000);
    assert_string_equal(r.stdin_text, "hello\n");
    assert_true(r.has_timing);
    recording_free(&r);
}

static void test_signal_death(void **state) {
    (void)state;
    char *const argv[] = {"/bin/sh", "-c", "echo x; kill -TERM $$", NULL};
    recording r;
    run(argv, NULL, &r);
    assert_int_equal(r.exit_code, -SIGTERM);
    assert_null(r.stdin_text);
    recording_free(&r);
}

static void test_cannot_start(void **state) {
    (void)state;
    char *const argv[] = {"/nonexistent/codex", NULL};
    record_params p = {.program = argv[0],
                       .argv = argv,
                       .clock = clock_system(),
                       .in_fd = 0,
                       .out_fd = 1,
                       .err_fd = 2,
                       .progress_fd = -1};
    recording r;
    recording_init(&r);
    diag err;
    diag_init(&err);
    assert_int_equal(record_run(&p, &r, &err), -1);
    assert_non_null(strstr(err.msg, "cannot run /nonexistent/codex"));
    diag_free(&err);
    recording_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_program),
        cmocka_unit_test(test_capture),
        cmocka_unit_test(test_signal_death),
        cmocka_unit_test(test_cannot_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
