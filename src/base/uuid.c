#include "uuid.h"

#include <stdio.h>
#include <string.h>

void uuid_v7(char out[UUID_STR_LEN + 1], uint64_t unix_ms, rng *r) {
    unsigned char b[16];
    uint64_t r1 = rng_next(r), r2 = rng_next(r);
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(unix_ms >> (40 - 8 * i));
    for (int i = 0; i < 8; i++)
        b[6 + i] = (unsigned char)(r1 >> (8 * i));
    b[14] = (unsigned char)r2;
    b[15] = (unsigned char)(r2 >> 8);
    b[6] = (unsigned char)(0x70 | (b[6] & 0x0f)); /* version 7 */
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3f)); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

bool uuid_is_valid(const char *s) {
    if (strlen(s) != UUID_STR_LEN) return false;
    for (int i = 0; i < UUID_STR_LEN; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}
