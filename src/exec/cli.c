/* cli — see cli.h. The grammar is data (argdef / cmddef tables below); the parser follows clap
 * 4's algorithm closely enough that error texts, their precedence and their Usage lines come
 * out as the real binary prints them (docs/behaviour.md#command-line, trace 35_cli_usage_error). */
#include "cli.h"
#include "buf.h"
#include "exitcodes.h"
#include "help_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAXARGS 40 /* args per command, bounded by the static asserts after the tables */

/* ---------------------------------------------------------------------------------------------
 * Grammar tables
 * ------------------------------------------------------------------------------------------- */

/* Where a parsed value lands in the invocation. */
enum slot {
    S_PROMPT,
    S_SESSION,
    S_LAST,
    S_ALL,
    S_JSON,
    S_MODEL,
    S_SANDBOX,
    S_CD,
    S_COLOR,
    S_OLM,
    S_SCHEMA,
    S_PROFILE,
    S_LOCALPROV,
    S_THREADSRC,
    S_CYBER,
    S_CONFIG,
    S_ENABLE,
    S_DISABLE,
    S_IMAGE,
    S_ADDDIR,
    S_OSS,
    S_APPROVE,
    S_YOLO,
    S_HOOKTRUST,
    S_WORKTREE,
    S_SKIPGIT,
    S_TRUST,
    S_EPHEMERAL,
    S_IGNUSER,
    S_IGNRULES,
    S_STRICT,
    S_UNCOMMITTED,
    S_BASE,
    S_COMMIT,
    S_TITLE,
    S_WITHAPIKEY,
    S_DEVICEAUTH,
    S_APIKEY,
    S_ISSUER,
    S_CLIENTID,
    S_TUI,         /* accepted by the interactive CLI only; no effect here */
    S_REMOTE,      /* 0.171 exec: --remote <ADDR> */
    S_REMOTETOKEN, /* 0.171 exec: --remote-auth-token-env <ENV_VAR> */
    S_APPROVAL,    /* 0.60-era exec: -a/--ask-for-approval */
    S_FULLAUTO,    /* 0.60-era exec: --full-auto */
    S_SEARCH,      /* 0.60-era exec: --search */
    S_HELP,
    S_VERSION,
};

enum action { ACT_FLAG, ACT_SET, ACT_APPEND, ACT_HELP, ACT_VERSION };
enum vtype { VT_STR, VT_PATH, VT_ENUM };
enum ident { ID_LONG, ID_SHORT, ID_INDEX };

typedef struct {
    int slot;
    char sh;           /* short form, 0 if none */
    const char *lg;    /* long form; NULL (and sh 0) for a positional */
    const char *alias; /* hidden long alias */
    const char *vname; /* value name (positional name), NULL for flags */
    unsigned char act, vty;
    bool multi;            /* num_args 1..: swallows following words */
    bool delim;            /* values split at ',' */
    bool hidden;           /* not in help, not in usage lines */
    bool required;         /* positional that must be given */
    const char *const *pv; /* possible values (VT_ENUM) */
    const char *help;
} argdef;

static const char *const PV_SANDBOX[] = {"read-only", "workspace-write", "danger-full-access",
                                         NULL};
static const char *const PV_COLOR[] = {"always", "never", "auto", NULL};
static const char *const PV_CYBER[] = {"standard", "daybreak_blue", "daybreak_red", NULL};
static const char *const PV_APPROVAL[] = {"untrusted", "on-failure", "on-request", "never", NULL};

#define FLAG(S, SH, LG, HELP)                                                                      \
    { .slot = S, .sh = SH, .lg = LG, .act = ACT_FLAG, .help = HELP }
#define OPT(S, SH, LG, VN, VT, HELP)                                                               \
    { .slot = S, .sh = SH, .lg = LG, .vname = VN, .act = ACT_SET, .vty = VT, .help = HELP }
#define LIST(S, SH, LG, VN, VT, HELP)                                                              \
    { .slot = S, .sh = SH, .lg = LG, .vname = VN, .act = ACT_APPEND, .vty = VT, .help = HELP }

static const argdef A_CONFIG =
    LIST(S_CONFIG, 'c', "config", "key=value", VT_STR,
         "Override a configuration value that would otherwise be loaded from "
         "~/.codex/config.toml (dotted path = TOML value; repeatable)");
static const argdef A_ENABLE =
    LIST(S_ENABLE, 0, "enable", "FEATURE", VT_STR,
         "Enable a feature (repeatable); same as -c features.<name>=true");
static const argdef A_DISABLE =
    LIST(S_DISABLE, 0, "disable", "FEATURE", VT_STR,
         "Disable a feature (repeatable); same as -c features.<name>=false");
static const argdef A_STRICT = FLAG(S_STRICT, 0, "strict-config",
                                    "Fail when config.toml has fields this version does not know");
static const argdef A_IMAGE_MULTI = {.slot = S_IMAGE,
                                     .sh = 'i',
                                     .lg = "image",
                                     .vname = "FILE",
                                     .act = ACT_APPEND,
                                     .vty = VT_PATH,
                                     .multi = true,
                                     .delim = true,
                                     .help = "Image(s) to attach to the initial prompt"};
static const argdef A_IMAGE_ONE = {.slot = S_IMAGE,
                                   .sh = 'i',
                                   .lg = "image",
                                   .vname = "FILE",
                                   .act = ACT_APPEND,
                                   .vty = VT_PATH,
                                   .delim = true,
                                   .help = "Image to attach to the prompt (repeatable)"};
static const argdef A_MODEL =
    OPT(S_MODEL, 'm', "model", "MODEL", VT_STR, "Model the agent should use");
static const argdef A_OSS = FLAG(S_OSS, 0, "oss", "Use the open-source (local) provider");
static const argdef A_LOCALPROV = OPT(S_LOCALPROV, 0, "local-provider", "OSS_PROVIDER", VT_STR,
                                      "Local provider to use with --oss (lmstudio or ollama)");
static const argdef A_PROFILE =
    OPT(S_PROFILE, 'p', "profile", "CONFIG_PROFILE_V2", VT_STR,
        "Configuration profile; layers $CODEX_HOME/<name>.config.toml on the base config");
static const argdef A_SANDBOX = {.slot = S_SANDBOX,
                                 .sh = 's',
                                 .lg = "sandbox",
                                 .vname = "SANDBOX_MODE",
                                 .act = ACT_SET,
                                 .vty = VT_ENUM,
                                 .pv = PV_SANDBOX,
                                 .help = "Sandbox policy for model-generated shell commands"};
static const argdef A_APPROVE =
    FLAG(S_APPROVE, 0, "approve-for-me", "Route approval requests to automatic review");
static const argdef A_YOLO = {.slot = S_YOLO,
                              .lg = "dangerously-bypass-approvals-and-sandbox",
                              .alias = "yolo",
                              .act = ACT_FLAG,
                              .help = "Skip all confirmations and run without a sandbox. "
                                      "EXTREMELY DANGEROUS"};
static const argdef A_HOOKTRUST = FLAG(S_HOOKTRUST, 0, "dangerously-bypass-hook-trust",
                                       "Run enabled hooks without requiring persisted hook trust");
static const argdef A_CD =
    OPT(S_CD, 'C', "cd", "DIR", VT_PATH, "Use the given directory as the agent's working root");
static const argdef A_WORKTREE =
    FLAG(S_WORKTREE, 0, "worktree", "Run in a new managed Git worktree");
static const argdef A_ADDDIR =
    LIST(S_ADDDIR, 0, "add-dir", "DIR", VT_PATH, "Additional writable directory (repeatable)");
static const argdef A_THREADSRC = OPT(S_THREADSRC, 0, "thread-source", "SOURCE", VT_STR,
                                      "Source tag recorded for newly created or forked threads");
static const argdef A_CYBER = {.slot = S_CYBER,
                               .lg = "cyber-access-program",
                               .vname = "PROGRAM",
                               .act = ACT_SET,
                               .vty = VT_ENUM,
                               .pv = PV_CYBER,
                               .help = "Request an experimental Cyber access program for this "
                                       "turn (OpenAI provider only)"};
static const argdef A_SKIPGIT =
    FLAG(S_SKIPGIT, 0, "skip-git-repo-check", "Allow running outside a Git repository");
static const argdef A_TRUST = FLAG(S_TRUST, 0, "trust", "Trust the project directory (persisted)");
static const argdef A_EPHEMERAL =
    FLAG(S_EPHEMERAL, 0, "ephemeral", "Run without persisting session files to disk");
static const argdef A_IGNUSER =
    FLAG(S_IGNUSER, 0, "ignore-user-config",
         "Do not load $CODEX_HOME/config.toml; auth still uses CODEX_HOME");
static const argdef A_IGNRULES =
    FLAG(S_IGNRULES, 0, "ignore-rules", "Do not load user or project execpolicy .rules files");
static const argdef A_SCHEMA = OPT(S_SCHEMA, 0, "output-schema", "FILE", VT_PATH,
                                   "JSON Schema file describing the final response's shape");
static const argdef A_COLOR = {.slot = S_COLOR,
                               .lg = "color",
                               .vname = "COLOR",
                               .act = ACT_SET,
                               .vty = VT_ENUM,
                               .pv = PV_COLOR,
                               .help = "Color settings for the output [default: auto]"};
static const argdef A_JSON = {.slot = S_JSON,
                              .lg = "json",
                              .alias = "experimental-json",
                              .act = ACT_FLAG,
                              .help = "Print events to stdout as JSONL"};
static const argdef A_OLM = OPT(S_OLM, 'o', "output-last-message", "FILE", VT_PATH,
                                "File where the agent's last message is written");
static const argdef A_PROMPT = {.slot = S_PROMPT,
                                .vname = "PROMPT",
                                .act = ACT_SET,
                                .help = "Instructions for the agent; `-` (or none, with stdin "
                                        "piped) reads them from stdin"};
static const argdef A_TUI_PROMPT = {.slot = S_TUI,
                                    .vname = "PROMPT",
                                    .act = ACT_SET,
                                    .help = "Optional user prompt to start the session"};
static const argdef A_REVIEW_PROMPT = {.slot = S_PROMPT,
                                       .vname = "PROMPT",
                                       .act = ACT_SET,
                                       .help = "Custom review instructions; `-` reads stdin"};
static const argdef A_SESSION_OPT = {.slot = S_SESSION,
                                     .vname = "SESSION_ID",
                                     .act = ACT_SET,
                                     .help = "Session id (UUID) or thread name; omit with --last"};
