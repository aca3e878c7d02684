#include "rpc_session.h"

#include "corpus.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---------------------------------------------------------------- small text helpers */

static bool is_uuid_at(const char *p) {
    static const int groups[] = {8, 4, 4, 4, 12};
    for (int g = 0; g < 5; g++) {
        for (int i = 0; i < groups[g]; i++, p++)
            if (!isxdigit((unsigned char)*p)) return false;
        if (g < 4 && *p++ != '-') return false;
    }
    return !isxdigit((unsigned char)*p) && *p != '-';
}

char **rpc_uuids(const char *text, size_t *n) {
    char **out = NULL;
    *n = 0;
    for (const char *p = text; *p; p++) {
        if ((p > text && (isxdigit((unsigned char)p[-1]) || p[-1] == '-')) || !is_uuid_at(p))
            continue;
        out = xrealloc(out, (*n + 1) * sizeof *out);
        out[(*n)++] = xstrndup(p, 36);
        p += 35;
    }
    return out;
}

static void free_strs(char **v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

char *rpc_kindkey(const char *line) {
    cJSON *j = cJSON_Parse(line);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return NULL;
    }
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "method");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
    char *key;
    if (cJSON_IsString(m)) {
        key = xasprintf("%c:%s", id ? 'q' : 'n', m->valuestring);
    } else if (id) {
        char *t = cJSON_PrintUnformatted(id);
        key = xasprintf("r:%s", t ? t : "?");
        cJSON_free(t);
    } else {
        key = xstrdup("?");
    }
    cJSON_Delete(j);
    return key;
}

static int b64val(int c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Standard base64 (padding ignored) into a heap buffer; *len set. */
static char *b64decode(const char *s, size_t *len) {
    char *out = xmalloc(strlen(s) * 3 / 4 + 4);
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (; *s; s++) {
        int v = b64val((unsigned char)*s);
        if (v < 0) continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[n] = '\0';
    *len = n;
    return out;
}

static int signal_by_name(const char *name) {
    static const struct {
        const char *name;
        int no;
    } t[] = {{"SIGINT", SIGINT},   {"SIGTERM", SIGTERM}, {"SIGHUP", SIGHUP},
             {"SIGKILL", SIGKILL}, {"SIGQUIT", SIGQUIT}, {"SIGUSR1", SIGUSR1}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i].name, name)) return t[i].no;
    return 0;
}

/* ---------------------------------------------------------------- the script */

static void add_entry(rpc_script *s, rpc_entry e) {
    s->e = xrealloc(s->e, (s->n + 1) * sizeof *s->e);
    s->e[s->n++] = e;
}

static double num(const cJSON *o, const char *key, double dflt) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static const char *str(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int load_transcript(const char *dir, rpc_script *s, buf *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/transcript.jsonl", dir);
    char *data = read_file(path, NULL);
    if (!data) {
        buf_printf(err, "%s: cannot read", path);
        return -1;
    }
    int rc = 0;
    size_t lineno = 0;
    char *save = NULL;
    for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        lineno++;
        cJSON *j = cJSON_Parse(l);
        const char *dirn = str(j, "dir"), *line = str(j, "line"), *b64 = str(j, "line_b64");
        if (!j || !dirn || !(line || b64)) {
            buf_printf(err, "%s:%zu: not a transcript line", path, lineno);
            cJSON_Delete(j);
            rc = -1;
            break;
        }
        rpc_entry e = {.t_ms = num(j, "t_ms", 0), .eol = true};
        if (b64) {
            e.text = b64decode(b64, &e.len);
        } else {
            e.text = xstrdup(line);
            e.len = strlen(line);
        }
        if (!strcmp(dirn, "c2s")) {
            e.kind = RPC_C2S;
            const cJSON *eol = cJSON_GetObjectItemCaseSensitive(j, "eol");
            e.eol = !cJSON_IsFalse(eol);
        } else {
            e.kind = RPC_S2C;
            e.kindkey = rpc_kindkey(e.text);
            for (size_t i = 0; i < s->n; i++)
                if (s->e[i].kind == RPC_S2C && e.kindkey && s->e[i].kindkey &&
                    !strcmp(s->e[i].kindkey, e.kindkey))
                    e.occurrence++;
            s->n_s2c++;
        }
        add_entry(s, e);
        cJSON_Delete(j);
    }
    free(data);
    return rc;
}

