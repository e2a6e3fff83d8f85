// crt0.S: _start, where every user program begins. The kernel jumps here with nothing
// set up but the stack, which holds (System V x86_64 ABI, from the stack pointer up):
//
//     rsp ->  argc
//             argv[0] ... argv[argc-1], NULL
//             envp[0] ... NULL
//             auxv: (type, value) pairs, ending with type 0 (AT_NULL)
//             ... the strings themselves
//
// We find argv and envp, and call __libc_start(argc, argv, envp) in C, which never returns.

    .text
    .globl _start
    .type _start, @function
_start:
    .cfi_startproc
    .cfi_undefined rip          // no return address: debuggers' unwinders stop here,
    xor %ebp, %ebp              // and frame-pointer walks (rbp chains) stop at rbp = 0
    mov (%rsp), %rdi            // argc
    lea 8(%rsp), %rsi           // argv = the words after argc
    lea 16(%rsp,%rdi,8), %rdx   // envp = argv + argc + 1 (skip argv's NULL)
    mov %rdx, environ(%rip)
    // The ABI wants rsp 16-byte aligned at every call. Linux starts us aligned, but
    // aligning costs one instruction and does not trust any kernel (ours included).
    and $-16, %rsp
    call __libc_start
    ud2                         // not reached: __libc_start ends with exit()
    .cfi_endproc
    .size _start, . - _start

// This object does not need an executable stack (without the note, ld assumes it does).
    .section .note.GNU-stack, "", @progbits
