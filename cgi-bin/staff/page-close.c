/* page-close.c - F13 close an account by steps (trip, read, refund exactly what the meter holds, restore if kept); F14 closing records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "ledger.h"
#include "money.h"
#include "oplog.h"
#include "pages.h"
#include "tiers.h"

#define FRESH 600
#define MAXM 8

enum {
	Q_ACCOUNT, Q_METERS, Q_PENDING, Q_START, Q_MEMBER, Q_TRIP, Q_SET_TRIP,
	Q_LIST, Q_STEPS
};
static const char *const q[] = {
	[Q_ACCOUNT] = "SELECT a.id, a.holder, a.holder_no, a.status, a.idem_key,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room"
	    " FROM accounts a LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id WHERE a.id = ?",
	[Q_METERS] = "SELECT m.id, m.number FROM account_meters x"
	    " JOIN meters m ON m.id = x.meter_id WHERE x.account_id = ? AND x.active = 1"
	    " AND m.profile = 'ddsy1352nk' ORDER BY m.number",
	[Q_PENDING] = "SELECT c.id, m.number, c.kind, c.status, c.error FROM commands c"
	    " JOIN account_meters x ON x.meter_id = c.meter_id AND x.active = 1"
	    " JOIN meters m ON m.id = c.meter_id"
	    " WHERE x.account_id = ? AND c.status IN ('queued', 'sent', 'waiting', 'failed')"
	    " ORDER BY c.id",
	/* closing stops new sales: only an open account starts closing */
	[Q_START] = "UPDATE accounts SET status = 'closing', closed_by = ?,"
	    " closing_at = UTC_TIMESTAMP(3) WHERE id = ? AND status = 'open'",
	[Q_MEMBER] = "INSERT INTO closing_meters (account_id, meter_id, keep_power)"
	    " VALUES (?, ?, ?)",
	[Q_TRIP] = "INSERT INTO commands (meter_id, kind) VALUES (?, 'trip')",
	[Q_SET_TRIP] = "UPDATE closing_meters SET trip_id = ? WHERE account_id = ?"
	    " AND meter_id = ?",
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

int
page_close(struct req *r)
{
	struct actor who;
	struct fval v[C_N];
	struct dbres *res;
	int64_t id, ids[MAXM], money[MAXM], age, pending = 0;
	int n = 0, bad = 0;
	char buf[32], key[64], obj[64];
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
	st = hdf_get_value(r->hdf, "Account.status", "");
	if (strcmp(st, "closing") == 0 &&
	    ledger_close_step(r->db, web_actor(r, &who), id))
		hdf_set_value(r->hdf, "Account.status", "closed");
	st = hdf_get_value(r->hdf, "Account.status", "");
	hdf_set_value(r->hdf, "Page.ok", web_query(r, "ok", ""));
	if (strcmp(st, "open"))
		return close_progress(r, id, v);
	/* every meter: its money by the last read (the refund itself is the
	 * money of a read after its trip) */
	if ((res = db_query(r->db, q[Q_METERS], "l", id)) == NULL)
		return -1;
	while (db_next(res) == 1 && n < MAXM) {
		ids[n] = db_coll(res, 0);
		hdf_set_valuef(r->hdf, "Meters.%d.id=%s", n, db_col(res, 0));
		hdf_set_valuef(r->hdf, "Meters.%d.number=%s", n, db_col(res, 1));
		n++;
	}
	db_res_free(res);
	for (int i = 0; i < n; i++) {
		if (ledger_meter_money(r->db, ids[i], &money[i], &age) == -1)
			return -1;
		hdf_set_valuef(r->hdf, "Meters.%d.money=%s", i,
		    money_format(money[i], buf, sizeof(buf)));
		hdf_set_valuef(r->hdf, "Meters.%d.age=%lld", i, (long long)age);
		if (age < 0 || age > FRESH)
			hdf_set_valuef(r->hdf, "Meters.%d.stale=1", i);
		if (money[i] < 0) {
			hdf_set_valuef(r->hdf, "Meters.%d.overdraft=1", i);
			bad = 1;
		}
	}
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
	/* tiered meters: the month's exact charge first */
	if (tiers_close(r->db, web_tz(r), id) == -1)
		return -1;
	/* closing: each meter's choice and its trip, in one transaction; the
	 * refunds follow the trips (ledger_close_step) */
	if (db_begin(r->db) == -1)
		return -1;
	if (db_exec(r->db, q[Q_START], "ll", r->sess->op_id, id) != 1) {
		db_rollback(r->db);
		web_redirect(r, "/close?id=%lld", (long long)id);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		int keep;

		snprintf(key, sizeof(key), "trip%lld", (long long)ids[i]);
		keep = strcmp(web_query(r, key, "1"), "0") == 0;
		if (db_exec(r->db, q[Q_MEMBER], "lli", id, ids[i], keep) == -1 ||
		    db_exec(r->db, q[Q_TRIP], "l", ids[i]) == -1 ||
		    db_exec(r->db, q[Q_SET_TRIP], "lll",
		    (int64_t)db_last_id(r->db), id, ids[i]) == -1) {
			db_rollback(r->db);
			return -1;
		}
	}
	if (db_commit(r->db) == -1) {
		db_rollback(r->db);
		return -1;
	}
	snprintf(obj, sizeof(obj), "account:%lld", (long long)id);
	web_log(r, "account.closing", obj, NULL, NULL);
	ledger_close_step(r->db, web_actor(r, &who), id);
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
