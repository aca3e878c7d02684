/* fileio — reading a whole file, and replacing one atomically.
 *
 * Contract: every function returns 0 (or a pointer) on success and -1 (or NULL) on failure with
 * errno saying why, and prints nothing: the caller turns errno into its own text — a diag
 * (codex-mock's own errors) or the real CLI's wording in a buf (see diag.h). What a function
 * returns is the caller's to free(). An interrupted system call (EINTR) is retried, never an
 * error. Allocation failure aborts (buf.h). */
#ifndef CODEX_MOCK_FILEIO_H
#define CODEX_MOCK_FILEIO_H

#include "buf.h"

#include <stddef.h>

/* Appends everything left on `fd` up to end of file to `out`; `fd` stays open. 0, or -1 with
 * errno on a read error (the bytes read before it stay in `out`). */
int fileio_read_fd(int fd, buf *out);

/* Writes all `len` bytes to `fd` (a short write is continued). 0, or -1 with errno (EPIPE:
 * the reader is gone). */
int fileio_write_all(int fd, const void *data, size_t len);

/* The whole of `path`, NUL-terminated (the NUL is not counted in *len; `len` may be NULL), or
 * NULL with errno when it cannot be opened or read (a directory: EISDIR). `size_hint` is how
 * big the caller expects it to be (0: unknown); the file may be bigger. Caller frees. */
char *fileio_read_file(const char *path, size_t size_hint, size_t *len);

/* Replaces `path` with `len` bytes so that a reader sees the old file or the new one, whole:
 * the bytes go to a fresh temporary `PATH.XXXXXX` beside it (mkstemp), which is then renamed
 * over `path`. An existing file keeps its permission bits; a new one gets `mode_if_new` less
 * the umask. On failure the temporary is removed and `path` is untouched: -1 with errno. */
int fileio_write_atomic(const char *path, const void *data, size_t len, int mode_if_new);

/* Creates `path` and every missing folder above it with `mode` (less the umask), as `mkdir -p`:
 * 0 when it exists afterwards (already there counts), or -1 with errno from the first mkdir that
 * failed for another reason than EEXIST. */
int fileio_mkdirs(const char *path, int mode);

#endif
