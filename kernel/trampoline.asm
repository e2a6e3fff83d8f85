; trampoline.asm: where an application processor (AP) starts, and how it gets to C.
;
; After INIT and STARTUP (lapic.c), an AP begins in 16-bit real mode at physical address
; (STARTUP vector << 12), with CS = vector << 8 and IP = 0: it has no stack, no paging and
; no idea where the kernel is. smp.c copies this code to TRAMPOLINE_PA (below 1 MiB, on a
; page boundary) and fills in the data block at its end: the page tables to use (the
; kernel's half plus this page mapped at its own address, so that turning paging on does
; not pull the floor from under the code), EFER, the stack, and the C function to call.
; The AP then goes real mode -> 32-bit protected mode -> long mode -> the kernel's address,
; exactly the way boot.asm went on the boot CPU.
;
; The code runs at TRAMPOLINE_PA, not where it was linked: every address below is computed
; as TRAMPOLINE_PA + (label - trampoline_start).

TRAMPOLINE_PA equ 0x8000
%define T(label) (TRAMPOLINE_PA + (label) - trampoline_start)

section .rodata
bits 16
global trampoline_start, trampoline_end, trampoline_data
align 16
trampoline_start:
    cli
    cld
    mov ax, cs                      ; = TRAMPOLINE_PA >> 4
    mov ds, ax
    lgdt [tr_gdtr - trampoline_start]
    mov eax, cr0
    or eax, 1                       ; protection on
    mov cr0, eax
    jmp dword 0x08:T(tr_pm32)

bits 32
tr_pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, (1 << 5) | (1 << 7)     ; PAE, PGE
    mov cr4, eax
    mov eax, [T(tr_cr3)]
    mov cr3, eax
    mov ecx, 0xc0000080             ; EFER: long mode (and NX, syscall) as on the boot CPU
    rdmsr
    or eax, [T(tr_efer)]
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)   ; paging, write-protect in ring 0
    mov cr0, eax
    jmp 0x18:T(tr_lm64)

bits 64
tr_lm64:
    xor eax, eax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, [abs T(tr_stack)]
    mov rdi, [abs T(tr_arg)]
    mov rax, [abs T(tr_entry)]
    push 0                          ; the end of every backtrace
    xor ebp, ebp
    jmp rax                         ; ap_entry(arg), in the kernel's half; never returns

align 8
tr_gdt:
    dq 0
    dq 0x00cf9a000000ffff           ; 0x08: 32-bit code
    dq 0x00cf92000000ffff           ; 0x10: data
    dq 0x00af9a000000ffff           ; 0x18: 64-bit code
tr_gdtr:
    dw tr_gdtr - tr_gdt - 1
    dd T(tr_gdt)

; Filled in by smp.c before each AP starts (struct trampoline_data, same order).
align 8
trampoline_data:
tr_cr3:   dq 0
tr_efer:  dq 0
tr_stack: dq 0
tr_entry: dq 0
tr_arg:   dq 0
trampoline_end:

section .note.GNU-stack noalloc noexec nowrite progbits
