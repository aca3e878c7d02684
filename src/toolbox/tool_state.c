#include "tool_state.h"
#include "buf.h"
#include "duration.h"
#include "exitcodes.h"
#include "state.h"

#include <cJSON.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The state directory: --state DIR, CODEX_MOCK_STATE, $CODEX_HOME or ~/.codex. */
static char *state_dir_of(const char *flag, const mock_settings *set) {
    if (flag) return xstrdup(flag);
    if (set->state_dir) return xstrdup(set->state_dir);
    const char *home = getenv("CODEX_HOME");
    if (home && *home) return xasprintf("%s/codex-mock-state", home);
    const char *h = getenv("HOME");
    return xasprintf("%s/.codex/codex-mock-state", h ? h : ".");
}

typedef struct {
    cJSON **v;
    size_t n;
} entries;

static void entries_free(entries *e) {
    for (size_t i = 0; i < e->n; i++)
        cJSON_Delete(e->v[i]);
    free(e->v);
}

/* Reads journal.jsonl; a line that does not parse is reported and skipped. */
static int read_journal(const char *dir, entries *out) {
    memset(out, 0, sizeof *out);
    char *path = xasprintf("%s/journal.jsonl", dir);
    FILE *f = fopen(path, "r");
    free(path);
    if (!f) return 0; /* no invocation yet */
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t lineno = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        cJSON *j = cJSON_ParseWithLength(line, (size_t)n);
        if (!cJSON_IsObject(j)) {
            fprintf(stderr, "codex-mock: %s/journal.jsonl:%zu: not a JSON line, skipped\n", dir,
                    lineno);
            cJSON_Delete(j);
            continue;
        }
        out->v = xrealloc(out->v, (out->n + 1) * sizeof(cJSON *));
        out->v[out->n++] = j;
    }
    free(line);
    fclose(f);
    return 0;
}

static const char *str(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int num(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

/* `codex exec --json 'fix the tests'` — argv as a shell would show it. */
static void argv_line(buf *b, const cJSON *e) {
    const cJSON *argv = cJSON_GetObjectItemCaseSensitive(e, "argv");
    int i = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, argv) {
        const char *s = cJSON_IsString(a) ? a->valuestring : "?";
        if (i == 0) { /* the program: its base name */
            const char *slash = strrchr(s, '/');
            s = slash ? slash + 1 : s;
        }
        if (i++) buf_putc(b, ' ');
        bool plain = *s != '\0';
        for (const char *p = s; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,@",
                        *p))
                plain = false;
        if (plain) {
            buf_puts(b, s);
        } else {
            buf_putc(b, '\'');
            for (const char *p = s; *p; p++) {
                if (*p == '\'')
                    buf_puts(b, "'\\''");
                else
                    buf_putc(b, *p);
            }
            buf_putc(b, '\'');
        }
    }
}

static void describe(buf *b, const cJSON *e) {
    buf_printf(b, "#%d ", num(e, "invocation"));
    argv_line(b, e);
    buf_printf(b, "  -> exit %d", num(e, "exit_code"));
    const char *scn = str(e, "scenario"), *rule = str(e, "rule");
    buf_printf(b, "  (scenario %s", scn ? scn : "-");
    if (rule) buf_printf(b, ", rule %s", rule);
    buf_puts(b, ")\n");
}

static int parse_state_flag(int *argc, char ***argv, const char **state) {
    *state = NULL;
    if (*argc >= 2 && !strcmp((*argv)[0], "--state")) {
        *state = (*argv)[1];
        *argc -= 2;
        *argv += 2;
    }
    return 0;
}

int tool_journal(int argc, char **argv, const mock_settings *set) {
    const char *flag;
    parse_state_flag(&argc, &argv, &flag);
    bool json = argc == 1 && !strcmp(argv[0], "--json");
    if (argc && !json) {
        fputs("usage: codex-mock journal [--state DIR] [--json]\n", stderr);
        return EXIT_USAGE;
    }
    char *dir = state_dir_of(flag, set);
    entries e;
    read_journal(dir, &e);
    if (e.n == 0) printf("no invocations recorded in %s\n", dir);
    for (size_t i = 0; i < e.n; i++) {
        if (json) {
            char *s = cJSON_PrintUnformatted(e.v[i]);
            puts(s);
            free(s);
            continue;
        }
        buf b;
        buf_init(&b);
        describe(&b, e.v[i]);
        const char *start = str(e.v[i], "start"), *cwd = str(e.v[i], "cwd");
        const char *prompt = str(e.v[i], "prompt"), *thread = str(e.v[i], "thread_id");
        buf_printf(&b, "    at %s in %s\n", start ? start : "?", cwd ? cwd : "?");
        if (thread) buf_printf(&b, "    thread %s\n", thread);
        if (prompt) {
            buf_puts(&b, "    prompt: ");
            for (const char *p = prompt; *p; p++)
                buf_puts(&b, *p == '\n' ? "\\n" : (char[]){*p, 0});
            buf_putc(&b, '\n');
        }
        fputs(b.data, stdout);
        buf_free(&b);
    }
    entries_free(&e);
    free(dir);
    return EXIT_OK;
}

