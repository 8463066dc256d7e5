/* ledger.c - the one place that writes money: an entry, its token and its purchase count together. */
#include <errno.h>
#include <string.h>

#include "db.h"
#include "ledger.h"
#include "log.h"

enum {
	Q_IDEM, Q_LOCK_ACCOUNT, Q_MEMBER, Q_MONEY, Q_LOCK_COUNT, Q_NEW_COUNT,
	Q_SET_COUNT, Q_COMMAND, Q_ENTRY, Q_REVERSED, Q_METER_MONEY
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
	[Q_COMMAND] = "INSERT INTO commands (meter_id, kind, purchase_count, amount_fen)"
	    " VALUES (?, ?, ?, ?)",
	[Q_ENTRY] = "INSERT INTO ledger (account_id, meter_id, kind, amount_fen,"
	    " operator_id, idem_key, reverses_id, command_id, note, link_id, channel)"
	    " VALUES (?, ?, ?, ?, NULLIF(?, 0), ?, NULLIF(?, 0), ?, ?, NULLIF(?, 0), ?)",
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

/* One attempt: 1 done, 2 refused, -1 error (the caller rolls back). */
static int
attempt(struct db *db, const struct entry *e, int64_t *id, const char **why)
{
	int64_t open = 0, n = 0, money = 0, count = 0, cmd;
	int rc;

	if (db_value(db, &open, q[Q_LOCK_ACCOUNT], "il", e->closing,
	    e->account_id) != 1 ||
	    !open) {
		*why = LEDGER_CLOSED;
		return 2;
	}
	if (db_value(db, &n, q[Q_MEMBER], "ll", e->account_id, e->meter_id) == -1)
		return -1;
	if (n == 0) {
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
	if (e->cap > 0 && e->amount > 0) {
		if (ledger_account_money(db, e->account_id, &money) == -1)
			return -1;
		if (money + e->amount > e->cap) {
			*why = LEDGER_CAP;
			return 2;
		}
	}
	/* A debit takes at most what the meter holds, by a fresh read. */
	if (e->amount < 0) {
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
	/* The purchase count: locked so that two tokens never share one. */
	rc = db_value(db, &count, q[Q_LOCK_COUNT], "l", e->meter_id);
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
	    db_exec(db, q[Q_COMMAND], "lsll", e->meter_id,
	    e->amount >= 0 ? "credit" : "debit", count,
	    e->amount >= 0 ? e->amount : -e->amount) == -1)
		return -1;
	cmd = (int64_t)db_last_id(db);
	if (db_exec(db, q[Q_ENTRY], "llsllsllsls", e->account_id, e->meter_id,
	    e->kind, e->amount, e->operator_id, e->idem_key, e->reverses_id,
	    cmd, e->note ? e->note : "", e->link_id,
	    e->channel ? e->channel : "counter") == -1)
		return -1;
	*id = (int64_t)db_last_id(db);
	return 1;
}

int
ledger_issue(struct db *db, const struct entry *e, int64_t *id,
    const char **why)
{
	int rc = -1;

	*why = NULL;
	if (e->amount == 0) {
		errno = EINVAL;
		return -1;
	}
	for (int tries = 0; tries < 5; tries++) {
		if (idem_lookup(db, e->idem_key, id) == 1)
			return 0;
		if (db_begin(db) == -1)
			return -1;
		rc = attempt(db, e, id, why);
		if (rc == 1 && db_commit(db) == 0)
			return 1;
		db_rollback(db);
		if (rc == 2)
			return 2;
		/* a concurrent repeat of the same form wins the key: return it */
		if (db_errno(db) == DB_ER_DUP_ENTRY && idem_lookup(db, e->idem_key,
		    id) == 1)
			return 0;
		if (db_errno(db) != DB_ER_DEADLOCK && db_errno(db) != DB_ER_LOCK_WAIT)
			break;
	}
	log_warnx("ledger entry %s for account %lld not written: %s", e->kind,
	    (long long)e->account_id, db_error(db));
	return -1;
}
