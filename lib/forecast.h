/* forecast.h - B5 the run-out forecast: about how many days the money lasts at the last week's use. */
#ifndef FORECAST_H
#define FORECAST_H

#include <stdint.h>

#define FORECAST_DAYS 7		/* the days of use it looks at */
#define FORECAST_MIN_DAYS 3	/* fewer known days than this: no forecast */
#define FORECAST_UNKNOWN (-1)	/* too few days known, or no price */
#define FORECAST_NO_USE (-2)	/* nothing used lately: no run-out in sight */

/*
 * USE holds the energy of each of the last N days, oldest first, in
 * 0.01 kWh; a negative value is a day not known. PRICE is in 0.0001
 * yuan/kWh, MONEY in fen. The daily cost is the larger of the average of
 * the known days and the average of the last three known days (use that
 * rises counts at once); the answer is the whole days MONEY covers at that
 * cost: 0 with no money left, FORECAST_NO_USE when nothing was used, or
 * FORECAST_UNKNOWN.
 */
int64_t forecast_days(int64_t money, const int64_t *use, int n, int64_t price);

struct db;

/*
 * The forecast of METER, or with METER 0 of every active meter of ACCOUNT,
 * for MONEY fen: the use of the FORECAST_DAYS whole days before today in
 * the site's time zone TZ ("+08:00") from the day table, and the dearest
 * price in force of those meters (else the site's price). *DAYS is what
 * forecast_days gives; returns 0, or -1 on a database error.
 */
int forecast_lookup(struct db *, int64_t account, int64_t meter,
    int64_t money, const char *tz, int64_t *days);

#endif
