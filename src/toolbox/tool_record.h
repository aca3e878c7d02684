/* tool_record — the `codex-mock record` command (README "Record, convert, lint, show").
 *
 * tool_record(argc, argv, env) takes the words after `record`: options (--out DIR, --filter
 * NAME=REGEX, --filter-file FILE, --no-scrub, --name NAME, --app-server), `--`, then the command.
 * It finds the real CLI (CODEX_MOCK_REAL_CODEX for `codex`, else PATH without codex-mock's own
 * directory), runs it with stdio passed through (record.h), scrubs secrets (scrub.h) from argv,
 * env, streams, rollout and -o file, and writes the recording directory (recording.h).
 * For `codex app-server` (or with --app-server) it keeps the transcript of the JSON-RPC session
 * both ways and writes the app-server layout instead (record_appserver.h): every session file
 * the run wrote, CODEX_HOME/config.toml; a folder that already holds a recording is refused
 * before the server starts.
 *
 * Returns what the process should exit with: the recorded CLI's own exit code (after dying by
 * its signal, when it died by one), 2 on a usage error, 78 (EXIT_MOCK_ERROR) when the CLI cannot
 * be found or started or the recording cannot be written. Messages go to stderr. */
#ifndef CODEX_MOCK_TOOL_RECORD_H
#define CODEX_MOCK_TOOL_RECORD_H

int tool_record(int argc, char **argv, char *const *env);

#endif
