/* preflight — the real CLI's start-up checks that end a run before any JSON
 * (docs/behaviour.md#start-up-order), each with its exact stderr text. The caller runs them in the
 * real order: clap → `-c` overrides (preflight_overrides) → CODEX_HOME (preflight_codex_home) →
 *   `-C DIR` (preflight_cd) → config.toml (a scenario's `cli.before_prompt` steps) →
 *   prompt/stdin (prompt.h) → --output-schema (output_files.h) → git repository
 *   (preflight_git) → `-o` (output_files.h) → thread start.
 *
 * Every check returns 0, or -1 with *err set to a heap string (no trailing newline) that the
 * caller prints on stderr before exiting 1. Nothing here prints or exits. */
#ifndef CODEX_MOCK_PREFLIGHT_H
#define CODEX_MOCK_PREFLIGHT_H

#include "buf.h"
#include "cli.h"

#include <stdbool.h>

/* Rust's io::Error text: `No such file or directory (os error 2)`. */
void os_error(buf *b, int errnum);

/* Every -c value needs '=': `Error parsing -c overrides: Invalid override (missing '='): foo`. */
int preflight_overrides(const invocation *inv, char **err);

/* The value of `-c KEY=VALUE` (last one wins) as a plain string: TOML basic/literal strings
 * unquoted (basic escapes \" \\ \n \t decoded), anything else as written, both trimmed.
 * Heap string, or NULL when the key is not overridden. */
char *override_value(const invocation *inv, const char *key);

/* CODEX_HOME: the directory the real CLI uses — $CODEX_HOME (which must exist:
 * `Error finding codex home: CODEX_HOME points to "<path>", but that path does not exist`),
 * else $HOME/.codex, else the passwd home's .codex (not required to exist). *home is heap. */
int preflight_codex_home(const char *env_codex_home, const char *env_home, char **home, char **err);

/* -C DIR: chdir, or `Error: No such file or directory (os error 2)`. */
int preflight_cd(const char *dir, char **err);

/* The git check: fine when `cwd` or a parent holds `.git` (file or directory), or when
 * skipped (--skip-git-repo-check, --yolo); else `Not inside a trusted directory and
 * --skip-git-repo-check was not specified.` */
int preflight_git(const char *cwd, bool skip, char **err);

#endif
