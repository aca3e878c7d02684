#include "remote.h"
#include "buf.h"
#include "uuid.h"

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Backtrace frames the real 0.171.0 binary prints per error (recorded with RUST_BACKTRACE=1). */
enum { FRAMES_ARGS = 8, FRAMES_SESSION = 9 };

static const char ADDR_HELP[] =
    "expected `ws://host:port`, `wss://host:port`, `unix://`, or `unix://PATH`";

static bool all_digits(const char *s, size_t n) {
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* ws[s]://HOST:PORT[/] → "ws[s]://HOST:PORT/" (heap), or NULL. */
static char *normalize_ws(const char *addr) {
    size_t scheme = !strncmp(addr, "ws://", 5) ? 5 : !strncmp(addr, "wss://", 6) ? 6 : 0;
    if (!scheme) return NULL;
    const char *host = addr + scheme;
    size_t len = strlen(host);
    if (len && host[len - 1] == '/') len--;
    if (memchr(host, '/', len) || memchr(host, '?', len) || memchr(host, '#', len)) return NULL;
    const char *colon = NULL;
    if (host[0] == '[') {
        const char *close = memchr(host, ']', len);
        if (!close || close[1] != ':') return NULL;
        colon = close + 1;
    } else {
        for (size_t i = 0; i < len; i++)
            if (host[i] == ':') colon = host + i;
    }
    if (!colon || colon == host || !all_digits(colon + 1, (size_t)(host + len - colon - 1)))
        return NULL;
    return xasprintf("%.*s%.*s/", (int)scheme, addr, (int)len, host);
}

static char *fail_with(int *frames, int n, char *msg) {
    *frames = n;
    return msg;
}

char *remote_check(const invocation *inv, const char *codex_home, remote_env_fn env, char **url,
                   int *frames) {
    *url = NULL;
    if (!inv->remote) {
        if (!inv->remote_auth_token_env) return NULL;
        return fail_with(frames, FRAMES_ARGS,
                         xstrdup("`--remote-auth-token-env` requires `--remote`."));
    }
    char *u = NULL;
    if (!strcmp(inv->remote, "unix://"))
        u = xasprintf("unix://%s/app-server-control/app-server-control.sock",
                      codex_home ? codex_home : "");
    else if (!strncmp(inv->remote, "unix://", 7))
        u = xstrdup(inv->remote);
    else
        u = normalize_ws(inv->remote);
    if (!u)
        return fail_with(frames, FRAMES_ARGS,
                         xasprintf("invalid remote address `%s`; %s", inv->remote, ADDR_HELP));
    if (inv->remote_auth_token_env) {
        const char *name = inv->remote_auth_token_env, *v = env(name);
        if (!v || !*v) {
            free(u);
            return fail_with(
                frames, FRAMES_ARGS,
                xasprintf("environment variable `%s` is %s", name, v ? "empty" : "not set"));
        }
    }
    if (inv->cmd == CMD_EXEC_FORK || inv->cmd == CMD_EXEC_REVIEW) {
        free(u);
        return fail_with(frames, FRAMES_SESSION, xstrdup("--remote supports exec and exec resume"));
    }
    if (inv->cmd == CMD_EXEC_RESUME && (!inv->session_id || !uuid_is_valid(inv->session_id))) {
        free(u);
        return fail_with(frames, FRAMES_SESSION, xstrdup("remote resume requires a thread UUID"));
    }
    *url = u;
    return NULL;
}

/* musl's texts (the real binary is a musl build) for the lookup failures it can report. */
static const char *lookup_error(int gai) {
    switch (gai) {
    case EAI_NONAME:
        return "Name does not resolve";
    case EAI_AGAIN:
        return "Try again";
    case EAI_FAIL:
        return "Non-recoverable error";
    default:
        return gai_strerror(gai);
    }
}

/* 0 when connected (and closed again), else an errno, or -1 with *gai set. */
static int connect_tcp(const char *hostport, int *gai) {
    char host[256], port[16];
    const char *colon = strrchr(hostport, ':');
    size_t hl = (size_t)(colon - hostport);
    const char *h = hostport;
    if (h[0] == '[') h++, hl -= 2; /* [v6] */
    if (hl >= sizeof host) hl = sizeof host - 1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    snprintf(port, sizeof port, "%.*s", (int)strcspn(colon + 1, "/"), colon + 1);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        *gai = rc;
        return -1;
    }
    int err = ECONNREFUSED;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int c = connect(fd, a->ai_addr, a->ai_addrlen);
        err = c == 0 ? 0 : errno;
        close(fd);
        if (c == 0) break;
    }
    freeaddrinfo(res);
    return err;
}

static int connect_unix(const char *path) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) return ENAMETOOLONG;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    int err = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 ? 0 : errno;
    close(fd);
    return err;
}

char *remote_connect(const char *url, int *frames) {
    *frames = FRAMES_SESSION;
    if (!strncmp(url, "unix://", 7)) {
        int err = connect_unix(url + 7);
        if (!err) return NULL;
        return xasprintf("failed to connect to remote app server at `%s`: %s (os error %d)", url,
                         strerror(err), err);
    }
    int gai = 0;
    int err = connect_tcp(strstr(url, "://") + 3, &gai);
    if (!err) return NULL;
    if (err < 0)
        return xasprintf("failed to connect to remote app server at `%s`: IO error: failed to "
                         "lookup address information: %s",
                         url, lookup_error(gai));
    return xasprintf("failed to connect to remote app server at `%s`: IO error: %s (os error %d)",
                     url, strerror(err), err);
}

void remote_print_error(FILE *f, const char *msg, int frames, remote_env_fn env) {
    fprintf(f, "Error: %s\n", msg);
    const char *lib = env("RUST_LIB_BACKTRACE"), *bt = env("RUST_BACKTRACE");
    const char *on = lib ? lib : bt;
    if (!on || !strcmp(on, "0")) return;
    fputs("\nStack backtrace:\n", f);
    for (int i = 0; i < frames; i++)
        fprintf(f, "%4d: <unknown>\n", i);
}
