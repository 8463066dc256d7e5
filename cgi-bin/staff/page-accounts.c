/* page-accounts.c - F11 open an account with its meters, F12 opening records, one account's page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "crypto.h"
#include "db.h"
#include "ledger.h"
#include "money.h"
#include "money-forms.h"
#include "pages.h"
#include "valid.h"

enum { Q_LIST, Q_GET, Q_METERS, Q_ENTRIES, Q_PENDING, Q_TIER };
static const char *const q[] = {
	/* a tiered account's consumption this month and the tier sent */
	[Q_TIER] = "SELECT MAX(ts.tier) + 1 AS tier, SUM(GREATEST(COALESCE(s.energy, 0)"
	    " - ts.base_energy, 0)) AS used, MAX(v.tiers) AS tiers,"
	    " DATE_FORMAT(MAX(ts.month), '%Y-%m') AS month FROM tier_state ts"
	    " JOIN tariff_versions v ON v.id = ts.version_id"
	    " LEFT JOIN meter_state s ON s.meter_id = ts.meter_id"
	    " JOIN (SELECT ? AS tz) p WHERE ts.account_id = ?"
	    " AND ts.month = DATE_FORMAT(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', p.tz), '%Y-%m-01')"
	    " HAVING COUNT(*) > 0",
	[Q_LIST] = "SELECT a.id, a.holder, a.holder_no, a.phone, a.status,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room,"
	    " (SELECT GROUP_CONCAT(m.number ORDER BY m.number SEPARATOR ' ')"
	    "   FROM account_meters x JOIN meters m ON m.id = x.meter_id"
	    "   WHERE x.account_id = a.id AND x.active = 1) AS meters,"
	    " DATE_FORMAT(CONVERT_TZ(a.opened_at, '+00:00', p.tz), '%Y-%m-%d %H:%i') AS opened,"
	    " COALESCE(o.login, '') AS opened_by, COUNT(*) OVER () AS total"
	    " FROM accounts a LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id"
	    " LEFT JOIN operators o ON o.id = a.opened_by"
	    " JOIN (SELECT ? AS q, ? AS st, ? AS b, ? AS d1, ? AS d2, ? AS s, ? AS tz) p"
	    " WHERE (p.q = '' OR INSTR(a.holder, p.q) > 0"
	    "   OR a.holder_no = p.q OR a.phone = p.q OR r.number = p.q"
	    "   OR EXISTS (SELECT 1 FROM account_meters x JOIN meters m ON m.id = x.meter_id"
	    "     WHERE x.account_id = a.id AND m.number = p.q))"
	    " AND (p.st = '' OR a.status = p.st) AND (p.b = 0 OR r.building_id + 0 = p.b)"
	    " AND (p.d1 = '' OR a.opened_at >= CONVERT_TZ(p.d1, p.tz, '+00:00'))"
	    " AND (p.d2 = '' OR a.opened_at < CONVERT_TZ(p.d2, p.tz, '+00:00') + INTERVAL 1 DAY)"
	    " ORDER BY CASE WHEN p.s = 1 THEN a.opened_at END,"
	    " CASE WHEN p.s = -1 THEN a.opened_at END DESC,"
	    " CASE WHEN p.s = 2 THEN a.holder END, CASE WHEN p.s = -2 THEN a.holder END DESC,"
	    " CASE WHEN p.s = 3 THEN LPAD(r.number, 16, '0') END,"
	    " CASE WHEN p.s = -3 THEN LPAD(r.number, 16, '0') END DESC,"
	    " a.id DESC LIMIT ? OFFSET ?",
	[Q_GET] = "SELECT a.id, a.holder, a.holder_no, a.phone, a.status,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room,"
	    " DATE_FORMAT(CONVERT_TZ(a.opened_at, '+00:00', ?), '%Y-%m-%d %H:%i') AS opened"
	    " FROM accounts a LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id WHERE a.id = ?",
	[Q_METERS] = "SELECT m.id, m.number, s.remaining_fen, s.purchase_count,"
	    " s.relay_closed, s.lost,"
	    " DATE_FORMAT(CONVERT_TZ(s.read_at, '+00:00', ?), '%Y-%m-%d %H:%i') AS read_at"
	    " FROM account_meters x JOIN meters m ON m.id = x.meter_id"
	    " LEFT JOIN meter_state s ON s.meter_id = m.id"
	    " WHERE x.account_id = ? AND x.active = 1 ORDER BY m.number",
	[Q_ENTRIES] = "SELECT l.id, l.kind, l.amount_fen, m.number AS meter,"
	    " COALESCE(o.login, '') AS who, l.channel, COALESCE(c.status, '') AS status,"
	    " DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', ?), '%Y-%m-%d %H:%i:%s') AS at"
	    " FROM ledger l JOIN meters m ON m.id = l.meter_id"
	    " LEFT JOIN operators o ON o.id = l.operator_id"
	    " LEFT JOIN commands c ON c.id = l.command_id"
	    " WHERE l.account_id = ? ORDER BY l.id DESC LIMIT 100",
	[Q_PENDING] = "SELECT COUNT(*) FROM commands c JOIN account_meters x"
	    " ON x.meter_id = c.meter_id AND x.active = 1"
	    " WHERE x.account_id = ? AND c.status IN ('queued', 'sent', 'waiting')",
};

