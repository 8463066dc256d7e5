/* page-approvals.c - B8 two-person approval: requests wait here; another operator approves or rejects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approvals.h"
#include "batches.h"
#include "oplog.h"
#include "db.h"
#include "ledger.h"
#include "money.h"
#include "pay.h"
#include "pages.h"

enum { Q_LIST, Q_GET, Q_DECIDE };
static const char *const q[] = {
	[Q_LIST] = "SELECT p.id, p.kind, p.status, p.amount_fen, p.note, p.reason,"
	    " COALESCE(a.holder, '') AS holder, COALESCE(m.number, '') AS meter,"
	    " COALESCE(p.reverses_id, '') AS reverses, COALESCE(p.result_id, '') AS result,"
	    " (LENGTH(p.meters) - LENGTH(REPLACE(p.meters, ',', '')) + 1) AS nmeters,"
	    " ro.login AS requested_by, COALESCE(d.login, '') AS decided_by,"
	    " DATE_FORMAT(CONVERT_TZ(p.requested_at, '+00:00', ?), '%Y-%m-%d %H:%i') AS at"
	    " FROM approvals p LEFT JOIN accounts a ON a.id = p.account_id"
	    " LEFT JOIN meters m ON m.id = p.meter_id"
	    " JOIN operators ro ON ro.id = p.requested_by"
	    " LEFT JOIN operators d ON d.id = p.decided_by"
	    " ORDER BY p.status <> 'pending', p.id DESC LIMIT 200",
	[Q_GET] = "SELECT kind, status, requested_by, account_id, meter_id, amount_fen,"
	    " reverses_id, meters, note, idem_key FROM approvals WHERE id = ?",
	[Q_DECIDE] = "UPDATE approvals SET status = ?, decided_by = ?,"
	    " decided_at = UTC_TIMESTAMP(3), result_id = NULLIF(?, 0), reason = ?"
	    " WHERE id = ? AND status = 'pending'",
};

/* The right a second operator needs to decide a request of KIND. */
static int
approval_right(const char *kind)
{
	return strcmp(kind, "refund") == 0 || strcmp(kind, "pay_refund") == 0 ? 19 :
	    strcmp(kind, "reversal") == 0 ? 21 : 15;
}

int
page_approvals(struct req *r)
{
	struct dbres *res = db_query(r->db, q[Q_LIST], "s", web_tz(r));

	if (res == NULL)
		return -1;
	web_rows(r, "Rows", res);
	db_res_free(res);
	web_money_col(r, "Rows", "amount_fen", "amount");
	/* the buttons only for who may decide: another operator with the
	 * right of the action; the others are told who may */
	for (HDF *row = hdf_obj_child(hdf_get_obj(r->hdf, "Rows")); row;
	    row = hdf_obj_next(row)) {
		int right = approval_right(hdf_get_value(row, "kind", ""));
		char key[32];

		if (strcmp(hdf_get_value(row, "status", ""), "pending") != 0)
			continue;
		snprintf(key, sizeof(key), "right.%s", right_codes[right]);
		hdf_set_value(row, "right_name", web_lang(r, key));
		if (strcmp(hdf_get_value(row, "requested_by", ""), r->sess->op_login) == 0)
			hdf_set_value(row, "why_not", "own");
		else if (!staff_has(r, right))
			hdf_set_value(row, "why_not", "right");
		else
			hdf_set_int_value(row, "can_decide", 1);
	}
	hdf_set_value(r->hdf, "Page.ok", web_query(r, "ok", ""));
	web_render(r, "approvals.cs");
	return 0;
}

static const char *const decisions[] = { "approve", "reject", NULL };
static const struct field fields[] = {
	{ "id", FT_ID, 1, 0, 0, NULL },
	{ "decision", FT_CHOICE, 1, 0, 0, decisions },
	{ "reason", FT_TEXT, 0, 0, 100, NULL },
};
enum { D_ID, D_DECISION, D_REASON, D_N };

/* A request as it waits in the table. */
struct request {
	char kind[16], idem[80], meters[4096], note[256];
	int64_t id, by, account, meter, amount, reverses;
	int pending;
};

