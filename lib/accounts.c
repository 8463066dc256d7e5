/* accounts.c - F11 accounts: opening one with its meters, the money found on them, adding or replacing a meter; F13 the start of a closing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "cmdq.h"
#include "db.h"
#include "ledger.h"
#include "money.h"
#include "oplog.h"
#include "tiers.h"
#include "valid.h"

#define FRESH ACCOUNTS_FRESH
#define PREPAID "ddsy1352nk"	/* the prepaid profile; others measure only */

enum {
	Q_ROOM, Q_ROOM_METERS, Q_METER, Q_IDEM, Q_INSERT, Q_LINK, Q_LINKED,
	Q_MINFO, Q_PREV, Q_KEY, Q_READ, Q_NEW, Q_JOIN, Q_UNLINK, Q_MEMBER,
	Q_DONE, Q_OUT, Q_OPEN, Q_CLOSING_METERS, Q_START, Q_CLOSING_MEMBER,
	Q_SET_TRIP
};
static const char *const q[] = {
	[Q_ROOM] = "SELECT id FROM rooms WHERE building_id = ? AND number = ?",
	[Q_ROOM_METERS] = "SELECT m.number FROM meters m JOIN rooms r ON r.id = m.room_id"
	    " WHERE r.building_id = ? AND r.number = ? ORDER BY m.number",
	/* a meter, and whether an open account holds it already */
	[Q_METER] = "SELECT m.id, m.profile, (SELECT COUNT(*) FROM account_meters x"
	    "   WHERE x.meter_id = m.id AND x.active = 1) FROM meters m WHERE m.number = ?",
	[Q_IDEM] = "SELECT id FROM accounts WHERE idem_key = ?",
	[Q_INSERT] = "INSERT INTO accounts (holder, holder_no, phone, room_id,"
	    " opened_by, idem_key, opened_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())",
	[Q_LINK] = "INSERT INTO account_meters (account_id, meter_id, active,"
	    " open_meter_id) VALUES (?, ?, 1, ?)",
	[Q_LINKED] = "SELECT meter_id FROM account_meters WHERE account_id = ?"
	    " AND active = 1 ORDER BY meter_id LIMIT 8",
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
	/* the joining meter: its id, its profile, and the account holding it */
	[Q_NEW] = "SELECT m.id, m.profile, (SELECT x.account_id FROM account_meters x"
	    "   WHERE x.meter_id = m.id AND x.active = 1) FROM meters m WHERE m.number = ?",
	[Q_JOIN] = "INSERT INTO account_meters (account_id, meter_id, active, open_meter_id)"
	    " VALUES (?, ?, 1, ?) ON DUPLICATE KEY UPDATE active = 1,"
	    " open_meter_id = VALUES(open_meter_id)",
	[Q_UNLINK] = "UPDATE account_meters SET active = 0, open_meter_id = NULL"
	    " WHERE account_id = ? AND meter_id = ?",
	[Q_MEMBER] = "SELECT COUNT(*) FROM account_meters WHERE account_id = ?"
	    " AND meter_id = ? AND active = 1",
	[Q_DONE] = "SELECT id FROM ledger WHERE idem_key = CONCAT(?, ':out')",
	/* what a replacement's transfer_out took off the old meter */
	[Q_OUT] = "SELECT meter_id, -amount_fen FROM ledger WHERE id = ?",
	[Q_OPEN] = "SELECT COUNT(*) FROM accounts WHERE id = ? AND status = 'open'",
	[Q_CLOSING_METERS] = "SELECT m.id, m.number FROM account_meters x"
	    " JOIN meters m ON m.id = x.meter_id WHERE x.account_id = ? AND x.active = 1"
	    " AND m.profile = 'ddsy1352nk' ORDER BY m.number LIMIT 8",
	/* closing stops new sales: only an open account starts closing */
	[Q_START] = "UPDATE accounts SET status = 'closing', closed_by = ?,"
	    " closing_at = UTC_TIMESTAMP(3) WHERE id = ? AND status = 'open'",
	[Q_CLOSING_MEMBER] = "INSERT INTO closing_meters (account_id, meter_id, keep_power)"
	    " VALUES (?, ?, ?)",
	/* as it is until the commands have a module of their own */
	[Q_SET_TRIP] = "UPDATE closing_meters SET trip_id = ? WHERE account_id = ?"
	    " AND meter_id = ?",
};

