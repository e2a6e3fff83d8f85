// date: print the date and time, from clock_gettime(CLOCK_REALTIME), like coreutils date.
//
//     date [-u] [-d @SECONDS] [+FORMAT]
//
// There are no time zones here: the time is always UTC, so -u changes nothing. -d @N
// prints the time N seconds after 1970 instead of now. FORMAT knows coreutils' common
// conversions: %a %b %d %e %F %H %j %m %M %s %S %T %u %Y %y %Z %n %t %%; the default is
// coreutils' "%a %b %e %H:%M:%S %Z %Y".
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static int put(const struct tm *tm, time_t t, char c)
{
    switch (c) {
    case 'a': return printf("%s", days[tm->tm_wday]);
    case 'b': return printf("%s", months[tm->tm_mon]);
    case 'd': return printf("%02d", tm->tm_mday);
    case 'e': return printf("%2d", tm->tm_mday);
    case 'F': return printf("%d-%02d-%02d", tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday);
    case 'H': return printf("%02d", tm->tm_hour);
    case 'j': return printf("%03d", tm->tm_yday + 1);
    case 'm': return printf("%02d", tm->tm_mon + 1);
    case 'M': return printf("%02d", tm->tm_min);
    case 's': return printf("%ld", (long)t);
    case 'S': return printf("%02d", tm->tm_sec);
    case 'T': return printf("%02d:%02d:%02d", tm->tm_hour, tm->tm_min, tm->tm_sec);
    case 'u': return printf("%d", tm->tm_wday ? tm->tm_wday : 7);
    case 'Y': return printf("%d", tm->tm_year + 1900);
    case 'y': return printf("%02d", tm->tm_year % 100);
    case 'Z': return printf("UTC");
    case 'n': return printf("\n");
    case 't': return printf("\t");
    case '%': return printf("%%");
    default:  return printf("%%%c", c);      // unknown: as it is, as coreutils does
    }
}

int main(int argc, char **argv)
{
    const char *format = "%a %b %e %H:%M:%S %Z %Y", *when = NULL;
    int c;

    while ((c = getopt(argc, argv, "ud:")) != -1) {
        if (c == 'd') {
            when = optarg;
        } else if (c != 'u') {
            fprintf(stderr, "Try 'date --help' for more information.\n");
            return 1;
        }
    }
    if (optind < argc && argv[optind][0] == '+')
        format = argv[optind++] + 1;
    if (optind < argc) {
        fprintf(stderr, "date: extra operand '%s'\n", argv[optind]);
        fprintf(stderr, "Try 'date --help' for more information.\n");
        return 1;
    }
    time_t t;
    if (when) {
        char *end;
        t = when[0] == '@' ? strtol(when + 1, &end, 10) : 0;
        if (when[0] != '@' || !when[1] || *end) {
            fprintf(stderr, "date: invalid date '%s'\n", when);
            return 1;
        }
    } else {
        t = time(NULL);
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    for (const char *p = format; *p; p++) {
        if (*p != '%')
            putchar(*p);
        else if (p[1])
            put(&tm, t, *++p);
        else
            putchar('%');
    }
    putchar('\n');
    return 0;
}
