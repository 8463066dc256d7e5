/* page-meterchange.c - F11 add a meter to an open account, or replace one moving its money (老表金额转入); the money already on the new meter cleared or carried over. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "ledger.h"
#include "money.h"
#include "oplog.h"
#include "pages.h"

#define FRESH 600

enum { Q_ACCOUNT, Q_METERS, Q_NEW, Q_LINK, Q_UNLINK, Q_MEMBER, Q_DONE, Q_OUT,
    Q_READ };
static const char *const q[] = {
	[Q_ACCOUNT] = "SELECT a.id, a.holder, a.holder_no, a.status,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room,"
	    " COALESCE(a.room_id, 0) AS room_id FROM accounts a LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id WHERE a.id = ?",
	[Q_METERS] = "SELECT m.id, m.number FROM account_meters x JOIN meters m"
	    " ON m.id = x.meter_id WHERE x.account_id = ? AND x.active = 1 ORDER BY m.number",
	/* the new meter: its id, its profile, and whether an account holds it */
	[Q_NEW] = "SELECT m.id, m.profile, (SELECT x.account_id FROM account_meters x"
	    "   WHERE x.meter_id = m.id AND x.active = 1) FROM meters m WHERE m.number = ?",
	[Q_LINK] = "INSERT INTO account_meters (account_id, meter_id, active, open_meter_id)"
	    " VALUES (?, ?, 1, ?) ON DUPLICATE KEY UPDATE active = 1,"
	    " open_meter_id = VALUES(open_meter_id)",
	[Q_UNLINK] = "UPDATE account_meters SET active = 0, open_meter_id = NULL"
	    " WHERE account_id = ? AND meter_id = ?",
	[Q_MEMBER] = "SELECT COUNT(*) FROM account_meters WHERE account_id = ?"
	    " AND meter_id = ? AND active = 1",
	[Q_DONE] = "SELECT id FROM ledger WHERE idem_key = CONCAT(?, ':out')",
	/* what a replacement's transfer_out took off the old meter */
	[Q_OUT] = "SELECT meter_id, -amount_fen FROM ledger WHERE id = ?",
	[Q_READ] = "INSERT INTO read_requests (meter_id) VALUES (?)",
};

static const char *const modes[] = { "add", "replace", NULL };

/*
 * The second half of a replacement, after the old meter's transfer_out OUT
 * (0: no money to move): the new meter's transfer_in of MONEY linked to it,
 * then the old meter leaves the account. Both steps are idempotent, so a
 * repeat of the form finishes a replacement that stopped half way.
 * Returns 1 done, 0 refused (the reason is on the form), -1 error.
 */
static int
finish(struct req *r, int64_t id, int64_t old, int64_t nid, int64_t money,
    int64_t out, const char *idem)
{
	char key[100];
	const char *why = NULL;
	int64_t in = 0;
	int rc;

	if (out) {
		struct entry e2 = { .account_id = id, .meter_id = nid,
		    .kind = LK_TRANSFER_IN, .amount = money,
		    .operator_id = r->sess->op_id, .idem_key = key,
		    .link_id = out, .note = "换表转入" };

		snprintf(key, sizeof(key), "%s:in", idem);
		if ((rc = ledger_issue(r->db, &e2, &in, &why)) == -1)
			return -1;
		if (rc == 2) {
			form_error(r, "new", why);
			return 0;
		}
	}
	if (db_exec(r->db, q[Q_UNLINK], "ll", id, old) == -1)
		return -1;
	return 1;
}

static const struct field fields[] = {
	{ "id", FT_ID, 1, 0, 0, NULL },
	{ "mode", FT_CHOICE, 1, 0, 0, modes },
	{ "old", FT_ID, 0, 0, 0, NULL },
	{ "new", FT_INT, 1, 1, 4294967295L, NULL },
	{ "idem", FT_TEXT, 1, 0, 64, NULL },
	{ "confirm", FT_BOOL, 0, 0, 0, NULL },
};
enum { X_ID, X_MODE, X_OLD, X_NEW, X_IDEM, X_CONFIRM, X_N };

