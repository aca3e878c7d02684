/* Shared helpers for the end-to-end tests: run the built fake `codex` (CODEX_BIN) in a
 * temporary directory with codex-mock's variables set, and compare with golden files. */
#ifndef CODEX_MOCK_TEST_E2E_H
#define CODEX_MOCK_TEST_E2E_H

#include "corpus.h"
#include "proc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh temporary directory (realpath), removed by e2e_rmtree. It holds an empty `.git`
 * directory, so codex's git-repository check passes as it does in a checkout. */
static inline char *e2e_tmpdir(void) {
    char tmpl[] = "/tmp/codex-mock-e2e-XXXXXX";
    char *d = mkdtemp(tmpl);
    if (!d) return NULL;
    char *real = realpath(d, NULL);
    char git[PATH_MAX + 8];
    snprintf(git, sizeof git, "%s/.git", real);
    if (mkdir(git, 0755) != 0) {
        free(real);
        return NULL;
    }
    return real;
}

/* A test group's temporary directory (*tmp) with a CODEX_HOME of its own inside, so session
 * files and the journal never go to the user's ~/.codex; codex-mock's state variables cleared.
 * Returns 0, or -1 when the directory cannot be made (cmocka group setup convention). */
static inline int e2e_setup_home(char **tmp) {
    *tmp = e2e_tmpdir();
    if (!*tmp) return -1;
    char home[PATH_MAX + 16];
    snprintf(home, sizeof home, "%s/codex-home", *tmp);
    if (mkdir(home, 0755) != 0) return -1;
    setenv("CODEX_HOME", home, 1);
    unsetenv("CODEX_MOCK_STATE");
    unsetenv("CODEX_MOCK_RULES");
    return 0;
}

/* "CODEX_MOCK_SPEED=X" (in `out`) for a run whose pace a test watches: `speed` natively, and
 * `speed` divided by the time scale when the runs are slowed (CODEX_MOCK_TEST_TIME_SCALE,
 * proc.h). Memcheck takes ~0.5-1 s to start a process, and the fake, whose schedule counts from
 * spawn, prints at once what fell due meanwhile: a turn that natively takes half a second would
 * be over before a test could signal it mid-way or close its pipe after the first line. Slowed
 * as the bounds are widened, it is not. */
static inline const char *e2e_speed(char out[64], double speed) {
    snprintf(out, 64, "CODEX_MOCK_SPEED=%g", speed / proc_time_scale());
    return out;
}

static inline void e2e_rmtree(char *dir) {
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    free(dir);
}

static inline char *e2e_write(const char *dir, const char *name, const char *text) {
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(text, 1, strlen(text), f);
        fclose(f);
    }
    return path;
}

#endif
