#include "select.h"
#include "buf.h"
#include "layout.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void choice_free(scenario_choice *c) {
    free(c->path);
    free(c->name);
    c->path = c->name = NULL;
}

static bool is_file(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

char *builtin_scenario_dir(void) {
    char *dir = exe_dir();
    char *lib = layout_scenario_dir(dir);
    free(dir);
    return lib;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **list_scenario_names(const char *dir) {
    char **v = xcalloc(1, sizeof(char *));
    size_t n = 0;
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) return v;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        size_t ext = ends_with(e->d_name, ".yaml") ? 5 : ends_with(e->d_name, ".yml") ? 4 : 0;
        if (!ext || e->d_name[0] == '.') continue;
        v = xrealloc(v, (n + 2) * sizeof(char *));
        v[n++] = xstrndup(e->d_name, len - ext);
        v[n] = NULL;
    }
    closedir(d);
    qsort(v, n, sizeof(char *), cmp_names);
    return v;
}

void names_free(char **names) {
    if (!names) return;
    for (char **p = names; *p; p++)
        free(*p);
    free(names);
}

static bool valid_name(const char *s) {
    if (!*s || s[0] == '.') return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return strstr(s, "..") == NULL;
}

/* Looks for NAME.yaml / NAME.yml in dir. */
static char *find_in(const char *dir, const char *name) {
    const char *exts[] = {".yaml", ".yml"};
    for (int i = 0; i < 2; i++) {
        char *p = xasprintf("%s/%s%s", dir, name, exts[i]);
        if (is_file(p)) return p;
        free(p);
    }
    return NULL;
}

/* Each directory of the search order, in turn. Returns the number of directories. */
static size_t search_dirs(const char *path_list, const char *builtin_dir, char ***out) {
    char **dirs = NULL;
    size_t n = 0;
    if (path_list && *path_list) {
        char *copy = xstrdup(path_list), *save = NULL;
        for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
            dirs = xrealloc(dirs, (n + 1) * sizeof(char *));
            dirs[n++] = xstrdup(tok);
        }
        free(copy);
    }
    if (builtin_dir) {
        dirs = xrealloc(dirs, (n + 1) * sizeof(char *));
        dirs[n++] = xstrdup(builtin_dir);
    }
    *out = dirs;
    return n;
}

bool scenario_is_path(const char *requested) {
    return requested && *requested &&
           (strchr(requested, '/') || ends_with(requested, ".yaml") ||
            ends_with(requested, ".yml"));
}

int select_scenario(const char *requested, const char *path_list, const char *builtin_dir,
                    scenario_choice *out, diag *err) {
    out->path = out->name = NULL;
    bool by_default = !requested || !*requested;
    const char *name = by_default ? "default" : requested;
    if (scenario_is_path(requested)) {
        struct stat st;
        int rc = stat(name, &st);
        if (rc != 0 || !S_ISREG(st.st_mode)) {
            /* errno only when stat failed: a FIFO or a device is there, just not a file */
            const char *why = rc != 0               ? strerror(errno)
                              : S_ISDIR(st.st_mode) ? "it is a directory"
                                                    : "not a regular file";
            diag_set(err, NULL, 0, 0, "CODEX_MOCK_SCENARIO: no scenario file '%s' (%s)", name, why);
            return -1;
        }
        out->path = xstrdup(name);
        out->name = xstrdup(name);
        return 0;
    }
    if (!valid_name(name)) {
        diag_set(err, NULL, 0, 0,
                 "CODEX_MOCK_SCENARIO: '%s' is not a scenario name (letters, digits, '-', '_', "
                 "'.'; no '..'); give a path with a '/' to load a file",
                 name);
        return -1;
    }
    char **dirs;
    size_t n = search_dirs(path_list, builtin_dir, &dirs);
    for (size_t i = 0; i < n && !out->path; i++)
        out->path = find_in(dirs[i], name);
    if (out->path || strcmp(name, "default") == 0) {
        for (size_t i = 0; i < n; i++)
            free(dirs[i]);
        free(dirs);
        out->name = xstrdup(name);
        return 0; /* by default with no library: path NULL → the embedded copy */
    }
    /* Not found: list the near misses from every directory. */
    buf b;
    buf_init(&b);
    const char *hint = NULL;
    char **all = NULL;
    size_t n_all = 0;
    for (size_t i = 0; i < n; i++) {
        char **names = list_scenario_names(dirs[i]);
        for (char **p = names; *p; p++) {
            all = xrealloc(all, (n_all + 2) * sizeof(char *));
            all[n_all++] = xstrdup(*p);
            all[n_all] = NULL;
        }
        names_free(names);
    }
    if (all) hint = did_you_mean(name, strlen(name), (const char *const *)all);
    buf_printf(&b, "CODEX_MOCK_SCENARIO: no scenario named '%s'", name);
    if (hint) buf_printf(&b, " (did you mean '%s'?)", hint);
    buf_puts(&b, "; searched ");
    if (n == 0)
        buf_puts(&b, "nowhere: the built-in library was not found and "
                     "CODEX_MOCK_SCENARIO_PATH is empty");
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", dirs[i]);
    buf_puts(&b, " (`codex-mock list` shows the built-in names)");
    diag_set(err, NULL, 0, 0, "%s", b.data);
    buf_free(&b);
    names_free(all);
    for (size_t i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs);
    return -1;
}
