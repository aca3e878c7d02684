#include "arena.h"
#include "buf.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    arena_block *next;
    alignas(max_align_t) unsigned char data[];
};

enum { ARENA_BLOCK = 64 * 1024 };

void arena_init(arena *a) {
    a->head = NULL;
    a->used = 0;
    a->size = 0;
}

void arena_free(arena *a) {
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    arena_init(a);
}

void arena_reset(arena *a) {
    if (!a->head) return;
    arena_block *keep = a->head, *b = keep->next;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    keep->next = NULL;
    a->used = 0;
    /* A large dedicated block at the head keeps its size; that is fine for reuse. */
}

void *arena_alloc(arena *a, size_t n) {
    const size_t align = alignof(max_align_t);
    n = (n + align - 1) & ~(align - 1);
    if (!a->head || a->used + n > a->size) {
        /* Large requests get a block of their own so they do not waste the current one. */
        size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
        arena_block *b = xmalloc(sizeof(arena_block) + size);
        if (n > ARENA_BLOCK / 4 && a->head) {
            b->next = a->head->next;
            a->head->next = b;
            memset(b->data, 0, n);
            return b->data;
        }
        b->next = a->head;
        a->head = b;
        a->used = 0;
        a->size = size;
    }
    void *p = a->head->data + a->used;
    a->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1);
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s) {
    return arena_strndup(a, s, strlen(s));
}
