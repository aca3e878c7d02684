/* run_config: version profiles and the header values' precedence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "run_config.h"

#include <stdlib.h>
#include <string.h>

static void test_versions(void **state) {
    (void)state;
    struct {
        const char *in, *version;
        bool legacy;
    } ok[] = {{NULL, "0.171.0", false},
              {"", "0.171.0", false},
              {"0.169.0", "0.169.0", false},
              {"legacy", "0.60.0", true},
              {"0.60", "0.60.0", true},
              {"0.58.0", "0.58.0", true},
              {"0.99.9", "0.99.9", true},
              {"0.100.0", "0.100.0", false},
              {"1.2.3-beta.1", "1.2.3-beta.1", false}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        version_profile p;
        char *err = NULL;
        assert_int_equal(version_profile_parse(ok[i].in, &p, &err), 0);
        assert_string_equal(p.version, ok[i].version);
        assert_int_equal(p.legacy, ok[i].legacy);
        version_profile_free(&p);
    }
    const char *bad[] = {"banana", "1.2", "1..3", "v0.60.0"};
    for (size_t i = 0; i < 4; i++) {
        version_profile p;
        char *err = NULL;
        assert_int_equal(version_profile_parse(bad[i], &p, &err), -1);
        assert_non_null(strstr(err, bad[i]));
        free(err);
    }
}

static void test_header(void **state) {
    (void)state;
    invocation inv = {0};
    cli_config cli = {0};
    run_header h;
    run_header_build(&inv, &cli, false, &h);
    assert_string_equal(h.model, "gpt-6.1-sol");
    assert_string_equal(h.provider, "openai");
    assert_string_equal(h.approval, "never");
    assert_string_equal(h.sandbox, "read-only");
    assert_string_equal(h.reasoning_effort, "none");
    assert_string_equal(h.reasoning_summaries, "none");
    run_header_free(&h);

    cli.model = "scenario-model";
    cli.provider = "fake";
    cli.reasoning_effort = "low";
    const char *cfg[] = {"model=\"override\"", "approval_policy=on-failure",
                         "sandbox_mode=workspace-write"};
    inv.config.v = cfg;
    inv.config.n = 3;
    const char *dirs[] = {"/nonexistent-extra"};
    inv.add_dirs.v = dirs;
    inv.add_dirs.n = 1;
    run_header_build(&inv, &cli, false, &h);
    assert_string_equal(h.model, "override");
    assert_string_equal(h.provider, "fake");
    assert_string_equal(h.approval, "on-failure");
    assert_string_equal(h.sandbox, "workspace-write [workdir, /tmp, $TMPDIR, /nonexistent-extra]");
    assert_string_equal(h.reasoning_effort, "low");
    run_header_free(&h);

    inv.model = "flag-model";
    inv.yolo = true;
    run_header_build(&inv, &cli, false, &h);
    assert_string_equal(h.model, "flag-model");
    assert_string_equal(h.sandbox, "danger-full-access");
    run_header_free(&h);

    invocation legacy = {0};
    legacy.full_auto = true;
    run_header_build(&legacy, &(cli_config){0}, true, &h);
    assert_string_equal(h.model, "gpt-5-codex");
    assert_string_equal(h.approval, "on-request");
    assert_string_equal(h.sandbox, "workspace-write [workdir, /tmp, $TMPDIR]");
    run_header_free(&h);
}

static void test_bwrap(void **state) {
    (void)state;
    assert_false(bwrap_on_path(NULL));
    assert_false(bwrap_on_path("/nonexistent:/also/not"));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_versions),
                                       cmocka_unit_test(test_header), cmocka_unit_test(test_bwrap)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
