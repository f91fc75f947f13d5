/* serial — see serial.h */
#include "probes/serial.h"

#include <stdbool.h>

#define SERIAL_UNIX_MIN 946684800u   /* 2000-01-01T00:00:00Z */

static bool serial_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* days from 1970-01-01 to y-m-d (proleptic Gregorian, y >= 1970) */
static int64_t serial_days(unsigned y, unsigned m, unsigned d)
{
	static const unsigned before[12] = { 0, 31, 59, 90, 120, 151, 181, 212,
					     243, 273, 304, 334 };
	int64_t days = 0;
	for (unsigned i = 1970; i < y; i++)
		days += serial_leap(i) ? 366 : 365;
	days += before[m - 1] + (m > 2 && serial_leap(y)) + (d - 1);
	return days;
}

enum serial_kind serial_time(uint32_t serial, time_t *t)
{
	unsigned y = serial / 1000000, m = serial / 10000 % 100, d = serial / 100 % 100;
	static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y >= 1990 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] &&
	    !(m == 2 && d == 29 && !serial_leap(y))) {
		*t = (time_t)((serial_days(y, m, d) + 1) * 86400);
		return SERIAL_DATE;
	}
	if (serial >= SERIAL_UNIX_MIN) {
		*t = (time_t)serial;
		return SERIAL_UNIX;
	}
	return SERIAL_NONE;
}

int64_t serial_age(uint32_t serial, time_t now)
{
	time_t t;
	if (serial_time(serial, &t) == SERIAL_NONE)
		return -1;
	return now > t ? (int64_t)(now - t) : 0;
}

uint32_t serial_lag(uint32_t ours, uint32_t theirs)
{
	int32_t d = (int32_t)(theirs - ours);
	return d > 0 ? (uint32_t)d : 0;
}
