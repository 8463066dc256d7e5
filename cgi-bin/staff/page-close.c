/* page-close.c - F13 close an account by steps (trip, read, refund exactly what the meter holds, restore if kept); F14 closing records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "db.h"
#include "ledger.h"
#include "money.h"
#include "pages.h"

enum { Q_ACCOUNT, Q_PENDING, Q_LIST, Q_STEPS };
static const char *const q[] = {
	[Q_ACCOUNT] = "SELECT a.id, a.holder, a.holder_no, a.status, a.idem_key,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room"
	    " FROM accounts a LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id WHERE a.id = ?",
	[Q_PENDING] = "SELECT c.id, m.number, c.kind, c.status, c.error FROM commands c"
	    " JOIN account_meters x ON x.meter_id = c.meter_id AND x.active = 1"
	    " JOIN meters m ON m.id = c.meter_id"
	    " WHERE x.account_id = ? AND c.status IN ('queued', 'sent', 'waiting', 'failed')"
	    " ORDER BY c.id",
	/* where each meter's closing stands */
	[Q_STEPS] = "SELECT cm.meter_id, m.number, cm.state, cm.money_fen, cm.keep_power,"
	    " cm.note, cm.attempt FROM closing_meters cm JOIN meters m ON m.id = cm.meter_id"
	    " WHERE cm.account_id = ? ORDER BY m.number",
	/* what was refunded: the closing refunds less those the meter refused */
	[Q_LIST] = "SELECT a.id, a.holder, a.holder_no, a.status,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room,"
	    " COALESCE(o.login, '') AS closed_by,"
	    " DATE_FORMAT(CONVERT_TZ(a.closed_at, '+00:00', p.tz), '%Y-%m-%d %H:%i') AS closed,"
	    " (SELECT -SUM(l.amount_fen) FROM ledger l LEFT JOIN ledger k ON k.id = l.link_id"
	    "   WHERE l.account_id = a.id AND (l.kind = 'closing_refund'"
	    "   OR (l.kind = 'token_failed' AND k.kind = 'closing_refund'))) AS refunded_fen,"
	    " COUNT(*) OVER () AS total"
	    " FROM accounts a LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id"
	    " LEFT JOIN operators o ON o.id = a.closed_by"
	    " JOIN (SELECT ? AS q, ? AS s, ? AS tz) p"
	    " WHERE a.status IN ('closing', 'closed')"
	    " AND (p.q = '' OR INSTR(a.holder, p.q) > 0 OR a.holder_no = p.q OR r.number = p.q)"
	    " ORDER BY CASE WHEN p.s = 1 THEN a.closed_at END,"
	    " CASE WHEN p.s = -1 THEN a.closed_at END DESC, a.id DESC LIMIT ? OFFSET ?",
};

static const struct field fields[] = {
	{ "id", FT_ID, 1, 0, 0, NULL },
	{ "seen", FT_BOOL, 0, 0, 0, NULL },
	{ "confirm", FT_BOOL, 0, 0, 0, NULL },
	{ "meter", FT_ID, 0, 0, 0, NULL },
	{ "action", FT_TEXT, 0, 0, 16, NULL },
};
enum { C_ID, C_SEEN, C_CONFIRM, C_METER, C_ACTION, C_N };

/* A closing account: where each meter stands, and the next step by hand. */
static int
close_progress(struct req *r, int64_t id, const struct fval *v)
{
	struct actor who;
	struct dbres *res;
	char buf[32], obj[64];
	int n;

	if (r->is_post && v[C_METER].i > 0) {
		const char *act = v[C_ACTION].set ? v[C_ACTION].s : "";
		const char *why = NULL;
		int64_t lid = 0;
		int rc = 0;

		if (strcmp(act, "retry") == 0)
			rc = ledger_close_retry(r->db, id, v[C_METER].i);
		else if (strcmp(act, "pay") == 0 && v[C_CONFIRM].i) {
			rc = ledger_close_pay(r->db, id, v[C_METER].i, r->sess->op_id,
			    &lid, &why);
			if (rc == 2) {
				form_error(r, "form", why);
				rc = 0;
			} else if (rc == 1) {
				snprintf(obj, sizeof(obj), "ledger:%lld",
				    (long long)lid);
				web_log(r, "sale.create", obj, NULL, NULL);
			}
		}
		if (rc == -1)
			return -1;
		snprintf(obj, sizeof(obj), "account:%lld", (long long)id);
		if (rc > 0 && strcmp(act, "retry") == 0)
			web_log(r, "account.closing_retry", obj, NULL, NULL);
		if (!hdf_get_value(r->hdf, "Form.err.form", NULL)) {
			ledger_close_step(r->db, web_actor(r, &who), id);
			web_redirect(r, "/close?id=%lld", (long long)id);
			return 0;
		}
	}
	if ((res = db_query(r->db, q[Q_STEPS], "l", id)) == NULL)
		return -1;
	n = (int)web_rows(r, "Steps", res);
	db_res_free(res);
	for (int i = 0; i < n; i++) {
		char key[48];
		const char *m;

		snprintf(key, sizeof(key), "Steps.%d.money_fen", i);
		m = hdf_get_value(r->hdf, key, "");
		if (*m == '\0')
			continue;
		money_format(strtoll(m, NULL, 10), buf, sizeof(buf));
		snprintf(key, sizeof(key), "Steps.%d.money", i);
		hdf_set_value(r->hdf, key, buf);
		if (m[0] == '-') {
			money_format(-strtoll(m, NULL, 10), buf, sizeof(buf));
			snprintf(key, sizeof(key), "Steps.%d.debt", i);
			hdf_set_value(r->hdf, key, buf);
		}
	}
	return 0;
}