/* Signals and the stdin close, merged into the timeline by time (after lines of equal time). */
static void load_actions(const char *dir, rpc_script *s) {
    char path[4096];
    snprintf(path, sizeof path, "%s/actions.jsonl", dir);
    char *data = read_file(path, NULL);
    if (!data) return;
    char *save = NULL;
    bool closed = false;
    for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        cJSON *j = cJSON_Parse(l);
        const char *what = str(j, "do");
        rpc_entry e = {.t_ms = num(j, "t_ms", 0)};
        bool add = false;
        if (what && !strcmp(what, "signal") && str(j, "name")) {
            e.kind = RPC_SIGNAL;
            e.signo = signal_by_name(str(j, "name"));
            add = e.signo != 0;
        } else if (what && !strcmp(what, "close_stdin") && !closed) {
            e.kind = RPC_CLOSE_STDIN;
            add = closed = true;
        }
        cJSON_Delete(j);
        if (!add) continue;
        size_t at = s->n;
        while (at > 0 && s->e[at - 1].t_ms > e.t_ms)
            at--;
        add_entry(s, e);
        memmove(&s->e[at + 1], &s->e[at], (s->n - 1 - at) * sizeof *s->e);
        s->e[at] = e;
    }
    free(data);
}

static int load_exit(const char *dir, rpc_script *s, buf *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/exit.json", dir);
    char *data = read_file(path, NULL);
    cJSON *j = data ? cJSON_Parse(data) : NULL;
    free(data);
    if (!j) {
        buf_printf(err, "%s: cannot read", path);
        return -1;
    }
    double rc = num(j, "returncode", 0);
    s->exp_exited = rc >= 0;
    s->exp_code = rc >= 0 ? (int)rc : 0;
    s->exp_signal = rc < 0 ? (int)-rc : 0;
    s->exp_exit_ms = num(j, "stdout_eof_ms", num(j, "t_ms", 0));
    cJSON_Delete(j);
    return 0;
}

static void load_stderr(const char *dir, rpc_script *s) {
    char path[4096];
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    size_t len = 0;
    char *data = read_file(path, &len);
    if (!data) return;
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\n') continue;
        s->err_lines = xrealloc(s->err_lines, (s->n_err + 1) * sizeof *s->err_lines);
        s->err_lines[s->n_err++] = xstrndup(data + start, i - start);
        start = i + 1;
    }
    free(data);
}

int rpc_script_load(const char *dir, rpc_script *s, buf *err) {
    memset(s, 0, sizeof *s);
    s->dir = xstrdup(dir);
    if (load_transcript(dir, s, err) != 0 || load_exit(dir, s, err) != 0) return -1;
    load_actions(dir, s);
    load_stderr(dir, s);
    return 0;
}

void rpc_script_free(rpc_script *s) {
    for (size_t i = 0; i < s->n; i++) {
        free(s->e[i].text);
        free(s->e[i].kindkey);
    }
    free(s->e);
    free_strs(s->err_lines, s->n_err);
    free(s->dir);
    memset(s, 0, sizeof *s);
}

size_t rpc_script_s2c(const rpc_script *s, size_t nth) {
    for (size_t i = 0; i < s->n; i++)
        if (s->e[i].kind == RPC_S2C && nth-- == 0) return i;
    return (size_t)-1;
}

void rpc_idmap_free(rpc_idmap *m) {
    free_strs(m->rec, m->n);
    free_strs(m->ours, m->n);
    memset(m, 0, sizeof *m);
}

static const char *idmap_get(const rpc_idmap *m, const char *rec) {
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->rec[i], rec)) return m->ours[i];
    return NULL;
}

