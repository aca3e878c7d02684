/* fuzz_targets — the bodies of the libFuzzer targets (fuzz/fuzz_main.c builds one binary per
 * target) and of the regression test that replays every input they ever crashed on
 * (tests/test_fuzz_regress.c, files under tests/regress/<target>/).
 *
 * Each target takes arbitrary bytes, must never crash, leak or trip a sanitizer, and checks
 * one invariant of its own with abort():
 *   scenario    scenario_load_mem(); a scenario that loads is linted and its first turn is
 *               planned and rendered, and every event line is JSON (an SDK JSON.parse()s each
 *               line: docs/behaviour.md#sdk-contract).
 *   duration    duration_parse(); a parsed value is in [0, 100 days] and duration_format()
 *               of it reads back within 0.5 ms; duration_format() of any in-range value reads
 *               back.
 *   schema      the input is "SCHEMA\n\nVALUE" (two JSON texts): schema_validate() runs, and
 *               explains every rejection.
 *   json_check  json_check() (the serde_json emulation) on UTF-8 input: every rejection has
 *               a message, the answer is the same twice, and what it accepts cJSON parses too
 *               (codex-mock reads an accepted --output-schema file with cJSON).
 *   rules       rules_load() of a rules file (through a memfd: it reads a path); a file that
 *               loads is matched against a few invocations.
 *   convert_jsonl  convert_recording() of a bare `codex exec --json` capture (the input is the
 *               stdout bytes), or of a whole recording packed into one input (below, loaded
 *               with recording_load_files()): a recording that loads always converts (a
 *               failure there is convert's "internal error"), to a scenario that loads, with
 *               non-empty notes; a recording that does not load says why.
 *   convert_rollout  rollout_to_recording_mem() of a session rollout file (turn 1, and turn 2
 *               when there is one): every line it rebuilds is a JSON object; then as
 *               convert_jsonl.
 * Targets hold no global state.
 *
 * A packed recording (tools/fuzz makes them from the corpus folders) is a sequence of files,
 * each a header line `--- NAME\n` (NAME: a file of a recording folder — argv.json,
 * stdout.jsonl, stdout.txt, stdout_timing.tsv, stderr.txt, stderr_timing.tsv, exit_code,
 * meta.json, collected_last_message.txt — or `run` (the runs[] entry of meta.json, a number) or
 * `options` (`template-thread-id`)), then the file's bytes, then one '\n' that is not part of
 * them. A header counts only at the start of the input or of a line. An input that does not
 * start with a header is a bare capture. */
#ifndef CODEX_MOCK_FUZZ_TARGETS_H
#define CODEX_MOCK_FUZZ_TARGETS_H

#include "buf.h"
#include "convert.h"
#include "diag.h"
#include "duration.h"
#include "event_json.h"
#include "json_check.h"
#include "lint.h"
#include "plan.h"
#include "recording.h"
#include "rules.h"
#include "rng.h"
#include "scenario_load.h"
#include "schema_validate.h"

#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Planned actions looked at per input: "forever" loops are lazy, so the planner never ends. */
enum { FUZZ_MAX_ACTIONS = 4096 };

static inline int fuzz_scenario_one(const uint8_t *data, size_t size) {
    scenario sc;
    diag err;
    diag_init(&err);
    if (scenario_load_mem("fuzz.yaml", (const char *)data, size, &sc, &err) < 0) {
        /* Every rejection says where and why. */
        if (!err.msg || !*err.msg) abort();
        diag_free(&err);
        return 0;
    }
    diag_free(&err);
    findings f = {0};
    lint_scenario(&sc, &f);
    findings_free(&f);

    rng r, chaos_r;
    rng_seed(&r, 1);
    rng_seed(&chaos_r, 2);
    plan_params p = {
        .sc = &sc,
        .turn = 0,
        .speed = 0,
        .rng = &r,
        .cwd = "/work",
        .thread_id = "01a1fd0a-45ae-75a0-ae13-0a20b0004afa",
        .prompt = "fuzz",
        .wall_start_ms = 1700000000000,
        .chaos = NULL,
        .chaos_rng = &chaos_r,
    };
    planner pl;
    plan_init(&pl, &p);
    action a;
    buf line;
    buf_init(&line);
    for (int i = 0; i < FUZZ_MAX_ACTIONS && plan_next(&pl, &a); i++) {
        if (a.kind != ACT_EVENT) continue;
        buf_reset(&line);
        event_write_json(&line, &a.ev);
        cJSON *j = cJSON_ParseWithLength(line.data ? line.data : "", line.len);
        if (!j) abort(); /* a JSONL line that is not JSON */
        cJSON_Delete(j);
    }
    buf_free(&line);
    plan_free(&pl);
    scenario_free(&sc);
    return 0;
}

