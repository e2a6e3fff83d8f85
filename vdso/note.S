// note.S: the vDSO's ELF note saying which Linux it comes from: name "Linux", type 0, and
// LINUX_VERSION_CODE (6.1.0, the ABI level uname reports). Linux's vDSO has the same note;
// older glibc read the kernel version from it instead of calling uname.
    .section .note.Linux, "a", @note
    .balign 4
    .long 2f - 1f               // namesz
    .long 4f - 3f               // descsz
    .long 0                     // type
1:  .asciz "Linux"
2:  .balign 4
3:  .long 0x060100              // KERNEL_VERSION(6, 1, 0)
4:
    .section .note.GNU-stack, "", @progbits
