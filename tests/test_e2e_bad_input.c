/* End to end: malformed scenarios through the built `codex`. Each input must give exactly one
 * message on stderr (`codex-mock: FILE:LINE:COL: message`, or `codex-mock: CODEX_MOCK_SCENARIO:
 * …` when there is no file to point into), the reserved exit code 78, nothing on stdout, and no
 * crash or hang (every run is bounded; under ASan a leak changes the exit code).
 *
 * Covered: YAML syntax errors, wrong types, unknown keys, steps and events, empty and binary
 * files, invalid UTF-8, 10 MB scalars (the message quotes them elided), nesting 10 000 deep,
 * alias bombs, scenario names that try to leave their directory, unreadable files (EACCES when
 * not root; as root, where mode 000 does not stop reading, a file whose read(2) fails), a FIFO
 * with no writer, a directory, /dev/null, dangling and looping symlinks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "e2e.h"

#include <errno.h>
#include <fcntl.h>

/* Each run is instant (an error before any output); 20 s covers valgrind. */
#define RUN_TIMEOUT_MS 20000.0

typedef struct {
    const char *name; /* file name in the temporary directory */
    const char *text; /* contents (text_len bytes; 0: strlen) */
    size_t text_len;
    const char *want; /* stderr after "codex-mock: DIR/NAME:" */
} bad_file;

#define H "codex_mock: 1\n"

