/* page-accounts.c - F11 open an account with its meters, F12 opening records, one account's page. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "ledger.h"
#include "money.h"
#include "oplog.h"
#include "pages.h"
#include "valid.h"

#define MAX_METERS 8
#define FRESH 600	/* money by a read at most 10 minutes old */

enum {
	Q_LIST, Q_ROOM, Q_METER, Q_IDEM, Q_INSERT, Q_LINK, Q_GET, Q_METERS,
	Q_ENTRIES, Q_PENDING, Q_ROOM_METERS, Q_TIER, Q_MINFO, Q_PREV, Q_KEY,
	Q_READ, Q_LINKED
};
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
	[Q_ROOM] = "SELECT id FROM rooms WHERE building_id = ? AND number = ?",
	/* a meter, and whether an open account holds it already */
	[Q_METER] = "SELECT m.id, m.profile, (SELECT COUNT(*) FROM account_meters x"
	    "   WHERE x.meter_id = m.id AND x.active = 1) FROM meters m WHERE m.number = ?",
	[Q_IDEM] = "SELECT id FROM accounts WHERE idem_key = ?",
	[Q_INSERT] = "INSERT INTO accounts (holder, holder_no, phone, room_id,"
	    " opened_by, idem_key, opened_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())",
	[Q_LINK] = "INSERT INTO account_meters (account_id, meter_id, active,"
	    " open_meter_id) VALUES (?, ?, 1, ?)",
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
	/* a meter at an opening: its number, room, last read, a read asked for */
	[Q_MINFO] = "SELECT m.number, COALESCE(m.room_id, 0), COALESCE(b.name, ''),"
	    " COALESCE(r.number, ''), COALESCE(DATE_FORMAT(CONVERT_TZ(s.read_at, '+00:00', ?),"
	    " '%Y-%m-%d %H:%i'), ''), (SELECT COUNT(*) FROM read_requests rq"
	    "   WHERE rq.meter_id = m.id AND rq.done_at IS NULL)"
	    " FROM meters m LEFT JOIN rooms r ON r.id = m.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id"
	    " LEFT JOIN meter_state s ON s.meter_id = m.id WHERE m.id = ?",
	/* the meter's last account before this one: its previous holder when
	 * that account is closed and let the meter go */
	[Q_PREV] = "SELECT x.account_id, a.holder, a.status = 'closed' AND x.active = 0"
	    " FROM account_meters x JOIN accounts a ON a.id = x.account_id"
	    " WHERE x.meter_id = ? AND x.account_id <> ? ORDER BY x.account_id DESC LIMIT 1",
	[Q_KEY] = "SELECT COUNT(*) FROM ledger WHERE idem_key = ?",
	[Q_READ] = "INSERT INTO read_requests (meter_id) VALUES (?)",
	[Q_LINKED] = "SELECT meter_id FROM account_meters WHERE account_id = ?"
	    " AND active = 1 ORDER BY meter_id LIMIT 8",
	[Q_ROOM_METERS] = "SELECT m.number FROM meters m JOIN rooms r ON r.id = m.room_id"
	    " WHERE r.building_id = ? AND r.number = ? ORDER BY m.number",
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

/* The meter numbers of the form (space or comma separated) as ids. */
static int
parse_meters(struct req *r, const char *s, int64_t *ids, int *n)
{
	char buf[256], *tok, *save = NULL;

	*n = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, " ,，;\t", &save); tok;
	    tok = strtok_r(NULL, " ,，;\t", &save)) {
		struct dbres *res;
		long num;

		if (*n >= MAX_METERS)
			return form_error(r, "meters", "too_many_meters");
		if (valid_int(tok, 1, 4294967295L, &num) != NULL)
			return form_error(r, "meters", "meter_not_found");
		if ((res = db_query(r->db, q[Q_METER], "l", (int64_t)num)) == NULL)
			return -1;
		if (db_next(res) != 1) {
			db_res_free(res);
			return form_error(r, "meters", "meter_not_found");
		}
		if (db_coll(res, 2) > 0) {
			db_res_free(res);
			return form_error(r, "meters", "meter_in_account");
		}
		/* a master meter measures energy only: no money, no account */
		if (strcmp(db_col(res, 1), "ddsy1352nk") != 0) {
			db_res_free(res);
			return form_error(r, "meters", "energy_meter");
		}
		for (int i = 0; i < *n; i++)
			if (ids[i] == db_coll(res, 0)) {
				db_res_free(res);
				return form_error(r, "meters", "dup_meter");
			}
		ids[(*n)++] = db_coll(res, 0);
		db_res_free(res);
	}
	if (*n == 0)
		return form_error(r, "meters", "no_meter");
	return 0;
}