/* ---------------------------------------------------------------- running */

typedef struct {
    buf data;
    size_t line_start;
    timed_line *lines;
    size_t n;
} stream;

static void stream_add(stream *st, const char *p, size_t n, double t) {
    size_t old = st->data.len;
    buf_append(&st->data, p, n);
    for (size_t i = old; i < st->data.len; i++) {
        if (st->data.data[i] != '\n') continue;
        st->lines = xrealloc(st->lines, (st->n + 1) * sizeof *st->lines);
        timed_line *l = &st->lines[st->n++];
        l->ms = t;
        l->len = i - st->line_start;
        l->text = xstrndup(st->data.data + st->line_start, l->len);
        st->line_start = i + 1;
    }
}

/* The text of client line `e` to write: placeholders and ids replaced (heap; *len set). */
static char *client_bytes(const rpc_spec *spec, const rpc_entry *e, const rpc_idmap *m,
                          size_t *len) {
    if (strlen(e->text) != e->len) { /* not text (a NUL inside): as recorded */
        char *raw = xmalloc(e->len + 2);
        memcpy(raw, e->text, e->len);
        if (e->eol) raw[e->len] = '\n';
        *len = e->len + (e->eol ? 1 : 0);
        return raw;
    }
    char *a = replace_all(e->text, "{{RUN}}", spec->run_dir);
    char *b = replace_all(a, "{{HOME}}", spec->home_dir);
    free(a);
    size_t n;
    char **ids = rpc_uuids(b, &n);
    for (size_t i = 0; i < n; i++) {
        const char *to = idmap_get(m, ids[i]);
        if (!to) continue;
        char *c = replace_all(b, ids[i], to);
        free(b);
        b = c;
    }
    free_strs(ids, n);
    *len = strlen(b);
    if (e->eol) {
        b = xrealloc(b, *len + 2);
        b[(*len)++] = '\n';
        b[*len] = '\0';
    }
    return b;
}

static bool valid_utf8(const char *p, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)p[i];
        size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!k || i + k > n) return false;
        for (size_t j = 1; j < k; j++)
            if (((unsigned char)p[i + j] >> 6) != 2) return false;
        i += k;
    }
    return true;
}

static void dump_line(FILE *f, double t, const char *dir, const char *text, size_t len, bool eol) {
    if (!f) return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "t_ms", round(t * 10) / 10);
    cJSON_AddStringToObject(o, "dir", dir);
    if (!memchr(text, '\0', len) && valid_utf8(text, len)) {
        char *t = xstrndup(text, len);
        cJSON_AddStringToObject(o, "line", t);
        free(t);
    } else {
        cJSON_AddStringToObject(o, "line", "");
        cJSON_AddTrueToObject(o, "not_text");
    }
    if (!eol) cJSON_AddFalseToObject(o, "eol");
    char *p = cJSON_PrintUnformatted(o);
    fprintf(f, "%s\n", p);
    cJSON_free(p);
    cJSON_Delete(o);
}

/* When client entry `i` may go: the recorded gap after the later of its last preceding server
 * line (once arrived) and the previous client entry (once done); -1 while that server line has
 * not arrived. `need` is set to the number of server lines it waits for. */
static double due_ms(const rpc_script *s, const rpc_result *r, const stream *out, size_t i,
                     size_t *need) {
    size_t n_s2c = 0, last_s2c = (size_t)-1, prev = (size_t)-1;
    for (size_t k = 0; k < i; k++) {
        if (s->e[k].kind == RPC_S2C) {
            n_s2c++;
            last_s2c = k;
        } else {
            prev = k;
        }
    }
    *need = n_s2c;
    double due = s->e[i].t_ms;
    if (prev != (size_t)-1) due = r->done_ms[prev] + (s->e[i].t_ms - s->e[prev].t_ms);
    if (n_s2c) {
        if (out->n < n_s2c) return -1;
        double d = out->lines[n_s2c - 1].ms + (s->e[i].t_ms - s->e[last_s2c].t_ms);
        if (d > due) due = d;
    }
    return due;
}