static const bad_file FILES[] = {
    /* empty and almost empty */
    {"empty.yaml", "", 0,
     "1:1: empty scenario: expected a mapping with 'codex_mock: 1' and 'turns'"},
    {"blank.yaml", "\n  \n\n", 0,
     "1:1: empty scenario: expected a mapping with 'codex_mock: 1' and 'turns'"},
    {"comment.yaml", "# Shows: nothing\n", 0,
     "1:1: empty scenario: expected a mapping with 'codex_mock: 1' and 'turns'"},
    /* YAML syntax */
    {"unterminated.yaml", H "steps:\n  - message: \"abc\n", 0,
     "4:1: YAML syntax error: found unexpected end of stream while scanning a quoted scalar "
     "(line 3)"},
    {"indent.yaml", H "steps:\n  - message: a\n   bad: b\n", 0,
     "4:4: YAML syntax error: did not find expected '-' indicator while parsing a block "
     "collection (line 3)"},
    {"tab.yaml", H "steps:\n\t- message: a\n", 0,
     "3:1: YAML syntax error: found character that cannot start any token while scanning for "
     "the next token (line 3)"},
    {"flowseq.yaml", H "steps: [\n", 0,
     "3:1: YAML syntax error: did not find expected node content while parsing a flow node "
     "(line 3)"},
    {"flowmap.yaml", H "steps:\n  - usage: {input_tokens: 1\n", 0,
     "4:1: YAML syntax error: did not find expected ',' or '}' while parsing a flow mapping "
     "(line 3)"},
    {"twodocs.yaml", H "steps: []\n---\n" H "steps: []\n", 0,
     "3:1: a scenario file holds one document; found a second one"},
    {"noanchor.yaml", H "steps:\n  - message: *nope\n", 0, "3:14: unknown alias *nope"},
    /* shape and types */
    {"toplist.yaml", "- codex_mock: 1\n", 0,
     "1:1: a scenario must be a mapping (codex_mock, name, turns, ...), found a list"},
    {"topscalar.yaml", "hello\n", 0,
     "1:1: a scenario must be a mapping (codex_mock, name, turns, ...), found a string"},
    {"version2.yaml", "codex_mock: 2\nsteps: []\n", 0,
     "1:13: unsupported format version 2 (this codex-mock reads 1)"},
    {"versionstr.yaml", "codex_mock: \"1\"\nsteps: []\n", 0,
     "1:13: 'codex_mock' is the format version and must be 1"},
    {"noversion.yaml", "steps:\n  - message: hi\n", 0,
     "1:1: missing 'codex_mock: 1' (the format version) at the top"},
    {"both.yaml", H "steps: []\nturns: [{steps: []}]\n", 0,
     "3:1: give either 'turns' or 'steps' once (steps is a one-turn scenario)"},
    {"neither.yaml", H "name: x\n", 0, "1:1: missing 'turns' (or 'steps' for a single turn)"},
    {"turnsempty.yaml", H "turns: []\n", 0, "1:1: 'turns' is empty: a scenario needs a turn"},
    {"stepsscalar.yaml", H "steps: hi\n", 0, "2:8: 'steps' must be a list, found a string"},
    {"stepscalar.yaml", H "steps:\n  - hi\n", 0,
     "3:5: a step must be a mapping such as 'message: hello', found a string"},
    {"nullstep.yaml", H "steps:\n  -\n", 0,
     "3:4: a step must be a mapping such as 'message: hello', found null"},
    {"twokeys.yaml", H "steps:\n  - message: a\n    reasoning: b\n", 0,
     "4:5: a step has one type, but this one has both 'message' and 'reasoning'"},
    {"exitstr.yaml", H "steps:\n  - exit: \"3\"\n", 0,
     "3:11: 'exit' must be an integer, found a string"},
    {"exitfloat.yaml", H "steps:\n  - exit: 3.0\n", 0,
     "3:11: 'exit' must be an integer, found a number"},
    {"exitbig.yaml", H "steps:\n  - exit: 99999999999999999999\n", 0,
     "3:11: 'exit' must be an integer, found a number"},
    {"exitrange.yaml", H "steps:\n  - exit: 300\n", 0,
     "3:11: exit code 300 is out of range (0 to 255)"},
    {"exit78.yaml", H "steps:\n  - exit: 78\n", 0,
     "3:11: exit code 78 is reserved for codex-mock's own errors; pick another"},
    {"msgnull.yaml", H "steps:\n  - message: null\n", 0,
     "3:14: 'text' must be a string, found null (quote it if you meant the text)"},
    {"msgtrue.yaml", H "steps:\n  - message: true\n", 0,
     "3:14: 'text' must be a string, found a boolean (quote it if you meant the text)"},
    {"threadmap.yaml", H "thread_id: {a: 1}\nsteps: []\n", 0,
     "2:12: 'thread_id' must be a string, found a mapping"},
    {"reasonnest.yaml", H "steps:\n  - reasoning: [a, [b]]\n", 0,
     "3:20: 'reasoning part' must be a string, found a list"},
    {"negtokens.yaml", H "steps:\n  - usage: {input_tokens: -1}\n", 0,
     "3:27: 'input_tokens' cannot be negative"},
    {"dupkey.yaml", H "steps:\n  - command: ls\n    exit_code: 1\n    exit_code: 2\n", 0,
     "5:5: key 'exit_code' given twice in a step"},
    /* durations */
    {"durunit.yaml", H "steps:\n  - message: a\n    after: 5 parsecs\n", 0,
     "4:12: bad duration '5 parsecs' for 'after': expected a duration such as 250ms, 1.5s, 2m or "
     "0 (units: us, ms, s, m, h)"},
    {"durneg.yaml", H "steps:\n  - message: a\n    after: -5ms\n", 0,
     "4:12: bad duration '-5ms' for 'after': durations cannot be negative"},
    {"durbig.yaml", H "startup: 2401h\nsteps: []\n", 0,
     "2:10: bad duration '2401h' for 'startup': duration is too large"},
    {"afterat.yaml", H "steps:\n  - message: a\n    after: 1ms\n    at: 2ms\n", 0,
     "3:5: give a step 'after' or 'at', not both"},
    /* unknown keys, steps, events, values */
    {"unknowntop.yaml", H "stpes: []\n", 0,
     "2:1: unknown top-level key 'stpes' (did you mean 'steps'?)"},
    {"unknownkey.yaml", H "steps:\n  - message: a\n    colour: red\n", 0,
     "4:5: unknown key 'colour' in a message step"},
    {"unknownstep.yaml", H "steps:\n  - mesage: hi\n", 0,
     "3:5: unknown step type 'mesage' (did you mean 'message'?)"},
    {"eventtype.yaml", H "steps:\n  - event: {type: turn.exploded}\n", 0,
     "3:19: unknown event type 'turn.exploded' (expected thread.started, turn.started, "
     "item.started, item.updated, item.completed, turn.completed, turn.failed or error)"},
    {"eventnotype.yaml", H "steps:\n  - event: {item: {}}\n", 0, "3:12: an event needs 'type'"},
    {"onsigint.yaml", H "on_sigint: ignore\nsteps: []\n", 0,
     "2:12: unknown value for 'on_sigint' 'ignore' (expected interrupt or die)"},
    {"signal.yaml", H "steps:\n  - signal: SIGFOO\n", 0,
     "3:13: unknown signal 'SIGFOO' (did you mean 'SIGFPE'?)"},
    {"chaos.yaml", H "chaos: \"lots of it\"\nsteps: []\n", 0,
     "2:8: chaos: expected key=value pairs such as reconnect=0.2,stall=0.1,stall_for=3s,fail=0.05, "
     "not 'lots of it'"},
    {"merge.yaml", H "steps:\n  - message: &b {text: a}\n  - message: {<<: *b}\n", 0, NULL},
    /* bytes that are not YAML text */
    {"elf.yaml",
     "\x7f"
     "ELF\x02\x01\x01\x00\x00\x00garbage",
     sizeof("\x7f"
            "ELF\x02\x01\x01\x00\x00\x00garbage") -
         1,
     "1:1: YAML syntax error: control characters are not allowed (at byte 0)"},
    {"nul.yaml", H "steps:\n  - message: a\0b\n", sizeof(H "steps:\n  - message: a\0b\n") - 1,
     "3:15: YAML syntax error: control characters are not allowed (at byte 35)"},
    {"badutf8.yaml", H "steps:\n  - message: \"caf\xc3\x28\"\n", 0,
     "3:19: YAML syntax error: invalid trailing UTF-8 octet (at byte 39)"},
    {"overlong.yaml", H "steps:\n  - message: \"\xc0\xaf\"\n", 0,
     "3:15: YAML syntax error: invalid length of a UTF-8 sequence (at byte 35)"},
    {"surrogate.yaml", H "steps:\n  - message: \"\xed\xa0\x80\"\n", 0,
     "3:15: YAML syntax error: invalid Unicode character (at byte 35)"},
};

