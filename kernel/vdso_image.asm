; vdso_image.asm: the vDSO (vdso/, built as build/vdso/vdso.so) inside the kernel image.
; kernel/vdso.c copies it into pages of its own at boot; see there.
section .rodata
align 16
global vdso_image_start, vdso_image_end
vdso_image_start:
    incbin "vdso.so"
vdso_image_end:
section .note.GNU-stack noalloc noexec nowrite progbits
