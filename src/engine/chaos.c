#include "chaos.h"
#include "duration.h"

#include <errno.h>
#include <math.h>
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

int chaos_parse(const char *text, chaos_spec *out, diag *err) {
    memset(out, 0, sizeof *out);
    out->stall_ns = 5 * NS_PER_S;
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
        if (klen == 9 && !memcmp(p, "reconnect", 9)) {
            if (prob("reconnect", v, vlen, &out->reconnect, err) < 0) return -1;
        } else if (klen == 5 && !memcmp(p, "stall", 5)) {
            if (prob("stall", v, vlen, &out->stall, err) < 0) return -1;
        } else if (klen == 4 && !memcmp(p, "fail", 4)) {
            if (prob("fail", v, vlen, &out->fail, err) < 0) return -1;
        } else if (klen == 9 && !memcmp(p, "stall_for", 9)) {
            const char *why;
            if (duration_parse(v, vlen, &out->stall_ns, &why) < 0) {
                diag_set(err, NULL, 0, 0, "CODEX_MOCK_CHAOS: stall_for: %s", why);
                return -1;
            }
        } else {
            diag_set(err, NULL, 0, 0,
                     "CODEX_MOCK_CHAOS: unknown key '%.*s' (expected reconnect, stall, stall_for "
                     "or fail)",
                     (int)klen, p);
            return -1;
        }
        p += len;
        if (*p == ',') p++;
    }
    return 0;
}
