/* page-sell.c - F17 sell: find the account, confirm, one ledger entry and token; progress and receipt. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approvals.h"
#include "oplog.h"
#include "crypto.h"
#include "db.h"
#include "ledger.h"
#include "money.h"
#include "pages.h"

enum {
	Q_FIND, Q_ACCOUNT, Q_METERS, Q_PENDING, Q_ENTRY, Q_PRINTS, Q_PRINT,
	Q_PRINTED, Q_DUP
};
static const char *const q[] = {
	[Q_FIND] = "SELECT DISTINCT a.id, a.holder, a.holder_no, a.status,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room"
	    " FROM accounts a LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id"
	    " LEFT JOIN account_meters x ON x.account_id = a.id AND x.active = 1"
	    " LEFT JOIN meters m ON m.id = x.meter_id"
	    " JOIN (SELECT ? AS q) p"
	    " WHERE a.status = 'open' AND (INSTR(a.holder, p.q) > 0"
	    "   OR a.holder_no = p.q OR r.number = p.q OR m.number = p.q"
	    "   OR CONCAT(b.name, r.number) = p.q OR CONCAT(b.name, ' ', r.number) = p.q)"
	    " ORDER BY b.name, r.number, a.id LIMIT 50",
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
	[Q_PRINTS] = "SELECT COUNT(*) FROM receipt_prints WHERE ledger_id = ?",
	[Q_PRINT] = "INSERT INTO receipt_prints (ledger_id, operator_id) VALUES (?, ?)",
	/* the last sale of the same amount to the account a moment ago, from
	 * another form (the same form again is its own repeat) */
	[Q_DUP] = "SELECT l.id, CONCAT(DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', ?),"
	    " '%Y%m%d'), LPAD(l.id, 8, '0')) AS receipt_no,"
	    " DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', ?), '%H:%i:%s') AS at,"
	    " COALESCE(o.name, l.channel) AS operator"
	    " FROM ledger l LEFT JOIN operators o ON o.id = l.operator_id"
	    " WHERE l.account_id = ? AND l.kind IN ('sale', 'online') AND l.amount_fen = ?"
	    " AND l.created_at > UTC_TIMESTAMP(3) - INTERVAL ? SECOND"
	    " AND l.idem_key <> ? ORDER BY l.id DESC LIMIT 1",
	/* a print just asked for by this operator: its place among the
	 * entry's prints (1: the first, the original) */
	[Q_PRINTED] = "SELECT (SELECT COUNT(*) FROM receipt_prints y"
	    "   WHERE y.ledger_id = x.ledger_id AND y.id <= x.id)"
	    " FROM receipt_prints x WHERE x.id = ? AND x.ledger_id = ?"
	    " AND x.operator_id = ? AND x.printed_at > UTC_TIMESTAMP(3) - INTERVAL 10 MINUTE",
};

static const struct field fields[] = {
	{ "account", FT_ID, 1, 0, 0, NULL },
	{ "meter", FT_ID, 1, 0, 0, NULL },
	{ "amount", FT_MONEY, 1, 1, 0, NULL },
	{ "idem", FT_TEXT, 1, 0, 64, NULL },
	{ "confirm", FT_BOOL, 0, 0, 0, NULL },
	{ "dupcheck", FT_BOOL, 0, 0, 0, NULL },
	{ "dup_ok", FT_BOOL, 0, 0, 0, NULL },
};
enum {
	S_ACCOUNT, S_METER, S_AMOUNT, S_IDEM, S_CONFIRM, S_DUPCHECK, S_DUPOK, S_N
};

/* A second sale of the same amount to one account within this many
 * seconds is asked about first (two tabs, one sale twice). */
#define DUP_WINDOW_S 300

