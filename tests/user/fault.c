// fault.c: do one bad thing, named by argv[1], and let the kernel deal with it.
//
// Not a parity program (it never prints "done"): the system tests run it on the host to
// learn which signal Linux kills it with, then boot it as init on Lantern, where the
// same signal must end it - and, since it is PID 1, the kernel too:
//   "Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void do_null(void)         { *(volatile int *)0 = 1; }
static void do_kernel(void)       { (void)*(volatile int *)0xffff888000000000ul; }   // the direct map
static void do_noncanonical(void) { (void)*(volatile int *)0x0000800000000000ul; }
static void do_write_text(void)   { *(volatile unsigned char *)(void *)do_null = 0xc3; }
static void do_exec_data(void) {
    static unsigned char ret[1] = { 0xc3 };          // "ret", in a data page
    ((void (*)(void))(void *)ret)();
}
static void do_ud2(void)  { __asm__ volatile("ud2"); }
static void do_int3(void) { __asm__ volatile("int3"); }
static void do_hlt(void)  { __asm__ volatile("hlt"); }   // privileged: #GP in user mode
static void do_div0(void) {
    unsigned long a = 1, zero = 0;
    __asm__ volatile("xor %%edx, %%edx; divq %1" : "+a"(a) : "r"(zero) : "rdx");
}
// 32-bit code keeps only esp: whether the upper half of rsp survives a stay there is not
// architectural (QEMU clears it when an interrupt returns to 32-bit code). So, as any 64-bit
// program calling into 32-bit code must, these save rsp in memory and reload it on return.
static unsigned long saved_rsp;

// `syscall` from 32-bit code: far-return into the 32-bit user code segment (0x23, Linux's
// __USER32_CS too), make the call there (eax 20: getpid in the i386 table), and come back
// to 64-bit mode with a far jump. No stack in between.
// Linux without its 32-bit ABI answers -ENOSYS (ignore_sysret); with it, the i386 getpid.
static void do_syscall32(void) {
    int ret;
    __asm__ volatile("movq %%rsp, %1\n\t"
                     "pushq $0x23\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n\t"
                     ".code32\n"
                     "1: movl $20, %%eax\n\t"
                     "syscall\n\t"
                     "ljmp $0x33, $2f\n\t"
                     ".code64\n"
                     "2: movq %1, %%rsp"
                     : "=a"(ret), "+m"(saved_rsp) : : "rcx", "r11", "memory");
    printf("fault: syscall32 returned %s\n", ret == -38 ? "-ENOSYS" : ret > 0 ? "a pid" : "?");
    fflush(stdout);
}

// Interrupts while in 32-bit code, on a stack below 4 GiB: spin there on the TSC for 2^27
// cycles (tens of milliseconds: timer ticks arrive meanwhile), then push and pop a word.
// Each interrupt's iretq reloads SS from the GDT; were the user data segment not a 32-bit
// one (its B flag), the CPU would take the stack for a 16-bit one and restore only sp,
// keeping the upper bits from the kernel's stack (Linux's "espfix" problem), and the push
// would fault. esp must come back exactly as it was.
static unsigned char low_stack[4096] __attribute__((aligned(16)));   // .bss: below 4 GiB
static void do_compat_interrupt(void) {
    unsigned int moved;
    __asm__ volatile("movq %%rsp, %1\n\t"
                     "movq %2, %%rsp\n\t"
                     "pushq $0x23\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n\t"
                     ".code32\n"
                     "1: movl %%esp, %%esi\n\t"
                     "rdtsc\n\t"
                     "movl %%eax, %%ecx\n"
                     "2: rdtsc\n\t"
                     "subl %%ecx, %%eax\n\t"
                     "cmpl $0x8000000, %%eax\n\t"
                     "jb 2b\n\t"
                     "pushl $0x5a5a5a5a\n\t"
                     "popl %%eax\n\t"
                     "xorl %%esp, %%esi\n\t"
                     "ljmp $0x33, $3f\n\t"
                     ".code64\n"
                     "3: movq %1, %%rsp"
                     : "=S"(moved), "+m"(saved_rsp) : "r"(low_stack + sizeof low_stack)
                     : "rax", "rcx", "rdx", "memory");
    printf("fault: esp %s after interrupts in 32-bit code\n", moved == 0 ? "kept" : "changed");
    fflush(stdout);
}
static int depth;
static void do_stack(void) {                             // run off the end of the stack
    volatile char big[65536];
    big[0] = 1;
    if (++depth > 0)                                     // always: but not provably so
        do_stack();
    big[1] = big[0];
}

static const struct { const char *name; void (*fn)(void); } faults[] = {
    { "null", do_null }, { "kernel", do_kernel }, { "noncanonical", do_noncanonical },
    { "write-text", do_write_text }, { "exec-data", do_exec_data }, { "ud2", do_ud2 },
    { "int3", do_int3 }, { "hlt", do_hlt }, { "div0", do_div0 }, { "stack", do_stack },
    { "syscall32", do_syscall32 }, { "compat-interrupt", do_compat_interrupt },
};

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: fault null|kernel|noncanonical|write-text|exec-data|ud2|int3|hlt|div0|stack|syscall32|\n"
                        "compat-interrupt\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        if (strcmp(argv[1], faults[i].name) == 0) {
            printf("fault: %s\n", argv[1]);
            fflush(stdout);
            faults[i].fn();
            printf("fault: %s did not fault\n", argv[1]);
            return 1;
        }
    }
    fprintf(stderr, "fault: unknown fault %s\n", argv[1]);
    return 2;
}