static const char *const sortkeys[] = { "opened", "holder", "room", NULL };

int
page_accounts(struct req *r)
{
	struct actor who;
	struct list l;
	struct dbres *res;
	const char *qs = web_query(r, "q", "");
	const char *st = web_query(r, "status", "");
	const char *d1, *d2;
	int64_t b = web_query_id(r, "building");
	static const char *const heads[] = { "col.holder", "col.holder_no",
	    "col.phone", "col.building", "col.room", "col.meters", "col.status",
	    "col.opened", "col.op_name" };
	static const char *const cols[] = { "holder", "holder_no", "phone",
	    "building", "room", "meters", "status:label.account",
	    "opened:datetime", "opened_by" };

	if (ledger_close_all(r->db, web_actor(r, &who)) == -1)
		return -1;
	if (strcmp(st, "open") && strcmp(st, "closed") && strcmp(st, "closing"))
		st = "";
	web_dates(r, &d1, &d2);
	web_list(r, sortkeys, "-opened", &l);
	hdf_set_value(r->hdf, "Filter.q", qs);
	hdf_set_value(r->hdf, "Filter.status", st);
	hdf_set_int_value(r->hdf, "Filter.building", (int)b);
	res = db_query(r->db, q[Q_LIST], "sslssisll", qs, st, b, d1, d2, l.sort,
	    web_tz(r), (int64_t)l.per, (int64_t)l.offset);
	if (web_list_out(r, &l, res, "accounts", heads, cols, 9,
	    "accounts.cs") == -1)
		return -1;
	return l.export ? 0 : web_buildings(r);
}

static const struct field fields[] = {
	{ "holder", FT_TEXT, 1, 0, 32, NULL },
	{ "holder_no", FT_TEXT, 0, 0, 32, NULL },
	{ "phone", FT_PHONE, 0, 0, 0, NULL },
	{ "building_id", FT_ID, 1, 0, 0, NULL },
	{ "room", FT_TEXT, 1, 0, 16, NULL },
	{ "meters", FT_TEXT, 0, 0, 200, NULL },
	{ "first", FT_MONEY, 0, 1, 0, NULL },
	{ "idem", FT_TEXT, 1, 0, 64, NULL },
};
enum { A_HOLDER, A_NO, A_PHONE, A_BUILDING, A_ROOM, A_METERS, A_FIRST,
    A_IDEM, A_N };

/* The same form again (double click, back and resubmit): the first
 * result, with what the first did not finish of the meters' money. */
static int
open_again(struct req *r, int64_t id, const char *idem, int confirm)
{
	struct accounts_choice c[ACCOUNTS_MAX_METERS];
	int64_t ids[ACCOUNTS_MAX_METERS];
	const char *refusal = NULL;
	struct actor who;
	int n;

	if ((n = accounts_meters(r->db, id, ids)) == -1)
		return -1;
	money_form_choices(r, ids, n, c);
	if (confirm && accounts_money_book(r->db, web_actor(r, &who), id, ids, c,
	    n, idem, &refusal) == -1)
		return -1;
	web_redirect(r, "/account?id=%lld", (long long)id);
	return 0;
}

