#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int fileio_read_fd(int fd, buf *out) {
    for (;;) {
        /* read into the room there is; grow (doubling) only when it is full, so a file whose
         * size the caller reserved for is read without a second allocation */
        if (out->cap - out->len < 2) buf_reserve(out, out->cap > 4096 ? out->cap : 4096);
        out->data[out->len] = '\0'; /* also when the first read finds the file empty */
        ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) return 0;
        out->len += (size_t)n;
        out->data[out->len] = '\0';
    }
}

int fileio_write_all(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        if (w == 0) { /* not for a regular file or a pipe; a device that takes nothing */
            errno = EIO;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

char *fileio_read_file(const char *path, size_t size_hint, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    buf b;
    buf_init(&b);
    if (size_hint) buf_reserve(&b, size_hint + 1);
    int rc = fileio_read_fd(fd, &b);
    int e = errno;
    close(fd);
    if (rc < 0) {
        buf_free(&b);
        errno = e;
        return NULL;
    }
    if (len) *len = b.len;
    return b.data ? buf_detach(&b) : xstrdup("");
}

int fileio_write_atomic(const char *path, const void *data, size_t len, int mode_if_new) {
    char *tmp = xasprintf("%s.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        errno = e;
        return -1;
    }
    struct stat st;
    mode_t mode;
    if (stat(path, &st) == 0) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = (mode_t)mode_if_new & ~mask;
    }
    bool ok = fchmod(fd, mode) == 0 && fileio_write_all(fd, data, len) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) ok = false, e = errno;
    if (ok && rename(tmp, path) != 0) ok = false, e = errno;
    if (!ok) unlink(tmp);
    free(tmp);
    errno = e;
    return ok ? 0 : -1;
}

int fileio_mkdirs(const char *path, int mode) {
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            errno = e;
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, (mode_t)mode) != 0 && errno != EEXIST ? -1 : 0;
    int e = errno;
    free(p);
    errno = e;
    return rc;
}
