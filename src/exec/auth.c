#include "auth.h"
#include "exitcodes.h"
#include "json_check.h"
#include "jsonw.h"
#include "fileio.h"
#include "preflight.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void auth_mask(buf *b, const char *key) {
    size_t n = strlen(key);
    if (n <= 13) {
        buf_puts(b, "***");
        return;
    }
    buf_append(b, key, 8);
    buf_puts(b, "***");
    buf_append(b, key + n - 5, 5);
}

static char *auth_path(const char *home) {
    return xasprintf("%s/auth.json", home);
}

static bool blank_char(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

const char *auth_login_notice(bool stdin_is_tty) {
    return stdin_is_tty ? NULL : "Reading API key from stdin...";
}

int auth_login_api_key(const char *home, const char *in, size_t len, bool stdin_is_tty, bool legacy,
                       buf *err) {
    if (stdin_is_tty) {
        buf_puts(err, "--with-api-key expects the API key on stdin. Try piping it, e.g. "
                      "`printenv OPENAI_API_KEY | codex login --with-api-key`.\n");
        return EXIT_LOGIN_FAILED;
    }
    while (len && blank_char(*in))
        in++, len--;
    while (len && blank_char(in[len - 1]))
        len--;
    if (len == 0) {
        buf_puts(err, "No API key provided via stdin.\n");
        return EXIT_LOGIN_FAILED;
    }
    if (mkdir(home, 0700) != 0 && errno != EEXIST) {
        buf_puts(err, "Error logging in: ");
        os_error(err, errno);
        buf_putc(err, '\n');
        return EXIT_LOGIN_FAILED;
    }
    buf json;
    buf_init(&json);
    buf_puts(&json, "{\n  \"auth_mode\": \"apikey\",\n  \"OPENAI_API_KEY\": ");
    jsonw_string(&json, in, len);
    buf_puts(&json, "\n}");
    char *path = auth_path(home);
    int rc = fileio_write_atomic(path, json.data, json.len, 0600);
    int e = errno;
    free(path);
    buf_free(&json);
    if (rc < 0) {
        buf_puts(err, "Error logging in: ");
        os_error(err, e);
        buf_putc(err, '\n');
        return EXIT_LOGIN_FAILED;
    }
    buf_puts(err, legacy ? "Successfully logged in\n"
                         : "API key saved. Authentication is checked when you send a request.\n");
    return EXIT_OK;
}

typedef enum { AUTH_NONE, AUTH_API_KEY, AUTH_CHATGPT, AUTH_BROKEN } auth_kind;

/* What auth.json holds; *key points into *doc (free with cJSON_Delete), *why gets the serde
 * error for AUTH_BROKEN. */
static auth_kind auth_read(const char *home, cJSON **doc, const char **key, buf *why) {
    *doc = NULL;
    *key = NULL;
    char *path = auth_path(home);
    size_t len = 0;
    char *text = fileio_read_file(path, 0, &len);
    free(path);
    if (!text) return AUTH_NONE;
    auth_kind k = AUTH_NONE;
    if (!json_utf8_valid(text, len)) {
        buf_puts(why, "stream did not contain valid UTF-8");
        k = AUTH_BROKEN;
    } else if (!json_check(text, len, why)) {
        k = AUTH_BROKEN;
    } else if (!(*doc = cJSON_ParseWithLength(text, len)) || !cJSON_IsObject(*doc)) {
        buf_puts(why, "invalid type, expected struct AuthDotJson");
        k = AUTH_BROKEN;
    } else {
        const cJSON *mode = cJSON_GetObjectItemCaseSensitive(*doc, "auth_mode");
        const cJSON *api = cJSON_GetObjectItemCaseSensitive(*doc, "OPENAI_API_KEY");
        const cJSON *tokens = cJSON_GetObjectItemCaseSensitive(*doc, "tokens");
        bool has_key = cJSON_IsString(api) && api->valuestring[0];
        bool has_tokens = cJSON_IsObject(tokens);
        bool chatgpt_mode = cJSON_IsString(mode) && !strcmp(mode->valuestring, "chatgpt");
        if (has_key && !chatgpt_mode) {
            k = AUTH_API_KEY;
            *key = api->valuestring;
        } else if (has_tokens) {
            k = AUTH_CHATGPT;
        }
    }
    free(text);
    return k;
}

int auth_status(const char *home, bool legacy, buf *err) {
    cJSON *doc;
    const char *key;
    buf why;
    buf_init(&why);
    auth_kind k = auth_read(home, &doc, &key, &why);
    int code = EXIT_OK;
    switch (k) {
    case AUTH_NONE:
        buf_puts(err, "Not logged in\n");
        code = EXIT_LOGIN_FAILED;
        break;
    case AUTH_BROKEN:
        buf_printf(err,
                   "Error checking login status: failed to deserialize CLI auth from file: %s\n",
                   why.data ? why.data : "");
        code = EXIT_LOGIN_FAILED;
        break;
    case AUTH_API_KEY:
        buf_puts(err, legacy ? "Logged in using an API key - " : "API key configured - ");
        auth_mask(err, key);
        buf_puts(err, legacy ? "\n" : "\nAuthentication is checked when you send a request.\n");
        break;
    case AUTH_CHATGPT:
        buf_puts(err, "Logged in using ChatGPT\n");
        break;
    }
    cJSON_Delete(doc);
    buf_free(&why);
    return code;
}

int auth_logout(const char *home, buf *err) {
    char *path = auth_path(home);
    int rc = unlink(path);
    int e = errno;
    free(path);
    if (rc == 0) {
        buf_puts(err, "Successfully logged out\n");
        return EXIT_OK;
    }
    if (e == ENOENT) {
        buf_puts(err, "Not logged in\n");
        return EXIT_OK; /* as the real logout: nothing to do is no failure */
    }
    buf_puts(err, "Error logging out: ");
    os_error(err, e);
    buf_putc(err, '\n');
    return EXIT_LOGIN_FAILED;
}

bool auth_exec_has_credentials(const char *home, const char *env_key) {
    if (env_key) {
        for (const char *p = env_key; *p; p++)
            if (!blank_char(*p)) return true;
    }
    if (!home) return false;
    cJSON *doc;
    const char *key;
    buf why;
    buf_init(&why);
    auth_kind k = auth_read(home, &doc, &key, &why);
    cJSON_Delete(doc);
    buf_free(&why);
    return k == AUTH_API_KEY || k == AUTH_CHATGPT;
}
