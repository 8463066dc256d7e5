/* balance.c - B1 per account: the ledger against the meters' money and the value of the energy they measured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balance.h"
#include "cmdq.h"
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

/* The prices of a confirmed price command's PAYLOAD into P (unchanged when
 * it is not one: the meter refused such a command). */
static void
prices_of(const char *payload, int64_t p[4])
{
	struct cmdq_price pr;

	if (cmdq_price_decode(payload, &pr) == 0)
		memcpy(p, pr.p, sizeof(pr.p));
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

/* The reads the balance runs between: FROM, the last before the account's
 * first token on the meter (else at or after it joined), and TO, the last.
 * 1, 0 when there is no interval, -1. */
static int
reads_between(struct db *db, int64_t account, int64_t meter, struct rd *from,
    struct rd *to)
{
	struct dbres *res;
	int64_t first = -1;
	char joined[24] = "";
	int rc;

	if (db_value(db, &first, q[Q_FIRST], "lll", meter, account,
	    account) == -1)
		return -1;
	rc = first > 0 ? read_one(db, Q_AT_COUNT, meter, NULL, first - 1, from) : 0;
	if (rc == 0) {
		if ((res = db_query(db, q[Q_JOINED], "ll", account, meter)) == NULL)
			return -1;
		if (db_next(res) == 1)
			snprintf(joined, sizeof(joined), "%s", db_col(res, 0));
		db_res_free(res);
		rc = read_one(db, Q_BEFORE_OR_AT, meter, joined, -1, from);
		if (rc == 0)
			rc = read_one(db, Q_AFTER, meter, joined, -1, from);
	}
	if (rc != 1)
		return rc;
	if ((rc = read_one(db, Q_LAST, meter, NULL, -1, to)) != 1)
		return rc;
	return strcmp(to->at, from->at) > 0;
}

/* The value of the energy from FROM to TO, walked price change by price
 * change: bounds LO..HI (0.0001 fen), as the exact read of a change is not
 * known; MIX the interval holding the last change, valued either way. */
struct walk {
	struct rd	cur;		/* valued up to here */
	int64_t		p[4];		/* prices in force at cur */
	int64_t		lo, hi, mix_lo, mix_hi;
	struct rd	mix;		/* the energy of that interval */
	char		mix_end[32];
	int		prices;		/* changes in the interval */
};

/* Another change inside the interval already mixed: its value at NP widens
 * the bounds. */
static void
walk_remix(struct walk *w, const int64_t np[4])
{
	struct rd z = { .noslots = 0 };
	int64_t v = value(&z, &w->mix, np);

	w->lo += min64(w->mix_lo, v) - w->mix_lo;
	w->hi += max64(w->mix_hi, v) - w->mix_hi;
	w->mix_lo = min64(w->mix_lo, v);
	w->mix_hi = max64(w->mix_hi, v);
}

/* A change to NP confirmed at T (before TO): the old prices up to the read
 * before it, the interval holding it at either. 0 or -1. */
static int
walk_change(struct db *db, int64_t meter, struct walk *w, const char *t,
    const int64_t np[4], const struct rd *to)
{
	struct rd before, after;
	int rc;

	if ((rc = read_one(db, Q_BEFORE, meter, t, -1, &before)) == -1)
		return -1;
	if (rc == 0 || strcmp(before.at, w->cur.at) < 0)
		before = w->cur;
	if ((rc = read_one(db, Q_AFTER, meter, t, -1, &after)) == -1)
		return -1;
	if (rc == 0 || strcmp(after.at, to->at) > 0)
		after = *to;
	w->lo += value(&w->cur, &before, w->p);
	w->hi += value(&w->cur, &before, w->p);
	w->mix_lo = min64(value(&before, &after, w->p), value(&before, &after, np));
	w->mix_hi = max64(value(&before, &after, w->p), value(&before, &after, np));
	w->lo += w->mix_lo;
	w->hi += w->mix_hi;
	memset(&w->mix, 0, sizeof(w->mix));
	for (int k = 0; k < 4; k++)
		w->mix.e[k] = after.e[k] - before.e[k];
	w->mix.energy = after.energy - before.energy;
	if (before.noslots || after.noslots)
		for (int k = 0; k < 4; k++)
			w->mix.e[k] = k == 2 ? w->mix.energy : 0;
	snprintf(w->mix_end, sizeof(w->mix_end), "%s", after.at);
	w->cur = after;
	return 0;
}

/* Walks the meter's confirmed prices from FROM to TO (the site's default
 * until it confirmed others); 0 or -1. */
static int
walk_prices(struct db *db, int64_t meter, int64_t default_price,
    const struct rd *from, const struct rd *to, struct walk *w)
{
	struct dbres *res;
	int rc = 0;

	memset(w, 0, sizeof(*w));
	for (int k = 0; k < 4; k++)
		w->p[k] = default_price;
	w->cur = *from;
	if ((res = db_query(db, q[Q_PRICES], "ls", meter, to->at)) == NULL)
		return -1;
	while (rc == 0 && db_next(res) == 1) {
		const char *t = db_col(res, 0);
		int64_t np[4];

		memcpy(np, w->p, sizeof(np));
		prices_of(db_col(res, 1), np);
		if (strcmp(t, from->at) > 0) {
			w->prices++;
			if (w->mix_end[0] && strcmp(t, w->mix_end) <= 0)
				walk_remix(w, np);
			else
				rc = walk_change(db, meter, w, t, np, to);
		}
		memcpy(w->p, np, sizeof(w->p));
	}
	db_res_free(res);
	if (rc == -1)
		return -1;
	w->lo += value(&w->cur, to, w->p);
	w->hi += value(&w->cur, to, w->p);
	return 0;
}

int
balance_meter(struct db *db, int64_t account, int64_t meter,
    int64_t default_price, struct balance *b)
{
	struct rd from, to;
	struct walk w;
	int rc;

	memset(b, 0, sizeof(*b));
	if ((rc = reads_between(db, account, meter, &from, &to)) != 1)
		return rc;
	if (db_value(db, &b->ledger, q[Q_LEDGER], "llll", account, meter,
	    from.count, to.count) == -1)
		return -1;
	if (walk_prices(db, meter, default_price, &from, &to, &w) == -1)
		return -1;
	b->prices = w.prices;
	b->money_from = from.money;
	b->money_to = to.money;
	b->energy = to.energy - from.energy;
	b->used_lo = w.lo / 10000;
	b->used_hi = (w.hi + 9999) / 10000;
	snprintf(b->from, sizeof(b->from), "%.19s", from.at);
	snprintf(b->to, sizeof(b->to), "%.19s", to.at);
	/* the meter carries sub-fen remainders: a fen either way */
	b->took = b->ledger + b->money_from - b->money_to;
	b->ok = b->took >= b->used_lo - 1 && b->took <= b->used_hi + 1;
	return 1;
}
