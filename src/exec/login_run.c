#include "login_run.h"
#include "fileio.h"

#include "auth.h"
#include "buf.h"
#include "exitcodes.h"
#include "login_flow.h"
#include "preflight.h"
#include "sink_human.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* `codex login` played from a scenario (login-port-in-use, a recording, …): with
 * `on_sigint: die`, a signal kills it as it does the real login. */
static int play_login_scenario(run_clock *rc, const mock_settings *set) {
    scenario sc;
    diag err;
    diag_init(&err);
    if (run_load_scenario(set->scenario, set, &sc, &err) < 0) {
        diag_print(&err, stderr);
        diag_free(&err);
        return EXIT_MOCK_ERROR;
    }
    rng r;
    rng_seed(&r, set->has_seed ? set->seed : (uint64_t)rc->spawn ^ (uint64_t)getpid());
    if (!set->has_now) rc->wall_start = rc->clk->wall_ms(rc->clk);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
    sink s = sink_human();
    chaos_spec none = {0};
    turn_params tp = {.sc = &sc,
                      .chaos = &none,
                      .rc = rc,
                      .rng = &r,
                      .cwd = cwd,
                      .sinks = &s,
                      .n_sinks = 1,
                      .explain_fd = -1,
                      .envp = (const char *const *)environ};
    int code = run_turn(&tp);
    scenario_free(&sc);
    return code;
}

int login_run(const invocation *inv, bool legacy, run_clock *rc, const mock_settings *set) {
    char *home = NULL, *msg = NULL;
    if (preflight_codex_home(getenv("CODEX_HOME"), getenv("HOME"), &home, &msg) < 0) {
        fprintf(stderr, "%s\n", msg);
        free(msg);
        return EXIT_TURN_FAILED;
    }
    buf err;
    buf_init(&err);
    int code;
    if (inv->cmd == CMD_LOGIN_STATUS) {
        code = auth_status(home, legacy, &err);
    } else if (inv->cmd == CMD_LOGOUT) {
        code = auth_logout(home, &err);
    } else if (inv->with_api_key) {
        bool tty = isatty(STDIN_FILENO);
        const char *notice = auth_login_notice(tty);
        if (notice) fprintf(stderr, "%s\n", notice), fflush(stderr);
        buf in;
        buf_init(&in);
        if (!tty)
            (void)fileio_read_fd(STDIN_FILENO, &in); /* a read error ends the input, as EOF does */
        code = auth_login_api_key(home, in.data ? in.data : "", in.len, tty, legacy, &err);
        buf_free(&in);
    } else if (set->scenario) {
        code = play_login_scenario(rc, set);
    } else {
        login_params lp = {.codex_home = home,
                           .issuer = inv->issuer,
                           .speed = set->speed,
                           .port = 1455,
                           .fallback_port = 1457};
        rng r;
        rng_seed(&r, (uint64_t)time(NULL) ^ (uint64_t)getpid());
        code = inv->device_auth ? login_device(&lp, clock_system())
                                : login_browser(&lp, clock_system(), &r);
    }
    if (err.len) fwrite(err.data, 1, err.len, stderr);
    buf_free(&err);
    free(home);
    return code;
}
