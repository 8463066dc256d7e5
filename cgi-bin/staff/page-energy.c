/* page-energy.c - energy reports: use by place and day (F28), energy-only meters (F29), master meters against their rooms (B7). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "energy.h"
#include "money.h"
#include "pages.h"
#include "valid.h"

#define TOP_ROOMS 10
#define CHART_W 600
#define CHART_H 180

/* The date range of a report from ?from=&to=; errors next to the fields.
 * Returns the number of errors, or -1. */
static int
energy_dates(struct req *r, struct energy_range *rg)
{
	const char *d1 = web_query(r, "from", ""), *d2 = web_query(r, "to", "");
	int rc;

	hdf_set_value(r->hdf, "Filter.from", d1);
	hdf_set_value(r->hdf, "Filter.to", d2);
	if (strlen(d1) > 10 || strlen(d2) > 10)
		return form_error(r, strlen(d1) > 10 ? "from" : "to", "bad_date");
	if ((rc = energy_range(r->db, d1, d2, web_tz(r), rg)) == -1)
		return -1;
	if (rc)
		return form_error(r, rc == 1 ? "from" : "to", "bad_date");
	hdf_set_value(r->hdf, "Filter.from", rg->from);
	hdf_set_value(r->hdf, "Filter.to", rg->to);
	if (rg->days < 1)
		return form_error(r, "to", "date_order");
	if (rg->days > ENERGY_MAX_DAYS)
		return form_error(r, "to", "energy_days_max");
	return 0;
}

/* ?NAME= as a number from 1 to MAX into *OUT (0 when empty); 1 when it is
 * something else. */
static int
energy_num(struct req *r, const char *name, long max, int64_t *out)
{
	const char *s = web_query(r, name, "");
	long v = 0;

	*out = 0;
	if (*s == '\0')
		return 0;
	if (valid_int(s, 1, max, &v) != NULL)
		return 1;
	*out = v;
	return 0;
}

/* The place of the F28 filter into P; errors next to the fields.
 * Returns the number of errors, or -1. */
static int
energy_where(struct req *r, struct energy_place *p)
{
	const char *room = web_query(r, "room", "");
	int64_t b, f;
	int rc;

	hdf_set_value(r->hdf, "Filter.building", web_query(r, "building", ""));
	hdf_set_value(r->hdf, "Filter.floor", web_query(r, "floor", ""));
	hdf_set_value(r->hdf, "Filter.room", room);
	memset(p, 0, sizeof(*p));
	if (energy_num(r, "building", INT_MAX, &b))
		return form_error(r, "building", "energy_no_building");
	if (energy_num(r, "floor", 200, &f))
		return form_error(r, "floor", "energy_no_floor");
	if (strlen(room) > 16)
		return form_error(r, "room", "room_not_found");
	if ((rc = energy_place(r->db, b, f, room, p)) == -1)
		return -1;
	if (rc == 1)
		return form_error(r, "building", b ? "energy_no_building" :
		    "energy_need_building");
	if (rc)
		return form_error(r, rc == 2 ? "floor" : "room",
		    rc == 2 ? "energy_no_floor" : "room_not_found");
	return 0;
}

/* A bar of the chart PREFIX.N scaled to MAX, with its title. */
static void
energy_bar(struct req *r, const char *prefix, int i, int n, int64_t v,
    int64_t max, const char *title)
{
	int w = n ? CHART_W / n : CHART_W, h;

	h = v > 0 ? (int)(v * CHART_H / (max > 0 ? max : 1)) : 0;
	hdf_set_valuef(r->hdf, "%s.%d.x=%d", prefix, i, 40 + i * w);
	hdf_set_valuef(r->hdf, "%s.%d.w=%d", prefix, i, w > 2 ? w - 1 : 1);
	hdf_set_valuef(r->hdf, "%s.%d.y=%d", prefix, i, 190 - h);
	hdf_set_valuef(r->hdf, "%s.%d.h=%d", prefix, i, h);
	hdf_set_valuef(r->hdf, "%s.%d.title=%s", prefix, i, title);
}

