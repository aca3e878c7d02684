/* jval — an arbitrary JSON value taken from a scenario (MCP arguments and results, web search
 * actions, agent states): whatever the user wrote is passed through in the order written.
 *
 * jvals live in the scenario's arena (no free of their own). Objects keep their members in
 * order and may repeat a key. jval_write() appends compact JSON (see jsonw.h). */
#ifndef CODEX_MOCK_JVAL_H
#define CODEX_MOCK_JVAL_H

#include "buf.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum { JV_NULL, JV_BOOL, JV_INT, JV_FLOAT, JV_STRING, JV_ARRAY, JV_OBJECT } jv_kind;

typedef struct jval jval;
typedef struct jmember jmember;

struct jval {
    jv_kind kind;
    bool b;
    int64_t i;
    double d;
    const char *s; /* JV_STRING; NUL-terminated, may contain NULs */
    size_t len;
    size_t n;         /* JV_ARRAY / JV_OBJECT element count */
    jval **items;     /* JV_ARRAY */
    jmember *members; /* JV_OBJECT */
};

struct jmember {
    const char *key;
    size_t key_len;
    jval *value;
};

void jval_write(buf *b, const jval *v);
/* The member named key (first match), or NULL. */
const jval *jval_get(const jval *obj, const char *key);

#endif
