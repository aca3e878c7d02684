/* Unit tests for cli: a table of command lines, each checked against either the parsed fields
 * (rendered as one canonical string) or the exact done_stdout / done_stderr / done_code.
 * Expected clap texts follow docs/behaviour.md#command-line and trace 35_cli_usage_error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "buf.h"
#include "cli.h"
#include "exitcodes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXEC_USAGE                                                                                 \
    "Usage: codex exec [OPTIONS] [PROMPT]\n       codex exec [OPTIONS] <COMMAND> [ARGS]\n"
#define ROOT_USAGE "Usage: codex [OPTIONS] [PROMPT]\n       codex [OPTIONS] <COMMAND> [ARGS]\n"
#define MORE "\nFor more information, try '--help'.\n"
#define SANDBOX_VALUES "  [possible values: read-only, workspace-write, danger-full-access]\n"

/* One command line. `want` is either the rendered invocation (code < 0), or the exact stdout
 * (a leading '^' makes it a prefix) when code is 0, or the exact stderr otherwise. */
typedef struct {
    const char *argv[20];
    int code;
    const char *want;
} tcase;

static const tcase CASES[] = {
    /* ---- valid exec command lines: the parsed fields ---- */
    {{"exec", "hi"}, -1, "cmd=exec prompt=hi"},
    {{"e", "--json", "hi"}, -1, "cmd=exec prompt=hi json"},
    {{"exec", "--experimental-json"}, -1, "cmd=exec json"},
    {{"exec", "-mgpt-5", "hi"}, -1, "cmd=exec prompt=hi model=gpt-5"},
    {{"exec", "--model=o3", "-"}, -1, "cmd=exec prompt=- model=o3"},
    {{"exec", "-m=o3"}, -1, "cmd=exec model=o3"},
    {{"exec", "-m", "", "hi"}, -1, "cmd=exec prompt=hi model="},
    {{"exec", "--sandbox=danger-full-access"}, -1, "cmd=exec sandbox=danger-full-access"},
    {{"exec", "-s", "workspace-write", "p"}, -1, "cmd=exec prompt=p sandbox=workspace-write"},
    {{"exec", "--yolo", "--skip-git-repo-check"}, -1, "cmd=exec yolo skip_git_repo_check"},
    {{"exec", "--dangerously-bypass-approvals-and-sandbox"}, -1, "cmd=exec yolo"},
    {{"exec", "-c", "a=1", "--config", "b=2", "-c=c=3", "-cnoequals", "--config=d"},
     -1,
     "cmd=exec config=a=1,b=2,c=3,noequals,d"},
    {{"exec", "--enable", "x", "--enable=y", "--disable", "z"},
     -1,
     "cmd=exec enable=x,y disable=z"},
    {{"exec", "-i", "a.png", "b.png", "--", "the prompt"},
     -1,
     "cmd=exec prompt=the prompt images=a.png,b.png"},
    {{"exec", "-i", "a.png", "Say hello."}, -1, "cmd=exec images=a.png,Say hello."},
    {{"exec", "-i", "a.png,b.png", "-i", "c.png"}, -1, "cmd=exec images=a.png,b.png,c.png"},
    {{"exec", "hi", "-i", "a.png"}, -1, "cmd=exec prompt=hi images=a.png"},
    {{"exec", "-i", "a.png", "resume"}, -1, "cmd=exec images=a.png,resume"},
    {{"exec", "-m", "resume"}, -1, "cmd=exec model=resume"},
    {{"exec", "-C", "/tmp", "--add-dir", "x", "--add-dir=y", "p"},
     -1,
     "cmd=exec prompt=p cd=/tmp add_dirs=x,y"},
    {{"exec", "--color", "never", "-o", "-", "--output-schema", "s.json"},
     -1,
     "cmd=exec color=never output_last_message=- output_schema=s.json"},
    {{"exec", "-p", "prof", "--oss", "--local-provider", "ollama"},
     -1,
     "cmd=exec profile=prof local_provider=ollama oss"},
    {{"exec", "--cyber-access-program", "daybreak_red", "--thread-source", "bot"},
     -1,
     "cmd=exec thread_source=bot cyber_access_program=daybreak_red"},
    {{"exec", "--trust", "--ephemeral", "--ignore-user-config", "--ignore-rules", "--strict-config",
      "--worktree", "--dangerously-bypass-hook-trust", "--approve-for-me"},
     -1,
     "cmd=exec approve_for_me bypass_hook_trust worktree trust ephemeral ignore_user_config "
     "ignore_rules strict_config"},
    {{"exec", "--", "--not-a-flag"}, -1, "cmd=exec prompt=--not-a-flag"},
    {{"exec", "--", "resume"}, -1, "cmd=exec prompt=resume"},
    /* ---- exec resume / fork / review ---- */
    {{"exec", "resume", "0199a213-81c0-7800-8aa1-bbab2a035a53", "next"},
     -1,
     "cmd=resume prompt=next session=0199a213-81c0-7800-8aa1-bbab2a035a53"},
    {{"exec", "resume", "--last", "next"}, -1, "cmd=resume prompt=next last"},
    {{"exec", "resume", "--last", "--all"}, -1, "cmd=resume last all"},
    {{"exec", "resume", "--last", "SID", "next"}, -1, "cmd=resume prompt=next session=SID last"},
    {{"exec", "--json", "resume", "--last", "p"}, -1, "cmd=resume prompt=p last json"},
    {{"exec", "resume", "--json", "-m", "x", "--last", "p"},
     -1,
     "cmd=resume prompt=p last json model=x"},
    {{"exec", "-m", "a", "resume", "-m", "b", "--last"}, -1, "cmd=resume last model=b"},
    {{"exec", "resume", "-i", "a.png", "-i", "b.png,c.png", "SID"},
     -1,
     "cmd=resume session=SID images=a.png,b.png,c.png"},
    {{"exec", "root prompt", "resume", "--last"}, -1, "cmd=resume prompt=root prompt last"},
    {{"exec", "-i", "a.png", "--", "resume"}, -1, "cmd=exec prompt=resume images=a.png"},
    {{"exec", "fork", "SID"}, -1, "cmd=fork session=SID"},
    {{"exec", "fork", "SID", "p", "--json", "-o", "out.txt"},
     -1,
     "cmd=fork prompt=p session=SID json output_last_message=out.txt"},
    {{"exec", "review", "--uncommitted"}, -1, "cmd=review uncommitted"},
    {{"exec", "review", "--base", "main", "--json"}, -1, "cmd=review json base=main"},
    {{"exec", "review", "--commit", "abc", "--title", "Fix it"},
     -1,
     "cmd=review commit=abc title=Fix it"},
    {{"exec", "review", "focus on tests"}, -1, "cmd=review prompt=focus on tests"},
    {{"exec", "review-this"}, -1, "cmd=exec prompt=review-this"},
    {{"review", "--uncommitted"}, -1, "cmd=review uncommitted"},
    {{"exec", "root prompt", "review", "--uncommitted"}, -1, "cmd=review uncommitted"},
    /* the TypeScript SDK's argv (docs/behaviour.md#sdk-contract): a new thread, then a resumed one
     */
    {{"exec", "--experimental-json", "--config", "openai_base_url=\"http://127.0.0.1:9\"",
      "--model", "gpt-5", "--thread-source", "sdk", "--sandbox", "workspace-write", "--cd", "/w",
      "--skip-git-repo-check", "--image", "a.png"},
     -1,
     "cmd=exec json model=gpt-5 sandbox=workspace-write cd=/w thread_source=sdk "
     "config=openai_base_url=\"http://127.0.0.1:9\" images=a.png skip_git_repo_check"},
    {{"exec", "--experimental-json", "--model", "gpt-5", "--skip-git-repo-check", "resume",
      "0199a213-81c0-7800-8aa1-bbab2a035a53", "--image", "a.png", "--image", "b.png"},
     -1,
     "cmd=resume session=0199a213-81c0-7800-8aa1-bbab2a035a53 json model=gpt-5 "
     "images=a.png,b.png skip_git_repo_check"},
    /* ---- values given before the subcommand word ---- */
    {{"-c", "a=1", "exec", "-c", "b=2", "resume", "-c", "c=3", "--last"},
     -1,
     "cmd=resume last config=a=1,b=2,c=3"},
    {{"-m", "o3", "exec", "hi"}, -1, "cmd=exec prompt=hi model=o3"},
    {{"-s", "read-only", "exec", "--yolo"}, -1, "cmd=exec yolo"},
    {{"--yolo", "exec", "-s", "workspace-write"}, -1, "cmd=exec sandbox=workspace-write"},
    {{"--enable", "a", "exec", "--enable", "b"}, -1, "cmd=exec enable=a,b"},
    /* ---- login / logout ---- */
    {{"login"}, -1, "cmd=login"},
    {{"login", "--with-api-key"}, -1, "cmd=login with_api_key"},
    {{"login", "--device-auth", "--experimental_issuer", "http://127.0.0.1:9"},
     -1,
     "cmd=login device_auth issuer=http://127.0.0.1:9"},
    {{"login", "status"}, -1, "cmd=login_status"},
    {{"login", "-c", "x=1", "status", "--strict-config"},
     -1,
     "cmd=login_status config=x=1 strict_config"},
    {{"logout"}, -1, "cmd=logout"},

    /* ---- version and help ---- */
    {{"--version"}, 0, "codex-cli 0.169.0\n"},
    {{"-V"}, 0, "codex-cli 0.169.0\n"},
    {{"exec", "--version"}, 0, "codex-cli-exec 0.169.0\n"},
    {{"e", "hi", "-V"}, 0, "codex-cli-exec 0.169.0\n"},
    {{"exec", "-Vh"}, 0, "codex-cli-exec 0.169.0\n"},
    {{"exec", "-h"}, 0, "^Run Codex non-interactively\n\n" EXEC_USAGE},
    {{"exec", "help"}, 0, "^Run Codex non-interactively\n\n" EXEC_USAGE},
    {{"exec", "resume", "--help"},
     0,
     "^Resume a previous session by id or pick the most recent with --last\n\n"
     "Usage: codex exec resume [OPTIONS] [SESSION_ID] [PROMPT]\n"},
    {{"help", "exec", "fork"},
     0,
     "^Fork a previous session into a new thread and continue there\n\nUsage: codex exec fork "
     "[OPTIONS] <SESSION_ID> [PROMPT]\n"},
    {{"login", "-h"}, 0, "^Manage login\n\nUsage: codex login [OPTIONS] [COMMAND]\n"},
    {{"logout", "--help"},
     0,
     "^Remove stored authentication credentials\n\nUsage: codex logout [OPTIONS]\n"},
    {{"--help"}, 0, "^Codex CLI"},

    /* ---- clap usage errors, exit 2 ---- */
    {{"exec", "--json", "--no-such-flag", "Say hello."},
     2,
     "error: unexpected argument '--no-such-flag' found\n\n"
     "  tip: to pass '--no-such-flag' as a value, use '-- --no-such-flag'\n\n" EXEC_USAGE MORE},
    {{"exec", "resume", "--version"},
     2,
     "error: unexpected argument '--version' found\n\n"
     "  tip: to pass '--version' as a value, use '-- --version'\n\n"
     "Usage: codex exec resume [OPTIONS] [SESSION_ID] [PROMPT]\n" MORE},
    {{"exec", "resume", "-V"},
     2,
     "error: unexpected argument '-V' found\n\n"
     "  tip: to pass '-V' as a value, use '-- -V'\n\n"
     "Usage: codex exec resume [OPTIONS] [SESSION_ID] [PROMPT]\n" MORE},
    {{"exec", "-s", "bogus"},
     2,
     "error: invalid value 'bogus' for '--sandbox <SANDBOX_MODE>'\n" SANDBOX_VALUES MORE},
    {{"exec", "--sandbox=read-onl", "hi"},
     2,
     "error: invalid value 'read-onl' for '--sandbox <SANDBOX_MODE>'\n" SANDBOX_VALUES
     "\n  tip: a similar value exists: 'read-only'\n" MORE},
    {{"exec", "--sandbox"},
     2,
     "error: a value is required for '--sandbox <SANDBOX_MODE>' but none was "
     "supplied\n" SANDBOX_VALUES MORE},
    {{"exec", "-s="},
     2,
     "error: a value is required for '--sandbox <SANDBOX_MODE>' but none was "
     "supplied\n" SANDBOX_VALUES MORE},
    {{"exec", "-o"},
     2,
     "error: a value is required for '--output-last-message <FILE>' but none was supplied\n" MORE},
    {{"exec", "-m", "--json", "hi"},
     2,
     "error: a value is required for '--model <MODEL>' but none was supplied\n" MORE},
    {{"exec", "-C", ""},
     2,
     "error: a value is required for '--cd <DIR>' but none was supplied\n" MORE},
    {{"exec", "-i", ""},
     2,
     "error: a value is required for '--image <FILE>...' but none was supplied\n" MORE},
    {{"exec", "--enable"},
     2,
     "error: a value is required for '--enable <FEATURE>' but none was supplied\n" MORE},
    {{"exec", "--color", "rainbow"},
     2,
     "error: invalid value 'rainbow' for '--color <COLOR>'\n"
     "  [possible values: always, never, auto]\n" MORE},
    {{"exec", "--cyber-access-program", "daybreak"},
     2,
     "error: invalid value 'daybreak' for '--cyber-access-program <PROGRAM>'\n"
     "  [possible values: standard, daybreak_blue, daybreak_red]\n\n"
     "  tip: a similar value exists: 'daybreak_red'\n" MORE},
    {{"exec", "--json", "--json"},
     2,
     "error: the argument '--json' cannot be used multiple times\n\n" EXEC_USAGE MORE},
    {{"exec", "--json", "--experimental-json"},
     2,
     "error: the argument '--json' cannot be used multiple times\n\n" EXEC_USAGE MORE},
    {{"exec", "-m", "a", "--model", "b"},
     2,
     "error: the argument '--model <MODEL>' cannot be used multiple times\n\n" EXEC_USAGE MORE},
    {{"exec", "-s", "read-only", "-s", "workspace-write"},
     2,
     "error: the argument '--sandbox <SANDBOX_MODE>' cannot be used multiple times\n\n" EXEC_USAGE
         MORE},
    {{"exec", "resume", "--last", "--last"},
     2,
     "error: the argument '--last' cannot be used multiple times\n\n"
     "Usage: codex exec resume [OPTIONS] [SESSION_ID] [PROMPT]\n" MORE},
    {{"exec", "--json=true"},
     2,
     "error: unexpected value 'true' for '--json' found; no more were expected\n\n" EXEC_USAGE
         MORE},
    {{"exec", "--jsn"},
     2,
     "error: unexpected argument '--jsn' found\n\n"
     "  tip: a similar argument exists: '--json'\n\n" EXEC_USAGE MORE},
    {{"exec", "-x"},
     2,
     "error: unexpected argument '-x' found\n\n"
     "  tip: to pass '-x' as a value, use '-- -x'\n\n" EXEC_USAGE MORE},
    {{"exec", "--full-auto"},
     2,
     "error: unexpected argument '--full-auto' found\n\n"
     "  tip: to pass '--full-auto' as a value, use '-- --full-auto'\n\n" EXEC_USAGE MORE},
    {{"exec", "a", "b"}, 2, "error: unexpected argument 'b' found\n\n" EXEC_USAGE MORE},
    {{"exec", "--", "a", "resume"},
     2,
     "error: unexpected argument 'resume' found\n\n"
     "  tip: subcommand 'resume' exists; to use it, remove the '--' before it\n\n" EXEC_USAGE MORE},
    {{"exec", "--approve-for-me", "--yolo"},
     2,
     "error: the argument '--approve-for-me' cannot be used with "
     "'--dangerously-bypass-approvals-and-sandbox'\n\n" EXEC_USAGE MORE},
    {{"exec", "-s", "read-only", "--approve-for-me"},
     2,
     "error: the argument '--sandbox <SANDBOX_MODE>' cannot be used with "
     "'--approve-for-me'\n\n" EXEC_USAGE MORE},
    /* root-only flags after resume: the Usage line shows what was given
       (docs/behaviour.md#command-line) */
    {{"exec", "resume", "--last", "--oss"},
     2,
     "error: unexpected argument '--oss' found\n\n"
     "  tip: to pass '--oss' as a value, use '-- --oss'\n\n"
     "Usage: codex exec resume --last [SESSION_ID] [PROMPT]\n" MORE},
    {{"exec", "resume", "--json", "--skip-git-repo-check", "-c", "k=v", "SID", "--approve-for-me"},
     2,
     "error: unexpected argument '--approve-for-me' found\n\n"
     "  tip: to pass '--approve-for-me' as a value, use '-- --approve-for-me'\n\n"
     "Usage: codex exec resume --json --skip-git-repo-check --config <key=value> <SESSION_ID> "
     "[PROMPT]\n" MORE},
    {{"exec", "resume", "-s", "read-only"},
     2,
     "error: unexpected argument '-s' found\n\n"
     "  tip: to pass '-s' as a value, use '-- -s'\n\n"
     "Usage: codex exec resume [OPTIONS] [SESSION_ID] [PROMPT]\n" MORE},
    {{"exec", "resume", "--lst"},
     2,
     "error: unexpected argument '--lst' found\n\n"
     "  tip: a similar argument exists: '--last'\n\n"
     "Usage: codex exec resume --last [SESSION_ID] [PROMPT]\n" MORE},
    {{"exec", "review", "--uncommitted", "--base", "main"},
     2,
     "error: the argument '--uncommitted' cannot be used with '--base <BRANCH>'\n\n"
     "Usage: codex exec review --uncommitted [PROMPT]\n" MORE},
    {{"exec", "review", "--base", "main", "--uncommitted"},
     2,
     "error: the argument '--base <BRANCH>' cannot be used with '--uncommitted'\n\n"
     "Usage: codex exec review --base <BRANCH> [PROMPT]\n" MORE},
    {{"exec", "review", "--uncommitted", "--base", "m", "--commit", "c"},
     2,
     "error: the argument '--uncommitted' cannot be used with:\n"
     "  --base <BRANCH>\n  --commit <SHA>\n\n"
     "Usage: codex exec review --uncommitted [PROMPT]\n" MORE},
    {{"exec", "review", "--uncommitted", "look here"},
     2,
     "error: the argument '--uncommitted' cannot be used with '[PROMPT]'\n\n"
     "Usage: codex exec review --uncommitted [PROMPT]\n" MORE},
    {{"exec", "review", "--title", "T"},
     2,
     "error: the following required arguments were not provided:\n  --commit <SHA>\n\n"
     "Usage: codex exec review --commit <SHA> --title <TITLE> [PROMPT]\n" MORE},
    {{"exec", "fork"},
     2,
     "error: the following required arguments were not provided:\n  <SESSION_ID>\n\n"
     "Usage: codex exec fork <SESSION_ID> [PROMPT]\n" MORE},
    {{"exec", "fork", "--json"},
     2,
     "error: the following required arguments were not provided:\n  <SESSION_ID>\n\n"
     "Usage: codex exec fork --json <SESSION_ID> [PROMPT]\n" MORE},
    {{"exec", "fork", "--bogus"},
     2,
     "error: unexpected argument '--bogus' found\n\n"
     "  tip: to pass '--bogus' as a value, use '-- --bogus'\n\n"
     "Usage: codex exec fork [OPTIONS] <SESSION_ID> [PROMPT]\n" MORE},
    {{"--json", "exec", "hi"},
     2,
     "error: unexpected argument '--json' found\n\n"
     "  tip: 'exec --json' exists\n\n" ROOT_USAGE MORE},
    {{"--bogus"},
     2,
     "error: unexpected argument '--bogus' found\n\n"
     "  tip: to pass '--bogus' as a value, use '-- --bogus'\n\n" ROOT_USAGE MORE},
    {{"hello", "world"}, 2, "error: unexpected argument 'world' found\n\n" ROOT_USAGE MORE},
    {{"login", "stats"},
     2,
     "error: unrecognized subcommand 'stats'\n\n"
     "  tip: a similar subcommand exists: 'status'\n\n"
     "Usage: codex login [OPTIONS] [COMMAND]\n" MORE},
    {{"login", "foo"},
     2,
     "error: unrecognized subcommand 'foo'\n\nUsage: codex login [OPTIONS] [COMMAND]\n" MORE},
    {{"login", "--bogus"},
     2,
     "error: unexpected argument '--bogus' found\n\nUsage: codex login [OPTIONS] [COMMAND]\n" MORE},
    {{"login", "status", "--with-api-key"},
     2,
     "error: unexpected argument '--with-api-key' found\n\n"
     "Usage: codex login status [OPTIONS]\n" MORE},
    {{"logout", "now"},
     2,
     "error: unexpected argument 'now' found\n\nUsage: codex logout [OPTIONS]\n" MORE},
    {{"review", "--json"},
     2,
     "error: unexpected argument '--json' found\n\n"
     "  tip: to pass '--json' as a value, use '-- --json'\n\n"
     "Usage: codex review [OPTIONS] [PROMPT]\n" MORE},

    /* ---- outcomes decided without clap ---- */
    {{"hello"}, 1, "Error: stdin is not a terminal\n"},
    {{NULL}, 1, "Error: stdin is not a terminal\n"},
    {{"-m", "o3", "fix the bug"}, 1, "Error: stdin is not a terminal\n"},
    {{"mcp", "list"},
     EXIT_MOCK_ERROR,
     "codex-mock: 'codex mcp' is not emulated (codex-mock fakes exec, login and logout)\n"},
    {{"resume", "--last"},
     EXIT_MOCK_ERROR,
     "codex-mock: 'codex resume' is not emulated (codex-mock fakes exec, login and logout)\n"},
    {{"a"},
     EXIT_MOCK_ERROR,
     "codex-mock: 'codex apply' is not emulated (codex-mock fakes exec, login and logout)\n"},
    {{"help", "app-server"},
     EXIT_MOCK_ERROR,
     "codex-mock: 'codex app-server' is not emulated (codex-mock fakes exec, login and logout)\n"},
    {{"login", "--api-key", "sk-123"},
     1,
     "The --api-key flag is no longer supported. Pipe the key instead, e.g. `printenv "
     "OPENAI_API_KEY | codex login --with-api-key`.\n"},
};

