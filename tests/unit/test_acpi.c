// test_acpi.c: acpi_init() against tables built in fake physical memory. Some bytes are
// real: FADTs and the \_S5_ definition dumped from QEMU 7.2 (SeaBIOS and OVMF firmware).
// Run with VERBOSE=1 in the environment to see what acpi_init() logs.
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "acpi.h"
#include "check.h"

// ---- Fake physical memory: a few regions; anything else is "not mapped".
#define SEABIOS_BASE 0x7fe0000   // where SeaBIOS puts the tables with -m 128M
#define OVMF_BASE    0xf770000   // where OVMF puts them with -m 256M
static uint8_t low_mem[0x100000], seabios_mem[0x10000], ovmf_mem[0x10000];
static struct region { uint64_t base; uint8_t *mem; size_t size; } regions[4] = {
    { 0, low_mem, sizeof low_mem }, { SEABIOS_BASE, seabios_mem, sizeof seabios_mem },
    { OVMF_BASE, ovmf_mem, sizeof ovmf_mem },
    { 0, NULL, 0 },   // an exact-size heap block, so AddressSanitizer catches over-reads
};

static const void *fake_map(uint64_t pa, size_t len) {
    for (int i = 0; i < 4; i++) {
        struct region *r = &regions[i];
        if (r->mem && pa >= r->base && pa - r->base <= r->size && len <= r->size - (pa - r->base))
            return r->mem + (pa - r->base);
    }
    return NULL;
}

static uint8_t *P(uint64_t pa) {
    uint8_t *p = (uint8_t *)fake_map(pa, 1);
    if (!p) { printf("test bug: 0x%llx is not fake memory\n", (unsigned long long)pa); abort(); }
    return p;
}

// ---- Capturing printk
static char log_lines[64][256];
static int log_n;

int printk(const char *fmt, ...) {
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    const char *s = line[0] == '\001' && line[1] ? line + 2 : line;   // drop KERN_<level>
    if (getenv("VERBOSE"))
        printf("    | %s", s);
    if (log_n < 64)
        snprintf(log_lines[log_n++], sizeof log_lines[0], "%s", s);
    return n;
}

static bool starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

static bool logged(const char *text) {
    for (int i = 0; i < log_n; i++)
        if (strstr(log_lines[i], text))
            return true;
    return false;
}

// ---- Building tables
static struct boot_info bi;
static const struct acpi_power *pw;

static void reset_machine(void) {
    memset(low_mem, 0, sizeof low_mem);
    memset(seabios_mem, 0, sizeof seabios_mem);
    memset(ovmf_mem, 0, sizeof ovmf_mem);
    free(regions[3].mem);
    regions[3].mem = NULL;
    memset(&bi, 0, sizeof bi);
    log_n = 0;
    pw = acpi_get_power();
}

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static void fix_checksum(uint8_t *p, size_t len, size_t at) {
    uint8_t sum = 0;
    p[at] = 0;
    for (size_t i = 0; i < len; i++)
        sum += p[i];
    p[at] = (uint8_t)-sum;
}
static void finish(uint64_t pa) { fix_checksum(P(pa), get32(P(pa) + 4), 9); }

static void make_rsdp(uint8_t *r, uint8_t rev, uint32_t rsdt, uint64_t xsdt) {
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, "BOCHS ", 6);
    r[15] = rev;
    put32(r + 16, rsdt);
    fix_checksum(r, 20, 8);
    if (rev >= 2) {
        put32(r + 20, 36);
        put64(r + 24, xsdt);
        fix_checksum(r, 36, 32);
    }
}

// A header as QEMU writes it; the caller fills in the body, then calls finish().
static uint8_t *make_table(uint64_t pa, const char *sig, uint32_t len, uint8_t rev) {
    uint8_t *t = P(pa);
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = rev;
    memcpy(t + 10, "BOCHS BXPC    ", 14);
    put32(t + 24, 1);
    memcpy(t + 28, "BXPC", 4);
    put32(t + 32, 1);
    return t;
}

