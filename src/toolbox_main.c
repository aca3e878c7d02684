/* codex-mock — the toolbox beside the fake `codex` (docs/architecture.md#toolbox): lint, list,
 * show, record, convert, journal, verify, reset. Each command returns its exit code (named in
 * exitcodes.h); messages go to stdout (reports) or stderr. */
#include "buf.h"
#include "conform.h"
#include "cli.h"
#include "completion.h"
#include "layout.h"
#include "convert.h"
#include "convert_appserver.h"
#include "diag.h"
#include "exitcodes.h"
#include "faces.h"
#include "tool_state.h"
#include "lint.h"
#include "recording.h"
#include "scenario_load.h"
#include "select.h"
#include "settings.h"
#include "show.h"
#include "tool_record.h"
#include "tool_serve.h"

#include <cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

/* The commands: `help` prints them, `completion` turns them into shell completion. A synopsis
 * line continues on the next with "\n"; so does a help text (indented to the help column). */
typedef struct {
    const char *names; /* "-o --out" */
    const char *value; /* NULL: a flag; FILE, DIR, SCENARIO, `a|b|c`, or `-` for anything */
    const char *help;
} tool_opt;

typedef struct {
    const char *name, *synopsis, *help;
    const char *operand; /* what the operands complete to (as tool_opt.value), or NULL */
    tool_opt opts[10];   /* up to the first {NULL} */
} tool_cmd;

#define STATE_OPT                                                                                  \
    { "--state", "DIR", "the state directory" }

static const tool_cmd COMMANDS[] = {
    {"lint",
     "lint SCENARIO...",
     "check scenario files or built-in names (YAML, format, values,\nlifecycle rules); "
     "FILE:LINE:COL messages",
     "SCENARIO",
     {{0}}},
    {"list",
     "list [--json]",
     "the built-in scenarios, one line each (--json: an array)",
     NULL,
     {{"--json", NULL, "a JSON array of {name, summary, path}"}}},
    {"show",
     "show SCENARIO",
     "the expanded timeline [--json] [--turn N] [--seed N]",
     "SCENARIO",
     {{"--json", NULL, "the timeline as JSON"},
      {"--human", NULL, "the human-mode output"},
      {"--turn", "-", "the turn to show (1-based)"},
      {"--seed", "-", "the seed for jitter and ids"}}},
    {"record",
     "record [--out DIR] [--filter NAME=REGEX]... [--filter-file FILE] [--no-scrub]\n"
     "       -- codex exec ...",
     "run the real CLI, pass its I/O through, write a recording",
     NULL,
     {{"--out", "DIR", "the recording directory"},
      {"--filter", "-", "scrub NAME=REGEX"},
      {"--filter-file", "FILE", "scrub filters from a file"},
      {"--no-scrub", NULL, "keep secrets"}}},
    {"convert",
     "convert DIR|FILE [-o OUT] [--template-thread-id] [--turn N]",
     "a recording, a --json capture or a session rollout → scenario YAML",
     "FILE",
     {{"-o --out", "FILE", "write the scenario here"},
      {"--template-thread-id", NULL, "{{thread_id}} for the recorded thread id"},
      {"--turn", "-", "the rollout turn to convert"}}},
    {"serve",
     "serve [SCENARIO] [--port N] [--log FILE] [--port-file FILE] [--config FILE]",
     "a fake OpenAI Responses API on 127.0.0.1 driven by a scenario,\nfor the real codex "
     "(docs/serve.md)",
     "SCENARIO",
     {{"--port", "-", "the port (0: a free one)"},
      {"--log", "FILE", "one JSON line per request"},
      {"--port-file", "FILE", "write the bound port here"},
      {"--config", "FILE", "write a config.toml for codex here"},
      {"--max-seconds", "-", "stop after N seconds"},
      {"--quiet", NULL, "no request summaries on stderr"}}},
    {"conform",
     "conform --real PATH [SCENARIO...] [--json] [--human]",
     "play scenarios through the real codex (against serve) and the\nfake; report what "
     "differs (docs/conform.md)",
     "SCENARIO",
     {{"--real", "FILE", "the real codex binary"},
      {"--json", NULL, "the report as JSON"},
      {"--human", NULL, "exec in human mode (no --json)"},
      {"--dir", "DIR", "where the runs go"},
      {"--slack", "-", "ms a gap between lines may differ by"},
      {"--ratio", "-", "… plus this share of the larger gap"},
      {"--startup-slack", "-", "check the start-up too, within MS"},
      {"--no-timing", NULL, "compare no timing"},
      {"--timeout", "-", "seconds a run may take"}}},
    {"journal",
     "journal [--json]",
     "the invocations recorded in the state directory",
     NULL,
     {STATE_OPT, {"--json", NULL, "one JSON line per invocation"}}},
    {"verify",
     "verify [--times N] [--command C] [--flag F]... [--prompt RE]... [--in-order]",
     "check how codex was called; exit 1 with what differs",
     NULL,
     {STATE_OPT,
      {"--times", "-", "exactly N invocations"},
      {"--min", "-", "at least N invocations"},
      {"--max", "-", "at most N invocations"},
      {"--command", "exec|resume|fork|review", "only these invocations"},
      {"--flag", "-", "a flag every invocation has"},
      {"--prompt", "-", "a regex some prompt matches"},
      {"--in-order", NULL, "the prompts match one by one"},
      {"--expected-answers", NULL, "server requests answered as the scenario expects"}}},
    {"reset",
     "reset",
     "empty the state directory (sequences, journal)\n(journal, verify, reset take --state DIR; "
     "default CODEX_MOCK_STATE,\nelse $CODEX_HOME/codex-mock-state)",
     NULL,
     {STATE_OPT}},
    {"env",
     "env",
     "the shell line putting the fake `codex` first on PATH:\neval \"$(codex-mock env)\"",
     NULL,
     {{0}}},
    {"completion",
     "completion bash|zsh",
     "a completion script for codex and codex-mock:\nsource <(codex-mock completion bash)",
     "bash|zsh",
     {{0}}},
    {"help", "help", "this text", NULL, {{0}}},
    {"version", "version", "the codex-mock version", NULL, {{0}}},
};

