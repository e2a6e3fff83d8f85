// rtc.c: the MC146818-compatible CMOS clock at ports 0x70/0x71. It keeps the date and time
// (UTC under QEMU) in registers, often in BCD; we read them twice until two reads agree, so
// an update in the middle of reading cannot give us a torn time.
#include <stdbool.h>
#include <stdint.h>
#include "rtc.h"
#include "x86.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

static uint8_t cmos(uint8_t reg) {
    outb(CMOS_INDEX, reg | 0x80);   // bit 7: keep NMIs disabled while we talk to the CMOS
    return inb(CMOS_DATA);
}

struct rtc_time { int sec, min, hour, day, mon, year; };

static void read_raw(struct rtc_time *t) {
    for (int i = 0; i < 100000 && (cmos(0x0a) & 0x80); i++)   // wait out an update
        ;
    t->sec = cmos(0x00); t->min = cmos(0x02); t->hour = cmos(0x04);
    t->day = cmos(0x07); t->mon = cmos(0x08); t->year = cmos(0x09);
}

static int bcd(int v) { return (v & 0x0f) + (v >> 4) * 10; }

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
static int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t rtc_read_epoch(void) {
    struct rtc_time a, b;
    read_raw(&b);
    do {
        a = b;
        read_raw(&b);
    } while (a.sec != b.sec || a.min != b.min || a.hour != b.hour || a.day != b.day);
    uint8_t status_b = cmos(0x0b);
    if (!(status_b & 0x04)) {   // BCD mode
        a.sec = bcd(a.sec); a.min = bcd(a.min); a.hour = bcd(a.hour & 0x7f) | (a.hour & 0x80);
        a.day = bcd(a.day); a.mon = bcd(a.mon); a.year = bcd(a.year);
    }
    if (!(status_b & 0x02))                       // 12-hour mode: 12 AM is 0, 12 PM is 12
        a.hour = (a.hour & 0x7f) % 12 + ((a.hour & 0x80) ? 12 : 0);
    int year = 2000 + a.year;   // the century register is not reliable; this OS is younger
    return days_from_civil(year, a.mon, a.day) * 86400 + a.hour * 3600 + a.min * 60 + a.sec;
}