static void
found_set(struct req *r, int i, const char *name, const char *value)
{
	char key[64];

	snprintf(key, sizeof(key), "Found.%d.%s", i, name);
	hdf_set_value(r->hdf, key, value);
}

static void
found_int(struct req *r, int i, const char *name, int64_t value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)value);
	found_set(r, i, name, buf);
}

/* The choice made for meter ID on the form: "clear", "carry", "debt" or "". */
static const char *
found_choice(struct req *r, int64_t id, int64_t money)
{
	char key[48];
	const char *s;

	snprintf(key, sizeof(key), "money_%lld", (long long)id);
	s = web_query(r, key, "");
	if (money > 0 && (strcmp(s, "clear") == 0 || strcmp(s, "carry") == 0))
		return s;
	if (money < 0 && strcmp(s, "debt") == 0)
		return s;
	return "";
}

/* The money the confirmation showed for meter ID, or -1 when none. */
static int
found_confirmed(struct req *r, int64_t id, int64_t *amt)
{
	char key[48];
	long v;

	snprintf(key, sizeof(key), "amt_%lld", (long long)id);
	if (valid_int(web_query(r, key, ""), -2147483647L, 2147483647L, &v) != NULL)
		return -1;
	*amt = v;
	return 0;
}

static int
found_error(struct req *r, int i, int64_t id, const char *key)
{
	char field[32], lkey[64], name[64];

	snprintf(field, sizeof(field), "m%lld", (long long)id);
	snprintf(lkey, sizeof(lkey), "err.%s", key);
	snprintf(name, sizeof(name), "Found.%d.err", i);
	if (hdf_get_value(r->hdf, name, NULL) == NULL)
		hdf_set_value(r->hdf, name, web_lang(r, lkey));
	return form_error(r, field, key);
}

/* The meter's previous, closed account (0: none) and its holder. */
static int
found_prev(struct req *r, int64_t meter, int64_t account, int64_t *prev,
    char *holder, size_t len)
{
	struct dbres *res = db_query(r->db, q[Q_PREV], "ll", meter, account);

	if (res == NULL)
		return -1;
	*prev = 0;
	holder[0] = '\0';
	if (db_next(res) == 1 && db_coll(res, 2) == 1) {
		*prev = db_coll(res, 0);
		snprintf(holder, len, "%s", db_col(res, 1));
	}
	db_res_free(res);
	return 0;
}