/* Learns the ids of our line `at` from the recorded line of the same kind and occurrence. */
static void pair_ids(const rpc_script *s, const stream *out, size_t at, rpc_idmap *m) {
    const char *ours = out->lines[at].text;
    char *key = rpc_kindkey(ours);
    if (!key) return;
    size_t occ = 0;
    for (size_t k = 0; k < at; k++) {
        char *k2 = rpc_kindkey(out->lines[k].text);
        if (k2 && !strcmp(k2, key)) occ++;
        free(k2);
    }
    const rpc_entry *rec = NULL;
    for (size_t i = 0; i < s->n && !rec; i++)
        if (s->e[i].kind == RPC_S2C && s->e[i].kindkey && !strcmp(s->e[i].kindkey, key) &&
            s->e[i].occurrence == occ)
            rec = &s->e[i];
    free(key);
    if (!rec) return;
    size_t na, nb;
    char **a = rpc_uuids(rec->text, &na), **b = rpc_uuids(ours, &nb);
    for (size_t i = 0; i < na && i < nb; i++) {
        if (idmap_get(m, a[i])) continue;
        m->rec = xrealloc(m->rec, (m->n + 1) * sizeof *m->rec);
        m->ours = xrealloc(m->ours, (m->n + 1) * sizeof *m->ours);
        m->rec[m->n] = xstrdup(a[i]);
        m->ours[m->n++] = xstrdup(b[i]);
    }
    free_strs(a, na);
    free_strs(b, nb);
}