/* Same rule as the rules file: `--flag` present, or `--flag=value` in either spelling. */
static bool has_flag(const cJSON *e, const char *want) {
    const cJSON *argv = cJSON_GetObjectItemCaseSensitive(e, "argv");
    const char *eq = strchr(want, '=');
    size_t name_len = eq ? (size_t)(eq - want) : strlen(want);
    int n = cJSON_GetArraySize(argv);
    for (int i = 1; i < n; i++) {
        const char *a = cJSON_GetArrayItem(argv, i)->valuestring;
        if (!a || strncmp(a, want, name_len) != 0) continue;
        if (!eq && a[name_len] == '\0') return true;
        if (eq && a[name_len] == '=' && !strcmp(a + name_len + 1, eq + 1)) return true;
        const cJSON *next = i + 1 < n ? cJSON_GetArrayItem(argv, i + 1) : NULL;
        if (eq && a[name_len] == '\0' && next && cJSON_IsString(next) &&
            !strcmp(next->valuestring, eq + 1))
            return true;
    }
    return false;
}

static const char VERIFY_USAGE[] =
    "usage: codex-mock verify [--state DIR] [--command exec|resume|fork|review|app-server]\n"
    "                         [--times N] [--min N] [--max N] [--flag FLAG[=VALUE]]...\n"
    "                         [--prompt REGEX]... [--in-order]\n"
    "                         app-server runs: [--approval REGEX=DECISION]... [--request "
    "METHOD]...\n"
    "                         [--thread started|resumed|forked] [--interrupted-within DURATION]\n"
    "                         [--expected-answers]\n";

/* The app-server's `app_server` object of an entry (NULL for exec's). */
static const cJSON *app_server(const cJSON *e) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "app_server");
    return cJSON_IsObject(a) ? a : NULL;
}

/* "REGEX=DECISION": some approval whose subject (the command, or the file paths) matches
 * REGEX was answered DECISION ("accept" also takes acceptForSession and the amendment form). */
static void check_approval(const char *spec, const entries *e, buf *problems) {
    const char *eq = strrchr(spec, '=');
    if (!eq || eq == spec || !eq[1]) {
        buf_printf(problems, "  --approval takes REGEX=DECISION, not '%s'\n", spec);
        return;
    }
    char *pattern = xstrndup(spec, (size_t)(eq - spec));
    const char *want = eq + 1;
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) {
        buf_printf(problems, "  --approval: bad regular expression '%s'\n", pattern);
        free(pattern);
        return;
    }
    bool found = false;
    buf seen;
    buf_init(&seen);
    for (size_t i = 0; i < e->n && !found; i++) {
        const cJSON *ap, *list = cJSON_GetObjectItemCaseSensitive(app_server(e->v[i]), "approvals");
        cJSON_ArrayForEach(ap, list) {
            const char *subject = str(ap, "subject"), *d = str(ap, "decision");
            if (!subject || regexec(&re, subject, 0, NULL, 0) != 0) continue;
            buf_printf(&seen, "%s%s → %s", seen.len ? "; " : "", subject, d ? d : "no answer");
            if (d && (!strcmp(d, want) || (!strcmp(want, "accept") && !strncmp(d, "accept", 6))))
                found = true;
        }
    }
    if (!found)
        buf_printf(problems, "  no approval for /%s/ was answered %s (%s)\n", pattern, want,
                   seen.len ? seen.data : "none asked");
    buf_free(&seen);
    regfree(&re);
    free(pattern);
}

/* --expected-answers: every server request whose scenario step said `expect:` was answered so
 * (an unanswered one fails too). */
static void check_expected(const entries *e, buf *problems) {
    for (size_t i = 0; i < e->n; i++) {
        const cJSON *ap, *list = cJSON_GetObjectItemCaseSensitive(app_server(e->v[i]), "approvals");
        cJSON_ArrayForEach(ap, list) {
            const char *want = str(ap, "expected"), *got = str(ap, "decision");
            if (!want || (got && !strcmp(got, want))) continue;
            const char *subject = str(ap, "subject"), *method = str(ap, "method");
            const cJSON *rid = cJSON_GetObjectItemCaseSensitive(ap, "request_id");
            buf_printf(problems, "  #%d: request %d (%s %s) was %s%s, the scenario expects %s\n",
                       num(e->v[i], "invocation"), cJSON_IsNumber(rid) ? rid->valueint : -1,
                       method ? method : "approval", subject ? subject : "",
                       got ? "answered " : "never answered", got ? got : "", want);
        }
    }
}

