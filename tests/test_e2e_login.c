/* End to end: `codex login` (browser) and `codex login --device-auth` offline, for real and
 * from scenarios (docs/behaviour.md#login; traces 44, 46, 47, 48; the troubleshooting table's
 * rows). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

static char *tmp;

static int setup(void **state) {
    (void)state;
    tmp = e2e_tmpdir();
    return tmp ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    e2e_rmtree(tmp);
    return 0;
}

static int hold(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void login(proc_result *r, const char *const *args, const char *extra, int sig,
                  double sig_ms) {
    const char *argv[8] = {CODEX_BIN, "login"};
    size_t n = 2;
    for (size_t i = 0; args && args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char home[4200];
    snprintf(home, sizeof home, "CODEX_HOME=%s", tmp);
    const char *env[] = {home, "CODEX_MOCK_SPEED=10", extra, NULL};
    static const char *const unset[] = {"CODEX_MOCK_SCENARIO", "CODEX_MOCK_RULES", NULL};
    proc_spec spec = {.argv = argv,
                      .env = env,
                      .unset = unset,
                      .cwd = tmp,
                      .signal = sig,
                      /* once it waits: its start counts too (proc.h) */
                      .signal_after_ms = proc_ms(sig_ms),
                      .timeout_ms = 20000};
    assert_int_equal(proc_run(&spec, r), 0);
}

static void test_browser_waits_for_callback(void **state) {
    (void)state;
    proc_result r;
    login(&r, NULL, NULL, SIGINT, 800);
    /* no handler: SIGINT kills it, as the real one */
    assert_false(r.exited);
    assert_int_equal(r.term_signal, SIGINT);
    assert_int_equal(r.n_err, 6);
    assert_string_equal(r.err_lines[0].text,
                        "Starting local login server on http://localhost:1455.");
    assert_string_equal(r.err_lines[1].text,
                        "If your browser did not open, navigate to this URL to authenticate:");
    assert_string_equal(r.err_lines[2].text, "");
    assert_true(strncmp(r.err_lines[3].text,
                        "https://auth.openai.com/oauth/authorize?response_type=code&client_id="
                        "app_EMoamEEZ73f0CkXaXp7hrann&redirect_uri=http%3A%2F%2F127.0.0.1%3A1455%"
                        "2Fauth%2Fcallback&code_challenge=",
                        140) == 0);
    assert_string_equal(
        r.err_lines[5].text,
        "On a remote or headless machine? Use `codex login --device-auth` instead.");
    assert_int_equal(r.out_len, 0);
    char log[4300];
    snprintf(log, sizeof log, "%s/log/codex-login.log", tmp);
    char *text = read_file(log, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "Z  INFO codex_cli::login: starting browser login flow\n"));
    free(text);
    proc_result_free(&r);
}

static void test_browser_ports_taken(void **state) {
    (void)state;
    int a = hold(1455);
    assert_true(a >= 0);
    proc_result r;
    /* 1455 taken, 1457 free: the fallback port */
    login(&r, NULL, NULL, SIGTERM, 1500);
    assert_int_equal(r.term_signal, SIGTERM);
    assert_non_null(strstr(r.err, "Starting local login server on http://localhost:1457.\n"));
    assert_non_null(strstr(r.err, "redirect_uri=http%3A%2F%2F127.0.0.1%3A1457%2Fauth"));
    proc_result_free(&r);
    int b = hold(1457);
    assert_true(b >= 0);
    login(&r, NULL, NULL, 0, 0);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, 1);
    assert_string_equal(r.err, "Error logging in: Port 127.0.0.1:1457 is already in use\n");
    proc_result_free(&r);
    close(a);
    close(b);
}

static void test_device_auth_offline(void **state) {
    (void)state;
    proc_result r;
    login(&r, (const char *[]){"--device-auth", NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 1);
    assert_string_equal(r.err, "Error logging in: error sending request for url "
                               "(https://auth.openai.com/api/accounts/deviceauth/usercode)\n");
    proc_result_free(&r);
}

static void test_login_scenarios(void **state) {
    (void)state;
    proc_result r;
    login(&r, (const char *[]){"--device-auth", NULL},
          "CODEX_MOCK_SCENARIO=login-device-auth-disabled", 0, 0);
    assert_int_equal(r.exit_code, 1);
    assert_string_equal(r.err, "Error logging in: device code login is not enabled for this Codex "
                               "server. Use the browser login or verify the server URL.\n");
    proc_result_free(&r);
    login(&r, NULL, "CODEX_MOCK_SCENARIO=login-port-in-use", 0, 0);
    assert_int_equal(r.exit_code, 1);
    assert_string_equal(r.err, "Error logging in: Port 127.0.0.1:1457 is already in use\n");
    proc_result_free(&r);
    login(&r, NULL, "CODEX_MOCK_SCENARIO=login-waiting-for-callback", SIGINT, 500);
    assert_int_equal(r.term_signal, SIGINT);
    assert_int_equal(r.n_err, 6);
    proc_result_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_browser_waits_for_callback),
        cmocka_unit_test(test_browser_ports_taken),
        cmocka_unit_test(test_device_auth_offline),
        cmocka_unit_test(test_login_scenarios),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
