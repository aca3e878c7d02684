#include "corpus.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *data = malloc(cap);
    size_t r;
    while ((r = fread(data + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            cap *= 2;
            data = realloc(data, cap);
        }
    }
    fclose(f);
    data[n] = '\0';
    if (len) *len = n;
    return data;
}

static int load_timing(const char *path, trace_line **out, size_t *n) {
    *out = NULL;
    *n = 0;
    char *data = read_file(path, NULL);
    if (!data) return -1;
    char *save = NULL;
    bool header = true;
    /* Lines are "ms<TAB>text"; the text itself never contains a newline. */
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (header) {
            header = false;
            continue;
        }
        char *tab = strchr(line, '\t');
        *out = realloc(*out, (*n + 1) * sizeof(trace_line));
        (*out)[*n].ms = atof(line);
        (*out)[*n].line = strdup(tab ? tab + 1 : "");
        (*n)++;
    }
    free(data);
    return 0;
}

int trace_load(const char *dir, trace *t) {
    memset(t, 0, sizeof *t);
    t->dir = strdup(dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/stdout.jsonl", dir);
    t->stdout_bytes = read_file(path, &t->stdout_len);
    if (!t->stdout_bytes) {
        snprintf(path, sizeof path, "%s/stdout.txt", dir);
        t->stdout_bytes = read_file(path, &t->stdout_len);
    }
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    t->stderr_bytes = read_file(path, &t->stderr_len);
    snprintf(path, sizeof path, "%s/stdout_timing.tsv", dir);
    if (load_timing(path, &t->out, &t->n_out) < 0) return -1;
    snprintf(path, sizeof path, "%s/stderr_timing.tsv", dir);
    load_timing(path, &t->err, &t->n_err);
    snprintf(path, sizeof path, "%s/exit_code", dir);
    char *code = read_file(path, NULL);
    if (!code || !t->stdout_bytes) {
        free(code);
        return -1;
    }
    t->exit_code = atoi(code);
    free(code);
    snprintf(path, sizeof path, "%s/argv.json", dir);
    char *argv = read_file(path, NULL);
    if (argv) t->argv = cJSON_Parse(argv);
    free(argv);
    return 0;
}

void trace_free(trace *t) {
    for (size_t i = 0; i < t->n_out; i++)
        free(t->out[i].line);
    for (size_t i = 0; i < t->n_err; i++)
        free(t->err[i].line);
    free(t->out);
    free(t->err);
    free(t->dir);
    free(t->stdout_bytes);
    free(t->stderr_bytes);
    cJSON_Delete(t->argv);
    memset(t, 0, sizeof *t);
}

char *replace_all(const char *s, const char *from, const char *to) {
    size_t fl = strlen(from), tl = strlen(to), count = 0;
    for (const char *p = s; (p = strstr(p, from)); p += fl)
        count++;
    char *out = malloc(strlen(s) + count * (tl > fl ? tl - fl : 0) + 1);
    char *o = out;
    for (const char *p = s;;) {
        const char *q = strstr(p, from);
        if (!q) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, tl);
        o += tl;
        p = q + fl;
    }
    return out;
}

static bool uuid_at(const char *p) {
    for (int i = 0; i < 36; i++) {
        char c = p[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!isxdigit((unsigned char)c)) {
            return false;
        }
    }
    return true;
}

char *mask_uuids(const char *s) {
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (i + 36 <= n && uuid_at(s + i)) {
            memcpy(out + o, "<uuid>", 6);
            o += 6;
            i += 36;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    return out;
}
