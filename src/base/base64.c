#include "base64.h"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(buf *out, const void *data, size_t len) {
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < len) v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < len) v |= p[i + 2];
        char q[4] = {ALPHABET[v >> 18 & 63], ALPHABET[v >> 12 & 63],
                     i + 1 < len ? ALPHABET[v >> 6 & 63] : '=',
                     i + 2 < len ? ALPHABET[v & 63] : '='};
        buf_append(out, q, 4);
    }
}

static int value_of(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int base64_decode(buf *out, const char *text, size_t len, size_t *bad) {
    unsigned v = 0;
    int n = 0;   /* characters of the current quantum */
    int pad = 0; /* `=` among them */
    size_t i = 0;
    for (; i < len; i++) {
        char c = text[i];
        if (is_space(c)) continue;
        int d = value_of(c);
        if (c == '=' && n >= 2) { /* "=" stands for the third or fourth character only */
            pad++;
            d = 0;
        } else if (d < 0 || pad) {
            break; /* not the alphabet, or data after `=` */
        }
        v = v << 6 | (unsigned)d;
        if (++n < 4) continue;
        char b[3] = {(char)(v >> 16 & 255), (char)(v >> 8 & 255), (char)(v & 255)};
        buf_append(out, b, (size_t)(3 - pad));
        v = 0, n = 0;
        if (pad) { /* padding ends the text: only whitespace may follow */
            for (i++; i < len && is_space(text[i]); i++)
                ;
            break;
        }
    }
    if (i == len && n == 0) return 0;
    if (bad) *bad = i; /* len: the text stopped in the middle of a quantum */
    return -1;
}