/* The account, its meters, money and commands in flight into the HDF. */
int
show_account(struct req *r, int64_t id)
{
	struct dbres *res;
	int64_t money;
	char buf[32];

	if ((res = db_query(r->db, q[Q_ACCOUNT], "l", id)) == NULL)
		return -1;
	if (!web_row(r, "Account", res)) {
		db_res_free(res);
		return 0;
	}
	db_res_free(res);
	if ((res = db_query(r->db, q[Q_METERS], "sl", web_tz(r), id)) == NULL)
		return -1;
	web_rows(r, "Meters", res);
	db_res_free(res);
	web_money_col(r, "Meters", "remaining_fen", "remaining");
	if ((res = db_query(r->db, q[Q_PENDING], "l", id)) == NULL)
		return -1;
	web_rows(r, "Pending", res);
	db_res_free(res);
	web_money_col(r, "Pending", "amount_fen", "amount");
	web_cmd_error_col(r, "Pending", "error", "error_text");
	if (ledger_account_money(r->db, id, &money) == -1)
		return -1;
	hdf_set_value(r->hdf, "Account.money", money_format(money, buf,
	    sizeof(buf)));
	hdf_set_value(r->hdf, "Account.cap", money_format(web_setting(r,
	    "hoard_cap_fen"), buf, sizeof(buf)));
	return 1;
}

/* Sell and refund share the form: what differs is here. */
struct mode {
	const char *name;	/* "sell" or "refund": path, titles, log */
	const char *kind;	/* LK_SALE or LK_REFUND */
	int sign;		/* +1 credit, -1 debit */
	int fresh;		/* a debit needs a read this recent (s) */
};
static const struct mode sell_mode = { "sell", LK_SALE, 1, 0 };
static const struct mode refund_mode = { "refund", LK_REFUND, -1, 600 };

static int money_form(struct req *, const struct mode *);

