/* Unit tests for completion: bash and zsh scripts from completion specs (cli.h's format). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "buf.h"
#include "completion.h"

#include <stdlib.h>
#include <string.h>

static const char SPEC[] = "sub\ttool\trun r\tRun it\n"
                           "opt\ttool\t-v --verbose\t\tSay more\n"
                           "opt\ttool run\t-o --out\tFILE\tWhere it goes\n"
                           "opt\ttool run\t--mode\tfast|slow\tHow\n"
                           "opt\ttool run\t--dir\tDIR\tA directory\n"
                           "opt\ttool run\t--name\t-\tAnything\n"
                           "arg\ttool run\tSCENARIO\n";

static char *script(const char *shell, const char *spec) {
    buf b;
    buf_init(&b);
    const char *specs[] = {spec};
    assert_int_equal(completion_script(shell, specs, 1, "tool", &b), 0);
    return buf_detach(&b);
}

static void has(const char *s, const char *want) {
    if (!strstr(s, want)) fail_msg("missing: %s\n--- in:\n%s", want, s);
}

static void test_bash(void **state) {
    (void)state;
    char *s = script("bash", SPEC);
    has(s, "_codex_mock_complete_tool() {\n");
    /* a subcommand and its alias move to its path; value-taking options skip their value */
    has(s, "'tool|run'|'tool|r') cpath='tool run' ;;");
    has(s, "'tool run|-o'|'tool run|--out') skip=1 ;;");
    has(s, "'tool run|--name') skip=1 ;;");
    /* values: files, choices, directories, anything */
    has(s, "'tool run|-o'|'tool run|--out') compopt -o filenames 2>/dev/null; "
           "COMPREPLY+=($(compgen -f -- \"$cur\")) ;;");
    has(s, "'tool run|--mode') COMPREPLY+=($(compgen -W 'fast slow' -- \"$cur\")) ;;");
    has(s, "COMPREPLY+=($(compgen -d -- \"$cur\"))");
    has(s, "'tool run|--name') : ;;");
    /* options and words per path; scenario names from codex-mock list */
    has(s, "'tool') COMPREPLY=($(compgen -W '-v --verbose' -- \"$cur\")) ;;");
    has(s, "'tool') COMPREPLY=($(compgen -W 'run' -- \"$cur\")); ;;");
    has(s, "codex-mock list 2>/dev/null | cut -d' ' -f1");
    has(s, "complete -F _codex_mock_complete_tool tool\n");
    assert_null(strstr(s, "compdef"));
    free(s);
}

static void test_zsh(void **state) {
    (void)state;
    char *s = script("zsh", SPEC);
    assert_true(!strncmp(s, "#compdef tool\n", 14));
    has(s, "local -a o; o=( '-v:Say more' '--verbose:Say more'); _describe -t options option o");
    has(s, "local -a s; s=( 'run:Run it'); _describe -t commands command s;");
    has(s, "'tool run|--mode') compadd -- fast slow ;;");
    has(s, "'tool run|--dir') _files -/ ;;");
    has(s, "'tool') _codex_mock_complete_tool ;;");
    has(s, "compdef _codex_mock_dispatch tool\n");
    assert_null(strstr(s, "complete -F"));
    free(s);
}

/* Quotes in help texts are shell-quoted; a ':' in a zsh word is escaped. */
static void test_quoting(void **state) {
    (void)state;
    char *s = script("zsh", "sub\tt\ta:b\tit's\n");
    has(s, "'a\\:b:it'\\''s'");
    free(s);
}

/* Lines that are not sub/opt/arg, or lack fields, are skipped; an empty spec gives a script
 * that completes nothing; an unknown shell is refused and appends nothing. */
static void test_malformed_and_unknown_shell(void **state) {
    (void)state;
    char *s = script("bash", "bogus\ttool\tx\n\nsub\n\t\t\nopt\ttool\t--ok\t\tfine\n");
    has(s, "'tool') COMPREPLY=($(compgen -W '--ok' -- \"$cur\")) ;;");
    assert_null(strstr(s, "bogus"));
    free(s);
    s = script("bash", "");
    assert_null(strstr(s, "complete -F"));
    free(s);
    buf b;
    buf_init(&b);
    const char *specs[] = {SPEC};
    assert_int_equal(completion_script("fish", specs, 1, NULL, &b), -1);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bash),
        cmocka_unit_test(test_zsh),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_malformed_and_unknown_shell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
