#include "bytediff.h"

enum { CONTEXT = 40 };

int bytediff_escape(FILE *out, unsigned char c) {
    switch (c) {
    case '\n':
        return fprintf(out, "\\n");
    case '\t':
        return fprintf(out, "\\t");
    case '\r':
        return fprintf(out, "\\r");
    case '\\':
        return fprintf(out, "\\\\");
    default:
        if (c >= 0x20 && c < 0x7f) return fprintf(out, "%c", c);
        return fprintf(out, "\\x%02x", c);
    }
}

/* One side's context: `label`, the escaped bytes [from, to), a caret line under `at`. */
static void side(FILE *out, const char *label, const char *s, size_t len, size_t at) {
    size_t from = at > CONTEXT ? at - CONTEXT : 0;
    size_t to = at + CONTEXT < len ? at + CONTEXT : len;
    int col = fprintf(out, "  %s (%zu bytes): %s", label, len, from > 0 ? "..." : "");
    int caret = col;
    for (size_t i = from; i < to; i++) {
        if (i == at) caret = col;
        col += bytediff_escape(out, (unsigned char)s[i]);
    }
    if (at >= to) caret = col;
    fprintf(out, "%s%s\n", to < len ? "..." : "", at >= len ? " <end>" : "");
    fprintf(out, "%*s^\n", caret, "");
}

long bytediff_report(FILE *out, const char *what, const char *expected, size_t expected_len,
                     const char *got, size_t got_len) {
    size_t n = expected_len < got_len ? expected_len : got_len;
    size_t at = 0;
    while (at < n && expected[at] == got[at])
        at++;
    if (at == n && expected_len == got_len) return -1;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at; i++) {
        if (expected[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    fprintf(out, "%s: differs at byte %zu (line %zu, column %zu)\n", what, at, line, col);
    side(out, "expected", expected, expected_len, at);
    side(out, "got     ", got, got_len, at);
    return (long)at;
}