/* Request ID into *P: 1, 0 no such request, -1 error. */
static int
request_load(struct req *r, int64_t id, struct request *p)
{
	struct dbres *res;

	if ((res = db_query(r->db, q[Q_GET], "l", id)) == NULL)
		return -1;
	if (db_next(res) != 1) {
		db_res_free(res);
		return 0;
	}
	snprintf(p->kind, sizeof(p->kind), "%s", db_col(res, 0));
	p->id = id;
	p->pending = strcmp(db_col(res, 1), "pending") == 0;
	p->by = db_coll(res, 2);
	p->account = db_coll(res, 3);
	p->meter = db_coll(res, 4);
	p->amount = db_coll(res, 5);
	p->reverses = db_coll(res, 6);
	snprintf(p->meters, sizeof(p->meters), "%s", db_col(res, 7) ?
	    db_col(res, 7) : "");
	snprintf(p->note, sizeof(p->note), "%s", db_col(res, 8));
	snprintf(p->idem, sizeof(p->idem), "%s", db_col(res, 9));
	db_res_free(res);
	return 1;
}

/* An approved request carried out: the batch of its meters (keep power)
 * or its ledger entry. 1 done (*RESULT: the batch or the entry), 2
 * refused (*WHY), -1 error. */
static int
request_carry_out(struct req *r, struct request *p, int64_t *result,
    const char **why)
{
	if (strcmp(p->kind, "pay_refund") == 0) {
		struct actor who;

		/* approved to send: payments-sync calls the gateway */
		return pay_refund_decide(r->db, web_actor(r, &who), p->id, 1) == -1 ?
		    -1 : 1;
	}
	if (strcmp(p->kind, "keep_power") == 0) {
		int64_t ids[4096 / 2];
		struct actor who;
		int n = 0;

		for (char *c = p->meters; *c && n < (int)(sizeof(ids) /
		    sizeof(ids[0])); ) {
			ids[n++] = strtoll(c, &c, 10);
			if (*c == ',')
				c++;
			else
				break;
		}
		*result = batches_create(r->db, web_actor(r, &who),
		    "keep_power", ids, n, p->idem);
		return *result > 0 ? 1 : -1;
	} else {
		struct entry e = { .account_id = p->account,
		    .meter_id = p->meter, .kind = strcmp(p->kind, "refund") == 0 ?
		    LK_REFUND : LK_REVERSAL, .amount = p->amount,
		    .operator_id = r->sess->op_id, .idem_key = p->idem,
		    .reverses_id = p->reverses, .note = p->note, .fresh = 600 };

		return ledger_issue(r->db, &e, result, why);
	}
}

int
page_approval_decide(struct req *r)
{
	struct fval v[D_N];
	struct request p;
	char obj[64];
	int64_t result = 0;
	int right, rc;
	const char *why = NULL;

	if (form_check(r, fields, D_N, v) > 0)
		return web_fail(r, 400, "err.bad_request");
	if ((rc = request_load(r, v[D_ID].i, &p)) == -1)
		return -1;
	if (rc == 0)
		return web_fail(r, 404, "err.not_found");
	if (!p.pending) {
		web_redirect(r, "/approvals?ok=decided");
		return 0;
	}
	/* the second person: not the requester, with the right of the action */
	right = approval_right(p.kind);
	if (p.by == r->sess->op_id)
		return web_fail(r, 403, "err.same_operator");
	if (!staff_has(r, right)) {
		web_fail(r, 403, "err.no_right");
		hdf_set_value(r->hdf, "Error.right", right_codes[right]);
		return 0;
	}
	if (v[D_DECISION].i == 0) {
		if ((rc = request_carry_out(r, &p, &result, &why)) == -1)
			return -1;
		if (rc == 2) {
			/* still pending: e.g. the meter needs a fresh read */
			char key[64];

			snprintf(key, sizeof(key), "err.%s", why);
			hdf_set_value(r->hdf, "Page.error", web_lang(r, key));
			return page_approvals(r);
		}
	}
	if (v[D_DECISION].i == 1 && strcmp(p.kind, "pay_refund") == 0) {
		struct actor who;

		/* rejected: the order may be asked for again */
		if (pay_refund_decide(r->db, web_actor(r, &who), p.id, 0) == -1)
			return -1;
	}
	if (db_exec(r->db, q[Q_DECIDE], "sllsl", v[D_DECISION].i == 0 ?
	    "approved" : "rejected", r->sess->op_id, result, v[D_REASON].s, v[D_ID].i) == -1)
		return -1;
	snprintf(obj, sizeof(obj), "approval:%lld", (long long)v[D_ID].i);
	web_log(r, v[D_DECISION].i == 0 ? "approval.approve" : "approval.reject",
	    obj, NULL, NULL);
	web_redirect(r, "/approvals?ok=decided");
	return 0;
}