/* ---------------------------------------------------------------------------------------------
 * Rendering an invocation as one canonical string of its non-default fields
 * ------------------------------------------------------------------------------------------- */

static void put_str(buf *b, const char *key, const char *v) {
    if (v) buf_printf(b, " %s=%s", key, v);
}

static void put_flag(buf *b, const char *key, bool v) {
    if (v) buf_printf(b, " %s", key);
}

static void put_list(buf *b, const char *key, const str_list *l) {
    if (!l->n) return;
    buf_printf(b, " %s=", key);
    for (size_t i = 0; i < l->n; i++)
        buf_printf(b, "%s%s", i ? "," : "", l->v[i]);
}

static char *render(const invocation *inv) {
    static const char *const CMDS[] = {"exec",  "resume",       "fork",   "review",
                                       "login", "login_status", "logout", "other"};
    buf b;
    buf_init(&b);
    buf_printf(&b, "cmd=%s", CMDS[inv->cmd]);
    put_str(&b, "prompt", inv->prompt);
    put_str(&b, "session", inv->session_id);
    put_flag(&b, "last", inv->last);
    put_flag(&b, "all", inv->all);
    put_flag(&b, "json", inv->json);
    put_str(&b, "model", inv->model);
    put_str(&b, "sandbox", inv->sandbox);
    put_str(&b, "cd", inv->cd);
    if (!inv->color || strcmp(inv->color, "auto")) put_str(&b, "color", inv->color);
    put_str(&b, "output_last_message", inv->output_last_message);
    put_str(&b, "output_schema", inv->output_schema);
    put_str(&b, "profile", inv->profile);
    put_str(&b, "local_provider", inv->local_provider);
    put_str(&b, "thread_source", inv->thread_source);
    put_str(&b, "cyber_access_program", inv->cyber_access_program);
    put_list(&b, "config", &inv->config);
    put_list(&b, "enable", &inv->enable);
    put_list(&b, "disable", &inv->disable);
    put_list(&b, "images", &inv->images);
    put_list(&b, "add_dirs", &inv->add_dirs);
    put_flag(&b, "oss", inv->oss);
    put_flag(&b, "approve_for_me", inv->approve_for_me);
    put_flag(&b, "yolo", inv->yolo);
    put_flag(&b, "bypass_hook_trust", inv->bypass_hook_trust);
    put_flag(&b, "worktree", inv->worktree);
    put_flag(&b, "skip_git_repo_check", inv->skip_git_repo_check);
    put_flag(&b, "trust", inv->trust);
    put_flag(&b, "ephemeral", inv->ephemeral);
    put_flag(&b, "ignore_user_config", inv->ignore_user_config);
    put_flag(&b, "ignore_rules", inv->ignore_rules);
    put_flag(&b, "strict_config", inv->strict_config);
    put_flag(&b, "uncommitted", inv->uncommitted);
    put_str(&b, "base", inv->base);
    put_str(&b, "commit", inv->commit);
    put_str(&b, "title", inv->title);
    put_flag(&b, "with_api_key", inv->with_api_key);
    put_flag(&b, "device_auth", inv->device_auth);
    put_str(&b, "issuer", inv->issuer);
    put_str(&b, "client_id", inv->client_id);
    return buf_detach(&b);
}

