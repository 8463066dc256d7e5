/* page-payments.c - M3 online payment orders: the list with filters and export, the payments needing action, and one order with every notice received. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "db.h"
#include "money.h"
#include "pages.h"

enum { Q_LIST, Q_TOTAL, Q_BAD, Q_ORDER, Q_NOTICES };
/* the rejected notices of the last days (those the home page counts),
 * shown with the orders to refund */
#define STR(x) #x
#define XSTR(x) STR(x)
#define BAD_OUTCOMES "('bad_signature', 'bad_app', 'bad_seller'," \
	" 'unknown_order', 'bad_amount', 'malformed')"
#define LOCAL(col) "DATE_FORMAT(CONVERT_TZ(" col ", '+00:00', p.tz)," \
	" '%Y-%m-%d %H:%i:%s')"
#define FILTER \
	" FROM pay_orders o JOIN accounts a ON a.id = o.account_id" \
	" JOIN meters m ON m.id = o.meter_id" \
	" LEFT JOIN rooms r ON r.id = a.room_id" \
	" LEFT JOIN buildings b ON b.id = r.building_id" \
	" JOIN (SELECT ? AS q, ? AS st, ? AS ch, ? AS b, ? AS no, ? AS d1," \
	"   ? AS d2, ? AS tz, ? AS s) p" \
	" WHERE (p.st = '' OR o.state = p.st) AND (p.ch = '' OR o.channel = p.ch)" \
	" AND (p.b = 0 OR r.building_id + 0 = p.b)" \
	" AND (p.no = '' OR o.out_trade_no = p.no OR o.trade_no = p.no)" \
	" AND (p.q = '' OR INSTR(a.holder, p.q) > 0 OR a.holder_no = p.q" \
	"   OR r.number = p.q OR m.number = p.q OR CONCAT(b.name, r.number) = p.q" \
	"   OR CONCAT(b.name, ' ', r.number) = p.q)" \
	" AND (p.d1 = '' OR o.created_at >= CONVERT_TZ(p.d1, p.tz, '+00:00'))" \
	" AND (p.d2 = '' OR o.created_at < CONVERT_TZ(p.d2, p.tz, '+00:00')" \
	"   + INTERVAL 1 DAY)"
static const char *const q[] = {
	[Q_LIST] = "SELECT o.id, o.out_trade_no AS no, o.channel, o.state,"
	    " o.reason, o.amount_fen, o.trade_no, o.account_id, a.holder,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room,"
	    " m.number AS meter, " LOCAL("o.created_at") " AS created,"
	    " COALESCE(" LOCAL("o.paid_at") ", '') AS paid,"
	    " COALESCE(o.ledger_id, '') AS ledger_id,"
	    " (SELECT COUNT(*) FROM pay_notices n"
	    "   WHERE n.out_trade_no = o.out_trade_no) AS notices,"
	    " COUNT(*) OVER () AS total"
	    FILTER
	    " ORDER BY CASE WHEN p.s = 1 THEN o.id END,"
	    " CASE WHEN p.s = -1 THEN o.id END DESC,"
	    " CASE WHEN p.s = 2 THEN o.paid_at END,"
	    " CASE WHEN p.s = -2 THEN o.paid_at END DESC,"
	    " CASE WHEN p.s = 3 THEN o.amount_fen END,"
	    " CASE WHEN p.s = -3 THEN o.amount_fen END DESC,"
	    " o.id DESC LIMIT ? OFFSET ?",
	[Q_TOTAL] = "SELECT COUNT(*), COALESCE(SUM(o.amount_fen), 0)" FILTER,
	/* notices that credited nothing: forged, another app, seller, order
	 * or amount, unreadable */
	[Q_BAD] = "SELECT n.id, n.channel, n.outcome, n.verified, n.client_addr,"
	    " n.out_trade_no AS no, n.note, " LOCAL("n.received_at") " AS at,"
	    " EXISTS (SELECT 1 FROM pay_orders z WHERE z.out_trade_no ="
	    "   n.out_trade_no) AS known"
	    " FROM pay_notices n JOIN (SELECT ? AS tz) p"
	    " WHERE n.outcome IN " BAD_OUTCOMES
	    " AND n.received_at >= UTC_TIMESTAMP(3) - INTERVAL "
	    XSTR(DASH_PAY_DAYS) " DAY"
	    " ORDER BY n.id DESC LIMIT 500",
	[Q_ORDER] = "SELECT o.id, o.out_trade_no AS no, o.channel, o.state,"
	    " o.reason, o.amount_fen, o.trade_no, o.buyer, o.account_id, a.holder,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room,"
	    " m.number AS meter, " LOCAL("o.created_at") " AS created,"
	    " COALESCE(" LOCAL("o.paid_at") ", '') AS paid,"
	    " COALESCE(o.ledger_id, '') AS ledger_id,"
	    " COALESCE(l.amount_fen, '') AS entry_fen,"
	    " COALESCE(" LOCAL("l.created_at") ", '') AS entry_at,"
	    " COALESCE(c.status, '') AS cmd_status,"
	    /* its refund through the gateway, when asked */
	    " COALESCE((SELECT f.state FROM pay_refunds f WHERE f.order_id = o.id"
	    "   AND f.state <> 'rejected'), '') AS refund_state"
	    " FROM pay_orders o JOIN accounts a ON a.id = o.account_id"
	    " JOIN meters m ON m.id = o.meter_id"
	    " LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id"
	    " LEFT JOIN ledger l ON l.id = o.ledger_id"
	    " LEFT JOIN commands c ON c.id = l.command_id"
	    " JOIN (SELECT ? AS tz) p WHERE o.out_trade_no = ?",
	[Q_NOTICES] = "SELECT n.id, " LOCAL("n.received_at") " AS at, n.verified,"
	    " n.outcome, n.client_addr, n.note, n.body"
	    " FROM pay_notices n JOIN (SELECT ? AS tz) p"
	    " WHERE n.out_trade_no = ? OR n.order_id = ? ORDER BY n.id",
};