/* The room and its meters (those named, or else the room's own), when the
 * form has no errors (NERR) so far: the number of errors, or -1. */
static int
open_meters(struct req *r, const struct fval *v, int nerr, int64_t *room,
    int64_t *ids, int *n)
{
	char meters[256];
	const char *why = NULL;
	int rc;

	if (v[A_BUILDING].set && v[A_ROOM].set && accounts_room(r->db,
	    v[A_BUILDING].i, v[A_ROOM].s, room) != 1)
		nerr += form_error(r, "room", "room_not_found");
	if (!v[A_METERS].set && *room) {
		if (accounts_room_meters(r->db, v[A_BUILDING].i, v[A_ROOM].s,
		    meters, sizeof(meters)) == -1)
			return -1;
		hdf_set_value(r->hdf, "Form.meters", meters);
	} else
		snprintf(meters, sizeof(meters), "%s", v[A_METERS].s);
	if (nerr)
		return nerr;
	if ((rc = accounts_parse_meters(r->db, meters, ids, n, &why)) == 1)
		return form_error(r, "meters", why);
	return rc;
}

/* Once open: the money found on the meters cleared or carried over, once,
 * then the first purchase if any; where to go next. */
static int
open_done(struct req *r, const struct fval *v, int64_t id, const int64_t *ids,
    const struct accounts_choice *c, int n)
{
	struct actor who;
	const char *why = NULL, *refusal = NULL;
	char idem[80];
	int64_t sale = 0;
	int rc;

	web_actor(r, &who);
	if ((rc = accounts_money_book(r->db, &who, id, ids, c, n, v[A_IDEM].s,
	    &refusal)) == -1)
		return -1;
	if (rc == 1) {
		web_redirect(r, "/account?id=%lld&ok=opened&money=%s",
		    (long long)id, refusal ? refusal : "internal");
		return 0;
	}
	snprintf(idem, sizeof(idem), "%s:first", v[A_IDEM].s);
	if (v[A_FIRST].set && (rc = accounts_first_sale(r->db, &who, id, ids[0],
	    v[A_FIRST].i, web_setting(r, "hoard_cap_fen"), idem, &sale,
	    &why)) == 1) {
		web_redirect(r, "/sale?id=%lld", (long long)sale);
		return 0;
	}
	/* the account is open; the first purchase was not made: say why */
	if (v[A_FIRST].set && why != NULL)
		web_redirect(r, "/account?id=%lld&ok=opened&first=%s",
		    (long long)id, why);
	else
		web_redirect(r, "/account?id=%lld&ok=opened", (long long)id);
	return 0;
}

