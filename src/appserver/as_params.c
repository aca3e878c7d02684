/* as_params — see as_params.h. */
#include "as_params.h"

#include "jsonw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void as_params_unexpected(buf *b, const cJSON *v) {
    if (cJSON_IsNull(v)) {
        buf_puts(b, "null");
    } else if (cJSON_IsBool(v)) {
        buf_printf(b, "boolean `%s`", cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 9.2e18) {
            buf_printf(b, "integer `%lld`", (long long)d);
        } else {
            buf_puts(b, "floating point `");
            jsonw_double(b, d);
            buf_putc(b, '`');
        }
    } else if (cJSON_IsString(v)) {
        buf_puts(b, "string ");
        jsonw_cstring(b, v->valuestring);
    } else if (cJSON_IsArray(v)) {
        buf_puts(b, "sequence");
    } else {
        buf_puts(b, "map");
    }
}

static int lookup(const cJSON *params, const char *key, bool required, const cJSON **v, buf *err) {
    *v = cJSON_IsObject(params) ? cJSON_GetObjectItemCaseSensitive(params, key) : NULL;
    if (!*v || (cJSON_IsNull(*v) && !required)) {
        if (!required) return 1;
        buf_printf(err, "missing field `%s`", key);
        return -1;
    }
    return 0;
}

static int wrong(buf *err, const cJSON *v, const char *expected) {
    buf_puts(err, "invalid type: ");
    as_params_unexpected(err, v);
    buf_printf(err, ", expected %s", expected);
    return -1;
}

int as_param_string(const cJSON *params, const char *key, bool required, const char **out,
                    buf *err) {
    const cJSON *v;
    int r = lookup(params, key, required, &v, err);
    if (r) return r;
    if (!cJSON_IsString(v)) return wrong(err, v, "a string");
    *out = v->valuestring;
    return 0;
}

int as_param_int(const cJSON *params, const char *key, bool required, int64_t *out, buf *err) {
    const cJSON *v;
    int r = lookup(params, key, required, &v, err);
    if (r) return r;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble)) return wrong(err, v, "u32");
    if (v->valuedouble < 0) {
        buf_printf(err, "invalid value: integer `%lld`, expected u32", (long long)v->valuedouble);
        return -1;
    }
    *out = (int64_t)v->valuedouble;
    return 0;
}

int as_param_bool(const cJSON *params, const char *key, bool required, bool *out, buf *err) {
    const cJSON *v;
    int r = lookup(params, key, required, &v, err);
    if (r) return r;
    if (!cJSON_IsBool(v)) return wrong(err, v, "a boolean");
    *out = cJSON_IsTrue(v);
    return 0;
}

int as_param_array(const cJSON *params, const char *key, bool required, const cJSON **out,
                   buf *err) {
    const cJSON *v;
    int r = lookup(params, key, required, &v, err);
    if (r) return r;
    if (!cJSON_IsArray(v)) return wrong(err, v, "a sequence");
    *out = v;
    return 0;
}

/* Field counts of the params structs as serde reports them for a sequence (`invalid length 0,
 * expected struct TurnStartParams with 28 elements`, asked of the real 0.171.0); `least` is the
 * length it reports for a shorter sequence when that is not the sequence's own (ThreadListParams
 * says 2 for []). */
static const struct {
    const char *name;
    int fields, least;
} STRUCTS[] = {
    {"InitializeParams", 2, 0},       {"ThreadStartParams", 27, 0},  {"TurnStartParams", 28, 0},
    {"ThreadListParams", 20, 2},      {"ModelListParams", 4, 0},     {"ThreadArchiveParams", 1, 0},
    {"ThreadUnarchiveParams", 1, 0},  {"TurnInterruptParams", 2, 0}, {"ThreadSetNameParams", 2, 0},
    {"ThreadLoadedListParams", 2, 0}, {"ThreadResumeParams", 18, 0}, {"ThreadReadParams", 2, 0},
    {"ThreadForkParams", 23, 0},      {"TurnSteerParams", 7, 0},
};

int as_params_struct(const cJSON *params, const char *name, buf *err) {
    if (cJSON_IsObject(params)) return 0;
    if (cJSON_IsArray(params)) {
        int n = cJSON_GetArraySize(params);
        for (size_t i = 0; i < sizeof STRUCTS / sizeof STRUCTS[0]; i++) {
            if (strcmp(STRUCTS[i].name, name) || n >= STRUCTS[i].fields) continue;
            buf_printf(err, "invalid length %d, expected struct %s with %d element%s",
                       n < STRUCTS[i].least ? STRUCTS[i].least : n, name, STRUCTS[i].fields,
                       STRUCTS[i].fields == 1 ? "" : "s");
            return -1;
        }
    }
    buf_puts(err, "invalid type: ");
    as_params_unexpected(err, params);
    buf_printf(err, ", expected struct %s", name);
    return -1;
}

