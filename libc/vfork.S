// vfork.S: vfork, which C cannot write.
//
// The child of vfork runs on the parent's stack, while the parent sleeps until the child
// calls execve or _exit. A C wrapper would return in the child, and the child's next call
// (execve, say) would then overwrite the wrapper's stack frame - including the return
// address the parent still has to return through when it wakes up inside the wrapper.
// So the return address goes into a register (each process has its own registers), off
// the stack, for the length of the system call, and is pushed back afterwards: the parent
// pushes its own copy, whatever the child did to that stack slot. (This is musl's vfork.)

    .text
    .globl vfork
    .type vfork, @function
vfork:
    pop %rdx                    // the return address, safe from the child
    mov $58, %eax               // SYS_vfork
    syscall                     // the child returns first; the parent when it has gone
    push %rdx
    mov %rax, %rdi
    jmp __syscall_ret           // -errno to errno and -1, as every wrapper does
    .size vfork, . - vfork

    .section .note.GNU-stack, "", @progbits