static size_t build_argv(const char *const *words, char **argv) {
    size_t n = 0;
    argv[n++] = (char *)"codex";
    for (size_t i = 0; words[i]; i++)
        argv[n++] = (char *)words[i];
    argv[n] = NULL;
    return n;
}

static char *describe(const char *const *words) {
    buf b;
    buf_init(&b);
    buf_puts(&b, "codex");
    for (size_t i = 0; words[i]; i++)
        buf_printf(&b, " '%s'", words[i]);
    return buf_detach(&b);
}

/* Checks one case; prints what is wrong and returns false on a mismatch. */
static bool run_case(const tcase *t) {
    char *argv[24];
    int argc = (int)build_argv(t->argv, argv);
    char *what = describe(t->argv);
    invocation inv;
    cli_parse(argc, argv, "0.169.0", &inv);
    bool ok = true;
    if (t->code < 0) {
        if (inv.done) {
            print_error("%s: unexpectedly done (%d)\nstdout: %s\nstderr: %s\n", what, inv.done_code,
                        inv.done_stdout ? inv.done_stdout : "",
                        inv.done_stderr ? inv.done_stderr : "");
            ok = false;
        } else {
            char *got = render(&inv);
            if (strcmp(got, t->want)) {
                print_error("%s\n got: %s\nwant: %s\n", what, got, t->want);
                ok = false;
            }
            free(got);
        }
    } else if (!inv.done) {
        char *got = render(&inv);
        print_error("%s: not done; parsed as %s\n", what, got);
        free(got);
        ok = false;
    } else {
        const char *got = t->code == 0 ? inv.done_stdout : inv.done_stderr;
        const char *other = t->code == 0 ? inv.done_stderr : inv.done_stdout;
        if (inv.done_code != t->code) {
            print_error("%s: exit %d, want %d\n", what, inv.done_code, t->code);
            ok = false;
        }
        if (other) {
            print_error("%s: unexpected output on the other stream: %s\n", what, other);
            ok = false;
        }
        if (!got) {
            print_error("%s: no output\n", what);
            ok = false;
        } else if (t->want[0] == '^' ? strncmp(got, t->want + 1, strlen(t->want + 1)) != 0
                                     : strcmp(got, t->want) != 0) {
            print_error("%s\n--- got:\n%s--- want:\n%s", what, got, t->want);
            ok = false;
        }
    }
    cli_free(&inv);
    free(what);
    return ok;
}

