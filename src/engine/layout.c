#include "layout.h"
#include "buf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *exe_dir(void) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return NULL;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash) return NULL;
    *slash = '\0';
    return xstrdup(slash == self ? "/" : self);
}

/* realpath(dir/rel) when it is a directory (want_dir) or a regular file. */
static char *existing(const char *dir, const char *rel, int want_dir) {
    char *p = xasprintf("%s/%s", dir, rel);
    char real[PATH_MAX];
    struct stat st;
    char *out = NULL;
    if (realpath(p, real) && stat(real, &st) == 0 &&
        (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)))
        out = xstrdup(real);
    free(p);
    return out;
}

char *layout_scenario_dir(const char *dir) {
    if (!dir) return NULL;
    char *s = existing(dir, "../share/codex-mock/scenarios", 1);
    return s ? s : existing(dir, "../../../share/codex-mock/scenarios", 1);
}

char *layout_fake_dir(const char *dir) {
    if (!dir) return NULL;
    char *codex = existing(dir, "../lib/codex-mock/bin/codex", 0);
    if (!codex) codex = existing(dir, "codex", 0);
    if (!codex) return NULL;
    *strrchr(codex, '/') = '\0';
    return codex;
}
