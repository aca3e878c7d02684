/* login_flow — `codex login` (browser) and `codex login --device-auth` as 0.169.0 behaves on an
 * offline machine (docs/behaviour.md#login, traces 44, 46, 47).
 *
 * Browser: binds 127.0.0.1:1455 for real. Free → the six lines with the authorize URL on
 * stderr, then it waits for the OAuth callback until a signal ends it (no handler, as the real
 * one: SIGINT/SIGTERM kill it). Taken → `GET /cancel` to the holder, the bind retried every
 * 200 ms ten times, then the fallback port 1457 (ten more), else
 * `Error logging in: Port 127.0.0.1:1457 is already in use`, exit 1. A `GET /cancel` from a
 * later `codex login` makes a waiting one answer `Login cancelled` and exit 1.
 * Device code: there is no network here, so the first request fails as the real one does
 * offline: `Error logging in: error sending request for url (<issuer>/api/…/usercode)`, exit 1.
 *
 * Both write CODEX_HOME/log/codex-login.log lines like the real ones. The clock and rng are the
 * caller's; returns the exit code (or never returns while waiting). */
#ifndef CODEX_MOCK_LOGIN_FLOW_H
#define CODEX_MOCK_LOGIN_FLOW_H

#include "clock.h"
#include "rng.h"

typedef struct {
    const char *codex_home;
    const char *issuer; /* --experimental_issuer, NULL → https://auth.openai.com */
    double speed;       /* CODEX_MOCK_SPEED for the waits between bind attempts */
    int port;           /* normally 1455; tests may move it */
    int fallback_port;  /* normally 1457 */
} login_params;

int login_browser(const login_params *p, const mock_clock *clk, rng *r);
int login_device(const login_params *p, const mock_clock *clk);

#endif