static char *tmp;

static int setup(void **state) {
    (void)state;
    tmp = e2e_tmpdir();
    if (!tmp) return -1;
    char *home = xasprintf("%s/home", tmp);
    int rc = mkdir(home, 0755);
    free(home);
    return rc;
}

static int teardown(void **state) {
    (void)state;
    e2e_rmtree(tmp);
    return 0;
}

/* Runs `codex exec --json --skip-git-repo-check x` with VAR=value (CODEX_MOCK_SCENARIO or
 * CODEX_MOCK_RULES; in a directory that is not a git repository) and checks the 78 contract;
 * returns stderr. */
static char *run_78_with(const char *var, const char *value) {
    const char *argv[] = {CODEX_BIN, "exec", "--json", "--skip-git-repo-check", "x", NULL};
    static const char *const unset[] = {"CODEX_MOCK_SCENARIO_PATH",
                                        "CODEX_MOCK_VERSION",
                                        "CODEX_MOCK_CHAOS",
                                        "CODEX_MOCK_SCENARIO",
                                        "CODEX_MOCK_RULES",
                                        "CODEX_MOCK_STATE",
                                        NULL};
    char *env = xasprintf("%s=%s", var, value);
    char *home = xasprintf("CODEX_HOME=%s/home", tmp);
    /* the 10 MB files load whole, so every error comes before any output (played as they are
     * read, they report later: test_e2e_stream) */
    const char *e[] = {env, home, "CODEX_MOCK_SPEED=0", "CODEX_MOCK_STREAM_ABOVE=1073741824", NULL};
    proc_spec spec = {
        .argv = argv, .env = e, .unset = unset, .cwd = "/", .timeout_ms = RUN_TIMEOUT_MS};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    if (r.timed_out) fail_msg("%.80s: hung (killed after %.0f ms)", value, proc_ms(RUN_TIMEOUT_MS));
    if (!r.exited)
        fail_msg("%.80s: killed by signal %d; stderr: %.2000s", value, r.term_signal, r.err);
    if (r.exit_code != 78) fail_msg("%.80s: exit %d, stderr: %.2000s", value, r.exit_code, r.err);
    if (r.out_len != 0) fail_msg("%.80s: stdout not empty: %.200s", value, r.out);
    char *err = xstrndup(r.err ? r.err : "", r.err_len);
    proc_result_free(&r);
    free(env);
    free(home);
    return err;
}

static char *run_78(const char *scenario) {
    return run_78_with("CODEX_MOCK_SCENARIO", scenario);
}

