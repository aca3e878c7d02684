/* cli — the real Codex CLI's argument grammar (docs/behaviour.md#command-line) → an invocation.
 *
 * Table-driven: every command we know (`codex`, `exec`/`e`, `exec resume|fork|review`, `review`,
 * `login`, `login status`, `logout`) is a table of arguments with its value domain, repeat rule,
 * short form, hidden aliases and global-versus-own placement, parsed the way clap 4 does
 * (`--flag=value`, `-mVALUE`, `-m VALUE`, `--`, `-i` swallowing words, subcommand detection,
 * conflicts and requirements checked after the words are read).
 *
 * cli_parse() never prints and never exits: it fills *inv, and for everything that ends the
 * process before any work it sets inv->done with the exact stdout/stderr text and exit code:
 *   - usage errors: clap's texts byte for byte (unexpected argument + tips + Usage block,
 *     invalid value + possible values, missing value, used multiple times, conflicts, missing
 *     required arguments, unrecognized subcommand), stderr, exit 2;
 *   - --help/-h and the `help` subcommand: a help text on stdout listing every visible flag,
 *     exit 0 (the wording is ours); --version/-V (on `codex` and `codex exec` only):
 *     "codex-cli <version>\n" / "codex-cli-exec <version>\n" on stdout, exit 0;
 *   - no subcommand (the interactive TUI): "Error: stdin is not a terminal\n", exit 1 (what the
 *     real CLI prints when stdin is not a TTY; an unknown first word is such a TUI prompt);
 *   - a real command we do not emulate (mcp, app-server, cloud, apply, top-level resume/fork…):
 *     "codex-mock: 'codex <cmd>' is not emulated (…)\n" on stderr, exit EXIT_MOCK_ERROR (78);
 *   - `codex login --api-key …` (a hidden, removed flag): its guidance text, exit 1.
 * Checks the real CLI does after parsing (-c needs '=', unknown --enable feature, review with no
 * target, prompt/stdin rules) are left to the caller: -c values are stored raw.
 *
 * Merging: values given before a subcommand word apply to it (exec inherits `codex`'s shared
 * options; resume/fork/review inherit exec's), the deepest level wins for single values, the
 * permission mode (--sandbox / --yolo / --approve-for-me) comes whole from the deepest level that
 * set any of it, and lists (-c, --enable, --disable, -i, --add-dir) are concatenated outermost
 * first. resume/fork fall back to exec's PROMPT when they have none of their own; `resume --last`
 * with one positional takes it as the PROMPT. -i values are split at ','.
 *
 * Ownership: string fields point into argv or into static storage (never freed); the arrays
 * (config, images, add_dirs, enable, disable), the strings cli_parse had to allocate (pieces of
 * comma-split -i values) and done_stdout / done_stderr are heap-allocated and released with
 * cli_free(). No global mutable state. */
#ifndef CODEX_MOCK_CLI_H
#define CODEX_MOCK_CLI_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    CMD_EXEC,        /* codex exec [PROMPT] */
    CMD_EXEC_RESUME, /* codex exec resume [SESSION_ID] [PROMPT] */
    CMD_EXEC_FORK,   /* codex exec fork <SESSION_ID> [PROMPT] */
    CMD_EXEC_REVIEW, /* codex exec review [PROMPT], and top-level `codex review` (no --json) */
    CMD_LOGIN,       /* codex login [--with-api-key | --device-auth] */
    CMD_LOGIN_STATUS,
    CMD_LOGOUT,
    CMD_OTHER /* anything handled entirely through `done` */
} cli_command;

typedef struct {
    const char **v;
    size_t n;
} str_list;

typedef struct {
    cli_command cmd;
    const char *version; /* the version this invocation reports, e.g. "0.169.0" (input) */

    /* Set when parsing already decided the outcome: print these and exit with done_code. */
    bool done;
    int done_code;
    char *done_stdout;
    char *done_stderr;

    /* exec and its subcommands */
    const char *prompt; /* positional PROMPT; "-" means read stdin; NULL when absent */
    const char *session_id;
    bool last, all;
    bool json;
    const char *model;
    const char *sandbox; /* read-only | workspace-write | danger-full-access, NULL if not given */
    const char *cd;
    const char *color; /* always | never | auto (default auto) */
    const char *output_last_message;
    const char *output_schema;
    const char *profile;
    const char *local_provider;
    const char *thread_source;
    const char *cyber_access_program; /* standard | daybreak_blue | daybreak_red, or NULL */
    str_list config;                  /* raw `key=value` strings of -c/--config, in order */
    str_list enable, disable;
    str_list images;
    str_list add_dirs;
    bool oss, approve_for_me, yolo, bypass_hook_trust, worktree, skip_git_repo_check, trust,
        ephemeral, ignore_user_config, ignore_rules, strict_config;
    /* 0.171.0 and later: connect to a running app server instead of running here */
    const char *remote;                /* --remote <ADDR>, or NULL */
    const char *remote_auth_token_env; /* --remote-auth-token-env <ENV_VAR>, or NULL */
    /* review */
    bool uncommitted;
    const char *base, *commit, *title;
    /* 0.60-era profile only (cli_parse_profile with legacy) */
    const char *approval; /* -a/--ask-for-approval */
    bool full_auto, search;
    /* login */
    bool with_api_key, device_auth;
    const char *issuer;    /* hidden --experimental_issuer <URL>, or NULL */
    const char *client_id; /* hidden --experimental_client-id <CLIENT_ID>, or NULL */

    /* private: strings cli_parse allocated (freed by cli_free) */
    char **owned;
    size_t n_owned;
} invocation;

/* argv[0] is the program name. `version` is copied into inv->version for --version texts. */
void cli_parse(int argc, char **argv, const char *version, invocation *inv);
/* The same with a version profile: `legacy` (the 0.60 era) makes `codex exec` also accept
 * -a/--ask-for-approval, --full-auto and --search (docs/behaviour.md#legacy-profile). */
void cli_parse_profile(int argc, char **argv, const char *version, bool legacy, invocation *inv);
void cli_free(invocation *inv);
/* True when `version` ("0.171.0") is MAJOR.MINOR or later; false for NULL or no X.Y. The
 * 0.171.0 profile (from 0.171 on): exec, exec resume, exec fork and exec review also take
 * --remote and --remote-auth-token-env, and help texts are the real ones (help_text.h). */
bool version_at_least(const char *version, long major, long minor);

/* The grammar of the default profile as a completion spec, appended to *out (the same tables
 * as --help; hidden arguments left out). One line per entry, fields separated by tabs:
 *   sub <TAB> PATH <TAB> WORD[ ALIAS] <TAB> ABOUT      a subcommand word at PATH
 *   opt <TAB> PATH <TAB> [-S ][--LONG] <TAB> VALUE <TAB> HELP
 *        VALUE: empty for a flag, `a|b|c` for a choice, FILE or DIR for a path, `-` for
 *        anything else
 *   arg <TAB> PATH <TAB> VALUE                          a positional (FILE, DIR or `-`)
 * PATH is the program and the subcommand words before, space-separated (`codex exec resume`). */
void cli_spec(buf *out);

#endif