int
open_money_check(struct req *r, int64_t acc, int64_t room, const int64_t *ids,
    int n, int confirm, int *choices)
{
	int nerr = 0;

	*choices = 0;
	for (int i = 0; i < n; i++) {
		struct dbres *res;
		int64_t money = 0, age = -1, mroom = 0, prev = 0, amt;
		char buf[32], key[48], holder[128];
		const char *choice;
		int other = 0;

		if (ledger_meter_money(r->db, ids[i], &money, &age) == -1 ||
		    found_prev(r, ids[i], acc, &prev, holder, sizeof(holder)) == -1)
			return -1;
		if ((res = db_query(r->db, q[Q_MINFO], "sl", web_tz(r), ids[i])) == NULL)
			return -1;
		if (db_next(res) == 1) {
			found_set(r, i, "number", db_col(res, 0));
			mroom = db_coll(res, 1);
			found_set(r, i, "room_b", db_col(res, 2));
			found_set(r, i, "room_n", db_col(res, 3));
			found_set(r, i, "read_at", db_col(res, 4));
			found_int(r, i, "reading", db_coll(res, 5));
		}
		db_res_free(res);
		found_int(r, i, "id", ids[i]);
		found_int(r, i, "money_fen", money);
		found_set(r, i, "money", money_format(money, buf, sizeof(buf)));
		found_set(r, i, "debt", money_format(money < 0 ? -money : 0, buf,
		    sizeof(buf)));
		found_int(r, i, "sign", money > 0 ? 1 : money < 0 ? -1 : 0);
		found_int(r, i, "age", age < 0 ? -1 : age / 60);
		found_int(r, i, "prev", prev);
		found_set(r, i, "prev_holder", holder);
		choice = found_choice(r, ids[i], money);
		found_set(r, i, "choice", choice);
		/* another room's meter: asked about, its room left as it is */
		if (mroom && mroom != room) {
			other = 1;
			*choices = 1;
			found_int(r, i, "other", 1);
			snprintf(key, sizeof(key), "other_%lld", (long long)ids[i]);
			if (strcmp(web_query(r, key, ""), "1") == 0)
				found_int(r, i, "other_ok", 1);
		}
		if (money != 0)
			*choices = 1;
		if (age < 0 || (money != 0 && age > FRESH)) {
			found_int(r, i, "read", 1);
			nerr += found_error(r, i, ids[i], age < 0 ?
			    "open_never_read" : "read_not_fresh");
		} else if (money > 0 && !*choice)
			nerr += found_error(r, i, ids[i], "money_choice");
		else if (money < 0 && !*choice)
			nerr += found_error(r, i, ids[i], "open_debt");
		if (other) {
			snprintf(key, sizeof(key), "Found.%d.other_ok", i);
			if (!hdf_get_int_value(r->hdf, key, 0))
				nerr += found_error(r, i, ids[i], "other_room_meter");
		}
		/* the money changed since the confirmation showed it */
		if (confirm && money != 0 && (found_confirmed(r, ids[i], &amt) == -1 ||
		    amt != money))
			nerr += found_error(r, i, ids[i], "money_changed");
	}
	return nerr;
}

int
open_money_book(struct req *r, int64_t acc, const int64_t *ids, int n,
    const char *idem, const char **refusal)
{
	int refused = 0;

	for (int i = 0; i < n; i++) {
		int64_t money = 0, age = -1, amt = 0, prev = 0, lid = 0, done = 0;
		char key[100], holder[128], obj[64], a[32], ac[32], *after;
		const char *choice, *why = NULL;
		struct entry e = { .meter_id = ids[i], .operator_id = r->sess->op_id,
		    .idem_key = key };
		int rc;

		snprintf(key, sizeof(key), "%s:m%lld", idem, (long long)ids[i]);
		if (db_value(r->db, &done, q[Q_KEY], "s", key) == -1)
			return -1;
		if (done)
			continue;
		if (ledger_meter_money(r->db, ids[i], &money, &age) == -1)
			return -1;
		choice = found_choice(r, ids[i], money);
		if (money == 0 || !*choice)
			continue;
		/* exactly the money the confirmation showed, by a fresh read */
		if (found_confirmed(r, ids[i], &amt) == -1 || amt != money ||
		    age < 0 || age > FRESH) {
			*refusal = "money_changed";
			refused = 1;
			continue;
		}
		if (strcmp(choice, "clear") == 0) {
			if (found_prev(r, ids[i], acc, &prev, holder,
			    sizeof(holder)) == -1)
				return -1;
			e.account_id = prev;
			e.kind = LK_CLEAR;
			e.amount = -money;
			e.prior = 1;
			e.fresh = FRESH;
			e.note = "开户清零";
		} else {
			e.account_id = acc;
			e.kind = LK_CARRY;
			e.amount = money;
			e.no_token = 1;
			e.note = "期初结转";
		}
		if ((rc = ledger_issue(r->db, &e, &lid, &why)) == -1)
			return -1;
		if (rc == 2) {
			*refusal = why;
			refused = 1;
			continue;
		}
		snprintf(obj, sizeof(obj), "ledger:%lld", (long long)lid);
		snprintf(ac, sizeof(ac), "%lld", (long long)acc);
		after = oplog_json("kind", e.kind, "account", ac, "amount_fen",
		    decimal_format(e.amount, 0, a, sizeof(a)), NULL);
		web_log(r, "account.open_money", obj, NULL, after);
		free(after);
	}
	return refused;
}

