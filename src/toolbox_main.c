/* codex-mock — the toolbox beside the fake `codex`: lint and list scenarios (design.md §4). */
#include "buf.h"
#include "diag.h"
#include "exitcodes.h"
#include "scenario_load.h"
#include "select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "Usage: codex-mock <command> [args]\n"
    "\n"
    "Commands:\n"
    "  lint FILE...   check scenario files (YAML, format, values); FILE:LINE:COL messages\n"
    "  list           the built-in scenarios, one line each\n"
    "  help           this text\n"
    "  version        the codex-mock version\n"
    "\n"
    "Exit codes: 0 ok, 1 a checked file has errors, 2 usage error.\n";

static int cmd_lint(int argc, char **argv) {
    if (argc < 1) {
        fputs("codex-mock lint: give one or more scenario files\n", stderr);
        return 2;
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
        size_t steps = 0;
        for (size_t t = 0; t < sc.n_turns; t++)
            steps += sc.turns[t].n_steps;
        printf("%s: ok (%zu turn%s, %zu step%s)\n", argv[i], sc.n_turns, sc.n_turns == 1 ? "" : "s",
               steps, steps == 1 ? "" : "s");
        scenario_free(&sc);
    }
    return bad ? 1 : 0;
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
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "-h")) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
        puts("codex-mock 0.1.0 (emulates codex-cli 0.169.0)");
        return 0;
    }
    if (!strcmp(argv[1], "lint")) return cmd_lint(argc - 2, argv + 2);
    if (!strcmp(argv[1], "list")) return cmd_list();
    fprintf(stderr, "codex-mock: unknown command '%s'\n\n%s", argv[1], USAGE);
    return 2;
}
