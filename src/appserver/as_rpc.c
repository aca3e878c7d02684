/* as_rpc — see as_rpc.h. */
#include "as_rpc.h"

#include "json_check.h"
#include "jsonw.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char NO_VARIANT[] = "data did not match any variant of untagged enum JSONRPCMessage";

static size_t skip_ws(const char *s, size_t i, size_t n) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

static size_t skip_string(const char *s, size_t i, size_t n) {
    i++; /* the opening quote */
    while (i < n && s[i] != '"')
        i += s[i] == '\\' ? 2 : 1;
    return i + 1;
}

/* The end of the value starting at i (the text is valid JSON). */
static size_t skip_value(const char *s, size_t i, size_t n) {
    if (s[i] == '"') return skip_string(s, i, n);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < n) {
            char c = s[i];
            if (c == '"') {
                i = skip_string(s, i, n);
                continue;
            }
            if (c == '{' || c == '[') depth++;
            if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
            i++;
        }
        return i;
    }
    while (i < n && !strchr(",}] \t\r\n", s[i]))
        i++;
    return i;
}

bool as_rpc_raw_member(const char *s, size_t n, const char *key, const char **start, size_t *len) {
    size_t i = skip_ws(s, 0, n);
    if (i >= n || s[i] != '{') return false;
    i++;
    bool found = false;
    size_t klen = strlen(key);
    for (;;) {
        i = skip_ws(s, i, n);
        if (i >= n || s[i] != '"') return found;
        size_t k0 = i + 1, k1 = skip_string(s, i, n) - 1;
        i = skip_ws(s, k1 + 1, n);
        i = skip_ws(s, i + 1, n); /* the ':' */
        size_t v0 = i, v1 = skip_value(s, i, n);
        /* serde keeps the last of duplicate keys? No: it rejects them; cJSON keeps the first. */
        if (!found && k1 - k0 == klen && !memcmp(s + k0, key, klen)) {
            *start = s + v0;
            *len = v1 - v0;
            found = true;
        }
        i = skip_ws(s, v1, n);
        if (i >= n || s[i] != ',') return found;
        i++;
    }
}

/* An integer id: -?digits within i64 (serde reads `-0` as 0; `1.0`, `1e2` are floats). */
static bool raw_int(const char *p, size_t n, int64_t *out) {
    size_t i = p[0] == '-' ? 1 : 0;
    if (i == n) return false;
    for (size_t j = i; j < n; j++)
        if (p[j] < '0' || p[j] > '9') return false;
    char tmp[32];
    if (n >= sizeof tmp) return false;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    errno = 0;
    long long v = strtoll(tmp, NULL, 10);
    if (errno == ERANGE) return false;
    *out = v;
    return true;
}

static bool read_id(const char *line, size_t len, const cJSON *root, as_id *id) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, "id");
    if (!j) return false;
    if (cJSON_IsString(j)) {
        id->is_string = true;
        id->len = strlen(j->valuestring);
        id->s = xstrndup(j->valuestring, id->len);
        return true;
    }
    const char *p;
    size_t n;
    if (!cJSON_IsNumber(j) || !as_rpc_raw_member(line, len, "id", &p, &n)) return false;
    return raw_int(p, n, &id->i);
}

void as_rpc_parse(const char *line, size_t len, as_msg *m) {
    memset(m, 0, sizeof *m);
    buf_init(&m->error);
    m->kind = AS_MSG_INVALID;
    if (!json_check(line, len, &m->error)) return;
    m->root = cJSON_ParseWithLength(line, len);
    if (!cJSON_IsObject(m->root)) {
        buf_puts(&m->error, NO_VARIANT);
        return;
    }
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(m->root, "method");
    m->params = cJSON_GetObjectItemCaseSensitive(m->root, "params");
    m->has_params = m->params != NULL;
    if (cJSON_IsString(method)) {
        m->method = method->valuestring;
        m->kind = read_id(line, len, m->root, &m->id) ? AS_MSG_REQUEST : AS_MSG_NOTIFICATION;
        return;
    }
    if (method) {
        buf_puts(&m->error, NO_VARIANT);
        return;
    }
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(m->root, "result");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(m->root, "error");
    if ((result || error) && read_id(line, len, m->root, &m->id)) {
        m->kind = result ? AS_MSG_RESPONSE : AS_MSG_ERROR;
        m->result = result;
        return;
    }
    buf_puts(&m->error, NO_VARIANT);
}

void as_rpc_free(as_msg *m) {
    cJSON_Delete(m->root);
    as_id_free(&m->id);
    buf_free(&m->error);
}

as_id as_id_copy(const as_id *id) {
    as_id c = *id;
    if (id->is_string) c.s = xstrndup(id->s, id->len);
    return c;
}

void as_id_free(as_id *id) {
    if (id->is_string) free(id->s);
    id->s = NULL;
}

bool as_id_equal(const as_id *a, const as_id *b) {
    if (a->is_string != b->is_string) return false;
    if (!a->is_string) return a->i == b->i;
    return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

void as_id_write(buf *b, const as_id *id) {
    if (id->is_string)
        jsonw_string(b, id->s, id->len);
    else
        jsonw_int(b, id->i);
}
