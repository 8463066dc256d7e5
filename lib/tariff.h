/* tariff.h - the time-of-use day table: parsing and checking, pure. */
#ifndef TARIFF_H
#define TARIFF_H

#include <stddef.h>

#define TOU_MAX 8

struct tou {
	int n;
	int start[TOU_MAX];	/* minute of the local day, ascending, first 0 */
	int slot[TOU_MAX];	/* 0 spike, 1 peak, 2 flat, 3 valley */
};

/*
 * Parses "HH:MM=slot,HH:MM=slot,..." (slot 0-3), e.g.
 * "00:00=3,08:00=1,22:00=3". The first segment starts at 00:00, starts
 * ascend, at most 8 segments; "" is one price all day (n = 0).
 * Returns NULL, or the error key.
 */
const char *tou_parse(const char *s, struct tou *);
/* The table as the meter's register payload "min:slot,..." into BUF. */
char *tou_payload(const struct tou *, char *buf, size_t size);

#endif
