// check.h: the whole unit-test harness. A test file defines test functions, registers them
// with TEST(name), and ends with CHECK_MAIN(). Each test prints "ok" or "FAIL" on a line;
// the run ends with "N passed, N failed" and exits non-zero on any failure.
#pragma once
#include <stdio.h>
#include <string.h>

struct check_test { const char *name; void (*fn)(void); };
static int check_failed_now;

#define CHECK(cond) do { if (!(cond)) { \
    printf("    %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); check_failed_now = 1; } } while (0)
#define CHECK_EQ_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); if (_a != _b) { \
    printf("    %s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, _a, #b, _b); \
    check_failed_now = 1; } } while (0)
#define CHECK_EQ_STR(a, b) do { const char *_a = (a), *_b = (b); \
    if (!_a || !_b || strcmp(_a, _b) != 0) { \
    printf("    %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, _a ? _a : "(null)", \
           _b ? _b : "(null)"); check_failed_now = 1; } } while (0)

#define CHECK_MAX_TESTS 256
static struct check_test check_tests[CHECK_MAX_TESTS];
static int check_ntests;
#define TEST(t) static void t(void); \
    __attribute__((constructor)) static void check_register_##t(void) { \
        check_tests[check_ntests].name = #t; check_tests[check_ntests++].fn = t; } \
    static void t(void)

#define CHECK_MAIN() int main(void) { \
    int passed = 0, failed = 0; \
    for (int i = 0; i < check_ntests; i++) { \
        check_failed_now = 0; check_tests[i].fn(); \
        printf("%s %s\n", check_failed_now ? "FAIL" : "ok  ", check_tests[i].name); \
        if (check_failed_now) failed++; else passed++; } \
    printf("%d passed, %d failed\n", passed, failed); \
    return failed != 0; }
