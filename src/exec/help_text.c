#include "help_text.h"

#include <string.h>

const help_entry *help_text_find(const char *path) {
    for (unsigned long i = 0; i < HELP_171_COUNT; i++)
        if (!strcmp(HELP_171[i].path, path)) return &HELP_171[i];
    return NULL;
}
