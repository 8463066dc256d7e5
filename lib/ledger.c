/* ledger.c - the one place that writes money: an entry, its token and its purchase count together. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmdq.h"
#include "db.h"
#include "ledger.h"
#include "log.h"
#include "oplog.h"
#include "settings.h"

enum {
	Q_IDEM, Q_LOCK_ACCOUNT, Q_MEMBER, Q_MONEY, Q_LOCK_COUNT, Q_NEW_COUNT,
	Q_SET_COUNT, Q_ENTRY, Q_REVERSED, Q_METER_MONEY, Q_PRIOR
};
static const char *const q[] = {
	[Q_IDEM] = "SELECT id FROM ledger WHERE idem_key = ?",
	[Q_LOCK_ACCOUNT] = "SELECT status = 'open' OR (status = 'closing' AND ? = 1)"
	    " FROM accounts WHERE id = ? FOR UPDATE",
	[Q_MEMBER] = "SELECT COUNT(*) FROM account_meters"
	    " WHERE account_id = ? AND meter_id = ? AND active = 1",
	/* per meter: last read money, plus tokens not yet in that read */
	[Q_MONEY] = "SELECT COALESCE(SUM(COALESCE(s.remaining_fen, 0)), 0) +"
	    " COALESCE((SELECT SUM(CASE c.kind WHEN 'credit' THEN c.amount_fen"
	    "   ELSE -c.amount_fen END) FROM commands c"
	    "   JOIN account_meters x ON x.meter_id = c.meter_id"
	    "   LEFT JOIN meter_state t ON t.meter_id = c.meter_id"
	    "   WHERE x.account_id = ? AND x.active = 1"
	    "   AND c.kind IN ('credit', 'debit') AND c.status <> 'failed'"
	    "   AND (c.status <> 'confirmed' OR t.read_at IS NULL OR c.done_at > t.read_at)), 0)"
	    " FROM account_meters am LEFT JOIN meter_state s ON s.meter_id = am.meter_id"
	    " WHERE am.account_id = ? AND am.active = 1",
	[Q_LOCK_COUNT] = "SELECT last_count FROM purchase_counts WHERE meter_id = ? FOR UPDATE",
	/* a meter's first token starts from the count it was read with: a
	 * meter never read has no count to start from */
	[Q_NEW_COUNT] = "INSERT INTO purchase_counts (meter_id, last_count)"
	    " SELECT meter_id, purchase_count FROM meter_state"
	    " WHERE meter_id = ? AND purchase_count IS NOT NULL",
	[Q_SET_COUNT] = "UPDATE purchase_counts SET last_count = ? WHERE meter_id = ?",
	[Q_ENTRY] = "INSERT INTO ledger (account_id, meter_id, kind, amount_fen,"
	    " operator_id, idem_key, reverses_id, command_id, note, link_id, channel)"
	    " VALUES (NULLIF(?, 0), ?, ?, ?, NULLIF(?, 0), ?, NULLIF(?, 0), NULLIF(?, 0), ?,"
	    " NULLIF(?, 0), ?)",
	/* the account that held the meter last, when it is closed now */
	[Q_PRIOR] = "SELECT COUNT(*) FROM account_meters x JOIN accounts a ON a.id = x.account_id"
	    " WHERE x.account_id = ? AND x.meter_id = ? AND x.active = 0 AND a.status = 'closed'",
	[Q_REVERSED] = "SELECT COUNT(*) FROM ledger WHERE reverses_id = ?",
	[Q_METER_MONEY] = "SELECT COALESCE(s.remaining_fen, 0) +"
	    " COALESCE((SELECT SUM(CASE c.kind WHEN 'credit' THEN c.amount_fen"
	    "   ELSE -c.amount_fen END) FROM commands c WHERE c.meter_id = m.id"
	    "   AND c.kind IN ('credit', 'debit') AND c.status <> 'failed'"
	    "   AND (c.status <> 'confirmed' OR s.read_at IS NULL OR c.done_at > s.read_at)), 0),"
	    " COALESCE(TIMESTAMPDIFF(SECOND, s.read_at, UTC_TIMESTAMP(3)), -1)"
	    " FROM meters m LEFT JOIN meter_state s ON s.meter_id = m.id WHERE m.id = ?",
};

