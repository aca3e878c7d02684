/* remote — `codex exec --remote <ADDR> [--remote-auth-token-env <ENV_VAR>]` (0.171.0): the
 * real CLI hands the turn to a running app server. codex-mock emulates what a user sees when
 * nothing is listening there, with the real texts and exit code 1, in the real order:
 *
 *   1. --remote-auth-token-env without --remote;
 *   2. an address that is not `ws://host:port`, `wss://host:port`, `unix://` or `unix://PATH`
 *      (a ws/wss path other than `/` is refused; `ws://h:p` is printed as `ws://h:p/`, and
 *      `unix://` alone is `$CODEX_HOME/app-server-control/app-server-control.sock`);
 *   3. the token variable unset or empty;
 *   4. `exec fork` and `exec review` (--remote supports exec and exec resume);
 *   5. `exec resume` without a thread UUID (--last, or a thread name);
 *   — then the prompt is read as for a local run, and —
 *   6. the connection: a real connect() (TCP, or the unix socket) whose failure prints the
 *      real `failed to connect to remote app server at `URL`: …` text.
 * With RUST_BACKTRACE (or RUST_LIB_BACKTRACE, which wins) set and not "0", each error is
 * followed by the real `Stack backtrace:` section: that many `<unknown>` frames (the musl
 * binary has no symbols), the count the real binary prints for that error.
 *
 * remote_check() does steps 1-5: it returns NULL when the run goes on (*url then heap, or NULL
 * without --remote), or the error message (heap, without "Error: ") with *frames set.
 * remote_connect() does step 6: NULL when something accepted the connection, else the error
 * message (heap) with *frames set. remote_print_error() writes "Error: MSG\n" and the
 * backtrace section. `env` looks variables up (getenv in production). */
#ifndef CODEX_MOCK_REMOTE_H
#define CODEX_MOCK_REMOTE_H

#include "cli.h"

#include <stdio.h>

typedef const char *(*remote_env_fn)(const char *name);

char *remote_check(const invocation *inv, const char *codex_home, remote_env_fn env, char **url,
                   int *frames);
char *remote_connect(const char *url, int *frames);
void remote_print_error(FILE *f, const char *msg, int frames, remote_env_fn env);

#endif
