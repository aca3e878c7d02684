#include "state.h"
#include "fileio.h"
#include "buf.h"

#include <cJSON.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int state_open(state_dir *s, const char *explicit_dir, const char *codex_home, diag *err) {
    s->lock_fd = -1;
    if (explicit_dir && *explicit_dir)
        s->dir = xstrdup(explicit_dir);
    else
        s->dir = xasprintf("%s/codex-mock-state", codex_home);
    /* One mkdir() when the parent exists (every call but the first); the whole path if not. */
    bool made = mkdir(s->dir, 0755) == 0 || errno == EEXIST;
    if (!made && fileio_mkdirs(s->dir, 0755) < 0) {
        diag_set(err, NULL, 0, 0, "CODEX_MOCK_STATE: cannot create %s: %s", s->dir,
                 strerror(errno));
        return -1;
    }
    return 0;
}

void state_close(state_dir *s) {
    if (s->lock_fd >= 0) close(s->lock_fd);
    free(s->dir);
    s->dir = NULL;
    s->lock_fd = -1;
}

static int lock(state_dir *s, diag *err) {
    char *path = xasprintf("%s/lock", s->dir);
    s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX) != 0) {
        diag_set(err, NULL, 0, 0, "cannot lock %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    free(path);
    return 0;
}

static void unlock(state_dir *s) {
    if (s->lock_fd >= 0) {
        flock(s->lock_fd, LOCK_UN);
        close(s->lock_fd);
    }
    s->lock_fd = -1;
}

static cJSON *read_counters(const char *path) {
    char *text = fileio_read_file(path, 0, NULL);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    return cJSON_IsObject(j) ? j : (cJSON_Delete(j), cJSON_CreateObject());
}

/* Writes text to path so that readers see the old counters or the new ones, whole. */
static int write_atomic(const char *path, const char *text, diag *err) {
    if (fileio_write_atomic(path, text, strlen(text), 0644) == 0) return 0;
    diag_set(err, NULL, 0, 0, "cannot write %s: %s", path, strerror(errno));
    return -1;
}

static long bump(cJSON *obj, const char *key) {
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    long n = cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
    if (v)
        cJSON_SetNumberValue(v, (double)(n + 1));
    else
        cJSON_AddNumberToObject(obj, key, (double)(n + 1));
    return n;
}

/* The invocation counter is a file that grows by one byte per call: an O_APPEND write()
 * lands at the end under the kernel's inode lock, and leaves our offset just after our byte,
 * so the offset is a number no other call gets — no lock, no rewrite, no rename (which on ext4
 * also pushes the new file's data to disk: the dearest part of a start-up). */
static int tally_next(state_dir *s, long *invocation, diag *err) {
    char *path = xasprintf("%s/invocations", s->dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    ssize_t w = -1;
    if (fd >= 0) {
        do
            w = write(fd, "\n", 1);
        while (w < 0 && errno == EINTR);
    }
    off_t end = w == 1 ? lseek(fd, 0, SEEK_CUR) : -1;
    if (end <= 0) {
        diag_set(err, NULL, 0, 0, "cannot count invocations in %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        free(path);
        return -1;
    }
    close(fd);
    free(path);
    *invocation = (long)end;
    return 0;
}

int state_next(state_dir *s, const char *const *keys, size_t n, long *invocation, long *positions,
               diag *err) {
    if (invocation && tally_next(s, invocation, err) < 0) return -1;
    if (n == 0) return 0;
    if (lock(s, err) < 0) return -1;
    char *path = xasprintf("%s/counters.json", s->dir);
    cJSON *c = read_counters(path);
    cJSON_DeleteItemFromObjectCaseSensitive(c, "invocations"); /* kept there before 2026-11 */
    cJSON *seq = cJSON_GetObjectItemCaseSensitive(c, "sequences");
    if (!cJSON_IsObject(seq)) {
        cJSON_DeleteItemFromObjectCaseSensitive(c, "sequences");
        seq = cJSON_AddObjectToObject(c, "sequences");
    }
    for (size_t i = 0; i < n; i++)
        positions[i] = bump(seq, keys[i]);
    char *text = cJSON_Print(c);
    int rc = write_atomic(path, text, err);
    free(text);
    cJSON_Delete(c);
    free(path);
    unlock(s);
    return rc;
}

/* No lock: an O_APPEND write() is placed and copied under the kernel's inode lock, so
 * concurrent lines never interleave. */
int state_journal_append(state_dir *s, const char *json_line, size_t len, diag *err) {
    char *path = xasprintf("%s/journal.jsonl", s->dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int rc = 0;
    if (fd < 0) {
        diag_set(err, NULL, 0, 0, "cannot append to %s: %s", path, strerror(errno));
        rc = -1;
    } else {
        buf b;
        buf_init(&b);
        buf_append(&b, json_line, len);
        buf_putc(&b, '\n');
        if (fileio_write_all(fd, b.data, b.len) < 0) {
            diag_set(err, NULL, 0, 0, "cannot append to %s: %s", path, strerror(errno));
            rc = -1;
        }
        buf_free(&b);
        close(fd);
    }
    free(path);
    return rc;
}

int state_reset(state_dir *s, diag *err) {
    if (lock(s, err) < 0) return -1;
    const char *names[] = {"counters.json", "journal.jsonl", "invocations"};
    int rc = 0;
    for (size_t i = 0; i < 3; i++) {
        char *p = xasprintf("%s/%s", s->dir, names[i]);
        if (unlink(p) != 0 && errno != ENOENT) {
            diag_set(err, NULL, 0, 0, "cannot remove %s: %s", p, strerror(errno));
            rc = -1;
        }
        free(p);
    }
    unlock(s);
    return rc;
}
