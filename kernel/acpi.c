// acpi.c: find the ACPI tables and the few facts that power-off and reset need (see acpi.h).
//
// ACPI tables are little-endian and their fields are often unaligned, so fields are read
// byte by byte (get16/get32/get64) at the offsets given in the ACPI specification, section 5.2.
// Nothing is trusted: every table is mapped through `map` with its full length and its
// checksum is verified before any field is used; a bad table is reported and skipped.
// The port-writing half, acpi_power_off() and acpi_reset(), is in power.c.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "acpi.h"
#include "printk.h"

static struct acpi_power power;
static struct acpi_madt madt;
static phys_map_fn map;
static bool s5_found;

enum {
    // Root System Description Pointer (spec 5.2.5.3). Revision 0 is 20 bytes; 2+ is 36.
    RSDP_OEMID = 9, RSDP_REVISION = 15, RSDP_RSDT = 16,
    RSDP_LENGTH = 20, RSDP_XSDT = 24, RSDP_V1_SIZE = 20, RSDP_V2_SIZE = 36,
    // The header every other table starts with (5.2.6).
    SDT_LENGTH = 4, SDT_REVISION = 8, SDT_OEMID = 10, SDT_OEM_TABLE_ID = 16,
    SDT_OEM_REVISION = 24, SDT_CREATOR_ID = 28, SDT_CREATOR_REVISION = 32, SDT_HEADER_SIZE = 36,
    // Fixed ACPI Description Table (5.2.9). Revision 1 (ACPI 1.0) ends after FLAGS.
    FADT_DSDT = 40, FADT_SMI_CMD = 48, FADT_ACPI_ENABLE = 52, FADT_PM1A_CNT = 64,
    FADT_PM1B_CNT = 68, FADT_FLAGS = 112, FADT_V1_SIZE = 116, FADT_RESET_REG = 116,
    FADT_RESET_VALUE = 128, FADT_X_DSDT = 140, FADT_X_PM1A_CNT = 172, FADT_X_PM1B_CNT = 184,
    // Generic Address Structure (5.2.3.2): where a register lives.
    GAS_SPACE_ID = 0, GAS_ADDRESS = 4, GAS_SIZE = 12,
};
#define GAS_SYSTEM_IO        1           // address space ID of an I/O port
#define FADT_RESET_REG_SUP   (1u << 10)  // FADT flag: RESET_REG is implemented

// The AML opcodes that appear in Name(_S5_, Package() {...}) (spec 20.2).
enum {
    AML_ZERO = 0x00, AML_ONE = 0x01, AML_NAME = 0x08, AML_BYTE = 0x0A, AML_WORD = 0x0B,
    AML_DWORD = 0x0C, AML_PACKAGE = 0x12, AML_ROOT = '\\', AML_ONES = 0xFF,
};

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

// Every ACPI structure is built so that all its bytes add up to 0 (mod 256).
static bool checksum_ok(const uint8_t *p, size_t len) {
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += p[i];
    return sum == 0;
}

