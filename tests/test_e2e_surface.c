/* End to end: the real CLI's surface around the turn — pre-flight checks (texts, exit codes,
 * order), -o, --output-schema, stdin decoding, login/logout and auth.json, the API-key
 * requirement, version profiles and human-mode odds and ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <sys/stat.h>

static char *tmp;  /* a git checkout (has .git) */
static char *bare; /* not inside any git repository */
static char *home; /* CODEX_HOME */
static char env_home[4200];

static int setup(void **state) {
    (void)state;
    tmp = e2e_tmpdir();
    char tmpl[] = "/tmp/codex-mock-bare-XXXXXX";
    bare = mkdtemp(tmpl) ? realpath(tmpl, NULL) : NULL;
    if (!tmp || !bare) return -1;
    home = malloc(strlen(tmp) + 8);
    sprintf(home, "%s/home", tmp);
    snprintf(env_home, sizeof env_home, "CODEX_HOME=%s", home);
    return mkdir(home, 0700);
}

static int teardown(void **state) {
    (void)state;
    e2e_rmtree(tmp);
    e2e_rmtree(bare);
    free(home);
    return 0;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NOENV ((const char *const[]){NULL})

/* Runs codex with argv_tail in `cwd`; CODEX_HOME and instant speed set, `env` on top. */
static void run_in(proc_result *r, const char *cwd, const char *const *argv_tail,
                   const char *const *env, const char *in, size_t in_len) {
    const char *argv[40] = {CODEX_BIN};
    size_t n = 1;
    for (size_t i = 0; argv_tail[i]; i++)
        argv[n++] = argv_tail[i];
    argv[n] = NULL;
    const char *envs[40] = {"CODEX_MOCK_SPEED=0"};
    size_t ne = 1;
    bool own_home = false;
    for (size_t i = 0; env[i]; i++) {
        envs[ne++] = env[i];
        own_home |= strncmp(env[i], "CODEX_HOME=", 11) == 0;
    }
    if (!own_home) envs[ne++] = env_home;
    envs[ne] = NULL;
    static const char *const unset[] = {"CODEX_MOCK_SCENARIO",
                                        "CODEX_MOCK_SEED",
                                        "CODEX_MOCK_SCENARIO_PATH",
                                        "CODEX_MOCK_VERSION",
                                        "CODEX_MOCK_SCHEMA",
                                        "CODEX_MOCK_CHAOS",
                                        "CODEX_MOCK_EXPLAIN",
                                        "CODEX_API_KEY",
                                        "OPENAI_API_KEY",
                                        "CODEX_MOCK_NOW",
                                        NULL};
    proc_spec spec = {.argv = argv,
                      .env = envs,
                      .unset = unset,
                      .cwd = cwd,
                      .stdin_data = in,
                      .stdin_len = in ? (in_len ? in_len : strlen(in)) : 0};
    assert_int_equal(proc_run(&spec, r), 0);
    assert_true(r->exited);
}

static void run(proc_result *r, const char *const *argv_tail, const char *const *env,
                const char *in) {
    run_in(r, tmp, argv_tail, env, in, 0);
}

static void expect(proc_result *r, int code, const char *out, const char *err) {
    if (r->exit_code != code) fail_msg("exit %d, want %d; stderr:\n%s", r->exit_code, code, r->err);
    if (out) assert_string_equal(r->out, out);
    if (err) assert_string_equal(r->err, err);
    proc_result_free(r);
}

static char *scenario_file(const char *name, const char *yaml) {
    return e2e_write(tmp, name, yaml);
}

static char *env_of(const char *name, const char *value) {
    char *s = malloc(strlen(name) + strlen(value) + 2);
    sprintf(s, "%s=%s", name, value);
    return s;
}

/* --- pre-flight checks, in the real order --- */

static void test_preflight_texts(void **state) {
    (void)state;
    proc_result r;
    run(&r, ARGS("exec", "-c", "foo", "x"), NOENV, NULL);
    expect(&r, 1, "", "Error parsing -c overrides: Invalid override (missing '='): foo\n");

    run(&r, ARGS("exec", "x"), ARGS("CODEX_HOME=/nonexistent/codex-home"), NULL);
    expect(&r, 1, "",
           "Error finding codex home: CODEX_HOME points to \"/nonexistent/codex-home\", but that "
           "path does not exist\n");
    /* -c is checked before CODEX_HOME */
    run(&r, ARGS("exec", "-c", "bar", "x"), ARGS("CODEX_HOME=/nonexistent/codex-home"), NULL);
    expect(&r, 1, "", "Error parsing -c overrides: Invalid override (missing '='): bar\n");

    run(&r, ARGS("exec", "-C", "/nonexistent-dir", "x"), NOENV, NULL);
    expect(&r, 1, "", "Error: No such file or directory (os error 2)\n");

    run(&r, ARGS("exec", "-o", "/nonexistent-dir/last.txt", "x"), NOENV, NULL);
    expect(&r, 1, "",
           "Reading additional input from stdin...\nError: Failed to open last message file "
           "\"/nonexistent-dir/last.txt\": No such file or directory (os error 2)\n");

    run(&r, ARGS("exec", "-m", "", "x"), NOENV, NULL);
    expect(&r, 1, "",
           "Reading additional input from stdin...\nError: thread/start: thread/start failed: No "
           "models are available. Set `model` explicitly or check your model catalog "
           "configuration. (code -32600)\n");
}

static void test_schema_load_errors(void **state) {
    (void)state;
    proc_result r;
    char want[8192];
    run(&r, ARGS("exec", "--output-schema", "/nonexistent/schema.json", "x"), NOENV, NULL);
    expect(&r, 1, "",
           "Reading additional input from stdin...\nFailed to read output schema file "
           "/nonexistent/schema.json: No such file or directory (os error 2)\n");
    struct {
        const char *text, *error;
    } bad[] = {
        {"nope", "expected ident at line 1 column 2"},
        {"", "EOF while parsing a value at line 1 column 0"},
        {"{\"a\": 1,}", "trailing comma at line 1 column 9"},
        {"{\"a\" 1}", "expected `:` at line 1 column 6"},
        {"{\n  \"type\": \"object\"\n", "EOF while parsing an object at line 3 column 0"},
        {"[1 2]", "expected `,` or `]` at line 1 column 4"},
        {"{} x", "trailing characters at line 1 column 4"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *p = e2e_write(tmp, "bad-schema.json", bad[i].text);
        run(&r, ARGS("exec", "--output-schema", p, "x"), NOENV, NULL);
        snprintf(want, sizeof want,
                 "Reading additional input from stdin...\nOutput schema file %s is not valid "
                 "JSON: %s\n",
                 p, bad[i].error);
        expect(&r, 1, "", want);
        free(p);
    }
}

static void test_git_check(void **state) {
    (void)state;
    proc_result r;
    /* the stdin notice comes first: prompt resolution precedes the git check */
    run_in(&r, bare, ARGS("exec", "--json", "x"), NOENV, "", 0);
    expect(&r, 1, "",
           "Reading additional input from stdin...\nNot inside a trusted directory and "
           "--skip-git-repo-check was not specified.\n");
    run_in(&r, bare, ARGS("exec", "--json", "--skip-git-repo-check", "x"), NOENV, "", 0);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "turn.completed"));
    proc_result_free(&r);
    run_in(&r, bare, ARGS("exec", "--json", "--yolo", "x"), NOENV, "", 0);
    expect(&r, 0, NULL, NULL);
    /* a subdirectory of a checkout is inside it; -C moves the check */
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/a/b", tmp);
    char mk[4300];
    snprintf(mk, sizeof mk, "mkdir -p '%s'", sub);
    assert_int_equal(system(mk), 0);
    run_in(&r, sub, ARGS("exec", "--json", "x"), NOENV, "", 0);
    expect(&r, 0, NULL, NULL);
    run(&r, ARGS("exec", "--json", "-C", bare, "x"), NOENV, "");
    expect(&r, 1, "", NULL);
}

