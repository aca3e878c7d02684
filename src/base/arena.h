/* arena — bump allocator for data that lives as long as one scenario model.
 *
 * Owns every block it hands out; arena_free() releases them all at once, so the scenario
 * loader never has to free a string or a step on its own. Allocation failure aborts (see buf.h).
 * Returned memory is zeroed and aligned for any type. */
#ifndef CODEX_MOCK_ARENA_H
#define CODEX_MOCK_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct {
    arena_block *head;
    size_t used; /* bytes used in head */
    size_t size; /* capacity of head */
} arena;

void arena_init(arena *a);
void arena_free(arena *a);
/* Forgets every allocation but keeps one block for reuse (per-step scratch memory). */
void arena_reset(arena *a);
void *arena_alloc(arena *a, size_t n);
/* Copies n bytes and adds a NUL terminator (the copy may itself contain NULs). */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);

#endif