/* 1 when an idempotency key can go into a URL as it is. */
static int
safe_key(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* The same sale a moment ago into Dup.*: 1, 0 none, -1 error. */
static int
dup_sale(struct req *r, int64_t account, int64_t amount, const char *idem)
{
	struct dbres *res = db_query(r->db, q[Q_DUP], "ssllls", web_tz(r),
	    web_tz(r), account, amount, (int64_t)DUP_WINDOW_S, idem);
	int found;

	if (res == NULL)
		return -1;
	found = web_row(r, "Dup", res);
	db_res_free(res);
	return found;
}

int
money_form_new(struct req *r, int64_t account)
{
	char tok[65];
	int rc;

	if ((rc = show_account(r, account)) != 1)
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

	if (!account->set || (rc = show_account(r, account->i)) == 0)
		return web_fail(r, 404, "err.not_found");
	if (rc == -1)
		return -1;
	if (strcmp(hdf_get_value(r->hdf, "Account.status", ""), "open") != 0)
		*nerr += form_error(r, "amount", "account_closed");
	return 1;
}

int
page_sell(struct req *r)
{
	return money_form(r, &sell_mode);
}

int
page_refund(struct req *r)
{
	return money_form(r, &refund_mode);
}

static int
money_form(struct req *r, const struct mode *m)
{
	struct fval v[S_N];
	int64_t account = web_query_id(r, "account"), id;
	const char *why;
	char buf[160], obj[64];
	int rc, nerr;
	/* the confirmation's own page: a GET */
	int review = !r->is_post && strcmp(web_query(r, "review", ""), "1") == 0;

	hdf_set_value(r->hdf, "Mode.name", m->name);
	web_render(r, "sell.cs");
	if (!r->is_post && !review) {
		char qs[256];

		web_search(r, "q", qs, sizeof(qs));
		hdf_set_value(r->hdf, "Filter.q", web_query(r, "q", ""));
		if (*qs) {
			struct dbres *res = db_query(r->db, q[Q_FIND], "s", qs);
			long n;

			if (res == NULL)
				return -1;
			n = web_rows(r, "Found", res);
			db_res_free(res);
			/* one match: straight to its form */
			if (n == 1 && account == 0)
				account = hdf_get_int_value(r->hdf, "Found.0.id", 0);
		}
		return account == 0 ? 0 : money_form_new(r, account);
	}
	nerr = form_check(r, fields, S_N, v);
	if ((rc = money_form_account(r, &v[S_ACCOUNT], &nerr)) != 1)
		return rc;
	if (nerr)
		return 0;
	/* a GET only ever shows the confirmation; it never writes */
	if (review)
		v[S_CONFIRM].i = 0;
	else if (!v[S_CONFIRM].i && safe_key(v[S_IDEM].s)) {
		/* the confirmation is a page of its own (GET), so that Back
		 * from the sale returns to it without resubmitting a form */
		web_redirect(r, "/%s?review=1&account=%lld&meter=%lld&amount=%s"
		    "&idem=%s", m->name, (long long)v[S_ACCOUNT].i,
		    (long long)v[S_METER].i, money_format(v[S_AMOUNT].i, buf,
		    sizeof(buf)), v[S_IDEM].s);
		return 0;
	}
	if (m->sign > 0 && (!v[S_CONFIRM].i || (v[S_DUPCHECK].i &&
	    !v[S_DUPOK].i))) {
		/* the confirmation asks again when the same sale was just made */
		if ((rc = dup_sale(r, v[S_ACCOUNT].i, v[S_AMOUNT].i,
		    v[S_IDEM].s)) == -1)
			return -1;
		if (rc == 1)
			v[S_CONFIRM].i = 0;
	}
	if (!v[S_CONFIRM].i) {
		/* the confirmation names the account, the meter and the amount */
		hdf_set_value(r->hdf, "Confirm.amount", money_format(v[S_AMOUNT].i,
		    buf, sizeof(buf)));
		hdf_set_value(r->hdf, "Confirm.capital", money_capital(
		    v[S_AMOUNT].i, buf, sizeof(buf)));
		web_render(r, "sell-confirm.cs");
		return 0;
	}
	if (m->sign < 0 && approvals_needed(r->db, "refund")) {
		/* B8: checked now, sent when a second operator approves */
		int64_t money, age, aid;
		struct actor who;

		if (ledger_meter_money(r->db, v[S_METER].i, &money, &age) == -1)
			return -1;
		if (age < 0 || age > m->fresh) {
			form_error(r, "amount", LEDGER_NOT_FRESH);
			return 0;
		}
		if (v[S_AMOUNT].i > money) {
			form_error(r, "amount", LEDGER_TOO_MUCH);
			return 0;
		}
		if ((aid = approvals_request(r->db, web_actor(r, &who), "refund",
		    v[S_ACCOUNT].i, v[S_METER].i, -v[S_AMOUNT].i, 0, NULL, NULL,
		    v[S_IDEM].s)) == -1)
			return -1;
		web_redirect(r, "/approvals?ok=requested");
		return 0;
	}
	{
		struct entry e = { .account_id = v[S_ACCOUNT].i,
		    .meter_id = v[S_METER].i, .kind = m->kind,
		    .amount = m->sign * v[S_AMOUNT].i, .operator_id = r->sess->op_id,
		    .idem_key = v[S_IDEM].s, .fresh = m->fresh,
		    .cap = web_setting(r, "hoard_cap_fen") };

		rc = ledger_issue(r->db, &e, &id, &why);
	}
	if (rc == -1)
		return -1;
	if (rc == 2) {
		form_error(r, strcmp(why, LEDGER_NOT_ACCOUNTS) == 0 ? "meter" :
		    "amount", why);
		return 0;
	}
	if (rc == 1) {
		char *after;

		snprintf(obj, sizeof(obj), "ledger:%lld", (long long)id);
		after = oplog_json("account", web_query(r, "account", ""),
		    "meter", web_query(r, "meter", ""), "amount",
		    money_format(v[S_AMOUNT].i, buf, sizeof(buf)), NULL);
		web_log(r, m->sign > 0 ? "sale.create" : "refund.create", obj,
		    NULL, after);
		free(after);
	}
	/* a repeat (rc 0) shows the first sale: the same page, nothing new */
	web_redirect(r, "/sale?id=%lld", (long long)id);
	return 0;
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

static int
has_right(struct req *r, int right)
{
	return staff_has(r, right);
}

/* 1 when the operator may see the loaded entry, else 0 with a 403 page
 * naming the right of its kind. */
static int
entry_allowed(struct req *r)
{
	const char *kind = hdf_get_value(r->hdf, "Entry.kind", "");
	const char *orig = hdf_get_value(r->hdf, "Entry.orig_kind", "");
	int first = 12;
	char key[32];

	if (has_right(r, 12))
		return 1;
	for (size_t i = 0; i < sizeof(kind_rights) / sizeof(kind_rights[0]);
	    i++) {
		if (strcmp(kind_rights[i].kind, kind) != 0)
			continue;
		first = kind_rights[i].rights[0];
		for (int j = 0; j < 4 && kind_rights[i].rights[j]; j++)
			if (has_right(r, kind_rights[i].rights[j]))
				return 1;
	}
	/* a reversal also to those who query what it reverses */
	if (strcmp(kind, "reversal") == 0 && (((strcmp(orig, "sale") == 0 ||
	    strcmp(orig, "online") == 0) && has_right(r, 18)) ||
	    (strcmp(orig, "refund") == 0 && has_right(r, 20))))
		return 1;
	web_fail(r, 403, "err.no_right");
	snprintf(key, sizeof(key), "right.%s", right_codes[first]);
	hdf_set_value(r->hdf, "Error.right", right_codes[first]);
	hdf_set_value(r->hdf, "Error.right_name", web_lang(r, key));
	return 0;
}

static int
load_entry(struct req *r, int64_t id)
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

int
page_sale(struct req *r)
{
	int64_t id = web_query_id(r, "id");
	char tok[65];
	int rc;

	if (id == 0 || (rc = load_entry(r, id)) == 0)
		return web_fail(r, 404, "err.not_found");
	if (rc == -1 || crypto_random_hex(16, tok) == -1)
		return -1;
	if (!entry_allowed(r))
		return 0;
	/* the reversal form's own idempotency key */
	if (hdf_get_value(r->hdf, "Form.idem", NULL) == NULL)
		hdf_set_value(r->hdf, "Form.idem", tok);
	hdf_set_value(r->hdf, "Page.ok", web_query(r, "ok", ""));
	web_render(r, "sale.cs");
	return 0;
}

/*
 * The receipt: a GET shows it (marked as a copy once it was printed); the
 * print button posts, which records the print and shows it through
 * ?print=ID, marked as a copy unless it is the entry's first print.
 */
int
page_receipt(struct req *r)
{
	int64_t id = web_query_id(r, "id"), prints = 0, nth = 0;
	int64_t pid = web_query_id(r, "print");
	int rc;

	if (id == 0 || (rc = load_entry(r, id)) == 0)
		return web_fail(r, 404, "err.not_found");
	if (rc == -1)
		return -1;
	if (!entry_allowed(r))
		return 0;
	if (r->is_post) {
		char obj[64];

		if (db_value(r->db, &prints, q[Q_PRINTS], "l", id) == -1 ||
		    db_exec(r->db, q[Q_PRINT], "ll", id, r->sess->op_id) == -1)
			return -1;
		pid = (int64_t)db_last_id(r->db);
		snprintf(obj, sizeof(obj), "ledger:%lld", (long long)id);
		web_log(r, prints ? "receipt.reprint" : "receipt.print", obj,
		    NULL, NULL);
		web_redirect(r, "/receipt?id=%lld&print=%lld", (long long)id,
		    (long long)pid);
		return 0;
	}
	if (pid && db_value(r->db, &nth, q[Q_PRINTED], "lll", pid, id,
	    r->sess->op_id) == -1)
		return -1;
	if (nth > 0) {
		/* the print just asked for */
		hdf_set_int_value(r->hdf, "Receipt.copy", nth > 1);
		hdf_set_int_value(r->hdf, "Receipt.printing", 1);
	} else {
		if (db_value(r->db, &prints, q[Q_PRINTS], "l", id) == -1)
			return -1;
		hdf_set_int_value(r->hdf, "Receipt.copy", prints > 0);
	}
	web_render(r, "receipt.cs");
	return 0;
}