/* --- -o --- */

static void test_last_message_file(void **state) {
    (void)state;
    proc_result r;
    char *ok =
        scenario_file("ok.yaml", "codex_mock: 1\nsteps:\n  - message: \"line 1\\nline 2\"\n");
    char *bad = scenario_file("bad.yaml", "codex_mock: 1\nsteps:\n  - fail: unauthorized_401\n"
                                          "    max: 0\n");
    char *e_ok = env_of("CODEX_MOCK_SCENARIO", ok), *e_bad = env_of("CODEX_MOCK_SCENARIO", bad);
    char path[4200];
    snprintf(path, sizeof path, "%s/last.txt", tmp);
    unlink(path);

    /* success: the message without a trailing newline */
    run(&r, ARGS("exec", "-o", path, "x"), ARGS(e_ok), NULL);
    expect(&r, 0, "line 1\nline 2\n", NULL);
    size_t len;
    char *got = read_file(path, &len);
    assert_string_equal(got, "line 1\nline 2");
    free(got);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644 & ~0);

    /* failure: an existing file stays as it was */
    run(&r, ARGS("exec", "--json", "-o", path, "x"), ARGS(e_bad), NULL);
    assert_int_equal(r.exit_code, 1);
    proc_result_free(&r);
    got = read_file(path, NULL);
    assert_string_equal(got, "line 1\nline 2");
    free(got);

    /* failure: a new file is created empty */
    unlink(path);
    run(&r, ARGS("exec", "--json", "-o", path, "x"), ARGS(e_bad), NULL);
    assert_int_equal(r.exit_code, 1);
    proc_result_free(&r);
    got = read_file(path, &len);
    assert_non_null(got);
    assert_int_equal(len, 0);
    free(got);

    /* no temp files left beside it */
    char ls[4300];
    snprintf(ls, sizeof ls, "ls '%s' | grep -c 'last.txt.' > /dev/null", tmp);
    assert_int_not_equal(system(ls), 0);
    free(ok);
    free(bad);
    free(e_ok);
    free(e_bad);
}

