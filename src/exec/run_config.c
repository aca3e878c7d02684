#include "run_config.h"
#include "buf.h"
#include "preflight.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first of: a flag value, a -c override, the scenario's value, a default. */
static char *pick(const char *flag, char *override, const char *scenario, const char *dflt) {
    if (flag) {
        free(override);
        return xstrdup(flag);
    }
    if (override) return override;
    return xstrdup(scenario ? scenario : dflt);
}

void run_header_build(const invocation *inv, const cli_config *cli, bool legacy, run_header *h) {
    memset(h, 0, sizeof *h);
    h->model = pick(inv->model, override_value(inv, "model"), cli->model,
                    legacy ? "gpt-5-codex" : "gpt-6.1-sol");
    const char *oss = inv->oss ? (inv->local_provider ? inv->local_provider : "oss") : NULL;
    h->provider = pick(oss, override_value(inv, "model_provider"), cli->provider, "openai");
    const char *approval_flag = inv->approval    ? inv->approval
                                : inv->full_auto ? "on-request"
                                                 : NULL;
    h->approval = pick(approval_flag, override_value(inv, "approval_policy"), NULL, "never");
    const char *sandbox_flag = inv->sandbox     ? inv->sandbox
                               : inv->yolo      ? "danger-full-access"
                               : inv->full_auto ? "workspace-write"
                                                : NULL;
    h->sandbox_mode = pick(sandbox_flag, override_value(inv, "sandbox_mode"), NULL, "read-only");
    if (!strcmp(h->sandbox_mode, "workspace-write")) {
        buf b;
        buf_init(&b);
        buf_puts(&b, "workspace-write [workdir, /tmp, $TMPDIR");
        for (size_t i = 0; i < inv->add_dirs.n; i++) {
            char real[PATH_MAX];
            const char *d = inv->add_dirs.v[i];
            buf_printf(&b, ", %s", realpath(d, real) ? real : d);
        }
        buf_putc(&b, ']');
        h->sandbox = buf_detach(&b);
    } else {
        h->sandbox = xstrdup(h->sandbox_mode);
    }
    h->reasoning_effort =
        pick(NULL, override_value(inv, "model_reasoning_effort"), cli->reasoning_effort, "none");
    h->reasoning_summaries = pick(NULL, override_value(inv, "model_reasoning_summary"),
                                  cli->reasoning_summaries, "none");
}

void run_header_free(run_header *h) {
    free(h->model);
    free(h->provider);
    free(h->approval);
    free(h->sandbox_mode);
    free(h->sandbox);
    free(h->reasoning_effort);
    free(h->reasoning_summaries);
    memset(h, 0, sizeof *h);
}

bool bwrap_on_path(const char *path_env) {
    if (!path_env) return false;
    const char *p = path_env;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char probe[PATH_MAX];
        if (n && n + 7 < sizeof probe) {
            memcpy(probe, p, n);
            memcpy(probe + n, "/bwrap", 7);
            if (access(probe, X_OK) == 0) return true;
        }
        if (!colon) break;
        p = colon + 1;
    }
    return false;
}
