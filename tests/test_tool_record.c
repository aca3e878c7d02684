/* Unit tests for src/tool_record.c: `codex-mock record` run in-process on a stand-in `codex`
 * (a shell script found on the PATH given in `env`) — stdio passed through unchanged, the
 * recording directory's files scrubbed (argv, env, streams, the new session file, the -o file),
 * the CLI's exit code and death by signal handed on, and the usage and not-found errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "tool_record.h"

#include <cJSON.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY "sk-proj-abcdefghijklmnop1234"

/* The stand-in CLI: prints a key on stdout and stderr, writes a session file under
 * $CODEX_HOME/sessions and the -o file, echoes stdin, and exits with $FAKE_EXIT (or dies by
 * SIGTERM when it is "term"). */
static const char FAKE_CODEX[] =
    "#!/bin/sh\n"
    "in=$(cat)\n"
    "printf '{\"type\":\"thread.started\",\"key\":\"%s\"}\\n' \"$OPENAI_API_KEY\"\n"
    "printf 'stdin was: %s\\n' \"$in\"\n"
    "printf 'warn: Bearer abc.def.ghi\\n' >&2\n"
    "mkdir -p \"$CODEX_HOME/sessions/2026/11/21\"\n"
    "printf '{\"type\":\"session_meta\",\"payload\":{\"key\":\"%s\"}}\\n' \"$OPENAI_API_KEY\" "
    "> \"$CODEX_HOME/sessions/2026/11/21/rollout-x.jsonl\"\n"
    "while [ $# -gt 0 ]; do if [ \"$1\" = -o ]; then printf 'last %s' \"$OPENAI_API_KEY\" > "
    "\"$2\"; fi; shift; done\n"
    "if [ \"$FAKE_EXIT\" = term ]; then kill -TERM $$; sleep 5; fi\n"
    "exit \"$FAKE_EXIT\"\n";

typedef struct {
    char *dir, *bin, *home, *out_dir, *cwd_before;
    char *out, *err; /* what the command passed through */
} fixture;

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    buf b;
    buf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_append(&b, tmp, n);
    fclose(f);
    return b.data ? buf_detach(&b) : xstrdup("");
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    char tmpl[] = "/tmp/test-tool-record-XXXXXX";
    f->dir = xstrdup(mkdtemp(tmpl));
    f->bin = xasprintf("%s/bin", f->dir);
    f->home = xasprintf("%s/home", f->dir);
    f->out_dir = xasprintf("%s/rec", f->dir);
    mkdir(f->bin, 0755);
    mkdir(f->home, 0755);
    char *codex = xasprintf("%s/codex", f->bin);
    FILE *o = fopen(codex, "w");
    fputs(FAKE_CODEX, o);
    fclose(o);
    chmod(codex, 0755);
    free(codex);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    char *cmd = xasprintf("rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(cmd);
    free(f->dir), free(f->bin), free(f->home), free(f->out_dir);
    free(f->out), free(f->err);
    free(f);
    return rc == 0 ? 0 : -1;
}

extern char **environ;

/* Runs tool_record(words) with `env` (also the process's environment meanwhile, as `main`
 * passes environ), stdin from `input`, stdout and stderr to files. */
static int run(fixture *f, const char *const *words, char *const *env, const char *input) {
    char *argv[32];
    int argc = 0;
    for (; *words; words++)
        argv[argc++] = (char *)*words;
    argv[argc] = NULL;
    char in_path[] = "/tmp/test-tool-record-in-XXXXXX";
    char out_path[] = "/tmp/test-tool-record-out-XXXXXX";
    char err_path[] = "/tmp/test-tool-record-err-XXXXXX";
    int in_fd = mkstemp(in_path), out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
    assert_int_equal(write(in_fd, input, strlen(input)), (ssize_t)strlen(input));
    lseek(in_fd, 0, SEEK_SET);
    fflush(stdout);
    fflush(stderr);
    int s0 = dup(0), s1 = dup(1), s2 = dup(2);
    dup2(in_fd, 0), dup2(out_fd, 1), dup2(err_fd, 2);
    char **saved_env = environ;
    environ = (char **)env;
    int rc = tool_record(argc, argv, env);
    environ = saved_env;
    fflush(stdout);
    fflush(stderr);
    dup2(s0, 0), dup2(s1, 1), dup2(s2, 2);
    close(s0), close(s1), close(s2), close(in_fd), close(out_fd), close(err_fd);
    free(f->out), free(f->err);
    f->out = read_all(out_path);
    f->err = read_all(err_path);
    unlink(in_path), unlink(out_path), unlink(err_path);
    return rc;
}

