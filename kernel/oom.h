// oom.h: the out-of-memory killer.
#pragma once
#include <stdbool.h>

// Called when a page for the current process's memory could not be allocated. Kills the
// process whose death frees the most memory (never init while another can go), logging it
// as Linux does, and waits for it to exit. Returns true if the caller should try again;
// false if it should give up: it was chosen itself (SIGKILL is pending for it), or the
// victim did not exit within seconds (a user fault then simply happens again).
// Panics, as Linux, when nothing at all can be killed.
bool oom_kill_and_wait(void);
