#include "yamlw.h"
#include "base64.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Length of the UTF-8 sequence at s (1–4) and its code point, or 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    if (n == 0) return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if ((c & 0xe0) == 0xc0) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return len;
}

bool yamlw_valid_utf8(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    uint32_t cp = 0;
    while (i < len) {
        size_t k = utf8_decode(p + i, len - i, &cp);
        if (!k) return false;
        i += k;
    }
    return true;
}

static bool reserved_word(const char *s, size_t len) {
    static const char *const words[] = {"true", "false", "yes", "no", "on", "off",
                                        "null", "y",     "n",   "~",  NULL};
    for (int i = 0; words[i]; i++) {
        size_t n = strlen(words[i]);
        if (n != len) continue;
        size_t j = 0;
        while (j < n && (s[j] | 0x20) == words[i][j])
            j++;
        if (j == n) return true;
    }
    return false;
}

static bool plain_safe(const char *s, size_t len) {
    if (len == 0 || len > 80) return false;
    char c0 = s[0];
    if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_')) return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.' || c == '/';
        if (!ok) return false;
    }
    return !reserved_word(s, len);
}

void yamlw_binary(buf *b, const char *s, size_t len) {
    buf_puts(b, "!!binary \"");
    base64_encode(b, s, len);
    buf_putc(b, '"');
}

int yamlw_quoted(buf *b, const char *s, size_t len) {
    if (!yamlw_valid_utf8(s, len)) return -1;
    const unsigned char *p = (const unsigned char *)s;
    buf_putc(b, '"');
    size_t i = 0;
    while (i < len) {
        uint32_t cp = 0;
        size_t k = utf8_decode(p + i, len - i, &cp);
        switch (cp) {
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case 0:
            buf_puts(b, "\\0");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        default:
            if (cp < 0x20 || cp == 0x7f)
                buf_printf(b, "\\x%02x", (unsigned)cp);
            else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff ||
                     cp == 0xfffe || cp == 0xffff)
                buf_printf(b, "\\u%04x", (unsigned)cp);
            else
                buf_append(b, p + i, k);
        }
        i += k;
    }
    buf_putc(b, '"');
    return 0;
}

void yamlw_comment_text(buf *b, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp = 0;
        size_t k = utf8_decode(p + i, len - i, &cp);
        if (!k) {
            buf_puts(b, "\xef\xbf\xbd"); /* one U+FFFD per byte that is not UTF-8 */
            i++;
            continue;
        }
        if (cp == '\t' || cp == '\n' || cp == '\r')
            buf_putc(b, ' ');
        else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
                 cp == 0x2029 || cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
            buf_puts(b, "\xef\xbf\xbd"); /* libyaml rejects it, or reads a line break */
        else
            buf_append(b, p + i, k);
        i += k;
    }
}

int yamlw_scalar(buf *b, const char *s, size_t len) {
    if (plain_safe(s, len)) {
        buf_append(b, s, len);
        return 0;
    }
    return yamlw_quoted(b, s, len);
}

static int json_node(buf *b, const cJSON *v) {
    if (cJSON_IsNull(v)) {
        buf_puts(b, "null");
    } else if (cJSON_IsTrue(v)) {
        buf_puts(b, "true");
    } else if (cJSON_IsFalse(v)) {
        buf_puts(b, "false");
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0)
            buf_printf(b, "%lld", (long long)d);
        else if (isfinite(d))
            buf_printf(b, "%.17g", d);
        else
            buf_puts(b, "null");
    } else if (cJSON_IsString(v)) {
        const char *s = v->valuestring ? v->valuestring : "";
        return yamlw_scalar(b, s, strlen(s));
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        bool obj = cJSON_IsObject(v);
        buf_putc(b, obj ? '{' : '[');
        const cJSON *c;
        bool first = true;
        cJSON_ArrayForEach(c, v) {
            if (!first) buf_puts(b, ", ");
            first = false;
            if (obj) {
                const char *k = c->string ? c->string : "";
                if (yamlw_scalar(b, k, strlen(k)) < 0) return -1;
                buf_puts(b, ": ");
            }
            if (json_node(b, c) < 0) return -1;
        }
        buf_putc(b, obj ? '}' : ']');
    } else {
        return -1;
    }
    return 0;
}

int yamlw_json(buf *b, const cJSON *v) {
    /* A string deep inside fails after its container is half written: take that back, so
     * that -1 appends nothing, as the callers (convert.c) write another node instead. */
    size_t len = b->len;
    if (json_node(b, v) == 0) return 0;
    b->len = len;
    if (b->data) b->data[len] = '\0';
    return -1;
}
