; boot.asm: from the boot loader's 32-bit protected mode to C in 64-bit long mode.
;
; Two ways in, one way on:
;   _start      GRUB, through the multiboot2 header below: eax = multiboot2 magic, ebx = info.
;   pvh_start   QEMU's `-kernel`, through the PVH ELF note:  ebx = hvm_start_info.
; Both arrive in 32-bit protected mode with paging off and interrupts off. We check that the
; CPU can run 64-bit code, build the first page tables, switch on long mode and jump to
; kmain(magic, info) in the higher half. Nothing here touches memory the loader put the boot
; information in: kmain gets it by physical address and reads it through the direct map.

KERNEL_BASE     equ 0xffffffff80000000
MB2_MAGIC       equ 0xe85250d6          ; in the header, for the loader
MB2_ARCH_I386   equ 0
MB2_TAG_OPTIONAL equ 1
PVH_MAGIC       equ 0x336ec578          ; what kmain is told for a PVH boot
COM1            equ 0x3f8

PTE_PRESENT     equ 1 << 0
PTE_WRITE       equ 1 << 1
PTE_HUGE        equ 1 << 7              ; a 2 MiB page in a page directory

KERNEL_MAP_PTS  equ 4                   ; 4 page tables = the first 8 MiB in 4 KiB pages
DIRECT_MAP_PDS  equ 4                   ; 4 page directories = the first 4 GiB in 2 MiB pages

extern kmain
extern boot_stack_guard_phys
extern kernel_bss_phys
extern kernel_bss_size

; ---------------------------------------------------------------------------------------------
section .multiboot2
align 8
mb2_header:
    dd MB2_MAGIC, MB2_ARCH_I386, mb2_header_end - mb2_header
    dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    ; The framebuffer tag: we can draw on a linear framebuffer (kernel/fbcon.c), in any
    ; mode (0 x 0 x 0: no preference), and it is optional. With it GRUB sets a graphics mode
    ; unless told otherwise: under UEFI there is nothing else, under BIOS grub.cfg keeps text
    ; mode (gfxpayload=text) except for its graphics entry.
    align 8, db 0
    dw 5, MB2_TAG_OPTIONAL
    dd 20
    dd 0, 0, 0                      ; width, height, depth
    ; The end tag.
    align 8, db 0
    dw 0, 0
    dd 8
mb2_header_end:

; The PVH entry point, as Linux declares it (XEN_ELFNOTE_PHYS32_ENTRY = 18).
section .note.Xen note alloc noexec
align 4
    dd 4                    ; name size
    dd 8                    ; descriptor size
    dd 18                   ; XEN_ELFNOTE_PHYS32_ENTRY
    db "Xen", 0
    dq pvh_start            ; QEMU reads a pointer-sized value here

; ---------------------------------------------------------------------------------------------
section .boot.text exec
bits 32
global _start
_start:
    cli
    mov edi, eax            ; multiboot2 magic (kmain checks it)
    mov esi, ebx            ; multiboot2 information
    jmp boot32

global pvh_start
pvh_start:
    cli
    mov edi, PVH_MAGIC
    mov esi, ebx            ; hvm_start_info
    ; fall through

boot32:
    mov esp, boot32_stack_top
    cld
    push edi                        ; keep magic and information across the calls
    push esi
    call check_long_mode
    call zero_kernel_bss
    call build_page_tables
    pop esi
    pop edi
    ; PAE paging (and global pages) in CR4, the top-level table in CR3.
    mov eax, cr4
    or eax, (1 << 5) | (1 << 7)
    mov cr4, eax
    mov eax, boot_pml4
    mov cr3, eax
    ; EFER: long mode enable, and no-execute if the CPU has it.
    mov ecx, 0xc0000080
    rdmsr
    or eax, 1 << 8
    cmp byte [cpu_has_nx], 0
    je .no_nx
    or eax, 1 << 11
.no_nx:
    wrmsr
    ; Paging on (and write-protect honoured in ring 0): we are now in long mode, 32-bit
    ; compatibility submode, until the far jump loads a 64-bit code segment.
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)
    mov cr0, eax
    lgdt [boot_gdt_ptr]
    jmp 0x08:boot64

; Linux's message for the same situation, on the serial port and on the VGA screen.
check_long_mode:
    pushfd                          ; can we use cpuid? (can EFLAGS.ID be flipped?)
    pop eax
    mov ecx, eax
    xor eax, 1 << 21
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    cmp eax, ecx
    je .no_long_mode
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29               ; LM
    jz .no_long_mode
    test edx, 1 << 20               ; NX
    setnz byte [cpu_has_nx]
    ret
.no_long_mode:
    mov esi, no_long_mode_msg
    mov edi, 0xb8000
.next_char:
    lodsb
    test al, al
    jz .halt
    mov ah, 0x4f                    ; white on red
    mov [edi], ax
    add edi, 2
    mov dx, COM1 + 5                ; wait until the transmitter can take a byte
.wait_tx:
    mov bl, al
    in al, dx
    test al, 0x20
    mov al, bl
    jz .wait_tx
    mov dx, COM1
    out dx, al
    jmp .next_char
.halt:
    hlt
    jmp .halt

; The loaders zero .bss already; doing it here too means we never depend on that.
zero_kernel_bss:
    mov edi, kernel_bss_phys
    mov ecx, kernel_bss_size
    xor eax, eax
    rep stosb
    ret

