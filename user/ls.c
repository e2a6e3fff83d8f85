// ls: list directories and files, like coreutils ls.
//
//     ls [-la1Cd] [file...]
//
//   -l  long format: mode, links, owner and group (as numbers), size, time, name
//   -a  include names that start with '.', "." and ".." among them
//   -1  one name per line (the default when stdout is not a terminal)
//   -C  names in columns (the default on a terminal), COLUMNS or the terminal's width
//   -d  list directories themselves, not their contents
//
// Names are sorted by their bytes (the "C" locale). File operands are listed first, then
// each directory operand's contents under a "name:" header if there are several operands.
// The exit status is 2 if an operand could not be listed, 1 for a lesser problem inside a
// directory, else 0.
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int opt_long, opt_all, opt_dirs_as_files;
static enum { ONE_PER_LINE, COLUMNS } layout;
static int status;
static time_t now;

struct entry {
    char *name;          // as it is printed
    char *path;          // as it is opened: the operand, or "dir/name"
    struct stat st;      // filled in for -l only (and for operands)
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL) {
        fprintf(stderr, "ls: memory exhausted\n");
        exit(2);
    }
    return p;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

// ---- the long format

static int digits(unsigned long n)
{
    int d = 1;
    for (; n >= 10; n /= 10)
        d++;
    return d;
}

// "drwxr-xr-x": the type, then read/write/execute for owner, group and others. The
// set-user-id, set-group-id and sticky bits show in the execute places: s (or S without x)
// and t (or T).
static void mode_string(mode_t m, char *s)
{
    const char *types = "?pc?d?b?-?l?s???";    // indexed by the S_IFMT bits >> 12
    s[0] = types[(m & S_IFMT) >> 12];
    for (int i = 0; i < 3; i++) {
        int bits = (m >> (6 - 3 * i)) & 7;
        s[1 + 3 * i] = bits & 4 ? 'r' : '-';
        s[2 + 3 * i] = bits & 2 ? 'w' : '-';
        s[3 + 3 * i] = bits & 1 ? 'x' : '-';
    }
    if (m & 04000)
        s[3] = m & 0100 ? 's' : 'S';
    if (m & 02000)
        s[6] = m & 0010 ? 's' : 'S';
    if (m & 01000)
        s[9] = m & 0001 ? 't' : 'T';
    s[10] = '\0';
}

// A device's major and minor numbers, in Linux's 64-bit encoding of dev_t.
static unsigned dev_major(dev_t d) { return (unsigned)(((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffu)); }
static unsigned dev_minor(dev_t d) { return (unsigned)((d & 0xff) | ((d >> 12) & ~0xffu)); }

// "Nov 25 19:26" for times in the last six months, else "Nov 25  2023": an old file's
// time of day matters less than its year. Always UTC: there are no time zones here.
static void time_string(time_t t, char *s, size_t size)
{
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const time_t six_months = 31556952 / 2;    // half of an average Gregorian year
    struct tm tm;
    gmtime_r(&t, &tm);
    if (t > now - six_months && t <= now)
        snprintf(s, size, "%s %2d %02d:%02d", months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min);
    else
        snprintf(s, size, "%s %2d  %d", months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900);
}

static int is_device(const struct stat *st)
{
    return S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode);
}

static void print_long(struct entry *e, int n)
{
    // Every column is as wide as its widest value in this group, numbers right-aligned.
    // A device has "major, minor" in place of a size, each part aligned on its own.
    int wlink = 1, wuid = 1, wgid = 1, wsize = 1, wmajor = 1, wminor = 1, w;
    for (int i = 0; i < n; i++) {
        const struct stat *st = &e[i].st;
        if ((w = digits(st->st_nlink)) > wlink) wlink = w;
        if ((w = digits(st->st_uid)) > wuid) wuid = w;
        if ((w = digits(st->st_gid)) > wgid) wgid = w;
        if (is_device(st)) {
            if ((w = digits(dev_major(st->st_rdev))) > wmajor) wmajor = w;
            if ((w = digits(dev_minor(st->st_rdev))) > wminor) wminor = w;
        } else if ((w = digits(st->st_size)) > wsize) {
            wsize = w;
        }
    }
    for (int i = 0; i < n; i++)
        if (is_device(&e[i].st) && wmajor + 2 + wminor > wsize)
            wsize = wmajor + 2 + wminor;

    for (int i = 0; i < n; i++) {
        const struct stat *st = &e[i].st;
        char mode[11], size[32], date[32];
        mode_string(st->st_mode, mode);
        if (is_device(st))
            snprintf(size, sizeof size, "%*u, %*u", wmajor, dev_major(st->st_rdev),
                     wminor, dev_minor(st->st_rdev));
        else
            snprintf(size, sizeof size, "%lu", (unsigned long)st->st_size);
        time_string(st->st_mtim.tv_sec, date, sizeof date);
        printf("%s %*lu %*u %*u %*s %s %s", mode, wlink, (unsigned long)st->st_nlink,
               wuid, st->st_uid, wgid, st->st_gid, wsize, size, date, e[i].name);
        if (S_ISLNK(st->st_mode)) {
            char target[PATH_MAX];
            ssize_t len = readlink(e[i].path, target, sizeof target - 1);
            if (len >= 0) {
                target[len] = '\0';
                printf(" -> %s", target);
            }
        }
        printf("\n");
    }
}

// ---- columns

// Move from column `from` to column `to` with tabs where they fit, then spaces, as
// coreutils does (tab stops every 8 columns).
static void indent(size_t from, size_t to)
{
    while (from < to) {
        if (to / 8 > (from + 1) / 8) {
            putchar('\t');
            from += 8 - from % 8;
        } else {
            putchar(' ');
            from++;
        }
    }
}

