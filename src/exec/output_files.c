#include "output_files.h"
#include "json_check.h"
#include "preflight.h"
#include "schema_validate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int last_message_open(const char *path, char **err) {
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        buf b;
        buf_init(&b);
        buf_printf(&b, "Error: Failed to open last message file \"%s\": ", path);
        os_error(&b, errno);
        *err = buf_detach(&b);
        return -1;
    }
    close(fd);
    return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len, int mode_if_new) {
    char *tmp = xasprintf("%s.XXXXXX", path);
    int fd = mkstemp(tmp);
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
    bool ok = fchmod(fd, mode) == 0;
    for (size_t off = 0; ok && off < len;) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0)
            ok = false;
        else
            off += (size_t)w;
    }
    int e = errno;
    if (close(fd) != 0 && ok) ok = false, e = errno;
    if (ok && rename(tmp, path) != 0) ok = false, e = errno;
    if (!ok) unlink(tmp);
    free(tmp);
    errno = e;
    return ok ? 0 : -1;
}

static bool succeeded(const play_end *end) {
    return end->reason == END_EXIT && end->turn_completed && !end->turn_failed;
}

static void last_message_end(void *ctx, const play_end *end, buf *out, buf *err) {
    (void)out;
    last_message_state *st = ctx;
    if (!succeeded(end)) return; /* the file stays as start-up left it */
    const char *msg = end->final_message ? end->final_message : "";
    size_t len = end->final_message ? end->final_len : 0;
    if (write_file_atomic(st->path, msg, len, 0666) < 0) {
        buf_printf(err, "Failed to write last message file \"%s\": ", st->path);
        os_error(err, errno);
        buf_putc(err, '\n');
    }
}

sink sink_last_message(last_message_state *st, const char *path) {
    st->path = path;
    return (sink){st, NULL, last_message_end, NULL};
}

int output_schema_load(const char *path, cJSON **schema, char **err) {
    *schema = NULL;
    buf b, text;
    buf_init(&b);
    buf_init(&text);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int e = 0;
    if (fd < 0) {
        e = errno;
    } else {
        char tmp[65536];
        for (;;) {
            ssize_t n = read(fd, tmp, sizeof tmp);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) e = errno;
            if (n <= 0) break;
            buf_append(&text, tmp, (size_t)n);
        }
        close(fd);
    }
    const char *data = text.data ? text.data : "";
    if (e) {
        buf_printf(&b, "Failed to read output schema file %s: ", path);
        os_error(&b, e);
    } else if (!json_utf8_valid(data, text.len)) {
        buf_printf(&b, "Failed to read output schema file %s: stream did not contain valid UTF-8",
                   path);
    } else {
        buf why;
        buf_init(&why);
        if (!json_check(data, text.len, &why)) {
            buf_printf(&b, "Output schema file %s is not valid JSON: %s", path, why.data);
        } else {
            *schema = cJSON_ParseWithLength(data, text.len);
            if (!*schema) /* cJSON is stricter somewhere serde_json is not */
                buf_printf(&b, "Output schema file %s is not valid JSON: unsupported by codex-mock",
                           path);
        }
        buf_free(&why);
    }
    buf_free(&text);
    if (*schema) {
        buf_free(&b);
        return 0;
    }
    *err = buf_detach(&b);
    return -1;
}

static void schema_end(void *ctx, const play_end *end, buf *out, buf *err) {
    (void)out;
    schema_state *st = ctx;
    if (!succeeded(end)) return;
    const char *msg = end->final_message ? end->final_message : "";
    size_t len = end->final_message ? end->final_len : 0;
    buf why;
    buf_init(&why);
    buf syntax;
    buf_init(&syntax);
    cJSON *v = json_utf8_valid(msg, len) && json_check(msg, len, &syntax)
                   ? cJSON_ParseWithLength(msg, len)
                   : NULL;
    buf_free(&syntax);
    bool ok = v && schema_validate(st->schema, v, &why);
    if (!ok) {
        st->mismatch = true;
        buf_printf(err, "codex-mock: the final message does not satisfy --output-schema %s: %s%s\n",
                   st->path, v ? why.data : "it is not JSON",
                   st->strict ? " (strict: exit 1)" : "");
    }
    cJSON_Delete(v);
    buf_free(&why);
}

sink sink_output_schema(schema_state *st, const cJSON *schema, const char *path, bool strict) {
    st->schema = schema;
    st->path = path;
    st->strict = strict;
    st->mismatch = false;
    return (sink){st, NULL, schema_end, NULL};
}