static char *rec_file(const fixture *f, const char *name) {
    char *p = xasprintf("%s/%s", f->out_dir, name);
    char *t = read_all(p);
    free(p);
    return t;
}

static void test_records_and_scrubs(void **state) {
    fixture *f = *state;
    char *path = xasprintf("PATH=%s:/usr/bin:/bin", f->bin);
    char *home = xasprintf("CODEX_HOME=%s", f->home);
    char *last = xasprintf("%s/last.txt", f->dir);
    char *env[] = {path,          home,     "OPENAI_API_KEY=" KEY,
                   "FAKE_EXIT=3", "TZ=UTC", "CODEX_MOCK_SPEED=0",
                   "UNRELATED=1", NULL};
    const char *words[] = {
        "--out", f->out_dir, "--name", "flaky", "--filter", "TICKET=JIRA-[0-9]+",    "--",
        "codex", "exec",     "--json", "-o",    last,       "fix JIRA-42 with " KEY, NULL};
    assert_int_equal(run(f, words, env, "piped"), 3);
    /* Passed through as the CLI wrote it, secrets and all. */
    assert_string_equal(f->out, "{\"type\":\"thread.started\",\"key\":\"" KEY "\"}\n"
                                "stdin was: piped\n");
    assert_string_equal(f->err, "warn: Bearer abc.def.ghi\n");
    /* Recorded with the secrets replaced. */
    char *t = rec_file(f, "stdout.jsonl");
    assert_string_equal(t, "{\"type\":\"thread.started\",\"key\":\"<OPENAI_API_KEY>\"}\n"
                           "stdin was: piped\n");
    free(t);
    t = rec_file(f, "stderr.txt");
    assert_string_equal(t, "warn: Bearer <SECRET>\n");
    free(t);
    t = rec_file(f, "exit_code");
    assert_string_equal(t, "3\n");
    free(t);
    /* argv.json: argv scrubbed, stdin scrubbed, and only the kept variables (a secret's value
     * replaced by its name), never CODEX_MOCK_* or unrelated ones. */
    t = rec_file(f, "argv.json");
    cJSON *j = cJSON_Parse(t);
    assert_non_null(j);
    char *got = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "argv"));
    char *want = xasprintf("[\"codex\",\"exec\",\"--json\",\"-o\",\"%s\",\"fix <TICKET> with "
                           "<OPENAI_API_KEY>\"]",
                           last);
    assert_string_equal(got, want);
    free(want);
    free(got);
    assert_string_equal(cJSON_GetObjectItem(j, "stdin")->valuestring, "piped");
    got = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "env"));
    want = xasprintf("{\"CODEX_HOME\":\"%s\",\"OPENAI_API_KEY\":\"<OPENAI_API_KEY>\",\"TZ\":"
                     "\"UTC\"}",
                     f->home);
    assert_string_equal(got, want);
    free(want);
    free(got);
    cJSON_Delete(j);
    free(t);
    t = rec_file(f, "collected_last_message.txt");
    assert_string_equal(t, "last <OPENAI_API_KEY>");
    free(t);
    t = rec_file(f, "rollout/rollout-x.jsonl");
    assert_string_equal(t,
                        "{\"type\":\"session_meta\",\"payload\":{\"key\":\"<OPENAI_API_KEY>\"}}\n");
    free(t);
    t = rec_file(f, "meta.json");
    assert_non_null(t);
    assert_non_null(strstr(t, "\"flaky\""));
    free(t);
    /* A second recording into the same directory is refused. */
    assert_int_equal(run(f, words, env, "piped"), 78);
    char *want_err =
        xasprintf("warn: Bearer abc.def.ghi\ncodex-mock record: codex-mock: %s: already "
                  "holds a recording (argv.json); choose another --out\n",
                  f->out_dir);
    assert_string_equal(f->err, want_err);
    free(want_err);
    free(last);
    free(path);
    free(home);
}

