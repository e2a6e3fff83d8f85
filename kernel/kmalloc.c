// kmalloc.c: the kernel heap.
//
// Requests up to 2048 bytes are rounded up to one of 8 size classes, 16 << c bytes for
// c = 0..7, and served from slabs: a slab is one page cut into objects of one class. Each
// class keeps a list of its slabs that have a free object (partial[c]); a slab leaves the
// list when it fills up and returns when one of its objects is freed. A slab that becomes
// empty goes back to the page allocator, except that each class keeps one empty slab, so
// that allocating and freeing one object in a loop does not take and return a page each
// time; kmalloc_shrink() returns those too. Larger requests get 2^order whole pages.
//
// Everything about an allocation is found from the pointer alone, through its struct page
// (virt_to_page): PG_SLAB with the class, free count and free bitmap of a slab, or PG_LARGE
// with the block's order.
//
// Which objects of a slab are free is a bitmap (bit set = free) rather than a list threaded
// through the free objects: a bitmap lives outside the objects, so a write to a freed object
// cannot corrupt it, kfree can tell a double free for certain, and a free object can be
// poisoned whole. For classes of 128 bytes and up, a slab has at most 32 objects and the bitmap fits
// in struct page's slab_map. A slab of 16-, 32- or 64-byte objects needs 256, 128 or 64
// bits: they take the slab's first object(s) instead (at most 2 of 256, under 2%).
//
// Debugging aids, always on (Linux has them as slub_debug=P): a free object is filled with
// POISON_FREE; kmalloc checks that the poison is intact before it hands the object out again
// (if not, someone wrote to it after freeing it) and then fills it with POISON_INUSE, so code
// reading memory it never initialized sees 0x5a5a... rather than plausible stale data.
//
// Locking: one spinlock, `lock`, guards the lists, the counts and every slab's bitmap. The
// bytes of an object are not its: they belong to whoever owns the object - kmalloc's
// caller until kfree, kmalloc itself while it is free. So the poison is written, checked
// and overwritten outside the lock, by the one CPU that owns the object at that moment (a
// kfree before it gives the object back, a kmalloc after it took it), and so is a new
// slab's page, before the slab is on a list. Held across those copies - up to 2 KiB
// each, several per system call - the lock was what every CPU waited for in a fork+exec
// storm.
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "kmalloc.h"
#include "memlayout.h"
#include "page_alloc.h"
#include "panic.h"
#include "spinlock.h"

#define NR_CLASSES   8
_Static_assert(NR_CLASSES == KMALLOC_CLASSES, "kmalloc.h tells /proc/slabinfo the classes");
#define MAX_SLAB_OBJ 2048   // 16 << (NR_CLASSES - 1)
#define POISON_FREE  0x6b   // Linux's values (include/linux/poison.h)
#define POISON_INUSE 0x5a

static struct spinlock lock = SPINLOCK_INIT("kmalloc");   // taken before page_alloc's, never after
static struct page_list partial[NR_CLASSES];   // slabs with at least one free object
static unsigned nr_empty[NR_CLASSES];          // how many are entirely free (0 or 1; a panic: 2)
static uint64_t nr_slabs[NR_CLASSES];          // slabs of the class, partial or full
static uint64_t nr_free_objects[NR_CLASSES];   // free objects in them (/proc/slabinfo)

static size_t class_size(unsigned c) { return (size_t)16 << c; }
static unsigned class_objects(unsigned c) { return (unsigned)(PAGE_SIZE / class_size(c)); }
static bool map_in_page(unsigned c) { return class_objects(c) > 32; }
// Objects [0, first) of a slab hold its bitmap, when the bitmap lives in the page.
static unsigned class_first(unsigned c) {
    return map_in_page(c) ? (unsigned)((class_objects(c) / 8 + class_size(c) - 1) / class_size(c))
                          : 0;
}
static unsigned class_capacity(unsigned c) { return class_objects(c) - class_first(c); }
_Static_assert(PAGE_SIZE / 16 - 2 <= UINT8_MAX, "a slab's free count must fit slab_free");

static unsigned size_class(size_t size) {
    unsigned c = 0;
    while (class_size(c) < size)
        c++;
    return c;
}

static uint32_t *slab_map(struct page *pg) {
    return map_in_page(pg->slab_class) ? (uint32_t *)page_address(pg) : &pg->slab_map;
}
static bool object_free(struct page *pg, unsigned i) { return slab_map(pg)[i / 32] >> (i % 32) & 1; }
static uint8_t *object_at(struct page *pg, unsigned i) {
    return (uint8_t *)page_address(pg) + i * class_size(pg->slab_class);
}

static unsigned long long caller_addr(void *p) { return (uintptr_t)p; }

// ---- Slabs

