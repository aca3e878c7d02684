/* scrub — secret filters for recordings, in the spirit of VCR's filter_sensitive_data:
 * every match is replaced by a `<NAME>` placeholder before anything is written to disk.
 *
 * Defaults (scrub_defaults): OpenAI-style API keys (`sk-…`), bearer tokens (`Bearer …`), and
 * the values (6 characters or more) of environment variables whose names contain KEY, TOKEN,
 * SECRET or PASSWORD (case-insensitive), replaced by `<VARNAME>`. User filters are
 * `NAME=REGEX` (POSIX extended): the whole match is replaced by `<NAME>`, or only the first
 * parenthesised group when the pattern has one. A filter file holds one `NAME=REGEX` per line
 * (blank lines and `#` comments skipped).
 *
 * The scrubber owns its rules: scrub_free(). Adding a filter returns 0, or -1 with *err filled
 * (a bad pattern, no `=`, an unreadable file). scrub_apply() never fails; it returns a heap
 * copy (caller frees) and works on binary data (NUL bytes are kept and never matched across). */
#ifndef CODEX_MOCK_SCRUB_H
#define CODEX_MOCK_SCRUB_H

#include "buf.h"
#include "diag.h"

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *name;
    regex_t re;
    bool group; /* replace only group 1 */
} scrub_rule;

typedef struct {
    char *name, *value;
} scrub_literal;

typedef struct {
    scrub_rule *rules;
    size_t n_rules;
    scrub_literal *lits; /* longest first */
    size_t n_lits;
} scrubber;

void scrub_init(scrubber *s);
void scrub_free(scrubber *s);
/* The built-in rules, and the sensitive values of `env` (NULL-terminated "NAME=value"). */
void scrub_defaults(scrubber *s, char *const *env);
/* True for a variable name that holds a secret (…KEY…, …TOKEN…, …SECRET…, …PASSWORD…). */
bool scrub_sensitive_name(const char *name);
int scrub_add_filter(scrubber *s, const char *spec, diag *err);
int scrub_add_file(scrubber *s, const char *path, diag *err);
/* A literal value to replace by <name> (ignored when shorter than 6 bytes). */
void scrub_add_literal(scrubber *s, const char *name, const char *value);
char *scrub_apply(const scrubber *s, const char *in, size_t len, size_t *out_len);

#endif
