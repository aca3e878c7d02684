/* as_history — see as_history.h. */
#include "as_history.h"

#include "clock.h"
#include "jsonw.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const cJSON *o, const char *k) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* The text of an item's first content part. */
static const char *content_text(const cJSON *item) {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(item, "content");
    return str(cJSON_GetArrayItem(c, 0), "text");
}

typedef struct {
    buf items;
    char id[64];
    int64_t started_ms, done_ms;
    const char *status;
    bool open;
} turn_acc;

static void close_turn(buf *turns, turn_acc *t, as_history *h) {
    if (!t->open) return;
    if (h->n_turns++) buf_putc(turns, ',');
    buf_printf(turns, "{\"id\":\"%s\",\"rootTurnId\":\"%s\",\"items\":[", t->id, t->id);
    if (t->items.len) buf_append(turns, t->items.data, t->items.len);
    buf_printf(turns,
               "],\"itemsView\":\"full\",\"status\":\"%s\",\"error\":null,\"startedAt\":%lld,",
               t->status, (long long)(t->started_ms / 1000));
    if (t->done_ms >= 0)
        buf_printf(turns, "\"completedAt\":%lld,\"durationMs\":%lld}",
                   (long long)(t->done_ms / 1000), (long long)(t->done_ms - t->started_ms));
    else
        buf_puts(turns, "\"completedAt\":null,\"durationMs\":null}");
    free(h->last_turn_id);
    h->last_turn_id = xstrdup(t->id);
    buf_reset(&t->items);
    t->open = false;
}

int as_history_read(const char *path, buf *turns, as_history *h, char **err) {
    memset(h, 0, sizeof *h);
    FILE *f = fopen(path, "r");
    if (!f) {
        *err = xasprintf("cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    turn_acc t = {.done_ms = -1};
    buf_init(&t.items);
    buf_putc(turns, '[');
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *o = cJSON_Parse(line);
        if (!o) continue; /* a torn tail */
        int64_t ms = 0;
        const char *stamp = str(o, "timestamp");
        if (stamp) clock_parse_utc(stamp, &ms);
        if (!h->created_ms) h->created_ms = ms;
        h->updated_ms = ms;
        const char *type = str(o, "type");
        const cJSON *ord = cJSON_GetObjectItemCaseSensitive(o, "ordinal");
        int64_t ordinal = cJSON_IsNumber(ord) ? (int64_t)ord->valuedouble : 0;
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "payload");
        const char *pt = str(p, "type");
        if (type && !strcmp(type, "session_meta")) {
            const cJSON *git = cJSON_GetObjectItemCaseSensitive(p, "git");
            if (str(git, "commit_hash")) h->git_sha = xstrdup(str(git, "commit_hash"));
            if (str(git, "branch")) h->git_branch = xstrdup(str(git, "branch"));
            static const char *const KEYS[] = {"source", "originator", "model_provider", "cwd"};
            char **slots[] = {&h->source, &h->originator, &h->provider, &h->cwd};
            for (size_t i = 0; i < 4; i++)
                if (!*slots[i] && str(p, KEYS[i])) *slots[i] = xstrdup(str(p, KEYS[i]));
        } else if (type && !strcmp(type, "turn_context") && str(p, "model")) {
            free(h->model);
            h->model = xstrdup(str(p, "model"));
        } else if (type && !strcmp(type, "event_msg") && pt) {
            if (!strcmp(pt, "task_started")) {
                close_turn(turns, &t, h);
                if (!h->first_turn_ordinal) h->first_turn_ordinal = ordinal;
                const char *id =
                    str(cJSON_GetObjectItemCaseSensitive(p, "turn_attribution"), "turn_id");
                snprintf(t.id, sizeof t.id, "%s", id ? id : "");
                t.started_ms = ms;
                t.done_ms = -1;
                t.status = "inProgress";
                t.open = true;
            } else if (!strcmp(pt, "item_completed") && t.open) {
                h->last_item_ordinal = ordinal;
                const cJSON *it = cJSON_GetObjectItemCaseSensitive(p, "item");
                const char *ity = str(it, "type"), *id = str(it, "id"), *text = content_text(it);
                if (!ity || !id) goto next;
                if (t.items.len) buf_putc(&t.items, ',');
                if (!strcmp(ity, "UserMessage")) {
                    buf_puts(&t.items, "{\"type\":\"userMessage\",\"id\":");
                    jsonw_cstring(&t.items, id);
                    buf_puts(&t.items,
                             ",\"clientId\":null,\"content\":[{\"type\":\"text\",\"text\":");
                    jsonw_cstring(&t.items, text ? text : "");
                    buf_printf(
                        &t.items,
                        ",\"text_elements\":[]}],\"startedAtMs\":%lld,\"completedAtMs\":%lld}",
                        (long long)ms, (long long)ms);
                    if (!h->preview && text) h->preview = xstrdup(text);
                } else if (!strcmp(ity, "AgentMessage")) {
                    buf_puts(&t.items, "{\"type\":\"agentMessage\",\"moderation\":null,\"id\":");
                    jsonw_cstring(&t.items, id);
                    buf_puts(&t.items, ",\"text\":");
                    jsonw_cstring(&t.items, text ? text : "");
                    buf_printf(&t.items,
                               ",\"phase\":null,\"memoryCitation\":null,\"delivery\":null,"
                               "\"questions\":null,\"startedAtMs\":%lld,\"completedAtMs\":%lld}",
                               (long long)ms, (long long)ms);
                } else if (t.items.len) {
                    t.items.len--; /* other items are not shown: drop the comma */
                }
            } else if (!strcmp(pt, "task_complete") && t.open) {
                t.status = "completed";
                t.done_ms = ms;
                close_turn(turns, &t, h);
            } else if (!strcmp(pt, "turn_aborted") && t.open) {
                t.status = "interrupted";
                t.done_ms = ms;
                close_turn(turns, &t, h);
            }
        }
    next:
        cJSON_Delete(o);
    }
    free(line);
    fclose(f);
    if (t.open) {
        t.status = "interrupted";
        close_turn(turns, &t, h);
    }
    buf_free(&t.items);
    buf_putc(turns, ']');
    return 0;
}

void as_history_free(as_history *h) {
    free(h->preview);
    free(h->last_turn_id);
    free(h->git_sha);
    free(h->git_branch);
    free(h->source);
    free(h->originator);
    free(h->provider);
    free(h->cwd);
    free(h->model);
}
