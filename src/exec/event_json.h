/* event_json — one event as the exact JSONL line `codex exec --json` prints
 * (docs/behaviour.md#jsonl-events).
 *
 * Appends the compact JSON object and the terminating "\n" to a caller-owned buf. The event
 * must be fully resolved by the planner (item id assigned, web_search provider id set); fields
 * the wire prints as null when absent are written as null. Never fails. */
#ifndef CODEX_MOCK_EVENT_JSON_H
#define CODEX_MOCK_EVENT_JSON_H

#include "buf.h"
#include "scenario.h"

void item_write_json(buf *b, const item *it);
void usage_write_json(buf *b, const usage *u);
void event_write_json(buf *b, const event *ev);

#endif
