/* Conformance: each built-in scenario that reproduces a real trace of codex-cli 0.169.0
 * (tests/corpus/codex-0.169.0) is checked against it twice.
 *
 *  1. Plan level, exact: the scenario is loaded and planned at speed 1 (seeded rng, cwd
 *     "{{RUN}}/work" as in the trace); the rendered events equal stdout.jsonl byte for byte
 *     (thread ids masked), every stdout line's planned due time equals the trace's offset to
 *     the trace's 0.1 ms, and the planned stdin notice equals the trace's stderr time.
 *  2. Wall clock, end to end: the built `codex` runs with the trace's argv, env, stdin and a
 *     fresh working directory; exit code, stdout and stderr bytes must match, and the arrival
 *     of every stdout line must keep the trace's rhythm: each gap between consecutive lines,
 *     and each line's offset from the first line, within max(5 ms, 5 %) of the real one (the
 *     stdin notice too, relative to the first stdout line). A run that misses only on timing
 *     is retried once, because CI machines are loaded; the deviations are printed either way.
 *     Under CODEX_MOCK_TEST_TIME_SCALE=N (tools/valgrind) the tolerance is N times wider, and
 *     the lines due while memcheck was still starting the process are not timed.
 *
 * The last tests show that the comparisons can fail: one altered byte, a planned time off by
 * 0.1 ms, a line arriving 6 ms late. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "buf.h"
#include "corpus.h"
#include "diag.h"
#include "event_json.h"
#include "plan.h"
#include "proc.h"
#include "rng.h"
#include "scenario_load.h"
#include "uuid.h"

#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CODEX_BIN
#error "CODEX_BIN must be defined by the build"
#endif

typedef struct {
    const char *trace;    /* folder under CORPUS_DIR */
    const char *scenario; /* built-in name: SCENARIO_DIR/NAME.yaml */
} conf_case;

static const conf_case CASES[] = {
    {"01_plain_message", "plain-message"},
    {"02_reasoning_then_message", "reasoning-then-message"},
    {"03_command_success", "command-success"},
    {"04_command_nonzero_exit", "command-nonzero-exit"},
    {"05_file_change_apply_patch", "file-change-apply-patch"},
    {"06_todo_list_plan_updates", "todo-list-plan-updates"},
    {"16_prompt_from_stdin", "prompt-from-stdin"},
    {"25_multiple_messages_and_commentary", "multiple-messages-and-commentary"},
};
enum { N_CASES = sizeof CASES / sizeof CASES[0] };

/* The trace's cwd, as the plan level uses it so paths come out as the trace has them. */
static const char TRACE_CWD[] = "{{RUN}}/work";
/* Plan-level tolerance: the trace is written to 0.1 ms. */
static const double PLAN_TOLERANCE_MS = 0.05;
/* Seeds for the plan level: explicit timing must not depend on the jitter. */
static const uint64_t PLAN_SEEDS[] = {1, 0xC0DEC5EEDULL};
/* Variables of codex-mock's own that would change what a run does. */
static const char *const MOCK_VARS[] = {
    "CODEX_MOCK_SPEED",         "CODEX_MOCK_SEED",    "CODEX_MOCK_RULES",
    "CODEX_MOCK_SCENARIO_PATH", "CODEX_MOCK_STATE",   "CODEX_MOCK_VERSION",
    "CODEX_MOCK_CHAOS",         "CODEX_MOCK_EXPLAIN", NULL};

/* ---------------------------------------------------------------- comparisons */

/* Line number (1-based) of byte offset `at`, and where that line starts. */
static size_t line_of(const char *s, size_t at, size_t *start) {
    size_t line = 1;
    *start = 0;
    for (size_t i = 0; i < at; i++)
        if (s[i] == '\n') line++, *start = i + 1;
    return line;
}

static void print_line_excerpt(const char *label, const char *s, size_t len, size_t start) {
    size_t end = start;
    while (end < len && s[end] != '\n')
        end++;
    int n = (int)(end - start > 400 ? 400 : end - start);
    print_error("  %s: %.*s%s\n", label, n, s + start, end - start > 400 ? "…" : "");
}

/* True when the two byte strings are equal; otherwise (when verbose) prints where they first
 * differ: the byte offset, the line, and both versions of that line. */
