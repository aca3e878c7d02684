/* death — ending the process by a signal for real.
 *
 * A scenario's `signal:` step, and `codex-mock record` relaying a recorded CLI that was
 * killed, must end the way the real process did: by the signal's default action, so the
 * parent sees WIFSIGNALED and a core or not as the signal dictates. die_by_signal() restores
 * the default action, unblocks the signal and raises it; it returns only when the signal's
 * default action does not end the process (SIGCHLD, SIGCONT, …): the caller then exits
 * 128 + sig, as a shell would report it. */
#ifndef CODEX_MOCK_DEATH_H
#define CODEX_MOCK_DEATH_H

void die_by_signal(int sig);

#endif