int
page_meter_change(struct req *r)
{
	struct fval v[X_N];
	struct dbres *res;
	int64_t id = web_query_id(r, "id"), nid = 0, holder = 0, money = 0,
	    age = -1, n, out = 0, rq;
	int nerr, choices = 0, brc;
	char tok[65], buf[32], key[100], obj[64], *after;
	const char *why, *refusal = NULL;

	web_render(r, "meter-change.cs");
	if (id == 0 || (res = db_query(r->db, q[Q_ACCOUNT], "l", id)) == NULL)
		return id ? -1 : web_fail(r, 404, "err.not_found");
	if (!web_row(r, "Account", res)) {
		db_res_free(res);
		return web_fail(r, 404, "err.not_found");
	}
	db_res_free(res);
	if ((res = db_query(r->db, q[Q_METERS], "l", id)) == NULL)
		return -1;
	web_rows(r, "Meters", res);
	db_res_free(res);
	if (!r->is_post) {
		if (crypto_random_hex(16, tok) == -1)
			return -1;
		hdf_set_value(r->hdf, "Form.idem", tok);
		hdf_set_value(r->hdf, "Form.mode", web_query(r, "mode", "replace"));
		return 0;
	}
	nerr = form_check(r, fields, X_N, v);
	/* the same replacement again: what was done stays done, and what was
	 * not (the new meter's entry, the old meter leaving) is done now */
	if (v[X_IDEM].set && db_value(r->db, &out, q[Q_DONE], "s", v[X_IDEM].s) == 1) {
		int64_t old = 0;
		int rc = 0;

		if ((res = db_query(r->db, q[Q_OUT], "l", out)) == NULL)
			return -1;
		if (db_next(res) == 1) {
			old = db_coll(res, 0);
			money = db_coll(res, 1);
		}
		db_res_free(res);
		if (v[X_NEW].set && (res = db_query(r->db, q[Q_NEW], "l",
		    v[X_NEW].i)) == NULL)
			return -1;
		if (v[X_NEW].set && db_next(res) == 1)
			nid = db_coll(res, 0);
		if (v[X_NEW].set)
			db_res_free(res);
		if (old && nid && (rc = finish(r, id, old, nid, money, out,
		    v[X_IDEM].s)) == -1)
			return -1;
		if (rc == 0 && old && nid)
			return 0;
		web_redirect(r, "/account?id=%lld&ok=replaced", (long long)id);
		return 0;
	}
	if (strcmp(hdf_get_value(r->hdf, "Account.status", ""), "open") != 0)
		nerr += form_error(r, "new", "account_closed");
	if (v[X_NEW].set) {
		if ((res = db_query(r->db, q[Q_NEW], "l", v[X_NEW].i)) == NULL)
			return -1;
		if (db_next(res) != 1)
			nerr += form_error(r, "new", "meter_not_found");
		else if (strcmp(db_col(res, 1), "ddsy1352nk") != 0)
			nerr += form_error(r, "new", "not_prepaid");
		else {
			nid = db_coll(res, 0);
			holder = db_coll(res, 2);
			if (holder && holder != id)
				nerr += form_error(r, "new", "meter_in_account");
		}
		db_res_free(res);
	}
	if (v[X_MODE].i == 1) {
		if (!v[X_OLD].set || db_value(r->db, &n, q[Q_MEMBER], "ll", id,
		    v[X_OLD].i) != 1 || n == 0)
			nerr += form_error(r, "old", "meter_not_in_account");
		else if (nid == v[X_OLD].i)
			nerr += form_error(r, "new", "dup_meter");
		else if (ledger_meter_money(r->db, v[X_OLD].i, &money, &age) == -1)
			return -1;
		else if (age < 0 || age > FRESH)
			nerr += form_error(r, "old", "read_not_fresh");
		else if (money < 0)
			nerr += form_error(r, "old", "overdraft_first");
		hdf_set_value(r->hdf, "Confirm.money", money_format(money, buf,
		    sizeof(buf)));
	} else if (holder == id)
		nerr += form_error(r, "new", "meter_in_account");
	/* "read now" for the new meter: a read is asked for, the form stays */
	if ((rq = web_query_id(r, "read")) != 0 && rq == nid) {
		if (db_exec(r->db, q[Q_READ], "l", nid) == -1)
			return -1;
		hdf_set_int_value(r->hdf, "Page.read_asked", 1);
	}
	/* the money already on the new meter, and its room */
	if (!nerr && nid) {
		if ((brc = open_money_check(r, id, hdf_get_int_value(r->hdf,
		    "Account.room_id", 0), &nid, 1, v[X_CONFIRM].i, &choices)) == -1)
			return -1;
		nerr += brc;
	}
	if (nerr || rq)
		return 0;
	if (!v[X_CONFIRM].i) {
		hdf_set_int_value(r->hdf, "Confirm.show", 1);
		return 0;
	}
	/* Each step has its own key under the form's: a repeat of the form
	 * repeats nothing that was done, and finishes what was not. */
	if (db_exec(r->db, q[Q_LINK], "lll", id, nid, nid) == -1) {
		if (db_errno(r->db) == DB_ER_DUP_ENTRY) {
			form_error(r, "new", "meter_in_account");
			return 0;
		}
		return -1;
	}
	snprintf(obj, sizeof(obj), "account:%lld", (long long)id);
	/* the new meter's own money first: cleared or carried over, once */
	if ((brc = open_money_book(r, id, &nid, 1, v[X_IDEM].s, &refusal)) == -1)
		return -1;
	if (brc == 1) {
		form_error(r, "new", refusal ? refusal : "internal");
		return 0;
	}
	if (v[X_MODE].i == 0) {
		after = oplog_json("meter", v[X_NEW].s, NULL);
		web_log(r, "account.meter_add", obj, NULL, after);
		free(after);
		web_redirect(r, "/account?id=%lld&ok=saved", (long long)id);
		return 0;
	}
	if (money > 0) {
		struct entry e = { .account_id = id, .meter_id = v[X_OLD].i,
		    .kind = LK_TRANSFER_OUT, .amount = -money,
		    .operator_id = r->sess->op_id, .idem_key = key, .fresh = FRESH,
		    .note = "换表转出" };

		snprintf(key, sizeof(key), "%s:out", v[X_IDEM].s);
		if (ledger_issue(r->db, &e, &out, &why) == -1)
			return -1;
		if (out == 0 || (why && *why)) {
			form_error(r, "old", why ? why : "internal");
			return 0;
		}
	}
	if ((n = finish(r, id, v[X_OLD].i, nid, money, out, v[X_IDEM].s)) != 1)
		return (int)n;
	after = oplog_json("old", web_query(r, "old", ""), "new", v[X_NEW].s,
	    "moved", money_format(money, buf, sizeof(buf)), NULL);
	web_log(r, "account.meter_replace", obj, NULL, after);
	free(after);
	web_redirect(r, "/account?id=%lld&ok=replaced", (long long)id);
	return 0;
}
