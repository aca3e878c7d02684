/* Which faces of the fake (`codex exec`, `codex app-server`) can play a scenario
 * (docs/format.md "faces"). `faces:` in the file says it outright; without it the answer is
 * read from what the scenario uses. Pure functions of the loaded model: nothing allocated. */
#ifndef CODEX_MOCK_FACES_H
#define CODEX_MOCK_FACES_H

#include "scenario.h"

#define FACE_EXEC 1u
#define FACE_APP_SERVER 2u
#define FACE_ALL (FACE_EXEC | FACE_APP_SERVER)

/* FACE_* bits: `faces:` when given; else FACE_APP_SERVER alone for a scenario with
 * `before_initialize:` / `after_initialize:` steps; else FACE_EXEC alone for one that is exec's
 * by what it uses (it writes the whole stream itself with `implicit_events: false`, fails at
 * configuration time with `cli.before_prompt`, dies on SIGINT as `codex login` with
 * `on_sigint: die`, or writes `raw:` bytes to stdout, which are exec's JSONL); else FACE_ALL.
 * A streamed scenario (turns not in the model) counts its loaded part only. */
unsigned scenario_faces(const scenario *sc);

/* Why scenario_faces() gave FACE_EXEC alone ("`faces:` says so", "implicit_events: false", …),
 * or NULL when the scenario plays in the app-server face. A static string. */
const char *scenario_exec_only_reason(const scenario *sc);

/* "exec", "app-server" or "exec,app-server": a static string for FACE_* bits (0 → ""). */
const char *faces_name(unsigned faces);

#endif
