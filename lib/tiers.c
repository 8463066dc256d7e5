/* tiers.c - tiered (阶梯) tariffs: the tier price each account's monthly consumption calls for, and the settlement by adjustment tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdq.h"
#include "db.h"
#include "ledger.h"
#include "log.h"
#include "tariff.h"
#include "tiers.h"

enum {
	Q_NOW, Q_METERS, Q_ENERGY_AT, Q_LOCK, Q_STATE, Q_SETTLED,
	Q_GROUP, Q_READINGS, Q_TOKENS, Q_DONE, Q_ADJUSTED, Q_AMOUNT, Q_RECORD,
	Q_CLOSING
};
static const char *const q[] = {
	/* this local month, its start in UTC, and now */
	[Q_NOW] = "SELECT m, CONVERT_TZ(m, p.tz, '+00:00'), UTC_TIMESTAMP(3)"
	    " FROM (SELECT DATE_FORMAT(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', ?),"
	    " '%Y-%m-01') AS m, ? AS tz) p",
	/* the meters of open accounts whose tariff in force has tiers */
	[Q_METERS] = "SELECT am.account_id, am.meter_id, v.id, v.tiers,"
	    " COALESCE(s.energy, -1), COALESCE(ts.account_id, 0),"
	    " COALESCE(ts.month, ''), COALESCE(ts.version_id, 0),"
	    " COALESCE(ts.tier, -1), COALESCE(ts.base_energy, 0),"
	    " COALESCE(ts.command_id, 0), COALESCE(ts.settled_command_id, 0),"
	    " COALESCE(c.status, ''), COALESCE(ts.since, ''),"
	    " EXISTS (SELECT 1 FROM readings r WHERE r.meter_id = am.meter_id"
	    "   AND r.read_at > c.done_at)"
	    " FROM account_meters am JOIN accounts a ON a.id = am.account_id"
	    " JOIN meter_tariffs mt ON mt.meter_id = am.meter_id"
	    " JOIN tariff_versions v ON v.tariff_id = mt.tariff_id"
	    " JOIN (SELECT ? AS tz) p"
	    " LEFT JOIN meter_state s ON s.meter_id = am.meter_id"
	    " LEFT JOIN tier_state ts ON ts.meter_id = am.meter_id"
	    " LEFT JOIN commands c ON c.id = ts.command_id"
	    " WHERE am.active = 1 AND a.status = 'open' AND v.tiers <> ''"
	    " AND v.effective_date = (SELECT MAX(w.effective_date) FROM tariff_versions w"
	    "   WHERE w.tariff_id = mt.tariff_id AND w.effective_date <="
	    "   DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', p.tz)))"
	    " ORDER BY am.account_id, am.meter_id",
	/* the energy register at a time: the last read before, else the latest */
	[Q_ENERGY_AT] = "SELECT COALESCE((SELECT r.energy FROM readings r"
	    " WHERE r.meter_id = ? AND r.read_at < ? ORDER BY r.read_at DESC LIMIT 1),"
	    " (SELECT s.energy FROM meter_state s WHERE s.meter_id = ?), 0)",
	[Q_LOCK] = "SELECT COALESCE((SELECT command_id FROM tier_state"
	    " WHERE meter_id = ? FOR UPDATE), 0)",
	[Q_STATE] = "INSERT INTO tier_state (meter_id, account_id, month, since,"
	    " base_energy, version_id, tier, command_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE settled_command_id = IF(account_id = VALUES(account_id)"
	    "   AND month = VALUES(month), settled_command_id, NULL),"
	    " account_id = VALUES(account_id), month = VALUES(month),"
	    " since = VALUES(since), base_energy = VALUES(base_energy),"
	    " version_id = VALUES(version_id), tier = VALUES(tier),"
	    " command_id = VALUES(command_id), updated_at = UTC_TIMESTAMP(3)",
	[Q_SETTLED] = "UPDATE tier_state SET settled_command_id = command_id"
	    " WHERE meter_id = ? AND command_id = ?",
	/* the meters of an account counted in a month, with their tiers */
	[Q_GROUP] = "SELECT ts.meter_id, ts.since, v.tiers FROM tier_state ts"
	    " JOIN tariff_versions v ON v.id = ts.version_id"
	    " WHERE ts.account_id = ? AND ts.month = ? ORDER BY ts.meter_id",
	/* a meter's reads in the month from SINCE, with the one before */
	[Q_READINGS] = "SELECT TIMESTAMPDIFF(MICROSECOND, '2000-01-01', r.read_at) DIV 1000,"
	    " r.energy, r.remaining_fen, r.purchase_count,"
	    " DATE_FORMAT(r.read_at, '%Y-%m-%d %H:%i:%s.%f')"
	    " FROM readings r JOIN (SELECT GREATEST(?, CONVERT_TZ(?, ?, '+00:00')) AS f,"
	    "   CONVERT_TZ(? + INTERVAL 1 MONTH, ?, '+00:00') AS t) p"
	    " WHERE r.meter_id = ? AND r.remaining_fen IS NOT NULL"
	    " AND r.purchase_count IS NOT NULL AND r.read_at < p.t"
	    " AND r.read_at >= COALESCE((SELECT MAX(x.read_at) FROM readings x"
	    "   WHERE x.meter_id = ? AND x.read_at < p.f), p.f)"
	    " ORDER BY r.read_at",
	/* a meter's confirmed tokens after a purchase count, signed */
	[Q_TOKENS] = "SELECT purchase_count, IF(kind = 'credit', amount_fen, -amount_fen)"
	    " FROM commands WHERE meter_id = ? AND kind IN ('credit', 'debit')"
	    " AND status = 'confirmed' AND purchase_count > ? ORDER BY purchase_count",
	[Q_DONE] = "SELECT COUNT(*) FROM tier_settlements WHERE idem_key = ?",
	/* what the month's settlements already gave (less tokens refused) */
	[Q_ADJUSTED] = "SELECT COALESCE(SUM(l.amount_fen), 0) FROM tier_settlements t"
	    " JOIN ledger l ON l.id = t.ledger_id OR (l.link_id = t.ledger_id"
	    "   AND l.kind = 'token_failed')"
	    " WHERE t.meter_id = ? AND t.month = ?",
	[Q_AMOUNT] = "SELECT amount_fen FROM ledger WHERE id = ?",
	[Q_RECORD] = "INSERT IGNORE INTO tier_settlements (meter_id, account_id,"
	    " month, idem_key, through_at, energy, exact_fen, deducted_fen,"
	    " adjust_fen, ledger_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0))",
	[Q_CLOSING] = "SELECT meter_id, month FROM tier_state WHERE account_id = ?"
	    " ORDER BY meter_id",
};

