// ucontext.h: ucontext_t, the machine state a SA_SIGINFO handler sees (sys/ucontext.h).
// (No getcontext/setcontext: nothing needs them yet.)
#pragma once
#include <sys/ucontext.h>