static const char *const sortkeys[] = { "created", "paid", "amount", NULL };
static const char *const states[] = { "created", "paid", "credited",
	"needs_refund", "closed", "refunded", NULL };
static const char *const channels[] = { "alipay", "wechat", NULL };

/* An order number as a filter: ours (32 hex) or the gateway's trade
 * number, letters, digits, '-' and '_' only; "" for none or a bad one. */
static const char *
order_no(struct req *r, const char *name)
{
	const char *s = web_query(r, name, "");
	size_t n = strlen(s);

	hdf_set_valuef(r->hdf, "Filter.%s=%s", name, s);
	if (n == 0)
		return "";
	if (n > 64 || strspn(s, "0123456789abcdefABCDEFghijklmnopqrstuvwxyz"
	    "GHIJKLMNOPQRSTUVWXYZ-_") != n) {
		web_error(r, name, "pay.err.no");
		return "";
	}
	return s;
}

/* The payments needing action: the rejected notices under the orders. */
static int
bad_notices(struct req *r)
{
	struct dbres *res = db_query(r->db, q[Q_BAD], "s", web_tz(r));

	if (res == NULL)
		return -1;
	hdf_set_int_value(r->hdf, "Bad.count", (int)web_rows(r, "Bad", res));
	db_res_free(res);
	return 0;
}

int
page_payments(struct req *r)
{
	struct list l;
	struct dbres *res;
	const char *d1, *d2, *st, *ch, *no;
	int64_t b;
	char qs[256];
	static const char *const heads[] = { "pay.col.created", "pay.col.paid",
	    "pay.col.no", "pay.col.channel", "col.holder", "col.building",
	    "col.room", "col.meter_number", "pay.col.amount", "pay.col.state",
	    "pay.col.reason", "pay.col.entry", "pay.col.notices",
	    "pay.col.trade_no" };
	static const char *const cols[] = { "created:datetime", "paid:datetime",
	    "no", "channel:label.channel", "holder", "building", "room", "meter",
	    "amount_fen:yuan+", "state:label.pay.state", "reason:label.pay.reason",
	    "ledger_id", "notices:int", "trade_no" };

	if (web_buildings(r) == -1)
		return -1;
	web_search(r, "q", qs, sizeof(qs));
	hdf_set_value(r->hdf, "Filter.q", web_query(r, "q", ""));
	st = web_filter_choice(r, "state", states, "pay.err.state");
	ch = web_filter_choice(r, "channel", channels, "pay.err.channel");
	b = web_filter_id(r, "building", "Buildings", "pay.err.building");
	no = order_no(r, "no");
	web_dates(r, &d1, &d2);
	web_list(r, sortkeys, "-created", &l);
	for (int i = 0; states[i]; i++)
		hdf_set_valuef(r->hdf, "States.%d=%s", i, states[i]);
	for (int i = 0; channels[i]; i++)
		hdf_set_valuef(r->hdf, "Channels.%d=%s", i, channels[i]);
	if ((res = db_query(r->db, q[Q_TOTAL], "sssls" "sssi", qs, st, ch, b, no,
	    d1, d2, web_tz(r), l.sort)) == NULL)
		return -1;
	if (db_next(res) == 1) {
		hdf_set_value(r->hdf, "Sum.count", db_col(res, 0));
		hdf_set_value(r->hdf, "Sum.amount_fen", db_col(res, 1));
	}
	db_res_free(res);
	web_money_col(r, "Sum", "amount_fen", "amount");
	res = db_query(r->db, q[Q_LIST], "sssls" "sssill", qs, st, ch, b, no, d1,
	    d2, web_tz(r), l.sort, (int64_t)l.per, (int64_t)l.offset);
	if (web_list_out(r, &l, res, "payments", heads, cols, 14,
	    "payments.cs") == -1)
		return -1;
	if (l.export)
		return 0;
	web_money_col(r, "Rows", "amount_fen", "amount");
	return strcmp(st, "needs_refund") == 0 ? bad_notices(r) : 0;
}

/* The fen of FROM as yuan text into TO, when there is one. */
static void
yuan(struct req *r, const char *to, const char *from)
{
	const char *s = hdf_get_value(r->hdf, from, "");
	char buf[32];

	if (*s)
		hdf_set_value(r->hdf, to, money_format(strtoll(s, NULL, 10), buf,
		    sizeof(buf)));
}

/* One order: who, how much, its state and entry, and every notice. */
int
page_payment(struct req *r)
{
	const char *no = web_query(r, "no", "");
	struct dbres *res;
	int64_t id;
	int rc;

	if (strlen(no) != 32 || strspn(no, "0123456789abcdef") != 32)
		return web_fail(r, 404, "err.not_found");
	if ((res = db_query(r->db, q[Q_ORDER], "ss", web_tz(r), no)) == NULL)
		return -1;
	rc = web_row(r, "Order", res);
	db_res_free(res);
	if (rc == 0)
		return web_fail(r, 404, "err.not_found");
	id = hdf_get_int_value(r->hdf, "Order.id", 0);
	yuan(r, "Order.amount", "Order.amount_fen");
	yuan(r, "Order.entry", "Order.entry_fen");
	if ((res = db_query(r->db, q[Q_NOTICES], "ssl", web_tz(r), no,
	    id)) == NULL)
		return -1;
	hdf_set_int_value(r->hdf, "Order.notices", (int)web_rows(r, "Notices",
	    res));
	db_res_free(res);
	web_render(r, "payment.cs");
	return 0;
}
