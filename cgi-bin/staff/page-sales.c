/* page-sales.c - F18/F20 sales, refunds and reversals queries: filters, gross/reversed/net totals, export. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "money.h"
#include "pages.h"

enum { Q_LIST, Q_TOTAL, Q_OPS };
/* the amount as the query shows it: refunds and reversals as positive */
#define AMT "IF(p.k = 'sale', l.amount_fen, ABS(l.amount_fen))"
#define REVERSED "EXISTS (SELECT 1 FROM ledger z WHERE z.reverses_id = l.id)"
#define FILTER \
	" FROM ledger l JOIN accounts a ON a.id = l.account_id" \
	" JOIN meters m ON m.id = l.meter_id" \
	" LEFT JOIN rooms r ON r.id = a.room_id LEFT JOIN buildings b ON b.id = r.building_id" \
	" LEFT JOIN operators o ON o.id = l.operator_id" \
	" LEFT JOIN commands c ON c.id = l.command_id" \
	" LEFT JOIN ledger ol ON ol.id = l.reverses_id" \
	" JOIN (SELECT ? AS q, ? AS op, ? AS d1, ? AS d2, ? AS b, ? AS tz, ? AS s, ? AS k," \
	"   ? AS rf) p" \
	" WHERE ((p.k = 'sale' AND l.kind IN ('sale', 'online'))" \
	"   OR (p.k = 'refund' AND l.kind IN ('refund', 'closing_refund'))" \
	"   OR (p.k = 'reversal' AND l.kind = 'reversal'" \
	"     AND (p.rf = 1 OR ol.kind IN ('sale', 'online'))))" \
	" AND (p.q = '' OR INSTR(a.holder, p.q) > 0 OR a.holder_no = p.q" \
	"   OR r.number = p.q OR m.number = p.q OR CONCAT(b.name, r.number) = p.q" \
	"   OR CONCAT(b.name, ' ', r.number) = p.q)" \
	" AND (p.op = '' OR o.login = p.op) AND (p.b = 0 OR r.building_id + 0 = p.b)" \
	" AND (p.d1 = '' OR l.created_at >= CONVERT_TZ(p.d1, p.tz, '+00:00'))" \
	" AND (p.d2 = '' OR l.created_at < CONVERT_TZ(p.d2, p.tz, '+00:00') + INTERVAL 1 DAY)"
static const char *const q[] = {
	[Q_LIST] = "SELECT l.id, CONCAT(DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', p.tz),"
	    " '%Y%m%d'), LPAD(l.id, 8, '0')) AS receipt_no,"
	    " DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', p.tz), '%Y-%m-%d %H:%i:%s') AS at,"
	    " a.holder, COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room,"
	    " m.number AS meter, " AMT " AS amount_fen,"
	    " IF(" REVERSED ", 0, " AMT ") AS net_fen,"
	    " COALESCE(o.login, l.channel) AS operator, COALESCE(o.login, '') AS login,"
	    " l.channel, COALESCE(c.status, '') AS status,"
	    " " REVERSED " AS reversed, IF(" REVERSED ", 'reversed', '') AS mark,"
	    " COALESCE(l.reverses_id, '') AS reverses, COALESCE(ol.kind, '') AS orig_kind,"
	    " COALESCE(CONCAT(DATE_FORMAT(CONVERT_TZ(ol.created_at, '+00:00', p.tz),"
	    " '%Y%m%d'), LPAD(ol.id, 8, '0')), '') AS orig_no, COALESCE(l.note, '') AS note,"
	    " COUNT(*) OVER () AS total"
	    FILTER
	    " ORDER BY CASE WHEN p.s = 1 THEN l.id END, CASE WHEN p.s = -1 THEN l.id END DESC,"
	    " CASE WHEN p.s = 2 THEN " AMT " END, CASE WHEN p.s = -2 THEN " AMT " END DESC,"
	    " l.id DESC LIMIT ? OFFSET ?",
	/* gross, what was reversed of it, and the count of each */
	[Q_TOTAL] = "SELECT COUNT(*), COALESCE(SUM(" AMT "), 0),"
	    " COALESCE(SUM(IF(" REVERSED ", 1, 0)), 0),"
	    " COALESCE(SUM(IF(" REVERSED ", " AMT ", 0)), 0)" FILTER,
	[Q_OPS] = "SELECT login, name FROM operators ORDER BY login",
};