int
ledger_account_money(struct db *db, int64_t account_id, int64_t *fen)
{
	int rc = db_value(db, fen, q[Q_MONEY], "ll", account_id, account_id);

	if (rc == 0)
		*fen = 0;
	return rc == -1 ? -1 : 0;
}

int
ledger_meter_money(struct db *db, int64_t meter_id, int64_t *fen, int64_t *age)
{
	struct dbres *res = db_query(db, q[Q_METER_MONEY], "l", meter_id);

	if (res == NULL)
		return -1;
	*fen = 0;
	*age = -1;
	if (db_next(res) == 1) {
		*fen = db_coll(res, 0);
		*age = db_coll(res, 1);
	}
	db_res_free(res);
	return 0;
}

static int
idem_lookup(struct db *db, const char *key, int64_t *id)
{
	return db_value(db, id, q[Q_IDEM], "s", key);
}

/* Whom the entry is for: an open (or closing) account holding the meter,
 * or the meter's previous closed account; not reversed yet. 0, 2 refused
 * with *WHY, -1. */
static int
admit(struct db *db, const struct entry *e, const char **why)
{
	int64_t open = 0, n = 0;

	if (e->prior) {
		/* money found on a meter: its previous (closed) account's, or
		 * nobody's when it never had one */
		if (e->account_id && db_value(db, &n, q[Q_PRIOR], "ll",
		    e->account_id, e->meter_id) == -1)
			return -1;
		if (e->account_id && n == 0) {
			*why = LEDGER_NOT_ACCOUNTS;
			return 2;
		}
	} else if (db_value(db, &open, q[Q_LOCK_ACCOUNT], "il", e->closing,
	    e->account_id) != 1 ||
	    !open) {
		*why = LEDGER_CLOSED;
		return 2;
	}
	if (!e->prior && db_value(db, &n, q[Q_MEMBER], "ll", e->account_id,
	    e->meter_id) == -1)
		return -1;
	if (!e->prior && n == 0) {
		*why = LEDGER_NOT_ACCOUNTS;
		return 2;
	}
	if (e->reverses_id) {
		if (db_value(db, &n, q[Q_REVERSED], "l", e->reverses_id) == -1)
			return -1;
		if (n > 0) {
			*why = LEDGER_REVERSED;
			return 2;
		}
	}
	return 0;
}

/* The amount against the hoarding cap and, for a debit, the meter's money.
 * 0, 2 refused with *WHY, -1. */
static int
within_limits(struct db *db, const struct entry *e, const char **why)
{
	int64_t money = 0, cap;

	/* The hoarding cap: the ledger applies the site's cap to money
	 * brought to the counter (a sale, a refund reversed), whoever the
	 * caller; a debt paid to close is not held money. */
	cap = e->cap;
	if (cap <= 0 && e->amount > 0 && !e->closing &&
	    (strcmp(e->kind, LK_SALE) == 0 || strcmp(e->kind, LK_REVERSAL) == 0)) {
		if ((cap = settings_int(db, "hoard_cap_fen")) == -1)
			return -1;
	}
	if (cap > 0 && e->amount > 0) {
		if (ledger_account_money(db, e->account_id, &money) == -1)
			return -1;
		if (money + e->amount > cap) {
			*why = LEDGER_CAP;
			return 2;
		}
	}
	/* A debit takes at most what the meter holds, by a fresh read (a debt
	 * carried over at an opening takes nothing off the meter). */
	if (e->amount < 0 && !e->no_token) {
		int64_t age;

		if (ledger_meter_money(db, e->meter_id, &money, &age) == -1)
			return -1;
		if (e->fresh > 0 && (age < 0 || age > e->fresh)) {
			*why = LEDGER_NOT_FRESH;
			return 2;
		}
		if (-e->amount > money) {
			*why = LEDGER_TOO_MUCH;
			return 2;
		}
	}
	return 0;
}

