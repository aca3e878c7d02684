/* as_mcp — the MCP servers' start-up notifications (as_server.h, docs/app-server.md "MCP
 * servers"). The real 0.171.0 starts the servers of config.toml's [mcp_servers.NAME] tables
 * when a thread's first turn begins and reports each one's `starting` ~2 ms after the
 * turn/start and `ready` ~60 ms after it (corpus 26); the fake starts nothing and reports the
 * same. */
#include "as_server.h"
#include "buf.h"
#include "jsonw.h"

#define MCP_STARTING_MS 2.3
#define MCP_READY_MS 59.6

static void status(as_chan *ch, const as_thread *th, int64_t due, const char *name,
                   const char *what) {
    buf b;
    buf_init(&b);
    buf_printf(&b, "{\"threadId\":\"%s\",\"name\":", th->id);
    jsonw_cstring(&b, name);
    buf_printf(&b,
               ",\"environmentId\":null,\"status\":\"%s\",\"error\":null,\"failureReason\":null}",
               what);
    as_chan_notify(ch, due, "mcpServer/startupStatus/updated", b.data, b.len);
    buf_free(&b);
}

void as_mcp_startup(as_server *s, as_chan *ch, as_thread *th, int64_t at, int phase) {
    if (th->mcp_announced || !s->n_mcp_servers) return;
    int64_t due = at + as_delay(s, phase == 0 ? MCP_STARTING_MS : MCP_READY_MS);
    for (size_t i = 0; i < s->n_mcp_servers; i++)
        status(ch, th, due, s->mcp_servers[i], phase == 0 ? "starting" : "ready");
    if (phase == 1) th->mcp_announced = true;
}
