#include "yread.h"
#include "base64.h"
#include "fileio.h"
#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    MAX_DEPTH = 200,             /* nesting deeper than this is an error, not a stack overflow */
    ALIAS_NODE_BUDGET = 1000000, /* nodes reachable through aliases (billion laughs guard) */
};

struct anchor_entry {
    anchor_entry *next;
    char *name;
    ynode *node;
};

static void position_of_offset(yread *r, size_t offset, int *line, int *col) {
    *line = 1;
    *col = 1;
    char tmp[4096];
    size_t done = 0;
    while (done < offset) {
        size_t want = offset - done < sizeof tmp ? offset - done : sizeof tmp;
        size_t got;
        if (r->mem) {
            got = done + want <= r->mem_len ? want : r->mem_len - done;
            memcpy(tmp, r->mem + done, got);
        } else {
            ssize_t n = r->fp ? pread(fileno(r->fp), tmp, want, (off_t)done) : -1;
            got = n > 0 ? (size_t)n : 0;
        }
        if (got == 0) break;
        for (size_t i = 0; i < got; i++) {
            if (tmp[i] == '\n') {
                (*line)++;
                *col = 1;
            } else {
                (*col)++;
            }
        }
        done += got;
    }
}

static int fail_parser(yread *r) {
    yaml_parser_t *p = &r->parser;
    const char *problem = p->problem ? p->problem : "invalid YAML";
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    if (p->error == YAML_READER_ERROR && r->fp && ferror(r->fp)) {
        /* read(2) failed (EIO, e.g. /proc/self/mem): not the file's syntax */
        int e = errno ? errno : EIO;
        diag_set(r->err, r->file, 0, 0, "cannot read scenario file: %s", strerror(e));
    } else if (p->error == YAML_READER_ERROR) {
        /* Reader errors (bad UTF-8, control characters) carry a byte offset, not a mark:
         * count lines up to it in the input itself. */
        position_of_offset(r, p->problem_offset, &line, &col);
        diag_set(r->err, r->file, line, col, "YAML syntax error: %s (at byte %zu)", problem,
                 p->problem_offset);
    } else if (p->context) {
        diag_set(r->err, r->file, line, col, "YAML syntax error: %s %s (line %d)", problem,
                 p->context, (int)p->context_mark.line + 1);
    } else {
        diag_set(r->err, r->file, line, col, "YAML syntax error: %s", problem);
    }
    return -1;
}

static void init_common(yread *r, const char *name, diag *err) {
    memset(r, 0, sizeof *r);
    r->file = name;
    r->err = err;
    r->alias_budget = ALIAS_NODE_BUDGET;
    arena_init(&r->scratch);
    arena_init(&r->keep);
}

int yread_open(yread *r, const char *path, diag *err) {
    init_common(r, path, err);
    yaml_parser_initialize(&r->parser);
    /* O_NONBLOCK: opening a FIFO with no writer must not hang. Only regular files pass the
     * check below, and reading one ignores O_NONBLOCK, so the flag can stay. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        diag_set(err, path, 0, 0, "cannot read scenario file: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
        close(fd);
        diag_set(err, path, 0, 0, "cannot read scenario file: %s",
                 S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
        return -1;
    }
    /* A small file is read in one go: no stdio buffer, and a start-up's worth of system
     * calls fewer; libyaml then parses it from memory. */
    if (st.st_size <= YREAD_SLURP_MAX) {
        buf b;
        buf_init(&b);
        buf_reserve(&b, (size_t)st.st_size + 1); /* +1: the read that finds the end */
        int rc = fileio_read_fd(fd, &b);
        int e = errno;
        close(fd);
        if (rc < 0) {
            buf_free(&b);
            diag_set(err, path, 0, 0, "cannot read scenario file: %s", strerror(e));
            return -1;
        }
        size_t len = b.len;
        char *data = buf_detach(&b);
        r->owned = data;
        r->mem = data;
        r->mem_len = len;
        yaml_parser_set_input_string(&r->parser, (const unsigned char *)data, len);
        return 0;
    }
    r->fp = fdopen(fd, "rb");
    if (!r->fp) {
        int e = errno;
        close(fd);
        diag_set(err, path, 0, 0, "cannot read scenario file: %s", strerror(e));
        return -1;
    }
    yaml_parser_set_input_file(&r->parser, r->fp);
    return 0;
}

