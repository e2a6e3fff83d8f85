// sysfs.c: /sys, the few files of Linux's sysfs that programs read to learn the machine.
//
// Linux's sysfs shows every device, driver and kernel object; programs mostly read a
// handful of its files: glibc's get_nprocs reads /sys/devices/system/cpu/online first,
// get_nprocs_conf counts the cpuN directories next to it, Go's runtime reads
// transparent_hugepage/hpage_pmd_size, lscpu reads the topology. Those are here, in
// Linux's formats, under Linux's top-level directories (the others are empty):
//
//   /sys/devices/system/cpu/{online,possible,present,offline,kernel_max}
//   /sys/devices/system/cpu/cpuN/{online,topology/...}     (no online file for cpu0)
//   /sys/kernel/mm/transparent_hugepage/{enabled,defrag,hpage_pmd_size}
//   /sys/{block,bus,class,dev,firmware,fs/cgroup,module,power}: empty
//
// The tree is a table (entries below), fixed once the CPUs are counted: so every file has
// one inode for good, made the first time it is looked up and never freed (nlink 1). An
// entry under cpuN stands for one per CPU: its inode is per (entry, CPU). Every file is
// read-only and made when read (fs.h: generate), as /proc's are. Mounted with
// mount -t sysfs sysfs /sys, on an empty directory, one mount at a time.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "errno.h"
#include "fs.h"
#include "kmalloc.h"
#include "memlayout.h"
#include "mount.h"
#include "percpu.h"
#include "sched.h"
#include "string.h"

enum {
    S_BLOCK, S_BUS, S_CLASS, S_DEV, S_DEVICES, S_FIRMWARE, S_FS, S_KERNEL, S_MODULE, S_POWER,
    S_CGROUP, S_SYSTEM, S_CPU, S_ONLINE, S_POSSIBLE, S_PRESENT, S_OFFLINE, S_KERNEL_MAX,
    S_CPUN, S_CPUN_ONLINE, S_TOPOLOGY, S_CORE_ID, S_PACKAGE_ID, S_DIE_ID, S_CORE_CPUS,
    S_THREAD_SIBLINGS, S_CORE_SIBLINGS, S_PACKAGE_CPUS, S_MM, S_THP, S_THP_ENABLED,
    S_THP_DEFRAG, S_THP_PMD_SIZE, S_NENTRIES
};

#define DIR_  (S_IFDIR | 0755)
#define FILE_ (S_IFREG | 0444)
#define ROOT  (-1)                   // the parent of the top-level entries: /sys itself

struct sysfs_entry {
    const char *name;                // under cpuN: the name; S_CPUN itself: "cpu" + number
    int parent;
    uint32_t mode;
};

static const struct sysfs_entry entries[S_NENTRIES] = {
    [S_BLOCK] = { "block", ROOT, DIR_ },       [S_BUS] = { "bus", ROOT, DIR_ },
    [S_CLASS] = { "class", ROOT, DIR_ },       [S_DEV] = { "dev", ROOT, DIR_ },
    [S_DEVICES] = { "devices", ROOT, DIR_ },   [S_FIRMWARE] = { "firmware", ROOT, DIR_ },
    [S_FS] = { "fs", ROOT, DIR_ },             [S_KERNEL] = { "kernel", ROOT, DIR_ },
    [S_MODULE] = { "module", ROOT, DIR_ },     [S_POWER] = { "power", ROOT, DIR_ },
    [S_CGROUP] = { "cgroup", S_FS, DIR_ },
    [S_SYSTEM] = { "system", S_DEVICES, DIR_ },
    [S_CPU] = { "cpu", S_SYSTEM, DIR_ },
    [S_ONLINE] = { "online", S_CPU, FILE_ },   [S_POSSIBLE] = { "possible", S_CPU, FILE_ },
    [S_PRESENT] = { "present", S_CPU, FILE_ }, [S_OFFLINE] = { "offline", S_CPU, FILE_ },
    [S_KERNEL_MAX] = { "kernel_max", S_CPU, FILE_ },
    [S_CPUN] = { "cpu", S_CPU, DIR_ },
    [S_CPUN_ONLINE] = { "online", S_CPUN, S_IFREG | 0644 },
    [S_TOPOLOGY] = { "topology", S_CPUN, DIR_ },
    [S_CORE_ID] = { "core_id", S_TOPOLOGY, FILE_ },
    [S_PACKAGE_ID] = { "physical_package_id", S_TOPOLOGY, FILE_ },
    [S_DIE_ID] = { "die_id", S_TOPOLOGY, FILE_ },
    [S_CORE_CPUS] = { "core_cpus_list", S_TOPOLOGY, FILE_ },
    [S_THREAD_SIBLINGS] = { "thread_siblings_list", S_TOPOLOGY, FILE_ },
    [S_CORE_SIBLINGS] = { "core_siblings_list", S_TOPOLOGY, FILE_ },
    [S_PACKAGE_CPUS] = { "package_cpus_list", S_TOPOLOGY, FILE_ },
    [S_MM] = { "mm", S_KERNEL, DIR_ },
    [S_THP] = { "transparent_hugepage", S_MM, DIR_ },
    [S_THP_ENABLED] = { "enabled", S_THP, S_IFREG | 0644 },
    [S_THP_DEFRAG] = { "defrag", S_THP, S_IFREG | 0644 },
    [S_THP_PMD_SIZE] = { "hpage_pmd_size", S_THP, FILE_ },
};