struct open_tx {
	int64_t op;
	const struct fval *v;
	int64_t room;
	const int64_t *ids;
	int n;
	int64_t id;		/* the new account */
};

/* The account and its meters, together. */
static int
open_tx(struct db *db, void *arg)
{
	struct open_tx *t = arg;
	const struct fval *v = t->v;

	if (db_exec(db, q[Q_INSERT], "ssslls", v[A_HOLDER].s, v[A_NO].s,
	    v[A_PHONE].s, t->room, t->op, v[A_IDEM].s) == -1)
		return -1;
	t->id = (int64_t)db_last_id(db);
	for (int i = 0; i < t->n; i++)
		if (db_exec(db, q[Q_LINK], "lll", t->id, t->ids[i], t->ids[i]) == -1)
			return -1;
	return 0;
}

int
page_account_open(struct req *r)
{
	struct fval v[A_N];
	int64_t room = 0, id = 0, ids[MAX_METERS], sale, rq;
	int n = 0, nerr, choices = 0, confirm, rc;
	struct open_tx t;
	char obj[64], idem[80], meters[256];
	char *after;
	const char *why = NULL, *refusal = NULL;

	web_render(r, "account-open.cs");
	if (web_buildings(r) == -1)
		return -1;
	if (!r->is_post) {
		char tok[65];

		if (crypto_random_hex(16, tok) == -1)
			return -1;
		hdf_set_value(r->hdf, "Form.idem", tok);
		return 0;
	}
	nerr = form_check(r, fields, A_N, v);
	confirm = strcmp(web_query(r, "confirm", ""), "1") == 0 &&
	    !*web_query(r, "edit", "");
	/* the same form again (double click, back and resubmit): the first
	 * result, with what the first did not finish of the meters' money */
	if (v[A_IDEM].set && db_value(r->db, &id, q[Q_IDEM], "s", v[A_IDEM].s) == 1) {
		struct dbres *res = db_query(r->db, q[Q_LINKED], "l", id);

		if (res == NULL)
			return -1;
		while (db_next(res) == 1 && n < MAX_METERS)
			ids[n++] = db_coll(res, 0);
		db_res_free(res);
		if (confirm && open_money_book(r, id, ids, n, v[A_IDEM].s,
		    &refusal) == -1)
			return -1;
		web_redirect(r, "/account?id=%lld", (long long)id);
		return 0;
	}
	if (v[A_BUILDING].set && v[A_ROOM].set && db_value(r->db, &room,
	    q[Q_ROOM], "ls", v[A_BUILDING].i, v[A_ROOM].s) != 1)
		nerr += form_error(r, "room", "room_not_found");
	/* no meters named: the room's own meters */
	meters[0] = '\0';
	if (!v[A_METERS].set && room) {
		struct dbres *res = db_query(r->db, q[Q_ROOM_METERS], "ls",
		    v[A_BUILDING].i, v[A_ROOM].s);

		while (res && db_next(res) == 1)
			snprintf(meters + strlen(meters), sizeof(meters) -
			    strlen(meters), "%s ", db_col(res, 0));
		db_res_free(res);
		hdf_set_value(r->hdf, "Form.meters", meters);
	} else
		snprintf(meters, sizeof(meters), "%s", v[A_METERS].s);
	if (!nerr && (nerr = parse_meters(r, meters, ids, &n)) == -1)
		return -1;
	/* "read now" on the form: a read is asked for, the form stays */
	if ((rq = web_query_id(r, "read")) != 0)
		for (int i = 0; i < n; i++)
			if (ids[i] == rq) {
				if (db_exec(r->db, q[Q_READ], "l", rq) == -1)
					return -1;
				hdf_set_int_value(r->hdf, "Page.read_asked", 1);
			}
	/* the money on each meter: shown, and a choice for each */
	if (!nerr && n > 0) {
		if ((rc = open_money_check(r, 0, room, ids, n, confirm,
		    &choices)) == -1)
			return -1;
		nerr += rc;
	}
	if (v[A_FIRST].set && v[A_FIRST].i > web_setting(r, "hoard_cap_fen"))
		nerr += form_error(r, "first", "over_cap");
	if (nerr || rq || *web_query(r, "edit", ""))
		return 0;
	/* the choices restated in figures before anything is written */
	if (choices && !confirm) {
		hdf_set_int_value(r->hdf, "Confirm.show", 1);
		return 0;
	}
	t = (struct open_tx){ r->sess->op_id, v, room, ids, n, 0 };
	if (db_tx(r->db, open_tx, &t) == 0)
		id = t.id;
	else if (db_errno(r->db) == DB_ER_DUP_ENTRY) {
		/* the same form again, or a meter taken meanwhile */
		if (db_value(r->db, &id, q[Q_IDEM], "s", v[A_IDEM].s) == 1) {
			web_redirect(r, "/account?id=%lld", (long long)id);
			return 0;
		}
		hdf_set_int_value(r->hdf, "Confirm.show", 0);
		form_error(r, "meters", "meter_taken");
		return 0;
	} else
		return -1;
	snprintf(obj, sizeof(obj), "account:%lld", (long long)id);
	after = web_json_form(fields, A_N, v);
	web_log(r, "account.open", obj, NULL, after);
	free(after);
	/* the money found on the meters: cleared or carried over, once */
	if ((rc = open_money_book(r, id, ids, n, v[A_IDEM].s, &refusal)) == -1)
		return -1;
	if (rc == 1) {
		web_redirect(r, "/account?id=%lld&ok=opened&money=%s",
		    (long long)id, refusal ? refusal : "internal");
		return 0;
	}
	if (v[A_FIRST].set) {
		struct entry e = { .account_id = id, .meter_id = ids[0],
		    .kind = LK_SALE, .amount = v[A_FIRST].i,
		    .operator_id = r->sess->op_id, .idem_key = idem,
		    .cap = web_setting(r, "hoard_cap_fen") };

		snprintf(idem, sizeof(idem), "%s:first", v[A_IDEM].s);
		if (ledger_issue(r->db, &e, &sale, &why) == 1) {
			char a[32];

			snprintf(obj, sizeof(obj), "ledger:%lld", (long long)sale);
			after = oplog_json("account", obj, "amount_fen",
			    decimal_format(e.amount, 0, a, sizeof(a)), NULL);
			web_log(r, "sale.create", obj, NULL, after);
			free(after);
			web_redirect(r, "/sale?id=%lld", (long long)sale);
			return 0;
		}
		/* the account is open; the first purchase was not made: say why */
		if (why != NULL) {
			web_redirect(r, "/account?id=%lld&ok=opened&first=%s",
			    (long long)id, why);
			return 0;
		}
	}
	web_redirect(r, "/account?id=%lld&ok=opened", (long long)id);
	return 0;
}

