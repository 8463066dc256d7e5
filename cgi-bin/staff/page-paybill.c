/* page-paybill.c - B1 the gateways' bill of a day: each channel's bill as fetched, its lines matched with the orders or not, each mismatch with what to do; sortable, filtered, .xlsx. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "money.h"
#include "pages.h"

enum { Q_LAST, Q_BILLS, Q_LIST, Q_TOTAL };
#define PAID "('paid', 'credited', 'needs_refund', 'refunded')"
/* every line of the day's bills and every order paid that day that no
 * bill holds, with what came of the matching (as rc_pay_bill) */
#define ROWS \
	" FROM (SELECT CONCAT('L', b.id) AS id, b.channel, b.kind AS line," \
	" b.out_trade_no AS no, b.trade_no, b.state AS gw_state," \
	" b.amount_fen AS bill_fen, COALESCE(o.amount_fen, '') AS order_fen," \
	" COALESCE(o.state, '') AS state, CASE WHEN o.id IS NULL THEN 'no_order'" \
	"   WHEN b.kind = 'refund' THEN 'ok'" \
	"   WHEN o.state NOT IN " PAID " THEN 'not_paid'" \
	"   WHEN o.amount_fen <> b.amount_fen THEN 'amount' ELSE 'ok' END AS kind," \
	" COALESCE(o.account_id, 0) AS account_id, COALESCE(a.holder, '') AS holder," \
	" o.id AS oid" \
	" FROM pay_bill_lines b JOIN (SELECT ? AS d, ? AS ch) p" \
	" LEFT JOIN pay_orders o ON o.out_trade_no = b.out_trade_no" \
	"   AND o.channel = b.channel" \
	" LEFT JOIN accounts a ON a.id = o.account_id" \
	" WHERE b.day = p.d AND (p.ch = '' OR b.channel = p.ch)" \
	" UNION ALL" \
	" SELECT CONCAT('O', o.id), o.channel, 'trade', o.out_trade_no, o.trade_no," \
	" '', '', o.amount_fen, o.state, 'missing', o.account_id," \
	" COALESCE(a.holder, ''), o.id" \
	" FROM pay_orders o JOIN (SELECT ? AS d, ? AS ch, ? AS tz) p" \
	" JOIN pay_bills d ON d.channel = o.channel AND d.day = p.d" \
	" LEFT JOIN accounts a ON a.id = o.account_id" \
	" WHERE o.paid_at >= CONVERT_TZ(p.d, p.tz, '+00:00')" \
	" AND o.paid_at < CONVERT_TZ(p.d + INTERVAL 1 DAY, p.tz, '+00:00')" \
	" AND d.state = 'ok' AND (p.ch = '' OR o.channel = p.ch)" \
	" AND o.state IN " PAID \
	" AND NOT EXISTS (SELECT 1 FROM pay_bill_lines z WHERE z.channel =" \
	"   o.channel AND z.out_trade_no = o.out_trade_no AND z.kind = 'trade')" \
	") x JOIN (SELECT ? AS m, ? AS s) f" \
	" WHERE f.m = '' OR (f.m = 'bad' AND x.kind <> 'ok') OR x.kind = f.m"
static const char *const q[] = {
	/* the last day a bill was taken: the page's day when none is asked */
	[Q_LAST] = "SELECT COALESCE(DATE_FORMAT(MAX(day), '%Y-%m-%d'), '')"
	    " FROM pay_bills WHERE state = 'ok'",
	[Q_BILLS] = "SELECT b.channel, b.state, b.line_count, b.sha1, b.note,"
	    " DATE_FORMAT(CONVERT_TZ(b.fetched_at, '+00:00', ?), '%Y-%m-%d %H:%i:%s')"
	    " AS fetched FROM pay_bills b WHERE b.day = ?",
	[Q_LIST] = "SELECT x.id, x.channel, x.line, x.no, x.trade_no, x.gw_state,"
	    " x.bill_fen, x.order_fen, x.state, x.kind, x.kind AS todo,"
	    " x.account_id, x.holder, x.oid, COUNT(*) OVER () AS total" ROWS
	    " ORDER BY CASE WHEN f.s = 1 THEN x.kind = 'ok' END,"
	    " CASE WHEN f.s = -1 THEN x.kind = 'ok' END DESC,"
	    " CASE WHEN f.s = 2 THEN CAST(COALESCE(NULLIF(x.bill_fen, ''),"
	    "   x.order_fen) AS SIGNED) END,"
	    " CASE WHEN f.s = -2 THEN CAST(COALESCE(NULLIF(x.bill_fen, ''),"
	    "   x.order_fen) AS SIGNED) END DESC,"
	    " CASE WHEN f.s = 3 THEN x.no END, CASE WHEN f.s = -3 THEN x.no END DESC,"
	    " x.kind = 'ok', x.kind, x.channel, x.no LIMIT ? OFFSET ?",
	[Q_TOTAL] = "SELECT COUNT(*), COALESCE(SUM(x.kind <> 'ok'), 0)" ROWS,
};
#undef PAID

