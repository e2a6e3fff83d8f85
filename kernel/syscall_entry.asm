; syscall_entry.asm: the `syscall` instruction lands here (MSR_LSTAR).
;
; The CPU has put the user's rip in rcx and rflags in r11, cleared the flags named in
; MSR_FMASK (interrupts are off), and switched to ring 0 - and done nothing else: rsp
; still points at the user's stack. So: swapgs to reach per-CPU data, switch to the
; process's kernel stack, and build the same struct trapframe an interrupt from user mode
; builds (trap.h), so that everything after this - signals, fork, exec, ptrace one day -
; deals with one format. Then syscall_dispatch(tf) in C; on the way back the (possibly
; changed) frame is restored and sysretq returns to user mode.

%include "asm_offsets.inc"        ; USER_CS, TF_RIP, PERCPU_KERNEL_RSP...: see asm_offsets.c
%include "regs.inc"

section .text
bits 64
extern syscall_dispatch
global syscall_entry
syscall_entry:
    swapgs
    mov [gs:PERCPU_USER_RSP], rsp      ; the user's rsp, for a moment
    mov rsp, [gs:PERCPU_KERNEL_RSP]    ; top of this thread's kernel stack
    push USER_DS                       ; ss
    push qword [gs:PERCPU_USER_RSP]    ; rsp
    push r11                           ; rflags
    push USER_CS                       ; cs
    push rcx                           ; rip
    push 0                             ; error code
    push SYSCALL_VECTOR                ; vector: "this frame came from syscall"
    PUSH_GPRS
    mov rdi, rsp
    call syscall_dispatch              ; with the big kernel lock (smp.c); interrupts off again
    POP_GPRS
    add rsp, TF_RIP - TF_VECTOR        ; pop vector, error code: rsp at rip
    ; sysretq can only set rip from rcx and rflags from r11. When the frame says otherwise
    ; (after exec, a signal, sigreturn) or rip is not canonical (sysretq would then fault
    ; in ring 0, on the user's stack: a classic hole), return with iretq instead.
    cmp r11, [rsp + TF_RFLAGS - TF_RIP]
    jne .iret
    cmp rcx, [rsp]                     ; rip
    jne .iret
    mov r11, rcx
    shr r11, 47                        ; zero only for the lower canonical half
    mov r11, [rsp + TF_RFLAGS - TF_RIP] ; (mov leaves the flags alone)
    jnz .iret
    mov rsp, [rsp + TF_RSP - TF_RIP]   ; user rsp
    swapgs
    o64 sysret
.iret:
    swapgs
    iretq

; `syscall` from 32-bit (compatibility mode) code lands here instead (MSR_CSTAR): user space
; can far-jump into the 32-bit user code segment, which the GDT has for sysret's sake. There
; is no 32-bit system-call ABI here, so, like Linux built without IA32 emulation (its
; ignore_sysret), the answer is -ENOSYS, straight back: no stack, no swapgs, nothing else.
; (With MSR_CSTAR left at 0, the CPU would jump to address 0 in ring 0.)
global syscall32_entry
syscall32_entry:
    mov eax, -ENOSYS
    sysret                         ; sysretl: to 32-bit code at ecx, with the flags in r11

section .note.GNU-stack noalloc noexec nowrite progbits
