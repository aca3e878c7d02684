#include "schema_validate.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

enum { MAX_DEPTH = 64 };
/* Subschema checks per validation: anyOf/oneOf branches that $ref back up the document
 * multiply (2 branches × 64 levels), so the work is bounded as well as the depth. */
enum { MAX_CHECKS = 250000 };

typedef struct {
    const cJSON *root; /* the schema document, for $ref */
    buf *why;
    buf path;    /* JSON pointer of the value being checked */
    long budget; /* checks left; below 0: gave up (the answer is "no") */
} vctx;

static bool check(vctx *c, const cJSON *schema, const cJSON *v, int depth);

static const char *type_name(const cJSON *v) {
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsBool(v)) return "boolean";
    if (cJSON_IsNumber(v)) return "number";
    if (cJSON_IsString(v)) return "string";
    if (cJSON_IsArray(v)) return "array";
    if (cJSON_IsObject(v)) return "object";
    return "invalid";
}

static bool fail(vctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(vctx *c, const char *fmt, ...) {
    if (c->why) {
        buf_puts(c->why, c->path.len ? c->path.data : "/");
        buf_puts(c->why, ": ");
        va_list ap;
        va_start(ap, fmt);
        buf_vprintf(c->why, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* Path segment push/pop with JSON pointer escaping. */
static size_t push_key(vctx *c, const char *key) {
    size_t mark = c->path.len;
    buf_putc(&c->path, '/');
    for (const char *k = key; *k; k++) {
        if (*k == '~')
            buf_puts(&c->path, "~0");
        else if (*k == '/')
            buf_puts(&c->path, "~1");
        else
            buf_putc(&c->path, *k);
    }
    return mark;
}

static size_t push_index(vctx *c, int i) {
    size_t mark = c->path.len;
    buf_printf(&c->path, "/%d", i);
    return mark;
}

static void pop(vctx *c, size_t mark) {
    c->path.len = mark;
    if (c->path.data) c->path.data[mark] = '\0';
}

static bool is_integer(const cJSON *v) {
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) && floor(v->valuedouble) == v->valuedouble;
}

static bool type_matches(const char *t, const cJSON *v) {
    if (!strcmp(t, "integer")) return is_integer(v);
    return !strcmp(t, type_name(v));
}

static bool json_equal(const cJSON *a, const cJSON *b) {
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b)) return a->valuedouble == b->valuedouble;
    if (cJSON_IsBool(a) && cJSON_IsBool(b)) return cJSON_IsTrue(a) == cJSON_IsTrue(b);
    if (strcmp(type_name(a), type_name(b))) return false;
    if (cJSON_IsString(a)) return !strcmp(a->valuestring, b->valuestring);
    if (cJSON_IsArray(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b)) return false;
        for (const cJSON *x = a->child, *y = b->child; x; x = x->next, y = y->next)
            if (!json_equal(x, y)) return false;
        return true;
    }
    if (cJSON_IsObject(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b)) return false;
        for (const cJSON *x = a->child; x; x = x->next) {
            const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
            if (!y || !json_equal(x, y)) return false;
        }
        return true;
    }
    return true; /* null */
}

static size_t utf8_chars(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80) n++;
    return n;
}

/* "#/$defs/a~1b" → the node, or NULL. */
static const cJSON *resolve_ref(const cJSON *root, const char *ref) {
    if (ref[0] != '#') return NULL;
    const cJSON *node = root;
    const char *p = ref + 1;
    while (*p == '/') {
        p++;
        char seg[256];
        size_t n = 0;
        while (*p && *p != '/' && n + 1 < sizeof seg) {
            if (p[0] == '~' && p[1] == '0')
                seg[n++] = '~', p += 2;
            else if (p[0] == '~' && p[1] == '1')
                seg[n++] = '/', p += 2;
            else
                seg[n++] = *p++;
        }
        seg[n] = '\0';
        if (cJSON_IsArray(node)) {
            char *end;
            long i = strtol(seg, &end, 10);
            node = *end ? NULL : cJSON_GetArrayItem(node, (int)i);
        } else {
            node = cJSON_GetObjectItemCaseSensitive(node, seg);
        }
        if (!node) return NULL;
    }
    return *p ? NULL : node;
}

