/* Unit tests for as_cmdactions: a command's commandActions as the real server summarises the
 * script (corpus 08, 09, 11: listFiles after a leading echo, one unknown for the whole script
 * when any part is unknown), searches, formatting helpers, what the reader does not follow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as_cmdactions.h"

#include <stdlib.h>
#include <string.h>

static void expect(const char *script, const char *want) {
    buf b;
    buf_init(&b);
    as_command_actions(&b, script, strlen(script));
    assert_string_equal(b.data, want);
    buf_free(&b);
}

static void test_corpus(void **state) {
    (void)state;
    expect("echo listing && ls -1",
           "[{\"type\":\"listFiles\",\"command\":\"ls -1\",\"path\":null}]");
    expect("touch created.txt && echo made it",
           "[{\"type\":\"unknown\",\"command\":\"touch created.txt && echo made it\"}]");
}

static void test_list_and_search(void **state) {
    (void)state;
    expect("ls -la src/app/", "[{\"type\":\"listFiles\",\"command\":\"ls -la src/app/\",\"path\":"
                              "\"app\"}]");
    expect("ls -I '*.o' lib", "[{\"type\":\"listFiles\",\"command\":\"ls -I \\\"*.o\\\" lib\","
                              "\"path\":\"lib\"}]");
    expect("rg -n TODO src", "[{\"type\":\"search\",\"command\":\"rg -n TODO src\",\"query\":"
                             "\"TODO\",\"path\":\"src\"}]");
    expect("rg --files | wc -l",
           "[{\"type\":\"search\",\"command\":\"rg --files\",\"query\":null,\"path\":null}]");
    expect("cd web && grep -r 'main(' .",
           "[{\"type\":\"search\",\"command\":\"grep -r \\\"main(\\\" .\",\"query\":\"main(\","
           "\"path\":\".\"}]");
    expect("ls; rg x", "[{\"type\":\"listFiles\",\"command\":\"ls\",\"path\":null},"
                       "{\"type\":\"search\",\"command\":\"rg x\",\"query\":\"x\",\"path\":null}]");
}

static void test_unknown(void **state) {
    (void)state;
    expect("make test", "[{\"type\":\"unknown\",\"command\":\"make test\"}]");
    expect("ls > out.txt", "[{\"type\":\"unknown\",\"command\":\"ls > out.txt\"}]");
    expect("ls $HOME", "[{\"type\":\"unknown\",\"command\":\"ls $HOME\"}]");
    expect("wc -l", "[{\"type\":\"unknown\",\"command\":\"wc -l\"}]");
    expect("echo 'unterminated", "[{\"type\":\"unknown\",\"command\":\"echo 'unterminated\"}]");
    expect("", "[{\"type\":\"unknown\",\"command\":\"\"}]");
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_corpus),
                                       cmocka_unit_test(test_list_and_search),
                                       cmocka_unit_test(test_unknown)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
