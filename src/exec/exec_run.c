#include "exec_run.h"
#include "fileio.h"

#include "auth.h"
#include "buf.h"
#include "clock.h"
#include "diag.h"
#include "exitcodes.h"
#include "journal.h"
#include "output_files.h"
#include "plan.h"
#include "preflight.h"
#include "prompt.h"
#include "remote.h"
#include "rules.h"
#include "run_config.h"
#include "scenario_load.h"
#include "select.h"
#include "session.h"
#include "sink_human.h"
#include "state.h"
#include "uuid.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* What replaces the turn when `cli.requires_api_key` finds no key (docs/behaviour.md). */
static const char MISSING_KEY_YAML[] = "codex_mock: 1\nsteps:\n  - fail: missing_api_key\n";
/* `exec fork` without a prompt: the new thread and nothing else. */
static const char FORK_ONLY_YAML[] =
    "codex_mock: 1\nimplicit_events: false\nsteps:\n  - event: {type: thread.started}\n"
    "    at: 210ms\n";

enum { SINKS_MAX = 4 };

/* The run context: what the phases fill in, in order, and finish() frees. */
typedef struct {
    exec_request *req;
    const invocation *inv;
    const mock_settings *set;
    run_clock *rc;
    int code; /* the exit code once a phase has stopped the run */
    diag err;
    char *home; /* CODEX_HOME */
    char cwd[PATH_MAX];
    /* state: the invocation counter, sequences and the journal */
    state_dir state;
    bool have_state;
    long invocation;
    char start[CLOCK_UTC_SIZE];
    char *scenario_name; /* what the journal says was played */
    char *rule_name;     /* the rule that picked it, or NULL */
    bool journaled;      /* the run got far enough to be journaled (its scenario loaded) */
    /* the scenario */
    scenario sc, replaced; /* replaced: the scenario a substitute took over from */
    bool have_sc, have_replaced;
    chaos_spec chaos;
    int explain_fd;
    rng rng;
    /* the prompt */
    prompt_plan pp;
    buf stdin_bytes;
    char *prompt;
    cJSON *schema;
    /* the thread */
    thread_pos pos;
    session_info parent; /* the thread resumed or forked from */
    bool resumed, forked;
    /* the sinks */
    run_header hdr;
    human_state human;
    last_message_state last_message;
    schema_state schema_check;
    bool schema_strict;
    session_writer session;
    bool session_open;
    sink sinks[SINKS_MAX];
    size_t n_sinks;
} exec_ctx;

/* Stops the run with codex-mock's own error (exit 78). */
static int stop_mock_error(exec_ctx *x) {
    diag_print(&x->err, stderr);
    x->code = EXIT_MOCK_ERROR;
    return -1;
}