static const argdef A_SESSION_REQ = {.slot = S_SESSION,
                                     .vname = "SESSION_ID",
                                     .act = ACT_SET,
                                     .required = true,
                                     .help = "Session id (UUID) of the thread to fork"};
static const argdef A_LAST = FLAG(S_LAST, 0, "last", "Resume the most recent recorded session");
static const argdef A_ALL = FLAG(S_ALL, 0, "all", "Consider sessions from every directory");
static const argdef A_UNCOMMITTED =
    FLAG(S_UNCOMMITTED, 0, "uncommitted", "Review staged, unstaged and untracked changes");
static const argdef A_BASE =
    OPT(S_BASE, 0, "base", "BRANCH", VT_STR, "Review changes against the given base branch");
static const argdef A_COMMIT =
    OPT(S_COMMIT, 0, "commit", "SHA", VT_STR, "Review the changes introduced by a commit");
static const argdef A_TITLE = OPT(S_TITLE, 0, "title", "TITLE", VT_STR,
                                  "Commit title shown in the review summary (needs --commit)");
static const argdef A_WITHAPIKEY =
    FLAG(S_WITHAPIKEY, 0, "with-api-key", "Read the API key from stdin");
static const argdef A_APIKEY = {
    .slot = S_APIKEY, .lg = "api-key", .vname = "API_KEY", .act = ACT_SET, .hidden = true};
static const argdef A_DEVICEAUTH =
    FLAG(S_DEVICEAUTH, 0, "device-auth", "Sign in with a device code");
static const argdef A_ISSUER = {
    .slot = S_ISSUER, .lg = "experimental_issuer", .vname = "URL", .act = ACT_SET, .hidden = true};
static const argdef A_CLIENTID = {.slot = S_CLIENTID,
                                  .lg = "experimental_client-id",
                                  .vname = "CLIENT_ID",
                                  .act = ACT_SET,
                                  .hidden = true};
static const argdef A_ASK = {.slot = S_TUI,
                             .sh = 'a',
                             .lg = "ask-for-approval",
                             .vname = "APPROVAL_POLICY",
                             .act = ACT_SET,
                             .vty = VT_ENUM,
                             .pv = PV_APPROVAL,
                             .help = "When the model needs your approval before running commands"};
static const argdef A_FULLAUTO = {
    .slot = S_TUI, .lg = "full-auto", .act = ACT_FLAG, .hidden = true};
static const argdef A_SEARCH = FLAG(S_TUI, 0, "search", "Enable live web search");
static const argdef A_NOALT =
    FLAG(S_TUI, 0, "no-alt-screen", "Run inline, keeping the terminal scrollback");
static const argdef A_REMOTE =
    OPT(S_TUI, 0, "remote", "ADDR", VT_STR, "Connect the TUI to a remote app server");
static const argdef A_REMOTETOKEN = OPT(S_TUI, 0, "remote-auth-token-env", "ENV_VAR", VT_STR,
                                        "Environment variable holding the remote bearer token");
/* 0.171.0: exec, exec resume, exec fork and exec review connect to a running app server. */
static const argdef A_EXEC_REMOTE =
    OPT(S_REMOTE, 0, "remote", "ADDR", VT_STR, "Connect to an existing app server");
static const argdef A_EXEC_REMOTETOKEN =
    OPT(S_REMOTETOKEN, 0, "remote-auth-token-env", "ENV_VAR", VT_STR,
        "Environment variable containing the remote WebSocket bearer token");
/* The 0.60-era exec flags (docs/behaviour.md#legacy-profile), accepted only in that version
 * profile. */
static const argdef A_ASK_LEGACY = {.slot = S_APPROVAL,
                                    .sh = 'a',
                                    .lg = "ask-for-approval",
                                    .vname = "APPROVAL_POLICY",
                                    .act = ACT_SET,
                                    .vty = VT_ENUM,
                                    .pv = PV_APPROVAL,
                                    .help = "When the model needs your approval before running "
                                            "commands"};
static const argdef A_FULLAUTO_LEGACY =
    FLAG(S_FULLAUTO, 0, "full-auto",
         "Convenience alias for low-friction sandboxed automatic execution (-a on-request, "
         "--sandbox workspace-write)");
static const argdef A_SEARCH_LEGACY = FLAG(S_SEARCH, 0, "search", "Enable web search");
static const argdef A_HELP = {.slot = S_HELP, .sh = 'h', .lg = "help", .act = ACT_HELP};
static const argdef A_VERSION = {.slot = S_VERSION, .sh = 'V', .lg = "version", .act = ACT_VERSION};

typedef struct cmddef cmddef;

typedef struct {
    const char *name, *alias, *about;
    const cmddef *cmd; /* NULL: a real command we do not emulate */
} subdef;

typedef struct {
    int a, b; /* slots */
} slotpair;

struct cmddef {
    const char *name; /* as in `help <name>` and error texts of the parent */
    const char *bin;  /* "codex exec resume" */
    const char *about;
    const char *override_usage; /* replaces the generated usage everywhere */
    const char *version_fmt;    /* NULL: no -V/--version */
    const argdef *const *args;
    size_t nargs;
    const subdef *subs; /* a `help` subcommand is implied when there are any */
    size_t nsubs;
    const slotpair *conflicts; /* symmetric */
    size_t nconflicts;
    const slotpair *requires; /* a requires b */
    size_t nrequires;
    cli_command kind;
};

static const slotpair REVIEW_CONFLICTS[] = {
    {S_UNCOMMITTED, S_BASE}, {S_UNCOMMITTED, S_COMMIT}, {S_UNCOMMITTED, S_PROMPT},
    {S_BASE, S_COMMIT},      {S_BASE, S_PROMPT},        {S_COMMIT, S_PROMPT},
};
static const slotpair REVIEW_REQUIRES[] = {{S_TITLE, S_COMMIT}};
static const slotpair PERMISSION_CONFLICTS[] = {{S_APPROVE, S_YOLO}, {S_APPROVE, S_SANDBOX}};

static const argdef *const RESUME_ARGS[] = {
    &A_CONFIG, &A_LAST,    &A_ALL,   &A_ENABLE,      &A_DISABLE,  &A_IMAGE_ONE,
    &A_STRICT, &A_MODEL,   &A_YOLO,  &A_HOOKTRUST,   &A_WORKTREE, &A_THREADSRC,
    &A_CYBER,  &A_SKIPGIT, &A_TRUST, &A_EPHEMERAL,   &A_IGNUSER,  &A_IGNRULES,
    &A_SCHEMA, &A_JSON,    &A_OLM,   &A_SESSION_OPT, &A_PROMPT,   &A_HELP,
};
static const cmddef CMD_RESUME = {
    .name = "resume",
    .bin = "codex exec resume",
    .about = "Resume a previous session by id or pick the most recent with --last",
    .args = RESUME_ARGS,
    .nargs = N(RESUME_ARGS),
    .kind = CMD_EXEC_RESUME,
};

static const argdef *const FORK_ARGS[] = {
    &A_CONFIG, &A_ENABLE,      &A_DISABLE,  &A_IMAGE_ONE, &A_STRICT, &A_MODEL,
    &A_YOLO,   &A_HOOKTRUST,   &A_WORKTREE, &A_THREADSRC, &A_CYBER,  &A_SKIPGIT,
    &A_TRUST,  &A_EPHEMERAL,   &A_IGNUSER,  &A_IGNRULES,  &A_SCHEMA, &A_JSON,
    &A_OLM,    &A_SESSION_REQ, &A_PROMPT,   &A_HELP,
};
static const cmddef CMD_FORK = {
    .name = "fork",
    .bin = "codex exec fork",
    .about = "Fork a previous session into a new thread and continue there",
    .args = FORK_ARGS,
    .nargs = N(FORK_ARGS),
    .kind = CMD_EXEC_FORK,
};

static const argdef *const XREVIEW_ARGS[] = {
    &A_CONFIG,    &A_UNCOMMITTED, &A_BASE,    &A_COMMIT, &A_TITLE,         &A_ENABLE,
    &A_DISABLE,   &A_STRICT,      &A_MODEL,   &A_YOLO,   &A_HOOKTRUST,     &A_WORKTREE,
    &A_THREADSRC, &A_CYBER,       &A_SKIPGIT, &A_TRUST,  &A_EPHEMERAL,     &A_IGNUSER,
    &A_IGNRULES,  &A_SCHEMA,      &A_JSON,    &A_OLM,    &A_REVIEW_PROMPT, &A_HELP,
};
static const cmddef CMD_XREVIEW = {
    .name = "review",
    .bin = "codex exec review",
    .about = "Run a code review against the current repository",
    .args = XREVIEW_ARGS,
    .nargs = N(XREVIEW_ARGS),
    .conflicts = REVIEW_CONFLICTS,
    .nconflicts = N(REVIEW_CONFLICTS),
    .requires = REVIEW_REQUIRES,
    .nrequires = N(REVIEW_REQUIRES),
    .kind = CMD_EXEC_REVIEW,
};

static const subdef EXEC_SUBS[] = {
    {"resume", NULL, "Resume a previous session by id or pick the most recent with --last",
     &CMD_RESUME},
    {"fork", NULL, "Fork a previous session into a new thread", &CMD_FORK},
    {"review", NULL, "Run a code review against the current repository", &CMD_XREVIEW},
};

static const argdef *const EXEC_ARGS[] = {
    &A_CONFIG,    &A_ENABLE,    &A_DISABLE,   &A_STRICT,  &A_IMAGE_MULTI, &A_MODEL,
    &A_OSS,       &A_LOCALPROV, &A_PROFILE,   &A_SANDBOX, &A_APPROVE,     &A_YOLO,
    &A_HOOKTRUST, &A_CD,        &A_WORKTREE,  &A_ADDDIR,  &A_THREADSRC,   &A_CYBER,
    &A_SKIPGIT,   &A_TRUST,     &A_EPHEMERAL, &A_IGNUSER, &A_IGNRULES,    &A_SCHEMA,
    &A_COLOR,     &A_JSON,      &A_OLM,       &A_PROMPT,  &A_HELP,        &A_VERSION,
};
static const cmddef CMD_EXEC_DEF = {
    .name = "exec",
    .bin = "codex exec",
    .about = "Run Codex non-interactively",
    .override_usage = "codex exec [OPTIONS] [PROMPT]\n       codex exec [OPTIONS] <COMMAND> [ARGS]",
    .version_fmt = "codex-cli-exec %s\n",
    .args = EXEC_ARGS,
    .nargs = N(EXEC_ARGS),
    .subs = EXEC_SUBS,
    .nsubs = N(EXEC_SUBS),
    .conflicts = PERMISSION_CONFLICTS,
    .nconflicts = N(PERMISSION_CONFLICTS),
    .kind = CMD_EXEC,
};

