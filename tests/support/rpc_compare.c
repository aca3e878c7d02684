#include "rpc_compare.h"

#include "corpus.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rpc_canon_free(rpc_canon *c) {
    for (size_t i = 0; i < c->n; i++)
        free(c->ids[i]);
    free(c->ids);
    memset(c, 0, sizeof *c);
}

/* Every match of `pattern` (POSIX extended) replaced by `with`, where \1..\9 stand for the
 * groups. */
static char *regsub_all(const char *text, const char *pattern, const char *with) {
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED) != 0) return xstrdup(text);
    buf out;
    buf_init(&out);
    regmatch_t m[10];
    const char *p = text;
    int flags = 0;
    while (*p && regexec(&re, p, 10, m, flags) == 0 && m[0].rm_eo > 0) {
        buf_append(&out, p, (size_t)m[0].rm_so);
        for (const char *w = with; *w; w++) {
            if (w[0] == '\\' && w[1] >= '1' && w[1] <= '9') {
                int g = w[1] - '0';
                if (m[g].rm_so >= 0)
                    buf_append(&out, p + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
                w++;
            } else {
                buf_putc(&out, *w);
            }
        }
        p += m[0].rm_eo;
        flags = REG_NOTBOL;
    }
    buf_puts(&out, p);
    regfree(&re);
    return buf_detach(&out);
}

static char *subst(char *s, const char *from, const char *to) {
    if (!from || !*from) return s;
    char *r = replace_all(s, from, to);
    free(s);
    return r;
}

static char *resub(char *s, const char *pattern, const char *with) {
    char *r = regsub_all(s, pattern, with);
    free(s);
    return r;
}

static size_t canon_index(rpc_canon *c, const char *id) {
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->ids[i], id)) return i + 1;
    c->ids = xrealloc(c->ids, (c->n + 1) * sizeof *c->ids);
    c->ids[c->n++] = xstrdup(id);
    return c->n;
}

/* The end of the JSON string or container starting at p (the char after it), or NULL. A scan
 * for brackets outside strings, no parsing: the line is the server's valid JSON. */
static const char *skip_value(const char *p) {
    int depth = 0;
    bool in_str = false;
    for (; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                in_str = false;
            if (!in_str && depth == 0) return p + 1;
            continue;
        }
        if (*p == '"')
            in_str = true;
        else if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']') {
            if (--depth == 0) return p + 1;
        } else if (depth == 0 && (*p == ',' || *p == '}'))
            return p;
    }
    return NULL;
}

typedef struct {
    const char *at;
    size_t len;
    size_t rank;
} member;

static int by_rank(const void *a, const void *b) {
    const member *x = a, *y = b;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* The members of the object after `"readStates":` in key order by first appearance of the key
 * (a thread id): the real server writes that map in hash order, different run to run. */
static char *sort_read_states(char *s, rpc_canon *c) {
    static const char key[] = "\"readStates\":{";
    char *start = strstr(s, key);
    if (!start) return s;
    const char *obj = start + sizeof key - 2, *p = obj + 1;
    member m[64];
    size_t n = 0;
    while (*p == '"' && n < 64) {
        const char *k = p, *colon = skip_value(p);
        if (!colon || *colon != ':') return s;
        const char *end = skip_value(colon + 1);
        if (!end) return s;
        char *name = xstrndup(k + 1, (size_t)(colon - k - 2));
        size_t rank = 0;
        for (; rank < c->n && strcmp(c->ids[rank], name); rank++)
            ;
        free(name);
        m[n++] = (member){k, (size_t)(end - k), rank};
        p = end;
        if (*p == ',') p++;
    }
    if (*p != '}' || n < 2) return s;
    qsort(m, n, sizeof *m, by_rank);
    buf out;
    buf_init(&out);
    buf_append(&out, s, (size_t)(obj + 1 - s));
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(&out, ',');
        buf_append(&out, m[i].at, m[i].len);
    }
    buf_puts(&out, p);
    free(s);
    return buf_detach(&out);
}

