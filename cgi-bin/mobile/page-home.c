/* page-home.c - M2 my account (我的电表): money, meters and relays, 30 days of use as a chart, this month's tier, entries, alarms, and the B5 forecast. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "forecast.h"
#include "ledger.h"
#include "log.h"
#include "money.h"
#include "pages.h"
#include "tariff.h"

#define CHART_DAYS 30
#define CHART_H 100	/* the tallest bar, in the SVG's units */
#define BAR_W 10	/* one day's place: 8 wide and a gap of 2 */

enum {
	Q_ACCOUNT, Q_METERS, Q_DAYS, Q_MONTH, Q_TIERS, Q_ENTRIES, Q_ALARMS
};
static const char *const q[] = {
	[Q_ACCOUNT] = "SELECT a.holder, COALESCE(b.name, '') AS building,"
	    " COALESCE(r.number, '') AS room,"
	    " DATE_FORMAT(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', ?), '%Y-%m-%d')"
	    "   AS today"
	    " FROM accounts a LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id WHERE a.id = ?",
	/* each meter, its relay and why it may be open */
	[Q_METERS] = "SELECT m.id, m.number, COALESCE(s.relay_closed, -1) AS relay,"
	    " COALESCE(s.lost, 0) AS lost,"
	    " COALESCE(DATE_FORMAT(CONVERT_TZ(s.read_at, '+00:00', ?),"
	    "   '%Y-%m-%d %H:%i'), '') AS read_at,"
	    " (SELECT COUNT(*) FROM alarms o WHERE o.meter_id = m.id"
	    "   AND o.kind = 'overload' AND o.closed_at IS NULL) AS overload,"
	    " COALESCE((SELECT c.kind FROM commands c WHERE c.meter_id = m.id"
	    "   AND c.kind IN ('trip', 'restore') AND c.status = 'confirmed'"
	    "   ORDER BY c.id DESC LIMIT 1), '') AS relay_cmd"
	    " FROM account_meters x JOIN meters m ON m.id = x.meter_id"
	    " LEFT JOIN meter_state s ON s.meter_id = m.id"
	    " WHERE x.account_id = ? AND x.active = 1 ORDER BY m.number",
	/* the day table of the account's meters (or of one): days ago, use */
	[Q_DAYS] = "SELECT DATEDIFF(?, d.day),"
	    " SUM(COALESCE(d.used, d.last_energy - d.first_energy))"
	    " FROM daily_energy d JOIN account_meters x ON x.meter_id = d.meter_id"
	    " WHERE x.account_id = ? AND x.active = 1 AND (? = 0 OR d.meter_id = ?)"
	    " AND d.day > ? - INTERVAL ? DAY AND d.day <= ? GROUP BY d.day",
	[Q_MONTH] = "SELECT COALESCE(SUM(COALESCE(d.used, d.last_energy - d.first_energy)), 0)"
	    " FROM daily_energy d JOIN account_meters x ON x.meter_id = d.meter_id"
	    " WHERE x.account_id = ? AND x.active = 1"
	    " AND d.day >= DATE_FORMAT(?, '%Y-%m-01') AND d.day <= ?",
	/* the tiers of the tariff in force of the account's first tiered meter */
	[Q_TIERS] = "SELECT v.tiers FROM account_meters x"
	    " JOIN meter_tariffs mt ON mt.meter_id = x.meter_id"
	    " JOIN tariff_versions v ON v.tariff_id = mt.tariff_id"
	    " WHERE x.account_id = ? AND x.active = 1 AND v.tiers <> ''"
	    " AND v.effective_date = (SELECT MAX(w.effective_date)"
	    "   FROM tariff_versions w WHERE w.tariff_id = mt.tariff_id"
	    "   AND w.effective_date <= ?)"
	    " ORDER BY x.meter_id LIMIT 1",
	[Q_ENTRIES] = "SELECT l.id, l.kind, l.amount_fen, m.number AS meter,"
	    " DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', ?), '%Y-%m-%d %H:%i')"
	    "   AS at,"
	    " CASE WHEN c.id IS NULL THEN 'done'"
	    "   WHEN c.status = 'confirmed' THEN 'confirmed'"
	    "   WHEN c.status = 'failed' THEN 'failed' ELSE 'pending' END AS state"
	    " FROM ledger l JOIN meters m ON m.id = l.meter_id"
	    " LEFT JOIN commands c ON c.id = l.command_id"
	    " WHERE l.account_id = ? ORDER BY l.id DESC LIMIT 20",
	[Q_ALARMS] = "SELECT a.kind, m.number AS meter,"
	    " DATE_FORMAT(CONVERT_TZ(a.opened_at, '+00:00', ?), '%Y-%m-%d %H:%i')"
	    "   AS opened"
	    " FROM alarms a JOIN account_meters x ON x.meter_id = a.meter_id"
	    "   AND x.active = 1 JOIN meters m ON m.id = a.meter_id"
	    " WHERE x.account_id = ? AND a.closed_at IS NULL ORDER BY a.id",
};