static bool check_type(vctx *c, const cJSON *t, const cJSON *v) {
    if (cJSON_IsString(t)) {
        if (type_matches(t->valuestring, v)) return true;
        return fail(c, "expected %s, found %s", t->valuestring, type_name(v));
    }
    if (cJSON_IsArray(t)) {
        buf names;
        buf_init(&names);
        const cJSON *e;
        cJSON_ArrayForEach(e, t) {
            if (!cJSON_IsString(e)) continue;
            if (type_matches(e->valuestring, v)) {
                buf_free(&names);
                return true;
            }
            buf_printf(&names, "%s%s", names.len ? " or " : "", e->valuestring);
        }
        bool r =
            fail(c, "expected %s, found %s", names.data ? names.data : "nothing", type_name(v));
        buf_free(&names);
        return r;
    }
    return true;
}

static bool check_object(vctx *c, const cJSON *s, const cJSON *v, int depth) {
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
    const cJSON *addl = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
    const cJSON *e;
    if (cJSON_IsArray(req)) cJSON_ArrayForEach(e, req) {
            if (cJSON_IsString(e) && !cJSON_GetObjectItemCaseSensitive(v, e->valuestring))
                return fail(c, "missing required property '%s'", e->valuestring);
        }
    cJSON_ArrayForEach(e, v) {
        const cJSON *ps =
            cJSON_IsObject(props) ? cJSON_GetObjectItemCaseSensitive(props, e->string) : NULL;
        size_t mark = push_key(c, e->string);
        bool ok = true;
        if (ps) {
            ok = check(c, ps, e, depth + 1);
        } else if (cJSON_IsFalse(addl)) {
            pop(c, mark);
            return fail(c, "property '%s' is not allowed (additionalProperties: false)", e->string);
        } else if (cJSON_IsObject(addl)) {
            ok = check(c, addl, e, depth + 1);
        }
        pop(c, mark);
        if (!ok) return false;
    }
    return true;
}

static bool check_array(vctx *c, const cJSON *s, const cJSON *v, int depth) {
    const cJSON *prefix = cJSON_GetObjectItemCaseSensitive(s, "prefixItems");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
    const cJSON *min = cJSON_GetObjectItemCaseSensitive(s, "minItems");
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(s, "maxItems");
    int n = cJSON_GetArraySize(v);
    if (cJSON_IsNumber(min) && n < min->valuedouble)
        return fail(c, "%d items, fewer than minItems %g", n, min->valuedouble);
    if (cJSON_IsNumber(max) && n > max->valuedouble)
        return fail(c, "%d items, more than maxItems %g", n, max->valuedouble);
    int np = cJSON_IsArray(prefix) ? cJSON_GetArraySize(prefix) : 0;
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        const cJSON *is = i < np ? cJSON_GetArrayItem(prefix, i) : items;
        if (is && (cJSON_IsObject(is) || cJSON_IsBool(is))) {
            size_t mark = push_index(c, i);
            bool ok = check(c, is, e, depth + 1);
            pop(c, mark);
            if (!ok) return false;
        }
        i++;
    }
    return true;
}

static bool check_string(vctx *c, const cJSON *s, const cJSON *v) {
    const cJSON *min = cJSON_GetObjectItemCaseSensitive(s, "minLength");
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(s, "maxLength");
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(s, "pattern");
    size_t n = utf8_chars(v->valuestring);
    if (cJSON_IsNumber(min) && (double)n < min->valuedouble)
        return fail(c, "string of %zu characters, shorter than minLength %g", n, min->valuedouble);
    if (cJSON_IsNumber(max) && (double)n > max->valuedouble)
        return fail(c, "string of %zu characters, longer than maxLength %g", n, max->valuedouble);
    if (cJSON_IsString(pat)) {
        regex_t re;
        if (regcomp(&re, pat->valuestring, REG_EXTENDED | REG_NOSUB) == 0) {
            int r = regexec(&re, v->valuestring, 0, NULL, 0);
            regfree(&re);
            if (r != 0) return fail(c, "string does not match pattern '%s'", pat->valuestring);
        }
    }
    return true;
}