int
page_account_open(struct req *r)
{
	struct fval v[A_N];
	struct accounts_choice c[ACCOUNTS_MAX_METERS];
	struct accounts_found f[ACCOUNTS_MAX_METERS];
	int64_t room = 0, id = 0, ids[ACCOUNTS_MAX_METERS], rq;
	int n = 0, nerr, choices = 0, confirm, rc;
	struct accounts_new a;
	struct actor who;
	char tok[65];

	web_render(r, "account-open.cs");
	if (web_buildings(r) == -1)
		return -1;
	if (!r->is_post) {
		if (crypto_random_hex(16, tok) == -1)
			return -1;
		hdf_set_value(r->hdf, "Form.idem", tok);
		return 0;
	}
	nerr = form_check(r, fields, A_N, v);
	confirm = strcmp(web_query(r, "confirm", ""), "1") == 0 &&
	    !*web_query(r, "edit", "");
	if (v[A_IDEM].set && accounts_by_idem(r->db, v[A_IDEM].s, &id) == 1)
		return open_again(r, id, v[A_IDEM].s, confirm);
	if ((nerr = open_meters(r, v, nerr, &room, ids, &n)) == -1)
		return -1;
	/* "read now" on the form: a read is asked for, the form stays */
	if ((rq = web_query_id(r, "read")) != 0)
		for (int i = 0; i < n; i++)
			if (ids[i] == rq) {
				if (accounts_read_ask(r->db, rq) == -1)
					return -1;
				hdf_set_int_value(r->hdf, "Page.read_asked", 1);
			}
	/* the money on each meter: shown, and a choice for each */
	money_form_choices(r, ids, n, c);
	if (!nerr && n > 0) {
		if ((rc = accounts_found(r->db, web_tz(r), 0, room, ids, n, c,
		    confirm, f, &choices)) == -1)
			return -1;
		money_form_found(r, f, n);
		nerr += rc;
	}
	if (v[A_FIRST].set && v[A_FIRST].i > web_setting(r, "hoard_cap_fen"))
		nerr += form_error(r, "first", "over_cap");
	/* refused (its meter now open): the same form, posted twice at once,
	 * may have opened the account meanwhile */
	if (nerr && v[A_IDEM].set &&
	    accounts_by_idem(r->db, v[A_IDEM].s, &id) == 1)
		return open_again(r, id, v[A_IDEM].s, confirm);
	if (nerr || rq || *web_query(r, "edit", ""))
		return 0;
	/* the choices restated in figures before anything is written */
	if (choices && !confirm) {
		hdf_set_int_value(r->hdf, "Confirm.show", 1);
		return 0;
	}
	a = (struct accounts_new){ v[A_HOLDER].s, v[A_NO].s, v[A_PHONE].s, room,
	    v[A_IDEM].s, ids, n, NULL };
	a.form = web_json_form(fields, A_N, v);
	rc = accounts_open(r->db, web_actor(r, &who), &a, &id);
	free((char *)a.form);
	if (rc == -1)
		return -1;
	if (rc == 2) {
		web_redirect(r, "/account?id=%lld", (long long)id);
		return 0;
	}
	if (rc == 0) {
		hdf_set_int_value(r->hdf, "Confirm.show", 0);
		form_error(r, "meters", "meter_taken");
		return 0;
	}
	return open_done(r, v, id, ids, c, n);
}

int
page_account(struct req *r)
{
	struct actor who;
	int64_t id = web_query_id(r, "id"), money = 0, pending = 0;
	char buf[32];
	int rc;

	if (id == 0)
		return web_fail(r, 404, "err.not_found");
	ledger_close_step(r->db, web_actor(r, &who), id);
	if ((rc = web_query_row(r, "Account", q[Q_GET], "sl", web_tz(r), id)) != 1)
		return rc == 0 ? web_fail(r, 404, "err.not_found") : -1;
	if (web_query_rows(r, "Meters", q[Q_METERS], "sl", web_tz(r), id) == -1)
		return -1;
	web_money_col(r, "Meters", "remaining_fen", "remaining");
	if (web_query_rows(r, "Entries", q[Q_ENTRIES], "sl", web_tz(r),
	    id) == -1)
		return -1;
	web_money_col(r, "Entries", "amount_fen", "amount");
	if ((rc = web_query_row(r, "Tier", q[Q_TIER], "sl", web_tz(r), id)) == -1)
		return -1;
	if (rc == 1)
		hdf_set_value(r->hdf, "Tier.kwh", decimal_format(strtoll(
		    hdf_get_value(r->hdf, "Tier.used", "0"), NULL, 10), 2, buf,
		    sizeof(buf)));
	if (ledger_account_money(r->db, id, &money) == -1 ||
	    db_value(r->db, &pending, q[Q_PENDING], "l", id) == -1)
		return -1;
	hdf_set_value(r->hdf, "Account.money", money_format(money, buf,
	    sizeof(buf)));
	hdf_set_int_value(r->hdf, "Account.pending", (int)pending);
	hdf_set_value(r->hdf, "Page.ok", web_query(r, "ok", ""));
	hdf_set_value(r->hdf, "Page.first", web_query(r, "first", ""));
	hdf_set_value(r->hdf, "Page.money", web_query(r, "money", ""));
	web_render(r, "account.cs");
	/* a read of personal data (ASVS 8.3.5) */
	snprintf(buf, sizeof(buf), "account:%lld", (long long)id);
	web_log(r, "account.view", buf, NULL, NULL);
	return 0;
}
