; uaccess_copy.asm: the only instructions in the kernel that touch user memory, and where
; each one goes if it faults.
;
; uaccess.c checks that a range lies in user space, opens the user-access window (stac)
; and calls one of these; it does not look at the page tables first. So an access here may
; fault: on a page not yet touched or copy-on-write (the fault brings it in, as a user
; access would, and the instruction runs again), or on a page that is not there or not
; allowed at all - unmapped, PROT_NONE, read-only - perhaps taken away by another thread an
; instant before. Then the page-fault handler (trap.c -> uaccess_fault in uaccess.c) finds
; the instruction in the exception table below and resumes at its fixup, which returns
; what the caller will turn into -EFAULT. This is Linux's design (its _ASM_EXTABLE_UA).
;
; The rules that make resuming at a fixup safe: these are leaf functions that push nothing,
; so the stack pointer at a fault is the one at entry, and the fixup can simply `ret`; and
; a fixup only reads registers the faulting instruction left meaningful.

%define EFAULT 14              ; errno.h's: "Bad address"

; USER label, fixup, instruction: the instruction, at a label (so that a backtrace names
; it), with its row (its address, the fixup's) in the table.
%macro USER 3+
%1:
    %3
section .rodata.uaccess_fixups
    dq %1, %2
section .text
%endmacro

; The exception table: a row (faulting instruction, fixup) per USER line below. uaccess.c
; reads it as struct uaccess_fixup[] between these two labels.
section .rodata.uaccess_fixups align=8
global uaccess_fixups
uaccess_fixups:

section .text
bits 64

; size_t uaccess_copy(void *dst, const void *src, size_t n): copies n bytes in address
; order; returns how many were NOT copied: 0, or the count from the first byte whose page
; faulted (every byte before it has been stored, as Linux's copies do). 64 bytes a loop,
; eight words through four registers, then the rest one by one: under QEMU's emulation an
; unrolled loop of plain moves is the fastest copy, and rep movs costs per element (Linux's
; copy_user_generic_unrolled, for CPUs without fast rep movsb, is the same loop).
global uaccess_copy
uaccess_copy:
    mov rcx, rdx
    shr rcx, 6                 ; the whole blocks,
    and edx, 63                ; and the bytes after them
    test rcx, rcx
    jz .tail
.block:
    USER .b0, copy_block_fault, mov r8, [rsi + 0]
    USER .b1, copy_block_fault, mov r9, [rsi + 8]
    USER .b2, copy_block_fault, mov r10, [rsi + 16]
    USER .b3, copy_block_fault, mov r11, [rsi + 24]
    USER .b4, copy_block_fault, mov [rdi + 0], r8
    USER .b5, copy_block_fault, mov [rdi + 8], r9
    USER .b6, copy_block_fault, mov [rdi + 16], r10
    USER .b7, copy_block_fault, mov [rdi + 24], r11
    USER .b8, copy_block_fault, mov r8, [rsi + 32]
    USER .b9, copy_block_fault, mov r9, [rsi + 40]
    USER .b10, copy_block_fault, mov r10, [rsi + 48]
    USER .b11, copy_block_fault, mov r11, [rsi + 56]
    USER .b12, copy_block_fault, mov [rdi + 32], r8
    USER .b13, copy_block_fault, mov [rdi + 40], r9
    USER .b14, copy_block_fault, mov [rdi + 48], r10
    USER .b15, copy_block_fault, mov [rdi + 56], r11
    add rsi, 64
    add rdi, 64
    dec rcx
    jnz .block
.tail:
    mov ecx, edx
    USER .bytes, copy_fault, rep movsb
    xor eax, eax
    ret
copy_block_fault:
    ; rcx blocks, from this one, and rdx bytes are left; rsi and rdi still point at the
    ; block's start. Part of it may be on a good page: go on byte by byte, which stops
    ; exactly at the first bad byte (the bytes stored again are the same bytes).
    shl rcx, 6
    add rcx, rdx
    USER .again, copy_fault, rep movsb
    xor eax, eax               ; (the page came back meanwhile: all copied after all)
    ret
copy_fault:
    mov rax, rcx               ; rep movsb stopped at the faulting byte: rcx are left
    ret

; int uaccess_cmpxchg32(uint32_t *uaddr, uint32_t *old, uint32_t new): if *uaddr == *old,
; *uaddr = new, atomically; either way *old = the value found. 0, or -EFAULT.
global uaccess_cmpxchg32
uaccess_cmpxchg32:
    mov eax, [rsi]
    USER .word, fault_efault, lock cmpxchg [rdi], edx
    mov [rsi], eax
    xor eax, eax
    ret

; long uaccess_strncpy(char *dst, const char *src, size_t max): copies bytes up to and with
; the first NUL, at most max of them. Returns the string's length (before the NUL), max if
; there was no NUL among max bytes, or -EFAULT.
global uaccess_strncpy
uaccess_strncpy:
    xor eax, eax
.next:
    cmp rax, rdx
    je .done                   ; max bytes, no NUL
    USER .byte, fault_efault, movzx ecx, byte [rsi + rax]
    mov [rdi + rax], cl
    test cl, cl
    jz .done
    inc rax
    jmp .next
.done:
    ret

fault_efault:
    mov rax, -EFAULT
    ret

section .rodata.uaccess_fixups
global uaccess_fixups_end
uaccess_fixups_end:

section .note.GNU-stack noalloc noexec nowrite progbits