#define HELP_COLUMN 22

static void print_usage(FILE *f) {
    fputs("Usage: codex-mock <command> [args]\n\nCommands:\n", f);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        const tool_cmd *c = &COMMANDS[i];
        int w = 0;
        for (const char *syn = c->synopsis;;) {
            const char *nl = strchr(syn, '\n');
            w = fprintf(f, "  %.*s", (int)(nl ? (size_t)(nl - syn) : strlen(syn)), syn);
            if (!nl) break;
            fputc('\n', f);
            syn = nl + 1;
        }
        if (w + 2 > HELP_COLUMN)
            fprintf(f, "\n%*s", HELP_COLUMN, "");
        else
            fprintf(f, "%*s", HELP_COLUMN - w, "");
        for (const char *p = c->help; *p; p++) {
            fputc(*p, f);
            if (*p == '\n') fprintf(f, "%*s", HELP_COLUMN, "");
        }
        fputc('\n', f);
    }
    fputs("\nA SCENARIO is a file or a built-in name, found as CODEX_MOCK_SCENARIO finds it\n"
          "(CODEX_MOCK_SCENARIO_PATH, then the library `list` shows).\n"
          "\n"
          "Exit codes: 0 ok, 1 a checked or converted file has errors or verify's expectations\n"
          "are not met, 2 usage error,\n"
          "78 codex-mock could not do its job (record: CLI not found, recording not written).\n"
          "record exits with the recorded CLI's own exit code.\n",
          f);
}

/* This table as a completion spec (cli.h's format). */
static void toolbox_spec(buf *b) {
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        const tool_cmd *c = &COMMANDS[i];
        const char *nl = strchr(c->help, '\n');
        buf_printf(b, "sub\tcodex-mock\t%s\t%.*s\n", c->name,
                   (int)(nl ? (size_t)(nl - c->help) : strlen(c->help)), c->help);
        for (const tool_opt *o = c->opts; o->names; o++)
            buf_printf(b, "opt\tcodex-mock %s\t%s\t%s\t%s\n", c->name, o->names,
                       o->value ? o->value : "", o->help);
        if (c->operand) buf_printf(b, "arg\tcodex-mock %s\t%s\n", c->name, c->operand);
    }
}

/* A scenario operand: a regular file or anything that looks like a path is that file; otherwise
 * a name, resolved as CODEX_MOCK_SCENARIO resolves it (select.h). Loads it into *sc and sets
 * *shown to what messages call it (the file, or "<built-in default>" for the compiled-in copy;
 * caller frees). On error prints the message to `out` and returns -1. */
