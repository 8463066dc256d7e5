/* forecast.c - B5 the run-out forecast: a pure function of the last days' use, the price and the money, and its look-up of both for a meter or an account. */
#include <stddef.h>

#include "db.h"
#include "forecast.h"
#include "settings.h"

enum { Q_DAYS, Q_PRICE };
static const char *const q[] = {
	/*
	 * The use of each of the FORECAST_DAYS whole local days before today
	 * (TZ): days ago, energy; of one meter (METER), or of the account's
	 * meters (METER 0).
	 */
	[Q_DAYS] = "SELECT DATEDIFF(t.today, d.day), SUM(COALESCE(d.used, d.last_energy - d.first_energy))"
	    " FROM daily_energy d"
	    " JOIN (SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', ?)) AS today) t"
	    " WHERE d.day >= t.today - INTERVAL ? DAY AND d.day < t.today"
	    " AND d.meter_id IN (SELECT x.meter_id FROM account_meters x"
	    "   WHERE ((? = 0 AND x.account_id = ?) OR x.meter_id = ?) AND x.active = 1)"
	    " GROUP BY d.day",
	/* the dearest price in force of those meters, else the site's */
	[Q_PRICE] = "SELECT COALESCE((SELECT MAX(GREATEST(v.p0, v.p1, v.p2, v.p3))"
	    " FROM account_meters x JOIN meter_tariffs mt ON mt.meter_id = x.meter_id"
	    " JOIN tariff_versions v ON v.tariff_id = mt.tariff_id"
	    " WHERE ((? = 0 AND x.account_id = ?) OR x.meter_id = ?) AND x.active = 1"
	    " AND v.applied_at IS NOT NULL"
	    " AND v.effective_date = (SELECT MAX(w.effective_date)"
	    "   FROM tariff_versions w WHERE w.tariff_id = v.tariff_id"
	    "   AND w.applied_at IS NOT NULL)),"
	    " (SELECT value FROM student_settings WHERE name = 'price'), ?)",
};

int64_t
forecast_days(int64_t money, const int64_t *use, int n, int64_t price)
{
	int64_t sum = 0, recent = 0, cost, c;
	int known = 0, nrecent = 0;

	if (price <= 0 || use == NULL || n <= 0)
		return FORECAST_UNKNOWN;
	for (int i = n - 1; i >= 0; i--) {
		if (use[i] < 0)
			continue;
		sum += use[i];
		known++;
		if (nrecent < 3) {
			recent += use[i];
			nrecent++;
		}
	}
	if (known < FORECAST_MIN_DAYS)
		return FORECAST_UNKNOWN;
	if (money <= 0)
		return 0;
	if (sum == 0)
		return FORECAST_NO_USE;
	/* 0.01 kWh at 0.0001 yuan/kWh: fen a day, rounded up */
	cost = (sum * price + known * 10000 - 1) / (known * 10000);
	c = (recent * price + nrecent * 10000 - 1) / (nrecent * 10000);
	if (c > cost)
		cost = c;
	return cost > 0 ? money / cost : FORECAST_NO_USE;
}

int
forecast_lookup(struct db *db, int64_t account, int64_t meter, int64_t money,
    const char *tz, int64_t *days)
{
	const struct setting *st = settings_find("price");
	int64_t use[FORECAST_DAYS], price;
	struct dbres *res;

	*days = FORECAST_UNKNOWN;
	for (int i = 0; i < FORECAST_DAYS; i++)
		use[i] = -1;
	if ((res = db_query(db, q[Q_DAYS], "silll", tz, FORECAST_DAYS, meter,
	    account, meter)) == NULL)
		return -1;
	while (db_next(res) == 1) {
		int64_t ago = db_coll(res, 0);

		if (ago >= 1 && ago <= FORECAST_DAYS)
			use[FORECAST_DAYS - ago] = db_coll(res, 1);
	}
	db_res_free(res);
	if (db_value(db, &price, q[Q_PRICE], "llls", meter, account, meter,
	    st ? st->def : "0") == -1)
		return -1;
	*days = forecast_days(money, use, FORECAST_DAYS, price);
	return 0;
}