static const argdef *const REVIEW_ARGS[] = {
    &A_CONFIG, &A_ENABLE, &A_DISABLE, &A_STRICT,        &A_UNCOMMITTED,
    &A_BASE,   &A_COMMIT, &A_TITLE,   &A_REVIEW_PROMPT, &A_HELP,
};
static const cmddef CMD_REVIEW_DEF = {
    .name = "review",
    .bin = "codex review",
    .about = "Run a code review non-interactively",
    .args = REVIEW_ARGS,
    .nargs = N(REVIEW_ARGS),
    .conflicts = REVIEW_CONFLICTS,
    .nconflicts = N(REVIEW_CONFLICTS),
    .requires = REVIEW_REQUIRES,
    .nrequires = N(REVIEW_REQUIRES),
    .kind = CMD_EXEC_REVIEW,
};

static const argdef *const GLOBAL_ONLY_ARGS[] = {
    &A_CONFIG, &A_ENABLE, &A_DISABLE, &A_STRICT, &A_HELP,
};
static const cmddef CMD_STATUS = {
    .name = "status",
    .bin = "codex login status",
    .about = "Show login status",
    .args = GLOBAL_ONLY_ARGS,
    .nargs = N(GLOBAL_ONLY_ARGS),
    .kind = CMD_LOGIN_STATUS,
};
static const subdef LOGIN_SUBS[] = {{"status", NULL, "Show login status", &CMD_STATUS}};
static const argdef *const LOGIN_ARGS[] = {
    &A_CONFIG, &A_ENABLE,     &A_DISABLE, &A_STRICT,   &A_WITHAPIKEY,
    &A_APIKEY, &A_DEVICEAUTH, &A_ISSUER,  &A_CLIENTID, &A_HELP,
};
static const cmddef CMD_LOGIN_DEF = {
    .name = "login",
    .bin = "codex login",
    .about = "Manage login",
    .args = LOGIN_ARGS,
    .nargs = N(LOGIN_ARGS),
    .subs = LOGIN_SUBS,
    .nsubs = N(LOGIN_SUBS),
    .kind = CMD_LOGIN,
};
static const cmddef CMD_LOGOUT_DEF = {
    .name = "logout",
    .bin = "codex logout",
    .about = "Remove stored authentication credentials",
    .args = GLOBAL_ONLY_ARGS,
    .nargs = N(GLOBAL_ONLY_ARGS),
    .kind = CMD_LOGOUT,
};

static const subdef ROOT_SUBS[] = {
    {"agents", NULL, "Browse the agent sessions of the local app-server daemon", NULL},
    {"exec", "e", "Run Codex non-interactively", &CMD_EXEC_DEF},
    {"review", NULL, "Run a code review non-interactively", &CMD_REVIEW_DEF},
    {"login", NULL, "Manage login", &CMD_LOGIN_DEF},
    {"logout", NULL, "Remove stored authentication credentials", &CMD_LOGOUT_DEF},
    {"mcp", NULL, "Manage external MCP servers for Codex", NULL},
    {"plugin", NULL, "Manage plugins", NULL},
    {"app-server", NULL, "[experimental] Run the app server or related tooling", NULL},
    {"remote-control", NULL, "[experimental] Remote control", NULL},
    {"completion", NULL, "Generate shell completion scripts", NULL},
    {"update", NULL, "Update Codex", NULL},
    {"doctor", NULL, "Diagnose common problems", NULL},
    {"sandbox", NULL, "Run commands within a Codex-provided sandbox", NULL},
    {"debug", NULL, "Debugging tools", NULL},
    {"apply", "a", "Apply the latest diff produced by the agent to the working tree", NULL},
    {"resume", NULL, "Resume a previous interactive session", NULL},
    {"queue", NULL, "Queue a message for an existing session", NULL},
    {"archive", NULL, "Archive a session", NULL},
    {"delete", NULL, "Delete a session", NULL},
    {"migrate-rollouts", NULL, "Migrate session rollouts", NULL},
    {"migrate-nfs-db", NULL, "Migrate the state database off NFS", NULL},
    {"unarchive", NULL, "Unarchive a session", NULL},
    {"fork", NULL, "Fork a previous interactive session", NULL},
    {"cloud", NULL, "[EXPERIMENTAL] Browse tasks from Codex Cloud", NULL},
    {"exec-server", NULL, "[experimental] Run the exec server", NULL},
    {"features", NULL, "Inspect feature flags", NULL},
};
static const argdef *const ROOT_ARGS[] = {
    &A_CONFIG,      &A_ENABLE,     &A_DISABLE, &A_STRICT,   &A_IMAGE_MULTI, &A_MODEL,     &A_OSS,
    &A_LOCALPROV,   &A_PROFILE,    &A_SANDBOX, &A_APPROVE,  &A_YOLO,        &A_HOOKTRUST, &A_CD,
    &A_WORKTREE,    &A_ADDDIR,     &A_ASK,     &A_FULLAUTO, &A_SEARCH,      &A_NOALT,     &A_REMOTE,
    &A_REMOTETOKEN, &A_TUI_PROMPT, &A_HELP,    &A_VERSION,
};
static const cmddef CMD_ROOT = {
    .name = "codex",
    .bin = "codex",
    .about = "Codex CLI (codex-mock). Without a command, starts the interactive TUI",
    .override_usage = "codex [OPTIONS] [PROMPT]\n       codex [OPTIONS] <COMMAND> [ARGS]",
    .version_fmt = "codex-cli %s\n",
    .args = ROOT_ARGS,
    .nargs = N(ROOT_ARGS),
    .subs = ROOT_SUBS,
    .nsubs = N(ROOT_SUBS),
    .conflicts = PERMISSION_CONFLICTS,
    .nconflicts = N(PERMISSION_CONFLICTS),
    .kind = CMD_OTHER,
};

/* The 0.60-era profile: exec also takes -a, --full-auto and --search. */
static const argdef *const EXEC_ARGS_LEGACY[] = {
    &A_CONFIG,    &A_ENABLE,    &A_DISABLE,   &A_STRICT,     &A_IMAGE_MULTI,     &A_MODEL,
    &A_OSS,       &A_LOCALPROV, &A_PROFILE,   &A_SANDBOX,    &A_APPROVE,         &A_YOLO,
    &A_HOOKTRUST, &A_CD,        &A_WORKTREE,  &A_ADDDIR,     &A_THREADSRC,       &A_CYBER,
    &A_SKIPGIT,   &A_TRUST,     &A_EPHEMERAL, &A_IGNUSER,    &A_IGNRULES,        &A_SCHEMA,
    &A_COLOR,     &A_JSON,      &A_OLM,       &A_ASK_LEGACY, &A_FULLAUTO_LEGACY, &A_SEARCH_LEGACY,
    &A_PROMPT,    &A_HELP,      &A_VERSION,
};
static const cmddef CMD_EXEC_LEGACY = {
    .name = "exec",
    .bin = "codex exec",
    .about = "Run Codex non-interactively",
    .override_usage = "codex exec [OPTIONS] [PROMPT]\n       codex exec [OPTIONS] <COMMAND> [ARGS]",
    .version_fmt = "codex-cli-exec %s\n",
    .args = EXEC_ARGS_LEGACY,
    .nargs = N(EXEC_ARGS_LEGACY),
    .subs = EXEC_SUBS,
    .nsubs = N(EXEC_SUBS),
    .conflicts = PERMISSION_CONFLICTS,
    .nconflicts = N(PERMISSION_CONFLICTS),
    .kind = CMD_EXEC,
};

/* The 0.171.0 profile: exec and its subcommands also take --remote and --remote-auth-token-env,
 * in the order of the real help texts (help/codex-0.171.0/). */
