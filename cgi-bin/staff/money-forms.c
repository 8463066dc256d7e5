/* money-forms.c - the account view and the money forms that the sale, refund and adjustment pages share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "crypto.h"
#include "db.h"
#include "money-forms.h"
#include "valid.h"

enum { Q_ACCOUNT, Q_METERS, Q_PENDING, Q_ENTRY };
static const char *const q[] = {
	[Q_ACCOUNT] = "SELECT a.id, a.holder, a.holder_no, a.phone, a.status,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room"
	    " FROM accounts a LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id WHERE a.id = ?",
	[Q_METERS] = "SELECT m.id, m.number, s.remaining_fen, s.lost,"
	    " COALESCE(TIMESTAMPDIFF(SECOND, s.read_at, UTC_TIMESTAMP(3)), -1) AS age,"
	    " (SELECT COUNT(*) FROM read_requests rq WHERE rq.meter_id = m.id"
	    "   AND rq.done_at IS NULL) AS reading,"
	    " DATE_FORMAT(CONVERT_TZ(s.read_at, '+00:00', ?), '%Y-%m-%d %H:%i') AS read_at"
	    " FROM account_meters x JOIN meters m ON m.id = x.meter_id"
	    " LEFT JOIN meter_state s ON s.meter_id = m.id"
	    " WHERE x.account_id = ? AND x.active = 1 AND m.profile = 'ddsy1352nk'"
	    " ORDER BY m.number",
	[Q_PENDING] = "SELECT c.id, c.kind, c.status, c.amount_fen, m.number AS meter,"
	    " c.error FROM commands c JOIN account_meters x ON x.meter_id = c.meter_id"
	    " AND x.active = 1 JOIN meters m ON m.id = c.meter_id"
	    " WHERE x.account_id = ? AND c.status IN ('queued', 'sent', 'waiting', 'failed')"
	    " AND c.created_at > UTC_TIMESTAMP() - INTERVAL 30 DAY ORDER BY c.id",
	[Q_ENTRY] = "SELECT l.id, l.kind, l.amount_fen, l.account_id, a.holder,"
	    " a.holder_no, COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room,"
	    " m.number AS meter, COALESCE(o.name, '') AS operator, l.channel,"
	    " DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', ?), '%Y-%m-%d %H:%i:%s') AS at,"
	    " CONCAT(DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', ?), '%Y%m%d'),"
	    "   LPAD(l.id, 8, '0')) AS receipt_no,"
	    " COALESCE(c.status, '') AS status, COALESCE(c.error, '') AS error,"
	    " COALESCE(c.purchase_count, '') AS count, COALESCE(c.tries, 0) AS tries,"
	    " COALESCE(l.reverses_id, '') AS reverses, l.note,"
	    " COALESCE((SELECT z.id FROM ledger z WHERE z.reverses_id = l.id), '') AS reversed_by,"
	    " COALESCE(ol.kind, '') AS orig_kind"
	    " FROM ledger l JOIN accounts a ON a.id = l.account_id"
	    " LEFT JOIN ledger ol ON ol.id = l.reverses_id"
	    " JOIN meters m ON m.id = l.meter_id"
	    " LEFT JOIN rooms r ON r.id = a.room_id LEFT JOIN buildings b ON b.id = r.building_id"
	    " LEFT JOIN operators o ON o.id = l.operator_id"
	    " LEFT JOIN commands c ON c.id = l.command_id WHERE l.id = ?",
};

/* The rest of the account's view, after its row: its meters, commands in
 * flight and money: 0, -1 error. */
static int
account_view_rest(struct req *r, int64_t id)
{
	int64_t money;
	char buf[32];

	if (web_query_rows(r, "Meters", q[Q_METERS], "sl", web_tz(r), id) == -1)
		return -1;
	web_money_col(r, "Meters", "remaining_fen", "remaining");
	if (web_query_rows(r, "Pending", q[Q_PENDING], "l", id) == -1)
		return -1;
	web_money_col(r, "Pending", "amount_fen", "amount");
	web_cmd_error_col(r, "Pending", "error", "error_text");
	if (ledger_account_money(r->db, id, &money) == -1)
		return -1;
	hdf_set_value(r->hdf, "Account.money", money_format(money, buf,
	    sizeof(buf)));
	hdf_set_value(r->hdf, "Account.cap", money_format(web_setting(r,
	    "hoard_cap_fen"), buf, sizeof(buf)));
	return 0;
}

int
account_view_show(struct req *r, int64_t id)
{
	int rc;

	if ((rc = web_query_row(r, "Account", q[Q_ACCOUNT], "l", id)) != 1)
		return rc;
	return account_view_rest(r, id) == -1 ? -1 : 1;
}

