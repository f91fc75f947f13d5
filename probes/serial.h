/*
 * serial — what an SOA serial says about the zone's age.
 *
 * Contract: serial_time() interprets a serial as the time the zone was
 * made, when the serial follows one of the two common conventions:
 *  - YYYYMMDDnn (year 1990..2099, a real calendar date): the zone was made
 *    at the latest by the END of that UTC day (24:00), so the age is
 *    measured from there and a date serial is never judged early; nn (the
 *    change count of that day) carries no time.
 *  - a unix time (seconds since 1970) from 2000-01-01 on.
 * A date reading wins where both are possible (serials >= 1990010100 read
 * as unix times lie after 2033).  Anything else (plain counters) has no
 * age: serial_time() returns -1.  Serials in the future give age 0.
 *
 * serial_lag() compares two serials in RFC 1982 arithmetic: how far `ours`
 * is behind `theirs` (0 when equal or ahead).
 */
#ifndef RAIZ_PROBES_SERIAL_H
#define RAIZ_PROBES_SERIAL_H

#include <stdint.h>
#include <time.h>

enum serial_kind { SERIAL_NONE = 0, SERIAL_DATE, SERIAL_UNIX };

/* kind of serial, and in *t the time the zone was made at the latest */
enum serial_kind serial_time(uint32_t serial, time_t *t);
/* age in seconds at `now` (>= 0), or -1 when the serial has no time */
int64_t serial_age(uint32_t serial, time_t now);
uint32_t serial_lag(uint32_t ours, uint32_t theirs);

#endif