static int load_operand(const char *arg, const mock_settings *set, scenario *sc, char **shown,
                        FILE *out) {
    struct stat st;
    diag err;
    diag_init(&err);
    *shown = NULL;
    char *path = NULL;
    if (scenario_is_path(arg) || (stat(arg, &st) == 0 && S_ISREG(st.st_mode))) {
        path = xstrdup(arg);
    } else {
        char *lib = builtin_scenario_dir();
        scenario_choice c;
        int rc = select_scenario(arg, set->scenario_path, lib, &c, &err);
        free(lib);
        if (rc < 0) {
            const char *msg = err.msg ? err.msg : "no such scenario";
            const char *prefix = "CODEX_MOCK_SCENARIO: ";
            if (!strncmp(msg, prefix, strlen(prefix))) msg += strlen(prefix);
            fprintf(out, "codex-mock: %s: not a file, and %s\n", arg, msg);
            diag_free(&err);
            return -1;
        }
        path = c.path ? xstrdup(c.path) : NULL;
        choice_free(&c);
    }
    int rc = path ? scenario_load_file(path, sc, &err)
                  : scenario_load_mem("<built-in default>", DEFAULT_SCENARIO_YAML,
                                      DEFAULT_SCENARIO_YAML_LEN, sc, &err);
    if (rc < 0) {
        diag_print(&err, out);
        diag_free(&err);
        free(path);
        return -1;
    }
    diag_free(&err);
    *shown = path ? path : xstrdup("<built-in default>");
    return 0;
}

static int cmd_lint(int argc, char **argv, const mock_settings *set) {
    if (argc < 1) {
        fputs("codex-mock lint: give one or more scenario files or names\n", stderr);
        return EXIT_USAGE;
    }
    int bad = 0;
    for (int i = 0; i < argc; i++) {
        scenario sc;
        char *file;
        if (load_operand(argv[i], set, &sc, &file, stdout) < 0) {
            bad++;
            continue;
        }
        diag err;
        diag_init(&err);
        /* a big file is played as it is read: its order matters too */
        if (strcmp(file, "<built-in default>") != 0 &&
            scenario_stream_check(file, set->stream_above, &err) < 0) {
            diag_print(&err, stdout);
            diag_free(&err);
            scenario_free(&sc);
            free(file);
            bad++;
            continue;
        }
        diag_free(&err);
        findings f = {0};
        lint_scenario(&sc, &f);
        for (size_t k = 0; k < f.n; k++)
            printf("%s:%d:%d: %s: %s\n", file, f.v[k].line, f.v[k].col,
                   f.v[k].level == FIND_ERROR ? "error" : "warning", f.v[k].msg);
        size_t steps = 0;
        for (size_t t = 0; t < sc.n_turns; t++)
            steps += sc.turns[t].n_steps;
        if (f.errors) {
            bad++;
        } else {
            printf("%s: ok (%zu turn%s, %zu step%s", file, sc.n_turns, sc.n_turns == 1 ? "" : "s",
                   steps, steps == 1 ? "" : "s");
            if (f.warnings) printf("; %zu warning%s", f.warnings, f.warnings == 1 ? "" : "s");
            puts(")");
        }
        findings_free(&f);
        scenario_free(&sc);
        free(file);
    }
    return bad ? EXIT_CHECK_FAILED : EXIT_OK;
}

/* The first comment line of a scenario file: what it shows. */
static char *summary_of(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return xstrdup("");
    char line[1024];
    char *out = NULL;
    while (fgets(line, sizeof line, f)) {
        if (line[0] != '#') break;
        char *p = line + 1;
        while (*p == ' ')
            p++;
        if (strncmp(p, "Shows:", 6) == 0) p += 6;
        while (*p == ' ')
            p++;
        p[strcspn(p, "\n")] = '\0';
        if (*p) {
            out = xstrdup(p);
            break;
        }
    }
    fclose(f);
    return out ? out : xstrdup("");
}