static const char *const sortkeys[] = { "at", "amount", NULL };

static int list(struct req *, const char *kind);

int
page_sales(struct req *r)
{
	return list(r, "sale");
}

int
page_refunds(struct req *r)
{
	return list(r, "refund");
}

int
page_reversals(struct req *r)
{
	return list(r, "reversal");
}

/* F18, F20 and the reversals: the entries of one kind in the ledger. */
static int
list(struct req *r, const char *kind)
{
	struct list l;
	struct dbres *res;
	const char *op = web_query(r, "op", "");
	const char *d1, *d2;
	int64_t b = web_query_id(r, "building");
	int64_t rf = staff_has(r, 20);	/* F20: refunds' reversals */
	int64_t gross = 0, rev = 0;
	char buf[32], qs[256];
	static const char *const heads[] = { "col.receipt_no", "col.time",
	    "col.holder", "col.building", "col.room", "col.meter_number",
	    "col.amount", "col.reversed", "col.net", "col.op_name",
	    "col.status" };
	static const char *const cols[] = { "receipt_no", "at:datetime",
	    "holder", "building", "room", "meter", "amount_fen:yuan+",
	    "mark:label.mark", "net_fen:yuan+", "operator:label.channel",
	    "status:label.cmd" };
	static const char *const rheads[] = { "col.receipt_no", "col.time",
	    "col.holder", "col.building", "col.room", "col.meter_number",
	    "col.amount", "col.orig_kind", "col.orig_no", "page.reason",
	    "col.op_name", "col.status" };
	static const char *const rcols[] = { "receipt_no", "at:datetime",
	    "holder", "building", "room", "meter", "amount_fen:yuan+",
	    "orig_kind:label.kind", "orig_no", "note", "operator:label.channel",
	    "status:label.cmd" };
	int isrev = strcmp(kind, "reversal") == 0;

	web_search(r, "q", qs, sizeof(qs));
	web_dates(r, &d1, &d2);
	web_list(r, sortkeys, "-at", &l);
	hdf_set_value(r->hdf, "Filter.q", web_query(r, "q", ""));
	hdf_set_value(r->hdf, "Filter.op", op);
	hdf_set_int_value(r->hdf, "Filter.building", (int)b);
	hdf_set_value(r->hdf, "Mode.name", kind);
	if ((res = db_query(r->db, q[Q_TOTAL], "sssslsisl", qs, op, d1, d2, b,
	    web_tz(r), l.sort, kind, rf)) == NULL)
		return -1;
	if (db_next(res) == 1) {
		gross = db_coll(res, 1);
		rev = db_coll(res, 3);
		hdf_set_value(r->hdf, "Sum.count", db_col(res, 0));
		hdf_set_value(r->hdf, "Sum.rcount", db_col(res, 2));
	}
	db_res_free(res);
	hdf_set_value(r->hdf, "Sum.amount", money_format(gross, buf, sizeof(buf)));
	hdf_set_value(r->hdf, "Sum.reversed", money_format(rev, buf, sizeof(buf)));
	hdf_set_value(r->hdf, "Sum.net", money_format(gross - rev, buf,
	    sizeof(buf)));
	res = db_query(r->db, q[Q_LIST], "sssslsislll", qs, op, d1, d2, b,
	    web_tz(r), l.sort, kind, rf, (int64_t)l.per, (int64_t)l.offset);
	if (web_list_out(r, &l, res, isrev ? "reversals" : strcmp(kind, "sale")
	    == 0 ? "sales" : "refunds", isrev ? rheads : heads,
	    isrev ? rcols : cols, isrev ? 12 : 11, "sales.cs") == -1)
		return -1;
	if (l.export)
		return 0;
	web_money_col(r, "Rows", "amount_fen", "amount");
	if ((res = db_query(r->db, q[Q_OPS], "")) == NULL)
		return -1;
	web_rows(r, "Ops", res);
	db_res_free(res);
	return 0;
}
