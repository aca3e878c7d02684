/* gen_scenario — write a large, varied scenario for the replay benchmark.
 *
 *   gen_scenario STEPS [SEED] > big.yaml
 *
 * One turn of STEPS steps (plus a closing usage step) mixing what a real session holds: agent
 * messages, reasoning with a bold title, commands with short flow-style output or longer block
 * output and sometimes a failing exit code, file changes, todo lists and web searches. Text is
 * drawn from a fixed vocabulary by a seeded PRNG, so a given STEPS and SEED always give the
 * same bytes. About 75 bytes per step on average. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t next(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A number in [lo, hi]. */
static unsigned pick(unsigned lo, unsigned hi) {
    return lo + (unsigned)(next() % (uint64_t)(hi - lo + 1));
}

static const char *const WORDS[] = {
    "the",    "file",   "test",    "build",  "error",  "function", "return", "value",
    "config", "check",  "update",  "module", "parser", "output",   "input",  "line",
    "fix",    "now",    "passes",  "this",   "that",   "with",     "from",   "into",
    "header", "struct", "pointer", "buffer", "size",   "length",   "index",  "loop",
    "read",   "write",  "open",    "close",  "path",   "name",     "list",   "map",
    "first",  "next",   "last",    "all",    "one",    "two",      "small",  "large",
    "and",    "or",     "not",     "is",     "are",    "was",      "I'll",   "let's",
    "run",    "look",   "at",      "for",    "in",     "on",       "to",     "of",
};
enum { N_WORDS = sizeof WORDS / sizeof WORDS[0] };

static const char *const FILES[] = {
    "src/main.c",   "src/parser.c", "src/lexer.c", "src/util.h",    "README.md",
    "Makefile",     "tests/a.py",   "lib/io.rs",   "docs/guide.md", "include/api.h",
    "app/views.py", "web/index.ts", "cmd/root.go", "build.gradle",  "setup.cfg",
};
enum { N_FILES = sizeof FILES / sizeof FILES[0] };

static const char *const TOOLS[] = {"rg -n", "cat",       "sed -n 1,40p",    "ls -la", "grep -rn",
                                    "make",  "pytest -q", "git diff --stat", "wc -l"};
enum { N_TOOLS = sizeof TOOLS / sizeof TOOLS[0] };

/* `n` words separated by spaces; the first capitalised when `cap`. */
static void words(FILE *f, unsigned n, int cap) {
    for (unsigned i = 0; i < n; i++) {
        const char *w = WORDS[next() % N_WORDS];
        if (i) fputc(' ', f);
        if (cap && i == 0 && w[0] >= 'a' && w[0] <= 'z') {
            fputc(w[0] - 'a' + 'A', f);
            fputs(w + 1, f);
        } else {
            fputs(w, f);
        }
    }
}

static const char *file(void) {
    return FILES[next() % N_FILES];
}

static void message(FILE *f) {
    fputs("  - message: \"", f);
    words(f, pick(4, 13), 1);
    fputs(".\"\n", f);
}

static void reasoning(FILE *f) {
    fputs("  - reasoning: \"**", f);
    words(f, pick(2, 4), 1);
    fputs("**\\n\\n", f);
    words(f, pick(4, 12), 1);
    fputs(".\"\n", f);
}

static void command(FILE *f) {
    unsigned tool = (unsigned)(next() % N_TOOLS);
    fprintf(f, "  - command: \"/bin/bash -lc '%s %s'\"\n", TOOLS[tool], file());
    unsigned shape = pick(0, 99);
    if (shape < 45) { /* short output, flow style with escapes */
        fputs("    output: \"", f);
        for (unsigned i = 0, n = pick(1, 2); i < n; i++) {
            const char *path = file(); /* one call per statement: a fixed order of draws */
            fprintf(f, "%s:%u: ", path, pick(1, 999));
            words(f, pick(1, 3), 0);
            fputs("\\n", f);
        }
        fputs("\"\n", f);
    } else if (shape < 50) { /* longer output, literal block */
        fputs("    output: |\n", f);
        for (unsigned i = 0, n = pick(3, 10); i < n; i++) {
            fputs("      ", f);
            words(f, pick(2, 8), 0);
            fputc('\n', f);
        }
    } /* else: no output at all */
    if (next() % 10 == 0) fprintf(f, "    exit_code: %u\n", pick(1, 2));
}

static void file_change(FILE *f) {
    unsigned n = pick(1, 2);
    fputs("  - file_change: [", f);
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? ", " : "", file());
    fputs("]\n", f);
}

static void todo_list(FILE *f) {
    fputs("  - todo_list:\n", f);
    for (unsigned i = 0, n = pick(2, 3); i < n; i++) {
        fputs("      - {text: \"", f);
        words(f, pick(2, 4), 1);
        fprintf(f, "\", completed: %s}\n", next() % 2 ? "true" : "false");
    }
}

static void web_search(FILE *f) {
    fputs("  - web_search: \"", f);
    words(f, pick(2, 5), 0);
    fputs("\"\n", f);
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s STEPS [SEED] > scenario.yaml\n", argv[0]);
        return 2;
    }
    unsigned long steps = strtoul(argv[1], NULL, 10);
    if (argc == 3) rng_state ^= strtoull(argv[2], NULL, 10);
    static char iobuf[1 << 20];
    setvbuf(stdout, iobuf, _IOFBF, sizeof iobuf);
    FILE *f = stdout;
    fputs("# Generated by tools/bench.d/gen_scenario.c for the replay benchmark.\n"
          "codex_mock: 1\n"
          "name: bench-replay\n"
          "description: a long, varied single turn\n"
          "steps:\n",
          f);
    for (unsigned long s = 0; s < steps; s++) {
        unsigned r = pick(0, 99);
        if (r < 34)
            message(f);
        else if (r < 58)
            reasoning(f);
        else if (r < 88)
            command(f);
        else if (r < 94)
            file_change(f);
        else if (r < 97)
            todo_list(f);
        else
            web_search(f);
    }
    fputs("  - usage: {input_tokens: 123456, cached_input_tokens: 65536, output_tokens: 4321}\n",
          f);
    if (fflush(f) != 0 || ferror(f)) {
        perror("gen_scenario: write");
        return 1;
    }
    return 0;
}
