/* Fuzz regressions: every input a libFuzzer target (fuzz/fuzz_targets.h) ever crashed, leaked
 * or hung on is kept under tests/regress/TARGET/ and replayed here through the same target
 * body, with a time bound (a hang found by the fuzzer must stay fixed too). The hand-made seeds
 * in fuzz/seeds/TARGET/ are replayed as well. A target's invariant failing aborts the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fileio.h"
#include "../fuzz/fuzz_targets.h"
#include "proc.h"
#include "recording.h"

#include <dirent.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* An input the fuzzer reported as a timeout took over 10 s; fixed, each runs in milliseconds.
 * The bound leaves room for sanitizers, and is widened under valgrind (CODEX_MOCK_TEST_TIME_SCALE,
 * proc.h), where the slowest input takes 2-5 s. */
#define MAX_SECONDS_PER_INPUT 5.0

typedef int (*target_fn)(const uint8_t *, size_t);

static const struct {
    const char *name;
    target_fn fn;
} TARGETS[] = {
    {"scenario", fuzz_scenario_one},
    {"duration", fuzz_duration_one},
    {"schema", fuzz_schema_one},
    {"json_check", fuzz_json_check_one},
    {"rules", fuzz_rules_one},
    {"convert_jsonl", fuzz_convert_jsonl_one},
    {"convert_rollout", fuzz_convert_rollout_one},
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Replays every regular file in dir through fn; returns how many. */
static int replay_dir(const char *dir, target_fn fn) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        size_t len = 0;
        char *data = fileio_read_file(path, 0, &len);
        if (data) {
            double t0 = now_s();
            fn((const uint8_t *)data, len);
            double took = now_s() - t0;
            if (took > proc_ms(MAX_SECONDS_PER_INPUT * 1000) / 1000)
                fail_msg("%s took %.1f s", path, took);
            free(data);
            count++;
        }
        free(path);
    }
    closedir(d);
    return count;
}

static void test_replay_regressions_and_seeds(void **state) {
    (void)state;
    int seeds = 0;
    for (size_t i = 0; i < sizeof TARGETS / sizeof TARGETS[0]; i++) {
        char *regress = xasprintf("%s/tests/regress/%s", SOURCE_DIR, TARGETS[i].name);
        char *seed = xasprintf("%s/fuzz/seeds/%s", SOURCE_DIR, TARGETS[i].name);
        replay_dir(regress, TARGETS[i].fn);
        seeds += replay_dir(seed, TARGETS[i].fn);
        free(regress);
        free(seed);
    }
    assert_true(seeds >= 4); /* the seeds are there: the paths are right */
}

/* tests/regress/schema/timeout-ref-branches-exponential: oneOf branches that $ref back to the
 * root doubled the work at every level down to the depth limit of 64 (2^64 checks). Now the
 * work is bounded and the validator says so. */
static void test_schema_ref_blowup_is_bounded(void **state) {
    (void)state;
    cJSON *schema = cJSON_Parse("{\"oneOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#\"},{\"type\":\"x\"}]}");
    cJSON *value = cJSON_Parse("1");
    buf why;
    buf_init(&why);
    double t0 = now_s();
    assert_false(schema_validate(schema, value, &why));
    assert_true(now_s() - t0 < MAX_SECONDS_PER_INPUT);
    assert_string_equal(why.data,
                        "/: schema too costly to check (more than 250000 subschema checks)");
    buf_free(&why);
    /* an ordinary schema is unaffected */
    cJSON *ok_schema = cJSON_Parse("{\"anyOf\":[{\"type\":\"string\"},{\"$ref\":\"#/$defs/n\"}],"
                                   "\"$defs\":{\"n\":{\"type\":\"integer\"}}}");
    assert_true(schema_validate(ok_schema, value, NULL));
    cJSON_Delete(ok_schema);
    cJSON_Delete(schema);
    cJSON_Delete(value);
}

int main(void) {
    alarm(300); /* a hang that came back ends the test (SIGALRM) instead of the CI run */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_regressions_and_seeds),
        cmocka_unit_test(test_schema_ref_blowup_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
