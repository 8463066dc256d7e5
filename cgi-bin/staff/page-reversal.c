/* page-reversal.c - F21 reversal of a sale or refund: a compensating entry and the opposite token, once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approvals.h"
#include "oplog.h"
#include "db.h"
#include "ledger.h"
#include "money-forms.h"
#include "money.h"
#include "pages.h"

enum { Q_ORIGINAL };
static const char *const q[] = {
	[Q_ORIGINAL] = "SELECT l.account_id, l.meter_id, l.kind, l.amount_fen,"
	    " COALESCE(c.status, '') FROM ledger l"
	    " LEFT JOIN commands c ON c.id = l.command_id WHERE l.id = ?",
};

static const struct field fields[] = {
	{ "id", FT_ID, 1, 0, 0, NULL },
	{ "reason", FT_TEXT, 1, 0, 100, NULL },
	{ "idem", FT_TEXT, 1, 0, 64, NULL },
};
enum { V_ID, V_REASON, V_IDEM, V_N };

int
page_reversal(struct req *r)
{
	struct fval v[V_N];
	struct dbres *res;
	struct entry e = { 0 };
	const char *why = NULL, *kind;
	char obj[64], buf[32], *after;
	int64_t id = 0;
	int rc;

	int nerr = form_check(r, fields, V_N, v);

	if (!v[V_ID].set)
		return web_fail(r, 404, "err.not_found");
	if (!v[V_IDEM].set)
		form_error(r, "reason", "form_expired");
	if ((res = db_query(r->db, q[Q_ORIGINAL], "l", v[V_ID].i)) == NULL)
		return -1;
	if (db_next(res) != 1) {
		db_res_free(res);
		return web_fail(r, 404, "err.not_found");
	}
	kind = db_col(res, 2);
	e.account_id = db_coll(res, 0);
	e.meter_id = db_coll(res, 1);
	e.amount = -db_coll(res, 3);
	if (strcmp(kind, "sale") != 0 && strcmp(kind, "refund") != 0)
		why = "not_reversible";
	else if (strcmp(db_col(res, 4), "failed") == 0)
		why = "token_failed";
	db_res_free(res);
	if (why == NULL && nerr > 0)
		why = "";
	if (why == NULL) {
		e.kind = LK_REVERSAL;
		e.operator_id = r->sess->op_id;
		e.idem_key = v[V_IDEM].s;
		e.reverses_id = v[V_ID].i;
		e.note = v[V_REASON].s;
		/* reversing a sale takes the money back off the meter: only
		 * while the meter still holds it, by a fresh read */
		e.fresh = 600;
		if (approvals_needed(r->db, "reversal")) {
			struct actor who;

			if (approvals_request(r->db, web_actor(r, &who),
			    "reversal", e.account_id, e.meter_id, e.amount,
			    e.reverses_id, NULL, e.note, e.idem_key) == -1)
				return -1;
			web_redirect(r, "/approvals?ok=requested");
			return 0;
		}
		if ((rc = ledger_issue(r->db, &e, &id, &why)) == -1)
			return -1;
		if (rc == 1) {
			snprintf(obj, sizeof(obj), "ledger:%lld", (long long)id);
			after = oplog_json("reverses", web_query(r, "id", ""),
			    "amount", money_format(e.amount, buf, sizeof(buf)),
			    "reason", v[V_REASON].s, NULL);
			web_log(r, "reversal.create", obj, NULL, after);
			free(after);
		}
		if (rc != 2) {
			web_redirect(r, "/sale?id=%lld", (long long)id);
			return 0;
		}
	}
	/* refused: the original's page with the reason next to the form */
	if (*why)
		form_error(r, "reason", strcmp(why, LEDGER_TOO_MUCH) == 0 ?
		    "money_used" : why);
	hdf_set_value(r->hdf, "Query.id", web_query(r, "id", ""));
	return account_view_entry_page(r);
}
