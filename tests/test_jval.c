/* Unit tests for jval: compact JSON of arbitrary scenario values, in the order written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arena.h"
#include "jval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static arena A;

static int setup(void **state) {
    (void)state;
    arena_init(&A);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    arena_free(&A);
    return 0;
}

static jval *mk(jv_kind k) {
    jval *v = arena_alloc(&A, sizeof *v);
    v->kind = k;
    return v;
}

static jval *jnull(void) {
    return mk(JV_NULL);
}

static jval *jbool(bool b) {
    jval *v = mk(JV_BOOL);
    v->b = b;
    return v;
}

static jval *jint(int64_t i) {
    jval *v = mk(JV_INT);
    v->i = i;
    return v;
}

static jval *jfloat(double d) {
    jval *v = mk(JV_FLOAT);
    v->d = d;
    return v;
}

static jval *jstrn(const char *s, size_t len) {
    jval *v = mk(JV_STRING);
    v->s = arena_strndup(&A, s, len);
    v->len = len;
    return v;
}

static jval *jstr(const char *s) {
    return jstrn(s, strlen(s));
}

static jval *jarr(size_t n, ...) {
    jval *v = mk(JV_ARRAY);
    v->n = n;
    v->items = arena_alloc(&A, (n ? n : 1) * sizeof(jval *));
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        v->items[i] = va_arg(ap, jval *);
    va_end(ap);
    return v;
}

/* jobj(n, key1, value1, key2, value2, ...) */
static jval *jobj(size_t n, ...) {
    jval *v = mk(JV_OBJECT);
    v->n = n;
    v->members = arena_alloc(&A, (n ? n : 1) * sizeof(jmember));
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        const char *k = va_arg(ap, const char *);
        v->members[i].key = arena_strdup(&A, k);
        v->members[i].key_len = strlen(k);
        v->members[i].value = va_arg(ap, jval *);
    }
    va_end(ap);
    return v;
}

static char *write_json(const jval *v) {
    buf b;
    buf_init(&b);
    jval_write(&b, v);
    return buf_detach(&b);
}

#define assert_jval(v, expected)                                                                   \
    do {                                                                                           \
        char *got_ = write_json(v);                                                                \
        assert_string_equal(got_, (expected));                                                     \
        free(got_);                                                                                \
    } while (0)

static void test_scalars(void **state) {
    (void)state;
    assert_jval(jnull(), "null");
    assert_jval(NULL, "null");
    assert_jval(jbool(true), "true");
    assert_jval(jbool(false), "false");
    assert_jval(jint(0), "0");
    assert_jval(jint(-42), "-42");
    assert_jval(jint(INT64_MIN), "-9223372036854775808");
    assert_jval(jfloat(1.0), "1.0");
    assert_jval(jfloat(0.25), "0.25");
    assert_jval(jfloat(1e16), "1e16");
    assert_jval(jfloat(NAN), "null");
    assert_jval(jstr(""), "\"\"");
    assert_jval(jstr("a/b\n\"c\""), "\"a/b\\n\\\"c\\\"\"");
}

static void test_int_and_float_kinds_stay_distinct(void **state) {
    (void)state;
    /* 3 written as an integer is `3`; written as a float it is `3.0` */
    assert_jval(jint(3), "3");
    assert_jval(jfloat(3.0), "3.0");
}

static void test_string_with_nuls(void **state) {
    (void)state;
    assert_jval(jstrn("a\0b\0", 4), "\"a\\u0000b\\u0000\"");
    assert_jval(jstrn("\0", 1), "\"\\u0000\"");
}

static void test_empty_containers(void **state) {
    (void)state;
    assert_jval(jarr(0), "[]");
    assert_jval(jobj(0), "{}");
    assert_jval(jarr(2, jarr(0), jobj(0)), "[[],{}]");
}

static void test_array(void **state) {
    (void)state;
    assert_jval(jarr(5, jint(1), jstr("two"), jfloat(3.5), jbool(true), jnull()),
                "[1,\"two\",3.5,true,null]");
    assert_jval(jarr(1, NULL), "[null]"); /* a missing element still writes valid JSON */
}