static void test_table(void **state) {
    (void)state;
    size_t bad = 0;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        bad += !run_case(&CASES[i]);
    if (bad) fail_msg("%zu of %zu command lines failed", bad, sizeof CASES / sizeof CASES[0]);
}

/* More than 60 command lines, as the issue asks. */
static void test_table_size(void **state) {
    (void)state;
    assert_true(sizeof CASES / sizeof CASES[0] >= 60);
}

/* The version string is an input, not a constant. */
static void test_version_is_input(void **state) {
    (void)state;
    char *argv1[] = {"codex", "--version", NULL};
    char *argv2[] = {"codex", "exec", "-V", NULL};
    invocation inv;
    cli_parse(2, argv1, "1.2.3", &inv);
    assert_true(inv.done);
    assert_int_equal(inv.done_code, 0);
    assert_string_equal(inv.done_stdout, "codex-cli 1.2.3\n");
    cli_free(&inv);
    cli_parse(3, argv2, "1.2.3", &inv);
    assert_string_equal(inv.done_stdout, "codex-cli-exec 1.2.3\n");
    assert_string_equal(inv.version, "1.2.3");
    cli_free(&inv);
}

/* Every --help text of 0.171.0 (tests/corpus/codex-0.171.0/help/INDEX.tsv), and `--version`:
 * the 0.171.0 profile prints the real bytes; `-h` prints the recorded short text, and `help
 * COMMAND` the long one. The 0.169.0 profile keeps its generated texts. */