/* --- --output-schema checking of the final message --- */

static void test_schema_modes(void **state) {
    (void)state;
    proc_result r;
    char *schema =
        e2e_write(tmp, "schema.json",
                  "{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\"}},"
                  "\"required\":[\"answer\"],\"additionalProperties\":false}");
    char *good =
        scenario_file("good.yaml", "codex_mock: 1\nsteps:\n  - message: '{\"answer\":\"hi\"}'\n");
    char *wrong =
        scenario_file("wrong.yaml", "codex_mock: 1\nsteps:\n  - message: '{\"answer\":42}'\n");
    char *e_good = env_of("CODEX_MOCK_SCENARIO", good),
         *e_wrong = env_of("CODEX_MOCK_SCENARIO", wrong);
    run(&r, ARGS("exec", "--json", "--output-schema", schema, "x"), ARGS(e_good), NULL);
    expect(&r, 0, NULL, "Reading additional input from stdin...\n");

    char want[8192];
    snprintf(want, sizeof want,
             "Reading additional input from stdin...\ncodex-mock: the final message does not "
             "satisfy --output-schema %s: /answer: expected string, found number\n",
             schema);
    run(&r, ARGS("exec", "--json", "--output-schema", schema, "x"), ARGS(e_wrong), NULL);
    expect(&r, 0, NULL, want); /* the real CLI's default: no validation, exit 0 */

    run(&r, ARGS("exec", "--json", "--output-schema", schema, "x"),
        ARGS(e_wrong, "CODEX_MOCK_SCHEMA=strict"), NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "(strict: exit 1)"));
    proc_result_free(&r);
    free(schema);
    free(good);
    free(wrong);
    free(e_good);
    free(e_wrong);
}

/* --- stdin decoding --- */