int yread_open_mem(yread *r, const char *name, const char *data, size_t len, diag *err) {
    init_common(r, name, err);
    r->mem = data;
    r->mem_len = len;
    yaml_parser_initialize(&r->parser);
    yaml_parser_set_input_string(&r->parser, (const unsigned char *)data, len);
    return 0;
}

void yread_close(yread *r) {
    if (r->has_peek) yaml_event_delete(&r->peek);
    r->has_peek = false;
    yaml_parser_delete(&r->parser);
    if (r->fp) fclose(r->fp);
    r->fp = NULL;
    free(r->owned);
    r->owned = NULL;
    for (anchor_entry *a = r->anchors; a;) {
        anchor_entry *next = a->next;
        free(a->name);
        free(a);
        a = next;
    }
    r->anchors = NULL;
    arena_free(&r->scratch);
    arena_free(&r->keep);
}

void yread_scratch_reset(yread *r) {
    arena_reset(&r->scratch);
}

void yread_event_pos(const yaml_event_t *ev, int *line, int *col) {
    *line = (int)ev->start_mark.line + 1;
    *col = (int)ev->start_mark.column + 1;
}

const char *ynode_kind_name(const ynode *n) {
    if (n->kind == YN_SEQUENCE) return "a list";
    if (n->kind == YN_MAPPING) return "a mapping";
    switch (n->type) {
    case YS_NULL:
        return "null";
    case YS_BOOL:
        return "a boolean";
    case YS_INT:
        return "an integer";
    case YS_FLOAT:
        return "a number";
    case YS_STR:
        return "a string";
    }
    return "a scalar";
}

int yread_peek(yread *r, const yaml_event_t **ev) {
    if (!r->has_peek) {
        if (!yaml_parser_parse(&r->parser, &r->peek)) return fail_parser(r);
        r->has_peek = true;
    }
    *ev = &r->peek;
    return 0;
}

static int next_event(yread *r, yaml_event_t *ev) {
    if (r->has_peek) {
        *ev = r->peek;
        r->has_peek = false;
        return 0;
    }
    if (!yaml_parser_parse(&r->parser, ev)) return fail_parser(r);
    return 0;
}

int yread_skip_event(yread *r) {
    yaml_event_t ev;
    if (next_event(r, &ev) < 0) return -1;
    yaml_event_delete(&ev);
    return 0;
}

static const char *event_name(yaml_event_type_t t) {
    switch (t) {
    case YAML_SCALAR_EVENT:
        return "a scalar";
    case YAML_SEQUENCE_START_EVENT:
        return "a list";
    case YAML_MAPPING_START_EVENT:
        return "a mapping";
    case YAML_ALIAS_EVENT:
        return "an alias";
    case YAML_DOCUMENT_START_EVENT:
        return "a document";
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_END_EVENT:
        return "the end of the document";
    default:
        return "something else";
    }
}

int yread_expect(yread *r, yaml_event_type_t want, const char *what) {
    yaml_event_t ev;
    if (next_event(r, &ev) < 0) return -1;
    if (ev.type != want) {
        int line, col;
        yread_event_pos(&ev, &line, &col);
        diag_set(r->err, r->file, line, col, "expected %s, found %s", what, event_name(ev.type));
        yaml_event_delete(&ev);
        return -1;
    }
    yaml_event_delete(&ev);
    return 0;
}

/* --- scalar typing (YAML 1.2 core schema) --- */

static bool is_null_word(const char *s, size_t n) {
    return n == 0 || (n == 1 && s[0] == '~') ||
           (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

static int bool_word(const char *s, size_t n) {
    if (n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4)))
        return 1;
    if (n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5)))
        return 0;
    return -1;
}