char *rpc_normalise(const char *line, const char *run_dir, const char *home_dir, rpc_canon *c) {
    char *s = xstrdup(line);
    /* the longer path first: one may contain the other */
    bool home_first = home_dir && run_dir && strlen(home_dir) > strlen(run_dir);
    if (home_first) s = subst(s, home_dir, "{{HOME}}");
    s = subst(s, run_dir, "{{RUN}}");
    if (!home_first) s = subst(s, home_dir, "{{HOME}}");
    s = resub(s, "http://127\\.0\\.0\\.1:[0-9]+", "{{BASE_URL}}");
    s = sort_read_states(s, c);
    size_t n;
    char **ids = rpc_uuids(s, &n);
    for (size_t i = 0; i < n; i++) {
        char tag[32];
        snprintf(tag, sizeof tag, "<id-%zu>", canon_index(c, ids[i]));
        s = subst(s, ids[i], tag);
        free(ids[i]);
    }
    free(ids);
    s = resub(s,
              "\"(emittedAtMs|startedAtMs|completedAtMs|startedAt|completedAt|createdAt|"
              "updatedAt|recencyAt|durationMs)\":-?[0-9]+(\\.[0-9]+)?",
              "\"\\1\":<t>");
    s = resub(s, "rollout-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}-",
              "rollout-<date>-");
    s = resub(s, "sessions/[0-9]{4}/[0-9]{2}/[0-9]{2}/", "sessions/<date>/");
    s = resub(s, "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z", "<ts>");
    s = resub(s, "req_fake_[0-9]+", "req_fake_<n>");
    s = resub(s, "\"sha\":\"[0-9a-f]{40}\"", "\"sha\":\"<sha>\"");
    s = resub(s, "\"processId\":\"[0-9]+\"", "\"processId\":\"<pid>\"");
    s = resub(s, "\"serverName\":\"[^\"]*\"", "\"serverName\":\"<host>\"");
    s = resub(s, "(\"userAgent\":\"[^\" ]* )\\([^;\"]*; ([^)\"]*)\\) [^ \"]*",
              "\\1(<os>; \\2) <term>");
    s = resub(s, "Codex could not find bubblewrap on PATH[^\"]*", "<bubblewrap warning>");
    s = resub(s, "pyenv: cannot rehash: [^\"\\\\]* isn't writable\\\\n", "");
    return s;
}

double rpc_tolerance_ms(double offset_ms, double scale) {
    double t = 0.10 * fabs(offset_ms);
    return scale * (t > 25.0 ? t : 25.0);
}

/* A line shortened around column `at` for a report. */
static void show_around(buf *log, const char *label, const char *s, size_t at) {
    size_t len = strlen(s), from = at > 60 ? at - 60 : 0;
    buf_printf(log, "      %s %s%.*s%s\n", label, from ? "…" : "",
               (int)(at - from + 120 > len - from ? len - from : at - from + 120), s + from,
               len > at + 120 ? "…" : "");
}

static const char *kind_of(const char *key) {
    return key ? key : "(not JSON)";
}

bool rpc_compare_lines(const rpc_script *s, const rpc_result *r, const char *run_dir,
                       const char *home_dir, rpc_canon *rec, rpc_canon *ours, buf *log) {
    size_t n = s->n_s2c > r->n_out ? s->n_s2c : r->n_out;
    size_t shown = 0, diffs = 0;
    for (size_t i = 0; i < n; i++) {
        size_t ei = rpc_script_s2c(s, i);
        char *want = i < s->n_s2c ? rpc_normalise(s->e[ei].text, NULL, NULL, rec) : NULL;
        char *got = i < r->n_out ? rpc_normalise(r->out[i].text, run_dir, home_dir, ours) : NULL;
        if (want && got && !strcmp(want, got)) {
            free(want), free(got);
            continue;
        }
        diffs++;
        if (shown++ < 6) {
            char *gk = got ? rpc_kindkey(r->out[i].text) : NULL;
            if (!got) {
                buf_printf(log, "    server line %zu missing: expected %s\n", i + 1,
                           kind_of(s->e[ei].kindkey));
                show_around(log, "expected:", want, 0);
            } else if (!want) {
                buf_printf(log, "    server line %zu extra: %s\n", i + 1, kind_of(gk));
                show_around(log, "got:     ", got, 0);
            } else {
                size_t at = 0;
                while (want[at] && want[at] == got[at])
                    at++;
                buf_printf(log, "    server line %zu differs at column %zu (expected %s, got %s)\n",
                           i + 1, at + 1, kind_of(s->e[ei].kindkey), kind_of(gk));
                show_around(log, "expected:", want, at);
                show_around(log, "got:     ", got, at);
            }
            free(gk);
        }
        free(want), free(got);
    }
    if (r->out_torn) buf_printf(log, "    stdout ended without a newline\n");
    if (diffs > 6) buf_printf(log, "    … %zu more differing lines\n", diffs - 6);
    if (diffs) buf_printf(log, "    (%zu server lines expected, %zu got)\n", s->n_s2c, r->n_out);
    return diffs == 0 && !r->out_torn;
}