/* An open account's meters with their money by the last read (the refund
 * itself is the money of a read after its trip): how many (*BAD when one
 * is in debt), or -1. */
static int
close_meters(struct req *r, int64_t id, struct accounts_closing *m, int *bad)
{
	char buf[32];
	int n;

	*bad = 0;
	if ((n = accounts_closing_meters(r->db, id, m)) == -1)
		return -1;
	for (int i = 0; i < n; i++) {
		hdf_set_valuef(r->hdf, "Meters.%d.id=%lld", i, (long long)m[i].id);
		hdf_set_valuef(r->hdf, "Meters.%d.number=%s", i, m[i].number);
		hdf_set_valuef(r->hdf, "Meters.%d.money=%s", i,
		    money_format(m[i].money, buf, sizeof(buf)));
		hdf_set_valuef(r->hdf, "Meters.%d.age=%lld", i,
		    (long long)m[i].age);
		if (m[i].stale)
			hdf_set_valuef(r->hdf, "Meters.%d.stale=1", i);
		if (m[i].money < 0) {
			hdf_set_valuef(r->hdf, "Meters.%d.overdraft=1", i);
			*bad = 1;
		}
	}
	return n;
}

int
page_close(struct req *r)
{
	struct actor who;
	struct fval v[C_N];
	struct dbres *res;
	struct accounts_closing m[ACCOUNTS_MAX_METERS];
	int64_t id, pending = 0;
	int n, bad = 0, rc;
	char key[64];
	const char *st;

	form_check(r, fields, C_N, v);
	if ((id = v[C_ID].i) == 0)
		return web_fail(r, 404, "err.not_found");
	web_render(r, "close.cs");
	if ((res = db_query(r->db, q[Q_ACCOUNT], "l", id)) == NULL)
		return -1;
	if (!web_row(r, "Account", res)) {
		db_res_free(res);
		return web_fail(r, 404, "err.not_found");
	}
	db_res_free(res);
	web_actor(r, &who);
	st = hdf_get_value(r->hdf, "Account.status", "");
	if (strcmp(st, "closing") == 0 && ledger_close_step(r->db, &who, id))
		hdf_set_value(r->hdf, "Account.status", "closed");
	st = hdf_get_value(r->hdf, "Account.status", "");
	hdf_set_value(r->hdf, "Page.ok", web_query(r, "ok", ""));
	if (strcmp(st, "open"))
		return close_progress(r, id, v);
	if ((n = close_meters(r, id, m, &bad)) == -1)
		return -1;
	if ((res = db_query(r->db, q[Q_PENDING], "l", id)) == NULL)
		return -1;
	pending = web_rows(r, "Pending", res);
	db_res_free(res);
	web_cmd_error_col(r, "Pending", "error", "error_text");
	if (!r->is_post)
		return 0;
	if (bad) {
		form_error(r, "form", "close_not_ready");
		return 0;
	}
	if (pending > 0 && !v[C_SEEN].i) {
		form_error(r, "seen", "see_pending");
		return 0;
	}
	if (!v[C_CONFIRM].i) {
		hdf_set_int_value(r->hdf, "Confirm.show", 1);
		return 0;
	}
	/* each meter's choice: tripped, or its prepaid mode kept */
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "trip%lld", (long long)m[i].id);
		m[i].keep = strcmp(web_query(r, key, "1"), "0") == 0;
	}
	if ((rc = accounts_close_start(r->db, &who, web_tz(r), id, m, n)) == -1)
		return -1;
	if (rc == 0)
		web_redirect(r, "/close?id=%lld", (long long)id);
	else
		web_redirect(r, "/close?id=%lld&ok=closing", (long long)id);
	return 0;
}

int
page_closings(struct req *r)
{
	struct actor who;
	static const char *const sortkeys[] = { "closed", NULL };
	static const char *const heads[] = { "col.holder", "col.holder_no",
	    "col.building", "col.room", "col.status", "page.refunded",
	    "col.closed", "col.op_name" };
	static const char *const cols[] = { "holder", "holder_no", "building",
	    "room", "status:label.account", "refunded_fen:yuan",
	    "closed:datetime", "closed_by" };
	struct list l;
	const char *qs = web_query(r, "q", "");
	struct dbres *res;

	if (ledger_close_all(r->db, web_actor(r, &who)) == -1)
		return -1;
	web_list(r, sortkeys, "-closed", &l);
	hdf_set_value(r->hdf, "Filter.q", qs);
	if ((res = db_query(r->db, q[Q_LIST], "sisll", qs, l.sort, web_tz(r),
	    (int64_t)l.per, (int64_t)l.offset)) == NULL)
		return -1;
	web_rows(r, "Rows", res);
	db_res_free(res);
	web_money_col(r, "Rows", "refunded_fen", "refunded");
	web_list_done(r, &l, hdf_get_int_value(r->hdf, "Rows.0.total", 0));
	if (l.export)
		return web_xlsx_hdf(r, "closings", heads, cols, 8, "Rows");
	web_render(r, "closings.cs");
	return 0;
}
