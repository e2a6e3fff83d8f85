// qsort.c: heapsort. Not the fastest sort, but O(n log n) in every case, in place, and
// short enough to check by reading. (C does not require qsort to be stable; this is not.)
#include <stddef.h>
#include "stdlib.h"

static void swap(char *a, char *b, size_t size)
{
    while (size-- > 0) {
        char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

// The elements 0..n-1 form a tree: i's children are 2i+1 and 2i+2. Move element i down
// until it is not smaller than its children, so the subtree under i is a heap again
// (assuming the subtrees under its children already were).
static void sift_down(char *base, size_t i, size_t n, size_t size,
                      int (*cmp)(const void *, const void *))
{
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n)
            return;
        if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
            child++;                           // the larger child
        if (cmp(base + i * size, base + child * size) >= 0)
            return;
        swap(base + i * size, base + child * size, size);
        i = child;
    }
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    char *b = base;

    // Make the whole array a heap, bottom up: the largest element ends up at 0.
    for (size_t i = n / 2; i-- > 0;)
        sift_down(b, i, n, size, cmp);
    // Swap the largest to the end, and restore the heap on the rest.
    for (size_t end = n; end > 1; end--) {
        swap(b, b + (end - 1) * size, size);
        sift_down(b, 0, end - 1, size, cmp);
    }
}