/* One meter number of the form as the id of a meter an account may take:
 * 0, 1 refused with *WHY, -1 on error. */
static int
parse_one(struct db *db, const char *tok, int64_t *id, const char **why)
{
	struct dbres *res;
	long num;
	int rc = 0;

	if (valid_int(tok, 1, 4294967295L, &num) != NULL) {
		*why = "meter_not_found";
		return 1;
	}
	if ((res = db_query(db, q[Q_METER], "l", (int64_t)num)) == NULL)
		return -1;
	if (db_next(res) != 1)
		*why = "meter_not_found";
	else if (db_coll(res, 2) > 0)
		*why = "meter_in_account";
	/* a master meter measures energy only: no money, no account */
	else if (strcmp(db_col(res, 1), PREPAID) != 0)
		*why = "energy_meter";
	else
		*id = db_coll(res, 0);
	if (*why)
		rc = 1;
	db_res_free(res);
	return rc;
}

int
accounts_parse_meters(struct db *db, const char *s, int64_t *ids, int *n,
    const char **why)
{
	char buf[256], *tok, *save = NULL;
	int rc;

	*n = 0;
	*why = NULL;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, " ,，;\t", &save); tok;
	    tok = strtok_r(NULL, " ,，;\t", &save)) {
		int64_t id = 0;

		if (*n >= ACCOUNTS_MAX_METERS) {
			*why = "too_many_meters";
			return 1;
		}
		if ((rc = parse_one(db, tok, &id, why)) != 0)
			return rc;
		for (int i = 0; i < *n; i++)
			if (ids[i] == id) {
				*why = "dup_meter";
				return 1;
			}
		ids[(*n)++] = id;
	}
	if (*n == 0) {
		*why = "no_meter";
		return 1;
	}
	return 0;
}

int
accounts_room(struct db *db, int64_t building, const char *number, int64_t *id)
{
	return db_value(db, id, q[Q_ROOM], "ls", building, number);
}

int
accounts_room_meters(struct db *db, int64_t building, const char *number,
    char *buf, size_t len)
{
	struct dbres *res = db_query(db, q[Q_ROOM_METERS], "ls", building, number);

	buf[0] = '\0';
	if (res == NULL)
		return -1;
	while (db_next(res) == 1)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s ",
		    db_col(res, 0));
	db_res_free(res);
	return 0;
}

int
accounts_by_idem(struct db *db, const char *idem, int64_t *id)
{
	return db_value(db, id, q[Q_IDEM], "s", idem);
}

int
accounts_meters(struct db *db, int64_t account, int64_t *ids)
{
	struct dbres *res = db_query(db, q[Q_LINKED], "l", account);
	int n = 0;

	if (res == NULL)
		return -1;
	while (db_next(res) == 1 && n < ACCOUNTS_MAX_METERS)
		ids[n++] = db_coll(res, 0);
	db_res_free(res);
	return n;
}

int
accounts_read_ask(struct db *db, int64_t meter)
{
	return db_exec(db, q[Q_READ], "l", meter) == -1 ? -1 : 0;
}

/* The form's choice for money MONEY when it fits: "clear", "carry", "debt"
 * or "". */
static const char *
choice_of(const struct accounts_choice *c, int64_t money)
{
	const char *s = c->money ? c->money : "";

	if (money > 0 && (strcmp(s, "clear") == 0 || strcmp(s, "carry") == 0))
		return s;
	if (money < 0 && strcmp(s, "debt") == 0)
		return s;
	return "";
}

