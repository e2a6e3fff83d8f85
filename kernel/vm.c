// vm.c: virtual memory.
//
// boot.asm left three mappings: the identity map of the first GiB (needed only while
// switching to long mode), the direct map of the first 4 GiB, and the kernel image.
// Once the kernel runs in the higher half on its own GDT, the identity map has no reason
// to exist — and it would hide bugs: with it, a NULL pointer in the kernel reads physical
// page 0 instead of faulting.
#include <stdint.h>
#include "memlayout.h"
#include "vm.h"
#include "x86.h"

void vm_drop_identity_map(void) {
    uint64_t *pml4 = phys_to_virt(read_cr3() & ~0xfffull);
    pml4[0] = 0;
    write_cr3(read_cr3());   // reloading CR3 flushes the TLB of non-global entries
}
