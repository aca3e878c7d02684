/* as_faults — see as_faults.h. */
#include "as_server.h"

#include "buf.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void as_faults_init(as_server *s, const chaos_spec *chaos, bool has_seed, uint64_t seed) {
    as_faults *f = &s->faults;
    memset(f, 0, sizeof *f);
    const chaos_spec *c = chaos ? chaos : s->have_sc ? &s->sc.chaos : NULL;
    if (c) f->plan_chaos = *c;
    if (c && chaos_app_server(c)) {
        f->chaos = *c;
        f->chaos_on = true;
    }
    if (!has_seed) seed = (uint64_t)s->clk->mono_ns(s->clk) ^ ((uint64_t)getpid() << 32);
    rng_seed(&f->rng, seed ^ UINT64_C(0xfa017fa017fa017));
    rng_seed(&f->plan_rng, seed ^ UINT64_C(0xc4a05c4a05c4a05));
    f->drip_ns = s->have_sc ? s->sc.drip_ns : 0;
    if (f->chaos_on && f->chaos.drip > 0 && rng_uniform(&f->rng) < f->chaos.drip)
        f->drip_ns = f->chaos.drip_ns;
}

static void answer_free(as_fault_answer *a) {
    as_id_free(&a->id);
    as_id_free(&a->wrong);
    free(a);
}

void as_faults_free(as_server *s) {
    as_fault_answer *a = s->faults.answers;
    while (a) {
        as_fault_answer *n = a->next;
        answer_free(a);
        a = n;
    }
    s->faults.answers = NULL;
}

const proto_fault *as_faults_find(const as_server *s, const char *method, proto_fault_kind kind) {
    if (!s->have_sc || !method) return NULL;
    for (size_t i = 0; i < s->sc.n_proto_faults; i++) {
        const proto_fault *pf = &s->sc.proto_faults[i];
        if (pf->kind == kind && !strcmp(pf->method.ptr, method)) return pf;
    }
    return NULL;
}

static as_fault_answer *note(as_server *s, const as_id *id, int action) {
    as_fault_answer *a = xcalloc(1, sizeof *a);
    a->id = as_id_copy(id);
    a->action = action;
    /* in request order: a client reusing an id meets the first rule first */
    as_fault_answer **pp = &s->faults.answers;
    while (*pp)
        pp = &(*pp)->next;
    *pp = a;
    return a;
}

/* wrong_id without `id:`: an integer id + 1000, a string id with "-wrong" after it */
static as_id wrong_of(const as_id *id) {
    as_id w = {0};
    if (id->is_string) {
        w.is_string = true;
        w.s = xasprintf("%.*s-wrong", (int)id->len, id->s);
        w.len = strlen(w.s);
    } else {
        w.i = id->i + 1000;
    }
    return w;
}

static bool draw(as_faults *f, double p) {
    return f->chaos_on && p > 0 && rng_uniform(&f->rng) < p;
}

void as_faults_request(as_server *s, const as_msg *m) {
    as_faults *f = &s->faults;
    const proto_fault *pf;
    if (as_faults_find(s, m->method, PROTO_NO_ANSWER)) {
        note(s, &m->id, AF_DROP);
        return;
    }
    if ((pf = as_faults_find(s, m->method, PROTO_WRONG_ID))) {
        as_fault_answer *a = note(s, &m->id, AF_REWRITE);
        if (!pf->has_id) {
            a->wrong = wrong_of(&m->id);
        } else if (pf->id_is_text) {
            a->wrong.is_string = true;
            a->wrong.s = xstrndup(pf->id_text.ptr, pf->id_text.len);
            a->wrong.len = pf->id_text.len;
        } else {
            a->wrong.i = pf->id_int;
        }
        return;
    }
    if (!f->chaos_on) return;
    if (draw(f, f->chaos.no_answer)) {
        note(s, &m->id, AF_DROP);
        return;
    }
    if (draw(f, f->chaos.wrong_id)) {
        as_fault_answer *a = note(s, &m->id, AF_REWRITE);
        a->wrong = wrong_of(&m->id);
        return;
    }
    if (m->method && !strcmp(m->method, "turn/start") && draw(f, f->chaos.exit_at_turn_start)) {
        as_fault_answer *a = note(s, &m->id, AF_EXIT_AFTER);
        a->exit_code = 1;
    }
}

bool as_faults_hold_turn(as_server *s, const char *method) {
    return as_faults_find(s, method, PROTO_REQUEST_BEFORE_ANSWER) != NULL;
}