/* The relay's state in words' keys: on, or off and why. */
static const char *
relay_why(int64_t relay, int64_t overload, const char *cmd, int64_t money)
{
	if (relay == -1)
		return "unknown";
	if (relay == 1)
		return "on";
	if (overload > 0)
		return "off_overload";
	if (strcmp(cmd, "trip") == 0)
		return "off_staff";
	if (money <= 0)
		return "off_arrears";
	return "off";
}

/* Each meter of the account: its money by the staff's rule, relay, read. */
static int
show_meters(struct req *r, int64_t account)
{
	struct dbres *res = db_query(r->db, q[Q_METERS], "sl", web_tz(r),
	    account);
	long n = 0;
	int64_t fen, age;
	char key[64], buf[32];

	if (res == NULL)
		return -1;
	while (db_next(res) == 1) {
		if (ledger_meter_money(r->db, db_coll(res, 0), &fen, &age) == -1) {
			db_res_free(res);
			return -1;
		}
		snprintf(key, sizeof(key), "Meters.%ld", n++);
		hdf_set_valuef(r->hdf, "%s.id=%lld", key,
		    (long long)db_coll(res, 0));
		hdf_set_valuef(r->hdf, "%s.number=%s", key, db_col(res, 1));
		hdf_set_valuef(r->hdf, "%s.money=%s", key,
		    money_format(fen, buf, sizeof(buf)));
		hdf_set_valuef(r->hdf, "%s.read_at=%s", key, db_col(res, 4));
		hdf_set_valuef(r->hdf, "%s.lost=%s", key, db_col(res, 3));
		hdf_set_valuef(r->hdf, "%s.relay=%s", key, relay_why(
		    db_coll(res, 2), db_coll(res, 5), db_col(res, 6), fen));
	}
	db_res_free(res);
	return 0;
}

/* USE[i]: the energy of the day CHART_DAYS-1-i days before TODAY (-1: not
 * known), of the account's meters or of METER. */
static int
load_days(struct req *r, int64_t account, int64_t meter, const char *today,
    int64_t *use)
{
	struct dbres *res = db_query(r->db, q[Q_DAYS], "slllsis", today,
	    account, meter, meter, today, CHART_DAYS, today);

	if (res == NULL)
		return -1;
	for (int i = 0; i < CHART_DAYS; i++)
		use[i] = -1;
	while (db_next(res) == 1) {
		int64_t ago = db_coll(res, 0);

		if (ago >= 0 && ago < CHART_DAYS)
			use[CHART_DAYS - 1 - ago] = db_coll(res, 1);
	}
	db_res_free(res);
	return 0;
}

