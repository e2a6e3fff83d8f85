// malloc.c: a first-fit allocator on the program break, with an address-ordered free list.
//
// The heap is a row of blocks, each a 16-byte header followed by the caller's bytes:
//
//     | size | next | payload ...  | size | next | payload ...  | ...
//
// Sizes count the header too and are multiples of 16, so every payload is 16-byte aligned.
// Free blocks are on a list sorted by address. That makes merging simple: a block being
// freed lands between the free blocks just below and just above it in memory, and merges
// with each one that it touches, so two free blocks are never left side by side.
// In an allocated block `next` holds a magic value instead, which free() checks: that
// catches most double frees and frees of pointers malloc never returned.
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct block {
    size_t size;           // of the whole block, header included
    struct block *next;    // free: the next free block (at a higher address); else IN_USE
};

#define ALIGN     16
#define HEADER    sizeof(struct block)        // 16: keeps the payload aligned
#define MIN_BLOCK (HEADER + ALIGN)            // the smallest block worth splitting off
#define GROW_MIN  (64 * 1024)                 // ask the kernel for at least this at a time
#define IN_USE    ((struct block *)0xa110ca7edb10c000)

static struct block *free_list;

static struct block *after(struct block *b)
{
    return (struct block *)((char *)b + b->size);
}

// Put b on the free list in address order, merging it with the free neighbours it touches.
static void insert_free(struct block *b)
{
    struct block *prev = NULL, *next = free_list;

    while (next != NULL && next < b) {
        prev = next;
        next = next->next;
    }
    b->next = next;
    if (next != NULL && after(b) == next) {       // b touches the block above: absorb it
        b->size += next->size;
        b->next = next->next;
    }
    if (prev != NULL && after(prev) == b) {       // the block below touches b: grow it
        prev->size += b->size;
        prev->next = b->next;
    } else if (prev != NULL) {
        prev->next = b;
    } else {
        free_list = b;
    }
}

// Move the break up by at least `need` bytes, and free the new memory as one block. The
// break may not be 16-byte aligned (someone else may have called sbrk), so align first.
static int grow(size_t need)
{
    uintptr_t old = (uintptr_t)sbrk(0);
    size_t pad = (ALIGN - old % ALIGN) % ALIGN;
    size_t n = need > GROW_MIN ? need : GROW_MIN;

    if (sbrk((intptr_t)(pad + n)) == (void *)-1)
        return -1;
    struct block *b = (struct block *)(old + pad);
    b->size = n;
    insert_free(b);
    return 0;
}

// Allocate `need` bytes from the front of free block b, which *link points to. The rest
// stays free, as a smaller block in the same place in the list, if it is big enough.
static void *take(struct block **link, struct block *b, size_t need)
{
    if (b->size - need >= MIN_BLOCK) {
        struct block *rest = (struct block *)((char *)b + need);
        rest->size = b->size - need;
        rest->next = b->next;
        *link = rest;
        b->size = need;
    } else {
        *link = b->next;
    }
    b->next = IN_USE;
    return b + 1;     // the payload starts right after the header
}

void *malloc(size_t size)
{
    if (size > PTRDIFF_MAX / 2) {         // so the sums below cannot overflow
        errno = ENOMEM;
        return NULL;
    }
    size = size == 0 ? 1 : size;          // malloc(0) still returns a unique pointer
    size_t need = HEADER + (size + ALIGN - 1) / ALIGN * ALIGN;
    for (;;) {
        for (struct block **link = &free_list; *link != NULL; link = &(*link)->next)
            if ((*link)->size >= need)
                return take(link, *link, need);
        if (grow(need) < 0) {             // no block big enough: get more memory, retry
            errno = ENOMEM;
            return NULL;
        }
    }
}

static struct block *header_of(void *p)
{
    struct block *b = (struct block *)p - 1;

    if (b->next != IN_USE) {
        static const char msg[] = "malloc: free or realloc of a block not in use\n";
        write(STDERR_FILENO, msg, sizeof msg - 1);
        abort();
    }
    return b;
}

void free(void *p)
{
    if (p != NULL)
        insert_free(header_of(p));
}

void *calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = malloc(n * size);
    if (p != NULL)
        memset(p, 0, n * size);    // memory from sbrk is zero, but reused blocks are not
    return p;
}

// Keep the block if it is big enough; otherwise move to a new one.
void *realloc(void *p, size_t size)
{
    if (p == NULL)
        return malloc(size);
    if (size == 0) {
        free(p);
        return NULL;
    }
    size_t have = header_of(p)->size - HEADER;
    if (size <= have)
        return p;
    void *q = malloc(size);
    if (q != NULL) {
        memcpy(q, p, have);
        free(p);
    }
    return q;
}
