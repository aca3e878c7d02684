/* codex-mock — the toolbox beside the fake `codex` (docs/architecture.md#toolbox): lint, list,
 * show, record, convert, journal, verify, reset. Each command returns its exit code (named in
 * exitcodes.h); messages go to stdout (reports) or stderr. */
#include "buf.h"
#include "conform.h"
#include "convert.h"
#include "diag.h"
#include "exitcodes.h"
#include "tool_state.h"
#include "lint.h"
#include "recording.h"
#include "scenario_load.h"
#include "select.h"
#include "settings.h"
#include "show.h"
#include "tool_record.h"
#include "tool_serve.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static const char USAGE[] =
    "Usage: codex-mock <command> [args]\n"
    "\n"
    "Commands:\n"
    "  lint FILE...        check scenario files (YAML, format, values, lifecycle rules);\n"
    "                      FILE:LINE:COL messages\n"
    "  list                the built-in scenarios, one line each\n"
    "  show FILE           the expanded timeline [--json] [--turn N] [--seed N]\n"
    "  record [--out DIR] [--filter NAME=REGEX]... [--filter-file FILE] [--no-scrub]\n"
    "         -- codex exec ...\n"
    "                      run the real CLI, pass its I/O through, write a recording\n"
    "  convert DIR|FILE [-o OUT] [--template-thread-id] [--turn N]\n"
    "                      a recording, a --json capture or a session rollout → scenario YAML\n"
    "  serve [SCENARIO] [--port N] [--log FILE] [--port-file FILE] [--config FILE]\n"
    "                      a fake OpenAI Responses API on 127.0.0.1 driven by a scenario,\n"
    "                      for the real codex (docs/serve.md)\n"
    "  conform --real PATH [SCENARIO...] [--json]\n"
    "                      play scenarios through the real codex (against serve) and the\n"
    "                      fake; report what differs (docs/conform.md)\n"
    "  journal [--json]    the invocations recorded in the state directory\n"
    "  verify [--times N] [--command C] [--flag F]... [--prompt RE]... [--in-order]\n"
    "                      check how codex was called; exit 1 with what differs\n"
    "  reset               empty the state directory (sequences, journal)\n"
    "                      (journal, verify, reset take --state DIR; default CODEX_MOCK_STATE,\n"
    "                      else $CODEX_HOME/codex-mock-state)\n"
    "  help                this text\n"
    "  version             the codex-mock version\n"
    "\n"
    "Exit codes: 0 ok, 1 a checked or converted file has errors or verify's expectations\n"
    "are not met, 2 usage error,\n"
    "78 codex-mock could not do its job (record: CLI not found, recording not written).\n"
    "record exits with the recorded CLI's own exit code.\n";

