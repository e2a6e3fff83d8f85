#!/usr/bin/env python3
"""make_seeds.py: write the seed corpora in tests/fuzz/corpus/ (run once; the files are
checked in). Each seed is a small valid input, so libFuzzer starts from the parsers' deep
paths: command lines as QEMU and GRUB pass them, multiboot2 and PVH blocks laid out as
bootinfo.c expects them (physical memory starting at the harness's PHYS_BASE), cpio newc
archives (plain and gzip-compressed, as the kernel's initramfs), gzip members, ELF files
as execve checks them (static, PIE, with PT_INTERP), and "#!" lines.

    python3 tests/fuzz/make_seeds.py [NAME ...]     (all, or only those corpora)"""
import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
PHYS_BASE = 0x100000


def write(name, seed, data):
    d = os.path.join(HERE, "corpus", name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, seed), "wb") as f:
        f.write(data)


def cmdline():
    for i, line in enumerate([
            b"rdinit=/bin/fuzz panic=-1 -- --seconds 20 --seed 1",
            b"console=ttyS0 console=tty0 loglevel=7 quiet init=/bin/sh trace kmon",
            b'init=/sbin/init "quoted word" key="a b" FOO=bar -- x y=z "q',
            b"panic=-2147483648 loglevel=5x ktest=pagefault a b c d e f g h i j k l"]):
        write("cmdline", f"seed{i}", line)


def align8(b):
    return b + b"\0" * (-len(b) % 8)


def mb2_tag(t, payload):
    return align8(struct.pack("<II", t, 8 + len(payload)) + payload)


def multiboot2():
    mmap = struct.pack("<II", 24, 0) + b"".join(struct.pack("<QQII", b, l, t, 0) for b, l, t in [
        (0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2), (0x100000, 0x7ee0000, 1),
        (0x7fe0000, 0x20000, 2), (0x100000, 0x1000, 3)])
    mod = struct.pack("<II", PHYS_BASE + 0x800, PHYS_BASE + 0x900) + b"initramfs\0"
    tags = (mb2_tag(1, b"rdinit=/init console=ttyS0\0") + mb2_tag(2, b"GRUB 2.06\0") +
            mb2_tag(6, mmap) + mb2_tag(3, mod) + mb2_tag(0, b""))
    info = struct.pack("<II", 8 + len(tags), 0) + tags
    write("bootinfo", "multiboot2", b"\0" + info + b"\0" * (0x900 - len(info)))


def pvh():
    # hvm_start_info at PHYS_BASE, then the command line, the module list, the memory map.
    cmd = b"rdinit=/bin/sh panic=-1\0"
    cmd_at, mods_at, map_at = 0x40, 0x80, 0xc0
    entries = [(0, 0x9fc00, 1), (0x100000, 0xff00000, 1), (0xfeffc000, 0x4000, 2)]
    start = struct.pack("<IIIIQQQQII", 0x336ec578, 1, 0, 1, PHYS_BASE + mods_at,
                        PHYS_BASE + cmd_at, 0, PHYS_BASE + map_at, len(entries), 0)
    blob = bytearray(0x200)
    blob[0:len(start)] = start
    blob[cmd_at:cmd_at + len(cmd)] = cmd
    blob[mods_at:mods_at + 32] = struct.pack("<QQQQ", PHYS_BASE + 0x180, 0x40, 0, 0)
    mm = b"".join(struct.pack("<QQII", b, l, t, 0) for b, l, t in entries)
    blob[map_at:map_at + len(mm)] = mm
    write("bootinfo", "pvh", b"\1" + bytes(blob))


def newc(entries):
    out = b""
    for ino, (name, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")]):
        name_b = name.encode() + b"\0"
        fields = [ino + 1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
        hdr = b"070701" + b"".join(b"%08X" % f for f in fields) + name_b
        out += hdr + b"\0" * (-len(hdr) % 4) + data + b"\0" * (-len(data) % 4)
    return out


def cpio():
    tree = [("bin", 0o40755, b""), ("bin/true", 0o100755, b"\x7fELF" + b"\0" * 60),
            ("etc", 0o40755, b""), ("etc/hosts", 0o100644, b"127.0.0.1 localhost\n"),
            ("init", 0o120777, b"bin/true"), ("dev", 0o40755, b"")]
    plain = newc(tree)
    write("cpio", "plain", plain)
    write("cpio", "gzip", gzip.compress(plain, mtime=0))
    write("cpio", "two", plain + b"\0" * 8 + gzip.compress(newc([("x", 0o100600, b"x")]), mtime=0))
    write("inflate", "text", gzip.compress(b"hello, hello, hello world\n" * 20, mtime=0))
    write("inflate", "stored", gzip.compress(os.urandom(0) + bytes(range(256)), compresslevel=0, mtime=0))
    write("inflate", "cpio", gzip.compress(plain, compresslevel=9, mtime=0))


def elf_file(e_type, vaddr, interp=None):
    """A small ELF file: header, program headers, a text and a data PT_LOAD (and PT_INTERP)."""
    phdrs = []
    if interp:
        phdrs.append(struct.pack("<IIQQQQQQ", 3, 4, 0x200, vaddr + 0x200, 0, len(interp), len(interp), 1))
    phdrs.append(struct.pack("<IIQQQQQQ", 1, 5, 0, vaddr, 0, 0x1000, 0x1000, 0x1000))             # R X
    phdrs.append(struct.pack("<IIQQQQQQ", 1, 6, 0x1000, vaddr + 0x1000, 0, 0x100, 0x3000, 0x1000))  # RW, .bss
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8) + struct.pack(
        "<HHIQQQIHHHHHH", e_type, 62, 1, vaddr + 0x400, 64, 0, 0, 64, 56, len(phdrs), 64, 0, 0)
    data = bytearray(0x1100)
    data[0:64] = eh
    data[64:64 + 56 * len(phdrs)] = b"".join(phdrs)
    if interp:
        data[0x200:0x200 + len(interp)] = interp
    return bytes(data)


def elf():
    write("elf", "static", elf_file(2, 0x400000))
    write("elf", "pie", elf_file(3, 0))
    write("elf", "dynamic", elf_file(3, 0, b"/lib/ld-musl-x86_64.so.1\0"))


def script():
    for i, line in enumerate([b"#!/bin/sh\necho hi\n", b"#! /bin/sh -e  \n", b"#!\t/usr/bin/env  python3 -u \t\nx",
                              b"#!\n", b"#!/bin/" + b"x" * 300, b"#!/a\0b c\nd", b"no script"]):
        write("script", f"seed{i}", line)


if __name__ == "__main__":
    import sys
    for name in sys.argv[1:] or ["cmdline", "multiboot2", "pvh", "cpio", "elf", "script"]:
        globals()[name]()
