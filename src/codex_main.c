/* The fake `codex` binary: cli → pre-flight checks → select → load → plan → play (design.md
 * §2), in the real CLI's start-up order (reference §1.6). Login commands are answered by auth. */
#include "appserver.h"
#include "auth.h"
#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "diag.h"
#include "exitcodes.h"
#include "output_files.h"
#include "plan.h"
#include "play.h"
#include "preflight.h"
#include "prompt.h"
#include "journal.h"
#include "jsonw.h"
#include "login_flow.h"
#include "rules.h"
#include "session.h"
#include "state.h"
#include "rng.h"
#include "run_config.h"
#include "scenario_load.h"
#include "select.h"
#include "settings.h"
#include "sink_human.h"
#include "uuid.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

/* What replaces the turn when `cli.requires_api_key` finds no key (reference §8.3). */
extern char **environ;

static const char MISSING_KEY_YAML[] = "codex_mock: 1\nsteps:\n  - fail: missing_api_key\n";
/* `exec fork` without a prompt: the new thread and nothing else (reference §6.2). */
static const char FORK_ONLY_YAML[] =
    "codex_mock: 1\nimplicit_events: false\nsteps:\n  - event: {type: thread.started}\n"
    "    at: 210ms\n";

static int mock_error(diag *d) {
    diag_print(d, stderr);
    diag_free(d);
    return EXIT_MOCK_ERROR;
}

/* A pre-flight failure: the real text on stderr, exit 1 (the caller frees what it holds). */
static int preflight_fail(char *msg) {
    fprintf(stderr, "%s\n", msg);
    free(msg);
    return EXIT_TURN_FAILED;
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

/* CODEX_MOCK_STREAM_ABOVE: the size in bytes above which a scenario file is played as it is
 * read (default SCENARIO_STREAM_ABOVE). */
static int stream_above(size_t *out, diag *err) {
    const char *v = getenv("CODEX_MOCK_STREAM_ABOVE");
    *out = SCENARIO_STREAM_ABOVE;
    if (!v || !*v) return 0;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || errno == ERANGE || (unsigned long long)(size_t)n != n) {
        diag_set(err, NULL, 0, 0,
                 "CODEX_MOCK_STREAM_ABOVE: expected a size in bytes such as 8388608, found '%s'",
                 v);
        return -1;
    }
    *out = (size_t)n;
    return 0;
}

static int load_choice(const scenario_choice *choice, scenario *sc, diag *err) {
    size_t above;
    if (choice->path) {
        if (stream_above(&above, err) < 0) return -1;
        return scenario_open_file(choice->path, above, sc, err);
    }
    return scenario_load_mem("<built-in default>", DEFAULT_SCENARIO_YAML, DEFAULT_SCENARIO_YAML_LEN,
                             sc, err);
}

static int select_and_load(scenario *sc, diag *err) {
    const char *requested = getenv("CODEX_MOCK_SCENARIO");
    /* a path needs no library: finding it costs a dozen system calls of every start */
    char *builtin = scenario_is_path(requested) ? NULL : builtin_scenario_dir();
    scenario_choice choice;
    int rc = select_scenario(requested, getenv("CODEX_MOCK_SCENARIO_PATH"), builtin, &choice, err);
    free(builtin);
    if (rc < 0) return -1;
    rc = load_choice(&choice, sc, err);
    choice_free(&choice);
    return rc;
}

/* The version profile: CODEX_MOCK_VERSION, else the scenario's `cli.version` (read quietly
 * here, before the command line is parsed, because the profile decides the grammar). */
/* The profile: CODEX_MOCK_VERSION, else the scenario's cli.version. The scenario read for that
 * is handed back in *peek (when *peeked) so the run need not parse it a second time. */
static int choose_profile(version_profile *vp, diag *err, scenario *peek, bool *peeked) {
    const char *env = getenv("CODEX_MOCK_VERSION");
    char *why = NULL;
    const char *text = env;
    *peeked = false;
    if (!env || !*env) {
        diag quiet;
        diag_init(&quiet);
        if (select_and_load(peek, &quiet) == 0) {
            *peeked = true;
            text = peek->cli.version;
        }
        diag_free(&quiet);
    }
    int rc = version_profile_parse(text, vp, &why);
    if (rc < 0) {
        diag_set(err, NULL, 0, 0, "%s: %s", env && *env ? "CODEX_MOCK_VERSION" : "cli.version",
                 why);
        free(why);
    }
    return rc;
}

