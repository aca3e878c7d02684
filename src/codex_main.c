/* The fake `codex` binary: cli → select → load → plan → play (design.md §2). */
#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "diag.h"
#include "exitcodes.h"
#include "plan.h"
#include "play.h"
#include "prompt.h"
#include "rng.h"
#include "scenario_load.h"
#include "select.h"
#include "settings.h"
#include "uuid.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CODEX_VERSION "0.169.0"

static int mock_error(diag *d) {
    diag_print(d, stderr);
    diag_free(d);
    return EXIT_MOCK_ERROR;
}

static void read_all(int fd, buf *b) {
    char tmp[65536];
    for (;;) {
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buf_append(b, tmp, (size_t)n);
    }
}

static int load_choice(const scenario_choice *choice, scenario *sc, diag *err) {
    if (choice->path) return scenario_load_file(choice->path, sc, err);
    return scenario_load_mem("<built-in default>", DEFAULT_SCENARIO_YAML, DEFAULT_SCENARIO_YAML_LEN,
                             sc, err);
}

int main(int argc, char **argv) {
    const mock_clock *clk = clock_system();
    int64_t spawn = clk->mono_ns(clk);
    signal(SIGPIPE, SIG_IGN);

    invocation inv;
    cli_parse(argc, argv, CODEX_VERSION, &inv);
    if (inv.done) {
        if (inv.done_stdout) fputs(inv.done_stdout, stdout);
        if (inv.done_stderr) fputs(inv.done_stderr, stderr);
        int code = inv.done_code;
        cli_free(&inv);
        return code;
    }

    if (inv.cmd == CMD_LOGIN || inv.cmd == CMD_LOGIN_STATUS || inv.cmd == CMD_LOGOUT) {
        /* The parser knows their grammar; their behaviour is not emulated yet. */
        fprintf(stderr, "codex-mock: 'codex %s' is not emulated yet (codex-mock fakes exec)\n",
                inv.cmd == CMD_LOGOUT  ? "logout"
                : inv.cmd == CMD_LOGIN ? "login"
                                       : "login status");
        cli_free(&inv);
        return EXIT_MOCK_ERROR;
    }

    diag err;
    diag_init(&err);
    mock_settings settings;
    if (settings_parse(getenv("CODEX_MOCK_SPEED"), getenv("CODEX_MOCK_SEED"), &settings, &err) <
        0) {
        cli_free(&inv);
        return mock_error(&err);
    }

    /* CODEX_MOCK_NOW fixes the wall clock's start, for byte-identical runs. */
    fixed_start fixed_ctx;
    mock_clock fixed_clk;
    const char *now_text = getenv("CODEX_MOCK_NOW");
    if (now_text && *now_text) {
        int64_t start_ms;
        if (settings_parse_now(now_text, &start_ms, &err) < 0) {
            cli_free(&inv);
            return mock_error(&err);
        }
        fixed_clk = clock_fixed_start(&fixed_ctx, clk, start_ms, spawn);
        clk = &fixed_clk;
    }
    int64_t wall_start = clk->wall_ms(clk);

    if (inv.cd && chdir(inv.cd) != 0) {
        fprintf(stderr, "Error: %s (os error %d)\n", strerror(errno), errno);
        cli_free(&inv);
        return EXIT_TURN_FAILED;
    }

    char *builtin = builtin_scenario_dir();
    scenario_choice choice;
    int rc = select_scenario(getenv("CODEX_MOCK_SCENARIO"), getenv("CODEX_MOCK_SCENARIO_PATH"),
                             builtin, &choice, &err);
    free(builtin);
    if (rc < 0) {
        cli_free(&inv);
        return mock_error(&err);
    }
    scenario sc;
    rc = load_choice(&choice, &sc, &err);
    choice_free(&choice);
    if (rc < 0) {
        cli_free(&inv);
        return mock_error(&err);
    }

    /* Chaos: CODEX_MOCK_CHAOS wins over the scenario's own `chaos:`. */
    chaos_spec chaos = sc.chaos;
    if (getenv("CODEX_MOCK_CHAOS") && chaos_parse(getenv("CODEX_MOCK_CHAOS"), &chaos, &err) < 0) {
        scenario_free(&sc);
        cli_free(&inv);
        return mock_error(&err);
    }
    /* Narration goes to its own file or terminal, never to stdout or stderr. */
    int explain_fd = -1;
    const char *explain = getenv("CODEX_MOCK_EXPLAIN");
    if (explain && *explain) {
        explain_fd = open(explain, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (explain_fd < 0) {
            diag_set(&err, NULL, 0, 0, "CODEX_MOCK_EXPLAIN: cannot open '%s': %s", explain,
                     strerror(errno));
            scenario_free(&sc);
            cli_free(&inv);
            return mock_error(&err);
        }
    }

    rng r;
    rng_seed(&r, settings.has_seed ? settings.seed
                                   : (uint64_t)clk->wall_ms(clk) * 1000003u ^ (uint64_t)getpid() ^
                                         (uint64_t)spawn);

    /* Prompt: print the notice and block on stdin when the real CLI does. */
    prompt_plan pp = prompt_decide(&inv, isatty(STDIN_FILENO));
    if (pp.error) {
        fprintf(stderr, "%s\n", pp.error);
        scenario_free(&sc);
        cli_free(&inv);
        return EXIT_TURN_FAILED;
    }
    int64_t preflight = plan_scale(plan_preflight_raw_ns(&sc, &r), settings.speed);
    buf in;
    buf_init(&in);
    if (pp.read_stdin) {
        clk->wait_until(clk, spawn + preflight, NULL);
        if (pp.notice) {
            fprintf(stderr, "%s\n", pp.notice);
            fflush(stderr);
        }
        read_all(STDIN_FILENO, &in);
        /* The real CLI blocks until EOF: everything after it shifts by the wait. */
        int64_t late = clk->mono_ns(clk) - (spawn + preflight);
        if (late > 0) spawn += late;
    }
    const char *prompt_error;
    char *prompt = prompt_finish(&inv, &pp, in.data ? in.data : "", in.len, &prompt_error);
    buf_free(&in);
    if (!prompt) {
        fprintf(stderr, "%s\n", prompt_error);
        scenario_free(&sc);
        cli_free(&inv);
        return EXIT_TURN_FAILED;
    }

    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
    char thread_id[UUID_STR_LEN + 1];
    uuid_v7(thread_id, (uint64_t)clk->wall_ms(clk), &r);

    /* SIGINT interrupts the turn (exit 1) unless the scenario wants the default death. */
    sigset_t watch;
    sigemptyset(&watch);
    sigaddset(&watch, SIGINT);
    if (!sc.sigint_kills) sigprocmask(SIG_BLOCK, &watch, NULL);

    rng chaos_rng;
    rng_seed(&chaos_rng, rng_next(&r) ^ UINT64_C(0xc4a05c4a05c4a05));
    plan_params params = {
        .chaos = &chaos,
        .chaos_rng = &chaos_rng,
        .wall_start_ms = wall_start,
        .sc = &sc,
        .turn = 0,
        .speed = settings.speed,
        .rng = &r,
        .cwd = cwd,
        .thread_id = thread_id,
    };
    planner pl;
    plan_init(&pl, &params);
    sink sinks[] = {inv.json ? sink_jsonl() : sink_human()};
    play_params play_p = {
        .clock = clk,
        .anchor_ns = spawn,
        .out_fd = STDOUT_FILENO,
        .err_fd = STDERR_FILENO,
        .sinks = sinks,
        .n_sinks = sizeof sinks / sizeof sinks[0],
        .watch = sc.sigint_kills ? NULL : &watch,
        .explain_fd = explain_fd,
    };
    play_result res;
    int code = play(&pl, &play_p, &res);
    int die = res.die_signal;
    play_result_free(&res);
    plan_free(&pl);
    free(prompt);
    scenario_free(&sc);
    cli_free(&inv);
    if (die) {
        /* A signal step: die by it for real, with its default action. */
        signal(die, SIG_DFL);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, die);
        sigprocmask(SIG_UNBLOCK, &one, NULL);
        raise(die);
    }
    return code;
}