/* The entry's token: the meter's next purchase count, locked so that two
 * tokens never share one, and its command into *CMD. 0, 2 refused, -1. */
static int
token(struct db *db, const struct entry *e, int64_t *cmd, const char **why)
{
	int64_t count = 0;
	int rc = db_value(db, &count, q[Q_LOCK_COUNT], "l", e->meter_id);

	if (rc == 0) {
		long added = db_exec(db, q[Q_NEW_COUNT], "l", e->meter_id);

		if (added == -1)
			return -1;
		if (added == 0) {
			*why = LEDGER_NEVER_READ;
			return 2;
		}
		rc = db_value(db, &count, q[Q_LOCK_COUNT], "l", e->meter_id);
	}
	if (rc != 1)
		return -1;
	count = (count + 1) & 0xFFFF;	/* a U16 register on the meter */
	if (db_exec(db, q[Q_SET_COUNT], "ll", count, e->meter_id) == -1 ||
	    (*cmd = cmdq_token(db, e->meter_id, e->amount, count)) == -1)
		return -1;
	return 0;
}

/* One attempt: 1 done, 2 refused, -1 error (the caller rolls back). */
static int
attempt(struct db *db, const struct entry *e, int64_t *id, const char **why)
{
	int64_t cmd = 0;	/* money already on the meter: no token */
	int rc;

	if ((rc = admit(db, e, why)) != 0 ||
	    (rc = within_limits(db, e, why)) != 0 ||
	    (!e->no_token && (rc = token(db, e, &cmd, why)) != 0))
		return rc;
	if (db_exec(db, q[Q_ENTRY], "llsllsllsls", e->account_id, e->meter_id,
	    e->kind, e->amount, e->operator_id, e->idem_key, e->reverses_id,
	    cmd, e->note ? e->note : "", e->link_id,
	    e->channel ? e->channel : "counter") == -1)
		return -1;
	*id = (int64_t)db_last_id(db);
	return 1;
}

#define REFUSED (-2)

struct issue {
	const struct entry *e;
	int64_t *id;
	const char **why;
};

/* ledger_issue's transaction: 1 written, REFUSED, or -1. */
static int
issue_tx(struct db *db, void *arg)
{
	struct issue *is = arg;
	int rc = attempt(db, is->e, is->id, is->why);

	return rc == 2 ? REFUSED : rc;
}

int
ledger_issue(struct db *db, const struct entry *e, int64_t *id,
    const char **why)
{
	struct issue is = { e, id, why };
	int rc;

	*why = NULL;
	if (e->amount == 0) {
		errno = EINVAL;
		return -1;
	}
	if (idem_lookup(db, e->idem_key, id) == 1)
		return 0;
	if ((rc = db_tx(db, issue_tx, &is)) >= 0)
		return rc;
	if (rc == REFUSED)
		return 2;
	/* a concurrent repeat of the same form wins the key: return it */
	if (db_errno(db) == DB_ER_DUP_ENTRY && idem_lookup(db, e->idem_key,
	    id) == 1)
		return 0;
	log_warnx("ledger entry %s for account %lld not written: %s", e->kind,
	    (long long)e->account_id, db_error(db));
	return -1;
}

/*
 * Closing by steps (closing_meters): every meter is tripped, read after the
 * trip, refunded exactly the money of that read, and put back in prepaid
 * mode when it was kept; the account is closed when every meter is done.
 */