/* This local month ("YYYY-MM-01", 16 bytes), its start in UTC and now (32 each). */
static int
month_now(struct db *db, const char *tz, char *month, char *month_utc, char *now)
{
	struct dbres *res = db_query(db, q[Q_NOW], "ss", tz, tz);

	if (res == NULL)
		return -1;
	month[0] = month_utc[0] = now[0] = '\0';
	if (db_next(res) == 1) {
		snprintf(month, 16, "%s", db_col(res, 0));
		snprintf(month_utc, 32, "%s", db_col(res, 1));
		snprintf(now, 32, "%s", db_col(res, 2));
	}
	db_res_free(res);
	return 0;
}

/* One interval between two reads of a meter. */
struct span {
	int64_t	end_ms;
	int	meter;		/* index into the group */
	int64_t	energy;		/* 0.01 kWh */
	int64_t	deducted;	/* fen the meter took in it */
};

struct gmeter {
	int64_t		id;
	struct tiers	t;
	int64_t		exact;		/* 0.0001 fen */
	int64_t		deducted;	/* fen */
	int64_t		energy;
	char		through[32];
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->end_ms != y->end_ms)
		return x->end_ms < y->end_ms ? -1 : 1;
	return x->meter - y->meter;
}

/* Appends the spans of meter G (index GI) to *SP; 0 or -1. */
static int
spans(struct db *db, const char *tz, const char *month, const char *since,
    struct gmeter *g, int gi, struct span **sp, size_t *n, size_t *cap)
{
	struct dbres *res, *tok;
	int64_t pe = 0, prem = 0, ppc = 0, first = 1;
	int64_t *tc = NULL, *ta = NULL;
	size_t nt = 0;

