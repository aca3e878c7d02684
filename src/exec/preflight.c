#include "preflight.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void os_error(buf *b, int errnum) {
    buf_printf(b, "%s (os error %d)", strerror(errnum), errnum);
}

static int fail(char **err, char *msg) {
    *err = msg;
    return -1;
}

int preflight_overrides(const invocation *inv, char **err) {
    for (size_t i = 0; i < inv->config.n; i++)
        if (!strchr(inv->config.v[i], '='))
            return fail(err, xasprintf("Error parsing -c overrides: Invalid override (missing "
                                       "'='): %s",
                                       inv->config.v[i]));
    return 0;
}

static void trim(const char **s, size_t *n) {
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

char *override_value(const invocation *inv, const char *key) {
    char *found = NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i < inv->config.n; i++) {
        const char *c = inv->config.v[i], *eq = strchr(c, '=');
        if (!eq) continue;
        const char *k = c;
        size_t kn = (size_t)(eq - c);
        trim(&k, &kn);
        if (kn != kl || memcmp(k, key, kl) != 0) continue;
        const char *v = eq + 1;
        size_t vn = strlen(v);
        trim(&v, &vn);
        buf b;
        buf_init(&b);
        if (vn >= 2 && v[0] == '\'' && v[vn - 1] == '\'') {
            buf_append(&b, v + 1, vn - 2);
        } else if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
            for (size_t j = 1; j + 1 < vn; j++) {
                if (v[j] == '\\' && j + 2 < vn) {
                    char e = v[++j];
                    buf_putc(&b, e == 'n' ? '\n' : e == 't' ? '\t' : e);
                } else {
                    buf_putc(&b, v[j]);
                }
            }
        } else {
            buf_append(&b, v, vn);
        }
        free(found);
        found = b.data ? buf_detach(&b) : xstrdup("");
        buf_free(&b);
    }
    return found;
}

int preflight_codex_home(const char *env_codex_home, const char *env_home, char **home,
                         char **err) {
    *home = NULL;
    if (env_codex_home && *env_codex_home) {
        struct stat st;
        if (stat(env_codex_home, &st) != 0)
            return fail(err, xasprintf("Error finding codex home: CODEX_HOME points to \"%s\", "
                                       "but that path does not exist",
                                       env_codex_home));
        char real[PATH_MAX];
        *home = xstrdup(realpath(env_codex_home, real) ? real : env_codex_home);
        return 0;
    }
    const char *base = env_home && *env_home ? env_home : NULL;
    if (!base) {
        struct passwd *pw = getpwuid(getuid());
        base = pw && pw->pw_dir ? pw->pw_dir : "/";
    }
    *home = xasprintf("%s/.codex", base);
    return 0;
}

int preflight_cd(const char *dir, char **err) {
    if (chdir(dir) == 0) return 0;
    buf b;
    buf_init(&b);
    buf_puts(&b, "Error: ");
    os_error(&b, errno);
    return fail(err, buf_detach(&b));
}

int preflight_git(const char *cwd, bool skip, char **err) {
    if (skip) return 0;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", cwd);
    for (;;) {
        char probe[PATH_MAX + 8];
        struct stat st;
        snprintf(probe, sizeof probe, "%s%s.git", dir, dir[strlen(dir) - 1] == '/' ? "" : "/");
        if (stat(probe, &st) == 0) return 0;
        char *slash = strrchr(dir, '/');
        if (!slash || (slash == dir && dir[1] == '\0')) break;
        if (slash == dir)
            dir[1] = '\0';
        else
            *slash = '\0';
    }
    return fail(err, xstrdup("Not inside a trusted directory and --skip-git-repo-check was not "
                             "specified."));
}
