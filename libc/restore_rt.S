// restore_rt.S: __restore_rt, where every signal handler returns to.
//
// sigaction() gives the kernel this address as sa_restorer, and the kernel pushes it as
// the handler's return address, on top of the signal frame. When the handler returns, the
// stack pointer is just past that word, at the frame's ucontext_t, exactly where
// rt_sigreturn (15) expects it. rt_sigreturn never returns here: it resumes whatever the
// signal interrupted. Assembly, because no C function may run here: a prologue would move
// the stack pointer off the frame.
//
// The bytes are glibc's (48 c7 c0 0f 00 00 00 0f 05), which is how gdb recognises a signal
// frame and can show a backtrace through a handler.

    .text
    .globl __restore_rt
    .type __restore_rt, @function
    nop                         // as glibc: debuggers look for a call just before a return address
__restore_rt:
    movq $15, %rax              // SYS_rt_sigreturn
    syscall
    ud2                         // not reached
    .size __restore_rt, . - __restore_rt

    .section .note.GNU-stack, "", @progbits
