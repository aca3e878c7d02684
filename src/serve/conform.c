#include "tool_serve.h"

#include <stdio.h>

int tool_conform(int argc, char **argv, char **environ) {
    (void)argc, (void)argv, (void)environ;
    fputs("codex-mock conform: not yet\n", stderr);
    return 2;
}
