#include "prompt.h"
#include "buf.h"

#include <string.h>

static const char NO_PROMPT[] =
    "No prompt provided. Either specify one as an argument or pipe the prompt into stdin.";
static const char NO_PROMPT_STDIN[] = "No prompt provided via stdin.";

static bool blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') return false;
    return true;
}

prompt_plan prompt_decide(const invocation *inv, bool stdin_is_tty) {
    prompt_plan p = {false, NULL, NULL};
    bool subcommand =
        inv->cmd == CMD_EXEC_RESUME || inv->cmd == CMD_EXEC_FORK || inv->cmd == CMD_EXEC_REVIEW;
    if (inv->prompt && strcmp(inv->prompt, "-") == 0) {
        p.read_stdin = true;
    } else if (inv->prompt) {
        /* resume / fork / review never read stdin as extra input */
        if (!stdin_is_tty && !subcommand) {
            p.read_stdin = true;
            p.notice = "Reading additional input from stdin...";
        }
    } else if (inv->cmd == CMD_EXEC_FORK) {
        /* fork without a prompt runs no turn and reads nothing */
    } else if (stdin_is_tty) {
        p.error = NO_PROMPT;
    } else {
        p.read_stdin = true;
        p.notice = "Reading prompt from stdin...";
    }
    return p;
}

char *prompt_finish(const invocation *inv, const prompt_plan *plan, const char *in, size_t len,
                    const char **error) {
    *error = NULL;
    if (!plan->read_stdin) return xstrdup(inv->prompt ? inv->prompt : "");
    if (inv->prompt && strcmp(inv->prompt, "-") != 0) {
        if (blank(in, len)) return xstrdup(inv->prompt);
        buf b;
        buf_init(&b);
        buf_puts(&b, inv->prompt);
        buf_puts(&b, "\n\n<stdin>\n");
        buf_append(&b, in, len);
        if (len && in[len - 1] != '\n') buf_putc(&b, '\n');
        buf_puts(&b, "</stdin>");
        return buf_detach(&b);
    }
    if (blank(in, len)) {
        *error = NO_PROMPT_STDIN;
        return NULL;
    }
    return xstrndup(in, len);
}