	if ((res = db_query(db, q[Q_READINGS], "sssssll", since, month, tz,
	    month, tz, g->id, g->id)) == NULL)
		return -1;
	while (db_next(res) == 1) {
		int64_t e = db_coll(res, 1), rem = db_coll(res, 2),
		    pc = db_coll(res, 3), tokens = 0;

		if (first) {
			/* the meter's confirmed tokens after its first count */
			if ((tok = db_query(db, q[Q_TOKENS], "ll", g->id, pc)) == NULL)
				goto fail;
			nt = 0;
			tc = calloc((size_t)db_nrows(tok) + 1, sizeof(*tc));
			ta = calloc((size_t)db_nrows(tok) + 1, sizeof(*ta));
			if (tc == NULL || ta == NULL) {
				db_res_free(tok);
				goto fail;
			}
			while (db_next(tok) == 1) {
				tc[nt] = db_coll(tok, 0);
				ta[nt++] = db_coll(tok, 1);
			}
			db_res_free(tok);
			first = 0;
			pe = e, prem = rem, ppc = pc;
			continue;
		}
		for (size_t k = 0; k < nt; k++)
			if (tc[k] > ppc && tc[k] <= pc)
				tokens += ta[k];
		if (*n == *cap) {
			struct span *ns;

			*cap = *cap ? *cap * 2 : 1024;
			if ((ns = realloc(*sp, *cap * sizeof(*ns))) == NULL)
				goto fail;
			*sp = ns;
		}
		(*sp)[*n].end_ms = db_coll(res, 0);
		(*sp)[*n].meter = gi;
		/* a register that went back (a new meter) uses nothing */
		(*sp)[*n].energy = e > pe ? e - pe : 0;
		(*sp)[*n].deducted = prem - rem + tokens;
		(*n)++;
		snprintf(g->through, sizeof(g->through), "%s", db_col(res, 4));
		pe = e, prem = rem, ppc = pc;
	}
	db_res_free(res);
	free(tc);
	free(ta);
	return 0;
fail:
	db_res_free(res);
	free(tc);
	free(ta);
	return -1;
}

/* The meters of an account counted in a month and their read intervals. */
struct group {
	struct gmeter	*g;
	int		n, target;	/* target: the meter settled, or -1 */
	struct span	*sp;
	size_t		nsp, cap;
};

/* Loads the meters of ACCOUNT counted in MONTH, their tiers and spans,
 * into GR (freed by the caller); 0 or -1. */
static int
group_load(struct db *db, const char *tz, int64_t account, int64_t meter,
    const char *month, struct group *gr)
{
	struct dbres *res;
	int rc = 0;

	if ((res = db_query(db, q[Q_GROUP], "ls", account, month)) == NULL)
		return -1;
	if ((gr->g = calloc((size_t)db_nrows(res) + 1, sizeof(*gr->g))) == NULL) {
		db_res_free(res);
		return -1;
	}
	while (rc == 0 && db_next(res) == 1) {
		struct gmeter *m = &gr->g[gr->n];

		m->id = db_coll(res, 0);
		if (tier_parse(db_col(res, 2), &m->t) != NULL)
			continue;
		if (m->id == meter)
			gr->target = gr->n;
		rc = spans(db, tz, month, db_col(res, 1), m, gr->n, &gr->sp,
		    &gr->nsp, &gr->cap);
		gr->n++;
	}
	db_res_free(res);
	return rc;
}

/* The exact charge of every interval, in the order of the account's
 * consumption (meters interleaved, as it grows read by read). */
static void
group_charge(struct group *gr)
{
	int64_t used = 0;

	qsort(gr->sp, gr->nsp, sizeof(*gr->sp), span_cmp);
	for (size_t i = 0; i < gr->nsp; i++) {
		struct gmeter *m = &gr->g[gr->sp[i].meter];

		m->exact += tier_charge(&m->t, used, gr->sp[i].energy);
		m->deducted += gr->sp[i].deducted;
		m->energy += gr->sp[i].energy;
		used += gr->sp[i].energy;
	}
}

/* The adjustment of meter T against what earlier settlements gave, as a
 * ledger entry under KEY, and the settlement's record; 1 when an entry was
 * written, 0, -1. */
static int
settle_record(struct db *db, int64_t account, const struct gmeter *t,
    const char *month, const char *key)
{
	int64_t already = 0, diff, adjust, lid = 0;
	const char *why;
	char note[64];
	int rc = 0, r2;

	/* whole fen only: a meter carries its sub-fen remainder itself */
	diff = (t->deducted * 10000 - t->exact) / 10000;
	if (db_value(db, &already, q[Q_ADJUSTED], "ls", t->id, month) == -1)
		return -1;
	adjust = diff - already;
	if (adjust != 0) {
		struct entry e = { .account_id = account, .meter_id = t->id,
		    .kind = LK_ADJUSTMENT, .amount = adjust, .idem_key = key,
		    .note = note, .channel = "system" };

		snprintf(note, sizeof(note), "阶梯电价结算 %.7s", month);
		if ((r2 = ledger_issue(db, &e, &lid, &why)) == -1)
			return -1;
		if (r2 == 2) {
			/* kept with no entry: the reconciliation page lists it */
			log_warnx("tier settlement %s of %lld fen refused: %s", key,
			    (long long)adjust, why);
			lid = 0;
		} else if (r2 == 0 &&
		    db_value(db, &adjust, q[Q_AMOUNT], "l", lid) == -1)
			return -1;
		rc = lid != 0;
	}
	if (db_exec(db, q[Q_RECORD], "llssslllll", t->id, account, month, key,
	    t->through, t->energy, (t->exact + 5000) / 10000, t->deducted,
	    adjust, lid) == -1)
		return -1;
	return rc;
}