static void check_request(const char *method, const entries *e, buf *problems) {
    for (size_t i = 0; i < e->n; i++) {
        const cJSON *m, *list = cJSON_GetObjectItemCaseSensitive(app_server(e->v[i]), "requests");
        cJSON_ArrayForEach(m,
                           list) if (cJSON_IsString(m) && !strcmp(m->valuestring, method)) return;
    }
    buf_printf(problems, "  the client never sent %s\n", method);
}

static void check_thread(const char *origin, const entries *e, buf *problems) {
    for (size_t i = 0; i < e->n; i++) {
        const cJSON *a = app_server(e->v[i]);
        if (!a) continue;
        const char *got = str(a, "thread");
        if (!got || strcmp(got, origin))
            buf_printf(problems, "  #%d: thread %s, not %s\n", num(e->v[i], "invocation"),
                       got ? got : "?", origin);
    }
}

static void check_interrupted(int64_t within_ns, const char *text, const entries *e,
                              buf *problems) {
    size_t n = 0;
    for (size_t i = 0; i < e->n; i++) {
        const cJSON *ms =
            cJSON_GetObjectItemCaseSensitive(app_server(e->v[i]), "interrupted_after_ms");
        if (!cJSON_IsNumber(ms)) continue;
        n++;
        if (ms->valuedouble * 1e6 > (double)within_ns)
            buf_printf(problems, "  #%d: turn interrupted after %.0f ms, not within %s\n",
                       num(e->v[i], "invocation"), ms->valuedouble, text);
    }
    if (!n) buf_printf(problems, "  no turn was interrupted (expected one within %s)\n", text);
}