; Page tables for the switch and for the kernel's first steps:
;   identity:   virtual 0 .. 1 GiB           -> physical 0 .. 1 GiB   (2 MiB pages; for this code)
;   direct map: 0xffff888000000000 + 0..4 GiB -> physical 0 .. 4 GiB   (2 MiB pages)
;   kernel:     KERNEL_BASE + 0 .. 8 MiB      -> physical 0 .. 8 MiB   (4 KiB pages)
; The kernel mapping uses 4 KiB pages so that the page under the boot stack can be left
; unmapped: a kernel stack overflow then faults instead of silently corrupting memory.
build_page_tables:
    mov edi, boot_page_tables_start
    mov ecx, (boot_page_tables_end - boot_page_tables_start) / 4
    xor eax, eax
    rep stosd
    ; PML4: entry 0 (identity), 273 (direct map), 511 (kernel)
    mov dword [boot_pml4 + 0 * 8], boot_pdpt_low + PTE_PRESENT + PTE_WRITE
    mov dword [boot_pml4 + 273 * 8], boot_pdpt_direct + PTE_PRESENT + PTE_WRITE
    mov dword [boot_pml4 + 511 * 8], boot_pdpt_kernel + PTE_PRESENT + PTE_WRITE
    ; The identity map shares the direct map's first page directory.
    mov dword [boot_pdpt_low], boot_pd_direct + PTE_PRESENT + PTE_WRITE
    ; Direct map: PDPT entries 0..3 -> 4 page directories of 512 huge pages each.
    xor ecx, ecx
.direct_pdpt:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd_direct + PTE_PRESENT + PTE_WRITE
    mov [boot_pdpt_direct + ecx * 8], eax
    inc ecx
    cmp ecx, DIRECT_MAP_PDS
    jne .direct_pdpt
    xor ecx, ecx                    ; entry i maps physical i * 2 MiB (needs 64-bit entries)
.direct_pd:
    mov eax, ecx
    shl eax, 21
    or eax, PTE_PRESENT + PTE_WRITE + PTE_HUGE
    mov edx, ecx
    shr edx, 11                     ; the bits of i * 2 MiB above 4 GiB
    mov [boot_pd_direct + ecx * 8], eax
    mov [boot_pd_direct + ecx * 8 + 4], edx
    inc ecx
    cmp ecx, DIRECT_MAP_PDS * 512
    jne .direct_pd
    ; Kernel: PDPT entry 510 (-2 GiB) -> one page directory -> 4 page tables.
    mov dword [boot_pdpt_kernel + 510 * 8], boot_pd_kernel + PTE_PRESENT + PTE_WRITE
    xor ecx, ecx
.kernel_pd:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pt_kernel + PTE_PRESENT + PTE_WRITE
    mov [boot_pd_kernel + ecx * 8], eax
    inc ecx
    cmp ecx, KERNEL_MAP_PTS
    jne .kernel_pd
    xor ecx, ecx
.kernel_pt:
    mov eax, ecx
    shl eax, 12
    or eax, PTE_PRESENT + PTE_WRITE
    mov [boot_pt_kernel + ecx * 8], eax
    inc ecx
    cmp ecx, KERNEL_MAP_PTS * 512
    jne .kernel_pt
    ; The guard page below the boot stack stays unmapped.
    mov eax, boot_stack_guard_phys
    shr eax, 12
    mov dword [boot_pt_kernel + eax * 8], 0
    ret

; ---------------------------------------------------------------------------------------------
bits 64
boot64:
    xor eax, eax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov rax, higher_half
    jmp rax                         ; leave the identity map for the kernel's own addresses

section .text
higher_half:
    mov rsp, boot_stack_top
    push 0                          ; a zero return address and frame pointer: the end of
    xor ebp, ebp                    ; every backtrace, ours and gdb's
    ; kmain(edi = magic, rsi = boot information, physical)
    call kmain
.hang:
    cli
    hlt
    jmp .hang

; ---------------------------------------------------------------------------------------------
section .boot.data
align 8
boot_gdt:
    dq 0
    dq 0x00af9a000000ffff           ; 0x08: 64-bit code, ring 0
    dq 0x00cf92000000ffff           ; 0x10: data
boot_gdt_ptr:
    dw boot_gdt_ptr - boot_gdt - 1
    dd boot_gdt
cpu_has_nx:
    db 0
no_long_mode_msg:
    db "This kernel requires an x86-64 CPU, but only detected an i686 CPU.", 13, 10
    db "Unable to boot - please use a kernel appropriate for your CPU.", 13, 10, 0

section .boot.bss nobits alloc noexec write
align 4096
boot_page_tables_start:
boot_pml4:        resb 4096
boot_pdpt_low:    resb 4096
boot_pdpt_direct: resb 4096
boot_pdpt_kernel: resb 4096
boot_pd_direct:   resb 4096 * DIRECT_MAP_PDS
boot_pd_kernel:   resb 4096
boot_pt_kernel:   resb 4096 * KERNEL_MAP_PTS
boot_page_tables_end:
                  resb 1024
boot32_stack_top:

; The boot CPU's kernel stack, with an unmapped guard page below it.
section .bss
align 4096
global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:   resb 4096
boot_stack_bottom:  resb 16384
boot_stack_top:

; No executable stack wanted (tells the linker so).
section .note.GNU-stack noalloc noexec nowrite progbits