enum {
	C_METERS, C_STATE, C_READY, C_RELAY_AFTER, C_CLAIM_TRIP,
	C_SET_TRIP, C_CLAIM_RESTORE, C_SET_RESTORE, C_REFUND, C_LEFT, C_DONE,
	C_RELEASE, C_CLOSING, C_MEMBERS, C_RETRY, C_READ_REQ, C_DEBT
};
static const char *const cq[] = {
	[C_METERS] = "SELECT cm.meter_id, cm.state, cm.keep_power, COALESCE(cm.trip_id, -1),"
	    " cm.attempt, COALESCE(cm.restore_id, -1), COALESCE(tc.status, ''),"
	    " COALESCE(rc.status, ''), COALESCE(sc.status, ''), COALESCE(a.closed_by, 0),"
	    " COALESCE(tc.error, ''), COALESCE(rc.error, ''), COALESCE(sc.error, '')"
	    " FROM closing_meters cm JOIN accounts a ON a.id = cm.account_id"
	    " LEFT JOIN commands tc ON tc.id = cm.trip_id"
	    " LEFT JOIN ledger rl ON rl.id = cm.refund_id"
	    " LEFT JOIN commands rc ON rc.id = rl.command_id"
	    " LEFT JOIN commands sc ON sc.id = cm.restore_id"
	    " WHERE cm.account_id = ? AND a.status = 'closing' ORDER BY cm.meter_id",
	/* a move from one state to the next, once (concurrent steps) */
	[C_STATE] = "UPDATE closing_meters SET state = ?, attempt = attempt + ?,"
	    " money_fen = COALESCE(NULLIF(?, -999999999), money_fen), note = ?"
	    " WHERE account_id = ? AND meter_id = ? AND state = ? AND attempt = ?",
	/* the meter's money by a read newer than every token and relay command
	 * of it, none in flight, and the relay open by the closing's trip */
	[C_READY] = "SELECT s.remaining_fen FROM closing_meters cm"
	    " JOIN meter_state s ON s.meter_id = cm.meter_id"
	    " WHERE cm.account_id = ? AND cm.meter_id = ? AND s.remaining_fen IS NOT NULL"
	    " AND s.read_at > cm.read_after AND s.read_at > COALESCE((SELECT MAX(c.done_at)"
	    "   FROM commands c WHERE c.meter_id = cm.meter_id AND c.kind IN ('credit', 'debit',"
	    "   'trip', 'restore', 'keep_power')), cm.read_after)"
	    " AND NOT EXISTS (SELECT 1 FROM commands c WHERE c.meter_id = cm.meter_id"
	    "   AND c.kind IN ('credit', 'debit', 'trip', 'restore', 'keep_power')"
	    "   AND c.status IN ('queued', 'sent', 'waiting'))",
	/* a relay command after the closing's trip (a batch action): trip again */
	[C_RELAY_AFTER] = "SELECT COUNT(*) FROM commands c JOIN closing_meters cm"
	    " ON cm.meter_id = c.meter_id WHERE cm.account_id = ? AND cm.meter_id = ?"
	    " AND c.kind IN ('restore', 'keep_power') AND c.id > cm.trip_id"
	    " AND c.status <> 'failed'",
	[C_CLAIM_TRIP] = "UPDATE closing_meters SET trip_id = 0, state = 'trip'"
	    " WHERE account_id = ? AND meter_id = ? AND COALESCE(trip_id, -1) = ?",
	[C_SET_TRIP] = "UPDATE closing_meters SET trip_id = ? WHERE account_id = ?"
	    " AND meter_id = ? AND trip_id = 0",
	[C_CLAIM_RESTORE] = "UPDATE closing_meters SET restore_id = 0, state = 'restore'"
	    " WHERE account_id = ? AND meter_id = ? AND COALESCE(restore_id, -1) = ?",
	[C_SET_RESTORE] = "UPDATE closing_meters SET restore_id = ? WHERE account_id = ?"
	    " AND meter_id = ? AND restore_id = 0",
	[C_REFUND] = "UPDATE closing_meters SET state = 'refund', refund_id = ?,"
	    " money_fen = ?, note = '' WHERE account_id = ? AND meter_id = ?"
	    " AND state = 'read' AND attempt = ?",
	[C_LEFT] = "SELECT COALESCE(SUM(state <> 'done'), 0) FROM closing_meters"
	    " WHERE account_id = ?",
	[C_DONE] = "UPDATE accounts SET status = 'closed', closed_at = UTC_TIMESTAMP()"
	    " WHERE id = ? AND status = 'closing'",
	[C_RELEASE] = "UPDATE account_meters SET active = 0, open_meter_id = NULL"
	    " WHERE account_id = ?",
	[C_CLOSING] = "SELECT id FROM accounts WHERE status = 'closing' ORDER BY id LIMIT 1000",
	/* a closing begun before closing_meters: its meters join the steps */
	[C_MEMBERS] = "INSERT IGNORE INTO closing_meters (account_id, meter_id)"
	    " SELECT x.account_id, x.meter_id FROM account_meters x"
	    " JOIN meters m ON m.id = x.meter_id WHERE x.account_id = ? AND x.active = 1"
	    " AND m.profile = 'ddsy1352nk'",
	[C_RETRY] = "UPDATE closing_meters SET state = 'read', attempt = attempt + 1,"
	    " read_after = UTC_TIMESTAMP(3), note = '' WHERE account_id = ?"
	    " AND meter_id = ? AND state = 'refused' AND attempt = ?",
	[C_READ_REQ] = "INSERT INTO read_requests (meter_id) VALUES (?)",
	[C_DEBT] = "SELECT -money_fen FROM closing_meters WHERE account_id = ?"
	    " AND meter_id = ?",
};