/* Ledger entry ID into Entry.*: 1, 0 no such entry, -1 error. */
static int
entry_load(struct req *r, int64_t id)
{
	struct dbres *res = db_query(r->db, q[Q_ENTRY], "ssl", web_tz(r),
	    web_tz(r), id);
	char buf[160];
	int64_t amount;

	if (res == NULL)
		return -1;
	if (!web_row(r, "Entry", res)) {
		db_res_free(res);
		return 0;
	}
	db_res_free(res);
	amount = strtoll(hdf_get_value(r->hdf, "Entry.amount_fen", "0"), NULL, 10);
	hdf_set_value(r->hdf, "Entry.amount", money_format(amount < 0 ? -amount :
	    amount, buf, sizeof(buf)));
	hdf_set_value(r->hdf, "Entry.capital", money_capital(amount < 0 ?
	    -amount : amount, buf, sizeof(buf)));
	hdf_set_value(r->hdf, "Entry.error_text", web_cmd_error(r,
	    hdf_get_value(r->hdf, "Entry.error", ""), buf, sizeof(buf)));
	return 1;
}

/* The rights that may see an entry of each kind (the account records, F12,
 * show every entry); 0 ends a list. */
static const struct {
	const char *kind;
	int rights[4];
} kind_rights[] = {
	{ "sale", { 17, 18, 0 } },
	{ "online", { 17, 18, 0 } },
	{ "refund", { 19, 20, 0 } },
	{ "closing_refund", { 13, 14, 20, 0 } },
	{ "reversal", { 21, 0 } },
	{ "adjustment", { R_ADJ, 18, 0 } },
	{ "token_failed", { 17, 18, 19, 20 } },
	{ "transfer_out", { 11, 0 } },
	{ "transfer_in", { 11, 0 } },
};

/* 1 when the operator may see the loaded entry, else 0 with a 403 page
 * naming the right of its kind. */
static int
entry_allowed(struct req *r)
{
	const char *kind = hdf_get_value(r->hdf, "Entry.kind", "");
	const char *orig = hdf_get_value(r->hdf, "Entry.orig_kind", "");
	int first = 12;
	char key[32];

	if (staff_has(r, 12))
		return 1;
	for (size_t i = 0; i < sizeof(kind_rights) / sizeof(kind_rights[0]);
	    i++) {
		if (strcmp(kind_rights[i].kind, kind) != 0)
			continue;
		first = kind_rights[i].rights[0];
		for (int j = 0; j < 4 && kind_rights[i].rights[j]; j++)
			if (staff_has(r, kind_rights[i].rights[j]))
				return 1;
	}
	/* a reversal also to those who query what it reverses */
	if (strcmp(kind, "reversal") == 0 && (((strcmp(orig, "sale") == 0 ||
	    strcmp(orig, "online") == 0) && staff_has(r, 18)) ||
	    (strcmp(orig, "refund") == 0 && staff_has(r, 20))))
		return 1;
	web_fail(r, 403, "err.no_right");
	snprintf(key, sizeof(key), "right.%s", right_codes[first]);
	hdf_set_value(r->hdf, "Error.right", right_codes[first]);
	hdf_set_value(r->hdf, "Error.right_name", web_lang(r, key));
	return 0;
}

int
account_view_entry(struct req *r)
{
	int64_t id = web_query_id(r, "id");
	int rc;

	if (id == 0 || (rc = entry_load(r, id)) == 0)
		return web_fail(r, 404, "err.not_found");
	if (rc == -1)
		return -1;
	return entry_allowed(r);
}

int
account_view_entry_page(struct req *r)
{
	char tok[65];
	int rc;

	if ((rc = account_view_entry(r)) != 1)
		return rc;
	if (crypto_random_hex(16, tok) == -1)
		return -1;
	/* the reversal form's own idempotency key */
	if (hdf_get_value(r->hdf, "Form.idem", NULL) == NULL)
		hdf_set_value(r->hdf, "Form.idem", tok);
	hdf_set_value(r->hdf, "Page.ok", web_query(r, "ok", ""));
	web_render(r, "sale.cs");
	return 0;
}

int
money_form_new(struct req *r, int64_t account)
{
	char tok[65];
	int rc;

	if ((rc = account_view_show(r, account)) != 1)
		return rc == 0 ? web_fail(r, 404, "err.not_found") : -1;
	if (crypto_random_hex(16, tok) == -1)
		return -1;
	hdf_set_value(r->hdf, "Form.idem", tok);
	hdf_set_valuef(r->hdf, "Form.account=%lld", (long long)account);
	hdf_set_value(r->hdf, "Form.meter",
	    hdf_get_value(r->hdf, "Meters.0.id", ""));
	return 0;
}

int
money_form_account(struct req *r, const struct fval *account, int *nerr)
{
	int rc;

	/* the account's row only: the rest when the form shows (money_form_shown) */
	if (!account->set || (rc = web_query_row(r, "Account", q[Q_ACCOUNT], "l",
	    account->i)) == 0)
		return web_fail(r, 404, "err.not_found");
	if (rc == -1)
		return -1;
	if (strcmp(hdf_get_value(r->hdf, "Account.status", ""), "open") != 0)
		*nerr += form_error(r, "amount", "account_closed");
	return 1;
}