int
page_account(struct req *r)
{
	struct actor who;
	int64_t id = web_query_id(r, "id"), money = 0, pending = 0;
	struct dbres *res;
	char buf[32];

	if (id == 0)
		return web_fail(r, 404, "err.not_found");
	ledger_close_step(r->db, web_actor(r, &who), id);
	if ((res = db_query(r->db, q[Q_GET], "sl", web_tz(r), id)) == NULL)
		return -1;
	if (!web_row(r, "Account", res)) {
		db_res_free(res);
		return web_fail(r, 404, "err.not_found");
	}
	db_res_free(res);
	if ((res = db_query(r->db, q[Q_METERS], "sl", web_tz(r), id)) == NULL)
		return -1;
	web_rows(r, "Meters", res);
	db_res_free(res);
	web_money_col(r, "Meters", "remaining_fen", "remaining");
	if ((res = db_query(r->db, q[Q_ENTRIES], "sl", web_tz(r), id)) == NULL)
		return -1;
	web_rows(r, "Entries", res);
	db_res_free(res);
	web_money_col(r, "Entries", "amount_fen", "amount");
	if ((res = db_query(r->db, q[Q_TIER], "sl", web_tz(r), id)) == NULL)
		return -1;
	if (web_row(r, "Tier", res))
		hdf_set_value(r->hdf, "Tier.kwh", decimal_format(strtoll(
		    hdf_get_value(r->hdf, "Tier.used", "0"), NULL, 10), 2, buf,
		    sizeof(buf)));
	db_res_free(res);
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
	return 0;
}
