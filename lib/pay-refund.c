/* pay-refund.c - refunds of online payments back to the payer through the gateway: asked by staff (a second operator approves when set), sent by payments-sync under one unguessable refund number, done only when the gateway's signed answer says so. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approvals.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "money.h"
#include "oplog.h"
#include "pay.h"

#define BATCH 200
#define ANSWER_KEEP 8000	/* the bytes of a gateway's answer kept */

enum {
	Q_ORDER, Q_IDEM, Q_LIVE, Q_NEW, Q_LINK, Q_DECIDE, Q_DUE, Q_TRY, Q_KEEP,
	Q_DONE, Q_ORDER_DONE
};
static const char *const q[] = {
	[Q_ORDER] = "SELECT id, account_id, meter_id, amount_fen, state"
	    " FROM pay_orders WHERE out_trade_no = ? FOR UPDATE",
	[Q_IDEM] = "SELECT id FROM pay_refunds WHERE idem_key = ?",
	[Q_LIVE] = "SELECT id FROM pay_refunds WHERE order_id = ?"
	    " AND state <> 'rejected'",
	[Q_NEW] = "INSERT INTO pay_refunds (order_id, out_request_no, amount_fen,"
	    " reason, state, idem_key, requested_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[Q_LINK] = "UPDATE pay_refunds SET approval_id = ? WHERE id = ?",
	[Q_DECIDE] = "UPDATE pay_refunds SET state = ?, approved_by = ?,"
	    " approved_at = UTC_TIMESTAMP(3)"
	    " WHERE approval_id = ? AND state = 'requested'",
	/* to send (approved), to ask again (sent), to send again (failed) */
	[Q_DUE] = "SELECT f.id, f.out_request_no, f.amount_fen, f.state,"
	    " o.out_trade_no, o.amount_fen, o.id"
	    " FROM pay_refunds f JOIN pay_orders o ON o.id = f.order_id"
	    " WHERE o.channel = ? AND f.state IN ('approved', 'sent', 'failed')"
	    " ORDER BY f.id LIMIT 200",
	[Q_TRY] = "UPDATE pay_refunds SET tries = tries + 1,"
	    " sent_at = UTC_TIMESTAMP(3) WHERE id = ?",
	[Q_KEEP] = "UPDATE pay_refunds SET state = ?, answer = ?, note = ?"
	    " WHERE id = ? AND state IN ('approved', 'sent', 'failed')",
	[Q_DONE] = "UPDATE pay_refunds SET state = 'refunded',"
	    " refunded_at = UTC_TIMESTAMP(3), answer = ?, note = ?"
	    " WHERE id = ? AND state IN ('approved', 'sent', 'failed')",
	[Q_ORDER_DONE] = "UPDATE pay_orders SET state = 'refunded'"
	    " WHERE id = ? AND state = 'needs_refund'",
};

/* A request of the staff form, carried through its transaction. */
struct ask {
	const struct actor *who;
	const char *no, *reason, *idem;
	int approve;
	int64_t id, order, account, meter, amount;
	const char *why;
};

/* The order's state as the reason it cannot be refunded this way. */
static const char *
state_why(const char *state)
{
	static const char *const known[] = { "created", "paid", "credited",
	    "closed", "refunded", NULL };

	for (int i = 0; known[i]; i++)
		if (strcmp(state, known[i]) == 0)
			return known[i];
	return "none";
}

/* The order locked and checked: 1 it may be refunded, 2 refused (A->why). */
static int
ask_order(struct db *db, struct ask *a)
{
	struct dbres *res = db_query(db, q[Q_ORDER], "s", a->no);
	int rc = 2;

	if (res == NULL)
		return -1;
	a->why = "none";
	if (db_next(res) == 1) {
		a->order = db_coll(res, 0);
		a->account = db_coll(res, 1);
		a->meter = db_coll(res, 2);
		a->amount = db_coll(res, 3);
		if (strcmp(db_col(res, 4), "needs_refund") == 0)
			rc = 1;
		else
			a->why = state_why(db_col(res, 4));
	}
	db_res_free(res);
	return rc;
}