as_id as_faults_ghost_id(as_server *s) {
    as_id id = {0};
    id.is_string = true;
    id.s = xasprintf("codex-mock-ghost-%ld", ++s->faults.ghosts);
    id.len = strlen(id.s);
    note(s, &id, AF_DROP);
    return id;
}

bool as_faults_initialize(as_server *s, struct step *st) {
    as_faults *f = &s->faults;
    if (!f->chaos_on) return false;
    memset(st, 0, sizeof *st);
    if (draw(f, f->chaos.exit_after_initialize)) {
        st->kind = STEP_EXIT;
        st->u.exit_code = 1;
        return true;
    }
    if (draw(f, f->chaos.kill_after_initialize)) {
        st->kind = STEP_SIGNAL;
        st->u.signal = SIGKILL;
        return true;
    }
    return false;
}

/* Where the id of an answer line is: {"id":ID,"result":…} or {"error":…,"id":ID}\n. */
static bool find_id(const char *p, size_t n, const as_id *id, size_t *at, size_t *len) {
    buf b;
    buf_init(&b);
    as_id_write(&b, id);
    bool found = false;
    if (n > 7 + b.len && !memcmp(p, "{\"id\":", 6) && !memcmp(p + 6, b.data, b.len) &&
        p[6 + b.len] == ',') {
        *at = 6;
        found = true;
    } else if (n > 9 + b.len && !memcmp(p, "{\"error\":", 9) && p[n - 1] == '\n' &&
               p[n - 2] == '}' && !memcmp(p + n - 2 - b.len, b.data, b.len) &&
               !memcmp(p + n - 2 - b.len - 6, ",\"id\":", 6)) {
        *at = n - 2 - b.len;
        found = true;
    }
    *len = b.len;
    buf_free(&b);
    return found;
}

int as_faults_line(as_server *s, bool is_notification, buf *line, size_t from, int *code) {
    as_faults *f = &s->faults;
    if (!is_notification) {
        for (as_fault_answer **pp = &f->answers; *pp; pp = &(*pp)->next) {
            as_fault_answer *a = *pp;
            size_t at, len;
            if (!find_id(line->data + from, line->len - from, &a->id, &at, &len)) continue;
            *pp = a->next;
            int act = AF_GO;
            if (a->action == AF_DROP) {
                line->len = from;
                line->data[from] = '\0';
            } else if (a->action == AF_REWRITE) {
                buf tail;
                buf_init(&tail);
                size_t end = from + at + len;
                buf_append(&tail, line->data + end, line->len - end);
                line->len = from + at;
                as_id_write(line, &a->wrong);
                buf_append(line, tail.data, tail.len);
                buf_free(&tail);
            } else if (a->action == AF_EXIT_AFTER) {
                *code = a->exit_code;
                act = AF_EXIT;
            }
            answer_free(a);
            if (act != AF_GO) return act;
            break;
        }
    }
    if (!f->chaos_on || line->len <= from) return AF_GO;
    if (draw(f, f->chaos.torn)) {
        size_t n = line->len - from;
        line->len = from + (n > 1 ? n / 2 : n);
        line->data[line->len] = '\0';
        *code = 0;
        return AF_EXIT;
    }
    if (draw(f, f->chaos.close_stdout)) return AF_CLOSE;
    return AF_GO;
}

bool as_faults_hold(as_chan *c, as_out *o, bool server_request, bool turn_end) {
    if (!c->holding) return false;
    if (server_request || turn_end) {
        c->holding = false;
        return false;
    }
    o->next = NULL;
    if (c->held_tail)
        c->held_tail->next = o;
    else
        c->held_head = o;
    c->held_tail = o;
    return true;
}

void as_faults_release(as_chan *c) {
    while (c->held_head) {
        as_out *o = c->held_head;
        c->held_head = o->next;
        o->next = NULL;
        if (c->tail && o->due < c->tail->due) o->due = c->tail->due;
        if (o->due > c->last_due) c->last_due = o->due;
        if (c->tail)
            c->tail->next = o;
        else
            c->head = o;
        c->tail = o;
    }
    c->held_tail = NULL;
}

void as_faults_chan_clear(as_chan *c) {
    while (c->held_head) {
        as_out *o = c->held_head;
        c->held_head = o->next;
        c->queued -= o->text.len;
        free(o->method);
        buf_free(&o->text);
        free(o);
    }
    c->held_tail = NULL;
    c->holding = false;
}