static void test_real_help_texts_0_171(void **state) {
    (void)state;
    FILE *f = fopen(CORPUS_DIR_171 "/help/INDEX.tsv", "r");
    assert_non_null(f);
    char row[1024];
    size_t n = 0;
    while (fgets(row, sizeof row, f)) {
        row[strcspn(row, "\n")] = '\0';
        char *name = row, *tab1 = strchr(row, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (!tab2 || !strcmp(name, "name")) continue;
        *tab1 = '\0';
        char *cmd = tab2 + 1;
        size_t cl = strlen(cmd);
        bool help = cl > 7 && !strcmp(cmd + cl - 7, " --help");
        if (!help && strcmp(cmd, "codex --version")) continue; /* `features list`: not emulated */
        char *argv[16], *save = NULL;
        int argc = 0;
        char words[1024];
        snprintf(words, sizeof words, "%s", cmd);
        for (char *w = strtok_r(words, " ", &save); w && argc < 15; w = strtok_r(NULL, " ", &save))
            argv[argc++] = w;
        argv[argc] = NULL;
        char path[1200];
        snprintf(path, sizeof path, CORPUS_DIR_171 "/help/%s.txt", name);
        FILE *w = fopen(path, "rb");
        assert_non_null(w);
        buf want;
        buf_init(&want);
        char chunk[4096];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, w)) > 0)
            buf_append(&want, chunk, got);
        fclose(w);
        invocation inv;
        cli_parse(argc, argv, "0.171.0", &inv);
        if (!inv.done || inv.done_code != 0 || !inv.done_stdout ||
            strcmp(inv.done_stdout, want.data ? want.data : ""))
            fail_msg("%s: not the real text (exit %d):\n%s", cmd, inv.done_code,
                     inv.done_stdout   ? inv.done_stdout
                     : inv.done_stderr ? inv.done_stderr
                                       : "");
        cli_free(&inv);
        if (help && argc > 1) { /* `codex help A B` prints the same long text */
            char *hv[16] = {"codex", "help"};
            for (int i = 1; i < argc - 1; i++)
                hv[i + 1] = argv[i];
            cli_parse(argc, hv, "0.171.0", &inv);
            if (!inv.done || !inv.done_stdout || strcmp(inv.done_stdout, want.data))
                fail_msg("codex help %s: not the real --help text", cmd + 6);
            cli_free(&inv);
        }
        buf_free(&want);
        n++;
    }
    fclose(f);
    assert_true(n >= 70);
    /* -h: the short text; the 0.169.0 profile: the generated one */
    char *argv[] = {"codex", "exec", "-h", NULL};
    invocation inv;
    cli_parse(3, argv, "0.171.0", &inv);
    assert_non_null(strstr(
        inv.done_stdout, "\n      --remote <ADDR>\n          Connect to an existing app server\n"));
    cli_free(&inv);
    cli_parse(3, argv, "0.169.0", &inv);
    assert_null(strstr(inv.done_stdout, "--remote"));
    cli_free(&inv);
}

