#include "json_check.h"

#include <stdint.h>
#include <string.h>

typedef struct {
    const unsigned char *s;
    size_t len, i;
    int depth; /* remaining recursion budget */
    buf *msg;
} jc;

/* serde_json's Position of byte index i. */
static void report_at(jc *p, size_t i, const char *code) {
    size_t start = 0, line = 1;
    for (size_t k = 0; k < i; k++)
        if (p->s[k] == '\n') line++, start = k + 1;
    buf_printf(p->msg, "%s at line %zu column %zu", code, line, i - start);
}

/* error(): at the current index; peek_error(): one past it (the peeked byte), capped. */
static bool error(jc *p, const char *code) {
    report_at(p, p->i, code);
    return false;
}

static bool peek_error(jc *p, const char *code) {
    report_at(p, p->i + 1 < p->len ? p->i + 1 : p->len, code);
    return false;
}

static const char EOF_VALUE[] = "EOF while parsing a value";
static const char EOF_LIST[] = "EOF while parsing a list";
static const char EOF_OBJECT[] = "EOF while parsing an object";
static const char EOF_STRING[] = "EOF while parsing a string";
static const char INVALID_NUMBER[] = "invalid number";
static const char INVALID_ESCAPE[] = "invalid escape";

/* Skips whitespace; the next byte, or -1 at the end. */
static int ws(jc *p) {
    while (p->i < p->len) {
        unsigned char c = p->s[p->i];
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r') return c;
        p->i++;
    }
    return -1;
}

static int peek(jc *p) {
    return p->i < p->len ? p->s[p->i] : -1;
}

static bool is_digit(int c) {
    return c >= '0' && c <= '9';
}

static bool ident(jc *p, const char *rest) {
    for (; *rest; rest++) {
        if (p->i >= p->len) return error(p, EOF_VALUE);
        if (p->s[p->i++] != (unsigned char)*rest) return error(p, "expected ident");
    }
    return true;
}

static bool number(jc *p) {
    if (p->i >= p->len) return error(p, EOF_VALUE);
    int c = p->s[p->i++];
    if (c == '0') {
        if (is_digit(peek(p))) return peek_error(p, INVALID_NUMBER);
    } else if (c >= '1' && c <= '9') {
        while (is_digit(peek(p)))
            p->i++;
    } else {
        return error(p, INVALID_NUMBER);
    }
    if (peek(p) == '.') {
        p->i++;
        if (!is_digit(peek(p))) return peek_error(p, peek(p) < 0 ? EOF_VALUE : INVALID_NUMBER);
        while (is_digit(peek(p)))
            p->i++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        p->i++;
        if (peek(p) == '+' || peek(p) == '-') p->i++;
        if (p->i >= p->len) return error(p, EOF_VALUE);
        if (!is_digit(p->s[p->i++])) return error(p, INVALID_NUMBER);
        while (is_digit(peek(p)))
            p->i++;
    }
    return true;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Four hex digits after `\u`. */
static bool hex4(jc *p, unsigned *out) {
    if (p->i + 4 > p->len) {
        p->i = p->len;
        return error(p, EOF_STRING);
    }
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(p->s[p->i++]);
        if (h < 0) return error(p, INVALID_ESCAPE);
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    return true;
}

static bool escape(jc *p) {
    if (p->i >= p->len) return error(p, EOF_STRING);
    int c = p->s[p->i++];
    switch (c) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return true;
    case 'u': {
        unsigned u;
        if (!hex4(p, &u)) return false;
        if (u >= 0xdc00 && u <= 0xdfff) return error(p, "lone leading surrogate in hex escape");
        if (u >= 0xd800 && u <= 0xdbff) {
            if (p->i >= p->len) return error(p, EOF_STRING);
            if (p->s[p->i++] != '\\') return error(p, "unexpected end of hex escape");
            if (p->i >= p->len) return error(p, EOF_STRING);
            if (p->s[p->i++] != 'u') return error(p, "unexpected end of hex escape");
            unsigned lo;
            if (!hex4(p, &lo)) return false;
            if (lo < 0xdc00 || lo > 0xdfff) return error(p, "lone leading surrogate in hex escape");
        }
        return true;
    }
    default:
        return error(p, INVALID_ESCAPE);
    }
}

/* After the opening quote. */
static bool string(jc *p) {
    for (;;) {
        if (p->i >= p->len) return error(p, EOF_STRING);
        unsigned char c = p->s[p->i++];
        if (c == '"') return true;
        if (c == '\\') {
            if (!escape(p)) return false;
        } else if (c < 0x20) {
            return error(p, "control character (\\u0000-\\u001F) found while parsing a string");
        }
    }
}

static bool value(jc *p);

static bool list(jc *p) {
    bool first = true;
    for (;;) {
        int c = ws(p);
        if (c == ']') {
            p->i++;
            return true;
        }
        if (c < 0) return peek_error(p, EOF_LIST);
        if (c == ',' && !first) {
            p->i++;
            c = ws(p);
        } else if (!first) {
            return peek_error(p, "expected `,` or `]`");
        }
        first = false;
        if (c == ']') return peek_error(p, "trailing comma");
        if (c < 0) return peek_error(p, EOF_VALUE);
        if (!value(p)) return false;
    }
}

static bool object(jc *p) {
    bool first = true;
    for (;;) {
        int c = ws(p);
        if (c == '}') {
            p->i++;
            return true;
        }
        if (c < 0) return peek_error(p, EOF_OBJECT);
        if (c == ',' && !first) {
            p->i++;
            c = ws(p);
        } else if (!first) {
            return peek_error(p, "expected `,` or `}`");
        }
        first = false;
        if (c == '}') return peek_error(p, "trailing comma");
        if (c < 0) return peek_error(p, EOF_VALUE);
        if (c != '"') return peek_error(p, "key must be a string");
        p->i++;
        if (!string(p)) return false;
        c = ws(p);
        if (c < 0) return peek_error(p, EOF_OBJECT);
        if (c != ':') return peek_error(p, "expected `:`");
        p->i++;
        if (!value(p)) return false;
    }
}

static bool value(jc *p) {
    int c = ws(p);
    if (c < 0) return peek_error(p, EOF_VALUE);
    switch (c) {
    case 'n':
        p->i++;
        return ident(p, "ull");
    case 't':
        p->i++;
        return ident(p, "rue");
    case 'f':
        p->i++;
        return ident(p, "alse");
    case '-':
        p->i++;
        return number(p);
    case '"':
        p->i++;
        return string(p);
    case '[':
    case '{': {
        if (--p->depth == 0) return peek_error(p, "recursion limit exceeded");
        p->i++;
        bool ok = c == '[' ? list(p) : object(p);
        p->depth++;
        return ok;
    }
    default:
        if (is_digit(c)) return number(p);
        return peek_error(p, "expected value");
    }
}

bool json_check(const char *text, size_t len, buf *msg) {
    jc p = {(const unsigned char *)text, len, 0, 128, msg};
    if (!value(&p)) return false;
    if (ws(&p) >= 0) return peek_error(&p, "trailing characters");
    return true;
}

size_t utf8_valid_up_to(const char *str, size_t len) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t need;
        uint32_t min, cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            need = 1, min = 0x80, cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2, min = 0x800, cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return i;
        }
        if (i + need >= len) return i;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
        i += need + 1;
    }
    return len;
}

bool json_utf8_valid(const char *str, size_t len) {
    return utf8_valid_up_to(str, len) == len;
}