/* codex login --with-api-key / login status / logout (reference §8). */
typedef struct run_clock run_clock;
static int play_login_scenario(run_clock *rc, diag *err);

static double login_speed(void) {
    mock_settings s;
    diag d;
    diag_init(&d);
    double v = settings_parse(getenv("CODEX_MOCK_SPEED"), NULL, &s, &d) == 0 ? s.speed : 1;
    diag_free(&d);
    return v;
}

static int run_auth(const invocation *inv, bool legacy, run_clock *rc) {
    char *home = NULL, *msg = NULL;
    if (preflight_codex_home(getenv("CODEX_HOME"), getenv("HOME"), &home, &msg) < 0)
        return preflight_fail(msg);
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
        if (!tty) read_all(STDIN_FILENO, &in);
        code = auth_login_api_key(home, in.data ? in.data : "", in.len, tty, legacy, &err);
        buf_free(&in);
    } else if (getenv("CODEX_MOCK_SCENARIO") && *getenv("CODEX_MOCK_SCENARIO")) {
        /* a scenario says what this login prints (login-port-in-use, a recording, …) */
        diag d;
        diag_init(&d);
        code = play_login_scenario(rc, &d);
        diag_free(&d);
    } else {
        login_params lp = {.codex_home = home,
                           .issuer = inv->issuer,
                           .speed = login_speed(),
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

struct run_clock {
    const mock_clock *clk;
    int64_t spawn;
    mock_settings settings;
    fixed_start fixed_ctx;
    mock_clock fixed_clk;
    int64_t wall_start; /* Unix ms at spawn */
};

/* Plays `sc` with the given sinks; returns the exit code (dies by a signal step's signal). */
/* Which turn of which thread this invocation plays (new, resumed or forked). */
typedef struct {
    char thread_id[64];
    size_t turn;
    usage prior;
    long invocation; /* {{invocation}}: 1-based count in the state directory */
} thread_pos;

static int play_scenario(scenario *sc, const chaos_spec *chaos, run_clock *rc, rng *r,
                         const char *prompt, const char *cwd, const sink *sinks, size_t n_sinks,
                         int explain_fd, const thread_pos *tp) {
    char generated[UUID_STR_LEN + 1];
    const char *thread_id = tp ? tp->thread_id : generated;
    if (!tp) uuid_v7(generated, (uint64_t)rc->clk->wall_ms(rc->clk), r);

    /* SIGINT interrupts the turn (exit 1) unless the scenario wants the default death. */
    sigset_t watch;
    sigemptyset(&watch);
    sigaddset(&watch, SIGINT);
    if (!sc->sigint_kills) sigprocmask(SIG_BLOCK, &watch, NULL);

    rng chaos_rng;
    rng_seed(&chaos_rng, rng_next(r) ^ UINT64_C(0xc4a05c4a05c4a05));
    /* {{now}}: the start time, as the session files write it */
    char now[CLOCK_UTC_SIZE];
    clock_format_utc(now, rc->wall_start);
    template_vars vars = {.prompt = prompt,
                          .thread_id = thread_id,
                          .cwd = cwd,
                          .envp = (const char *const *)environ,
                          .invocation = tp ? tp->invocation : 1,
                          .now = now};
    plan_params params = {
        .chaos = chaos,
        .chaos_rng = &chaos_rng,
        .wall_start_ms = rc->wall_start,
        .sc = sc,
        .turn = tp ? tp->turn : 0, /* the planner plays the last turn past it */
        .prior_usage = tp ? tp->prior : (usage){0},
        .speed = rc->settings.speed,
        .rng = r,
        .cwd = cwd,
        .thread_id = thread_id,
        .prompt = prompt,
        .vars = &vars,
    };
    planner pl;
    plan_init(&pl, &params);
    play_params play_p = {
        .clock = rc->clk,
        .anchor_ns = rc->spawn,
        .out_fd = STDOUT_FILENO,
        .err_fd = STDERR_FILENO,
        .sinks = sinks,
        .n_sinks = n_sinks,
        .watch = sc->sigint_kills ? NULL : &watch,
        .explain_fd = explain_fd,
    };
    play_result res;
    int code = play(&pl, &play_p, &res);
    int die = res.die_signal;
    if (res.scenario_error) diag_print(plan_error(&pl), stderr);
    play_result_free(&res);
    plan_free(&pl);
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

/* `codex login` played from a scenario: its stderr lines, its exit, its hang (with
 * `on_sigint: die`, a signal kills it as it does the real login). */
static int play_login_scenario(run_clock *rc, diag *err) {
    scenario sc;
    if (settings_parse(getenv("CODEX_MOCK_SPEED"), getenv("CODEX_MOCK_SEED"), &rc->settings, err) <
            0 ||
        select_and_load(&sc, err) < 0)
        return mock_error(err);
    rng r;
    rng_seed(&r,
             rc->settings.has_seed ? rc->settings.seed : (uint64_t)rc->spawn ^ (uint64_t)getpid());
    rc->wall_start = rc->clk->wall_ms(rc->clk);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
    sink s = sink_human();
    chaos_spec none = {0};
    int code = play_scenario(&sc, &none, rc, &r, NULL, cwd, &s, 1, -1, NULL);
    scenario_free(&sc);
    return code;
}

static bool color_wanted(const char *mode) {
    if (mode && !strcmp(mode, "always")) return true;
    if (mode && !strcmp(mode, "never")) return false;
    return isatty(STDERR_FILENO);
}

/* Replaces *sc with a scenario built from text, keeping the original's start-up timing. */
static int swap_scenario(scenario *sc, const char *name, const char *yaml, diag *err) {
    scenario repl;
    if (scenario_load_mem(name, yaml, strlen(yaml), &repl, err) < 0) return -1;
    repl.has_startup = sc->has_startup;
    repl.startup_ns = sc->startup_ns;
    repl.has_preflight = sc->has_preflight;
    repl.preflight_ns = sc->preflight_ns;
    repl.cli = sc->cli; /* strings stay valid: the old arena lives on in `keep` */
    *sc = repl;
    return 0;
}

static const char *command_name(const invocation *inv) {
    switch (inv->cmd) {
    case CMD_EXEC_RESUME:
        return "resume";
    case CMD_EXEC_FORK:
        return "fork";
    case CMD_EXEC_REVIEW:
        return "review";
    default:
        return "exec";
    }
}

/* Everything the journal line of this invocation says (state.h, `codex-mock journal`). */
typedef struct {
    int argc;
    char **argv;
    state_dir state;
    bool have_state;
    long invocation;
    char start[CLOCK_UTC_SIZE];
    const char *rule;
    char *rule_name;
    char *scenario;
    scenario *preloaded; /* read before the arguments were parsed; taken by run_exec */
    const char *stdin_text;
    size_t stdin_len;
    bool stdin_read;
} run_record;

static const char *env_lookup(const char *name) {
    return getenv(name);
}

static void journal_write(run_record *rec, const invocation *inv, const char *cwd,
                          const char *prompt, const char *thread_id, int code, run_clock *rc) {
    if (!rec->have_state) return;
    char end[CLOCK_UTC_SIZE];
    clock_format_utc(end, rc->clk->wall_ms(rc->clk));
    journal_entry e = {.invocation = rec->invocation,
                       .start = rec->start,
                       .end = end,
                       .argc = rec->argc,
                       .argv = rec->argv,
                       .command = command_name(inv),
                       .cwd = cwd,
                       .prompt = prompt,
                       .stdin_read = rec->stdin_read,
                       .stdin_text = rec->stdin_text,
                       .stdin_len = rec->stdin_len,
                       .rule = rec->rule,
                       .scenario = rec->scenario,
                       .thread_id = thread_id,
                       .exit_code = code};
    buf b;
    buf_init(&b);
    journal_format(&b, &e, env_lookup);
    char *jerr = NULL;
    if (state_journal_append(&rec->state, b.data, b.len, &jerr) < 0) {
        fprintf(stderr, "codex-mock: journal: %s\n", jerr);
        free(jerr);
    }
    buf_free(&b);
}

/* The scenario a rule picks: a built-in name or a path, its sequence position taken from the
 * state directory. Replaces *sc. */
static int apply_rules(run_record *rec, const invocation *inv, const char *prompt, const char *cwd,
                       const char *thread_id, scenario *sc, diag *err) {
    const char *path = getenv("CODEX_MOCK_RULES");
    rules rs;
    if (rules_load(path, &rs, err) < 0) return -1;
    rule_input in = {.prompt = prompt,
                     .cwd = cwd,
                     .command = command_name(inv),
                     .argv = (const char *const *)rec->argv + 1,
                     .argc = rec->argc - 1,
                     .envp = (const char *const *)environ,
                     .invocation = rec->invocation};
    const rule *r = rules_match(&rs, &in);
    if (!r) {
        diag_set(err, path, 0, 0, "no rule matches this invocation (command %s, prompt \"%.60s\")",
                 in.command, prompt ? prompt : "");
        rules_free(&rs);
        return -1;
    }
    size_t pick = 0;
    if (r->n_scenarios > 1) {
        char *key = r->per_thread ? xasprintf("rule:%s:thread:%s", r->name, thread_id)
                                  : xasprintf("rule:%s", r->name);
        long pos = 0;
        char *serr = NULL;
        int rc = state_next(&rec->state, (const char *const *)&key, 1, NULL, &pos, &serr);
        free(key);
        if (rc < 0) {
            diag_set(err, NULL, 0, 0, "%s", serr);
            free(serr);
            rules_free(&rs);
            return -1;
        }
        pick = (size_t)pos < r->n_scenarios ? (size_t)pos : r->n_scenarios - 1;
    }
    const char *name = r->scenarios[pick];
    char *builtin = scenario_is_path(name) ? NULL : builtin_scenario_dir();
    scenario_choice choice;
    int rc = select_scenario(name, getenv("CODEX_MOCK_SCENARIO_PATH"), builtin, &choice, err);
    free(builtin);
    if (rc < 0) {
        /* point at the rule that names it */
        char *why = xstrdup(err->msg ? err->msg : "");
        diag_set(err, path, r->line, r->col, "rule '%s': %s", r->name, why);
        free(why);
        rules_free(&rs);
        return -1;
    }
    scenario next;
    rc = load_choice(&choice, &next, err);
    choice_free(&choice);
    if (rc < 0) {
        rules_free(&rs);
        return -1;
    }
    scenario_free(sc);
    *sc = next;
    rec->rule = NULL;
    free(rec->scenario);
    rec->scenario = xstrdup(name);
    /* the rule's name outlives `rs` in the record */
    rec->rule_name = xstrdup(r->name);
    rec->rule = rec->rule_name;
    rules_free(&rs);
    return 0;
}

/* The thread `exec resume` / `exec fork` continues: 0 with *si filled; 1 for a new thread
 * (`--last` that finds nothing, a name — exec threads have none — or an unreadable session
 * folder); -1 when the run ends here, the real CLI's error printed (an unknown thread id). */
static int find_thread(const invocation *inv, const char *home, const char *cwd, const scenario *sc,
                       rng *r, run_clock *rc, session_info *si) {
    char *serr = NULL;
    int found = 1; /* session_find_*: 0 found, 1 not, -1 unreadable (a new thread, too) */
    if (inv->cmd == CMD_EXEC_RESUME && inv->last) {
        found = session_find_last(home, cwd, inv->all, si, &serr);
    } else if (inv->session_id && uuid_is_valid(inv->session_id)) {
        found = session_find_id(home, inv->session_id, si, &serr);
        if (found == 1) {
            /* the real CLI gets this far (thread/resume) about as late as a thread starts */
            const char *verb = inv->cmd == CMD_EXEC_FORK ? "fork" : "resume";
            int64_t at =
                sc->has_startup ? sc->startup_ns : rng_scale(r, INT64_C(175000000), 0.97, 1.03);
            rc->clk->wait_until(rc->clk, rc->spawn + plan_scale(at, rc->settings.speed), NULL);
            fprintf(stderr,
                    "Error: thread/%s: thread/%s failed: no rollout found for thread id %s "
                    "(code -32600)\n",
                    verb, verb, inv->session_id);
            free(serr);
            return -1;
        }
    }
    free(serr);
    return found == 0 ? 0 : 1;
}

static int run_exec(invocation *inv, const version_profile *vp, run_clock *rc, run_record *rec) {
    char *msg = NULL, *home = NULL;
    diag err;
    diag_init(&err);
    /* Pre-flight, in the real order: -c, CODEX_HOME, -C. */
    if (preflight_overrides(inv, &msg) < 0) return preflight_fail(msg);
    if (preflight_codex_home(getenv("CODEX_HOME"), getenv("HOME"), &home, &msg) < 0)
        return preflight_fail(msg);
    if (inv->cd && preflight_cd(inv->cd, &msg) < 0) {
        free(home);
        return preflight_fail(msg);
    }

    /* State: the invocation counter, sequences and the journal (CODEX_MOCK_STATE). */
    clock_format_utc(rec->start, rc->wall_start);
    {
        char *serr = NULL;
        const char *explicit_state = getenv("CODEX_MOCK_STATE");
        bool needed = (explicit_state && *explicit_state) || getenv("CODEX_MOCK_RULES");
        if (state_open(&rec->state, explicit_state, home, &serr) == 0 &&
            state_next(&rec->state, NULL, 0, &rec->invocation, NULL, &serr) == 0) {
            rec->have_state = true;
        } else if (needed) {
            diag_set(&err, NULL, 0, 0, "%s", serr);
            free(serr);
            free(home);
            return mock_error(&err);
        }
        free(serr);
        const char *requested = getenv("CODEX_MOCK_SCENARIO");
        rec->scenario = xstrdup(requested && *requested ? requested : "default");
    }

    scenario sc, old;
    bool have_old = false;
    if (rec->preloaded && !inv->cd) {
        /* the scenario choose_profile already read: the same file, as the cwd is unchanged */
        sc = *rec->preloaded;
        rec->preloaded = NULL;
    } else if (select_and_load(&sc, &err) < 0) {
        free(home);
        return mock_error(&err);
    }
    /* Chaos: CODEX_MOCK_CHAOS wins over the scenario's own `chaos:`. */
    chaos_spec chaos = sc.chaos;
    if (getenv("CODEX_MOCK_CHAOS") && chaos_parse(getenv("CODEX_MOCK_CHAOS"), &chaos, &err) < 0) {
        scenario_free(&sc);
        free(home);
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
            free(home);
            return mock_error(&err);
        }
    }
    rng r;
    rng_seed(&r, rc->settings.has_seed ? rc->settings.seed
                                       : (uint64_t)rc->clk->wall_ms(rc->clk) * 1000003u ^
                                             (uint64_t)getpid() ^ (uint64_t)rc->spawn);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");

    int code = EXIT_TURN_FAILED;
    char *prompt = NULL;
    cJSON *schema = NULL;
    run_header hdr = {0};
    thread_pos tp = {0};
    session_info si = {0}; /* the thread resumed or forked from (freed at done) */
    bool resumed = false, forked = false;
    buf in;
    buf_init(&in);

    /* config.toml time: a scenario that fails there plays before the prompt is read. */
    if (sc.cli.before_prompt) {
        sink s = inv->json ? sink_jsonl() : sink_human();
        code = play_scenario(&sc, &chaos, rc, &r, NULL, cwd, &s, 1, explain_fd, NULL);
        goto done;
    }

    /* Prompt: print the notice and block on stdin when the real CLI does. */
    prompt_plan pp = prompt_decide(inv, isatty(STDIN_FILENO));
    if (pp.error) {
        fprintf(stderr, "%s\n", pp.error);
        goto done;
    }
    rec->stdin_read = pp.read_stdin;
    if (pp.read_stdin) {
        int64_t preflight = plan_scale(plan_preflight_raw_ns(&sc, &r), rc->settings.speed);
        rc->clk->wait_until(rc->clk, rc->spawn + preflight, NULL);
        if (pp.notice) {
            fprintf(stderr, "%s\n", pp.notice);
            fflush(stderr);
        }
        int64_t read_from = rc->clk->mono_ns(rc->clk);
        if (read_from < rc->spawn + preflight) read_from = rc->spawn + preflight;
        read_all(STDIN_FILENO, &in);
        /* The real CLI blocks until EOF: everything after it shifts by the wait — the time
         * the read itself blocked, not our own lateness in getting to it (which would make
         * every later line late by the whole start-up). */
        int64_t blocked = rc->clk->mono_ns(rc->clk) - read_from;
        if (blocked > 0) rc->spawn += blocked;
    }
    const char *prompt_error;
    prompt = prompt_finish(inv, &pp, in.data ? in.data : "", in.len, &prompt_error);
    if (!prompt) {
        fprintf(stderr, "%s\n", prompt_error);
        goto done;
    }

    /* --output-schema, the git check, then -o (opened now, written at the end). */
    if (inv->output_schema && output_schema_load(inv->output_schema, &schema, &msg) < 0) {
        code = preflight_fail(msg);
        goto done;
    }
    if (preflight_git(cwd, inv->skip_git_repo_check || inv->yolo, &msg) < 0) {
        code = preflight_fail(msg);
        goto done;
    }
    if (inv->output_last_message && last_message_open(inv->output_last_message, &msg) < 0) {
        code = preflight_fail(msg);
        goto done;
    }

    /* Thread start: an empty -m leaves no model to start with (reference §1.3). */
    if (inv->model && !*inv->model) {
        fprintf(stderr, "Error: thread/start: thread/start failed: No models are available. Set "
                        "`model` explicitly or check your model catalog configuration. (code "
                        "-32600)\n");
        goto done;
    }

    /* The thread: resumed (same id, next turn, cumulative usage), forked (new id, the
     * parent's usage), or new (reference §6). */
    if (inv->cmd == CMD_EXEC_RESUME || inv->cmd == CMD_EXEC_FORK) {
        int found = find_thread(inv, home, cwd, &sc, &r, rc, &si);
        if (found < 0) goto done;
        if (found == 0) {
            resumed = inv->cmd == CMD_EXEC_RESUME;
            forked = inv->cmd == CMD_EXEC_FORK;
            tp.turn = (size_t)si.turns;
            tp.prior = si.totals;
            if (resumed) snprintf(tp.thread_id, sizeof tp.thread_id, "%s", si.thread_id);
        }
    }
    if (!resumed) {
        /* the start time, not "now": with CODEX_MOCK_NOW and a seed, ids repeat exactly */
        char id[UUID_STR_LEN + 1];
        uuid_v7(id, (uint64_t)rc->wall_start, &r);
        snprintf(tp.thread_id, sizeof tp.thread_id, "%s", id);
    }

    tp.invocation = rec->have_state ? rec->invocation : 1;
    /* Rules pick the scenario now that the prompt, cwd and thread are known. */
    if (getenv("CODEX_MOCK_RULES") && *getenv("CODEX_MOCK_RULES")) {
        if (apply_rules(rec, inv, prompt, cwd, tp.thread_id, &sc, &err) < 0) {
            code = mock_error(&err);
            goto done;
        }
        chaos = sc.chaos;
        if (getenv("CODEX_MOCK_CHAOS")) chaos_parse(getenv("CODEX_MOCK_CHAOS"), &chaos, &err);
    }

    /* A scenario that fixes its thread id names its session file after it too. */
    if (!resumed && sc.thread_id.ptr)
        snprintf(tp.thread_id, sizeof tp.thread_id, "%.*s", (int)sc.thread_id.len,
                 sc.thread_id.ptr);

    /* What the turn is: the missing-key failure, a fork with nothing to do, or the scenario. */
    old = sc;
    if (sc.cli.requires_api_key && !auth_exec_has_credentials(home, getenv("CODEX_API_KEY"))) {
        if (swap_scenario(&sc, "<missing API key>", MISSING_KEY_YAML, &err) < 0) {
            code = mock_error(&err);
            goto done;
        }
        have_old = true;
    } else if (pp.no_turn) {
        if (swap_scenario(&sc, "<fork without a prompt>", FORK_ONLY_YAML, &err) < 0) {
            code = mock_error(&err);
            goto done;
        }
        have_old = true;
    }

    run_header_build(inv, &sc.cli, vp->legacy, &hdr);
    human_state hs;
    human_opts ho = {
        .version = vp->version,
        .research_preview = vp->legacy,
        .workdir = cwd,
        .model = hdr.model,
        .provider = hdr.provider,
        .approval = hdr.approval,
        .sandbox = hdr.sandbox,
        .reasoning_effort = hdr.reasoning_effort,
        .reasoning_summaries = hdr.reasoning_summaries,
        .prompt = prompt,
        .color = color_wanted(inv->color),
#ifdef __linux__
        /* human mode only: a dozen access() calls that --json never needs */
        .bwrap_warning = !inv->json && strcmp(hdr.sandbox_mode, "danger-full-access") != 0 &&
                         !bwrap_on_path(getenv("PATH")),
#endif
    };
    sink sinks[4];
    size_t n = 0;
    /* The session file: appended on resume, new otherwise, none with --ephemeral. */
    session_writer sw = {.fd = -1};
    bool session_open = false;
    if (!inv->ephemeral) {
        session_params sp = {
            .codex_home = home,
            .thread_id = tp.thread_id,
            .cwd = cwd,
            .prompt = prompt,
            .model = hdr.model,
            .provider = hdr.provider,
            .sandbox = hdr.sandbox_mode,
            .originator = getenv("CODEX_INTERNAL_ORIGINATOR_OVERRIDE"),
            .thread_source = inv->thread_source,
            .cli_version = vp->version,
            .forked_from = forked ? si.thread_id : NULL,
            .forked_from_lines = si.lines,
            .prior = tp.prior,
        };
        char *serr = NULL;
        int rc2 = resumed ? session_writer_append(&sw, &si, &sp, rc->clk, &r, &serr)
                          : session_writer_create(&sw, &sp, rc->clk, &r, &serr);
        if (rc2 == 0) {
            session_open = true;
        } else {
            /* the real CLI would fail to start the thread; say why and go on */
            fprintf(stderr, "codex-mock: session file: %s\n", serr);
        }
        free(serr);
    }
    if (inv->json)
        sinks[n++] = vp->legacy ? sink_jsonl_legacy() : sink_jsonl();
    else
        sinks[n++] = sink_human_full(&hs, &ho);
    last_message_state lm;
    if (inv->output_last_message) sinks[n++] = sink_last_message(&lm, inv->output_last_message);
    schema_state ss;
    const char *mode = getenv("CODEX_MOCK_SCHEMA");
    bool strict = (mode && !strcmp(mode, "strict")) ||
                  (!(mode && !strcmp(mode, "warn")) && sc.cli.schema == SCHEMA_MODE_STRICT);
    if (schema) sinks[n++] = sink_output_schema(&ss, schema, inv->output_schema, strict);
    if (session_open) sinks[n++] = sink_session(&sw);
    if ((sc.cli.history || vp->legacy) && !inv->ephemeral) {
        char *herr = NULL;
        if (session_history_append(home, tp.thread_id, prompt, rc->wall_start / 1000, &herr) < 0)
            fprintf(stderr, "codex-mock: history: %s\n", herr);
        free(herr);
    }
    code = play_scenario(&sc, &chaos, rc, &r, prompt, cwd, sinks, n, explain_fd, &tp);
    if (session_open) session_writer_close(&sw);
    if (schema && ss.mismatch && strict && code == EXIT_OK) code = EXIT_TURN_FAILED;

done:
    rec->stdin_text = in.data;
    rec->stdin_len = in.len;
    journal_write(rec, inv, cwd, prompt, tp.thread_id, code, rc);
    session_info_free(&si);
    run_header_free(&hdr);
    cJSON_Delete(schema);
    buf_free(&in);
    free(prompt);
    if (have_old) scenario_free(&old);
    scenario_free(&sc);
    free(home);
    if (explain_fd > 0) close(explain_fd);
    diag_free(&err);
    return code;
}

/* `codex app-server [--listen stdio://]`: the JSON-RPC face (appserver.h). */
static int run_app_server(int argc, char **argv, run_clock *rc) {
    diag err;
    diag_init(&err);
    if (settings_parse(getenv("CODEX_MOCK_SPEED"), getenv("CODEX_MOCK_SEED"), &rc->settings, &err) <
        0)
        return mock_error(&err);
    const char *now_text = getenv("CODEX_MOCK_NOW");
    int64_t start_ms = 0;
    if (now_text && *now_text) {
        if (settings_parse_now(now_text, &start_ms, &err) < 0) return mock_error(&err);
        rc->fixed_clk = clock_fixed_start(&rc->fixed_ctx, rc->clk, start_ms, rc->spawn);
        rc->clk = &rc->fixed_clk;
    } else {
        start_ms = rc->clk->wall_ms(rc->clk);
    }
    diag_free(&err);
    appserver_params p = {.clk = rc->clk,
                          .spawn = rc->spawn,
                          .speed = rc->settings.speed,
                          .has_seed = rc->settings.has_seed,
                          .seed = rc->settings.seed,
                          .wall_start = start_ms};
    return appserver_main(argc, argv, &p);
}

int main(int argc, char **argv) {
    run_clock rc;
    rc.clk = clock_system();
    /* Due times count from the moment the caller spawned us, not from `main`; at speed 0
     * everything is due at once, and neither the estimate (a /proc read) nor a tight timer
     * slack would buy anything. Errors in CODEX_MOCK_SPEED are reported later, where the
     * settings are read for the run. */
    mock_settings early;
    diag ignore;
    diag_init(&ignore);
    bool early_ok = settings_parse(getenv("CODEX_MOCK_SPEED"), NULL, &early, &ignore) == 0;
    diag_free(&ignore);
    rc.spawn = rc.clk->mono_ns(rc.clk);
    if (!early_ok || early.speed != 0) {
        rc.spawn -= clock_process_age_ns();
        /* Wake at the deadline, not up to 50 µs after it (the default timer slack). */
        prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    }
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 2 && !strcmp(argv[1], "app-server")) return run_app_server(argc - 2, argv + 2, &rc);

    diag err;
    diag_init(&err);
    version_profile vp;
    scenario peek;
    bool peeked;
    if (choose_profile(&vp, &err, &peek, &peeked) < 0) {
        if (peeked) scenario_free(&peek);
        return mock_error(&err);
    }

    invocation inv;
    cli_parse_profile(argc, argv, vp.version, vp.legacy, &inv);
    if (inv.done) {
        /* The real binary needs ≈36 ms to start before clap answers (trace 35). */
        if (early_ok)
            rc.clk->wait_until(rc.clk, rc.spawn + plan_scale(INT64_C(36000000), early.speed), NULL);
        if (inv.done_stdout) fputs(inv.done_stdout, stdout);
        if (inv.done_stderr) fputs(inv.done_stderr, stderr);
        int code = inv.done_code;
        cli_free(&inv);
        version_profile_free(&vp);
        if (peeked) scenario_free(&peek);
        return code;
    }

    int code;
    if (inv.cmd == CMD_LOGIN || inv.cmd == CMD_LOGIN_STATUS || inv.cmd == CMD_LOGOUT) {
        code = run_auth(&inv, vp.legacy, &rc);
    } else if (settings_parse(getenv("CODEX_MOCK_SPEED"), getenv("CODEX_MOCK_SEED"), &rc.settings,
                              &err) < 0) {
        code = mock_error(&err);
    } else {
        /* CODEX_MOCK_NOW fixes the wall clock's start, for byte-identical runs. */
        const char *now_text = getenv("CODEX_MOCK_NOW");
        int64_t start_ms;
        if (now_text && *now_text && settings_parse_now(now_text, &start_ms, &err) < 0) {
            code = mock_error(&err);
        } else {
            if (now_text && *now_text) {
                rc.fixed_clk = clock_fixed_start(&rc.fixed_ctx, rc.clk, start_ms, rc.spawn);
                rc.clk = &rc.fixed_clk;
            }
            /* with CODEX_MOCK_NOW the start is exactly that time, so ids repeat */
            rc.wall_start = now_text && *now_text ? start_ms : rc.clk->wall_ms(rc.clk);
            run_record rec = {.argc = argc, .argv = argv, .preloaded = peeked ? &peek : NULL};
            code = run_exec(&inv, &vp, &rc, &rec);
            peeked = rec.preloaded != NULL; /* still ours when run_exec did not take it */
            if (rec.have_state) state_close(&rec.state);
            free(rec.scenario);
            free(rec.rule_name);
        }
    }
    diag_free(&err);
    cli_free(&inv);
    version_profile_free(&vp);
    if (peeked) scenario_free(&peek);
    return code;
}
