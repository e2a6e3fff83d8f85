// mount: attach a file system, or list those attached, like util-linux mount.
//
//     mount                                      list /proc/mounts
//     mount -t type [-o options] source dir      mount(2)
//
// For example `mount -t proc proc /proc` and `mount -t tmpfs tmpfs /tmp`. Options are
// separated by commas: ro, rw, nosuid, nodev, noexec and remount become mount(2)'s flags;
// the others (such as size=1m for tmpfs) go to the file system as the data string.
//
// /proc/mounts has one line per mount in fstab's format, "source dir type options 0 0";
// the list shows each as "source on dir type type (options)".
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static void usage(void)
{
    fprintf(stderr, "Usage:\n mount\n mount -t <type> [-o <options>] <source> <directory>\n");
    exit(1);
}

static int list(void)
{
    FILE *f = fopen("/proc/mounts", "r");
    if (f == NULL) {
        fprintf(stderr, "mount: cannot open /proc/mounts: %s (is proc mounted?)\n",
                strerror(errno));
        return 1;
    }
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *save, *src = strtok_r(line, " \n", &save), *dir = strtok_r(NULL, " \n", &save);
        char *type = strtok_r(NULL, " \n", &save), *opts = strtok_r(NULL, " \n", &save);
        if (opts)
            printf("%s on %s type %s (%s)\n", src, dir, type, opts);
    }
    fclose(f);
    return 0;
}

// Split the -o list into flags and the data string for the file system.
static unsigned long parse_options(char *opts, char *data, size_t size)
{
    static const struct {
        const char *name;
        unsigned long set, clear;
    } known[] = {
        {"ro", MS_RDONLY, 0}, {"rw", 0, MS_RDONLY},
        {"nosuid", MS_NOSUID, 0}, {"suid", 0, MS_NOSUID},
        {"nodev", MS_NODEV, 0}, {"dev", 0, MS_NODEV},
        {"noexec", MS_NOEXEC, 0}, {"exec", 0, MS_NOEXEC},
        {"remount", MS_REMOUNT, 0}, {"defaults", 0, 0},
    };
    unsigned long flags = 0;
    char *save;

    data[0] = '\0';
    for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < sizeof known / sizeof known[0]; i++)
            if (strcmp(o, known[i].name) == 0)
                break;
        if (i < sizeof known / sizeof known[0]) {
            flags = (flags | known[i].set) & ~known[i].clear;
        } else {
            if (data[0])
                strncat(data, ",", size - strlen(data) - 1);
            strncat(data, o, size - strlen(data) - 1);
        }
    }
    return flags;
}

int main(int argc, char **argv)
{
    char *type = NULL, *opts = NULL;
    int c;

    while ((c = getopt(argc, argv, "t:o:")) != -1) {
        switch (c) {
        case 't': type = optarg; break;
        case 'o': opts = optarg; break;
        default: usage();
        }
    }
    if (optind == argc && type == NULL && opts == NULL)
        return list();
    if (argc - optind != 2)
        usage();   // no /etc/fstab to look a lone source or directory up in
    if (type == NULL) {
        fprintf(stderr, "mount: no file system type given: use -t (proc, tmpfs, ...)\n");
        return 1;
    }
    char data[256];
    unsigned long flags = opts ? parse_options(opts, data, sizeof data) : 0;
    if (opts == NULL)
        data[0] = '\0';
    if (mount(argv[optind], argv[optind + 1], type, flags, data[0] ? data : NULL) < 0) {
        fprintf(stderr, "mount: mounting %s on %s failed: %s\n", argv[optind],
                argv[optind + 1], strerror(errno));
        return 1;
    }
    return 0;
}