static int cmd_list(int argc, char **argv) {
    bool json = argc == 1 && !strcmp(argv[0], "--json");
    if (argc && !json) {
        fputs("usage: codex-mock list [--json]\n", stderr);
        return EXIT_USAGE;
    }
    char *dir = builtin_scenario_dir();
    if (!dir) {
        fputs("codex-mock: the built-in scenario library was not found beside this binary "
              "(expected <prefix>/share/codex-mock/scenarios)\n",
              stderr);
        return EXIT_MOCK_ERROR;
    }
    char **names = list_scenario_names(dir);
    size_t width = 0;
    for (char **p = names; *p; p++)
        if (strlen(*p) > width) width = strlen(*p);
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    for (char **p = names; *p; p++) {
        char *path = xasprintf("%s/%s.yaml", dir, *p);
        char *sum = summary_of(path);
        /* the faces that play it (faces.h); a file that does not load has none */
        unsigned faces = 0;
        scenario sc;
        diag err;
        diag_init(&err);
        if (scenario_load_file(path, &sc, &err) == 0) {
            faces = scenario_faces(&sc);
            scenario_free(&sc);
        }
        diag_free(&err);
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", *p);
            cJSON *fa = cJSON_AddArrayToObject(o, "faces");
            if (faces & FACE_EXEC) cJSON_AddItemToArray(fa, cJSON_CreateString("exec"));
            if (faces & FACE_APP_SERVER) cJSON_AddItemToArray(fa, cJSON_CreateString("app-server"));
            cJSON_AddStringToObject(o, "summary", sum);
            cJSON_AddStringToObject(o, "path", path);
            cJSON_AddItemToArray(arr, o);
        } else {
            printf("%-*s  %-15s  %s\n", (int)width, *p, faces ? faces_name(faces) : "?", sum);
        }
        free(sum);
        free(path);
    }
    if (json) {
        char *text = cJSON_PrintUnformatted(arr);
        puts(text);
        free(text);
        cJSON_Delete(arr);
    }
    names_free(names);
    free(dir);
    return EXIT_OK;
}

static bool parse_uint(const char *s, unsigned long long *out) {
    char *end;
    if (!s || !*s) return false;
    *out = strtoull(s, &end, 10);
    return *end == '\0';
}

