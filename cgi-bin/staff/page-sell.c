/* page-sell.c - F17 sell: find the account, confirm, one ledger entry and token; progress and receipt. */
#include <ctype.h>
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

enum { Q_FIND, Q_PRINTS, Q_PRINT, Q_PRINTED, Q_DUP };
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

/* Sell and refund share the form: what differs is here. */
struct mode {
	const char *name;	/* "sell" or "refund": path, titles, log */
	const char *kind;	/* LK_SALE or LK_REFUND */
	int sign;		/* +1 credit, -1 debit */
	int fresh;		/* a debit needs a read this recent (s) */
};
static const struct mode sell_mode = { "sell", LK_SALE, 1, 0 };
static const struct mode refund_mode = { "refund", LK_REFUND, -1, 600 };

static int money_form_post(struct req *, const struct mode *);

/* The form of mode M: the POST, then the account's view if the form shows. */
static int
money_form(struct req *r, const struct mode *m)
{
	return money_form_shown(r, money_form_post(r, m));
}

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
page_sell(struct req *r)
{
	return money_form(r, &sell_mode);
}

int
page_refund(struct req *r)
{
	return money_form(r, &refund_mode);
}

/* The first view's search: its matches into Found.*. The account to show
 * (ACCOUNT, else the one match, else 0), -1 on error. */
static int64_t
find_account(struct req *r, int64_t account)
{
	struct dbres *res;
	char qs[256];
	long n;

	web_search(r, "q", qs, sizeof(qs));
	hdf_set_value(r->hdf, "Filter.q", web_query(r, "q", ""));
	if (*qs == '\0')
		return account;
	if ((res = db_query(r->db, q[Q_FIND], "s", qs)) == NULL)
		return -1;
	n = web_rows(r, "Found", res);
	db_res_free(res);
	/* one match: straight to its form */
	if (n == 1 && account == 0)
		account = hdf_get_int_value(r->hdf, "Found.0.id", 0);
	return account;
}

/* The confirmation is a page of its own (GET), so that Back from the sale
 * returns to it without resubmitting a form: 1 when the form went there. */
static int
to_review(struct req *r, const struct mode *m, const struct fval *v)
{
	char buf[32];

	if (!safe_key(v[S_IDEM].s))
		return 0;
	web_redirect(r, "/%s?review=1&account=%lld&meter=%lld&amount=%s"
	    "&idem=%s", m->name, (long long)v[S_ACCOUNT].i,
	    (long long)v[S_METER].i, money_format(v[S_AMOUNT].i, buf,
	    sizeof(buf)), v[S_IDEM].s);
	return 1;
}

/* B8: a refund checked now, sent when a second operator approves: 0 (a
 * refusal next to the amount, or on to the approvals), -1 on error. */
static int
refund_request(struct req *r, const struct mode *m, const struct fval *v)
{
	int64_t money, age;
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
	if (approvals_request(r->db, web_actor(r, &who), "refund",
	    v[S_ACCOUNT].i, v[S_METER].i, -v[S_AMOUNT].i, 0, NULL, NULL,
	    v[S_IDEM].s) == -1)
		return -1;
	web_redirect(r, "/approvals?ok=requested");
	return 0;
}

/* The entry of a confirmed form, logged as a sale or a refund. */
static int
issue(struct req *r, const struct mode *m, const struct fval *v)
{
	struct entry e = { .account_id = v[S_ACCOUNT].i,
	    .meter_id = v[S_METER].i, .kind = m->kind,
	    .amount = m->sign * v[S_AMOUNT].i, .operator_id = r->sess->op_id,
	    .idem_key = v[S_IDEM].s, .fresh = m->fresh,
	    .cap = web_setting(r, "hoard_cap_fen") };
	char buf[32];

	return money_form_issue(r, &e, m->sign > 0 ? "sale.create" :
	    "refund.create", oplog_json("account", web_query(r, "account", ""),
	    "meter", web_query(r, "meter", ""), "amount",
	    money_format(v[S_AMOUNT].i, buf, sizeof(buf)), NULL));
}

static int
money_form_post(struct req *r, const struct mode *m)
{
	struct fval v[S_N];
	int64_t account = web_query_id(r, "account");
	int rc, nerr;
	/* the confirmation's own page: a GET */
	int review = !r->is_post && strcmp(web_query(r, "review", ""), "1") == 0;

	hdf_set_value(r->hdf, "Mode.name", m->name);
	web_render(r, "sell.cs");
	if (!r->is_post && !review) {
		if ((account = find_account(r, account)) == -1)
			return -1;
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
	else if (!v[S_CONFIRM].i && to_review(r, m, v))
		return 0;
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
		money_form_confirm(r, v[S_AMOUNT].i);
		web_render(r, "sell-confirm.cs");
		return 0;
	}
	if (m->sign < 0 && approvals_needed(r->db, "refund"))
		return refund_request(r, m, v);
	return issue(r, m, v);
}

/* An entry's page with its reversal form. */
int
page_sale(struct req *r)
{
	return account_view_entry_page(r);
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

	if ((rc = account_view_entry(r)) != 1)
		return rc;
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
