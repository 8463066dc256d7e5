/* page-oplog.c - F4 the operation log: search by operator, action and dates; export. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "pages.h"
#include "valid.h"

enum { Q_LIST, Q_OPS };
static const char *const q[] = {
	[Q_LIST] = "SELECT l.id,"
	    " DATE_FORMAT(CONVERT_TZ(l.at, '+00:00', p.tz), '%Y-%m-%d %H:%i:%s') AS at,"
	    " l.login, o.name AS op_name, l.client_addr, l.action, l.object,"
	    " l.before_val, l.after_val, COUNT(*) OVER () AS total"
	    " FROM oplog l LEFT JOIN operators o ON o.id = l.operator_id"
	    " JOIN (SELECT ? AS op, ? AS act, ? AS d1, ? AS d2, ? AS s, ? AS tz) p"
	    " WHERE (p.op = '' OR l.login = p.op)"
	    " AND (p.act = '' OR LEFT(l.action, CHAR_LENGTH(p.act)) = p.act)"
	    " AND (p.d1 = '' OR l.at >= CONVERT_TZ(p.d1, p.tz, '+00:00'))"
	    " AND (p.d2 = '' OR l.at < CONVERT_TZ(p.d2, p.tz, '+00:00') + INTERVAL 1 DAY)"
	    " ORDER BY CASE WHEN p.s = 1 THEN l.id END,"
	    " CASE WHEN p.s = -1 THEN l.id END DESC,"
	    " CASE WHEN p.s = 2 THEN l.login END, CASE WHEN p.s = -2 THEN l.login END DESC,"
	    " CASE WHEN p.s = 3 THEN l.action END, CASE WHEN p.s = -3 THEN l.action END DESC,"
	    " l.id DESC LIMIT ? OFFSET ?",
	[Q_OPS] = "SELECT login, name FROM operators ORDER BY login",
};

static const char *const sortkeys[] = { "at", "login", "action", NULL };

int
page_oplog(struct req *r)
{
	struct list l;
	struct dbres *res;
	const char *op = web_query(r, "op", "");
	const char *act = web_query(r, "action", "");
	const char *d1, *d2;
	static const char *const heads[] = { "col.time", "col.login",
	    "col.addr", "col.action", "col.object", "col.before", "col.after" };
	static const char *const cols[] = { "at:datetime", "login",
	    "client_addr", "action", "object", "before_val", "after_val" };

	web_list(r, sortkeys, "-at", &l);
	hdf_set_value(r->hdf, "Filter.op", op);
	hdf_set_value(r->hdf, "Filter.action", act);
	web_dates(r, &d1, &d2);
	if (valid_text(act, 64) != NULL || valid_text(op, 32) != NULL)
		return web_fail(r, 400, "err.bad_request");
	res = db_query(r->db, q[Q_LIST], "ssssisll", op, act, d1, d2, l.sort,
	    web_tz(r), (int64_t)l.per, (int64_t)l.offset);
	if (web_list_out(r, &l, res, "oplog", heads, cols, 7, "oplog.cs") == -1)
		return -1;
	if (l.export)
		return 0;
	if ((res = db_query(r->db, q[Q_OPS], "")) == NULL)
		return -1;
	web_rows(r, "Ops", res);
	db_res_free(res);
	return 0;
}