/*
 * Settles METER of ACCOUNT for MONTH (local "YYYY-MM-01") under KEY: the
 * exact charge of every read interval, in the order of the account's
 * consumption, against what the meter deducted. Returns 1 when an entry
 * was written, 0 when nothing was to do, -1 on error.
 */
static int
settle(struct db *db, const char *tz, int64_t account, int64_t meter,
    const char *month, const char *key)
{
	struct group gr = { .target = -1 };
	int64_t done = 0;
	int rc = -1;

	if (db_value(db, &done, q[Q_DONE], "s", key) == -1)
		return -1;
	if (done)
		return 0;
	if (group_load(db, tz, account, meter, month, &gr) == -1)
		goto out;
	if (gr.target < 0 || gr.g[gr.target].through[0] == '\0') {
		rc = 0;
		goto out;
	}
	group_charge(&gr);
	rc = settle_record(db, account, &gr.g[gr.target], month, key);
out:
	free(gr.sp);
	free(gr.g);
	return rc;
}

/* The meters of one account on tiered tariffs, from Q_METERS. */
struct tmeter {
	int64_t		account, meter, version, energy, ts_account, ts_version;
	int64_t		base, cmd, settled;
	int		ts_tier, read_after;
	char		ts_month[16], status[16], since[32];
	struct tiers	t;
};

struct send {
	int64_t account;
	struct tmeter *m;
	int tier;
	const char *month;
};

/* send_tier's transaction (db_tx: run again on a deadlock or a cluster's
 * certification failure). */
static int
send_tx(struct db *db, void *arg)
{
	struct send *s = arg;
	struct tmeter *m = s->m;
	int64_t pr = m->t.price[s->tier], cmd = 0;
	struct cmdq_price p = { .p = { pr, pr, pr, pr } };

	if (db_value(db, &cmd, q[Q_LOCK], "l", m->meter) == -1)
		return -1;
	if (cmd != m->cmd)
		return 0;
	if ((cmd = cmdq_price(db, m->meter, &p)) == -1 ||
	    db_exec(db, q[Q_STATE], "llssllil", m->meter, s->account, s->month,
	    m->since, m->base, m->version, s->tier, cmd) == -1)
		return -1;
	return 1;
}

/* Queues M's tier price and records it, unless another pass did; 0/1/-1. */
static int
send_tier(struct db *db, int64_t account, struct tmeter *m, int tier,
    const char *month)
{
	struct send s = { account, m, tier, month };

	return db_tx(db, send_tx, &s);
}

static long
account_pass(struct db *db, const char *tz, const char *month,
    const char *month_utc, const char *now, int64_t account,
    struct tmeter *ms, int n)
{
	int64_t used = 0;
	long total = 0;
	char key[64];
	int rc;

