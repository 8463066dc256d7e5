/* tariff.h - the time-of-use day table and the tiers (阶梯) of monthly consumption: parsing, checking, charging; pure. */
#ifndef TARIFF_H
#define TARIFF_H

#include <stddef.h>
#include <stdint.h>

#define TOU_MAX 8

struct tou {
	int n;
	int start[TOU_MAX];	/* minute of the local day, ascending, first 0 */
	int slot[TOU_MAX];	/* 0 spike, 1 peak, 2 flat, 3 valley */
};

/*
 * Parses "HH:MM=slot,HH:MM=slot,..." with the slot by name (尖 峰 平 谷)
 * or number (0-3), e.g. "00:00=谷,08:00=峰,22:00=谷"; full-width ：＝，
 * are read too. The first segment starts at 00:00, starts ascend, at most
 * 8 segments; "" is one price all day (n = 0). Returns NULL, or the
 * error key.
 */
const char *tou_parse(const char *s, struct tou *);
/* The table as the meter's register payload "min:slot,..." into BUF
 * (cmdq_tou_encode; "" when it is not a table). */
char *tou_payload(const struct tou *, char *buf, size_t size);
/* The table as tou_parse reads it, slots by name, into BUF. */
char *tou_text(const struct tou *, char *buf, size_t size);
/* Reads a register payload back (cmdq_tou_decode); 0, or -1 when it is
 * not one. */
int tou_from_payload(const char *s, struct tou *);

#define TIER_MAX 6

struct tiers {
	int n;
	int64_t upto[TIER_MAX];	/* 0.01 kWh of the month's consumption where
				 * the tier ends, ascending; the last -1 */
	int64_t price[TIER_MAX];	/* 0.0001 yuan/kWh */
};

/*
 * Parses "200=0.538,400=0.588,*=0.838": each tier's end in whole kWh of the
 * month's consumption and its price in yuan/kWh (at most 4 decimals), the
 * last tier "*"; 2 to 6 tiers. Returns NULL, or the error key.
 */
const char *tier_parse(const char *s, struct tiers *);
/* The tiers in the form tier_parse reads, prices with 4 decimals. */
char *tier_text(const struct tiers *, char *buf, size_t size);
/* The tier (0-based) that a month's consumption USED (0.01 kWh) is in. */
int tier_index(const struct tiers *, int64_t used);
/*
 * The exact charge of DELTA (0.01 kWh) used after BEFORE in the month,
 * split at tier ends, in 0.0001 fen.
 */
int64_t tier_charge(const struct tiers *, int64_t before, int64_t delta);

#endif
