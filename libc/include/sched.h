// sched.h: the scheduler.
#pragma once

// Give up the CPU: other runnable processes go first. Always succeeds.
int sched_yield(void);
