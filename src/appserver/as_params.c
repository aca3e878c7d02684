/* as_params — see as_params.h. */
#include "as_params.h"

#include "jsonw.h"

#include <math.h>

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

int as_params_struct(const cJSON *params, const char *name, buf *err) {
    if (cJSON_IsObject(params)) return 0;
    buf_puts(err, "invalid type: ");
    as_params_unexpected(err, params);
    buf_printf(err, ", expected struct %s", name);
    return -1;
}
