/* chunker — how a text is cut into stream deltas when a scenario does not say: the rule of the
 * recording model server the corpus was made with (tools/fake_responses_server.py), so a fake
 * stream has the real one's shape. Split after each space (every piece but the last keeps its
 * trailing space); more than four pieces are merged, in order, into groups of ceil(n/4), so a
 * text never gives more than four deltas. Empty text gives none.
 *
 * chunker_split() fills offsets: chunk i is text[starts[i], starts[i+1]) with starts[n] = len.
 * Returns the number of chunks (at most CHUNKER_MAX); `starts` needs CHUNKER_MAX + 1 entries. */
#ifndef CODEX_MOCK_CHUNKER_H
#define CODEX_MOCK_CHUNKER_H

#include <stddef.h>

enum { CHUNKER_MAX = 4 };

size_t chunker_split(const char *text, size_t len, size_t starts[CHUNKER_MAX + 1]);

#endif
