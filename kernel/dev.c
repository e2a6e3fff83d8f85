// dev.c: /dev, the device files. Like Linux's devtmpfs, the kernel makes the nodes itself
// at boot, so they exist whatever the initramfs holds. A node is a character-device inode
// with a device number; opening it gives the device's file operations instead of the
// inode's data.
//
//   /dev/console  5:1   the console terminal (tty.c)     /dev/null     1:3  discards, reads EOF
//   /dev/tty      5:0   the caller's terminal: the same  /dev/zero     1:5  reads zeros
//   /dev/urandom  1:9   reads random bytes (random.c)    /dev/random   1:8  the same
//   /dev/shm      a directory, for shm_open and sem_open
#include <stdint.h>
#include "dev.h"
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "mount.h"
#include "printk.h"
#include "random.h"
#include "string.h"

#define MKDEV(major, minor) ((uint32_t)(major) << 8 | (minor))

static long null_read(struct file *f, void *buf, size_t n) { (void)f; (void)buf; (void)n; return 0; }
static long null_write(struct file *f, const void *buf, size_t n) { (void)f; (void)buf; return (long)n; }
static long zero_read(struct file *f, void *buf, size_t n) { (void)f; memset(buf, 0, n); return (long)n; }
static long random_read(struct file *f, void *buf, size_t n) { (void)f; random_bytes(buf, n); return (long)n; }

static void dev_stat(struct file *f, struct kstat *st) { inode_stat(f->ip, st); }

static const struct file_ops null_ops = { .read = null_read, .write = null_write, .stat = dev_stat };
static const struct file_ops zero_ops = { .read = zero_read, .write = null_write, .stat = dev_stat };
static const struct file_ops random_ops = { .read = random_read, .write = null_write, .stat = dev_stat };

static const struct { const char *name; uint32_t rdev; uint32_t perm; const struct file_ops *ops; } devices[] = {
    { "console", MKDEV(5, 1), 0600, &console_ops },
    { "tty",     MKDEV(5, 0), 0666, &console_ops },
    { "null",    MKDEV(1, 3), 0666, &null_ops },
    { "zero",    MKDEV(1, 5), 0666, &zero_ops },
    { "random",  MKDEV(1, 8), 0666, &random_ops },
    { "urandom", MKDEV(1, 9), 0666, &random_ops },
};
#define NDEVICES (sizeof devices / sizeof devices[0])

const struct file_ops *dev_file_ops(uint32_t rdev) {
    for (size_t i = 0; i < NDEVICES; i++)
        if (devices[i].rdev == rdev)
            return devices[i].ops;
    return NULL;
}

void dev_init(void) {
    struct inode *dev;
    if (fs_lookup(NULL, "/dev", FS_FOLLOW, &dev) != 0 && fs_mkdir(fs_root(), "dev", 0755, &dev) != 0) {
        pr_err("devtmpfs: cannot make /dev\n");
        return;
    }
    for (size_t i = 0; i < NDEVICES; i++) {
        struct inode *old;
        if (fs_lookup(dev, devices[i].name, 0, &old) == 0)
            fs_unlink(dev, devices[i].name);      // the kernel's nodes win
        fs_mknod(dev, devices[i].name, 0020000 | devices[i].perm, devices[i].rdev, NULL);
    }
    // /dev/shm: glibc's and musl's shm_open and sem_open make their files there, and fail
    // with ENOENT when it is missing. On Linux an init system mounts a tmpfs on it; here
    // a world-writable sticky directory of the root ramfs does the same job (as /tmp).
    struct inode *shm;
    if (fs_lookup(dev, "shm", 0, &shm) != 0)
        fs_mkdir(dev, "shm", 01777, NULL);
    mount_record("devtmpfs", "/dev", "devtmpfs", dev);
    pr_info("devtmpfs: initialized\n");
}