int
money_form_shown(struct req *r, int rc)
{
	const char *id = hdf_get_value(r->hdf, "Account.id", NULL);

	/* a redirect or an error page shows no form */
	if (rc != 0 || r->status != 200 || id == NULL ||
	    hdf_get_obj(r->hdf, "Account.money") != NULL)
		return rc;
	return account_view_rest(r, strtoll(id, NULL, 10));
}

void
money_form_confirm(struct req *r, int64_t amount)
{
	char buf[160];

	hdf_set_value(r->hdf, "Confirm.amount", money_format(amount, buf,
	    sizeof(buf)));
	hdf_set_value(r->hdf, "Confirm.capital", money_capital(amount, buf,
	    sizeof(buf)));
}

int
money_form_issue(struct req *r, const struct entry *e, const char *action,
    char *after)
{
	const char *why;
	char obj[64];
	int64_t id;
	int rc = ledger_issue(r->db, e, &id, &why);

	if (rc == 1) {
		snprintf(obj, sizeof(obj), "ledger:%lld", (long long)id);
		web_log(r, action, obj, NULL, after);
	}
	free(after);
	if (rc == -1)
		return -1;
	if (rc == 2) {
		form_error(r, strcmp(why, LEDGER_NOT_ACCOUNTS) == 0 ? "meter" :
		    "amount", why);
		return 0;
	}
	/* a repeat (rc 0) shows the first entry: the same page, nothing new */
	web_redirect(r, "/sale?id=%lld", (long long)id);
	return 0;
}

/* The form's choices for the money found on each meter of IDS: money_ID
 * (clear, carry or debt), other_ID and amt_ID (the money the confirmation
 * showed). */
void
money_form_choices(struct req *r, const int64_t *ids, int n, struct accounts_choice *c)
{
	for (int i = 0; i < n; i++) {
		char key[48];
		long v;

		snprintf(key, sizeof(key), "money_%lld", (long long)ids[i]);
		c[i].money = web_query(r, key, "");
		snprintf(key, sizeof(key), "other_%lld", (long long)ids[i]);
		c[i].other_ok = strcmp(web_query(r, key, ""), "1") == 0;
		snprintf(key, sizeof(key), "amt_%lld", (long long)ids[i]);
		c[i].shown = valid_int(web_query(r, key, ""), -2147483647L,
		    2147483647L, &v) == NULL;
		c[i].amount = c[i].shown ? v : 0;
	}
}

/* What was found on each meter, as Found.N, its errors next to it. */
void
money_form_found(struct req *r, const struct accounts_found *f, int n)
{
	char buf[32];

	for (int i = 0; i < n; i++, f++) {
		if (f->known) {
			hdf_set_valuef(r->hdf, "Found.%d.number=%s", i, f->number);
			hdf_set_valuef(r->hdf, "Found.%d.room_b=%s", i, f->building);
			hdf_set_valuef(r->hdf, "Found.%d.room_n=%s", i, f->room);
			hdf_set_valuef(r->hdf, "Found.%d.read_at=%s", i, f->read_at);
			hdf_set_valuef(r->hdf, "Found.%d.reading=%d", i, f->reading);
		}
		hdf_set_valuef(r->hdf, "Found.%d.id=%lld", i, (long long)f->meter_id);
		hdf_set_valuef(r->hdf, "Found.%d.money_fen=%lld", i,
		    (long long)f->money);
		hdf_set_valuef(r->hdf, "Found.%d.money=%s", i,
		    money_format(f->money, buf, sizeof(buf)));
		hdf_set_valuef(r->hdf, "Found.%d.debt=%s", i,
		    money_format(f->money < 0 ? -f->money : 0, buf, sizeof(buf)));
		hdf_set_valuef(r->hdf, "Found.%d.sign=%d", i,
		    f->money > 0 ? 1 : f->money < 0 ? -1 : 0);
		hdf_set_valuef(r->hdf, "Found.%d.age=%lld", i,
		    (long long)(f->age < 0 ? -1 : f->age / 60));
		hdf_set_valuef(r->hdf, "Found.%d.prev=%lld", i, (long long)f->prev);
		hdf_set_valuef(r->hdf, "Found.%d.prev_holder=%s", i, f->prev_holder);
		hdf_set_valuef(r->hdf, "Found.%d.choice=%s", i, f->choice);
		if (f->other)
			hdf_set_valuef(r->hdf, "Found.%d.other=1", i);
		if (f->other_ok)
			hdf_set_valuef(r->hdf, "Found.%d.other_ok=1", i);
		if (f->read)
			hdf_set_valuef(r->hdf, "Found.%d.read=1", i);
		if (f->nerr > 0) {
			snprintf(buf, sizeof(buf), "err.%s", f->err[0]);
			hdf_set_valuef(r->hdf, "Found.%d.err=%s", i, web_lang(r, buf));
		}
		for (int e = 0; e < f->nerr; e++) {
			snprintf(buf, sizeof(buf), "m%lld", (long long)f->meter_id);
			form_error(r, buf, f->err[e]);
		}
	}
}
