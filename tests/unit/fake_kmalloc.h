// fake_kmalloc.h: the kernel heap for unit tests of code that allocates: kmalloc on top of
// malloc, counting what is live (leak checks), and able to refuse allocations on request:
// fail_at = N refuses the N-th allocation counted in alloc_calls (fail_rest: and all later
// ones). Include it in one file per test: it defines kmalloc, kzalloc, kfree and ksize.
#pragma once
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static long live_allocs;       // allocations not yet freed
static long alloc_calls;       // allocations asked for since the test started
static long fail_at = -1;      // the number of the allocation to refuse, or -1
static bool fail_rest;         // and refuse all those after it too

void *kmalloc(size_t n)
{
    long k = alloc_calls++;
    if (n == 0 || (fail_at >= 0 && (k == fail_at || (fail_rest && k > fail_at))))
        return NULL;
    void *p = malloc(n);
    if (p)
        live_allocs++;
    return p;
}

void *kzalloc(size_t n)
{
    void *p = kmalloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

void kfree(const void *p)
{
    if (p) {
        live_allocs--;
        free((void *)p);
    }
}

size_t ksize(const void *p) { (void)p; return 0; }
