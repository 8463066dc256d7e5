/* page-close.c - F13 close an account: every meter read fresh, its money refunded by token; F14 closing records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "ledger.h"
#include "money.h"
#include "pages.h"
#include "tiers.h"

#define FRESH 600
#define MAXM 8

enum {
	Q_ACCOUNT, Q_METERS, Q_PENDING, Q_START, Q_TRIP, Q_RELEASE, Q_DONE,
	Q_OPEN_LEFT, Q_UNREFUNDED, Q_LIST, Q_CLOSING
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
	[Q_START] = "UPDATE accounts SET status = 'closing', closed_by = ?"
	    " WHERE id = ? AND status = 'open'",
	[Q_TRIP] = "INSERT INTO commands (meter_id, kind) VALUES (?, 'trip')",
	[Q_RELEASE] = "UPDATE account_meters SET active = 0, open_meter_id = NULL"
	    " WHERE account_id = ?",
	[Q_DONE] = "UPDATE accounts SET status = 'closed', closed_at = UTC_TIMESTAMP()"
	    " WHERE id = ? AND status = 'closing'",
	/* the closing is done when no token of its meters is still in flight */
	[Q_OPEN_LEFT] = "SELECT COUNT(*) FROM commands c JOIN account_meters x"
	    " ON x.meter_id = c.meter_id AND x.active = 1 WHERE x.account_id = ?"
	    " AND c.kind IN ('credit', 'debit') AND c.status IN ('queued', 'sent', 'waiting')",
	/* nor while a meter holds money without its closing refund (one that
	 * could not be written: a repeat of the form writes it) */
	[Q_UNREFUNDED] = "SELECT COUNT(*) FROM account_meters x"
	    " JOIN meters m ON m.id = x.meter_id AND m.profile = 'ddsy1352nk'"
	    " LEFT JOIN meter_state s ON s.meter_id = m.id"
	    " WHERE x.account_id = ? AND x.active = 1 AND NOT EXISTS (SELECT 1"
	    "   FROM ledger l WHERE l.idem_key = CONCAT('close:', x.account_id, ':', m.id))"
	    " AND COALESCE(s.remaining_fen, 0) + COALESCE((SELECT SUM(CASE c.kind"
	    "   WHEN 'credit' THEN c.amount_fen ELSE -c.amount_fen END) FROM commands c"
	    "   WHERE c.meter_id = m.id AND c.kind IN ('credit', 'debit')"
	    "   AND c.status <> 'failed' AND (c.status <> 'confirmed'"
	    "   OR s.read_at IS NULL OR c.done_at > s.read_at)), 0) > 0",
	[Q_CLOSING] = "SELECT id FROM accounts WHERE status = 'closing' LIMIT 1000",
	[Q_LIST] = "SELECT a.id, a.holder, a.holder_no, a.status,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room,"
	    " COALESCE(o.login, '') AS closed_by,"
	    " DATE_FORMAT(CONVERT_TZ(a.closed_at, '+00:00', p.tz), '%Y-%m-%d %H:%i') AS closed,"
	    " (SELECT -SUM(l.amount_fen) FROM ledger l"
	    "   WHERE l.account_id = a.id AND l.kind = 'closing_refund') AS refunded_fen,"
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

/* A closing account becomes closed once its refund tokens are confirmed;
 * its meters are then free for a new account. Returns 1 when closed. */
int
close_settle(struct req *r, int64_t id)
{
	int64_t left = 1;

	if (db_value(r->db, &left, q[Q_OPEN_LEFT], "l", id) != 1 || left > 0)
		return 0;
	if (db_value(r->db, &left, q[Q_UNREFUNDED], "l", id) != 1 || left > 0)
		return 0;
	if (db_begin(r->db) == -1)
		return 0;
	if (db_exec(r->db, q[Q_DONE], "l", id) == 1 &&
	    db_exec(r->db, q[Q_RELEASE], "l", id) != -1 && db_commit(r->db) == 0) {
		char obj[64];

		snprintf(obj, sizeof(obj), "account:%lld", (long long)id);
		web_log(r, "account.closed", obj, NULL, NULL);
		return 1;
	}
	db_rollback(r->db);
	return 0;
}

/* Every closing account whose tokens are all confirmed becomes closed (the
 * lists show the state of now, whether its page was opened or not). */
int
close_settle_all(struct req *r)
{
	struct dbres *res = db_query(r->db, q[Q_CLOSING], "");
	int64_t ids[1000];
	int n = 0, closed = 0;

	if (res == NULL)
		return -1;
	while (db_next(res) == 1 && n < 1000)
		ids[n++] = db_coll(res, 0);
	db_res_free(res);
	for (int i = 0; i < n; i++)
		closed += close_settle(r, ids[i]);
	return closed;
}