/* Trace 35 of the corpus, read from disk when the corpus is there. */
static void test_trace_35(void **state) {
    (void)state;
    FILE *f = fopen(CORPUS_DIR "/35_cli_usage_error/stderr.txt", "rb");
    if (!f) skip();
    char want[4096];
    size_t n = fread(want, 1, sizeof want - 1, f);
    fclose(f);
    want[n] = '\0';
    char *argv[] = {"codex", "exec", "--json", "--no-such-flag", "Say hello.", NULL};
    invocation inv;
    cli_parse(5, argv, "0.169.0", &inv);
    assert_true(inv.done);
    assert_int_equal(inv.done_code, 2);
    assert_null(inv.done_stdout);
    assert_string_equal(inv.done_stderr, want);
    cli_free(&inv);
}

/* Every visible flag of a command appears in both its -h and its --help text. */
static void expect_flags(const char *const *words, const char *const *flags) {
    for (int mode = 0; mode < 2; mode++) {
        char *argv[24];
        int argc = (int)build_argv(words, argv);
        argv[argc++] = mode ? "--help" : "-h";
        argv[argc] = NULL;
        invocation inv;
        cli_parse(argc, argv, "0.169.0", &inv);
        assert_true(inv.done);
        assert_int_equal(inv.done_code, 0);
        assert_non_null(inv.done_stdout);
        for (size_t i = 0; flags[i]; i++)
            if (!strstr(inv.done_stdout, flags[i]))
                fail_msg("%s %s: help lacks %s\n%s", words[0] ? words[0] : "codex", argv[argc - 1],
                         flags[i], inv.done_stdout);
        /* hidden aliases stay hidden */
        assert_null(strstr(inv.done_stdout, "--yolo"));
        assert_null(strstr(inv.done_stdout, "--experimental-json"));
        cli_free(&inv);
    }
}