/* The bars of the chart into Chart.N: day, kWh, and the SVG geometry. */
static void
show_chart(struct req *r, const int64_t *use, const char *today)
{
	struct tm tm = { 0 };
	int64_t max = 0;
	time_t t0;
	char key[32], day[16];

	if (sscanf(today, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t0 = timegm(&tm);
	for (int i = 0; i < CHART_DAYS; i++)
		if (use[i] > max)
			max = use[i];
	for (int i = 0; i < CHART_DAYS; i++) {
		time_t t = t0 - (time_t)(CHART_DAYS - 1 - i) * 86400;
		int64_t h = use[i] > 0 && max > 0 ?
		    (use[i] * CHART_H + max - 1) / max : 0;

		gmtime_r(&t, &tm);
		strftime(day, sizeof(day), "%m-%d", &tm);
		snprintf(key, sizeof(key), "Chart.%d", i);
		hdf_set_valuef(r->hdf, "%s.day=%s", key, day);
		hdf_set_valuef(r->hdf, "%s.x=%d", key, i * BAR_W);
		hdf_set_valuef(r->hdf, "%s.y=%lld", key, (long long)(CHART_H - h));
		hdf_set_valuef(r->hdf, "%s.h=%lld", key, (long long)h);
		hdf_set_valuef(r->hdf, "%s.known=%d", key, use[i] >= 0);
		hdf_set_valuef(r->hdf, "%s.kwh=%lld.%02lld", key,
		    (long long)(use[i] > 0 ? use[i] / 100 : 0),
		    (long long)(use[i] > 0 ? use[i] % 100 : 0));
	}
	hdf_set_valuef(r->hdf, "ChartMax=%lld.%02lld", (long long)(max / 100),
	    (long long)(max % 100));
}

/* B5: the whole account's, from the seven whole days before today. */
static int
show_forecast(struct req *r, int64_t account, int64_t money)
{
	int64_t days;

	if (forecast_lookup(r->db, account, 0, money, web_tz(r), &days) == -1)
		return -1;
	hdf_set_valuef(r->hdf, "Forecast.days=%lld", (long long)days);
	hdf_set_value(r->hdf, "Forecast.state", days == FORECAST_UNKNOWN ?
	    "unknown" : days == FORECAST_NO_USE ? "no_use" : "days");
	return 0;
}

/* 0.01 kWh as "12.34" into BUF. */
static const char *
kwh_text(int64_t e, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s%lld.%02lld", e < 0 ? "-" : "",
	    (long long)(e < 0 ? -e : e) / 100, (long long)(e < 0 ? -e : e) % 100);
	return buf;
}

/* This month's use and, under a tiered tariff, its tier and how far to the
 * next (Tier.*); nothing under a flat tariff. */
static int
show_month(struct req *r, int64_t account, const char *today)
{
	struct tiers t;
	struct dbres *res;
	int64_t month;
	char tiers[256] = "", buf[32];
	int i;

	if (db_value(r->db, &month, q[Q_MONTH], "lss", account, today, today) == -1)
		return -1;
	hdf_set_value(r->hdf, "Account.month_kwh", kwh_text(month, buf,
	    sizeof(buf)));
	if ((res = db_query(r->db, q[Q_TIERS], "ls", account, today)) == NULL)
		return -1;
	if (db_next(res) == 1)
		snprintf(tiers, sizeof(tiers), "%s", db_col(res, 0));
	db_res_free(res);
	if (tiers[0] == '\0' || tier_parse(tiers, &t) != NULL)
		return 0;
	i = tier_index(&t, month);
	hdf_set_int_value(r->hdf, "Tier.n", i + 1);
	if (i < t.n - 1 && t.upto[i] >= 0) {
		hdf_set_int_value(r->hdf, "Tier.next", i + 2);
		hdf_set_value(r->hdf, "Tier.to_next", kwh_text(t.upto[i] - month,
		    buf, sizeof(buf)));
	}
	return 0;
}

/* The list rows of the page: entries with their state, open alarms. */
static int
show_lists(struct req *r, int64_t account)
{
	struct dbres *res;

	if ((res = db_query(r->db, q[Q_ENTRIES], "sl", web_tz(r), account)) == NULL)
		return -1;
	web_rows(r, "Entries", res);
	db_res_free(res);
	web_money_col(r, "Entries", "amount_fen", "amount");
	if ((res = db_query(r->db, q[Q_ALARMS], "sl", web_tz(r), account)) == NULL)
		return -1;
	web_rows(r, "Alarms", res);
	db_res_free(res);
	return 0;
}

/* The chart's meter: 0 (all), or one of the account's; else -1 (a 404). */
static int64_t
chart_meter(struct req *r)
{
	const char *s = web_query(r, "meter", "");
	int64_t id = web_query_id(r, "meter");

	if (*s == '\0')
		return 0;
	for (HDF *h = hdf_get_child(r->hdf, "Meters"); h && id > 0;
	    h = hdf_obj_next(h))
		if (hdf_get_int_value(h, "id", 0) == id)
			return id;
	web_log(r, "student.refused", "meter", NULL, NULL);
	log_warnx("%s asked for meter \"%.40s\", not its own", r->sess->actor, s);
	return -1;
}

int
page_home(struct req *r)
{
	int64_t account = r->sess->account_id, money, meter;
	int64_t use[CHART_DAYS];
	struct dbres *res;
	char today[16], buf[32];

	if ((res = db_query(r->db, q[Q_ACCOUNT], "sl", web_tz(r), account)) == NULL)
		return -1;
	if (!web_row(r, "Account", res)) {
		db_res_free(res);
		return web_fail(r, 404, "err.not_found");
	}
	db_res_free(res);
	snprintf(today, sizeof(today), "%s",
	    hdf_get_value(r->hdf, "Account.today", ""));
	if (show_meters(r, account) == -1)
		return -1;
	if ((meter = chart_meter(r)) == -1)
		return web_fail(r, 404, "err.not_found");
	hdf_set_valuef(r->hdf, "Form.meter=%lld", (long long)meter);
	if (ledger_account_money(r->db, account, &money) == -1)
		return -1;
	hdf_set_value(r->hdf, "Account.money", money_format(money, buf,
	    sizeof(buf)));
	hdf_set_int_value(r->hdf, "Account.arrears", money < 0);
	if (load_days(r, account, meter, today, use) == -1)
		return -1;
	show_chart(r, use, today);
	if (show_forecast(r, account, money) == -1 ||
	    show_month(r, account, today) == -1)
		return -1;
	if (show_lists(r, account) == -1)
		return -1;
	web_render(r, "home.cs");
	return 0;
}