// An RSDT (4-byte entries) or XSDT (8-byte entries) listing n tables.
static void make_root(uint64_t pa, const char *sig, const uint64_t *tables, int n) {
    int size = sig[0] == 'X' ? 8 : 4;
    uint8_t *t = make_table(pa, sig, 36 + n * size, 1);
    for (int i = 0; i < n; i++) {
        if (size == 8) put64(t + 36 + 8 * i, tables[i]);
        else put32(t + 36 + 4 * i, (uint32_t)tables[i]);
    }
    finish(pa);
}

static void make_dummy(uint64_t pa, const char *sig) { make_table(pa, sig, 40, 1); finish(pa); }

static void make_dsdt(uint64_t pa, const uint8_t *aml, size_t n) {
    uint8_t *t = make_table(pa, "DSDT", (uint32_t)(36 + n), 1);
    memcpy(t + 36, aml, n);
    finish(pa);
}

// A synthetic FADT: revision 3 and 244 bytes long (like QEMU q35's) unless changed after.
static uint8_t *make_fadt(uint64_t pa, uint32_t dsdt, uint16_t pm1a, uint16_t pm1b) {
    uint8_t *f = make_table(pa, "FACP", 244, 3);
    put32(f + 40, dsdt);
    put32(f + 64, pm1a);
    put32(f + 68, pm1b);
    finish(pa);
    return f;
}

// Real tables. The FADTs are byte for byte what QEMU 7.2's firmware installed.
static const uint8_t q35_seabios_fadt[244] = {
    0x46, 0x41, 0x43, 0x50, 0xf4, 0x00, 0x00, 0x00, 0x03, 0x28, 0x42, 0x4f, 0x43, 0x48, 0x53, 0x20,
    0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x07, 0x40, 0x00, 0xfe, 0x07, 0x01, 0x00, 0x09, 0x00,
    0xb2, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x04, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x06, 0x00, 0x00,
    0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x04, 0x10, 0x00, 0x00, 0x00,
    0xff, 0x0f, 0xff, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x32, 0x02, 0x00, 0x00,
    0xa5, 0x84, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0xf9, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0xfe, 0x07,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x10, 0x00, 0x00,
    0x04, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x20, 0x00, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00,
    0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
};
static const uint8_t pc_ovmf_fadt[116] = {
    0x46, 0x41, 0x43, 0x50, 0x74, 0x00, 0x00, 0x00, 0x01, 0xab, 0x42, 0x4f, 0x43, 0x48, 0x53, 0x20,
    0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43,
    0x01, 0x00, 0x00, 0x00, 0x00, 0xd0, 0x7d, 0x0f, 0x00, 0xb0, 0x77, 0x0f, 0x01, 0x00, 0x09, 0x00,
    0xb2, 0x00, 0x00, 0x00, 0xf1, 0xf0, 0x00, 0x00, 0x00, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x04, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0xb0, 0x00, 0x00,
    0xe0, 0xaf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x04, 0x04, 0x00, 0x00, 0x00,
    0xff, 0x0f, 0xff, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x32, 0x00, 0x00, 0x00,
    0xa5, 0x80, 0x00, 0x00,
};
// QEMU's DSDT (pc and q35 alike): Scope(\) { Name(_S3_, Package(4) {One, One, Zero, Zero})
// Name(_S4_, Package(4) {2, 2, Zero, Zero}) Name(_S5_, Package(4) {Zero, Zero, Zero, Zero}) }
static const uint8_t qemu_sx_scope[42] = {
    0x10, 0x29, 0x5c, 0x00, 0x08, 0x5f, 0x53, 0x33, 0x5f, 0x12, 0x06, 0x04, 0x01, 0x01, 0x00,
    0x00, 0x08, 0x5f, 0x53, 0x34, 0x5f, 0x12, 0x08, 0x04, 0x0a, 0x02, 0x0a, 0x02, 0x00, 0x00,
    0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00,
};