static void test_no_scrub(void **state) {
    fixture *f = *state;
    char *path = xasprintf("PATH=%s", f->bin);
    char *home = xasprintf("CODEX_HOME=%s", f->home);
    char *env[] = {path, home, "OPENAI_API_KEY=" KEY, "FAKE_EXIT=0", NULL};
    const char *words[] = {"--out", f->out_dir, "--no-scrub", "--", "codex", "exec", "hi", NULL};
    assert_int_equal(run(f, words, env, ""), 0);
    char *t = rec_file(f, "stdout.txt"); /* no --json: the human-mode file */
    assert_string_equal(t, "{\"type\":\"thread.started\",\"key\":\"" KEY "\"}\nstdin was: \n");
    free(t);
    t = rec_file(f, "exit_code");
    assert_string_equal(t, "0\n");
    free(t);
    free(path);
    free(home);
}

static void test_usage_and_not_found(void **state) {
    fixture *f = *state;
    static const char usage[] =
        "Usage: codex-mock record [--out DIR] [--filter NAME=REGEX]... [--filter-file FILE]\n"
        "                         [--no-scrub] [--name NAME] [--app-server] -- codex exec ...\n"
        "       codex-mock record [options] -- codex app-server [...]\n";
    char *env[] = {"PATH=/nonexistent", NULL};
    assert_int_equal(run(f, (const char *[]){"--out", "x", NULL}, env, ""), 2);
    char *want = xasprintf("codex-mock record: give the command to record after --\n\n%s", usage);
    assert_string_equal(f->err, want);
    free(want);
    assert_int_equal(run(f, (const char *[]){"--bogus", "--", "codex", NULL}, env, ""), 2);
    want = xasprintf("codex-mock record: unknown option or missing value: --bogus\n\n%s", usage);
    assert_string_equal(f->err, want);
    free(want);
    assert_int_equal(run(f, (const char *[]){"--filter", "NOEQUALS", "--", "codex", NULL}, env, ""),
                     2);
    assert_true(strncmp(f->err, "codex-mock: ", 12) == 0);
    assert_int_equal(run(f, (const char *[]){"--", "codex", "exec", NULL}, env, ""), 78);
    assert_string_equal(f->err,
                        "codex-mock record: 'codex' was not found on PATH (the fake codex's "
                        "directory is skipped); install the real CLI or set "
                        "CODEX_MOCK_REAL_CODEX\n");
    assert_string_equal(f->out, "");
    /* CODEX_MOCK_REAL_CODEX names the real codex, and only codex. */
    char *real = xasprintf("CODEX_MOCK_REAL_CODEX=%s/codex", f->bin);
    char *home = xasprintf("CODEX_HOME=%s", f->home);
    char *env2[] = {"PATH=/nonexistent", real, home, "FAKE_EXIT=5", NULL};
    assert_int_equal(
        run(f, (const char *[]){"--out", f->out_dir, "--", "codex", "exec", NULL}, env2, ""), 5);
    char *other_out = xasprintf("%s/other", f->dir); /* never in the cwd, even when broken */
    assert_int_equal(run(f, (const char *[]){"--out", other_out, "--", "other", NULL}, env2, ""),
                     78);
    free(other_out);
    assert_non_null(strstr(f->err, "'other' was not found on PATH"));
    free(real);
    free(home);
}

/* A CLI killed by a signal: the recording says so, and record dies the same way. */
static void test_death_by_signal_handed_on(void **state) {
    fixture *f = *state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *path = xasprintf("PATH=%s:/usr/bin:/bin", f->bin);
        char *home = xasprintf("CODEX_HOME=%s", f->home);
        char *env[] = {path, home, "FAKE_EXIT=term", NULL};
        environ = env;
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0), dup2(devnull, 1), dup2(devnull, 2);
        char *argv[] = {"--out", f->out_dir, "--", "codex", "exec", NULL};
        _exit(tool_record(5, argv, env) == 0 ? 0 : 100);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    char *t = rec_file(f, "exit_code");
    assert_non_null(t);
    assert_string_equal(t, "-15\n");
    free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_records_and_scrubs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_scrub, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_and_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_death_by_signal_handed_on, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
