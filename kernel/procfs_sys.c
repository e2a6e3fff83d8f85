// procfs_sys.c: the files of /proc about the whole machine, in Linux's formats
// (fs/proc/stat.c, loadavg.c, meminfo.c, arch/x86/kernel/cpu/proc.c, kernel/sysctl.c):
// what free, uptime, top, nproc and hostname read.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "bklstat.h"
#include "errno.h"
#include "flock.h"
#include "fs.h"
#include "kmalloc.h"
#include "loadavg.h"
#include "memlayout.h"
#include "mount.h"
#include "page_alloc.h"
#include "proc.h"
#include "procfs.h"
#include "sched.h"
#include "smp.h"
#include "string.h"
#include "time.h"
#include "trace.h"
#include "trap.h"
#include "uts.h"
#include "x86.h"

enum {
    G_SELF, G_MEMINFO, G_UPTIME, G_LOADAVG, G_STAT, G_CPUINFO, G_VERSION, G_CMDLINE, G_MOUNTS,
    G_FILESYSTEMS, G_TRACE, G_SYS, G_SYS_KERNEL, G_HOSTNAME, G_OSTYPE, G_OSRELEASE, G_PID_MAX,
    G_NGROUPS_MAX, G_THREADS_MAX, G_SLABINFO, G_INTERRUPTS, G_LOCKS, G_BKL_STAT, G_NGLOBAL
};

#define DIR_  (S_IFDIR | 0555)
#define FILE_ (S_IFREG | 0444)
const struct procfs_global procfs_globals[G_NGLOBAL] = {
    [G_SELF] = { "self", -1, S_IFLNK | 0777 },
    [G_MEMINFO] = { "meminfo", -1, FILE_ },       [G_UPTIME] = { "uptime", -1, FILE_ },
    [G_LOADAVG] = { "loadavg", -1, FILE_ },       [G_STAT] = { "stat", -1, FILE_ },
    [G_CPUINFO] = { "cpuinfo", -1, FILE_ },       [G_VERSION] = { "version", -1, FILE_ },
    [G_CMDLINE] = { "cmdline", -1, FILE_ },       [G_MOUNTS] = { "mounts", -1, FILE_ },
    [G_FILESYSTEMS] = { "filesystems", -1, FILE_ }, [G_TRACE] = { "trace", -1, FILE_ },
    [G_SYS] = { "sys", -1, DIR_ },                [G_SYS_KERNEL] = { "kernel", G_SYS, DIR_ },
    [G_HOSTNAME] = { "hostname", G_SYS_KERNEL, S_IFREG | 0644 },
    [G_OSTYPE] = { "ostype", G_SYS_KERNEL, FILE_ },
    [G_OSRELEASE] = { "osrelease", G_SYS_KERNEL, FILE_ },
    [G_PID_MAX] = { "pid_max", G_SYS_KERNEL, FILE_ },
    [G_NGROUPS_MAX] = { "ngroups_max", G_SYS_KERNEL, FILE_ },
    [G_THREADS_MAX] = { "threads-max", G_SYS_KERNEL, FILE_ },
    [G_SLABINFO] = { "slabinfo", -1, S_IFREG | 0400 },
    [G_INTERRUPTS] = { "interrupts", -1, FILE_ },
    [G_LOCKS] = { "locks", -1, FILE_ },
    [G_BKL_STAT] = { "bkl_stat", -1, S_IFREG | 0644 },    // Lantern's own (bklstat.c)
};
const int procfs_nglobals = G_NGLOBAL;

static const char *kernel_cmdline, *kernel_version;

void procfs_sys_init(const char *cmdline, const char *version) {
    kernel_cmdline = cmdline;
    kernel_version = version;
}

int procfs_self_index(void) { return G_SELF; }

// Seconds with two decimals, as /proc/uptime shows them, from ticks.
#define SECS(t) (unsigned long long)((t) / HZ), (unsigned long long)((t) % HZ * 100 / HZ)

static uint64_t idle_ticks(void) {
    uint64_t idle = 0;
    for (int c = 0; c < nr_cpus_online(); c++)
        idle += cpu_stats[c].idle;
    return idle;
}