static void test_object_keeps_order(void **state) {
    (void)state;
    /* not sorted: z before a, as written */
    assert_jval(jobj(3, "z", jint(1), "a", jint(2), "m", jint(3)), "{\"z\":1,\"a\":2,\"m\":3}");
}

static void test_object_duplicate_keys_kept(void **state) {
    (void)state;
    jval *o = jobj(3, "k", jint(1), "other", jnull(), "k", jint(2));
    assert_jval(o, "{\"k\":1,\"other\":null,\"k\":2}");
    /* jval_get returns the first match */
    const jval *k = jval_get(o, "k");
    assert_non_null(k);
    assert_int_equal(k->kind, JV_INT);
    assert_int_equal(k->i, 1);
}

static void test_object_key_escaping(void **state) {
    (void)state;
    assert_jval(jobj(2, "a\"b", jint(1), "tab\there", jint(2)), "{\"a\\\"b\":1,\"tab\\there\":2}");
    /* a key with an embedded NUL is written from key_len, not strlen */
    jval *o = mk(JV_OBJECT);
    o->n = 1;
    o->members = arena_alloc(&A, sizeof(jmember));
    o->members[0].key = arena_strndup(&A, "k\0x", 3);
    o->members[0].key_len = 3;
    o->members[0].value = jbool(true);
    assert_jval(o, "{\"k\\u0000x\":true}");
}

static void test_nested(void **state) {
    (void)state;
    jval *v = jobj(
        3, "query", jstr("weather"), "args",
        jarr(3, jint(1), jobj(2, "deep", jarr(1, jarr(1, jarr(0))), "x", jnull()), jstr("\x1b")),
        "ok", jbool(false));
    assert_jval(v, "{\"query\":\"weather\",\"args\":[1,{\"deep\":[[[]]],\"x\":null},\"\\u001b\"],"
                   "\"ok\":false}");
}

static void test_deep_nesting(void **state) {
    (void)state;
    jval *v = jint(7);
    for (int i = 0; i < 200; i++)
        v = (i % 2) ? jarr(1, v) : jobj(1, "k", v);
    char *got = write_json(v);
    size_t len = strlen(got);
    /* 100 arrays "[" "]" + 100 objects "{\"k\":" "}" + "7" */
    assert_int_equal(len, 100 * 2 + 100 * 6 + 1);
    assert_memory_equal(got, "[{\"k\":[{\"k\":", 12);
    assert_memory_equal(got + len - 201, "7}]}]", 5);
    assert_memory_equal(got + len - 6, "}]}]}]", 6);
    free(got);
}

static void test_get(void **state) {
    (void)state;
    jval *o = jobj(3, "name", jstr("x"), "n", jint(5), "nested", jobj(1, "name", jint(9)));
    const jval *name = jval_get(o, "name");
    assert_non_null(name);
    assert_int_equal(name->kind, JV_STRING);
    assert_string_equal(name->s, "x");
    assert_int_equal(jval_get(o, "n")->i, 5);
    assert_null(jval_get(o, "missing"));
    assert_null(jval_get(o, "nam"));   /* prefixes do not match */
    assert_null(jval_get(o, "names")); /* nor longer keys */
    assert_null(jval_get(o, ""));
    assert_null(jval_get(NULL, "name"));
    assert_null(jval_get(jarr(1, jstr("name")), "name")); /* not an object */
    assert_null(jval_get(jstr("name"), "name"));
    assert_null(jval_get(jobj(0), "name"));
    /* nested lookup is not recursive */
    assert_int_equal(jval_get(jval_get(o, "nested"), "name")->i, 9);
}

static void test_get_empty_key(void **state) {
    (void)state;
    jval *o = jobj(2, "a", jint(1), "", jint(2));
    const jval *e = jval_get(o, "");
    assert_non_null(e);
    assert_int_equal(e->i, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int_and_float_kinds_stay_distinct, setup, teardown),
        cmocka_unit_test_setup_teardown(test_string_with_nuls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_containers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_array, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_keeps_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_duplicate_keys_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_key_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_empty_key, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