/* The meter's previous, closed account (0: none) and its holder. */
static int
prev_of(struct db *db, int64_t meter, int64_t account, int64_t *prev,
    char *holder, size_t len)
{
	struct dbres *res = db_query(db, q[Q_PREV], "ll", meter, account);

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

/* What is on one meter: its money, place, previous holder. */
static int
found_one(struct db *db, const char *tz, int64_t account, int64_t id,
    struct accounts_found *f, int64_t *room)
{
	struct dbres *res;

	*room = 0;
	memset(f, 0, sizeof(*f));
	f->meter_id = id;
	f->age = -1;
	if (ledger_meter_money(db, id, &f->money, &f->age) == -1 ||
	    prev_of(db, id, account, &f->prev, f->prev_holder,
	    sizeof(f->prev_holder)) == -1)
		return -1;
	if ((res = db_query(db, q[Q_MINFO], "sl", tz, id)) == NULL)
		return -1;
	if (db_next(res) == 1) {
		f->known = 1;
		snprintf(f->number, sizeof(f->number), "%s", db_col(res, 0));
		*room = db_coll(res, 1);
		snprintf(f->building, sizeof(f->building), "%s", db_col(res, 2));
		snprintf(f->room, sizeof(f->room), "%s", db_col(res, 3));
		snprintf(f->read_at, sizeof(f->read_at), "%s", db_col(res, 4));
		f->reading = (int)db_coll(res, 5);
	}
	db_res_free(res);
	return 0;
}

int
accounts_found(struct db *db, const char *tz, int64_t account, int64_t room,
    const int64_t *ids, int n, const struct accounts_choice *c, int confirm,
    struct accounts_found *fs, int *choices)
{
	int nerr = 0;

	*choices = 0;
	for (int i = 0; i < n; i++) {
		struct accounts_found *f = &fs[i];
		int64_t mroom;

		if (found_one(db, tz, account, ids[i], f, &mroom) == -1)
			return -1;
		f->choice = choice_of(&c[i], f->money);
		/* another room's meter: asked about, its room left as it is */
		if (mroom && mroom != room) {
			f->other = 1;
			f->other_ok = c[i].other_ok;
			*choices = 1;
		}
		if (f->money != 0)
			*choices = 1;
		if (f->age < 0 || (f->money != 0 && f->age > FRESH)) {
			f->read = 1;
			f->err[f->nerr++] = f->age < 0 ? "open_never_read" :
			    "read_not_fresh";
		} else if (f->money > 0 && !*f->choice)
			f->err[f->nerr++] = "money_choice";
		else if (f->money < 0 && !*f->choice)
			f->err[f->nerr++] = "open_debt";
		if (f->other && !f->other_ok)
			f->err[f->nerr++] = "other_room_meter";
		/* the money changed since the confirmation showed it */
		if (confirm && f->money != 0 && (!c[i].shown ||
		    c[i].amount != f->money))
			f->err[f->nerr++] = "money_changed";
		nerr += f->nerr;
	}
	return nerr;
}

/* The entry for the money found on meter ID of ACCOUNT as chosen in C
 * (E: its key and operator set): as ledger_issue with *LID, or 3 when there
 * is nothing to write. */
static int
book_one(struct db *db, int64_t account, int64_t id,
    const struct accounts_choice *c, struct entry *e, int64_t *lid,
    const char **why)
{
	int64_t money = 0, age = -1, prev = 0;
	char holder[256];
	const char *choice;

	if (ledger_meter_money(db, id, &money, &age) == -1)
		return -1;
	choice = choice_of(c, money);
	if (money == 0 || !*choice)
		return 3;
	/* exactly the money the confirmation showed, by a fresh read */
	if (!c->shown || c->amount != money || age < 0 || age > FRESH) {
		*why = "money_changed";
		return 2;
	}
	if (strcmp(choice, "clear") == 0) {
		if (prev_of(db, id, account, &prev, holder, sizeof(holder)) == -1)
			return -1;
		e->account_id = prev;
		e->kind = LK_CLEAR;
		e->amount = -money;
		e->prior = 1;
		e->fresh = FRESH;
		e->note = "开户清零";
	} else {
		e->account_id = account;
		e->kind = LK_CARRY;
		e->amount = money;
		e->no_token = 1;
		e->note = "期初结转";
	}
	return ledger_issue(db, e, lid, why);
}

int
accounts_money_book(struct db *db, const struct actor *who, int64_t account,
    const int64_t *ids, const struct accounts_choice *c, int n,
    const char *idem, const char **refusal)
{
	int refused = 0;

	for (int i = 0; i < n; i++) {
		char key[100], obj[64], a[32], ac[32], *after;
		struct entry e = { .meter_id = ids[i],
		    .operator_id = who->operator_id, .idem_key = key };
		const char *why = NULL;
		int64_t done = 0, lid = 0;
		int rc;

		snprintf(key, sizeof(key), "%s:m%lld", idem, (long long)ids[i]);
		if (db_value(db, &done, q[Q_KEY], "s", key) == -1)
			return -1;
		if (done)
			continue;
		if ((rc = book_one(db, account, ids[i], &c[i], &e, &lid,
		    &why)) == -1)
			return -1;
		if (rc == 2) {
			*refusal = why;
			refused = 1;
		}
		if (rc == 2 || rc == 3)
			continue;
		snprintf(obj, sizeof(obj), "ledger:%lld", (long long)lid);
		snprintf(ac, sizeof(ac), "%lld", (long long)account);
		after = oplog_json("kind", e.kind, "account", ac, "amount_fen",
		    decimal_format(e.amount, 0, a, sizeof(a)), NULL);
		oplog_write(db, who, "account.open_money", obj, NULL, after);
		free(after);
	}
	return refused;
}

struct open_tx {
	const struct accounts_new *a;
	int64_t op;
	int64_t id;		/* the new account */
};

/* The account and its meters, together. */
static int
open_tx(struct db *db, void *arg)
{
	struct open_tx *t = arg;
	const struct accounts_new *a = t->a;

	if (db_exec(db, q[Q_INSERT], "ssslls", a->holder, a->holder_no,
	    a->phone, a->room, t->op, a->idem) == -1)
		return -1;
	t->id = (int64_t)db_last_id(db);
	for (int i = 0; i < a->n; i++)
		if (db_exec(db, q[Q_LINK], "lll", t->id, a->ids[i], a->ids[i]) == -1)
			return -1;
	return 0;
}

int
accounts_open(struct db *db, const struct actor *who,
    const struct accounts_new *a, int64_t *id)
{
	struct open_tx t = { a, who->operator_id, 0 };
	char obj[64];

	if (db_tx(db, open_tx, &t) != 0) {
		if (db_errno(db) != DB_ER_DUP_ENTRY)
			return -1;
		/* the same form again, or a meter taken meanwhile */
		switch (accounts_by_idem(db, a->idem, id)) {
		case 1:
			return 2;
		case 0:
			return 0;
		default:
			return -1;
		}
	}
	*id = t.id;
	snprintf(obj, sizeof(obj), "account:%lld", (long long)t.id);
	oplog_write(db, who, "account.open", obj, NULL, a->form);
	return 1;
}

int
accounts_first_sale(struct db *db, const struct actor *who, int64_t account,
    int64_t meter, int64_t amount, int64_t cap, const char *idem,
    int64_t *sale, const char **why)
{
	struct entry e = { .account_id = account, .meter_id = meter,
	    .kind = LK_SALE, .amount = amount, .operator_id = who->operator_id,
	    .idem_key = idem, .cap = cap };
	char obj[64], a[32], *after;
	int rc;

	if ((rc = ledger_issue(db, &e, sale, why)) != 1)
		return rc;
	snprintf(obj, sizeof(obj), "ledger:%lld", (long long)*sale);
	after = oplog_json("account", obj, "amount_fen",
	    decimal_format(amount, 0, a, sizeof(a)), NULL);
	oplog_write(db, who, "sale.create", obj, NULL, after);
	free(after);
	return rc;
}

int
accounts_meter_join(struct db *db, int64_t account, int64_t number, int add,
    int64_t *id, const char **why)
{
	struct dbres *res = db_query(db, q[Q_NEW], "l", number);
	int64_t holder = 0, open = 0;

	*id = 0;
	*why = NULL;
	if (res == NULL)
		return -1;
	if (db_next(res) != 1)
		*why = "meter_not_found";
	else if (strcmp(db_col(res, 1), PREPAID) != 0)
		*why = "not_prepaid";
	else {
		*id = db_coll(res, 0);
		holder = db_coll(res, 2);
		/* in another account; as one more meter, in none */
		if ((holder && holder != account) || (add && holder == account))
			*why = "meter_in_account";
	}
	db_res_free(res);
	/* only an open account takes a meter */
	if (db_value(db, &open, q[Q_OPEN], "l", account) == -1)
		return -1;
	if (!open)
		*why = "account_closed";
	return *why ? 0 : 1;
}

int
accounts_meter_leaving(struct db *db, int64_t account, int64_t old,
    int64_t new, int64_t *money, const char **field, const char **why)
{
	int64_t n = 0, age = -1;

	*money = 0;
	*field = "old";
	*why = NULL;
	if (old == 0 || db_value(db, &n, q[Q_MEMBER], "ll", account, old) != 1 ||
	    n == 0)
		*why = "meter_not_in_account";
	else if (new == old) {
		*field = "new";
		*why = "dup_meter";
	} else if (ledger_meter_money(db, old, money, &age) == -1)
		return -1;
	else if (age < 0 || age > FRESH)
		*why = "read_not_fresh";
	else if (*money < 0)
		*why = "overdraft_first";
	return *why ? 0 : 1;
}

/*
 * The second half of a replacement, after the old meter's transfer_out OUT
 * (0: no money to move): the new meter's transfer_in of MONEY linked to it,
 * then the old meter leaves the account. Both steps are idempotent, so a
 * repeat of the form finishes a replacement that stopped half way.
 * Returns 1 done, 0 refused with *WHY, -1 on error.
 */
static int
finish(struct db *db, const struct actor *who, int64_t account, int64_t old,
    int64_t new, int64_t money, int64_t out, const char *idem, const char **why)
{
	char key[100];
	int64_t in = 0;
	int rc;

	if (out) {
		struct entry e = { .account_id = account, .meter_id = new,
		    .kind = LK_TRANSFER_IN, .amount = money,
		    .operator_id = who->operator_id, .idem_key = key,
		    .link_id = out, .note = "换表转入" };

		snprintf(key, sizeof(key), "%s:in", idem);
		if ((rc = ledger_issue(db, &e, &in, why)) == -1)
			return -1;
		if (rc == 2)
			return 0;
	}
	if (db_exec(db, q[Q_UNLINK], "ll", account, old) == -1)
		return -1;
	return 1;
}

/* The old meter's money off it, then onto the new one: as finish, *FIELD
 * telling which meter refused. */
static int
replace(struct db *db, const struct actor *who, const struct accounts_change *c,
    const char **field, const char **why)
{
	char key[100];
	int64_t out = 0;

	if (c->money > 0) {
		struct entry e = { .account_id = c->account, .meter_id = c->old,
		    .kind = LK_TRANSFER_OUT, .amount = -c->money,
		    .operator_id = who->operator_id, .idem_key = key,
		    .fresh = FRESH, .note = "换表转出" };

		snprintf(key, sizeof(key), "%s:out", c->idem);
		if (ledger_issue(db, &e, &out, why) == -1)
			return -1;
		if (out == 0 || (*why && **why)) {
			*field = "old";
			if (!*why || !**why)
				*why = "internal";
			return 0;
		}
	}
	*field = "new";
	return finish(db, who, c->account, c->old, c->meter, c->money, out,
	    c->idem, why);
}

int
accounts_meter_change(struct db *db, const struct actor *who,
    const struct accounts_change *c, const char **field, const char **why)
{
	char obj[64], buf[32], old[32], *after;
	int rc;

	*field = "new";
	*why = NULL;
	/* Each step has its own key under the form's: a repeat of the form
	 * repeats nothing that was done, and finishes what was not. */
	if (db_exec(db, q[Q_JOIN], "lll", c->account, c->meter, c->meter) == -1) {
		if (db_errno(db) != DB_ER_DUP_ENTRY)
			return -1;
		*why = "meter_in_account";
		return 0;
	}
	snprintf(obj, sizeof(obj), "account:%lld", (long long)c->account);
	/* the new meter's own money first: cleared or carried over, once */
	if ((rc = accounts_money_book(db, who, c->account, &c->meter, c->choice,
	    1, c->idem, why)) != 0) {
		if (rc == 1 && !*why)
			*why = "internal";
		return rc == 1 ? 0 : -1;
	}
	if (c->old == 0) {
		after = oplog_json("meter", c->number, NULL);
		oplog_write(db, who, "account.meter_add", obj, NULL, after);
		free(after);
		return 1;
	}
	if ((rc = replace(db, who, c, field, why)) != 1)
		return rc;
	snprintf(old, sizeof(old), "%lld", (long long)c->old);
	after = oplog_json("old", old, "new", c->number, "moved",
	    money_format(c->money, buf, sizeof(buf)), NULL);
	oplog_write(db, who, "account.meter_replace", obj, NULL, after);
	free(after);
	return 1;
}

int
accounts_replace_again(struct db *db, const struct actor *who,
    int64_t account, int64_t number, const char *idem, const char **why)
{
	struct dbres *res;
	int64_t out = 0, old = 0, money = 0, nid = 0;
	int rc;

	*why = NULL;
	if ((rc = db_value(db, &out, q[Q_DONE], "s", idem)) != 1)
		return rc;
	if ((res = db_query(db, q[Q_OUT], "l", out)) == NULL)
		return -1;
	if (db_next(res) == 1) {
		old = db_coll(res, 0);
		money = db_coll(res, 1);
	}
	db_res_free(res);
	if (number) {
		if ((res = db_query(db, q[Q_NEW], "l", number)) == NULL)
			return -1;
		if (db_next(res) == 1)
			nid = db_coll(res, 0);
		db_res_free(res);
	}
	if (old == 0 || nid == 0)
		return 1;
	if ((rc = finish(db, who, account, old, nid, money, out, idem, why)) == -1)
		return -1;
	return rc == 0 ? 2 : 1;
}

int
accounts_closing_meters(struct db *db, int64_t account,
    struct accounts_closing *m)
{
	struct dbres *res = db_query(db, q[Q_CLOSING_METERS], "l", account);
	int n = 0;

	if (res == NULL)
		return -1;
	while (db_next(res) == 1 && n < ACCOUNTS_MAX_METERS) {
		memset(&m[n], 0, sizeof(m[n]));
		m[n].id = db_coll(res, 0);
		snprintf(m[n].number, sizeof(m[n].number), "%s", db_col(res, 1));
		n++;
	}
	db_res_free(res);
	for (int i = 0; i < n; i++) {
		if (ledger_meter_money(db, m[i].id, &m[i].money, &m[i].age) == -1)
			return -1;
		m[i].stale = m[i].age < 0 || m[i].age > FRESH;
	}
	return n;
}

struct close_tx {
	int64_t op, account;
	const struct accounts_closing *m;
	int n;
};

#define NOT_OPEN (-2)

/* The account closing, each meter's choice and its trip, together. */
static int
close_tx(struct db *db, void *arg)
{
	struct close_tx *t = arg;

	if (db_exec(db, q[Q_START], "ll", t->op, t->account) != 1)
		return NOT_OPEN;
	for (int i = 0; i < t->n; i++) {
		int64_t meter = t->m[i].id;

		int64_t trip;

		if (db_exec(db, q[Q_CLOSING_MEMBER], "lli", t->account, meter,
		    t->m[i].keep) == -1 ||
		    (trip = cmdq_relay(db, meter, "trip")) == -1 ||
		    db_exec(db, q[Q_SET_TRIP], "lll", trip, t->account,
		    meter) == -1)
			return -1;
	}
	return 0;
}

int
accounts_close_start(struct db *db, const struct actor *who, const char *tz,
    int64_t account, const struct accounts_closing *m, int n)
{
	struct close_tx t = { who->operator_id, account, m, n };
	char obj[64];
	int rc;

	/* tiered meters: the month's exact charge first */
	if (tiers_close(db, tz, account) == -1)
		return -1;
	/* the refunds follow the trips (ledger_close_step) */
	if ((rc = db_tx(db, close_tx, &t)) == NOT_OPEN)
		return 0;
	if (rc != 0)
		return -1;
	snprintf(obj, sizeof(obj), "account:%lld", (long long)account);
	oplog_write(db, who, "account.closing", obj, NULL, NULL);
	ledger_close_step(db, who, account);
	return 1;
}
