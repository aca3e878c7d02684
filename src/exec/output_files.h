/* output_files — `-o/--output-last-message FILE` and `--output-schema FILE`
 * (docs/behaviour.md#output-files).
 *
 * -o: last_message_open() is the start-up step (after the prompt, schema and git checks): the
 * file is created if missing (mode 0666 & ~umask) and never truncated, so a run that fails
 * leaves a new file empty and an old one unchanged. The sink writes the final message with no
 * trailing newline when the turn completed without a turn.failed (no message: an empty file),
 * atomically (fileio_write_atomic: a temp file beside it, then rename(), keeping an existing
 * file's mode). A write failure is reported on stderr as the real CLI words it and does not
 * change the exit code.
 *
 * --output-schema: output_schema_load() reads the file as the real CLI does (UTF-8 text, then
 * serde_json; any JSON value is accepted) and returns the real error texts. The sink checks
 * the final message of a completed turn against the schema (schema_validate.h); the real CLI
 * never does, so a mismatch only adds a `codex-mock: …` warning on stderr — and in strict mode
 * (the 0.60-era behaviour) st->mismatch tells the caller to exit non-zero.
 *
 * Error texts are heap strings (no trailing newline) for the caller to print and free. The
 * sink states are owned by the caller and must outlive the run; output_schema_free() releases
 * the parsed schema. */
#ifndef CODEX_MOCK_OUTPUT_FILES_H
#define CODEX_MOCK_OUTPUT_FILES_H

#include "sink.h"

#include <cJSON.h>
#include <stdbool.h>

/* 0, or -1 with *err = `Error: Failed to open last message file "<path>": <os error>`. */
int last_message_open(const char *path, char **err);

typedef struct {
    const char *path;
} last_message_state;

sink sink_last_message(last_message_state *st, const char *path);

/* 0 with *schema set, or -1 with *err = `Failed to read output schema file <path>: <os error>`
 * or `Output schema file <path> is not valid JSON: <serde_json error>`. */
int output_schema_load(const char *path, cJSON **schema, char **err);

typedef struct {
    const cJSON *schema;
    const char *path;
    bool strict;
    bool mismatch; /* out: the final message did not satisfy the schema */
} schema_state;

sink sink_output_schema(schema_state *st, const cJSON *schema, const char *path, bool strict);

#endif