static int cmd_lint(int argc, char **argv, const mock_settings *set) {
    if (argc < 1) {
        fputs("codex-mock lint: give one or more scenario files\n", stderr);
        return EXIT_USAGE;
    }
    int bad = 0;
    for (int i = 0; i < argc; i++) {
        scenario sc;
        diag err;
        diag_init(&err);
        if (scenario_load_file(argv[i], &sc, &err) < 0) {
            diag_print(&err, stdout);
            diag_free(&err);
            bad++;
            continue;
        }
        /* a big file is played as it is read: its order matters too */
        if (scenario_stream_check(argv[i], set->stream_above, &err) < 0) {
            diag_print(&err, stdout);
            diag_free(&err);
            scenario_free(&sc);
            bad++;
            continue;
        }
        diag_free(&err);
        findings f = {0};
        lint_scenario(&sc, &f);
        for (size_t k = 0; k < f.n; k++)
            printf("%s:%d:%d: %s: %s\n", argv[i], f.v[k].line, f.v[k].col,
                   f.v[k].level == FIND_ERROR ? "error" : "warning", f.v[k].msg);
        size_t steps = 0;
        for (size_t t = 0; t < sc.n_turns; t++)
            steps += sc.turns[t].n_steps;
        if (f.errors) {
            bad++;
        } else {
            printf("%s: ok (%zu turn%s, %zu step%s", argv[i], sc.n_turns,
                   sc.n_turns == 1 ? "" : "s", steps, steps == 1 ? "" : "s");
            if (f.warnings) printf("; %zu warning%s", f.warnings, f.warnings == 1 ? "" : "s");
            puts(")");
        }
        findings_free(&f);
        scenario_free(&sc);
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

static int cmd_list(void) {
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
    for (char **p = names; *p; p++) {
        char *path = xasprintf("%s/%s.yaml", dir, *p);
        char *sum = summary_of(path);
        printf("%-*s  %s\n", (int)width, *p, sum);
        free(sum);
        free(path);
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

static int cmd_show(int argc, char **argv) {
    const char *file = NULL;
    show_options o = {.turn = 0, .seed = 1, .json = false};
    for (int i = 0; i < argc; i++) {
        unsigned long long v;
        if (!strcmp(argv[i], "--json")) {
            o.json = true;
        } else if (!strcmp(argv[i], "--human")) {
            o.human_mode = true;
        } else if (!strcmp(argv[i], "--turn") && i + 1 < argc && parse_uint(argv[i + 1], &v) &&
                   v >= 1) {
            o.turn = (size_t)v - 1, i++;
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc && parse_uint(argv[i + 1], &v)) {
            o.seed = v, i++;
        } else if (argv[i][0] != '-' && !file) {
            file = argv[i];
        } else {
            fprintf(stderr,
                    "codex-mock show: unexpected '%s'\nUsage: codex-mock show FILE "
                    "[--json] [--turn N] [--seed N]\n",
                    argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!file) {
        fputs("codex-mock show: give a scenario file\nUsage: codex-mock show FILE [--json] "
              "[--turn N] [--seed N]\n",
              stderr);
        return EXIT_USAGE;
    }
    scenario sc;
    diag err;
    diag_init(&err);
    if (scenario_load_file(file, &sc, &err) < 0) {
        diag_print(&err, stderr);
        diag_free(&err);
        return EXIT_CHECK_FAILED;
    }
    if (o.turn >= sc.n_turns) {
        fprintf(stderr, "codex-mock show: %s has %zu turn%s; there is no turn %zu\n", file,
                sc.n_turns, sc.n_turns == 1 ? "" : "s", o.turn + 1);
        scenario_free(&sc);
        return EXIT_USAGE;
    }
    char cwd[PATH_MAX];
    o.cwd = getcwd(cwd, sizeof cwd) ? cwd : "/";
    buf out;
    buf_init(&out);
    show_timeline(&sc, &o, &out);
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
    buf_free(&out);
    scenario_free(&sc);
    return EXIT_OK;
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
    if (S_ISDIR(st.st_mode)) {
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

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "-h")) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
        puts("codex-mock 0.1.0 (emulates codex-cli 0.169.0)");
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
    if (!strcmp(argv[1], "list")) return cmd_list();
    if (!strcmp(argv[1], "show")) return cmd_show(argc - 2, argv + 2);
    if (!strcmp(argv[1], "convert")) return cmd_convert(argc - 2, argv + 2);
    if (!strcmp(argv[1], "record")) return tool_record(argc - 2, argv + 2, environ);
    if (!strcmp(argv[1], "journal")) return tool_journal(argc - 2, argv + 2, &set);
    if (!strcmp(argv[1], "verify")) return tool_verify(argc - 2, argv + 2, &set);
    if (!strcmp(argv[1], "reset")) return tool_reset(argc - 2, argv + 2, &set);
    if (!strcmp(argv[1], "serve")) return tool_serve(argc - 2, argv + 2, &set);
    if (!strcmp(argv[1], "conform")) return tool_conform(argc - 2, argv + 2, &set);
    fprintf(stderr, "codex-mock: unknown command '%s'\n\n%s", argv[1], USAGE);
    return EXIT_USAGE;
}
