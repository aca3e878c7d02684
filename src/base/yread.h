/* yread — YAML input for the scenario loader: libyaml's event stream, read either as events
 * (so a million-step `steps:` list is walked one step at a time) or as small node trees with
 * their positions (one step, one option block).
 *
 * Ownership: nodes returned by yread_node() live in the reader's scratch arena until the caller
 * calls yread_scratch_reset(); anchored nodes are copied to a second arena and live as long as
 * the reader. yread_close() frees everything. Errors (syntax, nesting, alias bombs, unreadable
 * file) fill the reader's diag and make the call return -1; the reader is then unusable.
 *
 * Scalars are typed by the YAML 1.2 core schema (`yes` is a string, `0x1f` an int); quoted
 * scalars and `!!str` are always strings. A `!!binary` scalar is a string of the bytes its
 * base64 text stands for (any bytes: invalid UTF-8 too); text that is not base64 is an error. */
#ifndef CODEX_MOCK_YREAD_H
#define CODEX_MOCK_YREAD_H

#include "arena.h"
#include "diag.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <yaml.h>

typedef enum { YN_SCALAR, YN_SEQUENCE, YN_MAPPING } yn_kind;
typedef enum { YS_NULL, YS_BOOL, YS_INT, YS_FLOAT, YS_STR } ys_type;

typedef struct ynode ynode;
struct ynode {
    yn_kind kind;
    int line, col; /* 1-based position of the node's first character */
    /* YN_SCALAR */
    const char *value; /* NUL-terminated; may contain NULs (len is authoritative) */
    size_t len;
    ys_type type;
    bool b;
    int64_t i;
    double d;
    /* YN_SEQUENCE: items[0..n); YN_MAPPING: items[2k] key, items[2k+1] value, n = 2 × pairs */
    ynode **items;
    size_t n;
    size_t weight; /* nodes in this subtree, counting through aliases */
};

typedef struct anchor_entry anchor_entry;

typedef struct {
    yaml_parser_t parser;
    FILE *fp;
    const char *mem; /* in-memory input (yread_open_mem, or a small file read whole) */
    char *owned;     /* the small file's bytes, freed by yread_close */
    size_t mem_len;
    const char *file; /* name used in messages (borrowed) */
    arena scratch;
    arena keep;
    anchor_entry *anchors;
    size_t alias_budget; /* nodes still allowed to be reached through aliases */
    bool has_peek;
    yaml_event_t peek;
    diag *err;
} yread;

#define YREAD_BINARY_TAG "tag:yaml.org,2002:binary"

/* Files up to this size are read whole at open; bigger ones through stdio as parsing goes. */
#define YREAD_SLURP_MAX (1024 * 1024)

/* Opens a file (a regular file only); `path` is also the name used in messages. */
int yread_open(yread *r, const char *path, diag *err);
int yread_open_mem(yread *r, const char *name, const char *data, size_t len, diag *err);
void yread_close(yread *r);

/* Looks at the next event without consuming it (owned by the reader). */
int yread_peek(yread *r, const yaml_event_t **ev);
/* Consumes the next event, which must be of type `want`; otherwise an error naming `what`. */
int yread_expect(yread *r, yaml_event_type_t want, const char *what);
/* Consumes the next event whatever it is. */
int yread_skip_event(yread *r);
/* Reads one complete node (scalar, sequence, mapping, or alias to an anchored node). */
int yread_node(yread *r, ynode **out);
void yread_scratch_reset(yread *r);

/* "fail at FILE:LINE:COL": sets `err` at node `n`'s position in `file` (no position when `n` is
 * NULL) and returns -1, so a loader writes `return ynode_fail(err, file, n, "...", ...);`. */
int ynode_fail(diag *err, const char *file, const ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A scalar as a fresh diag position helper: line/col of an event's start. */
void yread_event_pos(const yaml_event_t *ev, int *line, int *col);
const char *ynode_kind_name(const ynode *n);

#endif
