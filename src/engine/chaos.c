#include "chaos.h"
#include "duration.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static int prob(const char *key, const char *v, size_t len, double *out, diag *err) {
    char tmp[64];
    if (len == 0 || len >= sizeof tmp) goto bad;
    memcpy(tmp, v, len);
    tmp[len] = '\0';
    char *end;
    errno = 0;
    double d = strtod(tmp, &end);
    if (errno || *end || !isfinite(d) || d < 0 || d > 1) goto bad;
    *out = d;
    return 0;
bad:
    diag_set(err, NULL, 0, 0, "CODEX_MOCK_CHAOS: '%s' takes a probability from 0 to 1, not '%.*s'",
             key, (int)len, v);
    return -1;
}

/* The keys: a probability (its offset in chaos_spec) or a duration. */
typedef struct {
    const char *name;
    size_t off;
    bool duration;
} chaos_key;

static const chaos_key KEYS[] = {
    {"reconnect", offsetof(chaos_spec, reconnect), false},
    {"stall", offsetof(chaos_spec, stall), false},
    {"stall_for", offsetof(chaos_spec, stall_ns), true},
    {"fail", offsetof(chaos_spec, fail), false},
    {"exit_after_initialize", offsetof(chaos_spec, exit_after_initialize), false},
    {"kill_after_initialize", offsetof(chaos_spec, kill_after_initialize), false},
    {"exit_at_turn_start", offsetof(chaos_spec, exit_at_turn_start), false},
    {"wrong_id", offsetof(chaos_spec, wrong_id), false},
    {"no_answer", offsetof(chaos_spec, no_answer), false},
    {"torn", offsetof(chaos_spec, torn), false},
    {"close_stdout", offsetof(chaos_spec, close_stdout), false},
    {"drip", offsetof(chaos_spec, drip), false},
    {"drip_delay", offsetof(chaos_spec, drip_ns), true},
};

int chaos_parse(const char *text, chaos_spec *out, diag *err) {
    memset(out, 0, sizeof *out);
    out->stall_ns = 5 * NS_PER_S;
    out->drip_ns = NS_PER_S / 1000;
    if (!text || !*text) return 0;
    out->enabled = true;
    const char *p = text;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq) {
            diag_set(err, NULL, 0, 0,
                     "CODEX_MOCK_CHAOS: expected key=value pairs such as "
                     "reconnect=0.2,stall=0.1,stall_for=3s,fail=0.05, not '%.*s'",
                     (int)len, p);
            return -1;
        }
        size_t klen = (size_t)(eq - p);
        const char *v = eq + 1;
        size_t vlen = len - klen - 1;
        const chaos_key *k = NULL;
        for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++)
            if (strlen(KEYS[i].name) == klen && !memcmp(p, KEYS[i].name, klen)) k = &KEYS[i];
        if (!k) {
            diag_set(err, NULL, 0, 0,
                     "CODEX_MOCK_CHAOS: unknown key '%.*s' (expected reconnect, stall, stall_for, "
                     "fail, or for the app-server exit_after_initialize, kill_after_initialize, "
                     "exit_at_turn_start, wrong_id, no_answer, torn, close_stdout, drip, "
                     "drip_delay)",
                     (int)klen, p);
            return -1;
        }
        char *field = (char *)out + k->off;
        if (k->duration) {
            const char *why;
            int64_t ns;
            if (duration_parse(v, vlen, &ns, &why) < 0) {
                diag_set(err, NULL, 0, 0, "CODEX_MOCK_CHAOS: %s: %s", k->name, why);
                return -1;
            }
            memcpy(field, &ns, sizeof ns);
        } else {
            double d;
            if (prob(k->name, v, vlen, &d, err) < 0) return -1;
            memcpy(field, &d, sizeof d);
        }
        p += len;
        if (*p == ',') p++;
    }
    return 0;
}

bool chaos_app_server(const chaos_spec *c) {
    return c->enabled && (c->exit_after_initialize > 0 || c->kill_after_initialize > 0 ||
                          c->exit_at_turn_start > 0 || c->wrong_id > 0 || c->no_answer > 0 ||
                          c->torn > 0 || c->close_stdout > 0 || c->drip > 0);
}