/* The use per period of RES into Periods.N and the chart; *TOTAL its sum. */
static void
energy_chart(struct req *r, struct dbres *res, int64_t *total)
{
	int64_t used[ENERGY_MAX_DAYS], max = 0;
	char buf[32], title[64];
	int n = 0;

	*total = 0;
	while (db_next(res) == 1 && n < ENERGY_MAX_DAYS) {
		used[n] = db_coll(res, 1);
		*total += used[n];
		if (used[n] > max)
			max = used[n];
		hdf_set_valuef(r->hdf, "Periods.%d.period=%s", n, db_col(res, 0));
		hdf_set_valuef(r->hdf, "Periods.%d.used=%s", n,
		    decimal_format(used[n], 2, buf, sizeof(buf)));
		n++;
	}
	hdf_set_int_value(r->hdf, "Chart.n", n);
	hdf_set_value(r->hdf, "Chart.max", decimal_format(max, 2, buf,
	    sizeof(buf)));
	for (int i = 0; i < n; i++) {
		snprintf(title, sizeof(title), "%s %s kWh",
		    hdf_get_valuef(r->hdf, "Periods.%d.period", i),
		    hdf_get_valuef(r->hdf, "Periods.%d.used", i));
		energy_bar(r, "Chart.bars", i, n, used[i], max, title);
	}
}

/* The total against the period before (kWh and %) and the top rooms. */
static int
energy_compare(struct req *r, const struct energy_place *p,
    const struct energy_range *rg, int64_t total)
{
	int64_t prev;
	struct dbres *res;
	char buf[32];

	if (energy_total(r->db, p, rg->prev_from, rg->prev_to, &prev) == -1)
		return -1;
	hdf_set_value(r->hdf, "Sum.total", decimal_format(total, 2, buf,
	    sizeof(buf)));
	hdf_set_value(r->hdf, "Sum.prev", decimal_format(prev, 2, buf,
	    sizeof(buf)));
	hdf_set_value(r->hdf, "Sum.diff", decimal_format(total - prev, 2, buf,
	    sizeof(buf)));
	hdf_set_value(r->hdf, "Sum.prev_from", rg->prev_from);
	hdf_set_value(r->hdf, "Sum.prev_to", rg->prev_to);
	/* the change in 0.01 %, rounded half away from zero */
	if (prev > 0) {
		int64_t d = (total - prev) * 10000, bp = (d + (d < 0 ? -prev : prev)
		    / 2) / prev;

		hdf_set_value(r->hdf, "Sum.pct", decimal_format(bp, 2, buf,
		    sizeof(buf)));
	}
	if ((res = energy_top_rooms(r->db, p, rg, TOP_ROOMS)) == NULL)
		return -1;
	web_rows(r, "Top", res);
	db_res_free(res);
	web_money_col(r, "Top", "used", "used_kwh");
	return 0;
}

int
page_energy(struct req *r)
{
	struct energy_range rg;
	struct energy_place p;
	struct dbres *res;
	int64_t total;
	int nerr, monthly;

	web_render(r, "energy.cs");
	if (web_buildings(r) == -1)
		return -1;
	if ((nerr = energy_dates(r, &rg)) == -1)
		return -1;
	if ((nerr += energy_where(r, &p)) != 0)
		return nerr < 0 ? -1 : 0;
	monthly = rg.days > ENERGY_DAILY_DAYS;
	hdf_set_int_value(r->hdf, "Filter.monthly", monthly);
	if ((res = energy_periods(r->db, &p, &rg, monthly)) == NULL)
		return -1;
	if (strcmp(web_query(r, "export", ""), "xlsx") == 0) {
		static const char *const heads[] = { "energy.period",
		    "energy.used_kwh" };
		static const char *const cols[] = { "period", "used:kwh+" };
		int rc = web_xlsx(r, "energy", heads, cols, 2, res);

		db_res_free(res);
		return rc;
	}
	energy_chart(r, res, &total);
	db_res_free(res);
	return energy_compare(r, &p, &rg, total);
}