static bool same_bytes(const char *what, const char *want, size_t want_len, const char *got,
                       size_t got_len, bool verbose) {
    size_t n = want_len < got_len ? want_len : got_len;
    size_t i = 0;
    while (i < n && want[i] == got[i])
        i++;
    if (i == n && want_len == got_len) return true;
    if (verbose) {
        size_t ws, gs;
        size_t line = line_of(want, i, &ws);
        line_of(got, i, &gs);
        print_error("%s: differs at byte %zu (line %zu, column %zu); expected %zu bytes, got %zu\n",
                    what, i, line, i - ws + 1, want_len, got_len);
        print_line_excerpt("expected", want, want_len, ws);
        print_line_excerpt("got     ", got, got_len, gs);
    }
    return false;
}

/* max(5 ms, 5 %) times `scale`: the wall-clock runs pass proc_time_scale(), which is 1 unless
 * CODEX_MOCK_TEST_TIME_SCALE says the runs are slowed (proc.h); the tests of the checks, 1. */
static double tolerance_ms(double real_ms, double scale) {
    double t = 0.05 * fabs(real_ms);
    return scale * (t > 5.0 ? t : 5.0);
}

typedef struct {
    double gap_dev; /* worst |our gap − real gap| between consecutive lines, ms */
    size_t gap_line;
    double off_dev; /* worst |our offset − real offset| from the first line, ms */
    size_t off_line;
    double notice_dev; /* |our − real| offset of the stdin notice from the first line (or -1) */
    size_t misses;
} timing_report;

/* Checks arrival times `got` against the trace's `want` (both ms since spawn, n lines): every
 * gap between consecutive lines, and every line's offset from the first, within
 * max(5 ms, 5 % of the real value). Lines before `from` are not timed, and the offsets count
 * from line `from` (see untimed_lines; 0 natively). Fills *rep; appends one line per stdout line
 * to *log. */
static bool check_timing(const double *want, const double *got, size_t n, size_t from, double scale,
                         timing_report *rep, buf *log) {
    memset(rep, 0, sizeof *rep);
    rep->notice_dev = -1;
    for (size_t i = 0; i < from && i < n; i++)
        buf_printf(log,
                   "  line %zu: real %7.1f ms, ours %7.1f ms: due while the process was starting, "
                   "not timed\n",
                   i + 1, want[i], got[i]);
    for (size_t i = from; i < n; i++) {
        double real_gap = i > from ? want[i] - want[i - 1] : 0,
               our_gap = i > from ? got[i] - got[i - 1] : 0;
        double real_off = want[i] - want[from], our_off = got[i] - got[from];
        double gap_dev = fabs(our_gap - real_gap), off_dev = fabs(our_off - real_off);
        bool miss =
            gap_dev > tolerance_ms(real_gap, scale) || off_dev > tolerance_ms(real_off, scale);
        if (gap_dev > rep->gap_dev) rep->gap_dev = gap_dev, rep->gap_line = i + 1;
        if (off_dev > rep->off_dev) rep->off_dev = off_dev, rep->off_line = i + 1;
        if (miss) rep->misses++;
        buf_printf(log,
                   "  line %zu: real %7.1f ms (gap %6.1f), ours %7.1f ms (gap %6.1f): gap off by "
                   "%5.2f ms (allowed %.2f), offset off by %5.2f ms (allowed %.2f)%s\n",
                   i + 1, want[i], real_gap, got[i], our_gap, gap_dev,
                   tolerance_ms(real_gap, scale), off_dev, tolerance_ms(real_off, scale),
                   miss ? "  <-- MISS" : "");
    }
    return rep->misses == 0;
}

/* The stdin notice, relative to the first stdout line, within the same tolerance. */
static bool check_notice_timing(double want_notice, double want_first, double got_notice,
                                double got_first, double scale, timing_report *rep, buf *log) {
    double real = want_notice - want_first, ours = got_notice - got_first;
    double dev = fabs(ours - real);
    bool miss = dev > tolerance_ms(real, scale);
    rep->notice_dev = dev;
    if (miss) rep->misses++;
    buf_printf(log,
               "  stderr notice: real %.1f ms before the first line, ours %.1f ms: off by %.2f "
               "ms (allowed %.2f)%s\n",
               -real, -ours, dev, tolerance_ms(real, scale), miss ? "  <-- MISS" : "");
    return !miss;
}

/* ---------------------------------------------------------------- plan level */

