// fake_percpu_pages.h: the kernel keeps free single pages on per-CPU lists in front of the
// page allocator (kernel/percpu_pages.c), which needs per-CPU data. The host tests see the
// page allocator alone: a page is an order-0 block, and there are no lists to drain.
#pragma once
#include <stdint.h>
#include "page_alloc.h"

uint64_t alloc_page(void) { return alloc_pages(0); }
void free_page(uint64_t pa) { free_pages(pa, 0); }
void drain_cpu_pages(void) {}
uint64_t nr_cpu_list_pages(void) { return 0; }