#define NO_MONEY (-999999999)

static int
set_state(struct db *db, int64_t acc, int64_t meter, const char *from,
    int64_t attempt, const char *to, int next, int64_t money, const char *note)
{
	return (int)db_exec(db, cq[C_STATE], "silsllsl", to, (int64_t)next, money,
	    note ? note : "", acc, meter, from, attempt);
}

/* Queues the relay command KIND (trip or restore) once: claimed by its
 * column going from OLD (-1: NULL) to 0, then set to the command. */
static int
queue_relay(struct db *db, int64_t acc, int64_t meter, const char *kind,
    int64_t old)
{
	int restore = strcmp(kind, "restore") == 0;
	long n = db_exec(db, cq[restore ? C_CLAIM_RESTORE : C_CLAIM_TRIP], "lll",
	    acc, meter, old);
	int64_t cmd;

	if (n <= 0)
		return (int)n;
	if ((cmd = cmdq_relay(db, meter, kind)) == -1)
		return -1;
	return (int)db_exec(db, cq[restore ? C_SET_RESTORE : C_SET_TRIP], "lll",
	    cmd, acc, meter);
}

struct cm {
	int64_t meter, keep, trip, attempt, restore, op;
	char state[16], ts[16], rs[16], ss[16], te[128], re[128], se[128];
};

