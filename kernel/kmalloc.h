// kmalloc.h: the kernel heap. Small objects come from per-size slabs, large ones straight
// from the page allocator. Running out returns NULL, never panics.
#pragma once
#include <stddef.h>

void *kmalloc(size_t size);     // NULL when out of memory (or size == 0)
void *kzalloc(size_t size);     // zeroed
void kfree(const void *p);      // NULL is fine; a double or invalid free panics, naming the caller
size_t ksize(const void *p);    // usable size of an allocation (0 for NULL)
// Gives the page allocator back the empty slab each size class keeps in reserve.
void kmalloc_shrink(void);
