#include "cli.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>

static void list_push(str_list *l, const char *s) {
    l->v = xrealloc(l->v, (l->n + 1) * sizeof(char *));
    l->v[l->n++] = s;
}

static void finish(invocation *inv, int code, const char *out, const char *err) {
    inv->done = true;
    inv->done_code = code;
    inv->done_stdout = out ? xstrdup(out) : NULL;
    inv->done_stderr = err ? xstrdup(err) : NULL;
}

void cli_free(invocation *inv) {
    free(inv->config.v);
    free(inv->enable.v);
    free(inv->disable.v);
    free(inv->images.v);
    free(inv->add_dirs.v);
    free(inv->done_stdout);
    free(inv->done_stderr);
    memset(inv, 0, sizeof *inv);
}

void cli_parse(int argc, char **argv, const char *version, invocation *inv) {
    memset(inv, 0, sizeof *inv);
    inv->version = version;
    inv->color = "auto";
    int i = 1;
    if (i < argc && (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V"))) {
        char *t = xasprintf("codex-cli %s\n", version);
        finish(inv, 0, t, NULL);
        free(t);
        return;
    }
    if (i >= argc || (strcmp(argv[i], "exec") && strcmp(argv[i], "e"))) {
        finish(inv, 1, NULL, "Error: stdin is not a terminal\n");
        return;
    }
    inv->cmd = CMD_EXEC;
    for (i++; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json") || !strcmp(a, "--experimental-json"))
            inv->json = true;
        else if (!strcmp(a, "--skip-git-repo-check"))
            inv->skip_git_repo_check = true;
        else if (!strcmp(a, "--dangerously-bypass-approvals-and-sandbox") || !strcmp(a, "--yolo"))
            inv->yolo = true;
        else if (!strcmp(a, "--ephemeral"))
            inv->ephemeral = true;
        else if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && v)
            inv->model = v, i++;
        else if ((!strcmp(a, "-s") || !strcmp(a, "--sandbox")) && v)
            inv->sandbox = v, i++;
        else if ((!strcmp(a, "-C") || !strcmp(a, "--cd")) && v)
            inv->cd = v, i++;
        else if ((!strcmp(a, "-c") || !strcmp(a, "--config")) && v)
            list_push(&inv->config, v), i++;
        else if (!strcmp(a, "--color") && v)
            inv->color = v, i++;
        else if ((!strcmp(a, "-o") || !strcmp(a, "--output-last-message")) && v)
            inv->output_last_message = v, i++;
        else if (!strcmp(a, "--output-schema") && v)
            inv->output_schema = v, i++;
        else if (a[0] == '-' && a[1]) {
            char *t = xasprintf("error: unexpected argument '%s' found\n\n"
                                "  tip: to pass '%s' as a value, use '-- %s'\n\n"
                                "Usage: codex exec [OPTIONS] [PROMPT]\n"
                                "       codex exec [OPTIONS] <COMMAND> [ARGS]\n\n"
                                "For more information, try '--help'.\n",
                                a, a, a);
            finish(inv, 2, NULL, t);
            free(t);
            return;
        } else {
            inv->prompt = a;
        }
    }
}
