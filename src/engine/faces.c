#include "faces.h"

#include <stddef.h>

static bool has_raw_stdout(const turn *turns, size_t n_turns) {
    for (size_t t = 0; t < n_turns; t++)
        for (size_t k = 0; k < turns[t].n_steps; k++)
            if (turns[t].steps[k].kind == STEP_RAW) return true;
    return false;
}

/* handshake faults, protocol faults, a drip: only the app-server plays them */
static bool app_server_only(const scenario *sc) {
    return sc->n_handshake[0] || sc->n_handshake[1] || sc->n_proto_faults || sc->drip_ns;
}

const char *scenario_exec_only_reason(const scenario *sc) {
    if (sc->faces) return sc->faces == FACE_EXEC ? "`faces: [exec]` in the file" : NULL;
    if (app_server_only(sc)) return NULL;
    if (sc->no_implicit_events) return "implicit_events: false (it writes exec's stream itself)";
    if (sc->cli.before_prompt) return "cli.before_prompt (a configuration-time failure of exec)";
    if (sc->sigint_kills) return "on_sigint: die (`codex login`)";
    if (has_raw_stdout(sc->turns, sc->n_turns)) return "raw: bytes on stdout (exec's JSONL)";
    return NULL;
}

unsigned scenario_faces(const scenario *sc) {
    if (sc->faces) return sc->faces;
    if (app_server_only(sc)) return FACE_APP_SERVER;
    return scenario_exec_only_reason(sc) ? FACE_EXEC : FACE_ALL;
}

const char *faces_name(unsigned faces) {
    switch (faces & FACE_ALL) {
    case FACE_EXEC:
        return "exec";
    case FACE_APP_SERVER:
        return "app-server";
    case FACE_ALL:
        return "exec,app-server";
    default:
        return "";
    }
}