// Name(_S5_, Package(count) {elements}) with a PkgLength of `pkglen_bytes` bytes.
static size_t s5_aml(uint8_t *out, const uint8_t *elems, size_t n, uint8_t count, int pkglen_bytes) {
    size_t len = pkglen_bytes + 1 + n, k = 0;
    out[k++] = 0x08;
    memcpy(out + k, "_S5_", 4);
    k += 4;
    out[k++] = 0x12;
    if (pkglen_bytes == 1) {
        out[k++] = (uint8_t)len;
    } else {
        out[k++] = (uint8_t)((pkglen_bytes - 1) << 6 | (len & 0x0f));
        for (int i = 1; i < pkglen_bytes; i++)
            out[k++] = (uint8_t)(len >> (4 + 8 * (i - 1)));
    }
    out[k++] = count;
    memcpy(out + k, elems, n);
    return k + n;
}

// The q35 machine as SeaBIOS sets it up, with the real FADT; the DSDT's AML is the caller's.
#define Q35_RSDP 0xF59E0
#define Q35_RSDT 0x7fe229c
#define Q35_FADT 0x7fe2094
#define Q35_DSDT 0x7fe0040
static void q35_seabios(const uint8_t *aml, size_t n) {
    const uint64_t tables[] = { Q35_FADT, 0x7fe2188, 0x7fe2200, 0x7fe2238, 0x7fe2274 };
    make_rsdp(P(Q35_RSDP), 0, Q35_RSDT, 0);
    make_root(Q35_RSDT, "RSDT", tables, 5);
    memcpy(P(Q35_FADT), q35_seabios_fadt, sizeof q35_seabios_fadt);
    make_dummy(0x7fe2188, "APIC");
    make_dummy(0x7fe2200, "HPET");
    make_dummy(0x7fe2238, "MCFG");
    make_dummy(0x7fe2274, "WAET");
    make_dsdt(Q35_DSDT, aml, n);
}
static void q35_real(void) { q35_seabios(qemu_sx_scope, sizeof qemu_sx_scope); }

static void q35_with_s5(const uint8_t *elems, size_t n, uint8_t count, int pkglen_bytes) {
    uint8_t aml[256];
    q35_seabios(aml, s5_aml(aml, elems, n, count, pkglen_bytes));
}

// ---- The tests

TEST(q35_seabios_real_tables_found_by_bios_scan) {
    reset_machine();
    q35_real();
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->rsdp, Q35_RSDP);
    CHECK_EQ_INT(pw->fadt, Q35_FADT);
    CHECK_EQ_INT(pw->dsdt, Q35_DSDT);
    CHECK_EQ_INT(pw->pm1a_cnt, 0x604);
    CHECK_EQ_INT(pw->pm1b_cnt, 0);
    CHECK_EQ_INT(pw->slp_typa, 0);
    CHECK_EQ_INT(pw->slp_typb, 0);
    CHECK_EQ_INT(pw->smi_cmd, 0xb2);
    CHECK_EQ_INT(pw->acpi_enable, 0x02);
    CHECK(pw->reset_ok);
    CHECK_EQ_INT(pw->reset_port, 0xcf9);
    CHECK_EQ_INT(pw->reset_value, 0x0f);
    CHECK_EQ_STR(log_lines[0], "ACPI: RSDP 0x00000000000F59E0 000014 (v00 BOCHS )\n");
    CHECK_EQ_STR(log_lines[1],
                 "ACPI: RSDT 0x0000000007FE229C 000038 (v01 BOCHS  BXPC     00000001 BXPC 00000001)\n");
    CHECK_EQ_STR(log_lines[2],
                 "ACPI: FACP 0x0000000007FE2094 0000F4 (v03 BOCHS  BXPC     00000001 BXPC 00000001)\n");
    CHECK(starts(log_lines[3], "ACPI: DSDT 0x0000000007FE0040 00004E (v01 BOCHS  BXPC "));
    CHECK(starts(log_lines[4], "ACPI: APIC 0x0000000007FE2188 000028 (v01 BOCHS  BXPC "));
    CHECK_EQ_STR(log_lines[log_n - 1], "ACPI: power-off: PM1a_CNT 0x604 PM1b_CNT none SLP_TYPa 0 "
                                       "SLP_TYPb 0; reset: port 0xcf9 value 0xf\n");
    CHECK_EQ_INT(log_n, 9);
}