/* The F29 filter: the meter and the two times; errors next to the fields.
 * Returns the number of errors, or -1. */
static int
instruments_filter(struct req *r, int64_t *meter, char t1[20], char t2[20])
{
	const char *s1 = web_query(r, "t1", ""), *s2 = web_query(r, "t2", "");
	struct dbres *res;
	int rc;

	hdf_set_value(r->hdf, "Filter.meter", web_query(r, "meter", ""));
	hdf_set_value(r->hdf, "Filter.t1", s1);
	hdf_set_value(r->hdf, "Filter.t2", s2);
	if ((res = energy_instruments(r->db)) == NULL)
		return -1;
	web_rows(r, "Instruments", res);
	db_res_free(res);
	if (energy_num(r, "meter", INT_MAX, meter))
		return form_error(r, "meter", "meter_not_found");
	if (strlen(s1) > 19 || strlen(s2) > 19)
		return form_error(r, strlen(s1) > 19 ? "t1" : "t2", "energy_bad_time");
	if ((rc = energy_times(r->db, s1, s2, web_tz(r), t1, t2)) == -1)
		return -1;
	if (rc)
		return form_error(r, rc == 1 ? "t1" : "t2", "energy_bad_time");
	hdf_set_value(r->hdf, "Filter.t1", t1);
	hdf_set_value(r->hdf, "Filter.t2", t2);
	if (strcmp(t1, t2) > 0)
		return form_error(r, "t2", "energy_time_order");
	return 0;
}

/* Each energy-only meter's reads nearest the two times, and its use. */
static int
instruments_between(struct req *r, int64_t meter, const char *t1,
    const char *t2)
{
	struct dbres *res;
	long n;

	if ((res = energy_between(r->db, meter, t1, t2, web_tz(r))) == NULL)
		return -1;
	n = web_rows(r, "Meters", res);
	db_res_free(res);
	if (meter && n == 0)
		return form_error(r, "meter", "meter_not_found");
	web_money_col(r, "Meters", "e1", "e1_kwh");
	web_money_col(r, "Meters", "e2", "e2_kwh");
	web_money_col(r, "Meters", "used", "used_kwh");
	return 0;
}

int
page_instruments(struct req *r)
{
	static const char *const sortkeys[] = { "at", NULL };
	static const char *const heads[] = { "col.time", "col.meter_number",
	    "energy.energy_kwh", "energy.power_w", "energy.voltage",
	    "energy.current" };
	static const char *const cols[] = { "at:datetime", "number:int",
	    "energy:kwh", "power_w:int", "voltage_dv:int", "current_ca:int" };
	char t1[20], t2[20];
	struct list l;
	int64_t meter;
	int nerr;

	web_list(r, sortkeys, "-at", &l);
	web_render(r, "instruments.cs");
	if ((nerr = instruments_filter(r, &meter, t1, t2)) != 0)
		return nerr < 0 ? -1 : 0;
	if (!l.export && (nerr = instruments_between(r, meter, t1, t2)) != 0)
		return nerr < 0 ? -1 : 0;
	if (web_list_out(r, &l, energy_reads(r->db, l.export, meter, t1, t2,
	    web_tz(r), l.per, l.offset), "instruments", heads, cols, 6,
	    "instruments.cs") == -1)
		return -1;
	if (!l.export)
		web_money_col(r, "Rows", "energy", "energy_kwh");
	return 0;
}

/* The B7 rows of RES into Rows.N and the chart: a bar of the master's use
 * with the rooms' over it, a day over the threshold marked. */