typedef struct {
    buf out;      /* rendered stdout bytes */
    int64_t *due; /* raw due of each stdout line, ns since spawn */
    size_t n_due;
    bool has_exit;
    int exit_code;
    int64_t preflight_ns;
} planned;

static void planned_free(planned *p) {
    buf_free(&p->out);
    free(p->due);
    memset(p, 0, sizeof *p);
}

/* Plans turn 0 of `sc` at real pace as codex_main does (the rng draws the preflight, then the
 * thread id, then the jitter) and renders what the jsonl sink would write. */
static void plan_render(const scenario *sc, uint64_t seed, planned *p) {
    memset(p, 0, sizeof *p);
    buf_init(&p->out);
    rng r;
    rng_seed(&r, seed);
    p->preflight_ns = plan_preflight_raw_ns(sc, &r);
    char thread_id[UUID_STR_LEN + 1];
    uuid_v7(thread_id, UINT64_C(1760000000000), &r);
    plan_params params = {
        .sc = sc,
        .turn = 0,
        .speed = 1,
        .rng = &r,
        .cwd = TRACE_CWD,
        .thread_id = thread_id,
    };
    planner pl;
    plan_init(&pl, &params);
    action a;
    size_t cap = 0;
    while (plan_next(&pl, &a)) {
        size_t before = p->out.len;
        if (a.kind == ACT_EVENT)
            event_write_json(&p->out, &a.ev);
        else if (a.kind == ACT_STDOUT)
            buf_append(&p->out, a.bytes.ptr, a.bytes.len);
        else if (a.kind == ACT_EXIT)
            p->has_exit = true, p->exit_code = a.exit_code;
        for (size_t i = before; i < p->out.len; i++) {
            if (p->out.data[i] != '\n') continue;
            if (p->n_due == cap) {
                cap = cap ? 2 * cap : 16;
                p->due = xrealloc(p->due, cap * sizeof *p->due);
            }
            p->due[p->n_due++] = a.raw_due_ns;
        }
    }
    plan_free(&pl);
    if (p->out.len == 0) buf_puts(&p->out, ""); /* data non-NULL */
}

/* How many planned due times miss the trace's offsets (count mismatch counts as all). */
static size_t due_mismatches(const int64_t *due, size_t n_due, const trace *t, bool verbose) {
    if (n_due != t->n_out) {
        if (verbose) print_error("planned %zu stdout lines, the trace has %zu\n", n_due, t->n_out);
        return n_due > t->n_out ? n_due : t->n_out;
    }
    size_t bad = 0;
    for (size_t i = 0; i < n_due; i++) {
        double ms = (double)due[i] / 1e6;
        if (fabs(ms - t->out[i].ms) < PLAN_TOLERANCE_MS) continue;
        bad++;
        if (verbose)
            print_error("line %zu: planned at %.3f ms, the trace has %.1f ms (off by %+.3f)\n",
                        i + 1, ms, t->out[i].ms, ms - t->out[i].ms);
    }
    return bad;
}

static void load_case(const conf_case *c, trace *t, scenario *sc) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, c->trace);
    if (trace_load(path, t) != 0) {
        print_error("cannot load the trace %s\n", path);
        fail();
    }
    if (!sc) return;
    snprintf(path, sizeof path, "%s/%s.yaml", SCENARIO_DIR, c->scenario);
    diag err;
    diag_init(&err);
    if (scenario_load_file(path, sc, &err) != 0) {
        char *msg = diag_format(&err);
        print_error("%s\n", msg);
        free(msg);
        diag_free(&err);
        fail();
    }
    diag_free(&err);
}

/* The trace's stdin notice line (the only stderr line these traces have), or NULL. */
static const trace_line *notice_of(const trace *t) {
    for (size_t i = 0; i < t->n_err; i++)
        if (strncmp(t->err[i].line, "Reading ", 8) == 0) return &t->err[i];
    return NULL;
}

