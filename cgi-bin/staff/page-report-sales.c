/* page-report-sales.c - F23/F24/F25 daily, monthly and yearly sales reports: filters, a row per period and group, totals, print and .xlsx. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "money.h"
#include "pages.h"
#include "sales.h"

/* The group-by choices by enum sales_group. */
static const char *const bys[] = { "none", "operator", "building", "channel" };
static const char *const periods[] = { "day", "month", "year" };
/* The longest range a report shows at once, in days: a day report a year,
 * a month report ten years, a year report any. */
static const long maxdays[] = { 366, 3653, 0 };

static int report(struct req *, enum sales_period);

int
page_report_sales_day(struct req *r)
{
	return report(r, SALES_DAY);
}

int
page_report_sales_month(struct req *r)
{
	return report(r, SALES_MONTH);
}

int
page_report_sales_year(struct req *r)
{
	return report(r, SALES_YEAR);
}

/* An error next to FIELD with the text salesrep.KEY; returns 1. */
static int
bad(struct req *r, const char *field, const char *key)
{
	char lkey[64];

	snprintf(lkey, sizeof(lkey), "salesrep.%s", key);
	return web_error(r, field, lkey);
}

/* Query.NAME as an id of one of the rows PREFIX.N.id: 0 for all (empty or
 * "0"), -1 when it is not one of them. */
static int64_t
chosen(struct req *r, const char *name, const char *prefix)
{
	const char *s = web_query(r, name, "");
	HDF *h = hdf_get_obj(r->hdf, prefix);
	char *end;
	long long id;

	if (*s == '\0' || strcmp(s, "0") == 0)
		return 0;
	errno = 0;
	id = strtoll(s, &end, 10);
	if (errno || *end != '\0' || id <= 0 || s[0] < '1' || s[0] > '9')
		return -1;
	for (h = h ? hdf_obj_child(h) : NULL; h; h = hdf_obj_next(h))
		if (hdf_get_int_value(h, "id", 0) == id)
			return id;
	return -1;
}

/* The date range: defaults (a day report this month, a month report this
 * year, a year report everything), checked; the number of errors. */
static int
dates(struct req *r, struct sales_filter *f, char *from, char *to)
{
	const char *s1 = web_query(r, "from", ""), *s2 = web_query(r, "to", "");
	long d1 = 0, d2 = 0;
	int nerr = 0;

	sales_today(f->tz, to, 11);
	snprintf(from, 11, "%s", to);
	if (f->period == SALES_DAY)
		memcpy(from + 8, "01", 2);
	else if (f->period == SALES_MONTH)
		memcpy(from + 5, "01-01", 5);
	else
		from[0] = '\0';
	f->from = *s1 ? s1 : from;
	f->to = *s2 ? s2 : to;
	hdf_set_value(r->hdf, "Filter.from", f->from);
	hdf_set_value(r->hdf, "Filter.to", f->to);
	if (*f->from && sales_date(f->from, &d1) == -1)
		nerr += bad(r, "from", "bad_date");
	if (sales_date(f->to, &d2) == -1)
		nerr += bad(r, "to", "bad_date");
	if (nerr == 0 && *f->from && d2 < d1)
		nerr += bad(r, "to", "date_order");
	else if (nerr == 0 && maxdays[f->period] && d2 - d1 + 1 >
	    maxdays[f->period])
		nerr += bad(r, "to", f->period == SALES_DAY ? "too_long_day" :
		    "too_long_month");
	return nerr;
}

/* The filters of the query into F and Filter.*; the number of errors. */
static int
filters(struct req *r, struct sales_filter *f, char *from, char *to)
{
	const char *by = web_query(r, "by", "operator");
	int nerr = dates(r, f, from, to);

	hdf_set_value(r->hdf, "Filter.building", web_query(r, "building", ""));
	hdf_set_value(r->hdf, "Filter.op", web_query(r, "op", ""));
	f->group = SALES_BY_OPERATOR;
	if (*by) {
		size_t i;

		for (i = 0; i < sizeof(bys) / sizeof(bys[0]); i++)
			if (strcmp(by, bys[i]) == 0)
				break;
		if (i == sizeof(bys) / sizeof(bys[0]))
			nerr += bad(r, "by", "bad_by");
		else
			f->group = (enum sales_group)i;
	}
	hdf_set_value(r->hdf, "Filter.by", *by && f->group == SALES_BY_OPERATOR ?
	    by : bys[f->group]);
	if ((f->building = chosen(r, "building", "Buildings")) == -1)
		nerr += bad(r, "building", "bad_building");
	if ((f->operator_id = chosen(r, "op", "Ops")) == -1)
		nerr += bad(r, "op", "bad_op");
	return nerr;
}