int tool_verify(int argc, char **argv, const mock_settings *set) {
    const char *flag;
    parse_state_flag(&argc, &argv, &flag);
    const char *command = NULL;
    long times = -1, min = -1, max = -1;
    const char **flags = xcalloc((size_t)argc + 1, sizeof(char *));
    regex_t *prompts = xcalloc((size_t)argc + 1, sizeof(regex_t));
    const char **prompt_text = xcalloc((size_t)argc + 1, sizeof(char *));
    size_t n_flags = 0, n_prompts = 0, n_approvals = 0, n_requests = 0;
    const char **approvals = xcalloc((size_t)argc + 1, sizeof(char *));
    const char **requests = xcalloc((size_t)argc + 1, sizeof(char *));
    const char *thread = NULL, *within_text = NULL;
    int64_t within_ns = 0;
    bool in_order = false, expected_answers = false;
    int rc = EXIT_USAGE;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (!strcmp(a, "--in-order")) {
            in_order = true;
        } else if (!strcmp(a, "--expected-answers")) {
            expected_answers = true;
        } else if (!v) {
            fprintf(stderr, "codex-mock verify: %s needs a value\n%s", a, VERIFY_USAGE);
            goto out;
        } else if (!strcmp(a, "--command")) {
            command = v, i++;
        } else if (!strcmp(a, "--flag")) {
            flags[n_flags++] = v, i++;
        } else if (!strcmp(a, "--approval")) {
            approvals[n_approvals++] = v, i++;
        } else if (!strcmp(a, "--request")) {
            requests[n_requests++] = v, i++;
        } else if (!strcmp(a, "--thread")) {
            if (strcmp(v, "started") && strcmp(v, "resumed") && strcmp(v, "forked")) {
                fprintf(stderr, "codex-mock verify: --thread takes started, resumed or forked\n");
                goto out;
            }
            thread = v, i++;
        } else if (!strcmp(a, "--interrupted-within")) {
            const char *why;
            if (duration_parse(v, strlen(v), &within_ns, &why) < 0) {
                fprintf(stderr, "codex-mock verify: --interrupted-within '%s': %s\n", v, why);
                goto out;
            }
            within_text = v, i++;
        } else if (!strcmp(a, "--prompt")) {
            int e = regcomp(&prompts[n_prompts], v, REG_EXTENDED | REG_NOSUB);
            if (e) {
                char msg[256];
                regerror(e, &prompts[n_prompts], msg, sizeof msg);
                fprintf(stderr, "codex-mock verify: bad regular expression '%s': %s\n", v, msg);
                goto out;
            }
            prompt_text[n_prompts++] = v;
            i++;
        } else if (!strcmp(a, "--times") || !strcmp(a, "--min") || !strcmp(a, "--max")) {
            long n = strtol(v, &end, 10);
            if (!*v || *end || n < 0) {
                fprintf(stderr, "codex-mock verify: %s takes a whole number, not '%s'\n", a, v);
                goto out;
            }
            *(!strcmp(a, "--times") ? &times : !strcmp(a, "--min") ? &min : &max) = n;
            i++;
        } else {
            fprintf(stderr, "codex-mock verify: unknown option '%s'\n%s", a, VERIFY_USAGE);
            goto out;
        }
    }
    char *dir = state_dir_of(flag, set);
    entries all;
    read_journal(dir, &all);
    /* the invocations the expectations are about */
    entries e = {xcalloc(all.n + 1, sizeof(cJSON *)), 0};
    for (size_t i = 0; i < all.n; i++) {
        const char *c = str(all.v[i], "command");
        if (!command || (c && !strcmp(c, command))) e.v[e.n++] = all.v[i];
    }
    buf problems;
    buf_init(&problems);
    if (times >= 0 && (long)e.n != times)
        buf_printf(&problems, "  expected %ld invocation%s%s%s, found %zu\n", times,
                   times == 1 ? "" : "s", command ? " of " : "", command ? command : "", e.n);
    if (min >= 0 && (long)e.n < min)
        buf_printf(&problems, "  expected at least %ld invocations, found %zu\n", min, e.n);
    if (max >= 0 && (long)e.n > max)
        buf_printf(&problems, "  expected at most %ld invocations, found %zu\n", max, e.n);
    for (size_t f = 0; f < n_flags; f++)
        for (size_t i = 0; i < e.n; i++)
            if (!has_flag(e.v[i], flags[f]))
                buf_printf(&problems, "  #%d was called without %s\n", num(e.v[i], "invocation"),
                           flags[f]);
    for (size_t k = 0; k < n_approvals; k++)
        check_approval(approvals[k], &e, &problems);
    for (size_t k = 0; k < n_requests; k++)
        check_request(requests[k], &e, &problems);
    if (expected_answers) check_expected(&e, &problems);
    if (thread) check_thread(thread, &e, &problems);
    if (within_text) check_interrupted(within_ns, within_text, &e, &problems);
    if (in_order) {
        if (e.n != n_prompts)
            buf_printf(&problems, "  expected %zu prompts in order, found %zu invocations\n",
                       n_prompts, e.n);
        for (size_t p = 0; p < n_prompts && p < e.n; p++) {
            const char *pr = str(e.v[p], "prompt");
            if (regexec(&prompts[p], pr ? pr : "", 0, NULL, 0) != 0)
                buf_printf(&problems,
                           "  #%d: prompt \"%.80s\" does not match /%s/ (expected %zu "
                           "of %zu in order)\n",
                           num(e.v[p], "invocation"), pr ? pr : "", prompt_text[p], p + 1,
                           n_prompts);
        }
    } else {
        for (size_t p = 0; p < n_prompts; p++) {
            bool any = false;
            for (size_t i = 0; i < e.n && !any; i++) {
                const char *pr = str(e.v[i], "prompt");
                any = regexec(&prompts[p], pr ? pr : "", 0, NULL, 0) == 0;
            }
            if (!any)
                buf_printf(&problems, "  no invocation has a prompt matching /%s/\n",
                           prompt_text[p]);
        }
    }
    if (problems.len) {
        printf("codex-mock verify: expectations not met\n%s", problems.data);
        printf("recorded invocations (%s):\n", dir);
        if (all.n == 0) printf("  (none)\n");
        for (size_t i = 0; i < all.n; i++) {
            buf b;
            buf_init(&b);
            describe(&b, all.v[i]);
            printf("  %s", b.data);
            buf_free(&b);
        }
        rc = EXIT_CHECK_FAILED;
    } else {
        printf("ok: %zu invocation%s match\n", e.n, e.n == 1 ? "" : "s");
        rc = EXIT_OK;
    }
    buf_free(&problems);
    free(e.v);
    entries_free(&all);
    free(dir);
out:
    for (size_t p = 0; p < n_prompts; p++)
        regfree(&prompts[p]);
    free(prompts);
    free(prompt_text);
    free(flags);
    free(approvals);
    free(requests);
    return rc;
}

int tool_reset(int argc, char **argv, const mock_settings *set) {
    const char *flag;
    parse_state_flag(&argc, &argv, &flag);
    if (argc) {
        fputs("usage: codex-mock reset [--state DIR]\n", stderr);
        return EXIT_USAGE;
    }
    char *dir = state_dir_of(flag, set);
    state_dir s;
    diag err;
    diag_init(&err);
    int rc = EXIT_OK;
    if (state_open(&s, dir, NULL, &err) < 0 || state_reset(&s, &err) < 0) {
        diag_print(&err, stderr); /* `codex-mock: <message>` */
        diag_free(&err);
        rc = EXIT_MOCK_ERROR;
    } else {
        printf("reset %s\n", dir);
    }
    state_close(&s);
    free(dir);
    return rc;
}
