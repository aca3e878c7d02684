#include "jval.h"
#include "jsonw.h"

#include <string.h>

void jval_write(buf *b, const jval *v) {
    if (!v) {
        jsonw_null(b);
        return;
    }
    switch (v->kind) {
    case JV_NULL:
        jsonw_null(b);
        break;
    case JV_BOOL:
        jsonw_bool(b, v->b);
        break;
    case JV_INT:
        jsonw_int(b, v->i);
        break;
    case JV_FLOAT:
        jsonw_double(b, v->d);
        break;
    case JV_STRING:
        jsonw_string(b, v->s, v->len);
        break;
    case JV_ARRAY:
        buf_putc(b, '[');
        for (size_t i = 0; i < v->n; i++) {
            if (i) buf_putc(b, ',');
            jval_write(b, v->items[i]);
        }
        buf_putc(b, ']');
        break;
    case JV_OBJECT:
        buf_putc(b, '{');
        for (size_t i = 0; i < v->n; i++) {
            if (i) buf_putc(b, ',');
            jsonw_string(b, v->members[i].key, v->members[i].key_len);
            buf_putc(b, ':');
            jval_write(b, v->members[i].value);
        }
        buf_putc(b, '}');
        break;
    }
}

const jval *jval_get(const jval *obj, const char *key) {
    if (!obj || obj->kind != JV_OBJECT) return NULL;
    size_t klen = strlen(key);
    for (size_t i = 0; i < obj->n; i++)
        if (obj->members[i].key_len == klen && memcmp(obj->members[i].key, key, klen) == 0)
            return obj->members[i].value;
    return NULL;
}