/* In one transaction: the order checked, the refund written, its
 * approvals request when a second operator is needed. */
static int
ask_tx(struct db *db, void *arg)
{
	struct ask *a = arg;
	char rno[PAY_RNO_LEN + 1], idem[80];
	int64_t aid;
	int rc;

	if (db_value(db, &a->id, q[Q_IDEM], "s", a->idem) == 1)
		return 0;	/* the same form again */
	if ((rc = ask_order(db, a)) != 1)
		return rc;
	if ((rc = db_value(db, &aid, q[Q_LIVE], "l", a->order)) != 0) {
		a->why = "pending";
		return rc == 1 ? 2 : -1;
	}
	if (crypto_random_hex(PAY_RNO_LEN / 2, rno) == -1)
		return -1;
	if (db_exec(db, q[Q_NEW], "lslsssl", a->order, rno, a->amount,
	    a->reason, a->approve ? "requested" : "approved", a->idem,
	    a->who->operator_id) != 1)
		return db_errno(db) == DB_ER_DUP_ENTRY ? DB_TX_AGAIN : -1;
	a->id = (int64_t)db_last_id(db);
	if (!a->approve)
		return 1;
	snprintf(idem, sizeof(idem), "payrefund:%s", a->idem);
	if ((aid = approvals_request(db, a->who, "pay_refund", a->account,
	    a->meter, -a->amount, 0, NULL, a->reason, idem)) == -1 ||
	    db_exec(db, q[Q_LINK], "ll", aid, a->id) != 1)
		return -1;
	return 1;
}

int
pay_refund_request(struct db *db, const struct actor *who, const char *no,
    const char *reason, const char *idem, int approve, int64_t *id,
    const char **why)
{
	struct ask a = { .who = who, .no = no, .reason = reason, .idem = idem,
	    .approve = approve };
	char obj[64], buf[32], *after;
	int rc;

	*why = NULL;
	if ((rc = db_tx(db, ask_tx, &a)) == -1)
		return -1;
	*id = a.id;
	if (rc == 2)
		*why = a.why;
	if (rc != 1)
		return rc;
	snprintf(obj, sizeof(obj), "pay_order:%.32s", no);
	after = oplog_json("refund", money_format(a.amount, buf, sizeof(buf)),
	    "reason", reason, "approval", approve ? "1" : "0", NULL);
	oplog_write(db, who, "payrefund.request", obj, NULL, after);
	free(after);
	return 1;
}

int
pay_refund_decide(struct db *db, const struct actor *who, int64_t approval,
    int approve)
{
	int n = db_exec(db, q[Q_DECIDE], "sll", approve ? "approved" : "rejected",
	    who->operator_id, approval);

	return n < 0 ? -1 : n > 0;
}

/* A refund due, as the job found it. */
struct due {
	int64_t id, fen, paid, order;
	char rno[PAY_RNO_LEN + 1], no[PAY_NO_LEN + 1], state[16];
};

/* The gateway said the money is back: the refund and its order at once. */
static int
done_tx(struct db *db, void *arg)
{
	const void *const *p = arg;
	const struct due *d = p[0];
	const char *answer = p[1], *note = p[2];

	if (db_exec(db, q[Q_DONE], "ssl", answer, note, d->id) == -1 ||
	    db_exec(db, q[Q_ORDER_DONE], "l", d->order) == -1)
		return -1;
	return 0;
}

/* What came of one try kept: STATE, the answer (cut) and NOTE. */
static int
keep(struct db *db, const struct due *d, int rc, const char *answer,
    const char *note)
{
	char *cut = strndup(answer ? answer : "", ANSWER_KEEP);
	int ret;

	if (cut == NULL)
		return -1;
	if (rc == 1) {
		const void *p[3] = { d, cut, note };

		ret = db_tx(db, done_tx, (void *)p);
	} else
		ret = db_exec(db, q[Q_KEEP], "sssl", rc == 0 ? "sent" : "failed",
		    cut, note, d->id) == -1 ? -1 : 0;
	free(cut);
	return ret;
}