TEST(pc_ovmf_real_fadt_found_via_rsdp_address) {
    reset_machine();
    q35_real();                           // a decoy RSDP in the BIOS area: must not be used
    make_rsdp(P(0xf77e000), 0, 0xf77d000, 0);
    const uint64_t tables[] = { 0xf77a000 };
    make_root(0xf77d000, "RSDT", tables, 1);
    memcpy(P(0xf77a000), pc_ovmf_fadt, sizeof pc_ovmf_fadt);
    make_dsdt(0xf77b000, qemu_sx_scope, sizeof qemu_sx_scope);
    bi.rsdp = 0xf77e000;
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->rsdp, 0xf77e000);
    CHECK_EQ_INT(pw->pm1a_cnt, 0xb004);   // PIIX4 with OVMF: not SeaBIOS's 0x604
    CHECK(!pw->reset_ok);                 // a revision 1 FADT has no RESET_REG
    CHECK(logged("ACPI: FACP 0x000000000F77A000 000074 (v01 BOCHS  BXPC     00000001 BXPC 00000001)"));
}

TEST(found_via_rsdp_copy) {
    reset_machine();
    q35_real();
    uint8_t copy[36];
    memcpy(copy, P(Q35_RSDP), 20);
    memset(P(Q35_RSDP), 0, 20);           // only the boot loader's copy is left
    memcpy(bi.rsdp_copy, copy, 20);
    bi.rsdp_copy_len = 20;
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->rsdp, 0);
    CHECK_EQ_INT(pw->fadt, Q35_FADT);
    CHECK(logged("ACPI: RSDP (boot loader's copy) 000014 (v00 BOCHS )"));
}

TEST(bad_rsdp_copy_and_address_fall_back_to_scan) {
    reset_machine();
    q35_real();
    uint8_t copy[20];
    memcpy(copy, P(Q35_RSDP), 20);
    copy[16] ^= 1;                        // the RSDT address, so the checksum is now wrong
    memcpy(bi.rsdp_copy, copy, 20);
    bi.rsdp_copy_len = 20;
    bi.rsdp = 0x5000;                     // zeroes: no signature
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->rsdp, Q35_RSDP);
    CHECK(logged("copy of the RSDP is invalid"));
    CHECK(logged("RSDP at 0x5000 from the boot loader is invalid"));
}

TEST(found_via_ebda_scan_skipping_bad_candidate) {
    reset_machine();
    q35_real();
    memset(P(Q35_RSDP), 0, 20);
    P(0x40E)[0] = 0xC0, P(0x40E)[1] = 0x9F;                   // EBDA at segment 0x9FC0
    make_rsdp(P(0x9FC10), 0, Q35_RSDT + 1, 0);
    P(0x9FC10)[8]++;                                         // bad checksum: skipped
    make_rsdp(P(0x9FC40), 0, Q35_RSDT, 0);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->rsdp, 0x9FC40);
}

TEST(ebda_is_searched_only_in_its_first_kib) {
    reset_machine();
    q35_real();
    memset(P(Q35_RSDP), 0, 20);
    P(0x40E)[0] = 0xC0, P(0x40E)[1] = 0x9F;
    make_rsdp(P(0x9FC00 + 1024), 0, Q35_RSDT, 0);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), -1);
    CHECK(logged("no valid RSDP found"));
}

TEST(bad_rsdp_checksums_rejected) {
    reset_machine();
    q35_real();
    P(Q35_RSDP)[9] = 'b';                 // OEM id changed after the checksum was computed
    CHECK_EQ_INT(acpi_init(&bi, fake_map), -1);
    reset_machine();
    q35_real();
    make_rsdp(P(Q35_RSDP), 2, Q35_RSDT, 0);
    P(Q35_RSDP)[33]++;                    // revision 2: only the extended checksum is wrong
    CHECK_EQ_INT(acpi_init(&bi, fake_map), -1);
}

