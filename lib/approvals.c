/* approvals.c - B8: a request for a second operator, written once and logged. */
#include <stdio.h>
#include <stdlib.h>

#include "approvals.h"
#include "db.h"
#include "money.h"
#include "oplog.h"
#include "settings.h"

enum { Q_IDEM, Q_INSERT };
static const char *const q[] = {
	[Q_IDEM] = "SELECT id FROM approvals WHERE idem_key = ?",
	[Q_INSERT] = "INSERT INTO approvals (kind, account_id, meter_id, amount_fen,"
	    " reverses_id, meters, note, idem_key, requested_by)"
	    " VALUES (?, NULLIF(?, 0), NULLIF(?, 0), ?, NULLIF(?, 0), ?, ?, ?, ?)",
};

int
approvals_needed(struct db *db, const char *kind)
{
	char name[64];

	snprintf(name, sizeof(name), "approve_%s", kind);
	return settings_int(db, name) != 0;
}

int64_t
approvals_request(struct db *db, const struct actor *who, const char *kind,
    int64_t account, int64_t meter, int64_t amount, int64_t reverses,
    const char *meters, const char *note, const char *idem)
{
	int64_t id;
	char obj[64], buf[32], *after;

	if (db_value(db, &id, q[Q_IDEM], "s", idem) == 1)
		return id;
	if (db_exec(db, q[Q_INSERT], "sllllsssl", kind, account, meter, amount,
	    reverses, meters, note ? note : "", idem, who->operator_id) == -1) {
		if (db_errno(db) == DB_ER_DUP_ENTRY &&
		    db_value(db, &id, q[Q_IDEM], "s", idem) == 1)
			return id;
		return -1;
	}
	id = (int64_t)db_last_id(db);
	snprintf(obj, sizeof(obj), "approval:%lld", (long long)id);
	after = oplog_json("kind", kind, "amount", money_format(amount, buf,
	    sizeof(buf)), "note", note ? note : "", NULL);
	oplog_write(db, who, "approval.request", obj, NULL, after);
	free(after);
	return id;
}
