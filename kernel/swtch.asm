; swtch.asm: the context switch. swtch(&old_rsp, new_rsp) saves the registers the C calling
; convention says a callee must preserve, leaves the stack pointer in *old_rsp, takes up the
; other stack, and restores its registers: the `ret` then returns into whatever that
; kernel stack was doing when it called swtch - or, for a new process, into proc_first_run.
; Everything else (the caller-saved registers, the user's registers) is already on the
; stacks by then.

section .text
bits 64
global swtch
swtch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, rsi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret


; A new thread's first time on the CPU: swtch "returned" here, with the stack pointer at
; its trap frame. proc_first_run_c lets go of the run queue's lock, which the scheduler
; held while it switched here, takes the big kernel lock (smp.c), and does what the child
; must do itself (CLONE_CHILD_SETTID); then leave for user mode the way every interrupt
; does, letting go of the big kernel lock.
section .text
extern trap_return
extern proc_first_run_c
extern kernel_exit
global proc_first_run
proc_first_run:
    call proc_first_run_c
    call kernel_exit
    jmp trap_return

section .note.GNU-stack noalloc noexec nowrite progbits