/* One move of one meter: 1 moved, 0 waits, -1 error. */
static int
close_move(struct db *db, int64_t acc, const struct cm *m)
{
	const char *st = m->state;
	int64_t money = 0, lid = 0, n = 0;
	const char *why = NULL;
	int rc;

	if (strcmp(st, "trip") == 0) {
		if (m->trip <= 0)	/* -1: to queue; 0: being queued */
			return m->trip == -1 && queue_relay(db, acc, m->meter,
			    "trip", -1) > 0;
		if (strcmp(m->ts, "confirmed") == 0)
			return set_state(db, acc, m->meter, st, m->attempt, "read",
			    0, NO_MONEY, NULL) > 0;
		if (strcmp(m->ts, "failed") == 0)
			return set_state(db, acc, m->meter, st, m->attempt,
			    "trip_failed", 0, NO_MONEY, m->te) > 0;
		return 0;
	}
	if (strcmp(st, "read") == 0) {
		if (db_value(db, &n, cq[C_RELAY_AFTER], "ll", acc, m->meter) == -1)
			return -1;
		if (n > 0)
			return queue_relay(db, acc, m->meter, "trip", m->trip) > 0;
		if ((rc = db_value(db, &money, cq[C_READY], "ll", acc, m->meter)) != 1)
			return rc;
		if (money < 0)
			return set_state(db, acc, m->meter, st, m->attempt,
			    "overdraft", 0, money, NULL) > 0;
		if (money == 0) {
			if (m->keep)
				return m->restore != 0 && queue_relay(db, acc,
				    m->meter, "restore", m->restore) > 0;
			return set_state(db, acc, m->meter, st, m->attempt, "done",
			    0, 0, NULL) > 0;
		}
		{
			char idem[64];
			struct entry e = { .account_id = acc, .meter_id = m->meter,
			    .kind = LK_CLOSING, .amount = -money,
			    .operator_id = m->op, .idem_key = idem, .closing = 1,
			    .note = "销户退款" };

			snprintf(idem, sizeof(idem), "close:%lld:%lld:%lld",
			    (long long)acc, (long long)m->meter,
			    (long long)m->attempt);
			if ((rc = ledger_issue(db, &e, &lid, &why)) == -1)
				return -1;
			if (rc == 2) {	/* said on the closing page */
				set_state(db, acc, m->meter, st, m->attempt, "read",
				    0, NO_MONEY, why);
				return 0;
			}
			return db_exec(db, cq[C_REFUND], "lllll", lid, money, acc,
			    m->meter, m->attempt) > 0;
		}
	}
	if (strcmp(st, "refund") == 0) {
		/* confirmed: read again; the next read shows what is left */
		if (strcmp(m->rs, "confirmed") == 0)
			return set_state(db, acc, m->meter, st, m->attempt, "read",
			    1, NO_MONEY, NULL) > 0;
		if (strcmp(m->rs, "failed") == 0)
			return set_state(db, acc, m->meter, st, m->attempt,
			    "refused", 0, NO_MONEY, m->re) > 0;
		return 0;
	}
	if (strcmp(st, "restore") == 0) {
		if (m->restore <= 0)
			return m->restore == -1 && queue_relay(db, acc, m->meter,
			    "restore", -1) > 0;
		if (strcmp(m->ss, "confirmed") == 0)
			return set_state(db, acc, m->meter, st, m->attempt, "done",
			    0, NO_MONEY, NULL) > 0;
		if (strcmp(m->ss, "failed") == 0)
			return set_state(db, acc, m->meter, st, m->attempt,
			    "restore_failed", 0, NO_MONEY, m->se) > 0;
	}
	return 0;
}

static int
close_load(struct db *db, int64_t acc, struct cm *ms, int max)
{
	struct dbres *res = db_query(db, cq[C_METERS], "l", acc);
	int n = 0;

	if (res == NULL)
		return -1;
	while (db_next(res) == 1 && n < max) {
		struct cm *m = &ms[n++];

		memset(m, 0, sizeof(*m));
		m->meter = db_coll(res, 0);
		snprintf(m->state, sizeof(m->state), "%s", db_col(res, 1));
		m->keep = db_coll(res, 2);
		m->trip = db_coll(res, 3);
		m->attempt = db_coll(res, 4);
		m->restore = db_coll(res, 5);
		snprintf(m->ts, sizeof(m->ts), "%s", db_col(res, 6));
		snprintf(m->rs, sizeof(m->rs), "%s", db_col(res, 7));
		snprintf(m->ss, sizeof(m->ss), "%s", db_col(res, 8));
		m->op = db_coll(res, 9);
		snprintf(m->te, sizeof(m->te), "%s", db_col(res, 10));
		snprintf(m->re, sizeof(m->re), "%s", db_col(res, 11));
		snprintf(m->se, sizeof(m->se), "%s", db_col(res, 12));
	}
	db_res_free(res);
	return n;
}

/* The account *ARG closed and its meters released, in one transaction
 * (db_tx: run again on a deadlock or a cluster's certification failure):
 * 1, or 0 when another pass closed it first. */
static int
close_done(struct db *db, void *arg)
{
	int64_t acc = *(int64_t *)arg;

	if (db_exec(db, cq[C_DONE], "l", acc) != 1)
		return 0;
	return db_exec(db, cq[C_RELEASE], "l", acc) == -1 ? -1 : 1;
}