// A new slab's page, poisoned and with every object free, on no list yet: made without
// the lock (nobody else can reach the page).
static struct page *make_slab(unsigned c) {
    uint64_t pa = alloc_page();
    if (!pa)
        return NULL;
    struct page *pg = pa_to_page(pa);
    pg->flags |= PG_SLAB;
    pg->slab_class = (uint8_t)c;
    pg->slab_free = (uint8_t)class_capacity(c);
    pg->slab_map = 0;
    memset(page_address(pg), POISON_FREE, PAGE_SIZE);
    uint32_t *map = slab_map(pg);
    for (unsigned w = 0; w < (class_objects(c) + 31) / 32; w++)
        map[w] = 0;
    for (unsigned i = class_first(c); i < class_objects(c); i++)
        map[i / 32] |= 1u << (i % 32);
    return pg;
}

// Puts a slab from make_slab on its class's list (under the lock).
static void add_slab(struct page *pg) {
    unsigned c = pg->slab_class;
    page_list_add(&partial[c], pg);
    nr_empty[c]++;
    nr_slabs[c]++;
    nr_free_objects[c] += class_capacity(c);
}

static void release_slab(struct page *pg) {
    page_list_del(&partial[pg->slab_class], pg);
    nr_slabs[pg->slab_class]--;
    nr_free_objects[pg->slab_class] -= class_capacity(pg->slab_class);
    pg->flags &= ~PG_SLAB;
    free_page(page_to_pa(pg));
}

// The first byte of the free object at obj written to since it was freed, or -1. Eight
// bytes at a time (objects are 16-byte aligned, sizes multiples of 16): this runs on every
// kmalloc, and a byte loop over a 2 KiB object was most of the cost of one.
static long broken_poison(const uint8_t *obj, size_t size) {
    const uint64_t poison = 0x0101010101010101ull * POISON_FREE;
    const uint64_t *word = (const uint64_t *)obj;
    size_t w = 0;
    while (w < size / 8 && word[w] == poison)
        w++;
    for (size_t i = w * 8; i < size; i++)
        if (obj[i] != POISON_FREE)
            return (long)i;
    return -1;
}

// Takes the first free object of a slab that has one (under the lock; the caller checks
// its poison and fills it after letting the lock go).
static void put_object(struct page *pg, unsigned i, bool may_release);

static void *take_object(struct page *pg) {
    unsigned c = pg->slab_class, w = 0;
    uint32_t *map = slab_map(pg);
    while (map[w] == 0)
        w++;
    unsigned i = w * 32 + (unsigned)__builtin_ctz(map[w]);
    uint8_t *obj = object_at(pg, i);
    if (pg->slab_free == class_capacity(c))
        nr_empty[c]--;
    map[w] &= ~(1u << (i % 32));
    nr_free_objects[c]--;
    if (--pg->slab_free == 0)
        page_list_del(&partial[c], pg);
    return obj;
}

// Gives back an object already poisoned (under the lock).
// (may_release: a slab it leaves empty may go back to the page allocator.)
static void put_object(struct page *pg, unsigned i, bool may_release) {
    unsigned c = pg->slab_class;
    slab_map(pg)[i / 32] |= 1u << (i % 32);
    nr_free_objects[c]++;
    if (++pg->slab_free == 1)              // it was full: back on the list
        page_list_add(&partial[c], pg);
    if (pg->slab_free == class_capacity(c)) {
        if (nr_empty[c] == 0 || !may_release)
            nr_empty[c]++;                 // keep this one
        else
            release_slab(pg);
    }
}

// ---- The interface

static void *kmalloc_large(size_t size) {
    unsigned order = 0;
    while (order <= MAX_ORDER && (PAGE_SIZE << order) < size)
        order++;
    uint64_t pa = order <= MAX_ORDER ? alloc_pages(order) : 0;
    if (!pa)
        return NULL;
    struct page *pg = pa_to_page(pa);
    pg->flags |= PG_LARGE;   // the block is ours: page_alloc only reads its head's flags
    return page_address(pg);
}

// An object of class c, taken under the lock; a new slab, if one is needed, is made
// without it - and given back if another CPU made one meanwhile.
static void *take(unsigned c) {
    struct page *fresh = NULL;
    for (;;) {
        uint64_t f = spin_lock_irqsave(&lock);
        struct page *pg = page_list_first(&partial[c]);
        if (!pg && fresh) {
            add_slab(fresh);
            pg = fresh;
            fresh = NULL;
        }
        void *obj = pg ? take_object(pg) : NULL;
        spin_unlock_irqrestore(&lock, f);
        if (fresh) {                     // (another CPU's slab came first)
            fresh->flags &= ~PG_SLAB;
            free_page(page_to_pa(fresh));
        }
        if (obj)
            return obj;
        if (!(fresh = make_slab(c)))
            return NULL;
    }
}