static bool parse_int(const char *s, size_t n, int64_t *out) {
    if (n == 0 || n > 40) return false;
    char tmp[48];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    const char *p = tmp;
    int base = 10;
    bool neg = false;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    if (p[0] == '0' && p[1] == 'x' && !neg && tmp[0] != '+') {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && p[1] == 'o' && !neg && tmp[0] != '+') {
        base = 8;
        p += 2;
    }
    if (!*p) return false;
    for (const char *q = p; *q; q++) {
        int ok = base == 16 ? ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') ||
                               (*q >= 'A' && *q <= 'F'))
                            : (*q >= '0' && *q < '0' + base);
        if (!ok) return false;
    }
    errno = 0;
    unsigned long long v = strtoull(p, NULL, base);
    if (errno == ERANGE) return false;
    if (neg) {
        if (v > (unsigned long long)INT64_MAX + 1) return false;
        *out = (int64_t)(0 - v);
    } else {
        if (v > (unsigned long long)INT64_MAX) return false;
        *out = (int64_t)v;
    }
    return true;
}

static bool parse_float(const char *s, size_t n, double *out) {
    if (n == 0 || n > 64) return false;
    char tmp[72];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    const char *p = tmp;
    if (*p == '-' || *p == '+') p++;
    if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF")) {
        *out = tmp[0] == '-' ? -INFINITY : INFINITY;
        return true;
    }
    if (!strcmp(tmp, ".nan") || !strcmp(tmp, ".NaN") || !strcmp(tmp, ".NAN")) {
        *out = NAN;
        return true;
    }
    /* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
    bool digits = false;
    while (*p >= '0' && *p <= '9')
        p++, digits = true;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, digits = true;
    }
    if (!digits) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+') p++;
        if (!(*p >= '0' && *p <= '9')) return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p) return false;
    *out = strtod(tmp, NULL);
    return true;
}

static void type_scalar(ynode *n, const yaml_event_t *ev) {
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *s = n->value;
    size_t len = n->len;
    n->type = YS_STR;
    if (tag && strcmp(tag, "!") != 0) {
        if (!strcmp(tag, YAML_NULL_TAG))
            n->type = YS_NULL;
        else if (!strcmp(tag, YAML_BOOL_TAG) && bool_word(s, len) >= 0)
            n->type = YS_BOOL, n->b = bool_word(s, len) == 1;
        else if (!strcmp(tag, YAML_INT_TAG) && parse_int(s, len, &n->i))
            n->type = YS_INT;
        else if (!strcmp(tag, YAML_FLOAT_TAG) && parse_float(s, len, &n->d))
            n->type = YS_FLOAT;
        return;
    }
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || tag) return;
    if (is_null_word(s, len)) {
        n->type = YS_NULL;
    } else if (bool_word(s, len) >= 0) {
        n->type = YS_BOOL;
        n->b = bool_word(s, len) == 1;
    } else if (parse_int(s, len, &n->i)) {
        n->type = YS_INT;
    } else if (parse_float(s, len, &n->d)) {
        n->type = YS_FLOAT;
    }
}

/* --- trees --- */

static ynode *copy_tree(arena *a, const ynode *src) {
    ynode *n = arena_alloc(a, sizeof *n);
    *n = *src;
    if (src->kind == YN_SCALAR) {
        n->value = arena_strndup(a, src->value, src->len);
    } else if (src->n) {
        n->items = arena_alloc(a, src->n * sizeof(ynode *));
        for (size_t i = 0; i < src->n; i++)
            n->items[i] = copy_tree(a, src->items[i]);
    }
    return n;
}

static int remember_anchor(yread *r, const unsigned char *name, ynode *node, ynode **kept) {
    anchor_entry *a = xcalloc(1, sizeof *a);
    a->name = xstrdup((const char *)name);
    a->node = copy_tree(&r->keep, node);
    a->next = r->anchors;
    r->anchors = a;
    *kept = a->node;
    return 0;
}

typedef struct {
    ynode **v;
    size_t n, cap;
} node_vec;

static void vec_push(node_vec *v, ynode *n) {
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->v = xrealloc(v->v, v->cap * sizeof(ynode *));
    }
    v->v[v->n++] = n;
}