static void
losses_rows(struct req *r, struct dbres *res)
{
	static int64_t master[4 * ENERGY_MAX_DAYS], rooms[4 * ENERGY_MAX_DAYS];
	int64_t max = 0;
	char buf[32], title[128];
	int n = 0, nover = 0;

	web_rows(r, "Rows", res);
	for (; hdf_get_valuef(r->hdf, "Rows.%d.day", n) != NULL &&
	    n < 4 * ENERGY_MAX_DAYS; n++) {
		master[n] = strtoll(hdf_get_valuef(r->hdf, "Rows.%d.master", n),
		    NULL, 10);
		rooms[n] = strtoll(hdf_get_valuef(r->hdf, "Rows.%d.rooms", n),
		    NULL, 10);
		max = master[n] > max ? master[n] : max;
		max = rooms[n] > max ? rooms[n] : max;
		if (strcmp(hdf_get_valuef(r->hdf, "Rows.%d.over_pct", n), "1") == 0)
			nover++;
		if (hdf_get_valuef(r->hdf, "Rows.%d.loss_bp", n) != NULL &&
		    *hdf_get_valuef(r->hdf, "Rows.%d.loss_bp", n))
			hdf_set_valuef(r->hdf, "Rows.%d.loss_pct=%s", n,
			    decimal_format(strtoll(hdf_get_valuef(r->hdf,
			    "Rows.%d.loss_bp", n), NULL, 10), 2, buf, sizeof(buf)));
	}
	web_money_col(r, "Rows", "master", "master_kwh");
	web_money_col(r, "Rows", "rooms", "rooms_kwh");
	web_money_col(r, "Rows", "loss", "loss_kwh");
	hdf_set_int_value(r->hdf, "Chart.n", n);
	hdf_set_int_value(r->hdf, "Chart.over", nover);
	hdf_set_value(r->hdf, "Chart.max", decimal_format(max, 2, buf,
	    sizeof(buf)));
	for (int i = 0; i < n; i++) {
		snprintf(title, sizeof(title), "%s %s %s / %s kWh",
		    hdf_get_valuef(r->hdf, "Rows.%d.building", i),
		    hdf_get_valuef(r->hdf, "Rows.%d.day", i),
		    hdf_get_valuef(r->hdf, "Rows.%d.master_kwh", i),
		    hdf_get_valuef(r->hdf, "Rows.%d.rooms_kwh", i));
		energy_bar(r, "Chart.master", i, n, master[i], max, title);
		energy_bar(r, "Chart.rooms", i, n, rooms[i], max, title);
		hdf_set_valuef(r->hdf, "Chart.master.%d.over=%s", i,
		    hdf_get_valuef(r->hdf, "Rows.%d.over_pct", i));
	}
}

int
page_losses(struct req *r)
{
	struct energy_range rg;
	struct energy_place p;
	struct dbres *res;
	int64_t b, pct = web_setting(r, "loss_alarm_pct");
	int nerr, rc;

	web_render(r, "losses.cs");
	if (pct < 0 || web_buildings(r) == -1)
		return -1;
	hdf_set_int_value(r->hdf, "Filter.pct", (int)pct);
	hdf_set_value(r->hdf, "Filter.building", web_query(r, "building", ""));
	if ((nerr = energy_dates(r, &rg)) == -1)
		return -1;
	if (energy_num(r, "building", INT_MAX, &b))
		nerr += form_error(r, "building", "energy_no_building");
	else if ((rc = energy_place(r->db, b, 0, "", &p)) == -1)
		return -1;
	else if (rc)
		nerr += form_error(r, "building", "energy_no_building");
	if (nerr)
		return 0;
	if ((res = energy_losses(r->db, b, &rg, pct)) == NULL)
		return -1;
	if (strcmp(web_query(r, "export", ""), "xlsx") == 0) {
		static const char *const heads[] = { "col.building", "col.day",
		    "energy.master_kwh", "energy.rooms_kwh", "energy.loss_kwh",
		    "energy.loss_pct", "energy.flag" };
		/* loss_bp is in 0.01 %: written like kWh, to two decimals */
		static const char *const cols[] = { "building", "day:date",
		    "master:kwh+", "rooms:kwh+", "loss:kwh+", "loss_bp:kwh",
		    "over_pct:label.energy.over" };
		rc = web_xlsx(r, "losses", heads, cols, 7, res);
		db_res_free(res);
		return rc;
	}
	losses_rows(r, res);
	db_res_free(res);
	return 0;
}