/* One call of refund D: sent (or asked, QUERY); 1, 0 or -1 as
 * refund_answer says, the answer and note kept. */
static int
refund_try(struct db *db, const struct pay_conf *c,
    const struct pay_channel *ch, int (*http)(struct pay_http *, long, long),
    const struct due *d, int query)
{
	struct pay_order o = { .out_trade_no = d->no, .amount = d->paid };
	struct pay_http h;
	char note[128];
	int rc = -1;

	if (db_exec(db, q[Q_TRY], "l", d->id) == -1)
		return -2;
	memset(&h, 0, sizeof(h));
	snprintf(note, sizeof(note), "no request");
	if (ch->refund_call(c, query, &o, d->rno, d->fen, &h) == 0) {
		snprintf(note, sizeof(note), "no answer");
		if (http(&h, 5000L, 15000L) == 0)
			rc = ch->refund_answer(c, &h, d->no, d->rno, d->fen, note,
			    sizeof(note));
	}
	if (keep(db, d, rc, h.answer, note) == -1)
		rc = -2;
	else if (rc == -1)
		log_warnx("%s refund %s of order %s: %s (tried again next run with"
		    " the same number)", ch->name, d->rno, d->no, note);
	pay_http_free(&h);
	return rc;
}

/* Refund D sent, or asked again while in progress; counted into R. */
static int
refund_one(struct db *db, const struct pay_conf *c,
    const struct pay_channel *ch, int (*http)(struct pay_http *, long, long),
    const struct due *d, struct pay_refund_result *r)
{
	int query = strcmp(d->state, "sent") == 0, rc;

	if (!query)
		r->sent++;
	rc = refund_try(db, c, ch, http, d, query);
	/* taken but in progress: asked once more now, then next run */
	if (rc == 0 && !query)
		rc = refund_try(db, c, ch, http, d, 1);
	if (rc == -2)
		return -1;
	if (rc == 1) {
		struct actor job = { 0, "payments-sync", "" };
		char obj[64], buf[32], *after;

		r->refunded++;
		snprintf(obj, sizeof(obj), "pay_order:%s", d->no);
		after = oplog_json("refund", money_format(d->fen, buf,
		    sizeof(buf)), "channel", ch->name, NULL);
		oplog_write(db, &job, "payrefund.done", obj, NULL, after);
		free(after);
	} else if (rc == 0)
		r->pending++;
	else
		r->failed++;
	return 0;
}

int
pay_refund_sync(struct db *db, const struct pay_conf *c,
    const struct pay_channel *ch, int (*http)(struct pay_http *, long, long),
    struct pay_refund_result *r)
{
	struct dbres *res;
	struct due *d;
	int n = 0, rc = 0;

	memset(r, 0, sizeof(*r));
	if (ch->refund_call == NULL || ch->refund_answer == NULL)
		return 0;
	if ((d = calloc(BATCH, sizeof(*d))) == NULL)
		return -1;
	if ((res = db_query(db, q[Q_DUE], "s", ch->name)) == NULL) {
		free(d);
		return -1;
	}
	while (db_next(res) == 1 && n < BATCH) {
		d[n].id = db_coll(res, 0);
		snprintf(d[n].rno, sizeof(d[n].rno), "%s", db_col(res, 1));
		d[n].fen = db_coll(res, 2);
		snprintf(d[n].state, sizeof(d[n].state), "%s", db_col(res, 3));
		snprintf(d[n].no, sizeof(d[n].no), "%s", db_col(res, 4));
		d[n].paid = db_coll(res, 5);
		d[n].order = db_coll(res, 6);
		n++;
	}
	db_res_free(res);
	for (int i = 0; i < n && rc == 0; i++)
		rc = refund_one(db, c, ch, http, &d[i], r);
	free(d);
	return rc;
}
