/* layout — where codex-mock's pieces are, relative to the running binary.
 *
 * Two layouts are known, both relative to a prefix (the build tree is the first):
 *   <prefix>/bin/codex, <prefix>/bin/codex-mock, <prefix>/share/codex-mock/scenarios
 *   <prefix>/bin/codex-mock, <prefix>/lib/codex-mock/bin/codex (the fake, kept off the default
 *   PATH so it never shadows a real codex), <prefix>/share/codex-mock/scenarios
 * The functions taking `exe_dir` only look at the file system under it; exe_dir() reads
 * /proc/self/exe. Every result is a heap string the caller frees, or NULL when not found. */
#ifndef CODEX_MOCK_LAYOUT_H
#define CODEX_MOCK_LAYOUT_H

/* The directory of the running binary (no trailing '/'), or NULL. */
char *exe_dir(void);

/* The scenario library for a binary in exe_dir: exe_dir/../share/codex-mock/scenarios, else
 * exe_dir/../../../share/codex-mock/scenarios (a binary in <prefix>/lib/codex-mock/bin).
 * Canonical (realpath) and an existing directory, or NULL. */
char *layout_scenario_dir(const char *exe_dir);

/* The directory holding the fake `codex` that belongs to a toolbox in exe_dir:
 * exe_dir/../lib/codex-mock/bin when a `codex` is there, else exe_dir when one is there.
 * Canonical, or NULL. */
char *layout_fake_dir(const char *exe_dir);

#endif