static bool check_number(vctx *c, const cJSON *s, const cJSON *v) {
    static const char *const keys[] = {"minimum", "maximum", "exclusiveMinimum",
                                       "exclusiveMaximum"};
    double x = v->valuedouble;
    for (int k = 0; k < 4; k++) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(s, keys[k]);
        if (!cJSON_IsNumber(b)) continue;
        double lim = b->valuedouble;
        bool ok = k == 0 ? x >= lim : k == 1 ? x <= lim : k == 2 ? x > lim : x < lim;
        if (!ok) return fail(c, "%g is outside %s %g", x, keys[k], lim);
    }
    return true;
}

/* anyOf / allOf / oneOf / not. */
static bool check_combinators(vctx *c, const cJSON *s, const cJSON *v, int depth) {
    const cJSON *any = cJSON_GetObjectItemCaseSensitive(s, "anyOf");
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(s, "allOf");
    const cJSON *one = cJSON_GetObjectItemCaseSensitive(s, "oneOf");
    const cJSON *neg = cJSON_GetObjectItemCaseSensitive(s, "not");
    const cJSON *e;
    buf *why = c->why;
    if (cJSON_IsArray(all)) cJSON_ArrayForEach(e, all) {
            if (!check(c, e, v, depth + 1)) return false;
        }
    if (cJSON_IsArray(any)) {
        c->why = NULL;
        bool ok = false;
        cJSON_ArrayForEach(e, any) {
            if (check(c, e, v, depth + 1)) {
                ok = true;
                break;
            }
        }
        c->why = why;
        if (!ok) return fail(c, "matches none of the anyOf alternatives");
    }
    if (cJSON_IsArray(one)) {
        c->why = NULL;
        int hits = 0;
        cJSON_ArrayForEach(e, one) hits += check(c, e, v, depth + 1);
        c->why = why;
        if (hits != 1) return fail(c, "matches %d of the oneOf alternatives, not exactly 1", hits);
    }
    if (neg && (cJSON_IsObject(neg) || cJSON_IsBool(neg))) {
        c->why = NULL;
        bool hit = check(c, neg, v, depth + 1);
        c->why = why;
        if (hit) return fail(c, "matches the schema under 'not'");
    }
    return true;
}

static bool check(vctx *c, const cJSON *s, const cJSON *v, int depth) {
    if (--c->budget < 0) return false;
    if (depth > MAX_DEPTH) return fail(c, "schema nesting or $ref chain deeper than %d", MAX_DEPTH);
    if (cJSON_IsTrue(s)) return true;
    if (cJSON_IsFalse(s)) return fail(c, "no value is allowed here (schema false)");
    if (!cJSON_IsObject(s)) return true;
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(s, "$ref");
    if (cJSON_IsString(ref)) {
        const cJSON *target = resolve_ref(c->root, ref->valuestring);
        if (!target) return fail(c, "cannot resolve $ref '%s'", ref->valuestring);
        if (!check(c, target, v, depth + 1)) return false;
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
    if (t && !check_type(c, t, v)) return false;
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
    if (cJSON_IsArray(en)) {
        const cJSON *e;
        bool hit = false;
        cJSON_ArrayForEach(e, en) hit = hit || json_equal(e, v);
        if (!hit) return fail(c, "value is not one of the enum values");
    }
    const cJSON *cn = cJSON_GetObjectItemCaseSensitive(s, "const");
    if (cn && !json_equal(cn, v)) return fail(c, "value is not the const value");
    if (cJSON_IsObject(v) && !check_object(c, s, v, depth)) return false;
    if (cJSON_IsArray(v) && !check_array(c, s, v, depth)) return false;
    if (cJSON_IsString(v) && !check_string(c, s, v)) return false;
    if (cJSON_IsNumber(v) && !check_number(c, s, v)) return false;
    return check_combinators(c, s, v, depth);
}

bool schema_validate(const cJSON *schema, const cJSON *value, buf *why) {
    vctx c = {schema, why, {0}, MAX_CHECKS};
    buf_init(&c.path);
    size_t mark = why ? why->len : 0;
    bool ok = check(&c, schema, value, 0);
    if (c.budget < 0) {
        if (why) {
            why->len = mark; /* one line: this one, not a branch's partial answer */
            buf_printf(why, "/: schema too costly to check (more than %d subschema checks)",
                       MAX_CHECKS);
        }
        ok = false;
    }
    buf_free(&c.path);
    return ok;
}