TEST(xsdt_preferred_over_rsdt_and_rsdt_as_fallback) {
    reset_machine();
    q35_real();
    const uint64_t tables[] = { 0x7fe3000 };
    make_rsdp(P(Q35_RSDP), 2, Q35_RSDT, 0x7fe3800);
    make_root(0x7fe3800, "XSDT", tables, 1);
    make_fadt(0x7fe3000, Q35_DSDT, 0x1234, 0x1240);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->pm1a_cnt, 0x1234);
    CHECK_EQ_INT(pw->pm1b_cnt, 0x1240);
    CHECK(logged("ACPI: XSDT 0x0000000007FE3800 00002C (v01 BOCHS  BXPC"));
    P(0x7fe3800 + 36)[0]++;                  // break the XSDT: the RSDT is used instead
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->pm1a_cnt, 0x604);
    CHECK(logged("XSDT unusable, trying the RSDT"));
}

TEST(table_with_bad_checksum_skipped) {
    reset_machine();
    q35_real();
    const uint64_t tables[] = { 0x7fe3000, Q35_FADT };
    make_root(Q35_RSDT, "RSDT", tables, 2);
    make_fadt(0x7fe3000, Q35_DSDT, 0x1111, 0);
    P(0x7fe3000 + 64)[0]++;                  // the first FADT is corrupt
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->pm1a_cnt, 0x604);
    CHECK(logged("[FACP] at 0x7fe3000, length 244, has an incorrect checksum: skipped"));
}

TEST(tables_running_past_mapped_memory) {
    reset_machine();
    q35_real();
    uint64_t end = SEABIOS_BASE + sizeof seabios_mem;
    const uint64_t tables[] = { end - 40, Q35_FADT, 0xFEC00000 };
    make_root(Q35_RSDT, "RSDT", tables, 3);
    make_table(end - 40, "APIC", 0x1000, 1);                 // longer than what is mapped
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK(logged("[APIC] at 0x7feffd8, length 4096, runs past mapped memory: skipped"));
    CHECK(logged("[????] at 0xfec00000, length 0, is not mapped: skipped"));
    put32(P(Q35_RSDT) + 4, 0x100000);     // now the RSDT itself (its checksum never matters)
    CHECK_EQ_INT(acpi_init(&bi, fake_map), -1);
    CHECK(logged("no usable RSDT or XSDT"));
}

TEST(s5_byte_prefix) {
    reset_machine();
    const uint8_t e[] = { 0x0A, 0x05, 0x0A, 0x07, 0x00, 0x00 };
    q35_with_s5(e, sizeof e, 4, 1);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->slp_typa, 5);
    CHECK_EQ_INT(pw->slp_typb, 7);
}

TEST(s5_one_and_zero_ops) {
    reset_machine();
    const uint8_t e[] = { 0x01, 0x00 };
    q35_with_s5(e, sizeof e, 2, 1);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->slp_typa, 1);
    CHECK_EQ_INT(pw->slp_typb, 0);
}

TEST(s5_word_prefix_and_single_integer) {
    reset_machine();
    const uint8_t w[] = { 0x0B, 0x06, 0x00, 0x0C, 0x03, 0x00, 0x00, 0x00 };
    q35_with_s5(w, sizeof w, 2, 1);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->slp_typa, 6);
    CHECK_EQ_INT(pw->slp_typb, 3);
    reset_machine();
    const uint8_t one[] = { 0x0B, 0x05, 0x07 };              // SLP_TYPb in the second byte
    q35_with_s5(one, sizeof one, 1, 1);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->slp_typa, 5);
    CHECK_EQ_INT(pw->slp_typb, 7);
}

TEST(s5_pkglength_two_and_three_bytes) {
    for (int bytes = 2; bytes <= 3; bytes++) {
        reset_machine();
        uint8_t e[2 * 40];                                   // 40 elements: a long package
        for (int i = 0; i < 40; i++)
            e[2 * i] = 0x0A, e[2 * i + 1] = (uint8_t)(i + 2);
        q35_with_s5(e, sizeof e, 40, bytes);
        CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
        CHECK_EQ_INT(pw->slp_typa, 2);
        CHECK_EQ_INT(pw->slp_typb, 3);
    }
}

TEST(s5_with_root_prefix) {
    reset_machine();
    const uint8_t aml[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 0x05, 0x0A, 0x05 };
    q35_seabios(aml, sizeof aml);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->slp_typa, 5);
}