/* Each row's group in words (Rows.N.grp) and its sums in yuan. */
static void
labels(struct req *r, enum sales_group g)
{
	HDF *rows = hdf_get_obj(r->hdf, "Rows");
	char key[64];
	static const char *const sums[] = { "sales", "refunds", "reversals",
	    "adjust", "other", "net" };

	for (size_t i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
		char from[32];

		snprintf(from, sizeof(from), "%s_fen", sums[i]);
		web_money_col(r, "Rows", from, sums[i]);
	}
	for (HDF *h = rows ? hdf_obj_child(rows) : NULL; h; h = hdf_obj_next(h)) {
		const char *login = hdf_get_value(h, "op_login", "");
		const char *ch = hdf_get_value(h, "ch", "");
		const char *v = "";

		snprintf(key, sizeof(key), "channel.%s", ch);
		if (g == SALES_BY_OPERATOR && *login) {
			hdf_set_valuef(h, "grp=%s %s", login,
			    hdf_get_value(h, "op_name", ""));
			continue;
		}
		if (g == SALES_BY_OPERATOR || g == SALES_BY_CHANNEL)
			v = web_lang(r, key);
		else if (g == SALES_BY_BUILDING)
			v = hdf_get_value(h, "building", "");
		if (g == SALES_BY_BUILDING && *v == '\0')
			v = web_lang(r, "salesrep.no_building");
		hdf_set_value(h, "grp", v);
	}
}

/* The totals row, Sum.*, added up from the rows (integer fen). */
static void
totals(struct req *r)
{
	static const char *const cols[] = { "sales_fen", "refunds_fen",
	    "reversals_fen", "adjust_fen", "other_fen", "net_fen", "n" };
	static const char *const sums[] = { "Sum.sales", "Sum.refunds",
	    "Sum.reversals", "Sum.adjust", "Sum.other", "Sum.net", "Sum.n" };
	int64_t t[7] = { 0 };
	char buf[32];

	for (HDF *h = hdf_get_child(r->hdf, "Rows"); h; h = hdf_obj_next(h))
		for (int i = 0; i < 7; i++)
			t[i] += strtoll(hdf_get_value(h, cols[i], "0"), NULL, 10);
	for (int i = 0; i < 6; i++)
		hdf_set_value(r->hdf, sums[i], money_format(t[i], buf,
		    sizeof(buf)));
	hdf_set_valuef(r->hdf, "Sum.n=%lld", (long long)t[6]);
}

/* The rows as NAME.xlsx: yuan columns, a header and a totals row. */
static int
export(struct req *r, const struct sales_filter *f)
{
	static const char *const pheads[] = { "salesrep.col_day",
	    "salesrep.col_month", "salesrep.col_year" };
	static const char *const gheads[] = { "", "salesrep.head.operator",
	    "salesrep.head.building", "salesrep.head.channel" };
	const char *heads[] = { pheads[f->period], gheads[f->group],
	    "salesrep.col_sales", "salesrep.col_refunds",
	    "salesrep.col_reversals", "salesrep.col_adjust",
	    "salesrep.col_other", "salesrep.col_net", "salesrep.col_n" };
	const char *cols[] = { "period", "grp", "sales_fen:yuan+",
	    "refunds_fen:yuan+", "reversals_fen:yuan+", "adjust_fen:yuan+",
	    "other_fen:yuan+", "net_fen:yuan+", "n:int+" };
	char name[64];
	size_t n = 0;

	if (f->period == SALES_DAY)
		cols[0] = "period:date";
	/* not grouped: no group column */
	for (size_t i = 0; i < 9; i++) {
		if (i == 1 && f->group == SALES_BY_NONE)
			continue;
		heads[n] = heads[i];
		cols[n++] = cols[i];
	}
	snprintf(name, sizeof(name), "sales-%s-%s-%s", periods[f->period],
	    *f->from ? f->from : "all", f->to);
	return web_xlsx_hdf(r, name, heads, cols, n, "Rows");
}

/* A sales report of PERIOD: the form, and the rows when it is right. */
static int
report(struct req *r, enum sales_period period)
{
	struct sales_filter f = { .period = period, .tz = web_tz(r) };
	struct dbres *res;
	char from[11], to[11];

	hdf_set_value(r->hdf, "Report.period", periods[period]);
	hdf_set_value(r->hdf, "Report.print", web_query(r, "print", ""));
	hdf_set_value(r->hdf, "Report.tz", f.tz);
	if (web_buildings(r) == -1 || (res = sales_operators(r->db)) == NULL)
		return -1;
	web_rows(r, "Ops", res);
	db_res_free(res);
	if (filters(r, &f, from, to) > 0) {
		web_render(r, "report-sales.cs");
		return 0;
	}
	hdf_set_value(r->hdf, "Report.ok", "1");
	if ((res = sales_rows(r->db, &f)) == NULL)
		return -1;
	web_rows(r, "Rows", res);
	db_res_free(res);
	labels(r, f.group);
	if (strcmp(web_query(r, "export", ""), "xlsx") == 0)
		return export(r, &f);
	totals(r);
	web_render(r, "report-sales.cs");
	return 0;
}
