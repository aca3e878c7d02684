#include "conform_diff.h"

#include <ctype.h>
#include <string.h>

static bool is_hex(char c) {
    return isxdigit((unsigned char)c) != 0;
}
static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* 8-4-4-4-12 hex digits */
static size_t uuid_at(const char *s, size_t n) {
    static const int groups[] = {8, 4, 4, 4, 12};
    size_t i = 0;
    for (int g = 0; g < 5; g++) {
        for (int k = 0; k < groups[g]; k++, i++)
            if (i >= n || !is_hex(s[i])) return 0;
        if (g < 4) {
            if (i >= n || s[i] != '-') return 0;
            i++;
        }
    }
    return i < n && (is_hex(s[i]) || s[i] == '-') ? 0 : i;
}

/* YYYY-MM-DDTHH:MM:SS[.fff][Z] */
static size_t time_at(const char *s, size_t n) {
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t i = 0;
    for (; shape[i]; i++) {
        if (i >= n) return 0;
        if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i]) return 0;
    }
    if (i < n && s[i] == '.') {
        size_t j = i + 1;
        while (j < n && is_digit(s[j]))
            j++;
        if (j > i + 1) i = j;
    }
    if (i < n && s[i] == 'Z') i++;
    return i;
}

/* req_ and at least 16 letters or digits: a generated request id (a short one is a chosen id) */
static size_t request_id_at(const char *s, size_t n) {
    if (n < 4 || memcmp(s, "req_", 4)) return 0;
    size_t i = 4;
    while (i < n && isalnum((unsigned char)s[i]))
        i++;
    return i - 4 >= 16 ? i : 0;
}

/* "in 12ms", "in 1.5s", "in 2m 3s" (a command's run time in human mode): the length of "in …" */
static size_t duration_at(const char *s, size_t n) {
    if (n < 5 || memcmp(s, "in ", 3) || !is_digit(s[3])) return 0;
    size_t i = 3;
    while (i < n && (is_digit(s[i]) || s[i] == '.'))
        i++;
    if (i + 1 < n && s[i] == 'm' && s[i + 1] == 's')
        i += 2;
    else if (i < n && (s[i] == 's' || s[i] == 'm' || s[i] == 'h'))
        i++;
    else
        return 0;
    if (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_')) return 0;
    return i;
}

void conform_normalise(const char *s, size_t len, const conform_dirs *d, buf *out) {
    /* the longest directory first: CODEX_HOME and HOME may sit inside each other */
    const char *dirs[3] = {d ? d->codex_home : NULL, d ? d->work : NULL, d ? d->home : NULL};
    const char *names[3] = {"<CODEX_HOME>", "<WORK>", "<HOME>"};
    for (int a = 0; a < 3; a++)
        for (int b = a + 1; b < 3; b++)
            if (dirs[a] && dirs[b] && strlen(dirs[b]) > strlen(dirs[a])) {
                const char *t = dirs[a], *tn = names[a];
                dirs[a] = dirs[b], names[a] = names[b];
                dirs[b] = t, names[b] = tn;
            }
    static const char loop[] = "127.0.0.1:";
    size_t i = 0;
    while (i < len) {
        bool done = false;
        for (int k = 0; k < 3 && !done; k++) {
            size_t dl = dirs[k] ? strlen(dirs[k]) : 0;
            if (dl && len - i >= dl && !memcmp(s + i, dirs[k], dl)) {
                buf_puts(out, names[k]);
                i += dl;
                done = true;
            }
        }
        if (done) continue;
        size_t n;
        if ((i == 0 || !is_hex(s[i - 1])) && (n = uuid_at(s + i, len - i))) {
            buf_puts(out, "<UUID>");
            i += n;
        } else if ((i == 0 || !is_digit(s[i - 1])) && (n = time_at(s + i, len - i))) {
            buf_puts(out, "<TIME>");
            i += n;
        } else if ((i == 0 || s[i - 1] == ' ') && (n = duration_at(s + i, len - i))) {
            buf_puts(out, "in <DURATION>");
            i += n;
        } else if ((n = request_id_at(s + i, len - i))) {
            buf_puts(out, "req_<ID>");
            i += n;
        } else if (len - i > sizeof loop - 1 && !memcmp(s + i, loop, sizeof loop - 1) &&
                   is_digit(s[i + sizeof loop - 1])) {
            buf_puts(out, "127.0.0.1:<PORT>");
            i += sizeof loop - 1;
            while (i < len && is_digit(s[i]))
                i++;
        } else {
            buf_putc(out, s[i++]);
        }
    }
}

/* The line [*pos, next LF) and advances past it; false at the end. */
static bool next_line(const char *s, size_t len, size_t *pos, const char **line, size_t *n) {
    if (*pos >= len) return false;
    const char *nl = memchr(s + *pos, '\n', len - *pos);
    *line = s + *pos;
    *n = nl ? (size_t)(nl - (s + *pos)) : len - *pos;
    *pos += *n + (nl ? 1 : 0);
    return true;
}

static void quote(buf *b, const char *s, size_t n) {
    const size_t max = 400;
    for (size_t i = 0; i < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\')
            buf_puts(b, "\\\\");
        else if (c < 0x20 || c == 0x7f)
            buf_printf(b, "\\x%02x", c);
        else
            buf_putc(b, (char)c);
    }
    if (n > max) buf_printf(b, "… (%zu bytes)", n);
}

bool conform_compare_lines(const char *real, size_t real_len, const char *fake, size_t fake_len,
                           buf *why) {
    size_t pr = 0, pf = 0, line = 0;
    for (;;) {
        const char *a = NULL, *b = NULL;
        size_t na = 0, nb = 0;
        bool ha = next_line(real, real_len, &pr, &a, &na);
        bool hb = next_line(fake, fake_len, &pf, &b, &nb);
        line++;
        if (!ha && !hb) break;
        if (ha && hb && na == nb && !memcmp(a, b, na)) continue;
        if (!hb) {
            buf_printf(why, "line %zu only in the real output:\n  real: ", line);
            quote(why, a, na);
        } else if (!ha) {
            buf_printf(why, "line %zu only in the fake output:\n  fake: ", line);
            quote(why, b, nb);
        } else {
            size_t k = 0;
            while (k < na && k < nb && a[k] == b[k])
                k++;
            buf_printf(why, "line %zu differs at byte %zu:\n  real: ", line, k + 1);
            quote(why, a, na);
            buf_puts(why, "\n  fake: ");
            quote(why, b, nb);
        }
        return false;
    }
    /* a missing final newline is a difference too */
    bool ea = real_len && real[real_len - 1] == '\n', eb = fake_len && fake[fake_len - 1] == '\n';
    if (real_len && fake_len && ea != eb) {
        buf_printf(why, "the %s output does not end with a newline", ea ? "fake" : "real");
        return false;
    }
    return true;
}

bool conform_timing_ok(double real_ms, double fake_ms, double slack_ms, double ratio) {
    double d = real_ms > fake_ms ? real_ms - fake_ms : fake_ms - real_ms;
    double big = real_ms > fake_ms ? real_ms : fake_ms;
    return d <= slack_ms + ratio * big;
}