bool rpc_compare_stderr(const rpc_script *s, const rpc_result *r, const char *run_dir,
                        const char *home_dir, buf *log) {
    size_t n = s->n_err > r->n_err ? s->n_err : r->n_err;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        rpc_canon a = {0}, b = {0};
        char *want = i < s->n_err ? rpc_normalise(s->err_lines[i], NULL, NULL, &a) : NULL;
        char *got = i < r->n_err ? rpc_normalise(r->err[i].text, run_dir, home_dir, &b) : NULL;
        if (!want || !got || strcmp(want, got)) {
            if (ok)
                buf_printf(log, "    stderr differs (%zu lines expected, %zu got):\n", s->n_err,
                           r->n_err);
            ok = false;
            buf_printf(log, "      line %zu\n", i + 1);
            show_around(log, "expected:", want ? want : "(none)", 0);
            show_around(log, "got:     ", got ? got : "(none)", 0);
        }
        free(want), free(got);
        rpc_canon_free(&a), rpc_canon_free(&b);
    }
    return ok;
}

bool rpc_compare_exit(const rpc_script *s, const rpc_result *r, buf *log) {
    if (s->exp_exited && r->exited && r->exit_code == s->exp_code) return true;
    if (!s->exp_exited && !r->exited && r->term_signal == s->exp_signal) return true;
    char want[64], got[64];
    if (s->exp_exited)
        snprintf(want, sizeof want, "exit code %d", s->exp_code);
    else
        snprintf(want, sizeof want, "death by signal %d", s->exp_signal);
    if (r->exited)
        snprintf(got, sizeof got, "exit code %d", r->exit_code);
    else
        snprintf(got, sizeof got, "death by signal %d", r->term_signal);
    buf_printf(log, "    ended with %s%s, the recording with %s\n", got,
               r->timed_out ? " (killed: did not end in time)" : "", want);
    return false;
}

/* Our time of script entry `i`: a client entry's done time, a server line's arrival (-1: we
 * have no such line). */
static double our_time(const rpc_script *s, const rpc_result *r, size_t i) {
    if (s->e[i].kind != RPC_S2C) return r->done_ms[i];
    size_t nth = 0;
    for (size_t k = 0; k < i; k++)
        if (s->e[k].kind == RPC_S2C) nth++;
    return nth < r->n_out ? r->out[nth].ms : -1;
}

bool rpc_compare_timing(const rpc_script *s, const rpc_result *r, double scale, buf *log) {
    bool ok = true;
    size_t nth = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->e[i].kind != RPC_S2C) continue;
        nth++;
        if (i == 0 || nth > r->n_out) continue;
        double rec = s->e[i].t_ms - s->e[i - 1].t_ms;
        double cause = our_time(s, r, i - 1), got = r->out[nth - 1].ms - cause;
        if (cause < 0) continue;
        double allowed = rpc_tolerance_ms(rec, scale);
        if (fabs(got - rec) > allowed) {
            buf_printf(log,
                       "    server line %zu (%s): %.1f ms after entry %zu, recorded %.1f ms "
                       "(allowed ±%.1f)\n",
                       nth, kind_of(s->e[i].kindkey), got, i, rec, allowed);
            ok = false;
        }
    }
    /* the exit: from the last entry recorded before it. A sanitizer build's process also runs
     * LeakSanitizer's scan of the heap as it exits (≈40 ms here), which the native build and
     * the real server do not: only there the exit gets that much more. */
    size_t cause = (size_t)-1;
    for (size_t i = 0; i < s->n; i++)
        if (s->e[i].t_ms <= s->exp_exit_ms) cause = i;
    if (cause != (size_t)-1 && !r->timed_out) {
        double t = our_time(s, r, cause);
        double rec = s->exp_exit_ms - s->e[cause].t_ms, got = r->exit_ms - t;
        double allowed = rpc_tolerance_ms(rec, scale) + RPC_EXIT_SANITIZER_SLACK_MS;
        if (t >= 0 && fabs(got - rec) > allowed) {
            buf_printf(log,
                       "    the exit: %.1f ms after entry %zu, recorded %.1f ms (allowed ±%.1f)\n",
                       got, cause + 1, rec, allowed);
            ok = false;
        }
    }
    return ok;
}