static const argdef *const RESUME_ARGS_171[] = {
    &A_CONFIG,   &A_LAST,      &A_ALL,         &A_ENABLE,
    &A_DISABLE,  &A_IMAGE_ONE, &A_EXEC_REMOTE, &A_EXEC_REMOTETOKEN,
    &A_STRICT,   &A_MODEL,     &A_YOLO,        &A_HOOKTRUST,
    &A_WORKTREE, &A_THREADSRC, &A_CYBER,       &A_SKIPGIT,
    &A_TRUST,    &A_EPHEMERAL, &A_IGNUSER,     &A_IGNRULES,
    &A_SCHEMA,   &A_JSON,      &A_OLM,         &A_SESSION_OPT,
    &A_PROMPT,   &A_HELP,
};
static const cmddef CMD_RESUME_171 = {
    .name = "resume",
    .bin = "codex exec resume",
    .about = "Resume a previous session by id or pick the most recent with --last",
    .args = RESUME_ARGS_171,
    .nargs = N(RESUME_ARGS_171),
    .kind = CMD_EXEC_RESUME,
};
static const argdef *const FORK_ARGS_171[] = {
    &A_CONFIG, &A_IMAGE_ONE, &A_ENABLE, &A_DISABLE,     &A_EXEC_REMOTE, &A_EXEC_REMOTETOKEN,
    &A_STRICT, &A_MODEL,     &A_YOLO,   &A_HOOKTRUST,   &A_WORKTREE,    &A_THREADSRC,
    &A_CYBER,  &A_SKIPGIT,   &A_TRUST,  &A_EPHEMERAL,   &A_IGNUSER,     &A_IGNRULES,
    &A_SCHEMA, &A_JSON,      &A_OLM,    &A_SESSION_REQ, &A_PROMPT,      &A_HELP,
};
static const cmddef CMD_FORK_171 = {
    .name = "fork",
    .bin = "codex exec fork",
    .about = "Fork a previous session by id into a new session",
    .args = FORK_ARGS_171,
    .nargs = N(FORK_ARGS_171),
    .kind = CMD_EXEC_FORK,
};
static const argdef *const XREVIEW_ARGS_171[] = {
    &A_CONFIG,           &A_UNCOMMITTED, &A_BASE,        &A_ENABLE,
    &A_COMMIT,           &A_DISABLE,     &A_EXEC_REMOTE, &A_TITLE,
    &A_EXEC_REMOTETOKEN, &A_STRICT,      &A_MODEL,       &A_YOLO,
    &A_HOOKTRUST,        &A_WORKTREE,    &A_THREADSRC,   &A_CYBER,
    &A_SKIPGIT,          &A_TRUST,       &A_EPHEMERAL,   &A_IGNUSER,
    &A_IGNRULES,         &A_SCHEMA,      &A_JSON,        &A_OLM,
    &A_REVIEW_PROMPT,    &A_HELP,
};
static const cmddef CMD_XREVIEW_171 = {
    .name = "review",
    .bin = "codex exec review",
    .about = "Run a code review against the current repository",
    .args = XREVIEW_ARGS_171,
    .nargs = N(XREVIEW_ARGS_171),
    .conflicts = REVIEW_CONFLICTS,
    .nconflicts = N(REVIEW_CONFLICTS),
    .requires = REVIEW_REQUIRES,
    .nrequires = N(REVIEW_REQUIRES),
    .kind = CMD_EXEC_REVIEW,
};
static const subdef EXEC_SUBS_171[] = {
    {"resume", NULL, "Resume a previous session by id or pick the most recent with --last",
     &CMD_RESUME_171},
    {"fork", NULL, "Fork a previous session by id into a new session", &CMD_FORK_171},
    {"review", NULL, "Run a code review against the current repository", &CMD_XREVIEW_171},
};
static const argdef *const EXEC_ARGS_171[] = {
    &A_CONFIG,  &A_ENABLE,      &A_DISABLE,   &A_EXEC_REMOTE, &A_EXEC_REMOTETOKEN,
    &A_STRICT,  &A_IMAGE_MULTI, &A_MODEL,     &A_OSS,         &A_LOCALPROV,
    &A_PROFILE, &A_SANDBOX,     &A_APPROVE,   &A_YOLO,        &A_HOOKTRUST,
    &A_CD,      &A_WORKTREE,    &A_ADDDIR,    &A_THREADSRC,   &A_CYBER,
    &A_SKIPGIT, &A_TRUST,       &A_EPHEMERAL, &A_IGNUSER,     &A_IGNRULES,
    &A_SCHEMA,  &A_COLOR,       &A_JSON,      &A_OLM,         &A_PROMPT,
    &A_HELP,    &A_VERSION,
};
static const cmddef CMD_EXEC_171 = {
    .name = "exec",
    .bin = "codex exec",
    .about = "Run Codex non-interactively",
    .override_usage = "codex exec [OPTIONS] [PROMPT]\n       codex exec [OPTIONS] <COMMAND> [ARGS]",
    .version_fmt = "codex-cli-exec %s\n",
    .args = EXEC_ARGS_171,
    .nargs = N(EXEC_ARGS_171),
    .subs = EXEC_SUBS_171,
    .nsubs = N(EXEC_SUBS_171),
    .conflicts = PERMISSION_CONFLICTS,
    .nconflicts = N(PERMISSION_CONFLICTS),
    .kind = CMD_EXEC,
};
_Static_assert(N(EXEC_ARGS_171) <= MAXARGS && N(RESUME_ARGS_171) <= MAXARGS &&
                   N(FORK_ARGS_171) <= MAXARGS && N(XREVIEW_ARGS_171) <= MAXARGS,
               "raise MAXARGS");

_Static_assert(N(EXEC_ARGS_LEGACY) <= MAXARGS, "raise MAXARGS");
_Static_assert(N(ROOT_ARGS) <= MAXARGS && N(EXEC_ARGS) <= MAXARGS && N(RESUME_ARGS) <= MAXARGS &&
                   N(FORK_ARGS) <= MAXARGS && N(XREVIEW_ARGS) <= MAXARGS &&
                   N(REVIEW_ARGS) <= MAXARGS && N(LOGIN_ARGS) <= MAXARGS,
               "raise MAXARGS");
_Static_assert(2 * N(ROOT_SUBS) + 1 <= 64, "sub_names() buffer too small");

static const char HELP_SUB_ABOUT[] = "Print this message or the help of the given subcommand(s)";

/* ---------------------------------------------------------------------------------------------
 * Parser state
 * ------------------------------------------------------------------------------------------- */

#define MAXDEPTH 3

typedef struct {
    const cmddef *cmd;
    int order[MAXARGS]; /* explicitly given args, in clap's matcher order */
    size_t norder;
    bool present[MAXARGS];
    const char *val[MAXARGS]; /* ACT_SET values */
    str_list vals[MAXARGS];   /* ACT_APPEND values */
    int pend;                 /* arg whose values are being collected, or -1 */
    int pend_ident;
    str_list pvals;
    size_t npos; /* positionals consumed */
} level;

typedef struct {
    int argc;
    char **argv;
    invocation *inv;
    level lv[MAXDEPTH];
    int nlv;
    bool legacy; /* the 0.60-era profile: exec takes CMD_EXEC_LEGACY's flags */
    bool v171;   /* 0.171.0 and later: exec takes CMD_EXEC_171's flags, help from help_text.h */
} pctx;

static bool takes_value(const argdef *d) {
    return d->act == ACT_SET || d->act == ACT_APPEND;
}

static bool is_positional(const argdef *d) {
    return !d->lg && !d->sh;
}

static void list_push(str_list *l, const char *s) {
    l->v = xrealloc(l->v, (l->n + 1) * sizeof(char *));
    l->v[l->n++] = s;
}

static void list_free(str_list *l) {
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void finish(invocation *inv, int code, const char *out, const char *err) {
    inv->done = true;
    inv->done_code = code;
    free(inv->done_stdout);
    free(inv->done_stderr);
    inv->done_stdout = out ? xstrdup(out) : NULL;
    inv->done_stderr = err ? xstrdup(err) : NULL;
    inv->cmd = CMD_OTHER;
}

/* ---------------------------------------------------------------------------------------------
 * Jaro similarity (clap's did-you-mean: candidates scoring at least 0.7, best last)
 * ------------------------------------------------------------------------------------------- */

static size_t utf8_len(unsigned char c) {
    if (c < 0x80) return 1;
    if ((c & 0xe0) == 0xc0) return 2;
    if ((c & 0xf0) == 0xe0) return 3;
    if ((c & 0xf8) == 0xf0) return 4;
    return 1;
}

/* Decodes s into code points (invalid bytes count as one each); returns the count. */
static size_t decode(const char *s, uint32_t **out) {
    size_t n = strlen(s), k = 0;
    uint32_t *cp = xmalloc((n + 1) * sizeof *cp);
    for (size_t i = 0; i < n;) {
        size_t l = utf8_len((unsigned char)s[i]);
        if (i + l > n) l = 1;
        uint32_t c = (unsigned char)s[i];
        if (l > 1) {
            c &= 0xffu >> (l + 1);
            for (size_t j = 1; j < l; j++)
                c = (c << 6) | ((unsigned char)s[i + j] & 0x3f);
        }
        cp[k++] = c;
        i += l;
    }
    *out = cp;
    return k;
}

static double jaro(const char *sa, const char *sb) {
    uint32_t *a, *b;
    size_t la = decode(sa, &a), lb = decode(sb, &b);
    double sim = 0.0;
    if (la == 0 && lb == 0) {
        sim = 1.0;
    } else if (la > 0 && lb > 0) {
        size_t range = (la > lb ? la : lb) / 2;
        range = range > 0 ? range - 1 : 0;
        bool *fa = xcalloc(la, 1), *fb = xcalloc(lb, 1);
        size_t matches = 0;
        for (size_t i = 0; i < la; i++) {
            size_t lo = i > range ? i - range : 0, hi = i + range + 1 < lb ? i + range + 1 : lb;
            for (size_t j = lo; j < hi; j++) {
                if (!fb[j] && a[i] == b[j]) {
                    fa[i] = fb[j] = true;
                    matches++;
                    break;
                }
            }
        }
        if (matches > 0) {
            size_t trans = 0, j = 0;
            for (size_t i = 0; i < la; i++) {
                if (!fa[i]) continue;
                while (!fb[j])
                    j++;
                if (a[i] != b[j]) trans++;
                j++;
            }
            trans /= 2;
            double m = (double)matches;
            sim = (m / (double)la + m / (double)lb + (m - (double)trans) / m) / 3.0;
        }
        free(fa);
        free(fb);
    }
    free(a);
    free(b);
    return sim;
}

/* The candidates similar to v, least similar first (a stable sort, as clap's). Returns the
 * count; *out (free it) holds indices into cands. */
static size_t did_you_mean(const char *v, const char *const *cands, size_t n, size_t **out) {
    size_t *idx = xmalloc((n + 1) * sizeof *idx);
    double *score = xmalloc((n + 1) * sizeof *score);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double s = jaro(v, cands[i]);
        if (s < 0.7) continue;
        size_t j = k++; /* insertion sort, stable */
        while (j > 0 && score[j - 1] > s) {
            idx[j] = idx[j - 1];
            score[j] = score[j - 1];
            j--;
        }
        idx[j] = i;
        score[j] = s;
    }
    free(score);
    *out = idx;
    return k;
}

/* ---------------------------------------------------------------------------------------------
 * Rendering args and usage lines
 * ------------------------------------------------------------------------------------------- */

/* clap's Arg::stylized: `--long <VALUE>`, `-s`, `[NAME]` / `<NAME>`; required < 0 means "as
 * declared". */
static void arg_str(buf *b, const argdef *d, int required) {
    if (d->lg)
        buf_printf(b, "--%s", d->lg);
    else if (d->sh)
        buf_printf(b, "-%c", d->sh);
    if (takes_value(d) && !is_positional(d)) buf_putc(b, ' ');
    if (takes_value(d)) {
        bool req = required < 0 ? d->required : required > 0;
        if (is_positional(d) && !req)
            buf_printf(b, "[%s]", d->vname);
        else
            buf_printf(b, "<%s>", d->vname);
        if (d->multi) buf_puts(b, "...");
    }
}

static char *arg_name(const argdef *d) {
    buf b;
    buf_init(&b);
    arg_str(&b, d, -1);
    return buf_detach(&b);
}