/* `!!binary "…"`: the bytes the base64 text stands for, a string like any other. */
static int binary_scalar(yread *r, ynode *n, const yaml_event_t *ev) {
    buf bytes;
    buf_init(&bytes);
    size_t bad = 0;
    if (base64_decode(&bytes, (const char *)ev->data.scalar.value, ev->data.scalar.length, &bad) <
        0) {
        diag_set(r->err, r->file, n->line, n->col,
                 "!!binary: not base64 (at character %zu of the value)", bad + 1);
        buf_free(&bytes);
        return -1;
    }
    n->value = arena_strndup(&r->scratch, bytes.data ? bytes.data : "", bytes.len);
    n->len = bytes.len;
    n->type = YS_STR;
    buf_free(&bytes);
    return 0;
}

/* *out is the node on success, NULL on error. */
static int read_node(yread *r, ynode **out, int depth) {
    *out = NULL;
    yaml_event_t ev;
    if (next_event(r, &ev) < 0) return -1;
    int line, col;
    yread_event_pos(&ev, &line, &col);
    if (depth > MAX_DEPTH) {
        diag_set(r->err, r->file, line, col, "nesting deeper than %d levels", MAX_DEPTH);
        yaml_event_delete(&ev);
        return -1;
    }
    ynode *n = arena_alloc(&r->scratch, sizeof *n);
    n->line = line;
    n->col = col;
    n->weight = 1;
    const unsigned char *anchor = NULL;
    int rc = 0;
    switch (ev.type) {
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev.data.alias.anchor;
        anchor_entry *a = r->anchors;
        while (a && strcmp(a->name, name) != 0)
            a = a->next;
        if (!a) {
            diag_set(r->err, r->file, line, col, "unknown alias *%s", name);
            rc = -1;
        } else if (a->node->weight > r->alias_budget) {
            diag_set(r->err, r->file, line, col,
                     "alias *%s expands to too many nodes (more than %d through aliases; "
                     "a billion-laughs file?)",
                     name, ALIAS_NODE_BUDGET);
            rc = -1;
        } else {
            r->alias_budget -= a->node->weight;
            *out = a->node;
        }
        yaml_event_delete(&ev);
        return rc;
    }
    case YAML_SCALAR_EVENT:
        n->kind = YN_SCALAR;
        anchor = ev.data.scalar.anchor;
        if (ev.data.scalar.tag && !strcmp((const char *)ev.data.scalar.tag, YREAD_BINARY_TAG)) {
            rc = binary_scalar(r, n, &ev);
            break;
        }
        n->value =
            arena_strndup(&r->scratch, (const char *)ev.data.scalar.value, ev.data.scalar.length);
        n->len = ev.data.scalar.length;
        type_scalar(n, &ev);
        break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool map = ev.type == YAML_MAPPING_START_EVENT;
        n->kind = map ? YN_MAPPING : YN_SEQUENCE;
        anchor = map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
        yaml_event_type_t end = map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
        node_vec kids = {0};
        for (;;) {
            const yaml_event_t *pe = NULL;
            if (yread_peek(r, &pe) < 0) {
                rc = -1;
                break;
            }
            if (pe->type == end) {
                yread_skip_event(r);
                break;
            }
            ynode *child;
            if (read_node(r, &child, depth + 1) < 0) {
                rc = -1;
                break;
            }
            n->weight += child->weight;
            vec_push(&kids, child);
        }
        if (rc == 0 && kids.n) {
            n->items = arena_alloc(&r->scratch, kids.n * sizeof(ynode *));
            memcpy(n->items, kids.v, kids.n * sizeof(ynode *));
            n->n = kids.n;
        }
        free(kids.v);
        break;
    }
    default:
        diag_set(r->err, r->file, line, col, "expected a value, found %s", event_name(ev.type));
        rc = -1;
    }
    if (rc == 0 && anchor) remember_anchor(r, anchor, n, &n);
    yaml_event_delete(&ev);
    if (rc == 0) *out = n;
    return rc;
}

int yread_node(yread *r, ynode **out) {
    return read_node(r, out, 0);
}

int ynode_fail(diag *err, const char *file, const ynode *n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    diag_vset(err, file, n ? n->line : 0, n ? n->col : 0, fmt, ap);
    va_end(ap);
    return -1;
}