static void test_stdin_encodings(void **state) {
    (void)state;
    proc_result r;
    /* UTF-16LE with a BOM: decoded; human mode echoes the prompt */
    static const char utf16[] = "\xff\xfeh\0\xe9\0!\0";
    run_in(&r, tmp, ARGS("exec", "-"), NOENV, utf16, sizeof utf16 - 1);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, "user\nh\xc3\xa9!\n"));
    proc_result_free(&r);

    run_in(&r, tmp, ARGS("exec", "-"), NOENV, "ab\xff", 3);
    expect(&r, 1, "",
           "Failed to read prompt from stdin: input is not valid UTF-8 (invalid byte at offset "
           "2). Convert it to UTF-8 and retry (e.g., `iconv -f <ENC> -t UTF-8 prompt.txt`).\n");
    run_in(&r, tmp, ARGS("exec", "-"), NOENV, "\xff\xfe\0\0h\0\0\0", 8);
    expect(&r, 1, "",
           "Failed to read prompt from stdin: input appears to be UTF-32LE. Convert it to UTF-8 "
           "and retry.\n");
    run_in(&r, tmp, ARGS("exec", "-"), NOENV, "\xfe\xff\xdc\x00", 4);
    expect(&r, 1, "",
           "Failed to read prompt from stdin: input looked like UTF-16BE but could not be "
           "decoded. Convert it to UTF-8 and retry.\n");
    /* the appended form decodes too, after its notice */
    run_in(&r, tmp, ARGS("exec", "--json", "p"), NOENV,
           "\xef\xbb\xbf"
           "ok\xc0",
           6);
    expect(&r, 1, "",
           "Reading additional input from stdin...\nFailed to read prompt from stdin: input is "
           "not valid UTF-8 (invalid byte at offset 2). Convert it to UTF-8 and retry (e.g., "
           "`iconv -f <ENC> -t UTF-8 prompt.txt`).\n");
}

/* --- login / logout / auth.json --- */

static void test_auth(void **state) {
    (void)state;
    proc_result r;
    char auth[4200];
    snprintf(auth, sizeof auth, "%s/auth.json", home);
    unlink(auth);
    run(&r, ARGS("login", "status"), NOENV, NULL);
    expect(&r, 1, "", "Not logged in\n");
    run(&r, ARGS("login", "status"), ARGS("CODEX_API_KEY=sk-x", "OPENAI_API_KEY=sk-y"), NULL);
    expect(&r, 1, "", "Not logged in\n");
    run(&r, ARGS("logout"), NOENV, NULL);
    expect(&r, 0, "", "Not logged in\n");

    run(&r, ARGS("login", "--with-api-key"), NOENV, "  \n");
    expect(&r, 1, "", "Reading API key from stdin...\nNo API key provided via stdin.\n");
    run(&r, ARGS("login", "--with-api-key"), NOENV, "  sk-test-1234567890abcdef\n");
    expect(&r, 0, "",
           "Reading API key from stdin...\nAPI key saved. Authentication is checked when you send "
           "a request.\n");
    char *json = read_file(auth, NULL);
    assert_string_equal(json, "{\n  \"auth_mode\": \"apikey\",\n  \"OPENAI_API_KEY\": "
                              "\"sk-test-1234567890abcdef\"\n}");
    free(json);
    struct stat st;
    assert_int_equal(stat(auth, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    run(&r, ARGS("login", "status"), NOENV, NULL);
    expect(&r, 0, "",
           "API key configured - sk-test-***bcdef\nAuthentication is checked when you send a "
           "request.\n");
    free(e2e_write(home, "auth.json", "{\"OPENAI_API_KEY\":\"12345678901234\"}"));
    run(&r, ARGS("login", "status"), NOENV, NULL);
    expect(&r, 0, "",
           "API key configured - 12345678***01234\nAuthentication is checked when you send a "
           "request.\n");
    free(e2e_write(
        home, "auth.json",
        "{\"tokens\":{\"id_token\":\"a\",\"access_token\":\"b\",\"refresh_token\":\"c\"}}"));
    run(&r, ARGS("login", "status"), NOENV, NULL);
    expect(&r, 0, "", "Logged in using ChatGPT\n");
    free(e2e_write(home, "auth.json", "{oops"));
    run(&r, ARGS("login", "status"), NOENV, NULL);
    expect(&r, 1, "",
           "Error checking login status: failed to deserialize CLI auth from file: key must be a "
           "string at line 1 column 2\n");
    run(&r, ARGS("logout"), NOENV, NULL);
    expect(&r, 0, "", "Successfully logged out\n");
    assert_int_not_equal(access(auth, F_OK), 0);

    /* the device-code flow, offline (the browser flow waits: see test_e2e_login) */
    run(&r, ARGS("login", "--device-auth"), NOENV, NULL);
    expect(&r, 1, "",
           "Error logging in: error sending request for url "
           "(https://auth.openai.com/api/accounts/deviceauth/usercode)\n");
}

/* --- exec with cli.requires_api_key --- */

static void test_requires_api_key(void **state) {
    (void)state;
    proc_result r;
    char *s = scenario_file("key.yaml", "codex_mock: 1\ncli: {requires_api_key: true}\nsteps:\n"
                                        "  - message: hello\n");
    char *e = env_of("CODEX_MOCK_SCENARIO", s);
    char auth[4200];
    snprintf(auth, sizeof auth, "%s/auth.json", home);
    unlink(auth);
    run(&r, ARGS("exec", "--json", "x"), ARGS(e, "OPENAI_API_KEY=sk-ignored"), "");
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.out, "{\"type\":\"turn.failed\",\"error\":{\"message\":\"Missing "
                                  "environment variable: `CODEX_API_KEY`.\"}}"));
    proc_result_free(&r);
    run(&r, ARGS("exec", "--json", "x"), ARGS(e, "CODEX_API_KEY=sk-1"), "");
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "\"text\":\"hello\""));
    proc_result_free(&r);
    run(&r, ARGS("login", "--with-api-key"), NOENV, "sk-test-1234567890abcdef");
    expect(&r, 0, NULL, NULL);
    run(&r, ARGS("exec", "--json", "x"), ARGS(e), "");
    expect(&r, 0, NULL, NULL);
    unlink(auth);
    free(s);
    free(e);
}

