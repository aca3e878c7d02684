/* as_methods — the real app-server's request method names and whether `params` may be left
 * out, and serde's text for a method it does not know. */
#ifndef CODEX_MOCK_AS_METHODS_H
#define CODEX_MOCK_AS_METHODS_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *name;
    bool params_optional;
} as_method_info;

extern const as_method_info AS_METHODS[];
extern const size_t AS_N_METHODS;

const as_method_info *as_method_find(const char *name);
/* Appends "Invalid request: unknown variant `NAME`, expected one of `initialize`, …". */
void as_method_unknown(buf *b, const char *name);

#endif
