/* sales.c - F23-F25: the sales reports' sums of the ledger, cut into the site's days, months or years. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "sales.h"

/* The ledger's kinds as the report's columns; NET is every entry, so the
 * columns add up to it and it equals the ledger to the fen. */
#define SUMS \
	" SUM(IF(l.kind IN ('sale', 'online'), l.amount_fen, 0)) AS sales_fen," \
	" SUM(IF(l.kind IN ('refund', 'closing_refund'), l.amount_fen, 0))" \
	" AS refunds_fen," \
	" SUM(IF(l.kind = 'reversal', l.amount_fen, 0)) AS reversals_fen," \
	" SUM(IF(l.kind = 'adjustment', l.amount_fen, 0)) AS adjust_fen," \
	" SUM(IF(l.kind IN ('transfer_out', 'transfer_in', 'token_failed')," \
	"   l.amount_fen, 0)) AS other_fen," \
	" SUM(l.amount_fen) AS net_fen, COUNT(*) AS n"
/* The same added up again from the groups of ENTRIES. */
#define RESUMS \
	" COALESCE(SUM(t.sales_fen), 0) AS sales_fen," \
	" COALESCE(SUM(t.refunds_fen), 0) AS refunds_fen," \
	" COALESCE(SUM(t.reversals_fen), 0) AS reversals_fen," \
	" COALESCE(SUM(t.adjust_fen), 0) AS adjust_fen," \
	" COALESCE(SUM(t.other_fen), 0) AS other_fen," \
	" COALESCE(SUM(t.net_fen), 0) AS net_fen, COALESCE(SUM(t.n), 0) AS n"
/*
 * The entries of an account (an inner join with accounts before) in the
 * range, added up per local period, operator, account and channel as far
 * as the grouping and the building filter need them, from the ledger alone:
 * the site's dates become UTC limits, so the index on created_at serves,
 * and the accounts, rooms and operators are joined to the groups only.
 */
#define ENTRIES \
	"WITH p AS (SELECT ? AS tz, ? AS d1, ? AS d2, ? AS bld, ? AS op, ? AS g," \
	"   ? AS fmt)," \
	" t AS (SELECT DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', p.tz)," \
	"   p.fmt) AS period," \
	" IF(p.g = 1, COALESCE(l.operator_id, 0), 0) AS op_id," \
	" IF(p.g = 2 OR p.bld <> 0, l.account_id, 0) AS acct," \
	" IF(p.g IN (1, 3), l.channel, '') AS ch," SUMS \
	" FROM p JOIN ledger l" \
	" WHERE l.account_id IS NOT NULL" \
	" AND (p.d1 = '' OR l.created_at >= CONVERT_TZ(p.d1, p.tz, '+00:00'))" \
	" AND (p.d2 = '' OR l.created_at <" \
	"   CONVERT_TZ(p.d2, p.tz, '+00:00') + INTERVAL 1 DAY)" \
	" AND (p.op = 0 OR l.operator_id + 0 = p.op)" \
	" GROUP BY period, op_id, acct, ch)"
#define FILTER \
	" FROM p JOIN t LEFT JOIN accounts a ON a.id = t.acct" \
	" LEFT JOIN rooms r ON r.id = a.room_id" \
	" LEFT JOIN buildings b ON b.id = r.building_id" \
	" LEFT JOIN operators o ON o.id = t.op_id" \
	" WHERE (p.bld = 0 OR r.building_id + 0 = p.bld)"

enum { Q_ROWS, Q_OPS };
static const char *const q[] = {
	[Q_ROWS] = ENTRIES " SELECT t.period, t.op_id,"
	    " IF(p.g = 1, COALESCE(MAX(o.login), ''), '') AS op_login,"
	    " IF(p.g = 1, COALESCE(MAX(o.name), ''), '') AS op_name,"
	    " IF(p.g = 2, COALESCE(r.building_id, 0), 0) AS bld_id,"
	    " IF(p.g = 2, COALESCE(MAX(b.name), ''), '') AS building,"
	    " t.ch," RESUMS
	    FILTER
	    " GROUP BY t.period, t.op_id, bld_id, t.ch"
	    " ORDER BY t.period, op_login, t.op_id, building, bld_id, t.ch",
	[Q_OPS] = "SELECT id, login, name FROM operators ORDER BY login",
};

static const char *const fmts[] = {
	[SALES_DAY] = "%Y-%m-%d", [SALES_MONTH] = "%Y-%m", [SALES_YEAR] = "%Y",
};

/* Runs query I with the filter's parameters. */
static struct dbres *
run(struct db *db, int i, const struct sales_filter *f)
{
	const char *fmt = fmts[SALES_DAY];

	if (f->period >= SALES_DAY && f->period <= SALES_YEAR)
		fmt = fmts[f->period];
	return db_query(db, q[i], "sssllis", f->tz, f->from ? f->from : "",
	    f->to ? f->to : "", f->building, f->operator_id, (int)f->group,
	    fmt);
}

struct dbres *
sales_rows(struct db *db, const struct sales_filter *f)
{
	return run(db, Q_ROWS, f);
}

struct dbres *
sales_operators(struct db *db)
{
	return db_query(db, q[Q_OPS], "");
}

/* Days from 2000-01-01 to Y-M-D of the proleptic Gregorian calendar. */
static long
day_number(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 730425;
}

int
sales_date(const char *s, long *day)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, n = 0;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
		return -1;
	if (y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	*day = day_number(y, m, d);
	return 0;
}

void
sales_today(const char *tz, char *buf, size_t size)
{
	int h = 8, mi = 0;
	char sign = '+';
	time_t t = time(NULL);
	struct tm tm;

	if (tz && sscanf(tz, "%c%2d:%2d", &sign, &h, &mi) != 3)
		h = 8, mi = 0, sign = '+';
	t += (sign == '-' ? -1 : 1) * (h * 3600 + mi * 60);
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d", &tm);
}