static void expect_stderr(const char *scenario, const char *want) {
    char *err = run_78(scenario);
    if (strcmp(err, want) != 0) fail_msg("%.80s\n got: %.3000s\nwant: %s", scenario, err, want);
    free(err);
}

static char *write_bytes(const char *name, const char *data, size_t len) {
    char *path = xasprintf("%s/%s", tmp, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void test_malformed_files(void **state) {
    (void)state;
    size_t n = sizeof FILES / sizeof FILES[0];
    assert_true(n >= 40);
    for (size_t i = 0; i < n; i++) {
        const bad_file *b = &FILES[i];
        size_t len = b->text_len ? b->text_len : strlen(b->text);
        char *path = write_bytes(b->name, b->text, len);
        if (!b->want) {
            /* merge keys are not supported: any message at the `<<` will do */
            char *err = run_78(path);
            char *prefix = xasprintf("codex-mock: %s:4:", path);
            assert_true(strncmp(err, prefix, strlen(prefix)) == 0);
            assert_non_null(strstr(err, "'<<'"));
            free(prefix);
            free(err);
        } else {
            char *want = xasprintf("codex-mock: %s:%s\n", path, b->want);
            expect_stderr(path, want);
            free(want);
        }
        free(path);
    }
}

/* 10 MB in one scalar: the message quotes it with its middle left out. */
static void test_huge_scalars(void **state) {
    (void)state;
    size_t big = 10 * 1000 * 1000;
    buf b;
    buf_init(&b);
    buf_puts(&b, H "steps:\n  - event: {type: ");
    for (size_t i = 0; i < big; i++)
        buf_putc(&b, 't');
    buf_puts(&b, "}\n");
    char *path = write_bytes("big_type.yaml", b.data, b.len);
    char *err = run_78(path);
    assert_true(strlen(err) < 3300);
    char *head = xasprintf("codex-mock: %s:3:19: unknown event type 'tttt", path);
    assert_true(strncmp(err, head, strlen(head)) == 0);
    assert_non_null(strstr(err, "tttt … [999"));
    assert_non_null(strstr(err, " bytes left out] … tttt"));
    assert_non_null(strstr(err, "tttt' (expected thread.started, "));
    free(head);
    free(err);
    free(path);

    /* a 10 MB duration: too large, and said so briefly */
    buf_reset(&b);
    buf_puts(&b, H "steps:\n  - message: a\n    after: ");
    for (size_t i = 0; i < big; i++)
        buf_putc(&b, '1');
    buf_puts(&b, "ms\n");
    path = write_bytes("big_duration.yaml", b.data, b.len);
    err = run_78(path);
    assert_true(strlen(err) < 3300);
    assert_non_null(strstr(err, "ms' for 'after': duration is too large\n"));
    free(err);
    free(path);

    /* a 10 MB key: libyaml's simple-key limit */
    buf_reset(&b);
    buf_puts(&b, H "steps:\n  - message: a\n    ");
    for (size_t i = 0; i < big; i++)
        buf_putc(&b, 'k');
    buf_puts(&b, ": 1\n");
    path = write_bytes("big_key.yaml", b.data, b.len);
    char *want = xasprintf("codex-mock: %s:4:10000005: YAML syntax error: could not find expected "
                           "':' while scanning a simple key (line 4)\n",
                           path);
    expect_stderr(path, want);
    free(want);
    free(path);
    buf_free(&b);
}

/* 10 000 levels of flow sequences, flow mappings and block mappings. */
static void test_deep_nesting(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    struct {
        const char *name, *open, *close, *want;
    } kinds[] = {
        {"deep_seq.yaml", "[", "]", "3:212: nesting deeper than 200 levels"},
        {"deep_map.yaml", "{a: ", "}", "3:809: nesting deeper than 200 levels"},
    };
    for (int k = 0; k < 2; k++) {
        buf_reset(&b);
        buf_puts(&b, H "steps:\n  - event: ");
        for (int i = 0; i < 10000; i++)
            buf_puts(&b, kinds[k].open);
        if (k == 1) buf_puts(&b, "1");
        for (int i = 0; i < 10000; i++)
            buf_puts(&b, kinds[k].close);
        buf_puts(&b, "\n");
        char *path = write_bytes(kinds[k].name, b.data, b.len);
        char *want = xasprintf("codex-mock: %s:%s\n", path, kinds[k].want);
        expect_stderr(path, want);
        free(want);
        free(path);
    }
    buf_reset(&b);
    buf_puts(&b, H "steps:\n  - event:\n");
    for (int i = 0; i < 10000; i++) {
        for (int s = 0; s < 2 * i + 6; s++)
            buf_putc(&b, ' ');
        buf_puts(&b, "k:\n");
    }
    char *path = write_bytes("deep_block.yaml", b.data, b.len);
    char *want = xasprintf("codex-mock: %s:203:405: nesting deeper than 200 levels\n", path);
    expect_stderr(path, want);
    free(want);
    free(path);
    buf_free(&b);
}

/* Billion laughs: ten levels of ten aliases each (10^9 nodes if expanded). */
static void test_alias_bomb(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    buf_puts(&b, H "steps:\n  - event:\n      type: error\n      message: hi\n"
                   "      x0: &a0 [lol]\n");
    for (int i = 1; i < 10; i++) {
        buf_printf(&b, "      x%d: &a%d [", i, i);
        for (int j = 0; j < 10; j++)
            buf_printf(&b, "%s*a%d", j ? "," : "", i - 1);
        buf_puts(&b, "]\n");
    }
    char *path = write_bytes("lol.yaml", b.data, b.len);
    char *want = xasprintf("codex-mock: %s:12:28: alias *a5 expands to too many nodes (more than "
                           "1000000 through aliases; a billion-laughs file?)\n",
                           path);
    expect_stderr(path, want);
    free(want);
    free(path);
    buf_free(&b);
}

/* Names that try to leave the library, and paths that are not scenario files. */
static void test_names_and_paths(void **state) {
    (void)state;
    static const char NAME_RULES[] =
        "is not a scenario name (letters, digits, '-', '_', '.'; no '..'); give a path with a "
        "'/' to load a file\n";
    const char *names[] = {"..", "foo..bar", ".hidden", "name with space", "x\ny", "  "};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *want = xasprintf("codex-mock: CODEX_MOCK_SCENARIO: '%s' %s", names[i], NAME_RULES);
        expect_stderr(names[i], want);
        free(want);
    }
    expect_stderr("../../no-such-dir/passwd", "codex-mock: CODEX_MOCK_SCENARIO: no scenario file "
                                              "'../../no-such-dir/passwd' (No such file or "
                                              "directory)\n");
    expect_stderr("a/../../b.yaml", "codex-mock: CODEX_MOCK_SCENARIO: no scenario file "
                                    "'a/../../b.yaml' (No such file or directory)\n");
    /* a device, a directory, a FIFO with no writer (must not block in open) */
    expect_stderr("/dev/null", "codex-mock: CODEX_MOCK_SCENARIO: no scenario file '/dev/null' (not "
                               "a regular file)\n");
    char *want = xasprintf("codex-mock: CODEX_MOCK_SCENARIO: no scenario file '%s' (it is a "
                           "directory)\n",
                           tmp);
    expect_stderr(tmp, want);
    free(want);
    char *fifo = xasprintf("%s/fifo.yaml", tmp);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    want = xasprintf("codex-mock: CODEX_MOCK_SCENARIO: no scenario file '%s' (not a regular "
                     "file)\n",
                     fifo);
    expect_stderr(fifo, want);
    free(want);
    free(fifo);
    /* dangling and looping symbolic links, a path through a file */
    char *dangling = xasprintf("%s/dangling.yaml", tmp);
    assert_int_equal(symlink("nowhere.yaml", dangling), 0);
    want = xasprintf("codex-mock: CODEX_MOCK_SCENARIO: no scenario file '%s' (No such file or "
                     "directory)\n",
                     dangling);
    expect_stderr(dangling, want);
    free(want);
    free(dangling);
    char *loop = xasprintf("%s/loop.yaml", tmp);
    assert_int_equal(symlink("loop.yaml", loop), 0);
    want = xasprintf("codex-mock: CODEX_MOCK_SCENARIO: no scenario file '%s' (Too many levels of "
                     "symbolic links)\n",
                     loop);
    expect_stderr(loop, want);
    free(want);
    free(loop);
    char *file = write_bytes("plain.yaml", H "steps: []\n", strlen(H "steps: []\n"));
    char *through = xasprintf("%s/x.yaml", file);
    want = xasprintf("codex-mock: CODEX_MOCK_SCENARIO: no scenario file '%s' (Not a directory)\n",
                     through);
    expect_stderr(through, want);
    free(want);
    free(through);
    free(file);
}

/* A file that exists but cannot be read. Mode 000 stops everyone but root; tests run as root in
 * CI, so there a regular file whose read(2) fails (/proc/self/mem at offset 0: EIO) stands in. */
static void test_unreadable(void **state) {
    (void)state;
    char *path = write_bytes("secret.yaml", H "steps: []\n", strlen(H "steps: []\n"));
    assert_int_equal(chmod(path, 0), 0);
    int fd = open(path, O_RDONLY);
    bool mode_stops_us = fd < 0 && errno == EACCES;
    if (fd >= 0) close(fd);
    if (mode_stops_us) {
        char *want =
            xasprintf("codex-mock: %s: cannot read scenario file: Permission denied\n", path);
        expect_stderr(path, want);
        free(want);
    } else {
        print_message("running as root: mode 000 does not stop reading; using /proc/self/mem\n");
    }
    expect_stderr("/proc/self/mem",
                  "codex-mock: /proc/self/mem: cannot read scenario file: Input/output error\n");
    chmod(path, 0644);
    free(path);
}

/* A rules file (CODEX_MOCK_RULES, docs/rules.md) is read after the prompt, so the stdin notice
 * comes first; then the one message, exit 78. */
static void expect_rules_error(const char *name, const char *text, const char *want_tail) {
    char *path = text ? write_bytes(name, text, strlen(text)) : xstrdup(name);
    char *err = run_78_with("CODEX_MOCK_RULES", path);
    char *want =
        xasprintf("Reading additional input from stdin...\ncodex-mock: %s%s\n", path, want_tail);
    if (strcmp(err, want) != 0) fail_msg("%s\n got: %.3000s\nwant: %s", name, err, want);
    free(want);
    free(err);
    free(path);
}

static void test_rules_files(void **state) {
    (void)state;
    /* the built-in library beside the binary: BUILD/bin/codex → BUILD/share/codex-mock/… */
    char *lib = xasprintf("%s", CODEX_BIN);
    *strrchr(lib, '/') = '\0';
    *strrchr(lib, '/') = '\0';
    char *lib_dir = xasprintf("%s/share/codex-mock/scenarios", lib);
    char *lib_real = realpath(lib_dir, NULL);
    assert_non_null(lib_real);
    char *tail = xasprintf(":3:5: rule 'x': CODEX_MOCK_SCENARIO: no scenario named "
                           "'no-such-scenario'; searched %s (`codex-mock list` shows the built-in "
                           "names)",
                           lib_real);
    expect_rules_error("rules_missing.yaml",
                       "codex_mock_rules: 1\nrules:\n  - name: x\n    scenario: no-such-scenario\n",
                       tail);
    free(tail);
    free(lib_real);
    free(lib_dir);
    free(lib);
    expect_rules_error("rules_missing_path.yaml",
                       "codex_mock_rules: 1\nrules:\n  - scenario: ./nowhere/x.yaml\n",
                       ":3:5: rule 'rule-1': CODEX_MOCK_SCENARIO: no scenario file "
                       "'./nowhere/x.yaml' (No such file or directory)");
    expect_rules_error("rules_regex.yaml",
                       "codex_mock_rules: 1\nrules:\n  - match: {prompt: \"fix(\"}\n"
                       "    scenario: default\n",
                       ":3:21: bad regular expression for 'prompt': Unmatched ( or \\(");
    expect_rules_error("rules_typo.yaml", "codex_mock_rules: 1\nrulez: []\n",
                       ":2:1: unknown key 'rulez' in a rules file (did you mean 'rules'?)");
    expect_rules_error("rules_nomatch.yaml",
                       "codex_mock_rules: 1\nrules:\n  - match: {prompt: \"^zzz$\"}\n"
                       "    scenario: default\n",
                       ": no rule matches this invocation (command exec, prompt \"x\")");
    expect_rules_error("/dev/null", NULL, ": cannot read scenario file: not a regular file");
    char *fifo = xasprintf("%s/rules_fifo.yaml", tmp);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    expect_rules_error(fifo, NULL, ": cannot read scenario file: not a regular file");
    free(fifo);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_files), cmocka_unit_test(test_huge_scalars),
        cmocka_unit_test(test_deep_nesting),    cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_names_and_paths), cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_rules_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
