// ktest.h: test-only crashes on request (ktest=NAME), in the spirit of Linux's LKDTM.
#pragma once
void ktest_run(const char *name);
