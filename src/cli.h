/* cli — the real Codex CLI's argument grammar (reference §1.1–1.4, §1.7) → an invocation.
 *
 * cli_parse() never prints and never exits: it fills *inv, and for everything that ends the
 * process before any work (usage errors, --help, --version, commands we do not emulate) it
 * sets inv->done with the exact stdout/stderr text and exit code to use. Usage errors carry
 * clap's texts byte for byte and exit 2.
 *
 * Ownership: string fields point into argv (never freed); the arrays (config, images, add_dirs,
 * enable, disable) are heap-allocated and released with cli_free(), as are done_stdout and
 * done_stderr. */
#ifndef CODEX_MOCK_CLI_H
#define CODEX_MOCK_CLI_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    CMD_EXEC,        /* codex exec [PROMPT] */
    CMD_EXEC_RESUME, /* codex exec resume [SESSION_ID] [PROMPT] */
    CMD_EXEC_FORK,   /* codex exec fork <SESSION_ID> [PROMPT] */
    CMD_EXEC_REVIEW, /* codex exec review [PROMPT] */
    CMD_LOGIN,       /* codex login [--with-api-key] */
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
    const char *cyber_access_program;
    str_list config; /* raw `key=value` strings of -c/--config, in order */
    str_list enable, disable;
    str_list images;
    str_list add_dirs;
    bool oss, approve_for_me, yolo, bypass_hook_trust, worktree, skip_git_repo_check, trust,
        ephemeral, ignore_user_config, ignore_rules, strict_config;
    /* review */
    bool uncommitted;
    const char *base, *commit, *title;
    /* login */
    bool with_api_key, device_auth;
} invocation;

/* argv[0] is the program name. `version` is copied into inv->version for --version texts. */
void cli_parse(int argc, char **argv, const char *version, invocation *inv);
void cli_free(invocation *inv);

#endif
