#include "login_flow.h"
#include "exitcodes.h"
#include "buf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char CLIENT_ID[] = "app_EMoamEEZ73f0CkXaXp7hrann";

static void login_log(const login_params *p, const mock_clock *clk, const char *level,
                      const char *target, const char *msg) {
    char *dir = xasprintf("%s/log", p->codex_home);
    mkdir(dir, 0755);
    char *path = xasprintf("%s/codex-login.log", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        int64_t ms = clk->wall_ms(clk);
        time_t s = (time_t)(ms / 1000);
        struct tm tm;
        gmtime_r(&s, &tm);
        char *line = xasprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ %5s %s: %s\n",
                               tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                               tm.tm_sec, (int)(ms % 1000) * 1000, level, target, msg);
        if (write(fd, line, strlen(line)) < 0) { /* a log line is not worth failing for */
        }
        free(line);
        close(fd);
    }
    free(path);
    free(dir);
}

static int bind_port(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Asks an earlier login server on `port` to stop, as the real CLI does (2 s to connect,
 * 2 s for an answer). Returns errno of a failed connect, else 0. */
static int send_cancel(int port, double speed) {
    int wait = speed > 0 ? (int)(2000 / speed) : 0; /* the real 2 s, at the chosen speed */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return errno;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    if (rc != 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        return e;
    }
    struct pollfd pfd = {fd, POLLOUT, 0};
    if (poll(&pfd, 1, wait) <= 0) {
        close(fd);
        return ETIMEDOUT;
    }
    int soerr = 0;
    socklen_t len = sizeof soerr;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
    if (soerr) {
        close(fd);
        return soerr;
    }
    char req[128];
    int n =
        snprintf(req, sizeof req,
                 "GET /cancel HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n", port);
    if (write(fd, req, (size_t)n) < 0) { /* the holder may be gone already */
    }
    pfd.events = POLLIN;
    if (poll(&pfd, 1, wait) > 0) {
        char tmp[512];
        if (read(fd, tmp, sizeof tmp) < 0) { /* any answer, or none, will do */
        }
    }
    close(fd);
    return 0;
}

/* 43 characters of base64url, as PKCE challenges and states are. */
static void random_b64url(char out[44], rng *r) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < 43; i++)
        out[i] = abc[rng_next(r) & 63];
    out[43] = '\0';
}

static void wait_ms(const mock_clock *clk, double speed, int ms) {
    if (speed <= 0) return;
    int64_t d = (int64_t)((double)ms * 1e6 / speed);
    clk->wait_until(clk, clk->mono_ns(clk) + d, NULL);
}

int login_browser(const login_params *p, const mock_clock *clk, rng *r) {
    login_log(p, clk, "INFO", "codex_cli::login", "starting browser login flow");
    int port = p->port, fd = bind_port(port);
    if (fd < 0 && errno == EADDRINUSE) {
        int e = send_cancel(port, p->speed);
        if (e == ECONNREFUSED)
            fprintf(stderr,
                    "Failed to cancel previous login server: %s (os error "
                    "%d)\n",
                    "Connection refused", e);
        for (int attempt = 0; attempt < 10 && fd < 0; attempt++) {
            wait_ms(clk, p->speed, 200);
            fd = bind_port(port);
        }
        if (fd < 0) {
            char *msg = xasprintf("default login callback port is unavailable; falling back to "
                                  "the registered fallback port "
                                  "preferred_bind_address=127.0.0.1:%d "
                                  "fallback_bind_address=127.0.0.1:%d",
                                  p->port, p->fallback_port);
            login_log(p, clk, "WARN", "codex_login::server", msg);
            free(msg);
            port = p->fallback_port;
            fd = bind_port(port);
            for (int attempt = 0; attempt < 10 && fd < 0 && errno == EADDRINUSE; attempt++) {
                wait_ms(clk, p->speed, 200);
                fd = bind_port(port);
            }
            if (fd < 0) {
                fprintf(stderr, "Error logging in: Port 127.0.0.1:%d is already in use\n", port);
                return EXIT_LOGIN_FAILED;
            }
        }
    } else if (fd < 0) {
        fprintf(stderr, "Error logging in: %s (os error %d)\n", strerror(errno), errno);
        return EXIT_LOGIN_FAILED;
    }
    char challenge[44], state[44];
    random_b64url(challenge, r);
    random_b64url(state, r);
    const char *issuer = p->issuer ? p->issuer : "https://auth.openai.com";
    fprintf(stderr,
            "Starting local login server on http://localhost:%d.\n"
            "If your browser did not open, navigate to this URL to authenticate:\n\n"
            "%s/oauth/authorize?response_type=code&client_id=%s&redirect_uri=http%%3A%%2F%%2F127."
            "0.0.1%%3A%d%%2Fauth%%2Fcallback&code_challenge=%s&code_challenge_method=S256&state=%"
            "s&scope=openid+profile+email+offline_access+api.connectors.read+api.connectors."
            "invoke&id_token_add_organizations=true&codex_cli_simplified_flow=true&originator="
            "codex_cli_rs\n\n"
            "On a remote or headless machine? Use `codex login --device-auth` instead.\n",
            port, issuer, CLIENT_ID, port, challenge, state);
    fflush(stderr);
    /* Wait for the callback, which never comes offline; a later `codex login` may cancel us. */
    for (;;) {
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR) continue;
            pause();
            continue;
        }
        char req[1024];
        ssize_t n = read(c, req, sizeof req - 1);
        req[n > 0 ? n : 0] = '\0';
        if (!strncmp(req, "GET /cancel", 11)) {
            static const char ans[] = "HTTP/1.1 200 OK\r\nContent-Length: 15\r\nConnection: "
                                      "close\r\n\r\nLogin cancelled";
            if (write(c, ans, sizeof ans - 1) < 0) { /* the canceller only waits for any answer */
            }
            close(c);
            close(fd);
            fprintf(stderr, "Error logging in: Login cancelled\n");
            return EXIT_LOGIN_FAILED;
        }
        static const char nf[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: "
                                 "close\r\n\r\n";
        if (write(c, nf, sizeof nf - 1) < 0) { /* a browser that went away */
        }
        close(c);
    }
}

int login_device(const login_params *p, const mock_clock *clk) {
    login_log(p, clk, "INFO", "codex_cli::login", "starting device code login flow");
    /* offline: the user-code request fails at once (≈60 ms in the real CLI) */
    wait_ms(clk, p->speed, 60);
    fprintf(stderr,
            "Error logging in: error sending request for url (%s/api/accounts/deviceauth/"
            "usercode)\n",
            p->issuer ? p->issuer : "https://auth.openai.com");
    return EXIT_LOGIN_FAILED;
}