// An n-byte ID field as a printable string: it ends at a NUL, is padded with spaces, and
// unprintable bytes become '?' (what Linux's %-6.6s and acpi_tb_fix_string produce).
static char *id_str(char *buf, const uint8_t *p, size_t n) {
    size_t i = 0;
    for (; i < n && p[i]; i++)
        buf[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
    for (; i < n; i++)
        buf[i] = ' ';
    buf[n] = '\0';
    return buf;
}

static void log_rsdp(uint64_t pa, const uint8_t *r) {
    char oem[7];
    unsigned rev = r[RSDP_REVISION];
    unsigned len = rev >= 2 ? get32(r + RSDP_LENGTH) : RSDP_V1_SIZE;
    id_str(oem, r + RSDP_OEMID, 6);
    if (pa)
        pr_info("ACPI: RSDP 0x%016llX %06X (v%02u %s)\n", (unsigned long long)pa, len, rev, oem);
    else
        pr_info("ACPI: RSDP (boot loader's copy) %06X (v%02u %s)\n", len, rev, oem);
}

// One line per table, in the format of Linux's acpi_tb_print_table_header().
static void log_table(uint64_t pa, const uint8_t *t) {
    char sig[5], oem[7], table_id[9], creator[5];
    pr_info("ACPI: %s 0x%016llX %06X (v%02u %s %s %08X %s %08X)\n", id_str(sig, t, 4),
            (unsigned long long)pa, get32(t + SDT_LENGTH), (unsigned)t[SDT_REVISION],
            id_str(oem, t + SDT_OEMID, 6), id_str(table_id, t + SDT_OEM_TABLE_ID, 8),
            get32(t + SDT_OEM_REVISION), id_str(creator, t + SDT_CREATOR_ID, 4),
            get32(t + SDT_CREATOR_REVISION));
}

// Maps a whole table at pa after checking that its header is readable, its length sane and
// all of it readable, and its checksum right. `sig` (if not NULL) is the signature expected.
static const uint8_t *map_table(uint64_t pa, const char *sig) {
    const uint8_t *t = map(pa, SDT_HEADER_SIZE);
    const char *why = NULL;
    char name[5] = "????";
    uint32_t len = 0;
    if (!t) {
        why = "is not mapped";
    } else {
        id_str(name, t, 4);
        len = get32(t + SDT_LENGTH);
        if (sig && memcmp(t, sig, 4) != 0)
            why = "has the wrong signature";
        else if (len < SDT_HEADER_SIZE)
            why = "is too short";
        else if (!(t = map(pa, len)))
            why = "runs past mapped memory";
        else if (!checksum_ok(t, len))
            why = "has an incorrect checksum";
    }
    if (why) {
        pr_warn("ACPI: [%s] at 0x%llx, length %u, %s: skipped\n", name, (unsigned long long)pa,
                len, why);
        return NULL;
    }
    log_table(pa, t);
    return t;
}

// ---- Finding the RSDP

// The checksum covers the 20 bytes of ACPI 1.0; revision 2 added fields and an extended
// checksum over all 36 bytes. The caller guarantees 36 readable bytes if revision >= 2.
static bool rsdp_ok(const uint8_t *r) {
    if (memcmp(r, "RSD PTR ", 8) != 0 || !checksum_ok(r, RSDP_V1_SIZE))
        return false;
    return r[RSDP_REVISION] < 2 || checksum_ok(r, RSDP_V2_SIZE);
}

static const uint8_t *rsdp_at(uint64_t pa) {
    const uint8_t *r = map(pa, RSDP_V1_SIZE);
    if (r && r[RSDP_REVISION] >= 2)
        r = map(pa, RSDP_V2_SIZE);
    return r && rsdp_ok(r) ? r : NULL;
}

// On BIOS machines the RSDP lies on a 16-byte boundary in the first KiB of the Extended
// BIOS Data Area or in the BIOS ROM, 0xE0000-0xFFFFF (spec 5.2.5.1). Returns 0 if absent.
static uint64_t scan_area(uint64_t base, size_t len) {
    const uint8_t *p = map(base, len);
    if (!p)
        return 0;
    for (size_t off = 0; off + RSDP_V1_SIZE <= len; off += 16)
        if (memcmp(p + off, "RSD PTR ", 8) == 0 && rsdp_at(base + off))
            return base + off;
    return 0;
}

static uint64_t scan_bios_areas(void) {
    uint64_t pa = 0;
    const uint8_t *ebda_seg = map(0x40E, 2);   // the BIOS data area holds the EBDA's segment
    if (ebda_seg) {
        uint64_t ebda = (uint64_t)get16(ebda_seg) << 4;
        if (ebda > 0x400)                      // Linux ignores implausible values the same way
            pa = scan_area(ebda, 1024);
    }
    return pa ? pa : scan_area(0xE0000, 0x20000);
}

static const uint8_t *find_rsdp(const struct boot_info *bi) {
    if (bi->rsdp_copy_len) {
        // A revision-2 RSDP is 36 bytes; a 20-byte copy of one cannot be checked.
        size_t need = bi->rsdp_copy_len >= 16 && bi->rsdp_copy[RSDP_REVISION] >= 2 ? RSDP_V2_SIZE
                                                                                   : RSDP_V1_SIZE;
        if (bi->rsdp_copy_len >= need && rsdp_ok(bi->rsdp_copy))
            return bi->rsdp_copy;
        pr_warn("ACPI: the boot loader's copy of the RSDP is invalid, ignored\n");
    }
    if (bi->rsdp) {
        const uint8_t *r = rsdp_at(bi->rsdp);
        if (r) {
            power.rsdp = bi->rsdp;
            return r;
        }
        pr_warn("ACPI: RSDP at 0x%llx from the boot loader is invalid or not mapped, ignored\n",
                (unsigned long long)bi->rsdp);
    }
    power.rsdp = scan_bios_areas();
    return power.rsdp ? rsdp_at(power.rsdp) : NULL;
}

// ---- The FADT and the DSDT

// PkgLength (spec 20.2.4): bits 7-6 of the lead byte count the bytes that follow (0-3).
// With none, bits 5-0 are the length; otherwise bits 3-0 are its low nibble and each
// following byte supplies 8 more bits. Returns the length (which counts the PkgLength
// itself) and its size in *nbytes, or 0 if it does not fit in `avail` bytes.
static size_t pkg_length(const uint8_t *p, size_t avail, size_t *nbytes) {
    if (avail < 1 || avail < 1u + (p[0] >> 6))
        return 0;
    size_t follow = p[0] >> 6;
    *nbytes = 1 + follow;
    if (follow == 0)
        return p[0] & 0x3f;
    size_t len = p[0] & 0x0f;
    for (size_t k = 0; k < follow; k++)
        len |= (size_t)p[1 + k] << (4 + 8 * k);
    return len;
}

// An integer constant as a package element: ZeroOp, OneOp, OnesOp, or a Byte/Word/DWord
// prefix and its value. Returns the bytes it takes, 0 if it is something else or truncated.
static size_t aml_integer(const uint8_t *p, size_t avail, uint64_t *v) {
    if (avail < 1)
        return 0;
    switch (p[0]) {
    case AML_ZERO: *v = 0; return 1;
    case AML_ONE: *v = 1; return 1;
    case AML_ONES: *v = ~0ull; return 1;
    case AML_BYTE: if (avail < 2) return 0; *v = p[1]; return 2;
    case AML_WORD: if (avail < 3) return 0; *v = get16(p + 1); return 3;
    case AML_DWORD: if (avail < 5) return 0; *v = get32(p + 1); return 5;
    }
    return 0;
}

// p points just after the name "_S5_": PackageOp PkgLength NumElements Element...
// Elements 0 and 1 are SLP_TYPa and SLP_TYPb; as in ACPICA, a package of a single integer
// holds SLP_TYPa in bits 0-7 and SLP_TYPb in bits 8-15.
static int parse_s5_package(const uint8_t *p, size_t avail) {
    size_t n, len, used;
    uint64_t a, b;
    if (avail < 1 || p[0] != AML_PACKAGE) {
        pr_warn("ACPI: \\_S5_ is not a package\n");
        return -1;
    }
    len = pkg_length(p + 1, avail - 1, &n);
    if (len == 0 || len > avail - 1 || len < n + 1) {
        pr_warn("ACPI: \\_S5_ package runs past the end of the DSDT\n");
        return -1;
    }
    const uint8_t *q = p + 1 + n + 1;           // the first element, after NumElements
    size_t left = len - n - 1;
    unsigned count = p[1 + n];
    if (count < 1 || !(used = aml_integer(q, left, &a)))
        goto bad;
    if (count == 1)
        b = a >> 8;
    else if (!aml_integer(q + used, left - used, &b))
        goto bad;
    power.slp_typa = (uint8_t)a;
    power.slp_typb = (uint8_t)b;
    return 0;
bad:
    pr_warn("ACPI: \\_S5_ package elements are not integer constants\n");
    return -1;
}

// There is no AML interpreter here: \_S5_ is found by its encoding, which in real
// firmware (here QEMU's DSDT, inside Scope(\)) looks like
//   08 '_S5_' 12 06 04 00 00 00 00      Name(_S5_, Package(4) {Zero, Zero, Zero, Zero})
// NameOp, optionally a root prefix '\', the name, then the package.
static int find_s5(const uint8_t *aml, size_t len) {
    for (size_t i = 1; i + 4 <= len; i++) {
        if (memcmp(aml + i, "_S5_", 4) != 0)
            continue;
        if (aml[i - 1] == AML_NAME || (i >= 2 && aml[i - 1] == AML_ROOT && aml[i - 2] == AML_NAME))
            return parse_s5_package(aml + i + 4, len - i - 4);
    }
    pr_warn("ACPI: no \\_S5_ object in the DSDT\n");
    return -1;
}

static void parse_dsdt(uint64_t pa) {
    const uint8_t *d = map_table(pa, "DSDT");
    if (!d)
        return;
    power.dsdt = pa;
    s5_found = find_s5(d + SDT_HEADER_SIZE, get32(d + SDT_LENGTH) - SDT_HEADER_SIZE) == 0;
}

// ACPI 2.0 added 64-bit "X_" register addresses (Generic Address Structures) which, when
// present and nonzero, supersede the 32-bit fields. PM1 registers must be I/O ports here.
static uint16_t pm1_port(const uint8_t *f, uint32_t len, size_t legacy, size_t x) {
    if (len >= x + GAS_SIZE) {
        uint64_t a = get64(f + x + GAS_ADDRESS);
        if (a != 0 && a <= 0xffff && f[x + GAS_SPACE_ID] == GAS_SYSTEM_IO)
            return (uint16_t)a;
    }
    uint32_t a = get32(f + legacy);
    return a <= 0xffff ? (uint16_t)a : 0;
}

// RESET_REG exists from FADT revision 2 on, and only counts if flag RESET_REG_SUP is set.
// Like Linux we ignore its bit width and offset; only the I/O-port kind is supported.
static void parse_reset(const uint8_t *f, uint32_t len) {
    if (f[SDT_REVISION] < 2 || len < FADT_RESET_VALUE + 1 ||
        !(get32(f + FADT_FLAGS) & FADT_RESET_REG_SUP))
        return;
    const uint8_t *g = f + FADT_RESET_REG;
    uint64_t a = get64(g + GAS_ADDRESS);
    if (g[GAS_SPACE_ID] != GAS_SYSTEM_IO || a == 0 || a > 0xffff) {
        pr_warn("ACPI: reset register is not an I/O port (space %u, address 0x%llx), not used\n",
                (unsigned)g[GAS_SPACE_ID], (unsigned long long)a);
        return;
    }
    power.reset_ok = true;
    power.reset_port = (uint16_t)a;
    power.reset_value = f[FADT_RESET_VALUE];
}

static void parse_fadt(const uint8_t *f) {
    uint32_t len = get32(f + SDT_LENGTH);
    if (len < FADT_V1_SIZE) {
        pr_warn("ACPI: FADT is only %u bytes long, ignored\n", len);
        return;
    }
    power.pm1a_cnt = pm1_port(f, len, FADT_PM1A_CNT, FADT_X_PM1A_CNT);
    power.pm1b_cnt = pm1_port(f, len, FADT_PM1B_CNT, FADT_X_PM1B_CNT);
    uint32_t smi = get32(f + FADT_SMI_CMD);
    power.smi_cmd = smi <= 0xffff ? (uint16_t)smi : 0;
    power.acpi_enable = f[FADT_ACPI_ENABLE];
    parse_reset(f, len);
    uint64_t dsdt = len >= FADT_X_DSDT + 8 ? get64(f + FADT_X_DSDT) : 0;
    if (dsdt == 0)
        dsdt = get32(f + FADT_DSDT);
    if (dsdt)
        parse_dsdt(dsdt);
}

// ---- The MADT: CPUs and interrupt controllers (spec 5.2.12)

enum {
    MADT_LAPIC_ADDR = 36, MADT_ENTRIES = 44,
    MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_ISO = 2, MADT_LAPIC_OVERRIDE = 5,
};

static void madt_entry(const uint8_t *e) {
    switch (e[0]) {
    case MADT_LAPIC:            // processor id, APIC id, flags (bit 0: enabled)
        if (e[1] >= 8 && (get32(e + 4) & 1) && madt.ncpus < ACPI_MAX_CPUS)
            madt.apic_id[madt.ncpus++] = e[3];
        break;
    case MADT_IOAPIC:           // id, reserved, address, GSI base
        if (e[1] >= 12 && !madt.ioapic_addr) {
            madt.ioapic_addr = get32(e + 4);
            madt.ioapic_gsi_base = get32(e + 8);
        }
        break;
    case MADT_ISO:              // bus, ISA IRQ, GSI, flags
        if (e[1] >= 10 && e[3] < 16) {
            madt.isa_gsi[e[3]] = get32(e + 4);
            madt.isa_flags[e[3]] = get16(e + 8);
        }
        break;
    case MADT_LAPIC_OVERRIDE:   // reserved, 64-bit address
        if (e[1] >= 12)
            madt.lapic_addr = get64(e + 4);
        break;
    }
}

static void parse_madt(const uint8_t *t) {
    uint32_t len = get32(t + SDT_LENGTH);
    if (len < MADT_ENTRIES)
        return;
    madt.found = true;
    madt.lapic_addr = get32(t + MADT_LAPIC_ADDR);
    for (uint32_t off = MADT_ENTRIES; off + 2 <= len;) {
        const uint8_t *e = t + off;
        if (e[1] < 2 || off + e[1] > len)
            break;                          // a malformed entry ends the walk
        madt_entry(e);
        off += e[1];
    }
}

const struct acpi_madt *acpi_get_madt(void) { return &madt; }

// The XSDT (revision 2+, 64-bit entries) is preferred; the RSDT (32-bit entries) is the
// fallback. Every table listed is checked and logged; the first good FACP is used.
static void walk_root(const uint8_t *rsdp) {
    uint64_t xsdt = rsdp[RSDP_REVISION] >= 2 ? get64(rsdp + RSDP_XSDT) : 0;
    const uint8_t *root = xsdt ? map_table(xsdt, "XSDT") : NULL;
    size_t entry = 8;
    if (!root) {
        uint32_t rsdt = get32(rsdp + RSDP_RSDT);
        if (xsdt)
            pr_warn("ACPI: XSDT unusable, trying the RSDT\n");
        root = rsdt ? map_table(rsdt, "RSDT") : NULL;
        entry = 4;
    }
    if (!root) {
        pr_warn("ACPI: no usable RSDT or XSDT\n");
        return;
    }
    size_t n = (get32(root + SDT_LENGTH) - SDT_HEADER_SIZE) / entry;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = root + SDT_HEADER_SIZE + i * entry;
        uint64_t pa = entry == 8 ? get64(e) : get32(e);
        const uint8_t *t = pa ? map_table(pa, NULL) : NULL;
        if (t && memcmp(t, "FACP", 4) == 0 && !power.fadt) {
            power.fadt = pa;
            parse_fadt(t);
        }
        if (t && memcmp(t, "APIC", 4) == 0 && !madt.found)
            parse_madt(t);
    }
}

