/* page-payrefund.c - M3 refund of an online payment back to the payer through the gateway: the form with its reason and confirmation, and why an order cannot be refunded this way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approvals.h"
#include "crypto.h"
#include "db.h"
#include "money.h"
#include "pages.h"
#include "pay.h"

enum { Q_ORDER };
static const char *const q[] = {
	[Q_ORDER] = "SELECT o.id, o.out_trade_no AS no, o.channel, o.state,"
	    " o.reason, o.amount_fen, a.holder,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room,"
	    " COALESCE(f.state, '') AS refund_state"
	    " FROM pay_orders o JOIN accounts a ON a.id = o.account_id"
	    " LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id"
	    " LEFT JOIN pay_refunds f ON f.order_id = o.id"
	    "   AND f.state <> 'rejected'"
	    " WHERE o.out_trade_no = ?",
};

static const struct field fields[] = {
	{ "no", FT_TEXT, 1, 0, 32, NULL },
	{ "reason", FT_TEXT, 1, 0, 100, NULL },
	{ "confirm", FT_BOOL, 0, 0, 0, NULL },
	{ "idem", FT_TEXT, 1, 0, 64, NULL },
};
enum { F_NO, F_REASON, F_CONFIRM, F_IDEM, F_N };

/* The order NO into Order.*, with why it cannot be refunded (Refuse.why):
 * 1, 0 the page answered (404 or 403), -1 error. */
static int
order_load(struct req *r, const char *no)
{
	struct dbres *res;
	const char *st;
	char buf[32];
	int rc;

	/* the payments pages' right too: the order is theirs to show */
	if (!staff_has(r, R_PAY)) {
		web_fail(r, 403, "err.no_right");
		hdf_set_value(r->hdf, "Error.right", right_codes[R_PAY]);
		return 0;
	}
	if (strlen(no) != PAY_NO_LEN || strspn(no, "0123456789abcdef") !=
	    PAY_NO_LEN)
		return web_fail(r, 404, "err.not_found");
	if ((res = db_query(r->db, q[Q_ORDER], "s", no)) == NULL)
		return -1;
	rc = web_row(r, "Order", res);
	db_res_free(res);
	if (rc == 0)
		return web_fail(r, 404, "err.not_found");
	hdf_set_value(r->hdf, "Order.amount", money_format(hdf_get_int_value(
	    r->hdf, "Order.amount_fen", 0), buf, sizeof(buf)));
	st = hdf_get_value(r->hdf, "Order.state", "");
	if (*hdf_get_value(r->hdf, "Order.refund_state", ""))
		hdf_set_value(r->hdf, "Refuse.why", strcmp(st, "refunded") == 0 ?
		    "refunded" : "pending");
	else if (strcmp(st, "needs_refund") != 0)
		hdf_set_value(r->hdf, "Refuse.why", st);
	return 1;
}

/* The form shown: a new idempotency key unless one came with it. */
static int
show(struct req *r)
{
	char tok[65];

	if (hdf_get_value(r->hdf, "Form.idem", NULL) == NULL) {
		if (crypto_random_hex(16, tok) == -1)
			return -1;
		hdf_set_value(r->hdf, "Form.idem", tok);
	}
	hdf_set_int_value(r->hdf, "Page.approval", approvals_needed(r->db,
	    "refund"));
	web_render(r, "payrefund.cs");
	return 0;
}

/* POST: the refund asked (sent by payments-sync, after a second operator
 * when approval is set); a refusal says why on the form. */
static int
ask(struct req *r)
{
	struct fval v[F_N];
	struct actor who;
	const char *why;
	int64_t id;
	int nerr = form_check(r, fields, F_N, v), rc, approve;

	if ((rc = order_load(r, web_query(r, "no", ""))) != 1)
		return rc;
	if (!v[F_IDEM].set || strspn(v[F_IDEM].s, "0123456789abcdef") !=
	    strlen(v[F_IDEM].s))
		return web_fail(r, 400, "err.bad_request");
	if (!v[F_CONFIRM].i)
		nerr += web_error(r, "confirm", "PayRefund.err.confirm");
	/* a repeat of a form taken goes on as the first did: the refusal
	 * is the request's to say */
	if (nerr > 0)
		return show(r);
	approve = approvals_needed(r->db, "refund");
	rc = pay_refund_request(r->db, web_actor(r, &who), v[F_NO].s,
	    v[F_REASON].s, v[F_IDEM].s, approve, &id, &why);
	if (rc == -1)
		return -1;
	if (rc == 2) {
		hdf_set_value(r->hdf, "Refuse.why", why);
		return show(r);
	}
	if (approve)
		web_redirect(r, "/approvals?ok=requested");
	else
		web_redirect(r, "/payrefund?no=%s&ok=1", v[F_NO].s);
	return 0;
}

int
page_payrefund(struct req *r)
{
	int rc;

	if (r->is_post)
		return ask(r);
	if ((rc = order_load(r, web_query(r, "no", ""))) != 1)
		return rc;
	hdf_set_value(r->hdf, "Form.no", hdf_get_value(r->hdf, "Order.no", ""));
	hdf_set_value(r->hdf, "Page.ok", web_query(r, "ok", ""));
	return show(r);
}
