/* page-history.c - F16 reading history of one meter: daily consumption as a table and an SVG chart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "money.h"
#include "pages.h"

#define MAXDAYS 366
#define READS_PER_PAGE 200

enum { Q_RANGE, Q_METER, Q_DAYS, Q_READS };
static const char *const q[] = {
	[Q_RANGE] = "SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', p.tz)),"
	    " DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', p.tz)) - INTERVAL 29 DAY"
	    " FROM (SELECT ? AS tz) p",
	[Q_METER] = "SELECT m.id, m.number, m.profile, COALESCE(b.name, '') AS building,"
	    " COALESCE(r.number, '') AS room FROM meters m LEFT JOIN rooms r ON r.id = m.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id WHERE m.number = ? OR m.id = ?"
	    " ORDER BY m.number = ? DESC LIMIT 1",
	/* a day's use as the collector stored it; for a row without it, its
	 * last energy minus the day before's (or its first) */
	[Q_DAYS] = "SELECT day, COALESCE(used, last_energy - COALESCE(LAG(last_energy)"
	    " OVER (ORDER BY day), first_energy)) AS used, last_energy FROM daily_energy"
	    " WHERE meter_id = ? AND day BETWEEN ? AND ? ORDER BY day",
	[Q_READS] = "SELECT DATE_FORMAT(CONVERT_TZ(read_at, '+00:00', ?), '%Y-%m-%d %H:%i:%s') AS at,"
	    " energy, remaining_fen, purchase_count, power_w, voltage_dv, status_word,"
	    " COUNT(*) OVER () AS total"
	    " FROM readings WHERE meter_id = ?"
	    " AND read_at >= CONVERT_TZ(?, ?, '+00:00')"
	    " AND read_at < CONVERT_TZ(?, ?, '+00:00') + INTERVAL 1 DAY"
	    " ORDER BY read_at DESC LIMIT ? OFFSET ?",
};

/* The date filter: the last 30 days of the site's calendar by default, a
 * bad date or a range ending before it starts said next to its field. */
static int
history_range(struct req *r, const char **d1, const char **d2, char *today,
    char *from, size_t sz)
{
	struct dbres *res;

	today[0] = from[0] = '\0';
	if ((res = db_query(r->db, q[Q_RANGE], "s", web_tz(r))) == NULL)
		return -1;
	if (db_next(res) == 1) {
		snprintf(today, sz, "%s", db_col(res, 0));
		snprintf(from, sz, "%s", db_col(res, 1));
	}
	db_res_free(res);
	if (!web_date_ok(*d1) || **d1 == '\0') {
		if (**d1)
			form_error(r, "from", "bad_date");
		*d1 = from;
	}
	if (!web_date_ok(*d2) || **d2 == '\0') {
		if (**d2)
			form_error(r, "to", "bad_date");
		*d2 = today;
	}
	/* a range that ends before it begins is said so, not shown empty */
	if (strcmp(*d1, *d2) > 0) {
		form_error(r, "to", "date_order");
		*d2 = *d1;
	}
	hdf_set_value(r->hdf, "Filter.from", *d1);
	hdf_set_value(r->hdf, "Filter.to", *d2);
	return 0;
}

/* The use per day of RES into Days.N and the chart: 600 x 200 user
 * units, a bar a day, scaled to the top day. */
