#include "prompt.h"
#include "buf.h"

#include <string.h>

static const char NO_PROMPT[] =
    "No prompt provided. Either specify one as an argument or pipe the prompt into stdin.";
static const char NO_PROMPT_STDIN[] = "No prompt provided via stdin.";

static const char REVIEW_NO_TARGET[] =
    "Error: Specify --uncommitted, --base, --commit, or provide custom review instructions";
static const char REVIEW_EMPTY[] = "Error: Review prompt cannot be empty";

/* Length of the UTF-8 whitespace character at s (Rust's char::is_whitespace, which the real
 * CLI's str::trim uses: \t \n \v \f \r, space, U+0085, U+00A0, U+1680, U+2000–U+200A,
 * U+2028, U+2029, U+202F, U+205F, U+3000), or 0. */
static size_t ws_len(const unsigned char *s, size_t n) {
    if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))) return 1;
    if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0)) return 2;
    if (n < 3) return 0;
    if (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) return 3;
    if (s[0] == 0xe2 && s[1] == 0x80 &&
        ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
        return 3;
    if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) return 3;
    if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) return 3;
    return 0;
}

/* Trims leading and trailing whitespace (as ws_len) from [*s, *s + *n). */
static void trim(const char **s, size_t *n) {
    const unsigned char *p = (const unsigned char *)*s;
    size_t len = *n, k;
    while ((k = ws_len(p, len)) > 0) {
        p += k;
        len -= k;
    }
    for (;;) {
        if (len >= 1 && ws_len(p + len - 1, 1) == 1)
            len -= 1;
        else if (len >= 2 && ws_len(p + len - 2, 2) == 2)
            len -= 2;
        else if (len >= 3 && ws_len(p + len - 3, 3) == 3)
            len -= 3;
        else
            break;
    }
    *s = (const char *)p;
    *n = len;
}

static bool blank(const char *s, size_t n) {
    trim(&s, &n);
    return n == 0;
}

prompt_plan prompt_decide(const invocation *inv, bool stdin_is_tty) {
    prompt_plan p = {false, NULL, NULL};
    bool subcommand =
        inv->cmd == CMD_EXEC_RESUME || inv->cmd == CMD_EXEC_FORK || inv->cmd == CMD_EXEC_REVIEW;
    if (inv->cmd == CMD_EXEC_REVIEW && !inv->prompt) {
        /* a review target needs no prompt; without one the real CLI stops before stdin */
        if (!inv->uncommitted && !inv->base && !inv->commit) p.error = REVIEW_NO_TARGET;
    } else if (inv->prompt && strcmp(inv->prompt, "-") == 0) {
        p.read_stdin = true;
    } else if (inv->cmd == CMD_EXEC_REVIEW && blank(inv->prompt, strlen(inv->prompt))) {
        p.error = REVIEW_EMPTY;
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
    bool review = inv->cmd == CMD_EXEC_REVIEW;
    if (!plan->read_stdin) {
        const char *p = inv->prompt ? inv->prompt : "";
        size_t n = strlen(p);
        if (review) trim(&p, &n); /* review instructions are sent trimmed */
        return xstrndup(p, n);
    }
    /* The real CLI decodes stdin first: a UTF-8 byte-order mark is dropped. */
    if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
        in += 3;
        len -= 3;
    }
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
    if (review) trim(&in, &len);
    return xstrndup(in, len);
}
