/* as_items — the app-server's rendering of the scenario steps whose exec shape has no
 * app-server twin of the same name (0.171.0's schema: ThreadItem, TurnPlanUpdatedNotification):
 *
 *   web_search        → a `webSearch` item: {type, id, query, action, results}. Its id is the
 *                       provider's search id (`ws_…`). Started with query "" and action
 *                       {"type":"other"} (the search call before its action is known), completed
 *                       with the query and the action in the app-server's form.
 *   todo_list         → no item: each plan state (exec's item.started / item.updated) is a
 *                       `turn/plan/updated` {threadId, turnId, explanation, plan:[{step, status}]}.
 *   collab_tool_call  → a `collabAgentToolCall` item: {type, id, tool, status, senderThreadId,
 *                       receiverThreadIds, prompt, model, reasoningEffort, agentsStates}, the
 *                       exec names in camelCase (spawn_agent → spawnAgent, not_found →
 *                       notFound). Started as the real server starts one: agentsStates {}, and
 *                       a spawn without receivers (the agent does not exist yet).
 *
 * The item builders append an object that is left open (no closing brace): the caller adds the
 * item's startedAtMs/completedAtMs and closes it, as for every other item. Nothing fails. */
#ifndef CODEX_MOCK_AS_ITEMS_H
#define CODEX_MOCK_AS_ITEMS_H

#include "buf.h"
#include "scenario.h"

#include <stdbool.h>

/* The item id the app-server shows for a web search: the provider's search id. */
mstr asi_web_search_id(const item *it);
void asi_web_search(buf *b, const item *it, bool done);
/* The whole params object of a turn/plan/updated for a todo_list state. */
void asi_plan_updated(buf *b, const char *thread_id, const char *turn_id, const item *it);
void asi_collab(buf *b, const item *it, const char *id, bool done);

#endif