TEST(dsdt_without_s5) {
    reset_machine();
    q35_seabios(qemu_sx_scope, sizeof qemu_sx_scope - 12);   // ends before Name(_S5_ ...)
    CHECK_EQ_INT(acpi_init(&bi, fake_map), -1);
    CHECK(!pw->s5_ok);
    CHECK(pw->reset_ok);                                     // the reset register still is
    CHECK(logged("power-off unavailable (no usable \\_S5_); reset: port 0xcf9 value 0xf"));
    reset_machine();
    const uint8_t method[] = { 0x14, 0x09, '_', 'S', '5', '_', 0x00, 0xA4, 0x0A, 0x05 };
    q35_seabios(method, sizeof method);                      // Method(_S5_): not evaluable here
    CHECK_EQ_INT(acpi_init(&bi, fake_map), -1);
    CHECK(logged("no \\_S5_ object in the DSDT"));
}

// The DSDT is the last bytes of an exact-size heap block: any read past it is an ASan error.
TEST(truncated_s5_package_is_not_overrun) {
    const uint8_t e[] = { 0x0A, 0x05, 0x0B, 0x07, 0x00 };
    uint8_t aml[64];
    size_t full = s5_aml(aml, e, sizeof e, 2, 2);
    for (size_t cut = 0; cut <= full; cut++) {
        reset_machine();
        q35_seabios(aml, cut);
        regions[3] = (struct region){ 0x20000000, malloc(36 + cut), 36 + cut };
        memcpy(regions[3].mem, P(Q35_DSDT), 36 + cut);
        put32(P(Q35_FADT) + 140, 0x20000000);                // X_DSDT
        finish(Q35_FADT);
        CHECK_EQ_INT(acpi_init(&bi, fake_map), cut == full ? 0 : -1);
    }
    CHECK_EQ_INT(pw->dsdt, 0x20000000);
    CHECK_EQ_INT(pw->slp_typb, 7);
    reset_machine();
    const uint8_t claims_more[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x3F, 0x02, 0x0A, 0x05, 0x0A, 0x05 };
    q35_seabios(claims_more, sizeof claims_more);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), -1);
    CHECK(logged("\\_S5_ package runs past the end of the DSDT"));
}

TEST(fadt_fields_by_revision_and_length) {
    reset_machine();
    q35_real();
    P(Q35_FADT)[8] = 1;                   // revision 1: RESET_REG not defined yet
    finish(Q35_FADT);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK(!pw->reset_ok);
    P(Q35_FADT)[8] = 3;
    P(Q35_FADT)[113] &= ~0x04;            // flags bit 10, RESET_REG_SUP, cleared
    finish(Q35_FADT);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK(!pw->reset_ok);
    P(Q35_FADT)[113] |= 0x04;
    P(Q35_FADT)[116] = 0;                 // RESET_REG in memory space: not supported
    finish(Q35_FADT);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK(!pw->reset_ok);
    CHECK(logged("reset register is not an I/O port (space 0, address 0xcf9)"));
    put32(P(Q35_FADT) + 4, 100);          // shorter than ACPI 1.0's 116 bytes
    finish(Q35_FADT);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), -1);
    CHECK(logged("FADT is only 100 bytes long"));
}

TEST(x_fields_preferred_when_present) {
    reset_machine();
    q35_seabios(qemu_sx_scope, sizeof qemu_sx_scope - 12);   // 32-bit DSDT: no \_S5_
    make_dsdt(0x7fe4000, qemu_sx_scope, sizeof qemu_sx_scope);
    put64(P(Q35_FADT) + 140, 0x7fe4000);                     // X_DSDT: has it
    put32(P(Q35_FADT) + 64, 0);                              // only X_PM1a_CNT_BLK is left
    finish(Q35_FADT);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), 0);
    CHECK_EQ_INT(pw->dsdt, 0x7fe4000);
    CHECK_EQ_INT(pw->pm1a_cnt, 0x604);
}

TEST(no_fadt) {
    reset_machine();
    q35_real();
    memcpy(P(Q35_FADT), "FACQ", 4);
    finish(Q35_FADT);
    CHECK_EQ_INT(acpi_init(&bi, fake_map), -1);
    CHECK(!pw->reset_ok);
    CHECK(logged("power-off unavailable (no FADT); reset: none"));
}

CHECK_MAIN()
