/* page-sales.c - F18 sales query: filters, totals and export of the sale entries of the ledger. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "money.h"
#include "pages.h"

enum { Q_LIST, Q_TOTAL, Q_OPS };
#define FILTER \
	" FROM ledger l JOIN accounts a ON a.id = l.account_id" \
	" JOIN meters m ON m.id = l.meter_id" \
	" LEFT JOIN rooms r ON r.id = a.room_id LEFT JOIN buildings b ON b.id = r.building_id" \
	" LEFT JOIN operators o ON o.id = l.operator_id" \
	" LEFT JOIN commands c ON c.id = l.command_id" \
	" JOIN (SELECT ? AS q, ? AS op, ? AS d1, ? AS d2, ? AS b, ? AS tz, ? AS s, ? AS k) p" \
	" WHERE ((p.k = 'sale' AND l.kind IN ('sale', 'online'))" \
	"   OR (p.k = 'refund' AND l.kind IN ('refund', 'closing_refund')))" \
	" AND (p.q = '' OR INSTR(a.holder, p.q) > 0 OR a.holder_no = p.q" \
	"   OR r.number = p.q OR m.number = p.q)" \
	" AND (p.op = '' OR o.login = p.op) AND (p.b = 0 OR r.building_id + 0 = p.b)" \
	" AND (p.d1 = '' OR l.created_at >= CONVERT_TZ(p.d1, p.tz, '+00:00'))" \
	" AND (p.d2 = '' OR l.created_at < CONVERT_TZ(p.d2, p.tz, '+00:00') + INTERVAL 1 DAY)"
static const char *const q[] = {
	[Q_LIST] = "SELECT l.id, CONCAT(DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', p.tz),"
	    " '%Y%m%d'), LPAD(l.id, 8, '0')) AS receipt_no,"
	    " DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', p.tz), '%Y-%m-%d %H:%i:%s') AS at,"
	    " a.holder, COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room,"
	    " m.number AS meter, CONCAT(IF(l.amount_fen < 0 AND p.k = 'sale', '-', ''),"
	    " FLOOR(ABS(l.amount_fen) / 100), '.', LPAD(ABS(l.amount_fen) % 100, 2, '0')) AS amount,"
	    " COALESCE(o.login, l.channel) AS operator, COALESCE(c.status, '') AS status,"
	    " (SELECT COUNT(*) FROM ledger z WHERE z.reverses_id = l.id) AS reversed,"
	    " COUNT(*) OVER () AS total"
	    FILTER
	    " ORDER BY CASE WHEN p.s = 1 THEN l.id END, CASE WHEN p.s = -1 THEN l.id END DESC,"
	    " CASE WHEN p.s = 2 THEN l.amount_fen END, CASE WHEN p.s = -2 THEN l.amount_fen END DESC,"
	    " l.id DESC LIMIT ? OFFSET ?",
	/* refunds are negative entries: the query shows them as amounts */
	[Q_TOTAL] = "SELECT COUNT(*), COALESCE(SUM(IF(p.k = 'refund',"
	    " -l.amount_fen, l.amount_fen)), 0)" FILTER,
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

/* F18 and F20: the sale or the refund entries of the ledger. */
static int
list(struct req *r, const char *kind)
{
	struct list l;
	struct dbres *res;
	const char *qs = web_query(r, "q", ""), *op = web_query(r, "op", "");
	const char *d1, *d2;
	int64_t b = web_query_id(r, "building");
	char buf[32];
	static const char *const heads[] = { "col.receipt_no", "col.time",
	    "col.holder", "col.building", "col.room", "col.meter_number",
	    "col.amount", "col.op_name", "col.status" };
	static const char *const cols[] = { "receipt_no", "at", "holder",
	    "building", "room", "meter", "amount", "operator", "status" };

	web_dates(r, &d1, &d2);
	web_list(r, sortkeys, "-at", &l);
	hdf_set_value(r->hdf, "Filter.q", qs);
	hdf_set_value(r->hdf, "Filter.op", op);
	hdf_set_int_value(r->hdf, "Filter.building", (int)b);
	hdf_set_value(r->hdf, "Mode.name", kind);
	if ((res = db_query(r->db, q[Q_TOTAL], "sssslsis", qs, op, d1, d2, b,
	    web_tz(r), l.sort, kind)) == NULL)
		return -1;
	if (db_next(res) == 1) {
		hdf_set_value(r->hdf, "Sum.count", db_col(res, 0));
		hdf_set_value(r->hdf, "Sum.amount", money_format(db_coll(res, 1),
		    buf, sizeof(buf)));
	}
	db_res_free(res);
	res = db_query(r->db, q[Q_LIST], "sssslsisll", qs, op, d1, d2, b,
	    web_tz(r), l.sort, kind, (int64_t)l.per, (int64_t)l.offset);
	if (web_list_out(r, &l, res, strcmp(kind, "sale") == 0 ? "sales" :
	    "refunds", heads, cols, 9, "sales.cs") == -1)
		return -1;
	if (l.export)
		return 0;
	if ((res = db_query(r->db, q[Q_OPS], "")) == NULL)
		return -1;
	web_rows(r, "Ops", res);
	db_res_free(res);
	return 0;
}
