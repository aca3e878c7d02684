/* chunker — see chunker.h. */
#include "chunker.h"

size_t chunker_split(const char *text, size_t len, size_t starts[CHUNKER_MAX + 1]) {
    if (len == 0) return 0;
    size_t words = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == ' ') words++;
    size_t per = words > CHUNKER_MAX ? (words + CHUNKER_MAX - 1) / CHUNKER_MAX : 1;
    size_t n = 0, in_chunk = 0;
    starts[n++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] != ' ') continue;
        if (++in_chunk == per) {
            in_chunk = 0;
            if (i + 1 <= len && n < CHUNKER_MAX + 1) starts[n++] = i + 1;
        }
    }
    /* a final space makes an empty last word: no chunk for it */
    if (starts[n - 1] == len) n--;
    starts[n] = len;
    return n;
}