static const struct fs_mount_ops sysfs_ops;
static struct inode *sys_root;       // the directory sysfs is mounted on, or NULL
// The inodes, made on first lookup, never freed: [entry][CPU] (CPU 0 for an entry not
// under cpuN). Under the BKL, as every lookup is.
static struct inode *inodes[S_NENTRIES][MAX_CPUS];

#define KEY(e, cpu) ((uint64_t)(e) << 8 | (uint64_t)(cpu))
#define KEY_ENTRY(key) ((int)((key) >> 8))
#define KEY_CPU(key) ((int)((key) & 0xff))
#define KEY_ROOT ((uint64_t)S_NENTRIES << 8)

static bool per_cpu(int e) {
    for (; e != ROOT; e = entries[e].parent)
        if (e == S_CPUN)
            return true;
    return false;
}

// Does entry e exist for this CPU? cpu0 has no online file: Linux cannot take it offline.
static bool exists(int e, int cpu) {
    return e != S_CPUN_ONLINE || cpu != 0;
}

static bool same_name(const char *a, const char *name, size_t len) {
    return strlen(a) == len && memcmp(a, name, len) == 0;
}

// "cpu" followed by the number of a CPU that is up: that number, else -1.
static int cpu_dir_number(const char *name, size_t len) {
    if (len < 4 || len > 5 || memcmp(name, "cpu", 3) || (len == 5 && name[3] == '0'))
        return -1;
    int n = 0;
    for (size_t i = 3; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        n = n * 10 + (name[i] - '0');
    }
    return n < nr_cpus_online() ? n : -1;
}

static struct inode *inode_of(int e, int cpu, struct inode *parent) {
    struct inode **slot = &inodes[e][cpu];
    if (!*slot) {
        struct inode *ip = kzalloc(sizeof *ip);
        if (!ip)
            return NULL;
        ip->refcount = 1;            // ours, for good (and nlink keeps fs_put from freeing it)
        ip->mnt = &sysfs_ops;
        ip->key = KEY(e, cpu);
        ip->ino = 0x2000 + (uint64_t)e * MAX_CPUS + (uint64_t)cpu;
        ip->mode = entries[e].mode;
        ip->nlink = S_ISDIR(ip->mode) ? 2 : 1;
        ip->size = S_ISDIR(ip->mode) ? 0 : PAGE_SIZE;   // Linux's sysfs says a page for a file
        ip->atime = ip->mtime = ip->ctime = fs_now();
        *slot = ip;
    }
    if (S_ISDIR((*slot)->mode))
        (*slot)->dir.parent = parent;    // its ".." (the mount point may have moved)
    return *slot;
}

static int dir_entry(struct inode *dir) {
    return dir->key == KEY_ROOT ? ROOT : KEY_ENTRY(dir->key);
}

static int sysfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out) {
    int d = dir_entry(dir), cpu = dir->key == KEY_ROOT ? 0 : KEY_CPU(dir->key);
    for (int e = 0; e < S_NENTRIES; e++) {
        if (entries[e].parent != d)
            continue;
        if (e == S_CPUN) {
            if ((cpu = cpu_dir_number(name, len)) < 0)
                continue;
        } else if (!same_name(entries[e].name, name, len) || !exists(e, cpu)) {
            continue;
        }
        *out = inode_of(e, per_cpu(e) ? cpu : 0, dir);
        return *out ? 0 : -ENOMEM;
    }
    return -ENOENT;
}

// Positions: 2 + entry * MAX_CPUS + CPU, in table order (cpuN once per CPU).
static int sysfs_readdir(struct inode *dir, uint64_t *pos, struct fs_dirent *out) {
    int d = dir_entry(dir), dcpu = dir->key == KEY_ROOT ? 0 : KEY_CPU(dir->key);
    for (; *pos < 2 + (uint64_t)S_NENTRIES * MAX_CPUS; (*pos)++) {
        int e = (int)((*pos - 2) / MAX_CPUS), cpu = (int)((*pos - 2) % MAX_CPUS);
        if (entries[e].parent != d)
            continue;
        if (e == S_CPUN ? cpu >= nr_cpus_online() : cpu != 0 || !exists(e, dcpu))
            continue;
        int c = e == S_CPUN ? cpu : per_cpu(e) ? dcpu : 0;
        out->ino = 0x2000 + (uint64_t)e * MAX_CPUS + (uint64_t)c;
        out->type = (uint8_t)((entries[e].mode & S_IFMT) >> 12);
        if (e == S_CPUN)
            snprintf(out->name, sizeof out->name, "cpu%d", cpu);
        else
            strlcpy(out->name, entries[e].name, sizeof out->name);
        *pos += 1;
        return 1;
    }
    return 0;
}