/* --- version profiles --- */

static void test_version_profiles(void **state) {
    (void)state;
    proc_result r;
    run(&r, ARGS("--version"), ARGS("CODEX_MOCK_VERSION=0.60.0"), NULL);
    expect(&r, 0, "codex-cli 0.60.0\n", "");
    run(&r, ARGS("exec", "--version"), ARGS("CODEX_MOCK_VERSION=0.200.1"), NULL);
    expect(&r, 0, "codex-cli-exec 0.200.1\n", "");
    run(&r, ARGS("exec", "--full-auto", "x"), NOENV, NULL);
    expect(&r, 2, "", NULL);
    run(&r, ARGS("--version"), ARGS("CODEX_MOCK_VERSION=banana"), NULL);
    assert_int_equal(r.exit_code, 78);
    proc_result_free(&r);

    /* 0.60 profile: --full-auto, -a, --search; the old header; three-key usage */
    run(&r, ARGS("exec", "--full-auto", "--search", "x"), ARGS("CODEX_MOCK_VERSION=legacy"), "");
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, "OpenAI Codex v0.60.0 (research preview)\n"));
    assert_non_null(strstr(r.err, "approval: on-request\nsandbox: workspace-write [workdir, /tmp, "
                                  "$TMPDIR]\n"));
    proc_result_free(&r);
    run(&r, ARGS("exec", "--json", "-a", "never", "x"), ARGS("CODEX_MOCK_VERSION=0.60.0"), "");
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "\"usage\":{\"input_tokens\":"));
    assert_null(strstr(r.out, "cache_write_input_tokens"));
    proc_result_free(&r);

    /* the scenario can choose the profile too */
    char *s = scenario_file("old.yaml", "codex_mock: 1\ncli: {version: 0.58.0}\nsteps:\n"
                                        "  - message: hi\n");
    char *e = env_of("CODEX_MOCK_SCENARIO", s);
    run(&r, ARGS("exec", "--full-auto", "x"), ARGS(e), "");
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, "OpenAI Codex v0.58.0 (research preview)\n"));
    proc_result_free(&r);
    free(s);
    free(e);
}

/* --- human mode odds and ends --- */