static inline int fuzz_duration_one(const uint8_t *data, size_t size) {
    const int64_t max_ns = INT64_C(8640000000000000); /* 100 days */
    int64_t ns = -1;
    const char *why = NULL;
    char text[64];
    if (duration_parse((const char *)data, size, &ns, &why) == 0) {
        if (ns < 0 || ns > max_ns) abort();
        duration_format(ns, text, sizeof text);
        int64_t back = -1;
        if (duration_parse(text, strlen(text), &back, &why) < 0) abort();
        if (back - ns > 500000 || ns - back > 500000) abort();
    } else if (!why || !*why) {
        abort();
    }
    /* duration_format() of any in-range value reads back */
    if (size >= 8) {
        uint64_t u;
        memcpy(&u, data, sizeof u);
        int64_t v = (int64_t)(u % (uint64_t)(max_ns + 1));
        duration_format(v, text, sizeof text);
        int64_t back = -1;
        if (duration_parse(text, strlen(text), &back, &why) < 0) abort();
        if (back - v > 500000 || v - back > 500000) abort();
    }
    return 0;
}

static inline int fuzz_schema_one(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    const char *sep = NULL;
    for (size_t i = 0; i + 1 < size; i++)
        if (s[i] == '\n' && s[i + 1] == '\n') {
            sep = s + i;
            break;
        }
    if (!sep) return 0;
    cJSON *schema = cJSON_ParseWithLength(s, (size_t)(sep - s));
    cJSON *value = cJSON_ParseWithLength(sep + 2, size - (size_t)(sep + 2 - s));
    if (schema && value) {
        buf why;
        buf_init(&why);
        bool ok = schema_validate(schema, value, &why);
        if (!ok && why.len == 0) abort(); /* a rejection always says why */
        buf_free(&why);
    }
    cJSON_Delete(schema);
    cJSON_Delete(value);
    return 0;
}

static inline int fuzz_json_check_one(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    if (!json_utf8_valid(s, size)) return 0; /* the contract: UTF-8 in */
    buf msg;
    buf_init(&msg);
    bool ok = json_check(s, size, &msg);
    if (!ok && msg.len == 0) abort();
    if (ok && msg.len != 0) abort();
    buf_reset(&msg);
    if (json_check(s, size, &msg) != ok) abort();
    buf_free(&msg);
    if (ok) {
        cJSON *j = cJSON_ParseWithLength(s, size);
        if (!j) abort();
        cJSON_Delete(j);
    }
    return 0;
}

static inline int fuzz_rules_one(const uint8_t *data, size_t size) {
    int fd = memfd_create("fuzz-rules", MFD_CLOEXEC);
    if (fd < 0) abort();
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) abort();
        done += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    rules rs;
    diag err;
    diag_init(&err);
    if (rules_load(path, &rs, &err) == 0) {
        static const char *const argv[] = {
            "codex", "exec", "--json", "--sandbox=workspace-write", "fix the tests", NULL};
        static const char *const envp[] = {"CI=true", "HOME=/root", NULL};
        static const char *const commands[] = {"exec", "resume", "fork", "review"};
        for (long i = 0; i < 4; i++) {
            rule_input in = {.prompt = i % 2 ? "fix the tests" : "",
                             .cwd = "/repo",
                             .command = commands[i],
                             .argv = argv,
                             .argc = 5,
                             .envp = envp,
                             .invocation = i + 1};
            (void)rules_match(&rs, &in);
        }
        rules_free(&rs);
    } else if (!err.msg || !*err.msg) {
        abort();
    }
    diag_free(&err);
    close(fd);
    return 0;
}

/* ---------------------------------------------------------------- convert */

static const char *const FUZZ_REC_NAMES[] = {"argv.json",
                                             "stdout.jsonl",
                                             "stdout.txt",
                                             "stdout_timing.tsv",
                                             "stderr.txt",
                                             "stderr_timing.tsv",
                                             "exit_code",
                                             "meta.json",
                                             "collected_last_message.txt",
                                             "run",
                                             "options",
                                             NULL};

/* The known file whose header `--- NAME\n` starts at d[i], or -1; *end: just past it. */
static inline int fuzz_rec_header(const char *d, size_t size, size_t i, size_t *end) {
    if (size - i < 5 || memcmp(d + i, "--- ", 4) != 0) return -1;
    for (int k = 0; FUZZ_REC_NAMES[k]; k++) {
        size_t n = strlen(FUZZ_REC_NAMES[k]);
        if (size - i - 4 > n && !memcmp(d + i + 4, FUZZ_REC_NAMES[k], n) && d[i + 4 + n] == '\n') {
            *end = i + 4 + n + 1;
            return k;
        }
    }
    return -1;
}

