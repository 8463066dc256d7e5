/* batches.c - F15: a batch and its commands or read requests in one transaction, once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batches.h"
#include "cmdq.h"
#include "db.h"
#include "oplog.h"
#include "settings.h"

enum { Q_IDEM, Q_BATCH, Q_READ };
static const char *const q[] = {
	[Q_IDEM] = "SELECT id FROM batches WHERE idem_key = ?",
	[Q_BATCH] = "INSERT INTO batches (action, meters, created_by, idem_key)"
	    " VALUES (?, ?, NULLIF(?, 0), ?)",
	[Q_READ] = "INSERT INTO read_requests (meter_id, batch_id) VALUES (?, ?)",
};

/* The payload of a price or settings download from the defaults (F10),
 * "" for the others; 0, or -1 when a setting could not be read. */
static int
payload(struct db *db, const char *action, char *buf, size_t size)
{
	int64_t price = settings_int(db, "price");
	int64_t a1 = settings_int(db, "alarm1_fen");
	int64_t a2 = settings_int(db, "alarm2_fen");
	int64_t thr = settings_int(db, "power_threshold_w");

	buf[0] = '\0';
	if (price < 0 || a1 < 0 || a2 < 0 || thr < 0)
		return -1;
	if (strcmp(action, "price") == 0) {
		struct cmdq_price p = { .p = { price, price, price, price } };

		return cmdq_price_encode(&p, buf, size);
	}
	if (strcmp(action, "settings") == 0) {
		struct cmdq_settings st = { .alarm1 = a1, .alarm2 = a2,
		    .overdraft = 0, .threshold = (int)thr, .restore_delay = 60 };

		return cmdq_settings_encode(&st, buf, size);
	}
	return 0;
}

struct batch_tx {
	int64_t op;
	const char *action, *payload, *idem;
	const int64_t *ids;
	int n;
	int64_t id;
};

/* The batch row and a command (or read request) per meter, together. */
static int
batch_tx(struct db *db, void *arg)
{
	struct batch_tx *t = arg;

	if (db_exec(db, q[Q_BATCH], "slls", t->action, (int64_t)t->n, t->op,
	    t->idem) == -1)
		return -1;
	t->id = (int64_t)db_last_id(db);
	for (int i = 0; i < t->n; i++)
		if ((strcmp(t->action, "read") == 0 ?
		    db_exec(db, q[Q_READ], "ll", t->ids[i], t->id) :
		    cmdq_batch(db, t->id, t->ids[i], t->action, t->payload)) == -1)
			return -1;
	return 0;
}

int64_t
batches_create(struct db *db, const struct actor *who, const char *action,
    const int64_t *ids, int n, const char *idem)
{
	int64_t id = 0;
	char pl[CMDQ_PAYLOAD_SIZE];
	struct batch_tx t = { who->operator_id, action, pl, idem, ids, n, 0 };

	if (db_value(db, &id, q[Q_IDEM], "s", idem) == 1)
		return id;
	if (payload(db, action, pl, sizeof(pl)) == -1)
		return -1;
	if (db_tx(db, batch_tx, &t) == 0) {
		char obj[64], cnt[16], *after;

		snprintf(obj, sizeof(obj), "batch:%lld", (long long)t.id);
		snprintf(cnt, sizeof(cnt), "%d", n);
		after = oplog_json("action", action, "meters", cnt, "payload", pl,
		    NULL);
		oplog_write(db, who, "batch.create", obj, NULL, after);
		free(after);
		return t.id;
	}
	/* the same confirmation sent twice: the first batch */
	if (db_errno(db) == DB_ER_DUP_ENTRY &&
	    db_value(db, &id, q[Q_IDEM], "s", idem) == 1)
		return id;
	return -1;
}
