#include "output_files.h"
#include "fileio.h"
#include "json_check.h"
#include "preflight.h"
#include "schema_validate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static bool succeeded(const play_end *end) {
    return end->reason == END_EXIT && end->turn_completed && !end->turn_failed;
}

static void last_message_end(void *ctx, const play_end *end, buf *out, buf *err) {
    (void)out;
    last_message_state *st = ctx;
    if (!succeeded(end)) return; /* the file stays as start-up left it */
    const char *msg = end->final_message ? end->final_message : "";
    size_t len = end->final_message ? end->final_len : 0;
    if (fileio_write_atomic(st->path, msg, len, 0666) < 0) {
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
    buf b;
    buf_init(&b);
    size_t len = 0;
    char *data = fileio_read_file(path, 0, &len);
    int e = data ? 0 : errno;
    if (e) {
        buf_printf(&b, "Failed to read output schema file %s: ", path);
        os_error(&b, e);
    } else if (!json_utf8_valid(data, len)) {
        buf_printf(&b, "Failed to read output schema file %s: stream did not contain valid UTF-8",
                   path);
    } else {
        buf why;
        buf_init(&why);
        if (!json_check(data, len, &why)) {
            buf_printf(&b, "Output schema file %s is not valid JSON: %s", path, why.data);
        } else {
            *schema = cJSON_ParseWithLength(data, len);
            if (!*schema) /* cJSON is stricter somewhere serde_json is not */
                buf_printf(&b, "Output schema file %s is not valid JSON: unsupported by codex-mock",
                           path);
        }
        buf_free(&why);
    }
    free(data);
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
