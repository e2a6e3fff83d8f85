; trapentry.asm: the way into the kernel for every interrupt and exception.
;
; The CPU pushes ss, rsp, rflags, cs, rip (and, for some exceptions, an error code) and jumps
; to the IDT gate's handler: one of the 256 small stubs below. Each stub makes the frame
; uniform (pushes a 0 where the CPU pushed no error code, then the vector number) and jumps
; to trap_common, which saves the general registers, calls trap(struct trapframe *) in C and
; undoes it all with iretq. The frame layout must match struct trapframe in trap.h, and
; asm_offsets.c checks that it does.

%include "asm_offsets.inc"        ; TF_CS, TF_VECTOR...: see asm_offsets.c
%include "regs.inc"

section .text
bits 64
extern trap

; Vectors for which the CPU pushes an error code.
%define has_error_code(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%macro trap_stub 1
align 16
trap_stub_%1:
%if !has_error_code(%1)
    push 0
%endif
    push %1
    jmp trap_common
%endmacro

%assign v 0
%rep 256
    trap_stub v
%assign v v + 1
%endrep

trap_common:
    ; Coming from user mode (the saved CS has RPL 3)? Then GS still holds the user's base:
    ; swap in the kernel's. (rsp points at the vector, the stub's last push.)
    test qword [rsp + TF_CS - TF_VECTOR], 3
    jz .from_kernel
    swapgs
.from_kernel:
    PUSH_GPRS
    mov rdi, rsp            ; trap(struct trapframe *tf)
    cld                     ; the C ABI expects the direction flag clear
    call trap
global trap_return
trap_return:
    POP_GPRS
    test qword [rsp + TF_CS - TF_VECTOR], 3
    jz .to_kernel
    swapgs
.to_kernel:
    add rsp, TF_RIP - TF_VECTOR ; vector and error code
    iretq

; The stubs' addresses, for idt_init().
section .rodata
global trap_stubs
align 8
trap_stubs:
%assign v 0
%rep 256
    dq trap_stub_ %+ v
%assign v v + 1
%endrep

; No executable stack wanted (tells the linker so).
section .note.GNU-stack noalloc noexec nowrite progbits