// /proc/stat: time per CPU in ticks (user nice system idle iowait irq softirq steal guest
// guest_nice), then interrupts, context switches, boot time, and processes.
static int gen_stat(char *buf, size_t size) {
    struct cpu_stat all = { 0 };
    for (int c = 0; c < nr_cpus_online(); c++) {
        all.user += cpu_stats[c].user;
        all.system += cpu_stats[c].system;
        all.idle += cpu_stats[c].idle;
        all.ctxt += cpu_stats[c].ctxt;
    }
    int n = snprintf(buf, size, "cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", (unsigned long long)all.user,
                     (unsigned long long)all.system, (unsigned long long)all.idle);
    for (int c = 0; c < nr_cpus_online() && n < (int)size; c++)
        n += snprintf(buf + n, size - n, "cpu%d %llu 0 %llu %llu 0 0 0 0 0 0\n", c,
                      (unsigned long long)cpu_stats[c].user, (unsigned long long)cpu_stats[c].system,
                      (unsigned long long)cpu_stats[c].idle);
    uint64_t irqs = 0;
    for (int i = 0; i < 16; i++)
        irqs += irq_count(i);
    if (n < (int)size)
        n += snprintf(buf + n, size - n, "intr %llu", (unsigned long long)irqs);
    for (int i = 0; i < 16 && n < (int)size; i++)
        n += snprintf(buf + n, size - n, " %llu", (unsigned long long)irq_count(i));
    int running, total;
    loadavg_count(&running, &total);
    int64_t boot = time_realtime_offset_ns() / 1000000000;
    if (n < (int)size)       // processes: pids count up, one per fork or thread, from 1
        n += snprintf(buf + n, size - n, "\nctxt %llu\nbtime %lld\nprocesses %d\nprocs_running %d\n"
                      "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n", (unsigned long long)all.ctxt,
                      (long long)boot, proc_last_pid(), running);
    return n;
}

// ---------------------------------------------------------------- /proc/interrupts

// /proc/interrupts: how many of each interrupt each CPU took, in Linux's layout (a column
// per CPU). The legacy IRQs all go to CPU 0 (smp.c routes them there); the local APIC's
// own come to every CPU: its timer, and the other CPUs' messages - a reschedule (a wakeup,
// or the BKL let go: smp.c) and a TLB shootdown. Each CPU writes its own counters alone,
// without a lock (trap.c); a reader may see one a moment old.
static int gen_interrupts(char *buf, size_t size) {
    static const struct { const char *label, *what; size_t field; } lapic[] = {
        { "LOC", "Local timer interrupts", offsetof(struct cpu_stat, local_timer) },
        { "RES", "Rescheduling interrupts", offsetof(struct cpu_stat, resched) },
        { "TLB", "TLB shootdowns", offsetof(struct cpu_stat, tlb) },
    };
    int cpus = nr_cpus_online(), n = snprintf(buf, size, "%11s", "");
    for (int c = 0; c < cpus && n < (int)size; c++)
        n += snprintf(buf + n, size - n, "CPU%-8d", c);
    for (int irq = 0; irq < 16 && n < (int)size; irq++) {
        if (!irq_name(irq))
            continue;
        n += snprintf(buf + n, size - n, "\n%3d: ", irq);
        for (int c = 0; c < cpus && n < (int)size; c++)
            n += snprintf(buf + n, size - n, "%10llu ", c ? 0ull : (unsigned long long)irq_count(irq));
        if (n < (int)size)
            n += snprintf(buf + n, size - n, " %8s %3d-%-8s  %s",
                          irq_apic_mode() ? "IO-APIC" : "XT-PIC", irq, "edge", irq_name(irq));
    }
    for (size_t i = 0; i < sizeof lapic / sizeof lapic[0] && n < (int)size; i++) {
        n += snprintf(buf + n, size - n, "\n%3s: ", lapic[i].label);
        for (int c = 0; c < cpus && n < (int)size; c++) {
            const char *stat = (const char *)&cpu_stats[c] + lapic[i].field;
            n += snprintf(buf + n, size - n, "%10llu ", (unsigned long long)*(const uint64_t *)stat);
        }
        if (n < (int)size)
            n += snprintf(buf + n, size - n, "  %s", lapic[i].what);
    }
    if (n < (int)size)
        n += snprintf(buf + n, size - n, "\n");
    return n;
}

// ---------------------------------------------------------------- /proc/cpuinfo