static void trim_end(buf *b) {
    while (b->len > 0 && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
}

static bool needs_options_tag(const cmddef *c) {
    for (size_t i = 0; i < c->nargs; i++) {
        const argdef *d = c->args[i];
        if (is_positional(d) || d->hidden || d->act == ACT_HELP || d->act == ACT_VERSION) continue;
        return true;
    }
    return false;
}

/* The usage clap prints for this command with no args used ("help usage"). */
static void usage_help(buf *b, const cmddef *c) {
    if (c->override_usage) {
        buf_puts(b, c->override_usage);
        return;
    }
    buf_printf(b, "%s ", c->bin);
    if (needs_options_tag(c)) buf_puts(b, "[OPTIONS] ");
    for (size_t i = 0; i < c->nargs; i++) {
        if (!is_positional(c->args[i]) || c->args[i]->hidden) continue;
        arg_str(b, c->args[i], c->args[i]->required);
        buf_putc(b, ' ');
    }
    if (c->nsubs) buf_puts(b, "[COMMAND]");
    trim_end(b);
}

static bool add_unique(char **set, size_t *n, char *s) {
    for (size_t i = 0; i < *n; i++) {
        if (!strcmp(set[i], s)) {
            free(s);
            return false;
        }
    }
    set[(*n)++] = s;
    return true;
}

/* clap's "smart usage": the required args, then the used ones, then every positional. */
static void usage_smart(buf *b, const cmddef *c, const int *req, size_t nreq, const int *used,
                        size_t nused) {
    char *opts[2 * MAXARGS];
    size_t nopts = 0;
    bool pos_req[MAXARGS] = {false};
    buf_printf(b, "%s ", c->bin);
    for (size_t k = 0; k < nreq + nused; k++) {
        int i = k < nreq ? req[k] : used[k - nreq];
        const argdef *d = c->args[i];
        if (is_positional(d)) {
            pos_req[i] = true;
        } else {
            buf t;
            buf_init(&t);
            arg_str(&t, d, 1);
            add_unique(opts, &nopts, buf_detach(&t));
        }
    }
    for (size_t k = 0; k < nopts; k++) {
        buf_printf(b, "%s ", opts[k]);
        free(opts[k]);
    }
    for (size_t i = 0; i < c->nargs; i++) {
        if (!is_positional(c->args[i]) || c->args[i]->hidden) continue;
        arg_str(b, c->args[i], pos_req[i] ? 1 : 0);
        buf_putc(b, ' ');
    }
    trim_end(b);
}

/* Usage::create_usage_with_title(used), with `req` as the required graph. */
static void usage_block(buf *b, const cmddef *c, const int *req, size_t nreq, const int *used,
                        size_t nused) {
    buf_puts(b, "\n\nUsage: ");
    if (c->override_usage)
        buf_puts(b, c->override_usage);
    else if (nused == 0)
        usage_help(b, c);
    else
        usage_smart(b, c, req, nreq, used, nused);
}

/* The args declared required (the command's required graph). */
static size_t required_graph(const cmddef *c, int *out) {
    size_t n = 0;
    for (size_t i = 0; i < c->nargs; i++)
        if (c->args[i]->required) out[n++] = (int)i;
    return n;
}

/* The explicitly used, visible args in matcher order. */
static size_t used_args(const level *L, int *out) {
    size_t n = 0;
    for (size_t k = 0; k < L->norder; k++)
        if (!L->cmd->args[L->order[k]]->hidden) out[n++] = L->order[k];
    return n;
}

static void usage_default(buf *b, const cmddef *c) {
    usage_block(b, c, NULL, 0, NULL, 0);
}

/* Ends a clap error message and makes it the outcome. */
static bool fail(pctx *p, buf *b) {
    buf_puts(b, "\n\nFor more information, try '--help'.\n");
    finish(p->inv, EXIT_USAGE, NULL, b->data);
    buf_free(b);
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * Help texts (the wording is ours; the layout is clap's)
 * ------------------------------------------------------------------------------------------- */

static void help_left(buf *b, const argdef *d) {
    if (is_positional(d)) {
        arg_str(b, d, -1);
        return;
    }
    if (d->sh)
        buf_printf(b, "-%c%s", d->sh, d->lg ? ", " : "");
    else
        buf_puts(b, "    ");
    if (d->lg) buf_printf(b, "--%s", d->lg);
    if (takes_value(d)) {
        buf_printf(b, " <%s>", d->vname);
        if (d->multi) buf_puts(b, "...");
    }
}

static const char *arg_help(const argdef *d, bool long_help) {
    if (d->act == ACT_HELP)
        return long_help ? "Print help (see a summary with '-h')"
                         : "Print help (see more with '--help')";
    if (d->act == ACT_VERSION) return "Print version";
    return d->help ? d->help : "";
}

static void help_row(buf *b, const char *left, const char *text, const char *const *pv,
                     size_t width, bool long_help) {
    if (long_help) {
        buf_printf(b, "  %s\n", left);
        if (*text) buf_printf(b, "          %s\n", text);
        if (pv) {
            buf_puts(b, "\n          [possible values: ");
            for (size_t k = 0; pv[k]; k++)
                buf_printf(b, "%s%s", k ? ", " : "", pv[k]);
            buf_puts(b, "]\n");
        }
        buf_putc(b, '\n');
        return;
    }
    buf_printf(b, "  %-*s  %s", (int)width, left, text);
    if (pv) {
        buf_puts(b, " [possible values: ");
        for (size_t k = 0; pv[k]; k++)
            buf_printf(b, "%s%s", k ? ", " : "", pv[k]);
        buf_putc(b, ']');
    }
    buf_putc(b, '\n');
}

static char *help_text(const cmddef *c, bool long_help) {
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s\n\nUsage: ", c->about);
    usage_help(&b, c);
    buf_puts(&b, "\n");

    size_t width = 0;
    for (size_t i = 0; i < c->nsubs; i++)
        if (strlen(c->subs[i].name) > width) width = strlen(c->subs[i].name);
    if (c->nsubs) {
        if (width < 4) width = 4;
        buf_puts(&b, "\nCommands:\n");
        for (size_t i = 0; i < c->nsubs; i++) {
            const subdef *s = &c->subs[i];
            if (s->alias)
                buf_printf(&b, "  %-*s  %s [aliases: %s]\n", (int)width, s->name, s->about,
                           s->alias);
            else
                buf_printf(&b, "  %-*s  %s\n", (int)width, s->name, s->about);
        }
        buf_printf(&b, "  %-*s  %s\n", (int)width, "help", HELP_SUB_ABOUT);
    }

    width = 0;
    for (size_t i = 0; i < c->nargs; i++) {
        if (c->args[i]->hidden) continue;
        buf l;
        buf_init(&l);
        help_left(&l, c->args[i]);
        if (l.len > width) width = l.len;
        buf_free(&l);
    }
    for (int pass = 0; pass < 2; pass++) {
        bool any = false;
        for (size_t i = 0; i < c->nargs; i++) {
            const argdef *d = c->args[i];
            if (d->hidden || is_positional(d) != (pass == 0)) continue;
            if (!any) {
                bool blank = b.len >= 2 && !strcmp(b.data + b.len - 2, "\n\n");
                buf_puts(&b, blank ? "" : "\n");
                buf_puts(&b, pass == 0 ? "Arguments:\n" : "Options:\n");
            }
            any = true;
            buf l;
            buf_init(&l);
            help_left(&l, d);
            help_row(&b, l.data, arg_help(d, long_help), d->pv, width, long_help);
            buf_free(&l);
        }
    }
    if (long_help && b.len >= 2 && b.data[b.len - 1] == '\n' && b.data[b.len - 2] == '\n')
        b.data[--b.len] = '\0';
    return buf_detach(&b);
}

/* The real help text of a command path ("codex exec resume"), in the profiles that have them. */
static const help_entry *real_help(const pctx *p, const char *bin) {
    if (!p->v171) return NULL;
    const char *path = !strcmp(bin, "codex") ? "" : !strncmp(bin, "codex ", 6) ? bin + 6 : NULL;
    return path ? help_text_find(path) : NULL;
}

static bool print_real_help(pctx *p, const help_entry *h, bool long_help) {
    char *t =
        long_help ? xstrndup(h->long_text, h->long_len) : xstrndup(h->short_text, h->short_len);
    finish(p->inv, EXIT_OK, t, NULL);
    free(t);
    return false;
}

static bool show_help(pctx *p, const cmddef *c, bool long_help) {
    const help_entry *h = real_help(p, c->bin);
    if (h) return print_real_help(p, h, long_help);
    char *t = help_text(c, long_help);
    finish(p->inv, EXIT_OK, t, NULL);
    free(t);
    return false;
}

/* A command we do not emulate, at `path` ("codex mcp"); its arguments start at argv[next].
 * With the real help texts, `-h`/`--help` among them (after any of its subcommands' names)
 * prints the real help, as `help` (long_help, from `codex help mcp add`) does. */
static bool not_emulated_at(pctx *p, const char *path, int next, bool help_asked) {
    const help_entry *h = real_help(p, path);
    if (h) {
        buf key;
        buf_init(&key);
        buf_puts(&key, path);
        for (int i = next; i < p->argc; i++) {
            const char *w = p->argv[i];
            if (!strcmp(w, "--")) break;
            if (!strcmp(w, "--help") || !strcmp(w, "-h")) {
                bool long_help = help_asked || w[1] == '-';
                buf_free(&key);
                return print_real_help(p, h, long_help);
            }
            if (w[0] == '-') continue;
            size_t mark = key.len;
            buf_printf(&key, " %s", w);
            const help_entry *deeper = real_help(p, key.data);
            if (deeper)
                h = deeper;
            else
                key.data[key.len = mark] = '\0';
        }
        buf_free(&key);
        if (help_asked) return print_real_help(p, h, true);
    }
    char *t = xasprintf(
        "codex-mock: '%s' is not emulated (codex-mock fakes exec, login and logout)\n", path);
    finish(p->inv, EXIT_MOCK_ERROR, NULL, t);
    free(t);
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * Lookup
 * ------------------------------------------------------------------------------------------- */

static int find_long(const cmddef *c, const char *name, size_t len) {
    for (size_t i = 0; i < c->nargs; i++) {
        const argdef *d = c->args[i];
        if (d->lg && strlen(d->lg) == len && !strncmp(d->lg, name, len)) return (int)i;
        if (d->alias && strlen(d->alias) == len && !strncmp(d->alias, name, len)) return (int)i;
    }
    return -1;
}

static int find_short(const cmddef *c, char ch) {
    for (size_t i = 0; i < c->nargs; i++)
        if (c->args[i]->sh && c->args[i]->sh == ch) return (int)i;
    return -1;
}

static int nth_positional(const cmddef *c, size_t n) {
    for (size_t i = 0; i < c->nargs; i++)
        if (is_positional(c->args[i]) && n-- == 0) return (int)i;
    return -1;
}

static bool has_positionals(const cmddef *c) {
    return nth_positional(c, 0) >= 0;
}

/* Index of the subcommand named (or aliased) w; (int)nsubs for `help`; -1 if none. */
static int find_sub(const cmddef *c, const char *w) {
    if (!c->nsubs) return -1;
    for (size_t i = 0; i < c->nsubs; i++)
        if (!strcmp(c->subs[i].name, w) || (c->subs[i].alias && !strcmp(c->subs[i].alias, w)))
            return (int)i;
    if (!strcmp(w, "help")) return (int)c->nsubs;
    return -1;
}

/* Names and aliases of the subcommands, `help` last (clap's all_subcommand_names). */
static size_t sub_names(const cmddef *c, const char **out) {
    size_t n = 0;
    for (size_t i = 0; i < c->nsubs; i++) {
        out[n++] = c->subs[i].name;
        if (c->subs[i].alias) out[n++] = c->subs[i].alias;
    }
    out[n++] = "help";
    return n;
}

/* Long names (and hidden aliases) in keymap order. */
static size_t long_names(const cmddef *c, const char **out) {
    size_t n = 0;
    for (size_t i = 0; i < c->nargs; i++) {
        if (c->args[i]->lg) out[n++] = c->args[i]->lg;
        if (c->args[i]->alias) out[n++] = c->args[i]->alias;
    }
    return n;
}

static int find_slot(const cmddef *c, int slot) {
    for (size_t i = 0; i < c->nargs; i++)
        if (c->args[i]->slot == slot) return (int)i;
    return -1;
}

static bool conflicting(const cmddef *c, int i, int j) {
    int a = c->args[i]->slot, b = c->args[j]->slot;
    for (size_t k = 0; k < c->nconflicts; k++)
        if ((c->conflicts[k].a == a && c->conflicts[k].b == b) ||
            (c->conflicts[k].a == b && c->conflicts[k].b == a))
            return true;
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * Parsing one command level
 * ------------------------------------------------------------------------------------------- */

static void add_to_matcher(level *L, int i) {
    if (L->present[i]) return;
    L->present[i] = true;
    L->order[L->norder++] = i;
}

static void owned_push(invocation *inv, char *s) {
    inv->owned = xrealloc(inv->owned, (inv->n_owned + 1) * sizeof(char *));
    inv->owned[inv->n_owned++] = s;
}

static bool empty_value_error(pctx *p, const argdef *d) {
    buf b;
    buf_init(&b);
    char *name = arg_name(d);
    buf_printf(&b, "error: a value is required for '%s' but none was supplied", name);
    free(name);
    if (d->pv) {
        buf_puts(&b, "\n  [possible values: ");
        for (size_t k = 0; d->pv[k]; k++)
            buf_printf(&b, "%s%s", k ? ", " : "", d->pv[k]);
        buf_putc(&b, ']');
    }
    return fail(p, &b);
}

static bool check_value(pctx *p, const argdef *d, const char *v) {
    if (d->vty == VT_PATH && !*v) return empty_value_error(p, d);
    if (d->vty != VT_ENUM) return true;
    size_t n = 0;
    for (; d->pv[n]; n++)
        if (!strcmp(d->pv[n], v)) return true;
    if (!*v) return empty_value_error(p, d);
    buf b;
    buf_init(&b);
    char *name = arg_name(d);
    buf_printf(&b, "error: invalid value '%s' for '%s'\n  [possible values: ", v, name);
    free(name);
    for (size_t k = 0; k < n; k++)
        buf_printf(&b, "%s%s", k ? ", " : "", d->pv[k]);
    buf_putc(&b, ']');
    size_t *idx;
    size_t m = did_you_mean(v, d->pv, n, &idx);
    if (m > 0) buf_printf(&b, "\n\n  tip: a similar value exists: '%s'", d->pv[idx[m - 1]]);
    free(idx);
    return fail(p, &b);
}

static bool multiple_error(pctx *p, const level *L, const argdef *d) {
    buf b;
    buf_init(&b);
    char *name = arg_name(d);
    buf_printf(&b, "error: the argument '%s' cannot be used multiple times", name);
    free(name);
    usage_default(&b, L->cmd);
    return fail(p, &b);
}

static bool resolve_pending(pctx *p, level *L);

/* clap's Parser::react: one occurrence of arg i with its values. */
static bool react(pctx *p, level *L, int i, const char *const *vals, size_t n, int ident) {
    if (!resolve_pending(p, L)) return false;
    const argdef *d = L->cmd->args[i];
    if (takes_value(d) && n == 0) return empty_value_error(p, d);
    switch (d->act) {
    case ACT_HELP:
        return show_help(p, L->cmd, ident != ID_SHORT);
    case ACT_VERSION: {
        char *t = xasprintf(L->cmd->version_fmt, p->inv->version ? p->inv->version : "");
        finish(p->inv, EXIT_OK, t, NULL);
        free(t);
        return false;
    }
    case ACT_FLAG:
        if (L->present[i]) return multiple_error(p, L, d);
        add_to_matcher(L, i);
        return true;
    case ACT_SET:
        if (L->present[i]) return multiple_error(p, L, d);
        add_to_matcher(L, i);
        if (!check_value(p, d, vals[0])) return false;
        L->val[i] = vals[0];
        return true;
    default: /* ACT_APPEND */
        add_to_matcher(L, i);
        for (size_t k = 0; k < n; k++) {
            const char *v = vals[k];
            if (d->delim && strchr(v, ',')) {
                for (const char *s = v;;) {
                    const char *e = strchr(s, ',');
                    size_t len = e ? (size_t)(e - s) : strlen(s);
                    char *piece = xstrndup(s, len);
                    owned_push(p->inv, piece);
                    if (!check_value(p, d, piece)) return false;
                    list_push(&L->vals[i], piece);
                    if (!e) break;
                    s = e + 1;
                }
                continue;
            }
            if (!check_value(p, d, v)) return false;
            list_push(&L->vals[i], v);
        }
        return true;
    }
}

static bool resolve_pending(pctx *p, level *L) {
    if (L->pend < 0) return true;
    int i = L->pend;
    str_list vals = L->pvals;
    L->pend = -1;
    L->pvals.v = NULL;
    L->pvals.n = 0;
    bool ok = react(p, L, i, vals.v, vals.n, L->pend_ident);
    free(vals.v);
    return ok;
}

/* Resolution whose error clap discards (another error is about to be reported). */
static void resolve_pending_quietly(pctx *p, level *L) {
    invocation *inv = p->inv;
    bool was_done = inv->done;
    if (resolve_pending(p, L) || was_done) return;
    inv->done = false;
    inv->done_code = 0;
    free(inv->done_stdout);
    free(inv->done_stderr);
    inv->done_stdout = inv->done_stderr = NULL;
}

static void start_pending(level *L, int i, int ident) {
    L->pend = i;
    L->pend_ident = ident;
    L->pvals.v = NULL;
    L->pvals.n = 0;
}

/* An unknown `--name`: clap's did_you_mean_error. */
static bool unknown_long(pctx *p, level *L, const char *name, int next, bool trailing) {
    const cmddef *c = L->cmd;
    const char *names[2 * MAXARGS];
    size_t n = long_names(c, names), *idx, m;
    const char *flag = NULL, *sub = NULL;
    m = did_you_mean(name, names, n, &idx);
    if (m > 0) flag = names[idx[m - 1]];
    free(idx);
    if (!flag) {
        long best = -1;
        for (size_t s = 0; s < c->nsubs; s++) {
            const cmddef *sc = c->subs[s].cmd;
            if (!sc) continue;
            const char *snames[2 * MAXARGS];
            size_t sn = long_names(sc, snames);
            m = did_you_mean(name, snames, sn, &idx);
            const char *cand = m > 0 ? snames[idx[m - 1]] : NULL;
            free(idx);
            if (!cand) continue;
            for (int k = next; k < p->argc; k++) {
                if (!strcmp(p->argv[k], c->subs[s].name)) {
                    if (best < 0 || k - next < best) {
                        best = k - next;
                        flag = cand;
                        sub = c->subs[s].name;
                    }
                    break;
                }
            }
        }
    }
    if (flag && !sub) add_to_matcher(L, find_long(c, flag, strlen(flag)));

    buf b;
    buf_init(&b);
    buf_printf(&b, "error: unexpected argument '--%s' found", name);
    if (flag && !sub) buf_printf(&b, "\n\n  tip: a similar argument exists: '--%s'", flag);
    if (sub) buf_printf(&b, "\n\n  tip: '%s --%s' exists", sub, flag);
    if (!flag && !trailing && has_positionals(c))
        buf_printf(&b, "\n\n  tip: to pass '--%s' as a value, use '-- --%s'", name, name);
    int req[MAXARGS], used[MAXARGS];
    size_t nreq = required_graph(c, req), nused = used_args(L, used);
    usage_block(&b, c, req, nreq, used, nused);
    return fail(p, &b);
}

static bool unknown_short(pctx *p, level *L, const char *flag, size_t len, bool trailing) {
    buf b;
    buf_init(&b);
    buf_printf(&b, "error: unexpected argument '-%.*s' found", (int)len, flag);
    if (!trailing && has_positionals(L->cmd))
        buf_printf(&b, "\n\n  tip: to pass '-%.*s' as a value, use '-- -%.*s'", (int)len, flag,
                   (int)len, flag);
    usage_default(&b, L->cmd);
    return fail(p, &b);
}

/* A word with no positional slot left: clap's match_arg_error. */
static bool stray_word(pctx *p, level *L, const char *w, bool trailing) {
    const cmddef *c = L->cmd;
    buf b;
    buf_init(&b);
    if (trailing && find_sub(c, w) >= 0) {
        buf_printf(&b,
                   "error: unexpected argument '%s' found\n\n  tip: subcommand '%s' exists; to use "
                   "it, remove the '--' before it",
                   w, w);
        usage_default(&b, c);
        return fail(p, &b);
    }
    bool looks_flag = w[0] == '-' && w[1];
    bool trailing_tip = !trailing && has_positionals(c) && looks_flag;
    if (c->nsubs) {
        const char *names[64];
        size_t n = sub_names(c, names), *idx;
        size_t m = did_you_mean(w, names, n, &idx);
        if (m > 0) {
            buf_printf(&b, "error: unrecognized subcommand '%s'\n\n", w);
            if (m == 1) {
                buf_printf(&b, "  tip: a similar subcommand exists: '%s'", names[idx[0]]);
            } else {
                buf_puts(&b, "  tip: some similar subcommands exist: ");
                for (size_t k = 0; k < m; k++)
                    buf_printf(&b, "%s'%s'", k ? ", " : "", names[idx[k]]);
            }
            if (trailing_tip)
                buf_printf(&b, "\n  tip: to pass '%s' as a value, use '%s -- %s'", w, c->bin, w);
            free(idx);
            usage_default(&b, c);
            return fail(p, &b);
        }
        free(idx);
        if (!has_positionals(c)) {
            buf_printf(&b, "error: unrecognized subcommand '%s'", w);
            usage_default(&b, c);
            return fail(p, &b);
        }
    }
    buf_printf(&b, "error: unexpected argument '%s' found", w);
    if (trailing_tip) buf_printf(&b, "\n\n  tip: to pass '%s' as a value, use '-- %s'", w, w);
    usage_default(&b, c);
    return fail(p, &b);
}

/* `help [COMMAND]...`: the long help of the named (sub)command. */
static bool help_subcommand(pctx *p, const cmddef *c, int i) {
    buf path;
    buf_init(&path);
    buf_puts(&path, c->bin);
    for (; i < p->argc; i++) {
        const char *w = p->argv[i];
        int s = find_sub(c, w);
        if (s < 0) {
            buf b;
            buf_init(&b);
            buf_printf(&b, "error: unrecognized subcommand '%s'", w);
            usage_default(&b, c);
            buf_free(&path);
            return fail(p, &b);
        }
        if (s == (int)c->nsubs) {
            char *t = xasprintf("%s\n\nUsage: %s help [COMMAND]...\n\nArguments:\n  [COMMAND]...  "
                                "Print help for the subcommand(s)\n",
                                HELP_SUB_ABOUT, c->bin);
            finish(p->inv, EXIT_OK, t, NULL);
            free(t);
            buf_free(&path);
            return false;
        }
        buf_printf(&path, " %s", c->subs[s].name);
        if (!c->subs[s].cmd) {
            bool r = not_emulated_at(p, path.data, i + 1, true);
            buf_free(&path);
            return r;
        }
        c = c->subs[s].cmd;
    }
    buf_free(&path);
    return show_help(p, c, true);
}

static bool parse_long(pctx *p, level *L, const char *body, int next, bool trailing,
                       bool *opt_state) {
    const cmddef *c = L->cmd;
    const char *eq = strchr(body, '=');
    size_t len = eq ? (size_t)(eq - body) : strlen(body);
    int i = find_long(c, body, len);
    if (i < 0) {
        resolve_pending_quietly(p, L);
        char *name = xstrndup(body, len);
        owned_push(p->inv, name);
        return unknown_long(p, L, name, next, trailing);
    }
    const argdef *d = c->args[i];
    *opt_state = false;
    if (takes_value(d)) {
        if (eq) {
            const char *v = eq + 1;
            return react(p, L, i, &v, 1, ID_LONG);
        }
        if (!resolve_pending(p, L)) return false;
        start_pending(L, i, ID_LONG);
        *opt_state = true;
        return true;
    }
    if (eq) {
        int req[MAXARGS], used[MAXARGS + 1];
        size_t nreq = required_graph(c, req), nused = 0;
        for (size_t k = 0; k < L->norder; k++) {
            const argdef *u = c->args[L->order[k]];
            if (!u->hidden && !u->required) used[nused++] = L->order[k];
        }
        used[nused++] = i;
        resolve_pending_quietly(p, L);
        buf b;
        buf_init(&b);
        char *name = arg_name(d);
        buf_printf(&b, "error: unexpected value '%s' for '%s' found; no more were expected", eq + 1,
                   name);
        free(name);
        usage_block(&b, c, req, nreq, used, nused);
        return fail(p, &b);
    }
    return react(p, L, i, NULL, 0, ID_LONG);
}

static bool parse_short(pctx *p, level *L, const char *s, bool trailing, bool *opt_state) {
    const cmddef *c = L->cmd;
    *opt_state = false;
    while (*s) {
        size_t cl = utf8_len((unsigned char)*s);
        if (strlen(s) < cl) cl = strlen(s);
        int i = cl == 1 ? find_short(c, *s) : -1;
        if (i < 0) {
            resolve_pending_quietly(p, L);
            return unknown_short(p, L, s, cl, trailing);
        }
        const argdef *d = c->args[i];
        if (!takes_value(d)) {
            if (!react(p, L, i, NULL, 0, ID_SHORT)) return false;
            s += cl;
            continue;
        }
        const char *rest = s + cl;
        if (*rest) {
            if (*rest == '=') rest++;
            return react(p, L, i, &rest, 1, ID_SHORT);
        }
        if (!resolve_pending(p, L)) return false;
        start_pending(L, i, ID_SHORT);
        *opt_state = true;
        return true;
    }
    return true;
}

static bool validate(pctx *p, level *L);

/* Parses argv[i..] as arguments of the command at p->lv[depth]. Returns false once the outcome
 * is decided (inv->done). */
static bool parse_cmd(pctx *p, int depth, int i) {
    level *L = &p->lv[depth];
    const cmddef *c = L->cmd;
    bool trailing = false, opt_state = false;
    int sub = -1;
    while (i < p->argc) {
        const char *a = p->argv[i++];
        if (!trailing) {
            if (!opt_state) {
                int s = find_sub(c, a);
                if (s == (int)c->nsubs) return help_subcommand(p, c, i);
                if (s >= 0) {
                    sub = s;
                    break;
                }
            }
            if (!strcmp(a, "--")) {
                trailing = true;
                continue;
            }
            if (a[0] == '-' && a[1] == '-') {
                if (!parse_long(p, L, a + 2, i, trailing, &opt_state)) return false;
                continue;
            }
            if (a[0] == '-' && a[1]) {
                if (!parse_short(p, L, a + 1, trailing, &opt_state)) return false;
                continue;
            }
            if (opt_state) {
                list_push(&L->pvals, a);
                if (!c->args[L->pend]->multi) opt_state = false;
                continue;
            }
        }
        int pi = nth_positional(c, L->npos);
        if (pi < 0) {
            resolve_pending_quietly(p, L);
            return stray_word(p, L, a, trailing);
        }
        if (!resolve_pending(p, L)) return false;
        start_pending(L, pi, ID_INDEX);
        list_push(&L->pvals, a);
        L->npos++;
        opt_state = false;
    }
    if (sub >= 0) {
        const subdef *sd = &c->subs[sub];
        if (!sd->cmd) {
            char *path = xasprintf("%s %s", c->bin, sd->name);
            bool r = not_emulated_at(p, path, i, false);
            free(path);
            return r;
        }
        p->nlv = depth + 2;
        p->lv[depth + 1].cmd = sd->cmd != &CMD_EXEC_DEF ? sd->cmd
                               : p->legacy              ? &CMD_EXEC_LEGACY
                               : p->v171                ? &CMD_EXEC_171
                                                        : sd->cmd;
        if (!parse_cmd(p, depth + 1, i)) return false;
    }
    if (!resolve_pending(p, L)) return false;
    return validate(p, L);
}

/* Conflicts, then requirements, as clap's Validator. */
static bool validate(pctx *p, level *L) {
    const cmddef *c = L->cmd;
    int req[MAXARGS];
    size_t nreq = required_graph(c, req);

    for (size_t k = 0; k < L->norder; k++) {
        int x = L->order[k];
        int conf[MAXARGS];
        size_t nconf = 0;
        for (size_t j = 0; j < L->norder; j++)
            if (L->order[j] != x && conflicting(c, x, L->order[j])) conf[nconf++] = L->order[j];
        if (!nconf) continue;
        buf b;
        buf_init(&b);
        char *name = arg_name(c->args[x]);
        buf_printf(&b, "error: the argument '%s' cannot be used with", name);
        free(name);
        for (size_t j = 0; j < nconf; j++) {
            char *o = arg_name(c->args[conf[j]]);
            if (nconf == 1)
                buf_printf(&b, " '%s'", o);
            else
                buf_printf(&b, "%s\n  %s", j ? "" : ":", o);
            free(o);
        }
        /* Usage: the used args minus the conflicting ones, after what those still require. */
        int kept[MAXARGS], incl[2 * MAXARGS];
        size_t nkept = 0, nincl = 0;
        for (size_t j = 0; j < L->norder; j++) {
            int u = L->order[j];
            bool is_conf = false;
            for (size_t q = 0; q < nconf; q++)
                is_conf |= conf[q] == u;
            if (!c->args[u]->hidden && !is_conf) kept[nkept++] = u;
        }
        for (size_t j = 0; j < nkept; j++) {
            for (size_t r = 0; r < c->nrequires; r++) {
                if (c->requires[r].a != c->args[kept[j]]->slot) continue;
                int t = find_slot(c, c->requires[r].b);
                bool skip = t < 0;
                for (size_t q = 0; q < nkept && !skip; q++)
                    skip = kept[q] == t;
                for (size_t q = 0; q < nconf && !skip; q++)
                    skip = conf[q] == t;
                if (!skip) incl[nincl++] = t;
            }
        }
        for (size_t j = 0; j < nkept; j++)
            incl[nincl++] = kept[j];
        usage_block(&b, c, req, nreq, incl, nincl);
        return fail(p, &b);
    }

    /* The required graph plus what the used args require. */
    for (size_t k = 0; k < L->norder; k++) {
        for (size_t r = 0; r < c->nrequires; r++) {
            if (c->requires[r].a != c->args[L->order[k]]->slot) continue;
            int t = find_slot(c, c->requires[r].b);
            bool dup = t < 0;
            for (size_t q = 0; q < nreq && !dup; q++)
                dup = req[q] == t;
            if (!dup) req[nreq++] = t;
        }
    }
    int missing[MAXARGS];
    size_t nmissing = 0;
    for (size_t k = 0; k < nreq; k++) {
        int r = req[k];
        if (L->present[r]) continue;
        bool ok = false;
        for (size_t j = 0; j < L->norder && !ok; j++)
            ok = conflicting(c, r, L->order[j]);
        if (!ok) missing[nmissing++] = r;
    }
    if (!nmissing) return true;

    buf b;
    buf_init(&b);
    buf_puts(&b, "error: the following required arguments were not provided:");
    char *opts[2 * MAXARGS];
    size_t nopts = 0;
    bool pos[MAXARGS] = {false};
    for (size_t k = 0; k < nreq + nmissing; k++) {
        int r = k < nreq ? req[k] : missing[k - nreq];
        if (L->present[r]) continue;
        if (is_positional(c->args[r])) {
            pos[r] = true;
        } else {
            buf t;
            buf_init(&t);
            arg_str(&t, c->args[r], 1);
            add_unique(opts, &nopts, buf_detach(&t));
        }
    }
    for (size_t k = 0; k < nopts; k++) {
        buf_printf(&b, "\n  %s", opts[k]);
        free(opts[k]);
    }
    for (size_t i = 0; i < c->nargs; i++) {
        if (!pos[i]) continue;
        buf_puts(&b, "\n  ");
        arg_str(&b, c->args[i], 1);
    }
    int used[2 * MAXARGS];
    size_t nused = used_args(L, used);
    for (size_t k = 0; k < nmissing; k++)
        used[nused++] = missing[k];
    usage_block(&b, c, req, nreq, used, nused);
    return fail(p, &b);
}

/* ---------------------------------------------------------------------------------------------
 * Building the invocation
 * ------------------------------------------------------------------------------------------- */

static const char **str_field(invocation *inv, int slot) {
    switch (slot) {
    case S_MODEL:
        return &inv->model;
    case S_APPROVAL:
        return &inv->approval;
    case S_CD:
        return &inv->cd;
    case S_COLOR:
        return &inv->color;
    case S_OLM:
        return &inv->output_last_message;
    case S_SCHEMA:
        return &inv->output_schema;
    case S_PROFILE:
        return &inv->profile;
    case S_LOCALPROV:
        return &inv->local_provider;
    case S_THREADSRC:
        return &inv->thread_source;
    case S_CYBER:
        return &inv->cyber_access_program;
    case S_BASE:
        return &inv->base;
    case S_COMMIT:
        return &inv->commit;
    case S_TITLE:
        return &inv->title;
    case S_ISSUER:
        return &inv->issuer;
    case S_CLIENTID:
        return &inv->client_id;
    case S_REMOTE:
        return &inv->remote;
    case S_REMOTETOKEN:
        return &inv->remote_auth_token_env;
    default:
        return NULL;
    }
}

static bool *bool_field(invocation *inv, int slot) {
    switch (slot) {
    case S_LAST:
        return &inv->last;
    case S_ALL:
        return &inv->all;
    case S_JSON:
        return &inv->json;
    case S_OSS:
        return &inv->oss;
    case S_HOOKTRUST:
        return &inv->bypass_hook_trust;
    case S_WORKTREE:
        return &inv->worktree;
    case S_SKIPGIT:
        return &inv->skip_git_repo_check;
    case S_TRUST:
        return &inv->trust;
    case S_EPHEMERAL:
        return &inv->ephemeral;
    case S_IGNUSER:
        return &inv->ignore_user_config;
    case S_IGNRULES:
        return &inv->ignore_rules;
    case S_STRICT:
        return &inv->strict_config;
    case S_UNCOMMITTED:
        return &inv->uncommitted;
    case S_WITHAPIKEY:
        return &inv->with_api_key;
    case S_DEVICEAUTH:
        return &inv->device_auth;
    case S_FULLAUTO:
        return &inv->full_auto;
    case S_SEARCH:
        return &inv->search;
    default:
        return NULL;
    }
}

static str_list *list_field(invocation *inv, int slot) {
    switch (slot) {
    case S_CONFIG:
        return &inv->config;
    case S_ENABLE:
        return &inv->enable;
    case S_DISABLE:
        return &inv->disable;
    case S_IMAGE:
        return &inv->images;
    case S_ADDDIR:
        return &inv->add_dirs;
    default:
        return NULL;
    }
}

static const char *level_value(const level *L, int slot) {
    int i = find_slot(L->cmd, slot);
    return i >= 0 && L->present[i] ? L->val[i] : NULL;
}

static void build(pctx *p) {
    invocation *inv = p->inv;
    const level *last = &p->lv[p->nlv - 1];
    inv->cmd = last->cmd->kind;
    for (int d = 0; d < p->nlv; d++) {
        const level *L = &p->lv[d];
        bool perm = false;
        for (size_t k = 0; k < L->norder; k++) {
            int slot = L->cmd->args[L->order[k]]->slot;
            perm |= slot == S_SANDBOX || slot == S_YOLO || slot == S_APPROVE;
        }
        if (perm) { /* the permission mode comes whole from the deepest level that set it */
            inv->sandbox = NULL;
            inv->yolo = inv->approve_for_me = false;
        }
        for (size_t k = 0; k < L->norder; k++) {
            int i = L->order[k], slot = L->cmd->args[i]->slot;
            const char **s = str_field(inv, slot);
            bool *f = bool_field(inv, slot);
            str_list *l = list_field(inv, slot);
            if (s) *s = L->val[i];
            if (f) *f = true;
            if (l)
                for (size_t v = 0; v < L->vals[i].n; v++)
                    list_push(l, L->vals[i].v[v]);
            if (slot == S_SANDBOX) inv->sandbox = L->val[i];
            if (slot == S_YOLO) inv->yolo = true;
            if (slot == S_APPROVE) inv->approve_for_me = true;
        }
    }
    if (!inv->color) inv->color = "auto";

    /* PROMPT and SESSION_ID: the subcommand's own, resume/fork falling back to exec's PROMPT. */
    inv->prompt = level_value(last, S_PROMPT);
    inv->session_id = level_value(last, S_SESSION);
    if (!inv->prompt && p->nlv == 3 && (inv->cmd == CMD_EXEC_RESUME || inv->cmd == CMD_EXEC_FORK))
        inv->prompt = level_value(&p->lv[1], S_PROMPT);
    if (inv->cmd == CMD_EXEC_RESUME && inv->last && !level_value(last, S_PROMPT)) {
        const char *own = inv->session_id;
        inv->session_id = NULL;
        if (own) inv->prompt = own;
    }

    if (inv->cmd == CMD_LOGIN && level_value(last, S_APIKEY) && !inv->device_auth)
        finish(inv, EXIT_TURN_FAILED, NULL,
               "The --api-key flag is no longer supported. Pipe the key instead, e.g. `printenv "
               "OPENAI_API_KEY | codex login --with-api-key`.\n");
}

/* ---------------------------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------------------------- */

void cli_free(invocation *inv) {
    free(inv->config.v);
    free(inv->enable.v);
    free(inv->disable.v);
    free(inv->images.v);
    free(inv->add_dirs.v);
    free(inv->done_stdout);
    free(inv->done_stderr);
    for (size_t i = 0; i < inv->n_owned; i++)
        free(inv->owned[i]);
    free(inv->owned);
    memset(inv, 0, sizeof *inv);
}

bool version_at_least(const char *version, long major, long minor) {
    if (!version) return false;
    char *end;
    long ma = strtol(version, &end, 10);
    if (end == version || *end != '.') return false;
    long mi = strtol(end + 1, NULL, 10);
    return ma > major || (ma == major && mi >= minor);
}

void cli_parse(int argc, char **argv, const char *version, invocation *inv) {
    cli_parse_profile(argc, argv, version, false, inv);
}

void cli_parse_profile(int argc, char **argv, const char *version, bool legacy, invocation *inv) {
    memset(inv, 0, sizeof *inv);
    inv->version = version;
    inv->color = "auto";
    inv->cmd = CMD_OTHER;

    pctx *p = xcalloc(1, sizeof *p);
    p->argc = argc;
    p->argv = argv;
    p->inv = inv;
    p->nlv = 1;
    p->legacy = legacy;
    p->v171 = !legacy && version_at_least(version, 0, 171);
    for (int d = 0; d < MAXDEPTH; d++)
        p->lv[d].pend = -1;
    p->lv[0].cmd = &CMD_ROOT;

    if (parse_cmd(p, 0, 1)) {
        if (p->nlv == 1) {
            finish(inv, EXIT_TURN_FAILED, NULL, "Error: stdin is not a terminal\n");
        } else {
            inv->color = NULL;
            build(p);
        }
    }

    for (int d = 0; d < MAXDEPTH; d++) {
        for (int i = 0; i < MAXARGS; i++)
            list_free(&p->lv[d].vals[i]);
        list_free(&p->lv[d].pvals);
    }
    free(p);
}

/* ---------------------------------------------------------------------------------------------
 * The grammar as a completion spec (cli.h)
 * ------------------------------------------------------------------------------------------- */

static void spec_cmd(buf *b, const cmddef *c, const char *path) {
    for (size_t i = 0; i < c->nargs; i++) {
        const argdef *d = c->args[i];
        if (d->hidden) continue;
        if (is_positional(d)) {
            buf_printf(b, "arg\t%s\t%s\n", path, d->vty == VT_PATH ? d->vname : "-");
            continue;
        }
        buf_printf(b, "opt\t%s\t", path);
        if (d->sh) buf_printf(b, "-%c%s", d->sh, d->lg ? " " : "");
        if (d->lg) buf_printf(b, "--%s", d->lg);
        buf_putc(b, '\t');
        if (d->pv) {
            for (size_t k = 0; d->pv[k]; k++)
                buf_printf(b, "%s%s", k ? "|" : "", d->pv[k]);
        } else if (takes_value(d)) {
            buf_puts(b, d->vty == VT_PATH ? d->vname : "-");
        }
        buf_printf(b, "\t%s\n", arg_help(d, false));
    }
    for (size_t i = 0; i < c->nsubs; i++) {
        const subdef *s = &c->subs[i];
        buf_printf(b, "sub\t%s\t%s%s%s\t%s\n", path, s->name, s->alias ? " " : "",
                   s->alias ? s->alias : "", s->about);
        if (!s->cmd) continue;
        char *sub = xasprintf("%s %s", path, s->name);
        /* the default profile is 0.171.0's: exec with --remote */
        spec_cmd(b, s->cmd == &CMD_EXEC_DEF ? &CMD_EXEC_171 : s->cmd, sub);
        free(sub);
    }
}

void cli_spec(buf *out) {
    spec_cmd(out, &CMD_ROOT, "codex");
}
