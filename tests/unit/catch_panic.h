// catch_panic.h: panic() for unit tests of kernel code that must panic on misuse. A
// statement run under EXPECT_PANIC(stmt, text) must panic with a message containing text;
// a panic anywhere else is a bug: the test binary stops. Include it in one file per test.
#pragma once
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

static jmp_buf panic_jmp;
static volatile bool panic_expected;
static char panic_msg[512];

void panic(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(panic_msg, sizeof panic_msg, fmt, ap);
    va_end(ap);
    if (panic_expected) {
        panic_expected = false;
        longjmp(panic_jmp, 1);
    }
    printf("unexpected panic: %s\n", panic_msg);
    fflush(stdout);
    abort();
}

#define EXPECT_PANIC(stmt, text) do { \
    panic_msg[0] = '\0'; panic_expected = true; \
    if (setjmp(panic_jmp) == 0) { \
        stmt; panic_expected = false; \
        printf("    %s:%d: %s did not panic\n", __FILE__, __LINE__, #stmt); check_failed_now = 1; \
    } else if (!strstr(panic_msg, text)) { \
        printf("    %s:%d: %s panicked with \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
               #stmt, panic_msg, text); check_failed_now = 1; } } while (0)