static int cmd_show(int argc, char **argv, const mock_settings *set) {
    const char *file = NULL;
    show_options o = {.turn = 0, .seed = 1, .json = false};
    for (int i = 0; i < argc; i++) {
        unsigned long long v;
        if (!strcmp(argv[i], "--json")) {
            o.json = true;
        } else if (!strcmp(argv[i], "--human")) {
            o.human_mode = true;
        } else if (!strcmp(argv[i], "--app-server")) {
            o.app_server = true;
        } else if (!strcmp(argv[i], "--turn") && i + 1 < argc && parse_uint(argv[i + 1], &v) &&
                   v >= 1) {
            o.turn = (size_t)v - 1, i++;
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc && parse_uint(argv[i + 1], &v)) {
            o.seed = v, i++;
        } else if (argv[i][0] != '-' && !file) {
            file = argv[i];
        } else {
            fprintf(stderr,
                    "codex-mock show: unexpected '%s'\nUsage: codex-mock show SCENARIO "
                    "[--json] [--turn N] [--seed N] [--app-server]\n",
                    argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!file) {
        fputs("codex-mock show: give a scenario file\nUsage: codex-mock show SCENARIO [--json] "
              "[--turn N] [--seed N]\n",
              stderr);
        return EXIT_USAGE;
    }
    scenario sc;
    char *shown;
    if (load_operand(file, set, &sc, &shown, stderr) < 0) return EXIT_CHECK_FAILED;
    if (o.turn >= sc.n_turns) {
        fprintf(stderr, "codex-mock show: %s has %zu turn%s; there is no turn %zu\n", shown,
                sc.n_turns, sc.n_turns == 1 ? "" : "s", o.turn + 1);
        scenario_free(&sc);
        free(shown);
        return EXIT_USAGE;
    }
    free(shown);
    char cwd[PATH_MAX];
    o.cwd = getcwd(cwd, sizeof cwd) ? cwd : "/";
    if (!o.human_mode && show_wants_app_server(&sc)) o.app_server = true;
    buf out;
    buf_init(&out);
    show_timeline(&sc, &o, &out);
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
    buf_free(&out);
    scenario_free(&sc);
    return EXIT_OK;
}

/* An app-server recording: one scenario per process. One process: OUT (or stdout); several:
 * OUT's name with .procN before its extension (OUT is required), each written atomically. */
static int convert_as_write(const char *in, const convert_options *o, const char *out,
                            convert_notes *notes, diag *err) {
    /* OUT = <dir>/<stem><ext>: each file is <dir>/<stem><suffix><ext> */
    const char *slash = out ? strrchr(out, '/') : NULL;
    const char *name = out ? (slash ? slash + 1 : out) : NULL;
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (name && (!dot || dot == name)) dot = name + strlen(name);
    char *stem = name ? xstrndup(name, (size_t)(dot - name)) : NULL;
    convert_as_result res;
    int rc = convert_appserver(in, o, stem, &res, notes, err);
    if (rc == 0 && res.n > 1 && !out) {
        diag_set(err, in, 0, 0,
                 "this recording converts into %zu files (processes, threads, a rules file): give "
                 "-o OUT.yaml (written as OUT.proc1.yaml, OUT.rules.yaml, …)",
                 res.n);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < res.n; i++) {
        if (!out) {
            fwrite(res.files[i].yaml.data, 1, res.files[i].yaml.len, stdout);
            continue;
        }
        char *path = xasprintf("%.*s%s%s", (int)(dot - out), out, res.files[i].suffix, dot);
        rc = recording_write_file(path, res.files[i].yaml.data, res.files[i].yaml.len, err);
        free(path);
    }
    convert_as_result_free(&res);
    free(stem);
    return rc;
}

static int cmd_convert(int argc, char **argv) {
    const char *in = NULL, *out = NULL;
    convert_options o = {0};
    for (int i = 0; i < argc; i++) {
        unsigned long long v;
        if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--out")) && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--template-thread-id")) {
            o.template_thread_id = true;
        } else if (!strcmp(argv[i], "--turn") && i + 1 < argc && parse_uint(argv[i + 1], &v) &&
                   v >= 1) {
            o.rollout_turn = (int)v, i++;
        } else if (argv[i][0] != '-' && !in) {
            in = argv[i];
        } else {
            fprintf(stderr,
                    "codex-mock convert: unexpected '%s'\nUsage: codex-mock convert DIR|FILE [-o "
                    "OUT] [--template-thread-id] [--turn N]\n",
                    argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!in) {
        fputs("codex-mock convert: give a recording directory, a --json capture or a rollout "
              "file\nUsage: codex-mock convert DIR|FILE [-o OUT] [--template-thread-id] "
              "[--turn N]\n",
              stderr);
        return EXIT_USAGE;
    }
    o.source = in;
    struct stat st;
    if (stat(in, &st) != 0) {
        fprintf(stderr, "codex-mock: %s: no such file or directory\n", in);
        return EXIT_CHECK_FAILED;
    }
    buf yaml;
    buf_init(&yaml);
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    int rc;
    if (S_ISDIR(st.st_mode) && convert_is_appserver(in)) {
        rc = convert_as_write(in, &o, out, &notes, &err);
        if (rc == 0) {
            for (size_t i = 0; i < notes.n; i++)
                fprintf(stderr, "codex-mock convert: note: %s\n", notes.v[i]);
        } else {
            diag_print(&err, stderr);
        }
        diag_free(&err);
        convert_notes_free(&notes);
        buf_free(&yaml);
        return rc < 0 ? EXIT_CHECK_FAILED : EXIT_OK;
    } else if (S_ISDIR(st.st_mode)) {
        recording r;
        rc = recording_load_dir(in, &r, &err);
        if (rc == 0) rc = convert_recording(&r, &o, &yaml, &notes, &err);
        recording_free(&r);
    } else if (convert_is_rollout(in)) {
        rc = convert_rollout(in, &o, &yaml, &notes, &err);
    } else {
        recording r;
        rc = recording_load_capture(in, &r, &err);
        if (rc == 0) {
            const char *base = strrchr(in, '/');
            r.name = xstrdup(base ? base + 1 : in);
            rc = convert_recording(&r, &o, &yaml, &notes, &err);
        }
        recording_free(&r);
    }
    if (rc == 0 && out) rc = recording_write_file(out, yaml.data, yaml.len, &err);
    if (rc < 0) {
        diag_print(&err, stderr);
    } else {
        for (size_t i = 0; i < notes.n; i++)
            fprintf(stderr, "codex-mock convert: note: %s\n", notes.v[i]);
        if (!out) fwrite(yaml.data, 1, yaml.len, stdout);
    }
    diag_free(&err);
    convert_notes_free(&notes);
    buf_free(&yaml);
    return rc < 0 ? EXIT_CHECK_FAILED : EXIT_OK;
}

/* `export PATH=<the fake's directory>:$PATH`, for eval in a shell or CI. */
static int cmd_env(int argc, char **argv) {
    (void)argv;
    if (argc) {
        fputs("usage: codex-mock env\n", stderr);
        return EXIT_USAGE;
    }
    char *self = exe_dir(), *fake = layout_fake_dir(self);
    free(self);
    if (!fake) {
        fputs("codex-mock: the fake codex was not found beside this binary (expected "
              "<prefix>/lib/codex-mock/bin/codex or a codex next to codex-mock)\n",
              stderr);
        return EXIT_MOCK_ERROR;
    }
    bool plain = true;
    for (const char *p = fake; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./+,@", *p))
            plain = false;
    if (plain) {
        printf("export PATH=%s:$PATH\n", fake);
    } else {
        fputs("export PATH='", stdout);
        for (const char *p = fake; *p; p++)
            fputs(*p == '\'' ? "'\\''" : (char[]){*p, 0}, stdout);
        fputs("':\"$PATH\"\n", stdout);
    }
    free(fake);
    return EXIT_OK;
}

/* A bash or zsh completion script for codex and codex-mock (or the one named). */
static int cmd_completion(int argc, char **argv) {
    const char *shell = argc >= 1 ? argv[0] : "";
    const char *only = argc == 2 ? argv[1] : NULL;
    if (argc < 1 || argc > 2 || (strcmp(shell, "bash") && strcmp(shell, "zsh")) ||
        (only && strcmp(only, "codex") && strcmp(only, "codex-mock"))) {
        fputs("usage: codex-mock completion bash|zsh [codex|codex-mock]\n", stderr);
        return EXIT_USAGE;
    }
    buf codex, tool, out;
    buf_init(&codex);
    buf_init(&tool);
    buf_init(&out);
    cli_spec(&codex);
    toolbox_spec(&tool);
    const char *specs[2];
    size_t n = 0;
    if (!only || !strcmp(only, "codex-mock")) specs[n++] = tool.data;
    if (!only || !strcmp(only, "codex")) specs[n++] = codex.data;
    completion_script(shell, specs, n, only ? only : "codex-mock", &out);
    fwrite(out.data, 1, out.len, stdout);
    buf_free(&codex);
    buf_free(&tool);
    buf_free(&out);
    return EXIT_OK;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "-h")) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
        puts("codex-mock 0.1.0 (emulates codex-cli 0.171.0)");
        return EXIT_OK;
    }
    /* every CODEX_MOCK_* variable is checked before any command uses one */
    mock_settings set;
    diag err;
    diag_init(&err);
    if (settings_from_env(env_lookup_process, NULL, &set, &err) < 0) {
        diag_print(&err, stderr);
        diag_free(&err);
        return EXIT_MOCK_ERROR;
    }
    if (!strcmp(argv[1], "lint")) return cmd_lint(argc - 2, argv + 2, &set);
    if (!strcmp(argv[1], "list")) return cmd_list(argc - 2, argv + 2);
    if (!strcmp(argv[1], "env")) return cmd_env(argc - 2, argv + 2);
    if (!strcmp(argv[1], "completion")) return cmd_completion(argc - 2, argv + 2);
    if (!strcmp(argv[1], "show")) return cmd_show(argc - 2, argv + 2, &set);
    if (!strcmp(argv[1], "convert")) return cmd_convert(argc - 2, argv + 2);
    if (!strcmp(argv[1], "record")) return tool_record(argc - 2, argv + 2, environ);
    if (!strcmp(argv[1], "journal")) return tool_journal(argc - 2, argv + 2, &set);
    if (!strcmp(argv[1], "verify")) return tool_verify(argc - 2, argv + 2, &set);
    if (!strcmp(argv[1], "reset")) return tool_reset(argc - 2, argv + 2, &set);
    if (!strcmp(argv[1], "serve")) return tool_serve(argc - 2, argv + 2, &set);
    if (!strcmp(argv[1], "conform")) return tool_conform(argc - 2, argv + 2, &set);
    fprintf(stderr, "codex-mock: unknown command '%s'\n\n", argv[1]);
    print_usage(stderr);
    return EXIT_USAGE;
}
