// gmtime.c: seconds since 1970-01-01 00:00 UTC into a date and a time of day.
//
// Days to a date uses Howard Hinnant's days_from_civil inverse: count in 400-year eras
// (146097 days each, the Gregorian cycle), with years that start on March 1st so that the
// leap day is the last day of the year and needs no special case.
#include <time.h>

struct tm *gmtime_r(const time_t *t, struct tm *tm)
{
    long secs = *t % 86400, days = *t / 86400;

    if (secs < 0) {            // before 1970: / and % round towards zero
        secs += 86400;
        days--;
    }
    tm->tm_hour = (int)(secs / 3600);
    tm->tm_min = (int)(secs / 60 % 60);
    tm->tm_sec = (int)(secs % 60);
    tm->tm_wday = (int)((days % 7 + 11) % 7);      // 1970-01-01 was a Thursday (4)

    long z = days + 719468;                        // days since 0000-03-01
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;                   // day of the era, 0..146096
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;   // 0..399
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                 // from March 1st
    long mp = (5 * doy + 2) / 153;                 // month from March: 0..11
    long year = yoe + era * 400 + (mp >= 10);      // January and February: the next year

    tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    tm->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
    tm->tm_year = (int)(year - 1900);
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    static const short before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    tm->tm_yday = before[tm->tm_mon] + tm->tm_mday - 1 + (leap && tm->tm_mon >= 2);
    tm->tm_isdst = 0;
    return tm;
}

struct tm *gmtime(const time_t *t)
{
    static struct tm tm;
    return gmtime_r(t, &tm);
}
