/* The fake `codex` binary: reads codex-mock's settings, chooses the version profile, parses
 * the command line as that version's clap would, and hands the command to its face —
 * `exec` (exec_run.h), login (login_run.h) or `app-server` (appserver.h). Everything else lives
 * in the libraries. */
#include "appserver.h"
#include "cli.h"
#include "clock.h"
#include "diag.h"
#include "exec_run.h"
#include "exitcodes.h"
#include "login_run.h"
#include "plan.h"
#include "run.h"
#include "settings.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mock_error(diag *d) {
    diag_print(d, stderr);
    diag_free(d);
    return EXIT_MOCK_ERROR;
}

/* The profile: CODEX_MOCK_VERSION, else the scenario's `cli.version` (read quietly here,
 * before the command line is parsed, because the profile decides the grammar). The scenario
 * read for that is handed back in *peek (when *peeked) so the run need not parse it again. */
static int choose_profile(const mock_settings *set, version_profile *vp, diag *err, scenario *peek,
                          bool *peeked) {
    const char *text = set->version;
    *peeked = false;
    if (!text) {
        diag quiet;
        diag_init(&quiet);
        if (run_load_scenario(set->scenario, set, peek, &quiet) == 0) {
            *peeked = true;
            text = peek->cli.version;
        }
        diag_free(&quiet);
    }
    char *why = NULL;
    int rc = version_profile_parse(text, vp, &why);
    if (rc < 0) {
        diag_set(err, NULL, 0, 0, "%s: %s", set->version ? "CODEX_MOCK_VERSION" : "cli.version",
                 why);
        free(why);
    }
    return rc;
}

int main(int argc, char **argv) {
    diag err;
    diag_init(&err);
    mock_settings set;
    if (settings_from_env(env_lookup_process, NULL, &set, &err) < 0) return mock_error(&err);
    run_clock rc;
    run_clock_start(&rc, clock_system(), &set);
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 2 && !strcmp(argv[1], "app-server")) {
        appserver_params ap = {.clk = rc.clk,
                               .spawn = rc.spawn,
                               .speed = rc.speed,
                               .has_seed = set.has_seed,
                               .seed = set.seed,
                               .wall_start = rc.wall_start,
                               .settings = &set,
                               .argc = argc,
                               .argv = argv};
        return appserver_main(argc - 2, argv + 2, &ap);
    }

    version_profile vp;
    scenario peek;
    bool peeked;
    if (choose_profile(&set, &vp, &err, &peek, &peeked) < 0) {
        if (peeked) scenario_free(&peek);
        return mock_error(&err);
    }
    invocation inv;
    cli_parse_profile(argc, argv, vp.version, vp.legacy, &inv);
    int code;
    if (inv.done) {
        /* The real binary needs ≈36 ms to start before clap answers (trace 35). */
        rc.clk->wait_until(rc.clk, rc.spawn + plan_scale(INT64_C(36000000), rc.speed), NULL);
        if (inv.done_stdout) fputs(inv.done_stdout, stdout);
        if (inv.done_stderr) fputs(inv.done_stderr, stderr);
        code = inv.done_code;
    } else if (inv.cmd == CMD_LOGIN || inv.cmd == CMD_LOGIN_STATUS || inv.cmd == CMD_LOGOUT) {
        code = login_run(&inv, vp.legacy, &rc, &set);
    } else {
        exec_request req = {.inv = &inv,
                            .vp = &vp,
                            .rc = &rc,
                            .settings = &set,
                            .argc = argc,
                            .argv = argv,
                            .preloaded = peeked ? &peek : NULL};
        code = exec_run(&req);
        peeked = req.preloaded != NULL; /* still ours when the run did not take it */
    }
    diag_free(&err);
    cli_free(&inv);
    version_profile_free(&vp);
    if (peeked) scenario_free(&peek);
    return code;
}