int rpc_session_run(const rpc_spec *spec, const rpc_script *s, rpc_idmap *ids, rpc_result *r,
                    buf *err) {
    memset(r, 0, sizeof *r);
    buf_init(&r->notes);
    r->done_ms = xcalloc(s->n ? s->n : 1, sizeof *r->done_ms);
    for (size_t i = 0; i < s->n; i++)
        r->done_ms[i] = -1;
    int in_p[2], out_p[2], err_p[2];
    if (pipe(in_p) || pipe(out_p) || pipe(err_p)) {
        buf_printf(err, "pipe: %s", strerror(errno));
        return -1;
    }
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        buf_printf(err, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (spec->cwd && chdir(spec->cwd) != 0) _exit(126);
        dup2(in_p[0], 0);
        dup2(out_p[1], 1);
        dup2(err_p[1], 2);
        close(in_p[0]), close(in_p[1]), close(out_p[0]), close(out_p[1]), close(err_p[0]),
            close(err_p[1]);
        signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(spec->argv[0], (char *const *)spec->argv, (char *const *)spec->env);
        _exit(127);
    }
    close(in_p[0]), close(out_p[1]), close(err_p[1]);
    signal(SIGPIPE, SIG_IGN);
    int in_fd = in_p[1];
    int fds[2] = {out_p[0], err_p[0]};
    stream so = {0}, se = {0};
    buf_init(&so.data);
    buf_init(&se.data);
    size_t next = 0; /* the next script entry to look at */
    /* a wait for a server line is given up after the longest recorded silence and then some */
    double longest = 0;
    for (size_t i = 1; i < s->n; i++)
        if (s->e[i].t_ms - s->e[i - 1].t_ms > longest) longest = s->e[i].t_ms - s->e[i - 1].t_ms;
    double stall_ms = proc_ms(RPC_STALL_MS + longest);
    double last_progress = 0, end_deadline = -1;
    int status = 0;
    bool reaped = false;
    for (;;) {
        double t = now_ms() - t0;
        /* client entries that are due */
        while (next < s->n) {
            const rpc_entry *e = &s->e[next];
            if (e->kind == RPC_S2C) {
                next++;
                continue;
            }
            if (reaped && fds[0] < 0) { /* the server is gone: nothing left to talk to */
                r->done_ms[next++] = t;
                continue;
            }
            size_t need;
            double due = due_ms(s, r, &so, next, &need);
            if (due < 0) {
                bool gone = fds[0] < 0;
                if (!gone && t - last_progress < stall_ms) break;
                buf_printf(&r->notes,
                           "  gave up waiting for server line %zu before client entry %zu "
                           "(%s; %zu lines came)\n",
                           need, next + 1, gone ? "stdout closed" : "nothing new for a while",
                           so.n);
                due = t;
            }
            if (due > t) break;
            if (e->kind == RPC_C2S) {
                size_t len;
                char *bytes = client_bytes(spec, e, ids, &len);
                r->done_ms[next] = now_ms() - t0;
                dump_line(spec->dump, r->done_ms[next], "c2s", bytes, len - (e->eol ? 1 : 0),
                          e->eol);
                if (in_fd >= 0) {
                    size_t off = 0;
                    while (off < len) {
                        ssize_t w = write(in_fd, bytes + off, len - off);
                        if (w < 0 && errno == EINTR) continue;
                        if (w <= 0) {
                            buf_printf(&r->notes, "  client entry %zu: write failed (%s)\n",
                                       next + 1, strerror(errno));
                            break;
                        }
                        off += (size_t)w;
                    }
                }
                free(bytes);
            } else if (e->kind == RPC_SIGNAL) {
                r->done_ms[next] = now_ms() - t0;
                if (!reaped) kill(pid, e->signo);
            } else {
                r->done_ms[next] = now_ms() - t0;
                if (in_fd >= 0) close(in_fd);
                in_fd = -1;
            }
            last_progress = r->done_ms[next];
            next++;
        }
        bool script_done = next >= s->n;
        if (script_done && end_deadline < 0) end_deadline = t + proc_ms(RPC_EXIT_MS);
        if (!reaped) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid) {
                reaped = true;
                r->exit_ms = now_ms() - t0;
            }
        }
        if (reaped && fds[0] < 0 && fds[1] < 0 && script_done) break;
        if (end_deadline >= 0 && t > end_deadline) {
            if (!reaped) {
                kill(pid, SIGKILL);
                r->timed_out = true;
                waitpid(pid, &status, 0);
                reaped = true;
                r->exit_ms = now_ms() - t0;
            }
            break;
        }
        struct pollfd p[2];
        int np = 0;
        for (int i = 0; i < 2; i++)
            if (fds[i] >= 0) p[np].fd = fds[i], p[np].events = POLLIN, p[np].revents = 0, np++;
        poll(p, (nfds_t)np, np ? 1 : 0);
        if (!np) usleep(1000);
        for (int i = 0; i < np; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char tmp[65536];
            ssize_t n = read(p[i].fd, tmp, sizeof tmp);
            double at = now_ms() - t0;
            int which = p[i].fd == fds[0] ? 0 : 1;
            if (n <= 0) {
                close(fds[which]);
                fds[which] = -1;
                continue;
            }
            stream *st = which == 0 ? &so : &se;
            size_t before = st->n;
            stream_add(st, tmp, (size_t)n, at);
            for (size_t k = before; which == 0 && k < st->n; k++) {
                pair_ids(s, &so, k, ids);
                dump_line(spec->dump, so.lines[k].ms, "s2c", so.lines[k].text, so.lines[k].len,
                          true);
                last_progress = at;
            }
        }
    }
    if (in_fd >= 0) close(in_fd);
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0) close(fds[i]);
    r->out = so.lines;
    r->n_out = so.n;
    r->out_torn = so.line_start < so.data.len;
    r->err = se.lines;
    r->n_err = se.n;
    buf_free(&so.data);
    buf_free(&se.data);
    if (WIFEXITED(status)) {
        r->exited = true;
        r->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r->term_signal = WTERMSIG(status);
    }
    return 0;
}

void rpc_result_free(rpc_result *r) {
    for (size_t i = 0; i < r->n_out; i++)
        free(r->out[i].text);
    for (size_t i = 0; i < r->n_err; i++)
        free(r->err[i].text);
    free(r->out);
    free(r->err);
    free(r->done_ms);
    buf_free(&r->notes);
    memset(r, 0, sizeof *r);
}