static void test_plan_level(void **state) {
    const conf_case *c = *state;
    trace t;
    scenario sc;
    load_case(c, &t, &sc);
    char *want = mask_uuids(t.stdout_bytes);
    const trace_line *notice = notice_of(&t);
    for (size_t s = 0; s < sizeof PLAN_SEEDS / sizeof PLAN_SEEDS[0]; s++) {
        planned p;
        plan_render(&sc, PLAN_SEEDS[s], &p);
        char *got = mask_uuids(p.out.data);
        bool bytes_ok = same_bytes(c->scenario, want, strlen(want), got, strlen(got), true);
        size_t bad_due = due_mismatches(p.due, p.n_due, &t, true);
        bool exit_ok = p.has_exit && p.exit_code == t.exit_code;
        if (!exit_ok)
            print_error("planned exit %d (%s), the trace exited %d\n", p.exit_code,
                        p.has_exit ? "planned" : "no exit action", t.exit_code);
        bool preflight_ok = true;
        if (notice) {
            double ms = (double)p.preflight_ns / 1e6;
            preflight_ok = fabs(ms - notice->ms) < PLAN_TOLERANCE_MS;
            if (!preflight_ok)
                print_error("preflight planned at %.3f ms, the notice came at %.1f ms\n", ms,
                            notice->ms);
        }
        free(got);
        planned_free(&p);
        if (!bytes_ok || bad_due || !exit_ok || !preflight_ok) {
            print_error("%s vs %s (seed %llu): plan differs from the trace\n", c->scenario,
                        c->trace, (unsigned long long)PLAN_SEEDS[s]);
            fail();
        }
    }
    free(want);
    scenario_free(&sc);
    trace_free(&t);
}

/* ---------------------------------------------------------------- wall clock */

