/* as_lines — newline-delimited input as the real app-server reads stdin (Rust's
 * `BufRead::lines()`): a line ends at "\n" (a "\r" before it is dropped too), may be of any
 * length and may arrive in any number of reads; at EOF a last line without its newline still
 * counts. A line that is not valid UTF-8 is an error that ends reading ("stream did not contain
 * valid UTF-8").
 *
 * Feed what read() gave with as_lines_feed(), then take lines with as_lines_next() until it
 * returns 0. The line it hands out points into the reader's buffer and is valid until the next
 * feed or next call. Scanning is incremental: a 50 MB line costs one pass, however it arrives.
 * Owns its buffer: as_lines_free(). */
#ifndef CODEX_MOCK_AS_LINES_H
#define CODEX_MOCK_AS_LINES_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    buf data;
    size_t head; /* start of the first unconsumed byte */
    size_t scan; /* bytes from head already known to hold no "\n" */
    bool eof;
} as_lines;

void as_lines_init(as_lines *r);
void as_lines_free(as_lines *r);
void as_lines_feed(as_lines *r, const char *p, size_t n);
void as_lines_eof(as_lines *r);
/* 1: *line / *len hold the next line (without its end); 0: none complete yet (or, after EOF,
 * none left); -1: the next line is not valid UTF-8 (reading must stop). */
int as_lines_next(as_lines *r, const char **line, size_t *len);

#endif