static void test_help_lists_every_flag(void **state) {
    (void)state;
    static const char *const EXEC_W[] = {"exec", NULL};
    static const char *const EXEC_F[] = {"-c, --config <key=value>",
                                         "--enable <FEATURE>",
                                         "--disable <FEATURE>",
                                         "--strict-config",
                                         "-i, --image <FILE>...",
                                         "-m, --model <MODEL>",
                                         "--oss",
                                         "--local-provider <OSS_PROVIDER>",
                                         "-p, --profile <CONFIG_PROFILE_V2>",
                                         "-s, --sandbox <SANDBOX_MODE>",
                                         "--approve-for-me",
                                         "--dangerously-bypass-approvals-and-sandbox",
                                         "--dangerously-bypass-hook-trust",
                                         "-C, --cd <DIR>",
                                         "--worktree",
                                         "--add-dir <DIR>",
                                         "--thread-source <SOURCE>",
                                         "--cyber-access-program <PROGRAM>",
                                         "--skip-git-repo-check",
                                         "--trust",
                                         "--ephemeral",
                                         "--ignore-user-config",
                                         "--ignore-rules",
                                         "--output-schema <FILE>",
                                         "--color <COLOR>",
                                         "--json",
                                         "-o, --output-last-message <FILE>",
                                         "-h, --help",
                                         "-V, --version",
                                         "[PROMPT]",
                                         "resume",
                                         "fork",
                                         "review",
                                         "read-only, workspace-write, danger-full-access",
                                         "standard, daybreak_blue, daybreak_red",
                                         "always, never, auto",
                                         NULL};
    expect_flags(EXEC_W, EXEC_F);

    static const char *const RESUME_W[] = {"exec", "resume", NULL};
    static const char *const RESUME_F[] = {"--last",
                                           "--all",
                                           "-i, --image <FILE>",
                                           "-m, --model <MODEL>",
                                           "--json",
                                           "-o, --output-last-message <FILE>",
                                           "--output-schema <FILE>",
                                           "--skip-git-repo-check",
                                           "--ephemeral",
                                           "--thread-source <SOURCE>",
                                           "[SESSION_ID]",
                                           "[PROMPT]",
                                           "-c, --config",
                                           NULL};
    expect_flags(RESUME_W, RESUME_F);

    static const char *const FORK_W[] = {"exec", "fork", NULL};
    static const char *const FORK_F[] = {"<SESSION_ID>", "[PROMPT]", "-i, --image <FILE>", "--json",
                                         NULL};
    expect_flags(FORK_W, FORK_F);

    static const char *const REVIEW_W[] = {"exec", "review", NULL};
    static const char *const REVIEW_F[] = {"--uncommitted",
                                           "--base <BRANCH>",
                                           "--commit <SHA>",
                                           "--title <TITLE>",
                                           "[PROMPT]",
                                           "--json",
                                           NULL};
    expect_flags(REVIEW_W, REVIEW_F);

    static const char *const LOGIN_W[] = {"login", NULL};
    static const char *const LOGIN_F[] = {"--with-api-key", "--device-auth", "status", NULL};
    expect_flags(LOGIN_W, LOGIN_F);

    static const char *const ROOT_W[] = {NULL};
    static const char *const ROOT_F[] = {
        "exec", "login", "logout", "mcp", "app-server", "-V, --version", "-a, --ask-for-approval",
        NULL};
    expect_flags(ROOT_W, ROOT_F);
}

/* -i pieces split at ',' are owned by the invocation and survive until cli_free. */
static void test_split_images_owned(void **state) {
    (void)state;
    char *argv[] = {"codex", "exec", "go", "-i", "x.png,y.png", "-i", "z.png", NULL};
    invocation inv;
    cli_parse(7, argv, "0.169.0", &inv);
    assert_false(inv.done);
    assert_int_equal(inv.images.n, 3);
    assert_string_equal(inv.images.v[0], "x.png");
    assert_string_equal(inv.images.v[1], "y.png");
    assert_true(inv.images.v[2] == argv[6]); /* unsplit values point into argv */
    assert_string_equal(inv.prompt, "go");
    assert_true(inv.prompt == argv[2]);
    cli_free(&inv);
    assert_null(inv.images.v);
    assert_int_equal(inv.n_owned, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_table_size),
        cmocka_unit_test(test_version_is_input),
        cmocka_unit_test(test_trace_35),
        cmocka_unit_test(test_help_lists_every_flag),
        cmocka_unit_test(test_real_help_texts_0_171),
        cmocka_unit_test(test_split_images_owned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