/* Converts r and checks the invariants every conversion keeps. */
static inline void fuzz_convert_check(const recording *r, const convert_options *o,
                                      convert_notes *notes) {
    buf yaml;
    buf_init(&yaml);
    diag err;
    diag_init(&err);
    /* A loaded recording always converts: -1 is only convert's "internal error". */
    if (convert_recording(r, o, &yaml, notes, &err) < 0) abort();
    if (yaml.len == 0) abort();
    for (size_t i = 0; i < notes->n; i++)
        if (!notes->v[i] || !*notes->v[i]) abort();
    /* what convert writes, codex-mock loads */
    scenario sc;
    diag lerr;
    diag_init(&lerr);
    if (scenario_load_mem("converted.yaml", yaml.data, yaml.len, &sc, &lerr) < 0) abort();
    scenario_free(&sc);
    diag_free(&lerr);
    diag_free(&err);
    buf_free(&yaml);
}

/* Loads a convert_jsonl input into *r (initialised either way: recording_free() it): a bare
 * capture, or a packed recording. 0, or -1 with *err filled when the recording does not load. */
static inline int fuzz_load_recording(const char *d, size_t size, recording *r, convert_options *o,
                                      diag *err) {
    size_t at;
    if (fuzz_rec_header(d, size, 0, &at) < 0) {
        recording_load_capture_mem(d, size, r); /* a bare capture */
        r->name = xstrdup("capture.jsonl");
        return 0;
    }
    recording_files f = {.dir = "fuzz-recording"};
    rec_file *slots[] = {&f.argv_json,     &f.stdout_jsonl, &f.stdout_txt,
                         &f.stdout_timing, &f.stderr_txt,   &f.stderr_timing,
                         &f.exit_code,     &f.meta_json,    &f.last_message};
    size_t i = 0;
    while (i < size) {
        size_t start;
        int k = fuzz_rec_header(d, size, i, &start);
        if (k < 0) break; /* not reached: every section ends where a header starts */
        /* the file ends at the '\n' before the next header, or at the input's end (less one
         * '\n') */
        size_t end = size, next = size;
        for (size_t j = start; j < size; j++) {
            size_t ignored;
            if (d[j] == '\n' && fuzz_rec_header(d, size, j + 1, &ignored) >= 0) {
                end = j;
                next = j + 1;
                break;
            }
        }
        if (next == size && end > start && d[end - 1] == '\n') end--;
        const char *name = FUZZ_REC_NAMES[k];
        if (!strcmp(name, "run")) {
            int run = 0;
            for (size_t j = start; j < end && j < start + 3 && d[j] >= '0' && d[j] <= '9'; j++)
                run = run * 10 + (d[j] - '0');
            f.run = run;
        } else if (!strcmp(name, "options")) {
            o->template_thread_id = memmem(d + start, end - start, "template-thread-id", 18);
        } else {
            slots[k]->data = d + start;
            slots[k]->len = end - start;
        }
        i = next;
    }
    return recording_load_files(&f, r, err);
}

static inline int fuzz_convert_jsonl_one(const uint8_t *data, size_t size) {
    recording r;
    convert_options o = {.source = "fuzz"};
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    if (fuzz_load_recording((const char *)data, size, &r, &o, &err) == 0)
        fuzz_convert_check(&r, &o, &notes);
    else if (!err.msg || !*err.msg)
        abort();
    diag_free(&err);
    recording_free(&r);
    convert_notes_free(&notes);
    return 0;
}

static inline int fuzz_convert_rollout_one(const uint8_t *data, size_t size) {
    const char *d = (const char *)data;
    convert_options o = {.source = "fuzz-rollout.jsonl"};
    static const int turns[] = {0, 2}; /* 0: the first, as `convert` without --turn */
    for (size_t t = 0; t < 2; t++) {
        int turn = turns[t];
        recording r;
        convert_notes notes = {0};
        diag err;
        diag_init(&err);
        if (rollout_to_recording_mem(d, size, o.source, turn, &r, &notes, &err) == 0) {
            /* the rebuilt stream is JSONL: one object per line, each ending in '\n' */
            for (size_t i = 0; i < r.out.n_lines; i++) {
                const rec_line *l = &r.out.lines[i];
                const char *p = r.out.bytes.data + l->off;
                if (l->len == 0 || p[l->len - 1] != '\n') abort();
                cJSON *j = cJSON_ParseWithLength(p, l->len - 1);
                if (!cJSON_IsObject(j)) abort();
                cJSON_Delete(j);
            }
            o.rollout_turn = turn;
            fuzz_convert_check(&r, &o, &notes);
        } else if (!err.msg || !*err.msg) {
            abort();
        }
        diag_free(&err);
        recording_free(&r);
        convert_notes_free(&notes);
    }
    return 0;
}

#endif