static void test_human_details(void **state) {
    (void)state;
    proc_result r;
    char *s = scenario_file(
        "h.yaml",
        "codex_mock: 1\ncli: {model: m1, reasoning_effort: high}\nsteps:\n"
        "  - mcp_tool_call: {server: docs, tool: search}\n"
        "  - web_search: weather\n"
        "  - warning: careful\n"
        "  - message: done\n"
        "  - usage: {input_tokens: 1234567, cached_input_tokens: 1000, output_tokens: 56}\n");
    char *e = env_of("CODEX_MOCK_SCENARIO", s);
    run(&r,
        ARGS("exec", "-m", "m2", "-c", "model_reasoning_summary=\"auto\"", "--sandbox",
             "danger-full-access", "x"),
        ARGS(e), NULL);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, "done\n");
    assert_non_null(strstr(r.err, "model: m2\n"));
    assert_non_null(strstr(r.err, "reasoning effort: high\nreasoning summaries: auto\n"));
    assert_non_null(strstr(r.err, "mcp: docs/search started\nmcp: docs/search (completed)\n"));
    assert_non_null(strstr(r.err, "web search: weather\nweb search: weather\n"));
    assert_non_null(strstr(r.err, "warning: careful\n"));
    assert_non_null(strstr(r.err, "codex\ndone\ntokens used\n1,233,623\n"));
    assert_null(strstr(r.err, "\x1b[")); /* not a TTY: no colour */
    proc_result_free(&r);
    run(&r, ARGS("exec", "--color", "always", "--yolo", "x"), ARGS(e), NULL);
    assert_non_null(strstr(r.err, "\x1b[1mworkdir:\x1b[0m "));
    assert_non_null(strstr(r.err, "\x1b[35m\x1b[3mcodex\x1b[0m\x1b[0m\ndone\n"));
    assert_string_equal(r.out, "done\n"); /* stdout is never coloured */
    proc_result_free(&r);
    free(s);
    free(e);
}

/* A config-time failure plays before the prompt: no stdin notice, stdin not read. */
static void test_before_prompt(void **state) {
    (void)state;
    proc_result r;
    char *s = scenario_file("cfg.yaml", "codex_mock: 1\nimplicit_events: false\n"
                                        "cli: {before_prompt: true}\nsteps:\n"
                                        "  - stderr: \"Error loading config.toml: boom\"\n"
                                        "  - exit: 1\n");
    char *e = env_of("CODEX_MOCK_SCENARIO", s);
    run(&r, ARGS("exec", "--json", "x"), ARGS(e), "piped");
    expect(&r, 1, "", "Error loading config.toml: boom\n");
    free(s);
    free(e);
}

/* fork without a prompt: thread.started only (docs/behaviour.md#resume-and-fork); with -o it is an
 * error. */
static void test_fork_without_prompt(void **state) {
    (void)state;
    proc_result r;
    /* a parent thread to fork from */
    run(&r, ARGS("exec", "--json", "parent"), NOENV, NULL);
    assert_int_equal(r.exit_code, 0);
    const char *at = strstr(r.out, "\"thread_id\":\"");
    assert_non_null(at);
    char parent[37];
    memcpy(parent, at + 13, 36);
    parent[36] = '\0';
    proc_result_free(&r);
    run(&r, ARGS("exec", "--json", "fork", parent), NOENV, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(r.n_out, 1);
    assert_non_null(strstr(r.out, "{\"type\":\"thread.started\""));
    assert_null(strstr(r.out, parent)); /* a new thread */
    proc_result_free(&r);
    /* an unknown thread cannot be forked */
    run(&r, ARGS("exec", "--json", "fork", "01a1fd0a-0000-7000-8000-000000000001", "go"), NOENV,
        NULL);
    expect(&r, 1, "",
           "Error: thread/fork: thread/fork failed: no rollout found for thread id "
           "01a1fd0a-0000-7000-8000-000000000001 (code -32600)\n");
    run(&r, ARGS("exec", "fork", "-o", "x.txt", "01a1fd0a-0000-7000-8000-000000000001"), NOENV,
        NULL);
    expect(&r, 1, "", "Error: Forking with output options requires a prompt\n");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preflight_texts),
        cmocka_unit_test(test_schema_load_errors),
        cmocka_unit_test(test_git_check),
        cmocka_unit_test(test_last_message_file),
        cmocka_unit_test(test_schema_modes),
        cmocka_unit_test(test_stdin_encodings),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_requires_api_key),
        cmocka_unit_test(test_version_profiles),
        cmocka_unit_test(test_human_details),
        cmocka_unit_test(test_before_prompt),
        cmocka_unit_test(test_fork_without_prompt),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
