/* auth — `codex login --with-api-key`, `codex login status`, `codex logout`
 * (docs/behaviour.md#login) and the credentials `codex exec` would send (§8.3).
 *
 * Files: CODEX_HOME/auth.json, written pretty-printed with 2-space indentation as serde_json
 * does (`{\n  "auth_mode": "apikey",\n  "OPENAI_API_KEY": "sk-…"\n}`, no trailing newline),
 * mode 0600, atomically (temp file + rename). CODEX_HOME is created (0700) when missing.
 *
 * Each command function takes what the process read (stdin bytes, whether stdin is a TTY),
 * appends the exact stderr text to *err (all login output is on stderr) and returns the exit
 * code. `legacy` selects the 0.60-era wording (`Successfully logged in`,
 * `Logged in using an API key - <masked>`). Nothing here prints or exits. */
#ifndef CODEX_MOCK_AUTH_H
#define CODEX_MOCK_AUTH_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

/* The masking rule: ≤ 13 bytes → `***`; else the first 8, `***`, the last 5. */
void auth_mask(buf *b, const char *key);

/* Called before stdin is read: the notice to print first (NULL when stdin is a TTY, which is
 * an error reported by auth_login_api_key). */
const char *auth_login_notice(bool stdin_is_tty);
int auth_login_api_key(const char *codex_home, const char *in, size_t len, bool stdin_is_tty,
                       bool legacy, buf *err);
int auth_status(const char *codex_home, bool legacy, buf *err);
int auth_logout(const char *codex_home, buf *err);

/* exec: is there a key? CODEX_API_KEY (non-blank) wins; else auth.json with an API key or
 * ChatGPT tokens. OPENAI_API_KEY is ignored, as by the real CLI's built-in provider. */
bool auth_exec_has_credentials(const char *codex_home, const char *env_codex_api_key);

#endif