static void
history_days(struct req *r, struct dbres *res)
{
	int64_t used[MAXDAYS], max = 1, total = 0;
	char buf[32];
	int n = 0;

	while (db_next(res) == 1 && n < MAXDAYS) {
		used[n] = db_coll(res, 1);
		total += used[n];
		if (used[n] > max)
			max = used[n];
		hdf_set_valuef(r->hdf, "Days.%d.day=%s", n, db_col(res, 0));
		hdf_set_valuef(r->hdf, "Days.%d.used=%s", n, decimal_format(used[n],
		    2, buf, sizeof(buf)));
		hdf_set_valuef(r->hdf, "Days.%d.energy=%s", n, decimal_format(
		    db_coll(res, 2), 2, buf, sizeof(buf)));
		n++;
	}
	hdf_set_value(r->hdf, "Used.total", decimal_format(total, 2, buf,
	    sizeof(buf)));
	hdf_set_int_value(r->hdf, "Chart.n", n);
	hdf_set_value(r->hdf, "Chart.max", decimal_format(max, 2, buf, sizeof(buf)));
	for (int i = 0; i < n; i++) {
		int w = n ? 600 / n : 600, h = (int)(used[i] * 180 / max);

		if (h < 0)
			h = 0;
		hdf_set_valuef(r->hdf, "Chart.bars.%d.x=%d", i, 40 + i * w);
		hdf_set_valuef(r->hdf, "Chart.bars.%d.w=%d", i, w > 2 ? w - 1 : 1);
		hdf_set_valuef(r->hdf, "Chart.bars.%d.y=%d", i, 190 - h);
		hdf_set_valuef(r->hdf, "Chart.bars.%d.h=%d", i, h);
		hdf_set_valuef(r->hdf, "Chart.bars.%d.title=%s %s kWh", i,
		    hdf_get_valuef(r->hdf, "Days.%d.day", i),
		    hdf_get_valuef(r->hdf, "Days.%d.used", i));
	}
}

/* Every read of meter ID in the range, a page at a time. */
static int
history_reads(struct req *r, int64_t id, const char *d1, const char *d2)
{
	struct dbres *res;
	int64_t rp = web_query_id(r, "rpage"), nreads, pages;

	rp = rp ? rp : 1;
	if ((res = db_query(r->db, q[Q_READS], "slssssll", web_tz(r), id, d1,
	    web_tz(r), d2, web_tz(r), (int64_t)READS_PER_PAGE,
	    (rp - 1) * READS_PER_PAGE)) == NULL)
		return -1;
	web_rows(r, "Reads", res);
	db_res_free(res);
	nreads = hdf_get_int_value(r->hdf, "Reads.0.total", 0);
	pages = (nreads + READS_PER_PAGE - 1) / READS_PER_PAGE;
	hdf_set_int_value(r->hdf, "ReadPages.total", (int)nreads);
	hdf_set_int_value(r->hdf, "ReadPages.page", (int)rp);
	hdf_set_int_value(r->hdf, "ReadPages.pages", (int)(pages ? pages : 1));
	if (rp > 1)
		hdf_set_int_value(r->hdf, "ReadPages.prev", (int)rp - 1);
	if (rp < pages)
		hdf_set_int_value(r->hdf, "ReadPages.next", (int)rp + 1);
	web_money_col(r, "Reads", "remaining_fen", "remaining");
	/* energy is in 0.01 kWh: the same two decimals as money */
	web_money_col(r, "Reads", "energy", "energy_kwh");
	return 0;
}

int
page_history(struct req *r)
{
	const char *num = web_query(r, "meter", "");
	const char *d1 = web_query(r, "from", ""), *d2 = web_query(r, "to", "");
	int64_t id;
	struct dbres *res;
	char today[16], from[16];

	web_render(r, "history.cs");
	hdf_set_value(r->hdf, "Filter.meter", num);
	if (history_range(r, &d1, &d2, today, from, sizeof(today)) == -1)
		return -1;
	if (*num == '\0')
		return 0;
	id = atoll(num);
	if ((res = db_query(r->db, q[Q_METER], "lll", id, (int64_t)0, id)) == NULL)
		return -1;
	if (!web_row(r, "Meter", res)) {
		db_res_free(res);
		form_error(r, "meter", "meter_not_found");
		return 0;
	}
	db_res_free(res);
	id = hdf_get_int_value(r->hdf, "Meter.id", 0);
	if ((res = db_query(r->db, q[Q_DAYS], "lss", id, d1, d2)) == NULL)
		return -1;
	if (strcmp(web_query(r, "export", ""), "xlsx") == 0) {
		static const char *const heads[] = { "col.day", "page.used_kwh",
		    "page.energy_kwh" };
		static const char *const cols[] = { "day:date", "used:kwh+",
		    "last_energy:kwh" };
		int rc = web_xlsx(r, "history", heads, cols, 3, res);

		db_res_free(res);
		return rc;
	}
	history_days(r, res);
	db_res_free(res);
	return history_reads(r, id, d1, d2);
}
