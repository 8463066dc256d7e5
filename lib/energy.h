/* energy.h - energy reports from the collector's tables: use by place and day (F28), energy-only meters (F29), master meters against their rooms (B7). */
#ifndef ENERGY_H
#define ENERGY_H

#include <stdint.h>

struct db;
struct dbres;

/* The longest range of a report, in days, and the one shown by day. */
#define ENERGY_MAX_DAYS 366
#define ENERGY_DAILY_DAYS 62

/* A date range of a report and the period of the same length before it. */
struct energy_range {
	char from[11], to[11];		/* YYYY-MM-DD */
	char prev_from[11], prev_to[11];
	int64_t days;			/* to - from + 1 */
};

/*
 * Checks FROM and TO as calendar dates (2026-02-30 is not one) into RG; an
 * empty TO is today in the zone TZ ("+08:00"), an empty FROM 29 days before
 * TO. Returns 0, 1 when FROM is no date, 2 when TO is no date, or -1.
 */
int energy_range(struct db *, const char *from, const char *to,
    const char *tz, struct energy_range *rg);
/*
 * Checks the local times T1 and T2 ("YYYY-MM-DD HH:MM[:SS]", a "T" for the
 * space, or a day for its start) into OUT1 and OUT2 as YYYY-MM-DD HH:MM:SS;
 * empty: a week ago at 00:00 and now in the zone TZ. Returns 0, 1 when T1
 * is no time, 2 when T2 is none, or -1.
 */
int energy_times(struct db *, const char *t1, const char *t2, const char *tz,
    char out1[20], char out2[20]);

/* A place: a building, a floor of it, a room of it, or 0 for any. */
struct energy_place {
	int64_t building, floor, room;
};

/*
 * Finds the place of BUILDING (an id), FLOOR and the room numbered ROOM
 * (or "") in it, into P. Returns 0; 1 no such building; 2 a floor it has
 * not; 3 no such room; -1 on error.
 */
int energy_place(struct db *, int64_t building, int64_t floor,
    const char *room, struct energy_place *p);

/*
 * F28: the use of the place's meters in RG (0.01 kWh) per day, or per month
 * when MONTHLY: rows (period, used). A day's use is the one stored with the
 * day row (daily_energy.used): its last energy minus that of the meter's
 * row before, however old (its first when there is none), never below 0.
 */
struct dbres *energy_periods(struct db *, const struct energy_place *,
    const struct energy_range *rg, int monthly);
/* The total use of the place from FROM to TO into *USED: 0 or -1. */
int energy_total(struct db *, const struct energy_place *, const char *from,
    const char *to, int64_t *used);
/* The N rooms of the place that used the most: (id, building, floor,
 * room, used). */
struct dbres *energy_top_rooms(struct db *, const struct energy_place *,
    const struct energy_range *rg, int64_t n);

/* F29: the energy-only meters (id, number, building, note). */
struct dbres *energy_instruments(struct db *);
/*
 * F29: per energy-only meter (METER, or all with 0), the reads nearest the
 * local times T1 and T2 of the zone TZ ("+08:00"): (id, number, building,
 * at1, energy1, at2, energy2, used); a time NULL when the meter has none.
 */
struct dbres *energy_between(struct db *, int64_t meter, const char *t1,
    const char *t2, const char *tz);
/* F29: the reads of those meters from T1 to T2, newest first, PER from
 * OFFSET: (at, number, energy, power_w, voltage_dv, current_ca, total);
 * when STREAM (an export), streamed and without total. */
struct dbres *energy_reads(struct db *, int stream, int64_t meter,
    const char *t1, const char *t2, const char *tz, int64_t per,
    int64_t offset);

/*
 * B7: per building (BUILDING, or all with 0) and day of RG, the use of its
 * master meters against its rooms' meters: (building_id, building, day,
 * master, rooms, loss, loss_bp) in 0.01 kWh, loss_bp the loss in 0.01 %
 * of the master's use (NULL when the master used nothing), over_pct 1
 * when the loss is over PCT percent.
 */
struct dbres *energy_losses(struct db *, int64_t building,
    const struct energy_range *rg, int64_t pct);

#endif