// The object is ours now: its poison is checked (a write since its kfree panics), then it
// is filled with `fill` - POISON_INUSE, or kzalloc's zeros.
static void *alloc(size_t size, int fill) {
    if (size == 0)
        return NULL;
    if (size > MAX_SLAB_OBJ) {
        void *p = kmalloc_large(size);
        if (p && fill == 0)
            memset(p, 0, size);
        return p;
    }
    unsigned c = size_class(size);
    uint8_t *obj = take(c);
    long bad = obj ? broken_poison(obj, class_size(c)) : -1;
    if (bad >= 0) {
        // Given back first, kept, so that the panic leaves the slab as it was.
        uint8_t byte = obj[bad];
        struct page *pg = virt_to_page(obj);
        uint64_t f = spin_lock_irqsave(&lock);
        put_object(pg, (unsigned)((obj - (uint8_t *)page_address(pg)) / class_size(c)), false);
        spin_unlock_irqrestore(&lock, f);
        panic("kmalloc: use after free detected at %p (byte %ld of a free %zu-byte object "
              "is %#x)", (void *)obj, bad, class_size(c), byte);
    }
    if (obj) {
        size_t n = fill == 0 ? size : class_size(c);
        memset(obj, fill, n);
        memset(obj + n, POISON_INUSE, class_size(c) - n);   // (kzalloc's slack, if any)
    }
    return obj;
}

void *kmalloc(size_t size) { return alloc(size, POISON_INUSE); }
void *kzalloc(size_t size) { return alloc(size, 0); }

__attribute__((noreturn))
static void bad_pointer(const char *op, const void *p, void *caller, const char *why) {
    panic("kmalloc: invalid %s of %p by caller %#llx: %s", op, p, caller_addr(caller), why);
}

// The page of a live allocation, or a panic naming the caller: p must be exactly what
// kmalloc returned, and not freed since. For a slab, *index is the object's index in it.
static struct page *lookup(const void *p, unsigned *index, bool freeing, void *caller) {
    const char *op = freeing ? "free" : "ksize";
    struct page *pg = virt_to_page(p);
    if (!pg)
        bad_pointer(op, p, caller, "not in the direct map of managed memory");
    if (pg->flags == (PG_HEAD | PG_LARGE)) {
        if (p != page_address(pg))
            bad_pointer(op, p, caller, "not the start of a block");
        return pg;
    }
    if (pg->flags != (PG_HEAD | PG_SLAB)) {
        if (freeing && page_is_free(pg))
            panic("kmalloc: double free of %p by caller %#llx (its page is free)", p,
                  caller_addr(caller));
        bad_pointer(op, p, caller, "not memory from kmalloc");
    }
    size_t offset = (uintptr_t)p - (uintptr_t)page_address(pg);
    size_t size = class_size(pg->slab_class);
    if (offset % size != 0 || offset / size < class_first(pg->slab_class))
        bad_pointer(op, p, caller, "not the start of an object");
    *index = (unsigned)(offset / size);
    if (object_free(pg, *index)) {
        if (freeing)
            panic("kmalloc: double free of %p by caller %#llx", p, caller_addr(caller));
        bad_pointer(op, p, caller, "a free object");
    }
    return pg;
}

void kfree(const void *p) {
    void *caller = __builtin_return_address(0);
    if (!p)
        return;
    unsigned index;
    // Checked first, without the lock: what the page says of a live object cannot change
    // while its owner - the caller - holds it; the poison goes on before the object is
    // given back. A double free is told for certain under the lock.
    struct page *pg = lookup(p, &index, true, caller);
    if (pg->flags & PG_LARGE) {
        pg->flags &= ~PG_LARGE;
        free_pages(page_to_pa(pg), pg->order);
        return;
    }
    memset((void *)p, POISON_FREE, class_size(pg->slab_class));
    uint64_t f = spin_lock_irqsave(&lock);
    if (object_free(pg, index))
        panic("kmalloc: double free of %p by caller %#llx", p, caller_addr(caller));
    put_object(pg, index, true);
    spin_unlock_irqrestore(&lock, f);
}

size_t ksize(const void *p) {
    void *caller = __builtin_return_address(0);
    if (!p)
        return 0;
    unsigned index;
    uint64_t f = spin_lock_irqsave(&lock);
    struct page *pg = lookup(p, &index, false, caller);
    size_t size = pg->flags & PG_LARGE ? PAGE_SIZE << pg->order : class_size(pg->slab_class);
    spin_unlock_irqrestore(&lock, f);
    return size;
}

struct kmalloc_class kmalloc_class_info(unsigned c) {
    struct kmalloc_class k = { 0 };
    if (c >= NR_CLASSES)
        return k;
    uint64_t f = spin_lock_irqsave(&lock);
    k.size = class_size(c);
    k.per_slab = class_capacity(c);
    k.slabs = nr_slabs[c];
    k.objects = nr_slabs[c] * class_capacity(c);
    k.active = k.objects - nr_free_objects[c];
    spin_unlock_irqrestore(&lock, f);
    return k;
}

void kmalloc_shrink(void) {
    uint64_t f = spin_lock_irqsave(&lock);
    for (unsigned c = 0; c < NR_CLASSES; c++) {
        struct page *pg = page_list_first(&partial[c]), *next;
        for (; pg; pg = next) {
            next = page_list_next(pg);
            if (pg->slab_free == class_capacity(c))
                release_slab(pg);
        }
        nr_empty[c] = 0;
    }
    spin_unlock_irqrestore(&lock, f);
}
