#include "prompt.h"
#include "json_check.h"
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char NO_PROMPT[] =
    "No prompt provided. Either specify one as an argument or pipe the prompt into stdin.";
static const char NO_PROMPT_STDIN[] = "No prompt provided via stdin.";

static const char REVIEW_NO_TARGET[] =
    "Error: Specify --uncommitted, --base, --commit, or provide custom review instructions";
static const char REVIEW_EMPTY[] = "Error: Review prompt cannot be empty";
static const char FORK_IMAGES[] = "Error: Forking with images requires a prompt";
static const char FORK_OUTPUT[] = "Error: Forking with output options requires a prompt";

static const char STDIN_FAILED[] = "Failed to read prompt from stdin: ";

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

static char *finish_text(const invocation *inv, const char *in, size_t len, const char **error);

static bool blank(const char *s, size_t n) {
    trim(&s, &n);
    return n == 0;
}

prompt_plan prompt_decide(const invocation *inv, bool stdin_is_tty) {
    prompt_plan p;
    memset(&p, 0, sizeof p);
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
        if (inv->images.n)
            p.error = FORK_IMAGES;
        else if (inv->output_last_message || inv->output_schema)
            p.error = FORK_OUTPUT;
        else
            p.no_turn = true;
    } else if (stdin_is_tty) {
        p.error = NO_PROMPT;
    } else {
        p.read_stdin = true;
        p.notice = "Reading prompt from stdin...";
    }
    return p;
}

static void put_utf8(buf *b, uint32_t cp) {
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (char)(0xc0 | (cp >> 6)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xe0 | (cp >> 12)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        buf_putc(b, (char)(0xf0 | (cp >> 18)));
        buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

/* UTF-16 (after its BOM) → UTF-8 in *out; false on an odd length or a lone surrogate. */
static bool utf16_decode(const unsigned char *s, size_t len, bool le, buf *out) {
    if (len % 2) return false;
    for (size_t i = 0; i < len; i += 2) {
        uint32_t u = le ? (uint32_t)(s[i] | s[i + 1] << 8) : (uint32_t)(s[i] << 8 | s[i + 1]);
        if (u >= 0xdc00 && u <= 0xdfff) return false;
        if (u >= 0xd800 && u <= 0xdbff) {
            if (i + 3 >= len) return false;
            uint32_t lo =
                le ? (uint32_t)(s[i + 2] | s[i + 3] << 8) : (uint32_t)(s[i + 2] << 8 | s[i + 3]);
            if (lo < 0xdc00 || lo > 0xdfff) return false;
            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
            i += 2;
        }
        put_utf8(out, u);
    }
    return true;
}

/* Stdin bytes → UTF-8 text in *out, or an error message in plan->msg: the real CLI's
 * decode_prompt_bytes (a UTF-8 BOM dropped first; offsets count after it). */
static bool decode_stdin(prompt_plan *plan, const char *in, size_t len, buf *out) {
    if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
        in += 3;
        len -= 3;
    }
    const unsigned char *s = (const unsigned char *)in;
    const char *bom32 = NULL;
    if (len >= 4 && memcmp(s, "\xff\xfe\0\0", 4) == 0) bom32 = "UTF-32LE";
    if (len >= 4 && memcmp(s, "\0\0\xfe\xff", 4) == 0) bom32 = "UTF-32BE";
    if (bom32) {
        snprintf(plan->msg, sizeof plan->msg,
                 "%sinput appears to be %s. Convert it to UTF-8 and retry.", STDIN_FAILED, bom32);
        return false;
    }
    if (len >= 2 && ((s[0] == 0xff && s[1] == 0xfe) || (s[0] == 0xfe && s[1] == 0xff))) {
        bool le = s[0] == 0xff;
        if (!utf16_decode(s + 2, len - 2, le, out)) {
            snprintf(plan->msg, sizeof plan->msg,
                     "%sinput looked like UTF-16%s but could not be decoded. Convert it to UTF-8 "
                     "and retry.",
                     STDIN_FAILED, le ? "LE" : "BE");
            return false;
        }
        return true;
    }
    size_t ok = utf8_valid_up_to((const char *)s, len);
    if (ok < len) {
        snprintf(plan->msg, sizeof plan->msg,
                 "%sinput is not valid UTF-8 (invalid byte at offset %zu). Convert it to UTF-8 "
                 "and retry (e.g., `iconv -f <ENC> -t UTF-8 prompt.txt`).",
                 STDIN_FAILED, ok);
        return false;
    }
    buf_append(out, in, len);
    return true;
}

char *prompt_finish(const invocation *inv, prompt_plan *plan, const char *in, size_t len,
                    const char **error) {
    *error = NULL;
    bool review = inv->cmd == CMD_EXEC_REVIEW;
    if (!plan->read_stdin) {
        const char *p = inv->prompt ? inv->prompt : "";
        size_t n = strlen(p);
        if (review) trim(&p, &n); /* review instructions are sent trimmed */
        return xstrndup(p, n);
    }
    /* The real CLI decodes stdin first (BOMs, UTF-16, strict UTF-8). */
    buf text;
    buf_init(&text);
    if (!decode_stdin(plan, in, len, &text)) {
        buf_free(&text);
        *error = plan->msg;
        return NULL;
    }
    char *r = finish_text(inv, text.data ? text.data : "", text.len, error);
    buf_free(&text);
    return r;
}

static char *finish_text(const invocation *inv, const char *in, size_t len, const char **error) {
    bool review = inv->cmd == CMD_EXEC_REVIEW;
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
