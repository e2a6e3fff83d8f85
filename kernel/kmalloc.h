// kmalloc.h: the kernel heap. Small objects come from per-size slabs, large ones straight
// from the page allocator. Running out returns NULL, never panics.
#pragma once
#include <stddef.h>
#include <stdint.h>

void *kmalloc(size_t size);     // NULL when out of memory (or size == 0)
void *kzalloc(size_t size);     // zeroed
void kfree(const void *p);      // NULL is fine; a double or invalid free panics, naming the caller
size_t ksize(const void *p);    // usable size of an allocation (0 for NULL)
// Gives the page allocator back the empty slab each size class keeps in reserve.
void kmalloc_shrink(void);

// One size class's slabs, for /proc/slabinfo: class c (0..KMALLOC_CLASSES-1) holds objects
// of `size` bytes, `per_slab` to a one-page slab; `active` of its `objects` are in use.
#define KMALLOC_CLASSES 8
struct kmalloc_class { size_t size; unsigned per_slab; uint64_t slabs, objects, active; };
struct kmalloc_class kmalloc_class_info(unsigned c);