typedef struct {
    char base[PATH_MAX];      /* the run's scratch dir: {{RUN}} */
    char work[PATH_MAX + 16]; /* base/work, the cwd: {{RUN}}/work */
    char home[PATH_MAX + 16]; /* base/home: {{HOME}} */
} run_dirs;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void dirs_remove(const run_dirs *d) {
    if (d->base[0]) nftw(d->base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool dirs_make(run_dirs *d) {
    memset(d, 0, sizeof *d);
    const char *tmp = getenv("TMPDIR");
    char templ[PATH_MAX];
    snprintf(templ, sizeof templ, "%s/codex-conformance-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(templ) || !realpath(templ, d->base)) return false;
    snprintf(d->work, sizeof d->work, "%s/work", d->base);
    snprintf(d->home, sizeof d->home, "%s/home", d->base);
    char codex_home[PATH_MAX + 16];
    snprintf(codex_home, sizeof codex_home, "%s/codex_home", d->base);
    return mkdir(d->work, 0755) == 0 && mkdir(d->home, 0755) == 0 && mkdir(codex_home, 0755) == 0;
}

/* {{RUN}}/work, {{RUN}} and {{HOME}} replaced by this run's directories. */
static char *expand_placeholders(const char *s, const run_dirs *d) {
    char *a = replace_all(s, "{{RUN}}/work", d->work);
    char *b = replace_all(a, "{{RUN}}", d->base);
    char *c = replace_all(b, "{{HOME}}", d->home);
    free(a);
    free(b);
    return c;
}

typedef struct {
    char **argv; /* NULL-terminated, owned */
    char **env;  /* "NAME=value", NULL-terminated, owned */
    char *stdin_data;
} run_spec;

static void run_spec_free(run_spec *s) {
    for (char **p = s->argv; p && *p; p++)
        free(*p);
    for (char **p = s->env; p && *p; p++)
        free(*p);
    free(s->argv);
    free(s->env);
    free(s->stdin_data);
    memset(s, 0, sizeof *s);
}

/* The trace's invocation for this run: argv without the `timeout -k 5 120` wrapper and with
 * our binary as the program, the trace's environment plus CODEX_MOCK_SCENARIO, its stdin. */
static bool run_spec_build(const conf_case *c, const trace *t, const run_dirs *d, run_spec *s) {
    memset(s, 0, sizeof *s);
    const cJSON *argv = cJSON_GetObjectItemCaseSensitive(t->argv, "argv");
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(t->argv, "env");
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(t->argv, "stdin");
    if (!cJSON_IsArray(argv)) return false;
    int n = cJSON_GetArraySize(argv), skip = 0;
    const cJSON *first = cJSON_GetArrayItem(argv, 0);
    if (cJSON_IsString(first) && strcmp(first->valuestring, "timeout") == 0) skip = 4;
    if (n <= skip) return false;
    s->argv = xcalloc((size_t)(n - skip) + 1, sizeof(char *));
    for (int i = skip; i < n; i++) {
        const cJSON *a = cJSON_GetArrayItem(argv, i);
        if (!cJSON_IsString(a)) return false;
        s->argv[i - skip] = xstrdup(i == skip ? CODEX_BIN : a->valuestring);
    }
    size_t ne = 0, cap = (cJSON_IsObject(env) ? (size_t)cJSON_GetArraySize(env) : 0) + 3;
    s->env = xcalloc(cap, sizeof(char *));
    const cJSON *e;
    cJSON_ArrayForEach(e, env) {
        if (!cJSON_IsString(e)) continue;
        char *v = expand_placeholders(e->valuestring, d);
        s->env[ne++] = xasprintf("%s=%s", e->string, v);
        free(v);
    }
    s->env[ne++] = xasprintf("CODEX_MOCK_SCENARIO=%s", c->scenario);
    s->env[ne++] = xstrdup("CODEX_MOCK_VERSION=0.169.0"); /* the traces' version */
    if (cJSON_IsString(in)) s->stdin_data = xstrdup(in->valuestring);
    return true;
}

static int run_codex(const run_spec *s, const run_dirs *d, proc_result *r) {
    proc_spec spec = {
        .argv = (const char *const *)s->argv,
        .env = (const char *const *)s->env,
        .unset = MOCK_VARS,
        .cwd = d->work,
        .stdin_data = s->stdin_data,
        .stdin_len = s->stdin_data ? strlen(s->stdin_data) : 0,
        .timeout_ms = 20000,
    };
    return proc_run(&spec, r);
}

/* Exit code, stdout bytes (thread ids masked, the run's paths for the placeholders), stderr
 * bytes and the line count: the checks that no retry may excuse. */
static bool check_output(const conf_case *c, const trace *t, const run_dirs *d,
                         const proc_result *r) {
    bool ok = true;
    if (!r->exited || r->exit_code != t->exit_code) {
        print_error("%s: exit %s%d (signal %d%s), the trace exited %d\n", c->trace,
                    r->exited ? "" : "not normal: ", r->exit_code, r->term_signal,
                    r->timed_out ? ", timed out" : "", t->exit_code);
        ok = false;
    }
    char *expanded = expand_placeholders(t->stdout_bytes, d);
    char *want = mask_uuids(expanded), *got = mask_uuids(r->out);
    char what[128];
    snprintf(what, sizeof what, "%s stdout", c->trace);
    if (!same_bytes(what, want, strlen(want), got, strlen(got), true) ||
        strlen(r->out) != r->out_len)
        ok = false;
    free(expanded);
    free(want);
    free(got);
    snprintf(what, sizeof what, "%s stderr", c->trace);
    if (!same_bytes(what, t->stderr_bytes ? t->stderr_bytes : "", t->stderr_len, r->err, r->err_len,
                    true))
        ok = false;
    if (r->n_out != t->n_out) {
        print_error("%s: %zu stdout lines, the trace has %zu\n", c->trace, r->n_out, t->n_out);
        ok = false;
    }
    return ok;
}

/* How many leading stdout lines were due (by the trace) before our first line arrived, when the
 * runs are slowed (CODEX_MOCK_TEST_TIME_SCALE > 1: memcheck); natively 0. Starting a process
 * under memcheck takes 0.5-2 s, longer than the first lines of these traces wait, and the fake,
 * whose schedule counts from spawn, prints what fell due meanwhile at once: no widening makes
 * the rhythm of those lines hold, so they (and the stdin notice, which comes before them) are
 * not timed then. The lines due later are, from the first of them on. */
static size_t untimed_lines(const double *want, const double *got, size_t n) {
    if (proc_time_scale() <= 1 || !n) return 0;
    size_t k = 0;
    while (k < n && want[k] < got[0])
        k++;
    return k;
}

static bool measure_timing(const trace *t, const proc_result *r, timing_report *rep, buf *log) {
    double *want = xcalloc(t->n_out + 1, sizeof(double));
    double *got = xcalloc(t->n_out + 1, sizeof(double));
    for (size_t i = 0; i < t->n_out; i++)
        want[i] = t->out[i].ms, got[i] = r->out_lines[i].ms;
    size_t from = untimed_lines(want, got, t->n_out);
    bool ok = check_timing(want, got, t->n_out, from, proc_time_scale(), rep, log);
    free(want);
    free(got);
    const trace_line *notice = notice_of(t);
    if (from) {
        buf_printf(log, "  stderr notice: due while the process was starting, not timed\n");
    } else if (notice && t->n_out && r->n_out && r->n_err == t->n_err) {
        size_t idx = (size_t)(notice - t->err);
        ok = check_notice_timing(notice->ms, t->out[0].ms, r->err_lines[idx].ms, r->out_lines[0].ms,
                                 proc_time_scale(), rep, log) &&
             ok;
    }
    return ok;
}

static void test_wall_clock(void **state) {
    const conf_case *c = *state;
    trace t;
    load_case(c, &t, NULL);
    bool timing_ok = false;
    for (int attempt = 1; attempt <= 2 && !timing_ok; attempt++) {
        run_dirs d;
        run_spec s = {0};
        proc_result r;
        bool made = dirs_make(&d);
        bool built = made && run_spec_build(c, &t, &d, &s);
        if (!built) {
            run_spec_free(&s);
            if (made) dirs_remove(&d);
            print_error("%s: cannot prepare the run (temp dir or argv.json)\n", c->trace);
            fail();
        }
        if (run_codex(&s, &d, &r) != 0) {
            run_spec_free(&s);
            dirs_remove(&d);
            print_error("%s: cannot start %s\n", c->trace, CODEX_BIN);
            fail();
        }
        bool output_ok = check_output(c, &t, &d, &r);
        timing_report rep;
        buf log;
        buf_init(&log);
        if (output_ok) timing_ok = measure_timing(&t, &r, &rep, &log);
        if (output_ok) {
            char notice[64] = "";
            if (rep.notice_dev >= 0)
                snprintf(notice, sizeof notice, ", stdin notice %.2f ms", rep.notice_dev);
            print_message("[timing] %-36s attempt %d: worst gap deviation %.2f ms (line %zu), "
                          "worst offset deviation %.2f ms (line %zu)%s; first line at %.1f ms "
                          "(trace %.1f)%s\n",
                          c->trace, attempt, rep.gap_dev, rep.gap_line, rep.off_dev, rep.off_line,
                          notice, r.n_out ? r.out_lines[0].ms : 0.0, t.n_out ? t.out[0].ms : 0.0,
                          timing_ok ? "" : "  MISSED");
            if (!timing_ok)
                print_message("%s", attempt == 1 ? "  retrying once; the deviations were:\n"
                                                 : "  the deviations were:\n");
            if (!timing_ok) print_message("%s", log.data ? log.data : "");
        }
        buf_free(&log);
        proc_result_free(&r);
        run_spec_free(&s);
        dirs_remove(&d);
        if (!output_ok) {
            trace_free(&t);
            fail_msg("%s: output differs from the trace (not a timing issue; no retry)", c->trace);
        }
    }
    trace_free(&t);
    if (!timing_ok) fail_msg("%s: timing missed twice", c->trace);
}

/* ---------------------------------------------------------------- the checks can fail */

/* One altered byte anywhere in the rendered output (or one byte more or less) is caught. */
static void test_detects_altered_byte(void **state) {
    (void)state;
    trace t;
    scenario sc;
    load_case(&CASES[0], &t, &sc);
    planned p;
    plan_render(&sc, PLAN_SEEDS[0], &p);
    char *want = mask_uuids(t.stdout_bytes);
    char *got = mask_uuids(p.out.data);
    size_t n = strlen(got);
    assert_true(same_bytes("unaltered", want, strlen(want), got, n, true));
    const size_t positions[] = {0, n / 3, n / 2, n - 2, n - 1};
    for (size_t k = 0; k < sizeof positions / sizeof positions[0]; k++) {
        char *bad = xstrdup(got);
        bad[positions[k]] ^= 0x01; /* e.g. 'e' → 'd', '\n' → '\v' */
        assert_false(same_bytes("altered", want, strlen(want), bad, n, false));
        free(bad);
    }
    assert_false(same_bytes("short", want, strlen(want), got, n - 1, false));
    char *longer = xasprintf("%s\n", got);
    assert_false(same_bytes("long", want, strlen(want), longer, n + 1, false));
    free(longer);
    free(want);
    free(got);
    planned_free(&p);
    scenario_free(&sc);
    trace_free(&t);
}

/* A planned time off by 0.1 ms is caught; so is a line too many. */
static void test_detects_wrong_due(void **state) {
    (void)state;
    trace t;
    scenario sc;
    load_case(&CASES[2], &t, &sc);
    planned p;
    plan_render(&sc, PLAN_SEEDS[0], &p);
    assert_int_equal(due_mismatches(p.due, p.n_due, &t, true), 0);
    for (size_t i = 0; i < p.n_due; i++) {
        p.due[i] += 100000; /* +0.1 ms */
        assert_int_equal(due_mismatches(p.due, p.n_due, &t, false), 1);
        p.due[i] -= 100000;
    }
    assert_true(due_mismatches(p.due, p.n_due - 1, &t, false) > 0);
    planned_free(&p);
    scenario_free(&sc);
    trace_free(&t);
}

/* A line 6 ms late (beyond max(5 ms, 5 %)) is caught; 4 ms is tolerated; a long gap allows 5 %. */
static void test_detects_late_line(void **state) {
    (void)state;
    trace t;
    load_case(&CASES[2], &t, NULL); /* 03: one gap of 171.9 ms (5 % = 8.6 ms), the rest short */
    size_t n = t.n_out;
    double *want = xcalloc(n, sizeof(double)), *got = xcalloc(n, sizeof(double));
    for (size_t i = 0; i < n; i++)
        want[i] = t.out[i].ms;
    timing_report rep;
    buf log;
    buf_init(&log);
    /* A uniform delay (slower start) changes no gap and no offset. */
    for (size_t i = 0; i < n; i++)
        got[i] = want[i] + 3.0;
    assert_true(check_timing(want, got, n, 0, 1, &rep, &log));
    /* The last line 4 ms late: within 5 ms. */
    got[n - 1] += 4.0;
    assert_true(check_timing(want, got, n, 0, 1, &rep, &log));
    /* 6 ms late: a miss, on the gap and on the offset. */
    got[n - 1] += 2.0;
    assert_false(check_timing(want, got, n, 0, 1, &rep, &log));
    assert_int_equal(rep.gap_line, n);
    assert_true(rep.gap_dev > 5.9 && rep.gap_dev < 6.1);
    got[n - 1] = want[n - 1] + 3.0;
    /* Line 4 ends the 171.9 ms gap: 8 ms late is within 5 %, 10 ms is not. */
    size_t long_gap = 3;
    assert_true(want[long_gap] - want[long_gap - 1] > 170);
    for (size_t i = long_gap; i < n; i++)
        got[i] += 8.0;
    assert_true(check_timing(want, got, n, 0, 1, &rep, &log));
    for (size_t i = long_gap; i < n; i++)
        got[i] += 2.0;
    assert_false(check_timing(want, got, n, 0, 1, &rep, &log));
    /* A slowed run (untimed_lines): the lines before `from` (here two that came together with
     * the third) are not timed; the later ones still are. */
    for (size_t i = 0; i < n; i++)
        got[i] = want[i] + 3.0;
    got[0] = got[1] = got[2];
    assert_false(check_timing(want, got, n, 0, 1, &rep, &log));
    assert_true(check_timing(want, got, n, 2, 1, &rep, &log));
    got[n - 1] += 6.0;
    assert_false(check_timing(want, got, n, 2, 1, &rep, &log));
    /* The stdin notice 6 ms early relative to the first line is caught too. */
    assert_false(check_notice_timing(134.5, want[0], 134.5 - 6.0, want[0], 1, &rep, &log));
    assert_true(check_notice_timing(134.5, want[0], 134.5 + 3.0, want[0], 1, &rep, &log));
    buf_free(&log);
    free(want);
    free(got);
    trace_free(&t);
}

int main(void) {
    struct CMUnitTest tests[2 * N_CASES + 3];
    char names[2 * N_CASES][96];
    size_t k = 0;
    for (size_t i = 0; i < N_CASES; i++) {
        snprintf(names[k], sizeof names[k], "plan/%s", CASES[i].trace);
        tests[k] = (struct CMUnitTest){names[k], test_plan_level, NULL, NULL, (void *)&CASES[i]};
        k++;
    }
    for (size_t i = 0; i < N_CASES; i++) {
        snprintf(names[k], sizeof names[k], "wall/%s", CASES[i].trace);
        tests[k] = (struct CMUnitTest){names[k], test_wall_clock, NULL, NULL, (void *)&CASES[i]};
        k++;
    }
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_detects_altered_byte);
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_detects_wrong_due);
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_detects_late_line);
    return cmocka_run_group_tests_name("conformance", tests, NULL, NULL);
}