int
ledger_close_step(struct db *db, const struct actor *who, int64_t acc)
{
	struct cm ms[16];
	int64_t left = 1;
	int n, moved;

	for (int round = 0; round < 8; round++) {
		if ((n = close_load(db, acc, ms, 16)) == -1)
			return -1;
		if (n == 0) {
			if (db_exec(db, cq[C_MEMBERS], "l", acc) <= 0)
				break;
			continue;
		}
		moved = 0;
		for (int i = 0; i < n; i++) {
			int rc = close_move(db, acc, &ms[i]);

			if (rc == -1)
				return -1;
			moved += rc;
		}
		if (!moved)
			break;
	}
	/* closed when every meter is done (an account without any meter of
	 * money: at once) */
	if (db_value(db, &left, cq[C_LEFT], "l", acc) == -1)
		return -1;
	if (left > 0)
		return 0;
	if (db_tx(db, close_done, &acc) == 1) {
		char obj[64];

		snprintf(obj, sizeof(obj), "account:%lld", (long long)acc);
		oplog_write(db, who, "account.closed", obj, NULL, NULL);
		return 1;
	}
	return 0;
}

int
ledger_close_all(struct db *db, const struct actor *who)
{
	struct dbres *res = db_query(db, cq[C_CLOSING], "");
	int64_t ids[1000];
	int n = 0, nclosed = 0;

	if (res == NULL)
		return -1;
	while (db_next(res) == 1 && n < 1000)
		ids[n++] = db_coll(res, 0);
	db_res_free(res);
	for (int i = 0; i < n; i++) {
		int rc = ledger_close_step(db, who, ids[i]);

		if (rc == -1)
			return -1;
		nclosed += rc;
	}
	return nclosed;
}

static int
close_find(struct db *db, int64_t acc, int64_t meter, struct cm *m)
{
	struct cm ms[16];
	int n = close_load(db, acc, ms, 16);

	for (int i = 0; i < n; i++)
		if (ms[i].meter == meter) {
			*m = ms[i];
			return 1;
		}
	return n == -1 ? -1 : 0;
}

int
ledger_close_retry(struct db *db, int64_t acc, int64_t meter)
{
	struct cm m;
	int rc = close_find(db, acc, meter, &m);

	if (rc != 1)
		return rc;
	if (strcmp(m.state, "refused") == 0) {
		/* a new attempt from a read newer than now */
		if ((rc = (int)db_exec(db, cq[C_RETRY], "lll", acc, meter,
		    m.attempt)) <= 0)
			return rc;
		return db_exec(db, cq[C_READ_REQ], "l", meter) == -1 ? -1 : 1;
	}
	if (strcmp(m.state, "trip_failed") == 0)
		return queue_relay(db, acc, meter, "trip", m.trip);
	if (strcmp(m.state, "restore_failed") == 0)
		return queue_relay(db, acc, meter, "restore", m.restore);
	if (strcmp(m.state, "read") == 0)
		return db_exec(db, cq[C_READ_REQ], "l", meter) == -1 ? -1 : 1;
	return 0;
}

int
ledger_close_pay(struct db *db, int64_t acc, int64_t meter, int64_t op,
    int64_t *lid, const char **why)
{
	struct cm m;
	int64_t debt = 0;
	char idem[64];
	int rc = close_find(db, acc, meter, &m);

	*why = NULL;
	if (rc != 1 || strcmp(m.state, "overdraft"))
		return rc == -1 ? -1 : 3;
	if (db_value(db, &debt, cq[C_DEBT], "ll", acc, meter) != 1 ||
	    debt <= 0)
		return -1;
	{
		struct entry e = { .account_id = acc, .meter_id = meter,
		    .kind = LK_SALE, .amount = debt, .operator_id = op,
		    .idem_key = idem, .closing = 1, .note = "销户补交欠费" };

		snprintf(idem, sizeof(idem), "closepay:%lld:%lld:%lld",
		    (long long)acc, (long long)meter, (long long)m.attempt);
		if ((rc = ledger_issue(db, &e, lid, why)) == -1 || rc == 2)
			return rc;
	}
	set_state(db, acc, meter, "overdraft", m.attempt, "read", 1, NO_MONEY,
	    NULL);
	return rc;
}
