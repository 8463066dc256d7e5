/* balance.c - B1 per account: the ledger against the meters' money and the value of the energy they measured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balance.h"
#include "db.h"

#define READ_COLS "DATE_FORMAT(read_at, '%Y-%m-%d %H:%i:%s.%f'), remaining_fen," \
	" purchase_count, e_spike IS NULL, COALESCE(e_spike, 0), COALESCE(e_peak, 0)," \
	" COALESCE(e_flat, 0), COALESCE(e_valley, 0), energy FROM readings"

enum {
	Q_FIRST, Q_JOINED, Q_AT_COUNT, Q_BEFORE_OR_AT, Q_LAST, Q_BEFORE, Q_AFTER,
	Q_LEDGER, Q_PRICES
};
static const char *const q[] = {
	/* the account's first token on the meter, or the token that cleared
	 * the money found on it when the account took it */
	[Q_FIRST] = "SELECT COALESCE(MIN(c.purchase_count), -1) FROM ledger l"
	    " JOIN commands c ON c.id = l.command_id"
	    " WHERE l.meter_id = ? AND (l.account_id = ? OR (l.kind = 'meter_clear'"
	    "   AND l.created_at >= (SELECT x.added_at FROM account_meters x"
	    "     WHERE x.account_id = ? AND x.meter_id = l.meter_id)))",
	[Q_JOINED] = "SELECT DATE_FORMAT(added_at, '%Y-%m-%d %H:%i:%s') FROM account_meters"
	    " WHERE account_id = ? AND meter_id = ?",
	/* the last read before that token was applied */
	[Q_AT_COUNT] = "SELECT " READ_COLS " WHERE meter_id = ? AND purchase_count = ?"
	    " AND remaining_fen IS NOT NULL ORDER BY read_at DESC LIMIT 1",
	[Q_BEFORE_OR_AT] = "SELECT " READ_COLS " WHERE meter_id = ? AND read_at <= ?"
	    " AND remaining_fen IS NOT NULL ORDER BY read_at DESC LIMIT 1",
	[Q_LAST] = "SELECT " READ_COLS " WHERE meter_id = ?"
	    " AND remaining_fen IS NOT NULL ORDER BY read_at DESC LIMIT 1",
	[Q_BEFORE] = "SELECT " READ_COLS " WHERE meter_id = ? AND read_at < ?"
	    " AND remaining_fen IS NOT NULL ORDER BY read_at DESC LIMIT 1",
	[Q_AFTER] = "SELECT " READ_COLS " WHERE meter_id = ? AND read_at >= ?"
	    " AND remaining_fen IS NOT NULL ORDER BY read_at LIMIT 1",
	/* the account's entries whose tokens the meter applied between (and a
	 * clear of the money found on the meter at its opening) */
	[Q_LEDGER] = "SELECT COALESCE(SUM(l.amount_fen), 0) FROM ledger l"
	    " JOIN commands c ON c.id = l.command_id"
	    " WHERE (l.account_id = ? OR l.kind = 'meter_clear') AND l.meter_id = ?"
	    " AND c.status = 'confirmed' AND c.purchase_count > ? AND c.purchase_count <= ?",
	/* the prices the meter confirmed, in order, up to the last read */
	[Q_PRICES] = "SELECT DATE_FORMAT(done_at, '%Y-%m-%d %H:%i:%s.%f'), payload"
	    " FROM commands WHERE meter_id = ? AND kind = 'price'"
	    " AND status = 'confirmed' AND done_at <= ? ORDER BY done_at, id",
};

struct rd {
	char	at[32];
	int64_t	money, count, e[4], energy;
	int	noslots;
};

/* One read by STMT with parameters meter and S or I; 1, 0 none, -1. */
static int
read_one(struct db *db, int stmt, int64_t meter, const char *s, int64_t i,
    struct rd *r)
{
	struct dbres *res = s ? db_query(db, q[stmt], "ls", meter, s) :
	    i >= 0 ? db_query(db, q[stmt], "ll", meter, i) :
	    db_query(db, q[stmt], "l", meter);
	int rc;

	if (res == NULL)
		return -1;
	if ((rc = db_next(res)) == 1) {
		snprintf(r->at, sizeof(r->at), "%s", db_col(res, 0));
		r->money = db_coll(res, 1);
		r->count = db_coll(res, 2);
		r->noslots = (int)db_coll(res, 3);
		for (int k = 0; k < 4; k++)
			r->e[k] = db_coll(res, 4 + k);
		r->energy = db_coll(res, 8);
	}
	db_res_free(res);
	return rc;
}

/* The value of the energy from X to Y at prices P, in 0.0001 fen. */
static int64_t
value(const struct rd *x, const struct rd *y, const int64_t p[4])
{
	int64_t v = 0;

	if (x->noslots || y->noslots)
		return (y->energy - x->energy) * p[2];
	for (int k = 0; k < 4; k++)
		v += (y->e[k] - x->e[k]) * p[k];
	return v;
}