static const struct field fields[] = {
	{ "id", FT_ID, 1, 0, 0, NULL },
	{ "seen", FT_BOOL, 0, 0, 0, NULL },
	{ "confirm", FT_BOOL, 0, 0, 0, NULL },
};
enum { C_ID, C_SEEN, C_CONFIRM, C_N };

int
page_close(struct req *r)
{
	struct fval v[C_N];
	struct dbres *res;
	int64_t id, ids[MAXM], money[MAXM], age, pending = 0;
	int n = 0, bad = 0, resume;
	char buf[32], key[64], obj[64], idem[100], *after;

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
	if (strcmp(hdf_get_value(r->hdf, "Account.status", ""), "closing") == 0)
		close_settle(r, id);
	/* every meter: its money by the last read, and whether that is fresh */
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
		if (age < 0 || age > FRESH) {
			hdf_set_valuef(r->hdf, "Meters.%d.stale=1", i);
			bad = 1;
		}
		if (money[i] < 0) {
			hdf_set_valuef(r->hdf, "Meters.%d.overdraft=1", i);
			bad = 1;
		}
	}
	if ((res = db_query(r->db, q[Q_PENDING], "l", id)) == NULL)
		return -1;
	pending = web_rows(r, "Pending", res);
	db_res_free(res);
	/* a closing account: the same form again writes the refunds that
	 * could not be written the first time (its own tokens are pending) */
	resume = strcmp(hdf_get_value(r->hdf, "Account.status", ""), "closing") == 0;
	if (!r->is_post || (!resume &&
	    strcmp(hdf_get_value(r->hdf, "Account.status", ""), "open")))
		return 0;
	if (bad) {
		form_error(r, "form", "close_not_ready");
		return 0;
	}
	if (!resume && pending > 0 && !v[C_SEEN].i) {
		form_error(r, "seen", "see_pending");
		return 0;
	}
	if (!v[C_CONFIRM].i) {
		hdf_set_int_value(r->hdf, "Confirm.show", 1);
		return 0;
	}
	/* tiered meters: the month's exact charge first, then what is left */
	if (!resume) {
		int t = tier_close(r->db, web_tz(r), id);

		if (t == -1)
			return -1;
		for (int i = 0; t > 0 && i < n; i++)
			if (ledger_meter_money(r->db, ids[i], &money[i], &age) == -1)
				return -1;
	}
	if (!resume) {
		if (db_exec(r->db, q[Q_START], "ll", r->op_id, id) != 1) {
			web_redirect(r, "/close?id=%lld", (long long)id);
			return 0;
		}
		snprintf(obj, sizeof(obj), "account:%lld", (long long)id);
		web_log(r, "account.closing", obj, NULL, NULL);
		for (int i = 0; i < n; i++) {
			snprintf(key, sizeof(key), "trip%lld", (long long)ids[i]);
			if (strcmp(web_query(r, key, "0"), "1") == 0)
				db_exec(r->db, q[Q_TRIP], "l", ids[i]);
		}
	}
	for (int i = 0; i < n; i++) {
		const char *why = NULL;
		int64_t lid;
		int rc;

		if (money[i] > 0) {
			struct entry e = { .account_id = id, .meter_id = ids[i],
			    .kind = LK_CLOSING, .amount = -money[i],
			    .operator_id = r->op_id, .idem_key = idem,
			    .fresh = FRESH, .closing = 1, .note = "销户退款" };

			snprintf(idem, sizeof(idem), "close:%lld:%lld",
			    (long long)id, (long long)ids[i]);
			/* not written: the account stays closing (close_settle
			 * waits for this refund) until the form is sent again */
			if ((rc = ledger_issue(r->db, &e, &lid, &why)) == -1)
				return -1;
			if (rc == 2) {
				form_error(r, "form", why);
				return 0;
			}
			if (rc == 1) {
				snprintf(obj, sizeof(obj), "ledger:%lld", (long long)lid);
				after = web_json("account", hdf_get_value(r->hdf,
				    "Account.id", ""), "amount", money_format(
				    money[i], buf, sizeof(buf)), NULL);
				web_log(r, "closing_refund.create", obj, NULL, after);
				free(after);
			}
		}
	}
	close_settle(r, id);
	web_redirect(r, "/account?id=%lld&ok=closing", (long long)id);
	return 0;
}

int
page_closings(struct req *r)
{
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

	if (close_settle_all(r) == -1)
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
