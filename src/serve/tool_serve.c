#include "tool_serve.h"

#include "buf.h"
#include "exitcodes.h"
#include "scenario_load.h"
#include "select.h"
#include "serve_http.h"
#include "serve_plan.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char SERVE_USAGE[] =
    "Usage: codex-mock serve [SCENARIO] [--port N] [--log FILE] [--port-file FILE]\n"
    "                        [--config FILE] [--max-seconds N] [--quiet]\n"
    "  A fake OpenAI Responses API on 127.0.0.1 that answers the real codex from a scenario\n"
    "  (a built-in name or a file; default: default). --port 0 (default) takes a free port;\n"
    "  --log appends one JSON line per request; --port-file and --config write the port and a\n"
    "  config.toml for codex; --quiet: no request summaries on stderr. Stops on SIGTERM/SIGINT.\n";

int serve_load_scenario(const char *requested, const char *scenario_path, scenario *sc,
                        char **path_out, diag *err) {
    char *dir = NULL;
    if (!requested || !scenario_is_path(requested)) dir = builtin_scenario_dir();
    scenario_choice ch;
    int rc = select_scenario(requested, scenario_path, dir, &ch, err);
    free(dir);
    if (rc < 0) return -1;
    if (ch.path)
        rc = scenario_load_file(ch.path, sc, err);
    else
        rc = scenario_load_mem("<built-in default>", DEFAULT_SCENARIO_YAML,
                               DEFAULT_SCENARIO_YAML_LEN, sc, err);
    if (path_out) *path_out = ch.path ? xstrdup(ch.path) : NULL;
    choice_free(&ch);
    return rc;
}

void serve_config_toml(buf *b, int port, const char *model) {
    buf_printf(b,
               "model = \"%s\"\n"
               "model_provider = \"codex_mock\"\n"
               "\n"
               "[model_providers.codex_mock]\n"
               "name = \"codex-mock serve\"\n"
               "base_url = \"http://127.0.0.1:%d/v1\"\n"
               "wire_api = \"responses\"\n"
               "env_key = \"CODEX_API_KEY\"\n"
               "supports_websockets = false\n",
               model, port);
}

static int write_file(const char *path, const char *data, size_t len) {
    char *tmp = xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = 0;
    if (ok && rename(tmp, path) != 0) ok = 0;
    if (!ok) fprintf(stderr, "codex-mock serve: cannot write %s: %s\n", path, strerror(errno));
    free(tmp);
    return ok ? 0 : -1;
}

int tool_serve(int argc, char **argv, const mock_settings *set) {
    const char *name = NULL, *log_path = NULL, *port_file = NULL, *config = NULL;
    long port = 0, max_seconds = 0;
    bool quiet = false;
    for (int i = 0; i < argc; i++) {
        char *end;
        if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            port = strtol(argv[++i], &end, 10);
            if (*end || port < 0 || port > 65535) goto usage;
        } else if (!strcmp(argv[i], "--max-seconds") && i + 1 < argc) {
            max_seconds = strtol(argv[++i], &end, 10);
            if (*end || max_seconds < 0) goto usage;
        } else if (!strcmp(argv[i], "--log") && i + 1 < argc) {
            log_path = argv[++i];
        } else if (!strcmp(argv[i], "--port-file") && i + 1 < argc) {
            port_file = argv[++i];
        } else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            config = argv[++i];
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = true;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(SERVE_USAGE, stdout);
            return 0;
        } else if (argv[i][0] != '-' && !name) {
            name = argv[i];
        } else {
            fprintf(stderr, "codex-mock serve: unexpected '%s'\n", argv[i]);
            goto usage;
        }
    }
    scenario sc;
    diag err;
    diag_init(&err);
    if (serve_load_scenario(name, set->scenario_path, &sc, NULL, &err) < 0) {
        fputs("codex-mock: ", stderr);
        diag_print(&err, stderr);
        diag_free(&err);
        return EXIT_MOCK_ERROR;
    }
    serve_plan plan;
    serve_plan_build(&sc, (int64_t)time(NULL), &plan);
    FILE *log = NULL;
    if (log_path && !(log = fopen(log_path, "a"))) {
        fprintf(stderr, "codex-mock serve: cannot open %s: %s\n", log_path, strerror(errno));
        serve_plan_free(&plan);
        scenario_free(&sc);
        return EXIT_MOCK_ERROR;
    }
    /* SIGTERM and SIGINT are waited for, not handled: block them before any thread starts */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    serve_options o = {
        .plan = &plan, .port = (int)port, .log = log, .summary = quiet ? NULL : stderr};
    serve_server *srv;
    int rc = 0;
    if (serve_start(&o, &srv, &err) < 0) {
        fprintf(stderr, "codex-mock serve: %s\n", err.msg);
        rc = EXIT_MOCK_ERROR;
        goto out;
    }
    int bound = serve_port(srv);
    buf toml;
    buf_init(&toml);
    serve_config_toml(&toml, bound, plan.model);
    if (port_file) {
        char num[16];
        int n = snprintf(num, sizeof num, "%d\n", bound);
        if (write_file(port_file, num, (size_t)n) < 0) rc = EXIT_MOCK_ERROR;
    }
    if (config && write_file(config, toml.data, toml.len) < 0) rc = EXIT_MOCK_ERROR;
    if (rc == 0) {
        printf("codex-mock serve: listening on http://127.0.0.1:%d/v1 (scenario %s, %zu "
               "response%s)\n",
               bound, sc.name.ptr ? sc.name.ptr : (name ? name : "default"), plan.n,
               plan.n == 1 ? "" : "s");
        for (size_t i = 0; i < plan.n_unserved; i++)
            printf("codex-mock serve: note: line %d: '%s' is the client's part; not served\n",
                   plan.unserved[i].line, plan.unserved[i].what);
        printf("\nPoint codex at it with these flags (and CODEX_API_KEY set to anything):\n"
               "  -c model=%s -c model_provider=codex_mock \\\n"
               "  -c model_providers.codex_mock.name=codex-mock \\\n"
               "  -c model_providers.codex_mock.base_url=http://127.0.0.1:%d/v1 \\\n"
               "  -c model_providers.codex_mock.wire_api=responses \\\n"
               "  -c model_providers.codex_mock.env_key=CODEX_API_KEY \\\n"
               "  -c model_providers.codex_mock.supports_websockets=false\n"
               "\nor with this in $CODEX_HOME/config.toml:\n\n%s",
               plan.model, bound, toml.data);
        fflush(stdout);
        if (max_seconds > 0) {
            struct timespec ts = {max_seconds, 0};
            sigtimedwait(&stop, NULL, &ts);
        } else {
            int sig;
            sigwait(&stop, &sig);
        }
    }
    buf_free(&toml);
    serve_stop(srv);
out:
    if (log) fclose(log);
    serve_plan_free(&plan);
    scenario_free(&sc);
    diag_free(&err);
    return rc;
usage:
    fputs(SERVE_USAGE, stderr);
    return EXIT_USAGE;
}