/* p0..p3 of a price payload into P (unchanged where absent). */
static void
prices_of(const char *payload, int64_t p[4])
{
	for (int k = 0; k < 4; k++) {
		char key[8];
		const char *s;

		snprintf(key, sizeof(key), "p%d=", k);
		for (s = payload; (s = strstr(s, key)) != NULL; s++)
			if (s == payload || s[-1] == '&') {
				p[k] = strtoll(s + 3, NULL, 10);
				break;
			}
	}
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

int
balance_meter(struct db *db, int64_t account, int64_t meter,
    int64_t default_price, struct balance *b)
{
	struct rd from, to, cur, before, after;
	struct dbres *res;
	int64_t first = -1, p[4], lo = 0, hi = 0, mix_lo = 0, mix_hi = 0;
	int64_t mix_d[4] = { 0 }, mix_energy = 0;
	char joined[24] = "", mix_end[32] = "";
	int rc;

	memset(b, 0, sizeof(*b));
	if (db_value(db, &first, q[Q_FIRST], "lll", meter, account,
	    account) == -1)
		return -1;
	rc = first > 0 ? read_one(db, Q_AT_COUNT, meter, NULL, first - 1, &from) : 0;
	if (rc == 0) {
		if ((res = db_query(db, q[Q_JOINED], "ll", account, meter)) == NULL)
			return -1;
		if (db_next(res) == 1)
			snprintf(joined, sizeof(joined), "%s", db_col(res, 0));
		db_res_free(res);
		rc = read_one(db, Q_BEFORE_OR_AT, meter, joined, -1, &from);
		if (rc == 0)
			rc = read_one(db, Q_AFTER, meter, joined, -1, &from);
	}
	if (rc != 1)
		return rc;
	if ((rc = read_one(db, Q_LAST, meter, NULL, -1, &to)) != 1)
		return rc;
	if (strcmp(to.at, from.at) <= 0)
		return 0;
	if (db_value(db, &b->ledger, q[Q_LEDGER], "llll", account, meter,
	    from.count, to.count) == -1)
		return -1;

	/* the meter's prices: the site's default until it confirmed others */
	for (int k = 0; k < 4; k++)
		p[k] = default_price;
	cur = from;
	if ((res = db_query(db, q[Q_PRICES], "ls", meter, to.at)) == NULL)
		return -1;
	while (db_next(res) == 1) {
		const char *t = db_col(res, 0);
		int64_t np[4];

		memcpy(np, p, sizeof(np));
		prices_of(db_col(res, 1), np);
		if (strcmp(t, from.at) <= 0) {
			memcpy(p, np, sizeof(p));
			continue;
		}
		b->prices++;
		if (mix_end[0] && strcmp(t, mix_end) <= 0) {
			/* another change inside the interval already mixed */
			struct rd z = { .noslots = 0 }, d = { .noslots = 0 };
			int64_t v;

			for (int k = 0; k < 4; k++)
				d.e[k] = mix_d[k];
			d.energy = mix_energy;
			v = value(&z, &d, np);
			lo += min64(mix_lo, v) - mix_lo;
			hi += max64(mix_hi, v) - mix_hi;
			mix_lo = min64(mix_lo, v);
			mix_hi = max64(mix_hi, v);
			memcpy(p, np, sizeof(p));
			continue;
		}
		if ((rc = read_one(db, Q_BEFORE, meter, t, -1, &before)) == -1)
			break;
		if (rc == 0 || strcmp(before.at, cur.at) < 0)
			before = cur;
		if ((rc = read_one(db, Q_AFTER, meter, t, -1, &after)) == -1)
			break;
		if (rc == 0 || strcmp(after.at, to.at) > 0)
			after = to;
		/* at the old prices up to the read before the change */
		lo += value(&cur, &before, p);
		hi += value(&cur, &before, p);
		/* the interval holding the change: either price, or between */
		mix_lo = min64(value(&before, &after, p), value(&before, &after, np));
		mix_hi = max64(value(&before, &after, p), value(&before, &after, np));
		lo += mix_lo;
		hi += mix_hi;
		for (int k = 0; k < 4; k++)
			mix_d[k] = after.e[k] - before.e[k];
		mix_energy = after.energy - before.energy;
		if (before.noslots || after.noslots)
			for (int k = 0; k < 4; k++)
				mix_d[k] = k == 2 ? mix_energy : 0;
		snprintf(mix_end, sizeof(mix_end), "%s", after.at);
		cur = after;
		memcpy(p, np, sizeof(p));
	}
	db_res_free(res);
	if (rc == -1)
		return -1;
	lo += value(&cur, &to, p);
	hi += value(&cur, &to, p);

	b->money_from = from.money;
	b->money_to = to.money;
	b->energy = to.energy - from.energy;
	b->used_lo = lo / 10000;
	b->used_hi = (hi + 9999) / 10000;
	snprintf(b->from, sizeof(b->from), "%.19s", from.at);
	snprintf(b->to, sizeof(b->to), "%.19s", to.at);
	/* the meter carries sub-fen remainders: a fen either way */
	b->took = b->ledger + b->money_from - b->money_to;
	b->ok = b->took >= b->used_lo - 1 && b->took <= b->used_hi + 1;
	return 1;
}