static const char *const sortkeys[] = { "match", "amount", "no", NULL };
static const char *const matches[] = { "ok", "bad", "no_order", "not_paid",
	"amount", "missing", NULL };
static const char *const channels[] = { "alipay", "wechat", NULL };

/* The day asked for ("" when it is bad: the error next to the field), or
 * the last day a bill was taken. */
static const char *
bill_day(struct req *r, char *buf, size_t sz)
{
	const char *d = web_query(r, "day", "");
	struct dbres *res;

	if (*d && !web_date_ok(d)) {
		hdf_set_value(r->hdf, "Filter.day", d);
		web_error(r, "day", "PayBill.err.day");
		return "";
	}
	snprintf(buf, sz, "%s", d);
	if (*d == '\0' && (res = db_query(r->db, q[Q_LAST], "")) != NULL) {
		if (db_next(res) == 1)
			snprintf(buf, sz, "%s", db_col(res, 0));
		db_res_free(res);
	}
	hdf_set_value(r->hdf, "Filter.day", buf);
	return buf;
}

/* Each channel's bill of DAY as fetched into Bill.CHANNEL. */
static int
bills(struct req *r, const char *day)
{
	struct dbres *res = db_query(r->db, q[Q_BILLS], "ss", web_tz(r), day);

	if (res == NULL)
		return -1;
	while (db_next(res) == 1) {
		const char *ch = db_col(res, 0);

		hdf_set_valuef(r->hdf, "Bill.%s.state=%s", ch, db_col(res, 1));
		hdf_set_valuef(r->hdf, "Bill.%s.lines=%s", ch, db_col(res, 2));
		hdf_set_valuef(r->hdf, "Bill.%s.sha1=%s", ch, db_col(res, 3));
		hdf_set_valuef(r->hdf, "Bill.%s.note=%s", ch, db_col(res, 4));
		hdf_set_valuef(r->hdf, "Bill.%s.fetched=%s", ch, db_col(res, 5));
	}
	db_res_free(res);
	return 0;
}

int
page_paybill(struct req *r)
{
	static const char *const heads[] = { "PayBill.col.match",
	    "PayBill.col.todo", "pay.col.channel", "PayBill.col.line",
	    "pay.col.no", "pay.col.trade_no", "PayBill.col.bill_amount",
	    "PayBill.col.order_amount", "pay.col.state", "col.holder" };
	static const char *const cols[] = { "kind:label.PayBill.kind",
	    "todo:label.PayBill.todo", "channel:label.channel",
	    "line:label.PayBill.line", "no", "trade_no", "bill_fen:yuan+",
	    "order_fen:yuan+", "state:label.pay.state", "holder" };
	struct list l;
	struct dbres *res;
	const char *day, *ch, *m;
	char dbuf[16];

	day = bill_day(r, dbuf, sizeof(dbuf));
	ch = web_filter_choice(r, "channel", channels, "pay.err.channel");
	m = web_filter_choice(r, "match", matches, "PayBill.err.match");
	web_list(r, sortkeys, "match", &l);
	for (int i = 0; channels[i]; i++)
		hdf_set_valuef(r->hdf, "Channels.%d=%s", i, channels[i]);
	for (int i = 0; matches[i]; i++)
		hdf_set_valuef(r->hdf, "Matches.%d=%s", i, matches[i]);
	if (bills(r, day) == -1)
		return -1;
	if ((res = db_query(r->db, q[Q_TOTAL], "sssss" "si", day, ch, day, ch,
	    web_tz(r), m, l.sort)) == NULL)
		return -1;
	if (db_next(res) == 1) {
		hdf_set_value(r->hdf, "Sum.count", db_col(res, 0));
		hdf_set_value(r->hdf, "Sum.bad", db_col(res, 1));
	}
	db_res_free(res);
	res = db_query(r->db, q[Q_LIST], "sssss" "sill", day, ch, day, ch,
	    web_tz(r), m, l.sort, (int64_t)l.per, (int64_t)l.offset);
	if (web_list_out(r, &l, res, "paybill", heads, cols, 10,
	    "paybill.cs") == -1)
		return -1;
	if (l.export)
		return 0;
	web_money_col(r, "Rows", "bill_fen", "bill");
	web_money_col(r, "Rows", "order_fen", "order");
	return 0;
}