/* Stops the run with the real CLI's text on stderr and exit 1; frees msg. */
static int stop_real_error(exec_ctx *x, char *msg) {
    fprintf(stderr, "%s\n", msg);
    free(msg);
    x->code = EXIT_TURN_FAILED;
    return -1;
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

static const char *env_lookup(const char *name) {
    return getenv(name);
}

/* Pre-flight, in the real order: -c, CODEX_HOME, -C. */
static int phase_preflight(exec_ctx *x) {
    char *msg = NULL;
    if (preflight_overrides(x->inv, &msg) < 0) return stop_real_error(x, msg);
    if (preflight_codex_home(getenv("CODEX_HOME"), getenv("HOME"), &x->home, &msg) < 0)
        return stop_real_error(x, msg);
    if (x->inv->cd && preflight_cd(x->inv->cd, &msg) < 0) return stop_real_error(x, msg);
    return 0;
}

/* `--remote` (0.171.0): nothing is run here; with nothing listening at the address the real
 * CLI fails with these texts (remote.h): exit 1, or 78 when something did accept the
 * connection (talking to a real app server is not emulated). Without the flags: on. */
static int phase_remote(exec_ctx *x) {
    const invocation *inv = x->inv;
    if (!inv->remote && !inv->remote_auth_token_env) return 0;
    char *url = NULL;
    int frames = 0;
    char *msg = remote_check(inv, x->home, env_lookup, &url, &frames);
    if (!msg) {
        prompt_plan pp = prompt_decide(inv, isatty(STDIN_FILENO));
        if (pp.error) {
            free(url);
            return stop_real_error(x, xstrdup(pp.error));
        }
        if (pp.read_stdin) {
            if (pp.notice) {
                fprintf(stderr, "%s\n", pp.notice);
                fflush(stderr);
            }
            (void)fileio_read_fd(STDIN_FILENO, &x->stdin_bytes); /* a read error: what came */
        }
        const char *prompt_error;
        char *prompt = prompt_finish(inv, &pp, x->stdin_bytes.data ? x->stdin_bytes.data : "",
                                     x->stdin_bytes.len, &prompt_error);
        if (!prompt) {
            free(url);
            return stop_real_error(x, xstrdup(prompt_error));
        }
        free(prompt);
        msg = remote_connect(url, &frames);
        if (!msg) {
            diag_set(&x->err, NULL, 0, 0,
                     "--remote: something accepted the connection at %s, but talking to an "
                     "app server is not emulated",
                     url);
            free(url);
            return stop_mock_error(x);
        }
    }
    free(url);
    remote_print_error(stderr, msg, frames, env_lookup);
    free(msg);
    x->code = EXIT_TURN_FAILED;
    return -1;
}

/* State: the invocation counter, sequences and the journal (CODEX_MOCK_STATE). Without an
 * explicit state directory or rules, a state directory that cannot be opened is not an error:
 * the run only loses its journal line. */
static int phase_state(exec_ctx *x) {
    clock_format_utc(x->start, x->rc->wall_start);
    diag serr;
    diag_init(&serr);
    bool needed = x->set->state_dir || x->set->rules;
    if (state_open(&x->state, x->set->state_dir, x->home, &serr) == 0 &&
        state_next(&x->state, NULL, 0, &x->invocation, NULL, &serr) == 0) {
        x->have_state = true;
    } else if (needed) {
        diag_free(&x->err);
        x->err = serr;
        return stop_mock_error(x);
    }
    diag_free(&serr);
    x->scenario_name = xstrdup(x->set->scenario ? x->set->scenario : "default");
    return 0;
}

/* CODEX_MOCK_CHAOS wins over the scenario's own `chaos:`. */
static void choose_chaos(exec_ctx *x) {
    x->chaos = x->set->has_chaos ? x->set->chaos : x->sc.chaos;
}

/* The scenario (the one the profile choice already read, when the cwd is unchanged), its
 * chaos, the narration file, the random source and the cwd. */
static int phase_load(exec_ctx *x) {
    exec_request *req = x->req;
    if (req->preloaded && !x->inv->cd) {
        x->sc = *req->preloaded;
        req->preloaded = NULL;
    } else if (run_load_scenario(x->set->scenario, x->set, &x->sc, &x->err) < 0) {
        return stop_mock_error(x);
    }
    x->have_sc = true;
    choose_chaos(x);
    /* Narration goes to its own file or terminal, never to stdout or stderr. */
    if (x->set->explain) {
        x->explain_fd = open(x->set->explain, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (x->explain_fd < 0) {
            diag_set(&x->err, NULL, 0, 0, "CODEX_MOCK_EXPLAIN: cannot open '%s': %s",
                     x->set->explain, strerror(errno));
            return stop_mock_error(x);
        }
    }
    const run_clock *rc = x->rc;
    rng_seed(&x->rng, x->set->has_seed ? x->set->seed
                                       : (uint64_t)rc->clk->wall_ms(rc->clk) * 1000003u ^
                                             (uint64_t)getpid() ^ (uint64_t)rc->spawn);
    if (!getcwd(x->cwd, sizeof x->cwd)) snprintf(x->cwd, sizeof x->cwd, ".");
    x->journaled = x->have_state;
    return 0;
}

static int play_turn(exec_ctx *x, const thread_pos *pos) {
    turn_params tp = {.sc = &x->sc,
                      .chaos = &x->chaos,
                      .rc = x->rc,
                      .rng = &x->rng,
                      .prompt = x->prompt,
                      .cwd = x->cwd,
                      .sinks = x->sinks,
                      .n_sinks = x->n_sinks,
                      .explain_fd = x->explain_fd,
                      .pos = pos,
                      .envp = (const char *const *)environ};
    return run_turn(&tp);
}

/* config.toml time: a scenario that fails there plays before the prompt is read. */
static int phase_before_prompt(exec_ctx *x) {
    if (!x->sc.cli.before_prompt) return 0;
    x->sinks[x->n_sinks++] = x->inv->json ? sink_jsonl() : sink_human();
    x->code = play_turn(x, NULL);
    return -1;
}

/* The prompt: print the notice and block on stdin when the real CLI does. */
static int phase_prompt(exec_ctx *x) {
    const invocation *inv = x->inv;
    run_clock *rc = x->rc;
    x->pp = prompt_decide(inv, isatty(STDIN_FILENO));
    if (x->pp.error) {
        fprintf(stderr, "%s\n", x->pp.error);
        return -1;
    }
    if (x->pp.read_stdin) {
        int64_t preflight = plan_scale(plan_preflight_raw_ns(&x->sc, &x->rng), rc->speed);
        rc->clk->wait_until(rc->clk, rc->spawn + preflight, NULL);
        if (x->pp.notice) {
            fprintf(stderr, "%s\n", x->pp.notice);
            fflush(stderr);
        }
        int64_t read_from = rc->clk->mono_ns(rc->clk);
        if (read_from < rc->spawn + preflight) read_from = rc->spawn + preflight;
        (void)fileio_read_fd(STDIN_FILENO,
                             &x->stdin_bytes); /* a read error ends the input, as EOF does */
        /* The real CLI blocks until EOF: everything after it shifts by the wait — the time
         * the read itself blocked, not our own lateness in getting to it (which would make
         * every later line late by the whole start-up). */
        int64_t blocked = rc->clk->mono_ns(rc->clk) - read_from;
        if (blocked > 0) rc->spawn += blocked;
    }
    const char *prompt_error;
    x->prompt = prompt_finish(inv, &x->pp, x->stdin_bytes.data ? x->stdin_bytes.data : "",
                              x->stdin_bytes.len, &prompt_error);
    if (!x->prompt) {
        fprintf(stderr, "%s\n", prompt_error);
        return -1;
    }
    return 0;
}

/* --output-schema, the git check, then -o (opened now, written at the end); an empty -m
 * leaves no model to start a thread with. */
static int phase_checks(exec_ctx *x) {
    const invocation *inv = x->inv;
    char *msg = NULL;
    if (inv->output_schema && output_schema_load(inv->output_schema, &x->schema, &msg) < 0)
        return stop_real_error(x, msg);
    if (preflight_git(x->cwd, inv->skip_git_repo_check || inv->yolo, &msg) < 0)
        return stop_real_error(x, msg);
    if (inv->output_last_message && last_message_open(inv->output_last_message, &msg) < 0)
        return stop_real_error(x, msg);
    if (inv->model && !*inv->model) {
        fprintf(stderr, "Error: thread/start: thread/start failed: No models are available. Set "
                        "`model` explicitly or check your model catalog configuration. (code "
                        "-32600)\n");
        return -1;
    }
    return 0;
}

/* The thread `exec resume` / `exec fork` continues: 0 with x->parent filled; 1 for a new
 * thread (`--last` that finds nothing, a name — exec threads have none — or an unreadable
 * session folder); -1 when the run ends here, the real CLI's error printed (an unknown id). */
static int find_thread(exec_ctx *x) {
    const invocation *inv = x->inv;
    const run_clock *rc = x->rc;
    diag serr;
    diag_init(&serr);
    int found = 1; /* session_find_*: 0 found, 1 not, -1 unreadable (a new thread, too) */
    if (inv->cmd == CMD_EXEC_RESUME && inv->last) {
        found = session_find_last(x->home, x->cwd, inv->all, &x->parent, &serr);
    } else if (inv->session_id && uuid_is_valid(inv->session_id)) {
        found = session_find_id(x->home, inv->session_id, &x->parent, &serr);
        if (found == 1) {
            /* the real CLI gets this far (thread/resume) about as late as a thread starts */
            const char *verb = inv->cmd == CMD_EXEC_FORK ? "fork" : "resume";
            int64_t at = x->sc.has_startup ? x->sc.startup_ns
                                           : rng_scale(&x->rng, INT64_C(175000000), 0.97, 1.03);
            rc->clk->wait_until(rc->clk, rc->spawn + plan_scale(at, rc->speed), NULL);
            fprintf(stderr,
                    "Error: thread/%s: thread/%s failed: no rollout found for thread id %s "
                    "(code -32600)\n",
                    verb, verb, inv->session_id);
            diag_free(&serr);
            return -1;
        }
    }
    diag_free(&serr);
    return found == 0 ? 0 : 1;
}

/* The scenario a rule picks: a built-in name or a path, its sequence position taken from the
 * state directory. Replaces x->sc. */
static int apply_rules(exec_ctx *x) {
    const char *path = x->set->rules;
    rules rs;
    if (rules_load(path, &rs, &x->err) < 0) return -1;
    rule_input in = {.prompt = x->prompt,
                     .cwd = x->cwd,
                     .command = command_name(x->inv),
                     .argv = (const char *const *)x->req->argv + 1,
                     .argc = x->req->argc - 1,
                     .envp = (const char *const *)environ,
                     .invocation = x->invocation};
    const rule *r = rules_match(&rs, &in);
    if (!r) {
        diag_set(&x->err, path, 0, 0,
                 "no rule matches this invocation (command %s, prompt \"%.60s\")", in.command,
                 x->prompt ? x->prompt : "");
        rules_free(&rs);
        return -1;
    }
    size_t pick = 0;
    if (r->n_scenarios > 1) {
        char *key = r->per_thread ? xasprintf("rule:%s:thread:%s", r->name, x->pos.thread_id)
                                  : xasprintf("rule:%s", r->name);
        long pos = 0;
        int rc = state_next(&x->state, (const char *const *)&key, 1, NULL, &pos, &x->err);
        free(key);
        if (rc < 0) {
            rules_free(&rs);
            return -1;
        }
        pick = (size_t)pos < r->n_scenarios ? (size_t)pos : r->n_scenarios - 1;
    }
    const char *name = r->scenarios[pick];
    scenario next;
    if (run_load_scenario(name, x->set, &next, &x->err) < 0) {
        if (!x->err.file) {
            /* a name that does not resolve: point at the rule that names it */
            char *why = xstrdup(x->err.msg ? x->err.msg : "");
            diag_set(&x->err, path, r->line, r->col, "rule '%s': %s", r->name, why);
            free(why);
        }
        rules_free(&rs);
        return -1;
    }
    scenario_free(&x->sc);
    x->sc = next;
    free(x->scenario_name);
    x->scenario_name = xstrdup(name);
    x->rule_name = xstrdup(r->name); /* outlives `rs` in the journal line */
    rules_free(&rs);
    choose_chaos(x);
    return 0;
}

/* Replaces the scenario with one built from text, keeping the original's start-up timing;
 * the original lives on (its strings are still referenced) until finish. */
static int substitute_scenario(exec_ctx *x, const char *name, const char *yaml) {
    scenario repl;
    if (scenario_load_mem(name, yaml, strlen(yaml), &repl, &x->err) < 0) return -1;
    repl.has_startup = x->sc.has_startup;
    repl.startup_ns = x->sc.startup_ns;
    repl.has_preflight = x->sc.has_preflight;
    repl.preflight_ns = x->sc.preflight_ns;
    repl.cli = x->sc.cli;
    x->replaced = x->sc;
    x->have_replaced = true;
    x->sc = repl;
    return 0;
}

/* The thread: resumed (same id, next turn, cumulative usage), forked (new id, the parent's
 * usage), or new; then the rules, a scenario's fixed thread id, and what the turn is — the
 * missing-key failure, a fork with nothing to do, or the scenario. */
static int phase_thread(exec_ctx *x) {
    const invocation *inv = x->inv;
    if (inv->cmd == CMD_EXEC_RESUME || inv->cmd == CMD_EXEC_FORK) {
        int found = find_thread(x);
        if (found < 0) return -1;
        if (found == 0) {
            x->resumed = inv->cmd == CMD_EXEC_RESUME;
            x->forked = inv->cmd == CMD_EXEC_FORK;
            x->pos.turn = (size_t)x->parent.turns;
            x->pos.prior = x->parent.totals;
            if (x->resumed)
                snprintf(x->pos.thread_id, sizeof x->pos.thread_id, "%s", x->parent.thread_id);
        }
    }
    if (!x->resumed) {
        /* the start time, not "now": with CODEX_MOCK_NOW and a seed, ids repeat exactly */
        char id[UUID_STR_LEN + 1];
        uuid_v7(id, (uint64_t)x->rc->wall_start, &x->rng);
        snprintf(x->pos.thread_id, sizeof x->pos.thread_id, "%s", id);
    }
    x->pos.invocation = x->have_state ? x->invocation : 1;
    /* Rules pick the scenario now that the prompt, cwd and thread are known. */
    if (x->set->rules && apply_rules(x) < 0) return stop_mock_error(x);
    /* A scenario that fixes its thread id names its session file after it too. */
    if (!x->resumed && x->sc.thread_id.ptr)
        snprintf(x->pos.thread_id, sizeof x->pos.thread_id, "%.*s", (int)x->sc.thread_id.len,
                 x->sc.thread_id.ptr);
    int rc = 0;
    if (x->sc.cli.requires_api_key && !auth_exec_has_credentials(x->home, getenv("CODEX_API_KEY")))
        rc = substitute_scenario(x, "<missing API key>", MISSING_KEY_YAML);
    else if (x->pp.no_turn)
        rc = substitute_scenario(x, "<fork without a prompt>", FORK_ONLY_YAML);
    return rc < 0 ? stop_mock_error(x) : 0;
}

static bool color_wanted(const char *mode) {
    if (mode && !strcmp(mode, "always")) return true;
    if (mode && !strcmp(mode, "never")) return false;
    return isatty(STDERR_FILENO);
}

/* The session file: appended on resume, new otherwise, none with --ephemeral. A file that
 * cannot be written is said on stderr and the run goes on (the real CLI would fail to start
 * the thread; a test is better served by the turn). */
static void open_session(exec_ctx *x) {
    const invocation *inv = x->inv;
    if (inv->ephemeral) return;
    session_params sp = {
        .codex_home = x->home,
        .thread_id = x->pos.thread_id,
        .cwd = x->cwd,
        .prompt = x->prompt,
        .model = x->hdr.model,
        .provider = x->hdr.provider,
        .sandbox = x->hdr.sandbox_mode,
        .originator = getenv("CODEX_INTERNAL_ORIGINATOR_OVERRIDE"),
        .thread_source = inv->thread_source,
        .cli_version = x->req->vp->version,
        .forked_from = x->forked ? x->parent.thread_id : NULL,
        .forked_from_lines = x->parent.lines,
        .prior = x->pos.prior,
    };
    diag serr;
    diag_init(&serr);
    int rc = x->resumed
                 ? session_writer_append(&x->session, &x->parent, &sp, x->rc->clk, &x->rng, &serr)
                 : session_writer_create(&x->session, &sp, x->rc->clk, &x->rng, &serr);
    if (rc == 0)
        x->session_open = true;
    else
        fprintf(stderr, "codex-mock: session file: %s\n", serr.msg);
    diag_free(&serr);
}

/* Where the turn's events go: JSONL or human mode, -o, --output-schema, the session file;
 * and the history line the 0.60 profile (or a scenario's `cli.history`) appends. */
static int phase_sinks(exec_ctx *x) {
    const invocation *inv = x->inv;
    const version_profile *vp = x->req->vp;
    run_header_build(inv, &x->sc.cli, vp->legacy, &x->hdr);
    human_opts ho = {
        .version = vp->version,
        .research_preview = vp->legacy,
        .workdir = x->cwd,
        .model = x->hdr.model,
        .provider = x->hdr.provider,
        .approval = x->hdr.approval,
        .sandbox = x->hdr.sandbox,
        .reasoning_effort = x->hdr.reasoning_effort,
        .reasoning_summaries = x->hdr.reasoning_summaries,
        .prompt = x->prompt,
        .color = color_wanted(inv->color),
#ifdef __linux__
        /* human mode only: a dozen access() calls that --json never needs */
        .bwrap_warning = !inv->json && strcmp(x->hdr.sandbox_mode, "danger-full-access") != 0 &&
                         !bwrap_on_path(getenv("PATH")),
#endif
    };
    open_session(x);
    if (inv->json)
        x->sinks[x->n_sinks++] = vp->legacy ? sink_jsonl_legacy() : sink_jsonl();
    else
        x->sinks[x->n_sinks++] = sink_human_full(&x->human, &ho);
    if (inv->output_last_message)
        x->sinks[x->n_sinks++] = sink_last_message(&x->last_message, inv->output_last_message);
    schema_mode mode = x->set->schema != SCHEMA_MODE_UNSET ? x->set->schema : x->sc.cli.schema;
    x->schema_strict = mode == SCHEMA_MODE_STRICT;
    if (x->schema)
        x->sinks[x->n_sinks++] =
            sink_output_schema(&x->schema_check, x->schema, inv->output_schema, x->schema_strict);
    if (x->session_open) x->sinks[x->n_sinks++] = sink_session(&x->session);
    if ((x->sc.cli.history || vp->legacy) && !inv->ephemeral) {
        diag herr;
        diag_init(&herr);
        if (session_history_append(x->home, x->pos.thread_id, x->prompt, x->rc->wall_start / 1000,
                                   &herr) < 0)
            fprintf(stderr, "codex-mock: history: %s\n", herr.msg);
        diag_free(&herr);
    }
    return 0;
}

static int phase_play(exec_ctx *x) {
    x->code = play_turn(x, &x->pos);
    if (x->session_open) {
        session_writer_close(&x->session);
        x->session_open = false;
    }
    if (x->schema && x->schema_check.mismatch && x->schema_strict && x->code == EXIT_OK)
        x->code = EXIT_TURN_FAILED;
    return 0;
}

/* The journal line of this invocation (state.h, `codex-mock journal`). */
static void write_journal(exec_ctx *x) {
    if (!x->journaled) return;
    char end[CLOCK_UTC_SIZE];
    clock_format_utc(end, x->rc->clk->wall_ms(x->rc->clk));
    journal_entry e = {.invocation = x->invocation,
                       .start = x->start,
                       .end = end,
                       .argc = x->req->argc,
                       .argv = x->req->argv,
                       .command = command_name(x->inv),
                       .cwd = x->cwd,
                       .prompt = x->prompt,
                       .stdin_read = x->pp.read_stdin,
                       .stdin_text = x->stdin_bytes.data,
                       .stdin_len = x->stdin_bytes.len,
                       .rule = x->rule_name,
                       .scenario = x->scenario_name,
                       .thread_id = x->pos.thread_id,
                       .exit_code = x->code};
    buf b;
    buf_init(&b);
    journal_format(&b, &e, env_lookup);
    diag jerr;
    diag_init(&jerr);
    if (state_journal_append(&x->state, b.data, b.len, &jerr) < 0)
        fprintf(stderr, "codex-mock: journal: %s\n", jerr.msg);
    diag_free(&jerr);
    buf_free(&b);
}

/* The one cleanup path, whichever phase stopped the run. */
static void finish(exec_ctx *x) {
    write_journal(x);
    if (x->have_state) state_close(&x->state);
    if (x->session_open) session_writer_close(&x->session);
    session_info_free(&x->parent);
    run_header_free(&x->hdr);
    cJSON_Delete(x->schema);
    buf_free(&x->stdin_bytes);
    free(x->prompt);
    if (x->have_replaced) scenario_free(&x->replaced);
    if (x->have_sc) scenario_free(&x->sc);
    free(x->home);
    free(x->scenario_name);
    free(x->rule_name);
    if (x->explain_fd > 0) close(x->explain_fd);
    diag_free(&x->err);
}

int exec_run(exec_request *req) {
    exec_ctx x = {.req = req,
                  .inv = req->inv,
                  .set = req->settings,
                  .rc = req->rc,
                  .code = EXIT_TURN_FAILED,
                  .explain_fd = -1,
                  .session = {.fd = -1}};
    diag_init(&x.err);
    buf_init(&x.stdin_bytes);
    static int (*const phases[])(exec_ctx *) = {
        phase_preflight, phase_remote, phase_state,  phase_load,  phase_before_prompt,
        phase_prompt,    phase_checks, phase_thread, phase_sinks, phase_play,
    };
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++)
        if (phases[i](&x) < 0) break;
    finish(&x);
    return x.code;
}
