/* as_faults — the app-server's protocol faults (the scenario's `protocol_faults:` and `drip:`,
 * docs/app-server.md#protocol-faults) and its CODEX_MOCK_CHAOS keys (#chaos). Internal to
 * src/appserver; the state lives in as_server (s->faults), freed by as_faults_free().
 *
 *   wrong_id / no_answer  a request of the method is handled as usual, but the line that
 *                         answers it carries another id / is never written (as_faults_request
 *                         notes the id; as_faults_line rewrites or drops the answer)
 *   request_before_answer turn/start's channel holds its lines (the answer, turn/started, …)
 *                         until the turn's first server request, which goes out ahead of them
 *                         (or until turn/completed, when the turn asks nothing)
 *   ghost_thread          each turn/start also starts the same turn on a thread the client
 *                         never started; its answer is dropped, its notifications interleave
 *   drip                  stdout is written one byte at a time, drip_ns apart (not scaled by
 *                         CODEX_MOCK_SPEED: a transport fault, not a pace)
 *
 * Chaos draws come from the faults' own rng, seeded from CODEX_MOCK_SEED, so the server's own
 * ids and timing are the same with and without chaos. Nothing here prints or fails. */
#ifndef CODEX_MOCK_AS_FAULTS_H
#define CODEX_MOCK_AS_FAULTS_H

#include "as_rpc.h"
#include "buf.h"
#include "chaos.h"
#include "rng.h"
#include "scenario.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct as_server as_server;
typedef struct as_out as_out;
struct as_chan_s;

/* An answer to change: the request's id, and what becomes of its line. */
typedef struct as_fault_answer {
    as_id id;
    int action; /* AF_* */
    as_id wrong;
    int exit_code;
    struct as_fault_answer *next;
} as_fault_answer;

enum {
    AF_GO = 0,    /* as_faults_line: write on */
    AF_EXIT,      /* the process exits with *code once what is written is out */
    AF_CLOSE,     /* stdout closes after what is written; the process lives on */
    AF_DROP = 10, /* as_fault_answer actions */
    AF_REWRITE,
    AF_EXIT_AFTER,
};

typedef struct {
    chaos_spec chaos; /* the app-server's keys of CODEX_MOCK_CHAOS (or the scenario's chaos:) */
    bool chaos_on;
    rng rng;
    chaos_spec plan_chaos; /* the whole spec, for the planner's reconnect/stall/fail draws */
    rng plan_rng;
    int64_t drip_ns; /* 0: no drip */
    uint64_t drip_timer;
    as_fault_answer *answers;
    bool hold_next; /* the next channel made (turn/start's turn) holds its lines */
    long ghosts;
} as_faults;

/* Set-up, once the scenario is loaded: `chaos` (CODEX_MOCK_CHAOS, or NULL: the scenario's),
 * the seed (has_seed false: a random one). */
void as_faults_init(as_server *s, const chaos_spec *chaos, bool has_seed, uint64_t seed);
void as_faults_free(as_server *s);

/* The scenario's fault of `kind` for requests of `method`, or NULL. */
const proto_fault *as_faults_find(const as_server *s, const char *method, proto_fault_kind kind);

/* A request about to be dispatched: notes what becomes of its answer (wrong_id, no_answer,
 * chaos exit_at_turn_start). */
void as_faults_request(as_server *s, const as_msg *m);

/* turn/start: true when its turn's channel is to hold its lines (request_before_answer). */
bool as_faults_hold_turn(as_server *s, const char *method);

/* The id a ghost turn's turn/start is "answered" with; that answer is dropped. Caller frees. */
as_id as_faults_ghost_id(as_server *s);

/* The chaos draw at initialize: 0 nothing, else the step to play after the answer (exit 1 or
 * SIGKILL), filled in *st. */
bool as_faults_initialize(as_server *s, struct step *st);

/* One line about to be written, at line->data + from (to the end of the buf): rewritten,
 * dropped or torn in place. Returns AF_GO, or AF_EXIT with *code / AF_CLOSE: the caller writes
 * what the buf holds and then exits or closes stdout. */
int as_faults_line(as_server *s, bool is_notification, buf *line, size_t from, int *code);

/* Channel holding (request_before_answer): true when `o` was held (not queued). */
bool as_faults_hold(struct as_chan_s *c, as_out *o, bool server_request, bool turn_end);
/* Moves the held lines behind the channel's tail (due no earlier than it). */
void as_faults_release(struct as_chan_s *c);
/* Frees what the channel holds. */
void as_faults_chan_clear(struct as_chan_s *c);

#endif