static size_t line_width(void)
{
    const char *s = getenv("COLUMNS");
    if (s && atoi(s) > 0)
        return (size_t)atoi(s);
    struct winsize ws;
    if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

// Names down the columns, then across: as many columns as fit in the line. A column is
// as wide as its longest name plus two spaces, except the last. Try the most columns
// first: the first that fits is the answer (one always does).
static void print_columns(struct entry *e, int n)
{
    size_t width = line_width();
    size_t *colw = xmalloc((n + 1) * sizeof *colw);
    int cols, rows;

    for (cols = n; cols > 1; cols--) {
        rows = (n + cols - 1) / cols;
        size_t total = 0;
        for (int c = 0; c < cols; c++)
            colw[c] = 3;    // coreutils' minimum: a one-letter name and two spaces
        for (int i = 0; i < n; i++) {
            int c = i / rows;
            size_t len = strlen(e[i].name) + (c == cols - 1 ? 0 : 2);
            if (len > colw[c])
                colw[c] = len;
        }
        for (int c = 0; c < cols; c++)
            total += colw[c];
        if (total < width)
            break;
    }
    if (cols <= 1) {
        cols = 1;
        colw[0] = 0;
    }
    rows = (n + cols - 1) / cols;
    for (int r = 0; r < rows; r++) {
        size_t pos = 0;
        for (int i = r, c = 0; i < n; i += rows, c++) {
            fputs(e[i].name, stdout);
            if (i + rows >= n)
                break;
            indent(pos + strlen(e[i].name), pos + colw[c]);
            pos += colw[c];
        }
        putchar('\n');
    }
    free(colw);
}

static void print_group(struct entry *e, int n)
{
    qsort(e, n, sizeof *e, by_name);
    if (opt_long)
        print_long(e, n);
    else if (layout == COLUMNS && n > 0)
        print_columns(e, n);
    else
        for (int i = 0; i < n; i++)
            printf("%s\n", e[i].name);
}

// ---- directories

static void list_dir(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        fprintf(stderr, "ls: cannot open directory '%s': %s\n", path, strerror(errno));
        status = 2;
        return;
    }
    struct entry *e = NULL;
    int n = 0, cap = 0;
    unsigned long blocks = 0;     // 512-byte units, for the "total" line
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' && !opt_all)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            e = realloc(e, cap * sizeof *e);
            if (e == NULL) {
                fprintf(stderr, "ls: memory exhausted\n");
                exit(2);
            }
        }
        e[n].name = xmalloc(strlen(de->d_name) + 1);
        strcpy(e[n].name, de->d_name);
        e[n].path = xmalloc(strlen(path) + strlen(de->d_name) + 2);
        sprintf(e[n].path, "%s/%s", path, de->d_name);
        if (opt_long) {
            if (lstat(e[n].path, &e[n].st) < 0) {
                fprintf(stderr, "ls: cannot access '%s': %s\n", e[n].path, strerror(errno));
                status = status ? status : 1;
                continue;
            }
            blocks += e[n].st.st_blocks;
        }
        n++;
    }
    closedir(d);
    if (opt_long)
        printf("total %lu\n", (blocks + 1) / 2);   // in KiB, rounded up
    print_group(e, n);
    for (int i = 0; i < n; i++) {
        free(e[i].name);
        free(e[i].path);
    }
    free(e);
}

int main(int argc, char **argv)
{
    int c;

    layout = isatty(1) ? COLUMNS : ONE_PER_LINE;
    while ((c = getopt(argc, argv, "la1Cd")) != -1) {
        switch (c) {
        case 'l': opt_long = 1; break;
        case 'a': opt_all = 1; break;
        case '1': layout = ONE_PER_LINE; break;
        case 'C': layout = COLUMNS; break;
        case 'd': opt_dirs_as_files = 1; break;
        default:
            fprintf(stderr, "Try 'ls --help' for more information.\n");
            return 2;
        }
    }
    now = time(NULL);

    char *dot[] = {".", NULL};
    char **operands = optind < argc ? argv + optind : dot;
    int nops = optind < argc ? argc - optind : 1;

    // Sort the operands into files and directories. With -l (or -d) a symlink operand is
    // listed as itself; otherwise one to a directory is followed, and its contents listed.
    struct entry *files = xmalloc(nops * sizeof *files), *dirs = xmalloc(nops * sizeof *dirs);
    int nfiles = 0, ndirs = 0;
    for (int i = 0; i < nops; i++) {
        struct entry en = {operands[i], operands[i], {0}};
        int r = opt_long || opt_dirs_as_files ? lstat(en.path, &en.st) : stat(en.path, &en.st);
        if (r < 0 && !opt_long)
            r = lstat(en.path, &en.st);   // a dangling symlink is still a file to list
        if (r < 0) {
            fprintf(stderr, "ls: cannot access '%s': %s\n", en.path, strerror(errno));
            status = 2;
            continue;
        }
        if (S_ISDIR(en.st.st_mode) && !opt_dirs_as_files)
            dirs[ndirs++] = en;
        else
            files[nfiles++] = en;
    }

    print_group(files, nfiles);
    qsort(dirs, ndirs, sizeof *dirs, by_name);
    for (int i = 0; i < ndirs; i++) {
        // A header when there is more than one thing to tell apart; a blank line between
        // groups.
        if (nops > 1) {
            if (i > 0 || nfiles > 0)
                printf("\n");
            printf("%s:\n", dirs[i].name);
        }
        list_dir(dirs[i].path);
    }
    return status;
}
