/* rpc_compare — test support: compare what an app-server wrote in a replay (rpc_session.h)
 * with the recorded process, and say where they differ in words a person can act on.
 *
 * Normalisation (rpc_normalise) is the only difference allowed, applied to both sides:
 *   - this run's home and run folders → {{HOME}}, {{RUN}}; http://127.0.0.1:PORT → {{BASE_URL}};
 *   - every UUID → <id-N>, N counting distinct ids in order of first appearance within the
 *     session (one rpc_canon per side), so an id must recur where the recording repeats it;
 *   - the numbers of emittedAtMs, startedAt(Ms), completedAt(Ms), createdAt, updatedAt,
 *     recencyAt, durationMs → <t>; the fake model server's request ids req_fake_<ms>;
 *     the OS process ids of commands (`processId`); the work dir's commit (`gitInfo.sha`); ISO
 * timestamps (cursors, stderr) → <ts>; the date parts of rollout paths → <date>;
 *   - the members of `readStates` sorted by when their key (a thread id) first appeared: the
 *     real server writes that map in hash order;
 *   - the environment values the corpus README lists: the bubblewrap warning's text, the
 *     `serverName` (host name), the OS and TERM in `userAgent`, and the sandbox's pyenv line.
 *
 * Each rpc_compare_* returns true when equal, else appends an explanation to *log. The
 * tolerance for a line's offset from its cause (the transcript entry just before it: a client
 * line, a signal, the stdin close or the previous server line) is max(25 ms, 10 %) times
 * `scale` (proc_time_scale()). Strings returned are heap; the caller frees them. */
#ifndef CODEX_MOCK_TEST_RPC_COMPARE_H
#define CODEX_MOCK_TEST_RPC_COMPARE_H

#include "buf.h"
#include "rpc_session.h"

#include <stdbool.h>

typedef struct {
    char **ids;
    size_t n;
} rpc_canon;

void rpc_canon_free(rpc_canon *c);

/* run_dir / home_dir: the paths that stand for {{RUN}} / {{HOME}} (NULL: none). */
char *rpc_normalise(const char *line, const char *run_dir, const char *home_dir, rpc_canon *c);

double rpc_tolerance_ms(double offset_ms, double scale);

/* Server lines, byte for byte after normalisation (in order, all of them). */
bool rpc_compare_lines(const rpc_script *s, const rpc_result *r, const char *run_dir,
                       const char *home_dir, rpc_canon *rec, rpc_canon *ours, buf *log);
/* stderr lines after normalisation. */
bool rpc_compare_stderr(const rpc_script *s, const rpc_result *r, const char *run_dir,
                        const char *home_dir, buf *log);
/* Exit code, or death by the same signal. */
bool rpc_compare_exit(const rpc_script *s, const rpc_result *r, buf *log);
/* Each server line (those both sides have) and the exit within the tolerance of their
 * recorded offset from their cause. */
bool rpc_compare_timing(const rpc_script *s, const rpc_result *r, double scale, buf *log);

/* What a sanitizer build's exit may take more than a native one: LeakSanitizer scans the heap
 * as the process exits (about 40 ms here). 0 in a native build. */
#if defined(__SANITIZE_ADDRESS__)
#define RPC_EXIT_SANITIZER_SLACK_MS 100.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RPC_EXIT_SANITIZER_SLACK_MS 100.0
#endif
#endif
#ifndef RPC_EXIT_SANITIZER_SLACK_MS
#define RPC_EXIT_SANITIZER_SLACK_MS 0.0
#endif

#endif
