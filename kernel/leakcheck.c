// leakcheck.c: pages not freed across a boot (see leakcheck.h).
//
// Both calls run in process context on the one CPU; the snapshot is written once, before
// any process exists, and read once, at the end: no locking.
#include <stdint.h>
#include "fs.h"
#include "leakcheck.h"
#include "memlayout.h"
#include "page_alloc.h"
#include "printk.h"
#include "proc.h"

static bool enabled;
static uint64_t used_at_start, file_pages_at_start;

static uint64_t pages_in_use(void) { return nr_managed_pages() - nr_free_pages(); }

void leakcheck_start(bool on) {
    enabled = on;
    used_at_start = pages_in_use();
    file_pages_at_start = fs_pages_used();
}

void leakcheck_hold(uint64_t pages) { used_at_start += pages; }

void leakcheck_report(void) {
    if (!enabled)
        return;
    int procs = 0;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p))
        procs++;
    uint64_t used = pages_in_use(), files = fs_pages_used();
    int64_t file_growth = (int64_t)files - (int64_t)file_pages_at_start;
    // The process table keeps the struct proc of every thread that ever ran at once, for
    // reuse (proc.c): held, not leaked. Rounded down, so slab pages they share with live
    // objects still count against the kernel.
    int64_t spare = (int64_t)(proc_spare_bytes() / PAGE_SIZE);
    int64_t leaked = (int64_t)used - (int64_t)used_at_start - file_growth - spare;
    pr_info("kmemleak: %lld pages not freed since init started (in use %llu, then %llu; "
            "file data %+lld pages; spare process-table entries %lld pages; %d processes left)\n",
            (long long)leaked, (unsigned long long)used, (unsigned long long)used_at_start,
            (long long)file_growth, (long long)spare, procs);
}