// Linux's names for CPUID's feature bits, in the order Linux lists its words.
struct feature_word { uint32_t leaf; int reg; const char *names[32]; };   // reg: 0 ebx 1 ecx 2 edx
static const struct feature_word feature_words[] = {
    { 1, 2, { "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", 0, "sep",
              "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", 0, "dts", "acpi",
              "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
    { 0x80000001, 2, { [11] = "syscall", [19] = "mp", [20] = "nx", [22] = "mmxext",
                       [25] = "fxsr_opt", [26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm",
                       [30] = "3dnowext", [31] = "3dnow" } },
    { 1, 1, { "pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est", "tm2",
              "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", 0, "pcid", "dca", "sse4_1",
              "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes", "xsave", 0,
              "avx", "f16c", "rdrand", "hypervisor" } },
    { 0x80000001, 1, { "lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a",
                       "misalignsse", "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", 0,
                       "lwp", "fma4", "tce", 0, "nodeid_msr", 0, "tbm", "topoext", "perfctr_core",
                       "perfctr_nb", 0, "bpext", "ptsc", "perfctr_llc", "mwaitx" } },
    { 7, 0, { "fsgsbase", "tsc_adjust", 0, "bmi1", "hle", "avx2", 0, "smep", "bmi2", "erms",
              "invpcid", "rtm", "cqm", 0, "mpx", 0, "avx512f", "avx512dq", "rdseed", "adx",
              "smap", "avx512ifma", 0, "clflushopt", "clwb", 0, "avx512pf", "avx512er",
              "avx512cd", "sha_ni", "avx512bw", "avx512vl" } },
    { 7, 1, { [1] = "avx512vbmi", [2] = "umip", [3] = "pku", [6] = "avx512_vbmi2", [8] = "gfni",
              [9] = "vaes", [10] = "vpclmulqdq", [11] = "avx512_vnni", [12] = "avx512_bitalg",
              [14] = "avx512_vpopcntdq", [16] = "la57", [22] = "rdpid", [25] = "cldemote",
              [27] = "movdiri", [28] = "movdir64b" } },
};

static uint32_t cpuid_reg(uint32_t leaf, int reg) {
    uint32_t r[4], max;
    cpuid(leaf & 0x80000000, 0, &max, &r[0], &r[1], &r[2]);
    if (leaf > max)
        return 0;
    cpuid(leaf, 0, &r[3], &r[0], &r[1], &r[2]);
    return r[reg];
}

static int gen_flags(char *buf, size_t size) {
    int n = 0;
    for (size_t w = 0; w < sizeof feature_words / sizeof feature_words[0]; w++) {
        uint32_t bits = cpuid_reg(feature_words[w].leaf, feature_words[w].reg);
        for (int b = 0; b < 32 && n < (int)size; b++)
            if ((bits & (1u << b)) && feature_words[w].names[b])
                n += snprintf(buf + n, size - n, "%s%s", n ? " " : "", feature_words[w].names[b]);
    }
    return n;
}

// One CPU's block. CPUID answers for the CPU running this: with SMP, each CPU's answers
// must be collected on it (they are the same on the machines QEMU makes) - all but its
// local APIC's id, which smp.c noted for each CPU at bring-up.
static int gen_cpu_block(int cpu, char *buf, size_t size) {
    uint32_t max, vendor[4] = { 0 }, sig, misc, ecx, edx, brand[13] = { 0 };
    cpuid(0, 0, &max, &vendor[0], &vendor[2], &vendor[1]);
    cpuid(1, 0, &sig, &misc, &ecx, &edx);
    uint32_t family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;
    if (family == 0xf)
        family += (sig >> 20) & 0xff;
    if (family >= 6)
        model += ((sig >> 16) & 0xf) << 4;
    uint32_t ext_max, a, b, c, d;
    cpuid(0x80000000, 0, &ext_max, &b, &c, &d);
    for (uint32_t i = 0; i < 3 && ext_max >= 0x80000004; i++)
        cpuid(0x80000002 + i, 0, &brand[4 * i], &brand[4 * i + 1], &brand[4 * i + 2], &brand[4 * i + 3]);
    const char *name = (const char *)brand;
    while (*name == ' ')
        name++;
    uint32_t phys = 36, virt = 48;
    if (ext_max >= 0x80000008) {
        cpuid(0x80000008, 0, &a, &b, &c, &d);
        phys = a & 0xff;
        virt = (a >> 8) & 0xff;
    }
    uint64_t khz = time_tsc_khz();
    uint64_t bogo = khz * 2 / 10;        // bogomips, in hundredths: twice the MHz
    int n = snprintf(buf, size,
        "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\n"
        "stepping\t: %u\ncpu MHz\t\t: %llu.%03llu\nphysical id\t: 0\nsiblings\t: %d\n"
        "core id\t\t: %d\ncpu cores\t: %d\napicid\t\t: %u\ninitial apicid\t: %u\nfpu\t\t: yes\n"
        "fpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\nflags\t\t: ",
        cpu, (const char *)vendor, family, model, *name ? name : "unknown", sig & 0xf,
        (unsigned long long)(khz / 1000), (unsigned long long)(khz % 1000), nr_cpus_online(), cpu,
        nr_cpus_online(), cpus[cpu].apic_id, cpus[cpu].apic_id, max);
    if (n < (int)size)
        n += gen_flags(buf + n, size - n);
    if (n < (int)size)
        n += snprintf(buf + n, size - n,
                      "\nbogomips\t: %llu.%02llu\nclflush size\t: %u\ncache_alignment\t: %u\n"
                      "address sizes\t: %u bits physical, %u bits virtual\npower management:\n\n",
                      (unsigned long long)(bogo / 100), (unsigned long long)(bogo % 100),
                      ((misc >> 8) & 0xff) * 8, ((misc >> 8) & 0xff) * 8, phys, virt);
    return n;
}

static int gen_cpuinfo(char *buf, size_t size) {
    int n = 0;
    for (int c = 0; c < nr_cpus_online() && n < (int)size; c++)
        n += gen_cpu_block(c, buf + n, size - n);
    return n;
}

// ---------------------------------------------------------------- the others

static int gen_meminfo(char *buf, size_t size) {
    // tmpfs's pages are Linux's Shmem, counted in Cached; MemFree leaves them out already.
    unsigned long long total = nr_managed_pages() * 4, free = nr_free_pages() * 4,
                       shmem = fs_pages_used() * 4;
    return snprintf(buf, size, "MemTotal:       %8llu kB\nMemFree:        %8llu kB\n"
                    "MemAvailable:   %8llu kB\nBuffers:               0 kB\nCached:         %8llu kB\n"
                    "SwapCached:            0 kB\nShmem:          %8llu kB\nSReclaimable:          0 kB\n"
                    "SwapTotal:             0 kB\nSwapFree:              0 kB\n", total, free, free,
                    shmem, shmem);
}

// /proc/loadavg: the 1, 5 and 15 minute load averages with two decimals (rounded, as
// Linux's: + 0.005), the threads running or runnable / all threads, and the last pid used.
static int gen_loadavg(char *buf, size_t size) {
    uint64_t avg[3];
    loadavg_get(avg);
    int n = 0, running, total;
    for (int i = 0; i < 3; i++) {
        uint64_t a = avg[i] + FIXED_1 / 200;
        n += snprintf(buf + n, size - n, "%llu.%02llu ", (unsigned long long)(a >> FSHIFT),
                      (unsigned long long)(((a & (FIXED_1 - 1)) * 100) >> FSHIFT));
    }
    loadavg_count(&running, &total);
    return n + snprintf(buf + n, size - n, "%d/%d %d\n", running, total, proc_last_pid());
}

// Linux's slabinfo 2.1 (mm/slab_common.c), for the caches that keep memory no object uses:
// the process table (task_struct: struct procs are kept for reuse, proc.c) and kmalloc's
// size classes. The fuzzer's leak check (user/fuzz.c) subtracts what they hold.
static int slab_line(char *buf, size_t size, const char *name, uint64_t active, uint64_t objects,
                     uint64_t objsize, unsigned per_slab, unsigned pages, uint64_t slabs) {
    return snprintf(buf, size, "%-17s %6llu %6llu %6llu %4u %4u : tunables %4u %4u %4u : "
                    "slabdata %6llu %6llu %6u\n", name, (unsigned long long)active,
                    (unsigned long long)objects, (unsigned long long)objsize, per_slab, pages,
                    0u, 0u, 0u, (unsigned long long)slabs, (unsigned long long)slabs, 0u);
}

static int gen_slabinfo(char *buf, size_t size) {
    int n = snprintf(buf, size, "slabinfo - version: 2.1\n# name            <active_objs> "
                     "<num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> "
                     "<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> "
                     "<sharedavail>\n");
    struct proc_table_info t = proc_table_info();
    n += slab_line(buf + n, size - (size_t)n, "task_struct", t.in_use, t.entries, t.entry_bytes,
                   1, (unsigned)((t.entry_bytes + PAGE_SIZE - 1) / PAGE_SIZE), t.entries);
    for (unsigned c = KMALLOC_CLASSES; c-- > 0 && n < (int)size;) {
        struct kmalloc_class k = kmalloc_class_info(c);
        char name[24];
        snprintf(name, sizeof name, "kmalloc-%zu", k.size);
        n += slab_line(buf + n, size - (size_t)n, name, k.active, k.objects, k.size, k.per_slab,
                       1, k.slabs);
    }
    return n < (int)size ? n : (int)size - 1;
}

int procfs_gen_global(int g, char *buf, size_t size) {
    uint64_t ticks = time_since_boot_ns() / (1000000000 / HZ);
    switch (g) {
    case G_SELF:    return snprintf(buf, size, "%d", current()->tgid);
    case G_MEMINFO: return gen_meminfo(buf, size);
    case G_UPTIME:  return snprintf(buf, size, "%llu.%02llu %llu.%02llu\n", SECS(ticks), SECS(idle_ticks()));
    case G_LOADAVG:  return gen_loadavg(buf, size);
    case G_STAT:    return gen_stat(buf, size);
    case G_INTERRUPTS: return gen_interrupts(buf, size);
    case G_CPUINFO: return gen_cpuinfo(buf, size);
    case G_VERSION: return snprintf(buf, size, "%s\n", kernel_version);
    case G_CMDLINE: return snprintf(buf, size, "%s\n", kernel_cmdline);
    case G_MOUNTS:  return mount_table(buf, size);
    case G_FILESYSTEMS:
        return snprintf(buf, size, "nodev\tsysfs\nnodev\tramfs\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\n");
    case G_TRACE:                        // reading it writes the event trace out (COM2)
        if (!trace_on)
            return snprintf(buf, size, "trace: off (boot with 'trace' on the command line)\n");
        return snprintf(buf, size, "trace: %ld events written to COM2\n", trace_dump());
    case G_HOSTNAME:    return snprintf(buf, size, "%s\n", uts_hostname());
    case G_OSTYPE:      return snprintf(buf, size, "%s\n", UTS_SYSNAME);
    case G_OSRELEASE:   return snprintf(buf, size, "%s\n", UTS_RELEASE);
    case G_PID_MAX:     return snprintf(buf, size, "%d\n", pid_max);
    case G_THREADS_MAX: return snprintf(buf, size, "%d\n", max_threads());
    case G_SLABINFO: return gen_slabinfo(buf, size);
    case G_LOCKS:    return flock_proc_locks(buf, (int)size);   // flock.c
    case G_BKL_STAT: return bklstat_show(buf, size);
    case G_NGROUPS_MAX: return snprintf(buf, size, "%d\n", CRED_NGROUPS);
    default:            return 0;
    }
}

// Writing 0 to /proc/bkl_stat clears its counts, as Linux's /proc/lock_stat; anything else
// is EINVAL.
static long write_bkl_stat(const char *buf, size_t n) {
    if (n == 0 || buf[0] != '0' || (n > 1 && buf[1] != '\n') || n > 2)
        return -EINVAL;
    bklstat_clear();
    return (long)n;
}

// Writing /proc/sys/kernel/hostname, as Linux's proc_dostring: the text up to a newline or
// NUL is the new name (cut at 64 bytes); a write further on appends to what is there. A
// write of 0 bytes changes nothing, here or in /proc/bkl_stat (proc_dostring's and
// lock_stat's rule).
long procfs_write_global(int g, uint64_t off, const char *buf, size_t n) {
    if (n == 0)
        return 0;
    if (g == G_BKL_STAT)
        return write_bkl_stat(buf, n);
    if (g != G_HOSTNAME)
        return -EIO;
    char name[UTS_LEN + 1];
    size_t have = strlen(uts_hostname());
    if (off > have)
        return (long)n;                  // past the end: nothing changes (Linux's strict mode)
    memcpy(name, uts_hostname(), (size_t)off);
    size_t len = (size_t)off;
    for (size_t i = 0; i < n && buf[i] != '\n' && buf[i] != '\0' && len < UTS_LEN; i++)
        name[len++] = buf[i];
    long err = uts_set_hostname(name, len);
    return err ? err : (long)n;
}