static void log_summary(void) {
    char reset[48] = "none";
    if (power.reset_ok)
        snprintf(reset, sizeof reset, "port 0x%x value 0x%x", power.reset_port, power.reset_value);
    if (power.s5_ok) {
        char pm1b[16] = "none";
        if (power.pm1b_cnt)
            snprintf(pm1b, sizeof pm1b, "0x%x", power.pm1b_cnt);
        pr_info("ACPI: power-off: PM1a_CNT 0x%x PM1b_CNT %s SLP_TYPa %u SLP_TYPb %u; reset: %s\n",
                power.pm1a_cnt, pm1b, power.slp_typa, power.slp_typb, reset);
        return;
    }
    const char *why = !power.fadt ? "no FADT" : !power.pm1a_cnt ? "no PM1a_CNT"
                    : !power.dsdt ? "no DSDT" : "no usable \\_S5_";
    pr_warn("ACPI: power-off unavailable (%s); reset: %s\n", why, reset);
}

int acpi_init(const struct boot_info *bi, phys_map_fn map_fn) {
    memset(&power, 0, sizeof power);
    memset(&madt, 0, sizeof madt);
    for (int i = 0; i < 16; i++)
        madt.isa_gsi[i] = (uint32_t)i;
    s5_found = false;
    map = map_fn;
    const uint8_t *rsdp = find_rsdp(bi);
    if (!rsdp) {
        pr_warn("ACPI: no valid RSDP found\n");
        return -1;
    }
    log_rsdp(power.rsdp, rsdp);
    walk_root(rsdp);
    power.s5_ok = s5_found && power.pm1a_cnt;
    log_summary();
    return power.s5_ok ? 0 : -1;
}

const struct acpi_power *acpi_get_power(void) { return &power; }
