// sleep: waits N seconds; N may have a fraction ("0.5"), and a suffix s, m, h or d, as
// coreutils' sleep. Several arguments add up.
#include <errno.h>
#include <stdio.h>
#include <time.h>

// Parses "1.25m" into nanoseconds; -1 if it is not a number.
static long long parse(const char *s)
{
    long long sec = 0, frac = 0, scale = 1000000000LL;
    int digits = 0;

    for (; *s >= '0' && *s <= '9'; s++, digits++)
        sec = sec * 10 + (*s - '0');
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++, digits++)
            if (scale > 1)
                frac += (*s - '0') * (scale /= 10);
    long long mult = *s == 'm' ? 60 : *s == 'h' ? 3600 : *s == 'd' ? 86400 : 1;
    if (*s == 's' || mult > 1)
        s++;
    if (*s != '\0' || digits == 0)
        return -1;
    return (sec * 1000000000LL + frac) * mult;
}

int main(int argc, char **argv)
{
    long long ns = 0;

    if (argc < 2) {
        dprintf(2, "sleep: missing operand\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        long long n = parse(argv[i]);
        if (n < 0) {
            dprintf(2, "sleep: invalid time interval '%s'\n", argv[i]);
            return 1;
        }
        ns += n;
    }
    struct timespec t = { ns / 1000000000LL, ns % 1000000000LL };
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;
    return 0;
}
