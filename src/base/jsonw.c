#include "jsonw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether any of 8 bytes is a control character, '"' or '\\' (may say yes for a word that
 * has none when a byte is >= 0x80; never no for one that has one). */
static bool word_needs_escape(uint64_t x) {
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
    uint64_t below_space = (x - ones * 0x20) & ~x;
    uint64_t is_quote = (quote - ones) & ~quote, is_backslash = (backslash - ones) & ~backslash;
    return ((below_space | is_quote | is_backslash) & highs) != 0;
}

/* How many leading bytes need no escaping. */
static size_t plain_prefix(const char *s, size_t len) {
    size_t i = 0;
    for (;;) {
        /* a word at a time while it is plain: most text needs no escaping at all */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (word_needs_escape(w)) break;
            i += 8;
        }
        if (i >= len) return len;
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\') return i;
        i++;
    }
}

void jsonw_string(buf *b, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    size_t plain = plain_prefix(s, len);
    buf_reserve(b, len + 2);
    if (plain == len) { /* the common case (every key, id and most texts), in one copy */
        char *d = b->data + b->len;
        d[0] = '"';
        memcpy(d + 1, s, len);
        d[len + 1] = '"';
        d[len + 2] = '\0';
        b->len += len + 2;
        return;
    }
    buf_putc(b, '"');
    size_t run = 0; /* start of the pending run of bytes that need no escaping */
    for (size_t i = plain; i < len; i++) {
        i += plain_prefix(s + i, len - i); /* the next byte that needs escaping */
        if (i >= len) break;
        unsigned char c = (unsigned char)s[i];
        buf_append(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            buf_append(b, "\\\"", 2);
            break;
        case '\\':
            buf_append(b, "\\\\", 2);
            break;
        case '\n':
            buf_append(b, "\\n", 2);
            break;
        case '\r':
            buf_append(b, "\\r", 2);
            break;
        case '\t':
            buf_append(b, "\\t", 2);
            break;
        case '\f':
            buf_append(b, "\\f", 2);
            break;
        case '\b':
            buf_append(b, "\\b", 2);
            break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_append(b, esc, 6);
        }
        }
    }
    buf_append(b, s + run, len - run);
    buf_putc(b, '"');
}

void jsonw_cstring(buf *b, const char *s) {
    jsonw_string(b, s, strlen(s));
}

void jsonw_int(buf *b, int64_t v) {
    /* by hand: this runs for every id and count of a million-line replay */
    char tmp[24];
    int i = sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) tmp[--i] = '-';
    buf_append(b, tmp + i, sizeof tmp - (size_t)i);
}

void jsonw_bool(buf *b, bool v) {
    if (v)
        buf_append(b, "true", 4);
    else
        buf_append(b, "false", 5);
}

void jsonw_null(buf *b) {
    buf_append(b, "null", 4);
}

void jsonw_key(buf *b, const char *key) {
    jsonw_cstring(b, key);
    buf_putc(b, ':');
}

/* Shortest decimal digits that round-trip, as ryu finds them: returns the digit string (no dot)
 * and the decimal exponent of the first digit (value = 0.d1d2d3... × 10^(exp10+1)). */
static int shortest_digits(double v, char digits[32], int *exp10) {
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v) break;
    }
    /* tmp looks like d.ddddde±XX */
    int n = 0;
    const char *p = tmp;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *exp10 = atoi(p + 1);
    return n;
}

void jsonw_double(buf *b, double v) {
    if (!isfinite(v)) {
        jsonw_null(b);
        return;
    }
    if (v == 0) {
        buf_puts(b, signbit(v) ? "-0.0" : "0.0");
        return;
    }
    if (v < 0) {
        buf_putc(b, '-');
        v = -v;
    }
    char d[32];
    int e;
    int n = shortest_digits(v, d, &e);
    if (e >= -5 && e < 16) {
        if (e >= 0) {
            /* integer part is d[0..e], padded with zeros */
            for (int i = 0; i <= e; i++)
                buf_putc(b, i < n ? d[i] : '0');
            buf_putc(b, '.');
            if (n > e + 1)
                buf_append(b, d + e + 1, (size_t)(n - e - 1));
            else
                buf_putc(b, '0');
        } else {
            buf_append(b, "0.", 2);
            for (int i = 0; i < -e - 1; i++)
                buf_putc(b, '0');
            buf_append(b, d, (size_t)n);
        }
    } else {
        buf_putc(b, d[0]);
        if (n > 1) {
            buf_putc(b, '.');
            buf_append(b, d + 1, (size_t)(n - 1));
        }
        buf_printf(b, "e%d", e);
    }
}
