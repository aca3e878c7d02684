/* schema_validate — does a JSON value satisfy a JSON Schema? (for --output-schema, §7.1)
 *
 * The real CLI sends the schema to the model (strict structured output) and never checks the
 * reply; codex-mock checks the scenario's final message so a scenario author learns when a
 * scripted reply could not have come from a model held to that schema.
 *
 * Works on cJSON values, borrows both. Supported keywords: boolean schemas, `type` (a name or
 * a list; `integer` = a number with no fractional part), `properties`, `required`,
 * `additionalProperties` (boolean or schema), `items` (one schema), `prefixItems`, `minItems`,
 * `maxItems`, `enum`, `const` (deep equality, numbers by value, objects regardless of key
 * order), `anyOf`, `allOf`, `oneOf`, `not`, `$ref` to a JSON pointer inside the same document
 * (`#`, `#/$defs/x`, `#/definitions/x`, with ~0 ~1 escapes), `minLength`/`maxLength`
 * (counted in Unicode code points), `pattern` (POSIX extended regex: ECMA-only syntax such as
 * \d or lookahead is not understood and the keyword is then ignored), `minimum`, `maximum`,
 * `exclusiveMinimum`, `exclusiveMaximum`. Unknown keywords (format, description, …) are
 * ignored, as validators do.
 *
 * schema_validate() returns true when `value` satisfies `schema`; otherwise false and appends
 * one line (no newline) to *why naming the first failure and where it is, as a JSON pointer:
 * `/items/0/name: expected string, found number`. `$ref` chains deeper than 64 fail. */
#ifndef CODEX_MOCK_SCHEMA_VALIDATE_H
#define CODEX_MOCK_SCHEMA_VALIDATE_H

#include "buf.h"

#include <cJSON.h>
#include <stdbool.h>

bool schema_validate(const cJSON *schema, const cJSON *value, buf *why);

#endif
