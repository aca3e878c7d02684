#include "journal.h"
#include "jsonw.h"

static void put_key(buf *b, const char *key) {
    buf_putc(b, ',');
    jsonw_cstring(b, key);
    buf_putc(b, ':');
}

static void put_str_or_null(buf *b, const char *key, const char *v) {
    put_key(b, key);
    if (v)
        jsonw_cstring(b, v);
    else
        jsonw_null(b);
}

void journal_format(buf *out, const journal_entry *e, const char *(*lookup)(const char *name)) {
    static const char *const vars[] = {"CODEX_HOME",         "CODEX_MOCK_SCENARIO",
                                       "CODEX_MOCK_RULES",   "CODEX_MOCK_SPEED",
                                       "CODEX_MOCK_SEED",    "CODEX_MOCK_CHAOS",
                                       "CODEX_MOCK_VERSION", "CODEX_INTERNAL_ORIGINATOR_OVERRIDE",
                                       "OPENAI_BASE_URL",    NULL};
    static const char *const secrets[] = {"CODEX_API_KEY", "OPENAI_API_KEY", NULL};
    buf_puts(out, "{\"invocation\":");
    jsonw_int(out, e->invocation);
    put_str_or_null(out, "start", e->start);
    put_str_or_null(out, "end", e->end);
    put_key(out, "argv");
    buf_putc(out, '[');
    for (int i = 0; i < e->argc; i++) {
        if (i) buf_putc(out, ',');
        jsonw_cstring(out, e->argv[i]);
    }
    buf_putc(out, ']');
    put_str_or_null(out, "command", e->command);
    put_str_or_null(out, "cwd", e->cwd);
    put_str_or_null(out, "prompt", e->prompt);
    put_key(out, "stdin");
    if (e->stdin_read)
        jsonw_string(out, e->stdin_text ? e->stdin_text : "", e->stdin_len);
    else
        jsonw_null(out);
    put_key(out, "env");
    buf_putc(out, '{');
    bool first = true;
    for (size_t i = 0; vars[i]; i++) {
        const char *v = lookup(vars[i]);
        if (!v) continue;
        if (!first) buf_putc(out, ',');
        jsonw_cstring(out, vars[i]);
        buf_putc(out, ':');
        jsonw_cstring(out, v);
        first = false;
    }
    for (size_t i = 0; secrets[i]; i++) { /* whether a key is there, never the key */
        if (!lookup(secrets[i])) continue;
        if (!first) buf_putc(out, ',');
        jsonw_cstring(out, secrets[i]);
        buf_puts(out, ":\"<set>\"");
        first = false;
    }
    buf_putc(out, '}');
    put_str_or_null(out, "rule", e->rule);
    put_str_or_null(out, "scenario", e->scenario);
    put_str_or_null(out, "thread_id", e->thread_id && *e->thread_id ? e->thread_id : NULL);
    put_key(out, "exit_code");
    jsonw_int(out, e->exit_code);
    buf_putc(out, '}');
}