	/* a month that ended: its last settlement, before anything moves on */
	for (int i = 0; i < n; i++) {
		struct tmeter *m = &ms[i];

		if (m->ts_account != account || m->ts_month[0] == '\0' ||
		    strcmp(m->ts_month, month) == 0)
			continue;
		snprintf(key, sizeof(key), "tier:%lld:%.4s%.2s:final",
		    (long long)m->meter, m->ts_month, m->ts_month + 5);
		if ((rc = settle(db, tz, account, m->meter, m->ts_month, key)) == -1)
			return -1;
		total += rc;
	}
	/* this month's consumption of the account so far */
	for (int i = 0; i < n; i++) {
		struct tmeter *m = &ms[i];

		if (m->ts_account == account && strcmp(m->ts_month, month) == 0) {
			/* counting goes on: base and since as recorded */
		} else {
			/* a new month counts from its start; a new meter from now */
			snprintf(m->since, sizeof(m->since), "%s",
			    m->ts_account == account ? month_utc : now);
			if (db_value(db, &m->base, q[Q_ENERGY_AT], "lsl", m->meter,
			    m->since, m->meter) == -1)
				return -1;
		}
		if (m->energy > m->base)
			used += m->energy - m->base;
	}
	for (int i = 0; i < n; i++) {
		struct tmeter *m = &ms[i];
		int tier = tier_index(&m->t, used);

		if (m->ts_account != account || strcmp(m->ts_month, month) != 0 ||
		    m->ts_version != m->version || m->ts_tier != tier ||
		    strcmp(m->status, "failed") == 0) {
			if ((rc = send_tier(db, account, m, tier, month)) == -1)
				return -1;
			total += rc;
		} else if (strcmp(m->status, "confirmed") == 0 &&
		    m->settled != m->cmd && m->read_after) {
			/* the meter charges the right price now: even out the rest */
			snprintf(key, sizeof(key), "tier:%lld:%.4s%.2s:c%lld",
			    (long long)m->meter, month, month + 5, (long long)m->cmd);
			if ((rc = settle(db, tz, account, m->meter, month, key)) == -1)
				return -1;
			total += rc;
			if (db_exec(db, q[Q_SETTLED], "ll", m->meter, m->cmd) == -1)
				return -1;
		}
	}
	return total;
}

long
tiers_run(struct db *db, const char *tz)
{
	struct dbres *res;
	struct tmeter *ms = NULL;
	char month[16], month_utc[32], now[32];
	long total = 0, r;
	int n = 0;

	if (month_now(db, tz, month, month_utc, now) == -1)
		return -1;
	if ((res = db_query(db, q[Q_METERS], "s", tz)) == NULL)
		return -1;
	if ((ms = calloc((size_t)db_nrows(res) + 1, sizeof(*ms))) == NULL) {
		db_res_free(res);
		return -1;
	}
	while (db_next(res) == 1) {
		struct tmeter *m = &ms[n];

		m->account = db_coll(res, 0);
		m->meter = db_coll(res, 1);
		m->version = db_coll(res, 2);
		m->energy = db_coll(res, 4);
		m->ts_account = db_coll(res, 5);
		snprintf(m->ts_month, sizeof(m->ts_month), "%s", db_col(res, 6));
		m->ts_version = db_coll(res, 7);
		m->ts_tier = (int)db_coll(res, 8);
		m->base = db_coll(res, 9);
		m->cmd = db_coll(res, 10);
		m->settled = db_coll(res, 11);
		snprintf(m->status, sizeof(m->status), "%s", db_col(res, 12));
		snprintf(m->since, sizeof(m->since), "%s", db_col(res, 13));
		m->read_after = (int)db_coll(res, 14);
		if (tier_parse(db_col(res, 3), &m->t) == NULL && m->t.n > 0)
			n++;
	}
	db_res_free(res);
	/* the rows come by account */
	for (int i = 0, j; i < n; i = j) {
		for (j = i; j < n && ms[j].account == ms[i].account; j++)
			;
		if ((r = account_pass(db, tz, month, month_utc, now,
		    ms[i].account, ms + i, j - i)) == -1) {
			total = -1;
			break;
		}
		total += r;
	}
	free(ms);
	return total;
}

int
tiers_close(struct db *db, const char *tz, int64_t account)
{
	struct dbres *res;
	char month[16], month_utc[32], now[32], key[64];
	int64_t *ms = NULL;
	char (*mon)[16] = NULL;
	int n = 0, rc, total = 0;

	if (month_now(db, tz, month, month_utc, now) == -1)
		return -1;
	if ((res = db_query(db, q[Q_CLOSING], "l", account)) == NULL)
		return -1;
	ms = calloc((size_t)db_nrows(res) + 1, sizeof(*ms));
	mon = calloc((size_t)db_nrows(res) + 1, sizeof(*mon));
	if (ms == NULL || mon == NULL) {
		db_res_free(res);
		free(ms);
		free(mon);
		return -1;
	}
	while (db_next(res) == 1) {
		ms[n] = db_coll(res, 0);
		snprintf(mon[n++], sizeof(*mon), "%s", db_col(res, 1));
	}
	db_res_free(res);
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "tier:%lld:%.4s%.2s:%s", (long long)ms[i],
		    mon[i], mon[i] + 5, strcmp(mon[i], month) ? "final" : "close");
		if ((rc = settle(db, tz, account, ms[i], mon[i], key)) == -1) {
			total = -1;
			break;
		}
		total += rc;
	}
	free(ms);
	free(mon);
	return total;
}
