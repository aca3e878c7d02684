/* Startup baseline: a trivial program that prints ten short lines, as the fake `codex exec --json`
 * prints ten events. */
#include <stdio.h>

int main(void) {
    for (int i = 0; i < 10; i++)
        printf("{\"type\":\"line\",\"n\":%d}\n", i);
    return 0;
}