int as_param_enum(const cJSON *params, const char *key, const char *const *variants,
                  const char *expected, const cJSON **out, buf *err) {
    const cJSON *v;
    int r = lookup(params, key, false, &v, err);
    if (r) return r;
    if (!cJSON_IsString(v) && !(cJSON_IsObject(v) && expected)) {
        return wrong(err, v, expected ? expected : "a string");
    }
    /* a map: serde reads its single key as the variant */
    const char *name = cJSON_IsString(v) ? v->valuestring : v->child ? v->child->string : "";
    for (size_t i = 0; variants[i]; i++)
        if (!strcmp(variants[i], name)) {
            *out = v;
            return 0;
        }
    buf_printf(err, "unknown variant `%s`, expected one of ", name);
    for (size_t i = 0; variants[i]; i++)
        buf_printf(err, "%s`%s`", i ? ", " : "", variants[i]);
    return -1;
}

int as_param_tagged(const cJSON *v, const char *tag, const char *enum_name,
                    const char *const *variants, const char **out, buf *err) {
    if (!cJSON_IsObject(v)) {
        char what[128];
        snprintf(what, sizeof what, "internally tagged enum %s", enum_name);
        return wrong(err, v, what);
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, tag);
    if (!t) {
        buf_printf(err, "missing field `%s`", tag);
        return -1;
    }
    if (!cJSON_IsString(t)) return wrong(err, t, "variant identifier");
    for (size_t i = 0; variants[i]; i++)
        if (!strcmp(variants[i], t->valuestring)) {
            *out = variants[i];
            return 0;
        }
    buf_printf(err, "unknown variant `%s`, expected one of ", t->valuestring);
    for (size_t i = 0; variants[i]; i++)
        buf_printf(err, "%s`%s`", i ? ", " : "", variants[i]);
    return -1;
}

/* The uuid crate's parser (1.x) and its error texts: simple (32 hex), hyphenated (8-4-4-4-12),
 * braced or with a `urn:uuid:` prefix; hex digits of either case. */
int as_uuid_parse(const char *s, char out[37], buf *err) {
    size_t n = strlen(s), off = 0;
    const char *u = s;
    size_t un = n;
    bool simple = true;
    if (n >= 2 && s[0] == '{' && s[n - 1] == '}') {
        u = s + 1;
        un = n - 2;
        off = 1;
        simple = false;
    } else if (n >= 9 && !strncmp(s, "urn:uuid:", 9)) {
        u = s + 9;
        un = n - 9;
        off = 0; /* positions count from after the prefix (asked of the real one) */
        simple = false;
    }
    char hex[33];
    size_t nhex = 0, hyphens = 0, bounds[4] = {0};
    for (size_t i = 0; i < un; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c >= 0x80) {
            /* a multi-byte character: quoted whole */
            size_t k = 1;
            while (i + k < un && ((unsigned char)u[i + k] & 0xC0) == 0x80)
                k++;
            buf_printf(err,
                       "invalid character: expected an optional prefix of `urn:uuid:` followed by "
                       "[0-9a-fA-F-], found `%.*s` at %zu",
                       (int)k, u + i, i + off + 1);
            return -1;
        }
        if (c == '-') {
            if (hyphens < 4) bounds[hyphens] = i;
            hyphens++;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            buf_printf(err,
                       "invalid character: expected an optional prefix of `urn:uuid:` followed by "
                       "[0-9a-fA-F-], found `%c` at %zu",
                       c, i + off + 1);
            return -1;
        } else if (nhex < 32) {
            hex[nhex++] = (char)(c >= 'A' && c <= 'F' ? c + 32 : c);
        } else {
            nhex++;
        }
    }
    static const size_t STARTS[5] = {0, 9, 14, 19, 24}, LENS[5] = {8, 4, 4, 4, 12};
    bool ok = (hyphens == 0 && simple && un == 32) ||
              (hyphens == 4 && un == 36 && bounds[0] == 8 && bounds[1] == 13 && bounds[2] == 18 &&
               bounds[3] == 23);
    if (!ok) {
        if (hyphens == 0 && simple) {
            buf_printf(err, "invalid length: expected length 32 for simple format, found %zu", n);
        } else if (hyphens != 4) {
            buf_printf(err, "invalid group count: expected 5, found %zu", hyphens + 1);
        } else {
            size_t g = 4, len = un - STARTS[4];
            for (size_t i = 0; i < 4; i++)
                if (bounds[i] != STARTS[i + 1] - 1) {
                    g = i;
                    len = bounds[i] - STARTS[i];
                    break;
                }
            buf_printf(err, "invalid group length in group %zu: expected %zu, found %zu", g,
                       LENS[g], len);
        }
        return -1;
    }
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
    return 0;
}