// "0-3", or "0" with one CPU: Linux's cpulist format.
static int cpu_list(char *buf, size_t size, int first, int last) {
    return first == last ? snprintf(buf, size, "%d\n", first)
                         : snprintf(buf, size, "%d-%d\n", first, last);
}

// A file's text. Every CPU is in one package, a core of its own (as /proc/cpuinfo says).
static int show(int e, int cpu, char *buf, size_t size) {
    int last = nr_cpus_online() - 1;
    switch (e) {
    case S_ONLINE: case S_POSSIBLE: case S_PRESENT: case S_CORE_SIBLINGS: case S_PACKAGE_CPUS:
        return cpu_list(buf, size, 0, last);
    case S_OFFLINE:         return snprintf(buf, size, "\n");
    case S_KERNEL_MAX:      return snprintf(buf, size, "%d\n", MAX_CPUS - 1);
    case S_CPUN_ONLINE:     return snprintf(buf, size, "1\n");
    case S_CORE_ID:         return snprintf(buf, size, "%d\n", cpu);
    case S_PACKAGE_ID: case S_DIE_ID: return snprintf(buf, size, "0\n");
    case S_CORE_CPUS: case S_THREAD_SIBLINGS: return cpu_list(buf, size, cpu, cpu);
    case S_THP_ENABLED:     return snprintf(buf, size, "always madvise [never]\n");
    case S_THP_DEFRAG:      return snprintf(buf, size, "always defer defer+madvise madvise [never]\n");
    case S_THP_PMD_SIZE:    return snprintf(buf, size, "%d\n", 2 * 1024 * 1024);
    default:                return -EIO;
    }
}

static long sysfs_generate(struct inode *ip, char **text) {
    if (S_ISDIR(ip->mode))
        return -EISDIR;
    char *buf = kmalloc(64);
    if (!buf)
        return -ENOMEM;
    int len = show(KEY_ENTRY(ip->key), KEY_CPU(ip->key), buf, 64);
    if (len < 0)
        kfree(buf);
    else
        *text = buf;
    return len;
}

// Nothing here can be changed: THP is never on, no CPU goes offline. Linux refuses a
// write of something it does not accept with EINVAL.
static long sysfs_write(struct inode *ip, uint64_t off, const void *buf, size_t n) {
    (void)ip, (void)off, (void)buf, (void)n;
    return -EINVAL;
}

// The file's path, for /proc/<pid>/fd: the mount point's, then the entries' names.
static long sysfs_path(struct inode *ip, char *buf, size_t size) {
    long at = sys_root ? fs_dir_path(sys_root, buf, size) : -ENOENT;
    if (at < 0)
        return at;
    size_t n = strlen(buf + at);
    memmove(buf, buf + at, n + 1);
    int chain[16], depth = 0, cpu = KEY_CPU(ip->key);
    for (int e = KEY_ENTRY(ip->key); e != ROOT && depth < 16; e = entries[e].parent)
        chain[depth++] = e;
    while (depth-- > 0 && n < size) {
        int e = chain[depth];
        n += e == S_CPUN ? snprintf(buf + n, size - n, "/cpu%d", cpu)
                         : snprintf(buf + n, size - n, "/%s", entries[e].name);
    }
    return n < size ? (long)n : -ENAMETOOLONG;
}

static const struct fs_mount_ops sysfs_ops = {
    .lookup = sysfs_lookup, .readdir = sysfs_readdir, .write = sysfs_write,
    .generate = sysfs_generate, .path = sysfs_path, .dev = 3,
    .magic = 0x62656572,                 // SYSFS_MAGIC
    .new_name_err = -EPERM, .create_err = -EACCES,
};

int sysfs_mount(struct inode *dir) {
    if (dir->dir.first || (sys_root && sys_root->mnt))
        return -EBUSY;                   // one at a time, on an empty directory
    if (sys_root)
        fs_put(sys_root);                // left by a detached umount: nothing uses it now
    fs_get(dir);
    sys_root = dir;
    dir->mnt = &sysfs_ops;
    dir->key = KEY_ROOT;
    return 0;
}

// In use: an open file or a working directory inside, or the mount point itself (a
// reference besides our own). Detached while in use, the directory stays referenced (the
// ".." of a directory still held) until the next mount.
int sysfs_umount(struct inode *dir, bool detach) {
    if (dir != sys_root || !dir->mnt)
        return -EINVAL;
    bool busy = dir->refcount > 1;
    for (int e = 0; e < S_NENTRIES && !busy; e++)
        for (int c = 0; c < MAX_CPUS; c++)
            busy |= inodes[e][c] && inodes[e][c]->refcount > 1;
    if (busy && !detach)
        return -EBUSY;
    dir->mnt = NULL;
    dir->key = 0;
    if (!busy) {
        sys_root = NULL;
        fs_put(dir);
    }
    return 0;
}
