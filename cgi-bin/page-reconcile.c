/* page-reconcile.c - B1 reconciliation: ledger vs token commands vs each meter's purchase count, mismatches listed. */
#include <stdio.h>
#include <string.h>

#include "balance.h"
#include "db.h"
#include "money.h"
#include "pages.h"

enum {
	Q_COUNTS, Q_ENTRIES, Q_ORPHANS, Q_FAILED, Q_TIERS, Q_HELD, Q_LINKS,
	Q_PRICE, Q_LOCAL
};
static const char *const q[] = {
	/* 1. a meter's count by its last read against the tokens issued and
	 * confirmed (reads older than the last confirmation prove nothing) */
	[Q_COUNTS] = "SELECT m.id, m.number, s.purchase_count AS meter_count,"
	    " pc.last_count AS issued, MAX(CASE WHEN c.status = 'confirmed'"
	    "   THEN c.purchase_count END) AS confirmed,"
	    " DATE_FORMAT(CONVERT_TZ(s.read_at, '+00:00', ?), '%Y-%m-%d %H:%i') AS read_at"
	    " FROM meters m JOIN meter_state s ON s.meter_id = m.id"
	    " JOIN purchase_counts pc ON pc.meter_id = m.id"
	    " LEFT JOIN commands c ON c.meter_id = m.id AND c.kind IN ('credit', 'debit')"
	    " GROUP BY m.id, m.number, s.purchase_count, pc.last_count, s.read_at"
	    " HAVING s.purchase_count > pc.last_count"
	    "   OR (s.purchase_count < confirmed AND s.read_at >"
	    "     (SELECT MAX(done_at) FROM commands z WHERE z.meter_id = m.id"
	    "      AND z.status = 'confirmed' AND z.kind IN ('credit', 'debit')))"
	    " ORDER BY m.number LIMIT 500",
	/* 2. an entry and its token must agree on meter, direction and amount */
	[Q_ENTRIES] = "SELECT l.id, l.kind, l.amount_fen, m.number, c.kind AS ckind,"
	    " c.amount_fen AS camount, c.meter_id <> l.meter_id AS other_meter"
	    " FROM ledger l JOIN commands c ON c.id = l.command_id"
	    " JOIN meters m ON m.id = l.meter_id"
	    " WHERE c.meter_id <> l.meter_id"
	    " OR (l.amount_fen > 0 AND (c.kind <> 'credit' OR c.amount_fen <> l.amount_fen))"
	    " OR (l.amount_fen < 0 AND (c.kind <> 'debit' OR c.amount_fen <> -l.amount_fen))"
	    " ORDER BY l.id LIMIT 500",
	/* 3. a token command without its ledger entry moves money unbooked */
	[Q_ORPHANS] = "SELECT c.id, c.kind, c.amount_fen, c.status, m.number,"
	    " DATE_FORMAT(CONVERT_TZ(c.created_at, '+00:00', ?), '%Y-%m-%d %H:%i') AS at"
	    " FROM commands c JOIN meters m ON m.id = c.meter_id"
	    " LEFT JOIN ledger l ON l.command_id = c.id"
	    " WHERE c.kind IN ('credit', 'debit') AND l.id IS NULL ORDER BY c.id LIMIT 500",
	/* 4. a failed token whose entry was not booked back */
	[Q_FAILED] = "SELECT l.id, l.kind, l.amount_fen, m.number, c.error,"
	    " DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', ?), '%Y-%m-%d %H:%i') AS at"
	    " FROM ledger l JOIN commands c ON c.id = l.command_id"
	    " JOIN meters m ON m.id = l.meter_id WHERE c.status = 'failed'"
	    " AND NOT EXISTS (SELECT 1 FROM ledger z WHERE z.reverses_id = l.id)"
	    " AND NOT EXISTS (SELECT 1 FROM ledger z WHERE z.link_id = l.id"
	    "   AND z.kind = 'token_failed') ORDER BY l.id LIMIT 500",
	/* 5. a tier settlement the meter could not take (no later one) */
	[Q_TIERS] = "SELECT t.id, t.account_id, m.number, DATE_FORMAT(t.month, '%Y-%m') AS month,"
	    " t.adjust_fen, t.exact_fen, t.deducted_fen FROM tier_settlements t"
	    " JOIN meters m ON m.id = t.meter_id WHERE t.ledger_id IS NULL"
	    " AND t.adjust_fen <> 0 AND NOT EXISTS (SELECT 1 FROM tier_settlements z"
	    "   WHERE z.meter_id = t.meter_id AND z.month = t.month AND z.id > t.id)"
	    " ORDER BY t.id LIMIT 500",
	/* 6. a token held because the meter's count is not where it expects */
	[Q_HELD] = "SELECT c.id, m.number, c.kind, c.amount_fen, c.purchase_count, c.error,"
	    " DATE_FORMAT(CONVERT_TZ(c.created_at, '+00:00', ?), '%Y-%m-%d %H:%i') AS at"
	    " FROM commands c JOIN meters m ON m.id = c.meter_id"
	    " WHERE c.status = 'waiting' AND c.kind IN ('credit', 'debit')"
	    " AND LEFT(c.error, 14) = 'count_mismatch' ORDER BY c.id LIMIT 500",
	/* 7. the meters of every account not closed */
	[Q_LINKS] = "SELECT am.account_id, am.meter_id, m.number, a.holder"
	    " FROM account_meters am JOIN accounts a ON a.id = am.account_id"
	    " JOIN meters m ON m.id = am.meter_id"
	    " WHERE am.active = 1 AND a.status <> 'closed'"
	    " ORDER BY am.account_id, m.number LIMIT 5000",
	[Q_PRICE] = "SELECT CAST(value AS SIGNED) FROM settings WHERE name = 'price'",
	[Q_LOCAL] = "SELECT DATE_FORMAT(CONVERT_TZ(?, '+00:00', ?), '%Y-%m-%d %H:%i')",
};

static void
set_money(HDF *h, const char *name, int64_t fen)
{
	char buf[32];

	hdf_set_value(h, name, money_format(fen, buf, sizeof(buf)));
}

/* A UTC time of the database as the site's local time into H.NAME. */
static void
local_time(struct req *r, HDF *h, const char *name, const char *utc)
{
	struct dbres *res = db_query(r->db, q[Q_LOCAL], "ss", utc, web_tz(r));

	if (res != NULL && db_next(res) == 1 && db_col(res, 0) != NULL)
		hdf_set_value(h, name, db_col(res, 0));
	else
		hdf_set_value(h, name, utc);
	db_res_free(res);
}

/* 6. per account and meter: the ledger against the money and the energy */
static int
balances(struct req *r)
{
	struct dbres *res;
	int64_t price = 5880;
	int n = 0, checked = 0;

	if (db_value(r->db, &price, q[Q_PRICE], "") == -1)
		return -1;
	if ((res = db_query(r->db, q[Q_LINKS], "")) == NULL)
		return -1;
	while (db_next(res) == 1) {
		struct balance b;
		char key[64];
		HDF *h;
		int rc = balance_meter(r->db, db_coll(res, 0), db_coll(res, 1),
		    price, &b);
		int64_t took;

		if (rc == -1) {
			db_res_free(res);
			return -1;
		}
		if (rc == 0)
			continue;
		checked++;
		if (b.ok || n >= 500)
			continue;
		snprintf(key, sizeof(key), "Balances.%d", n++);
		if (hdf_get_node(r->hdf, key, &h) != STATUS_OK)
			continue;
		took = b.ledger + b.money_from - b.money_to;
		hdf_set_value(h, "account", db_col(res, 0));
		hdf_set_value(h, "number", db_col(res, 2));
		hdf_set_value(h, "holder", db_col(res, 3));
		local_time(r, h, "from", b.from);
		local_time(r, h, "to", b.to);
		set_money(h, "ledger", b.ledger);
		set_money(h, "money_from", b.money_from);
		set_money(h, "money_to", b.money_to);
		set_money(h, "took", took);
		set_money(h, "used_lo", b.used_lo);
		set_money(h, "used_hi", b.used_hi);
		set_money(h, "diff", took > b.used_hi ? took - b.used_hi :
		    took - b.used_lo);
	}
	db_res_free(res);
	hdf_set_int_value(r->hdf, "Check.Balances", n);
	hdf_set_int_value(r->hdf, "Check.balances_checked", checked);
	return n;
}

int
page_reconcile(struct req *r)
{
	static const struct { const char *name; int sql; int tz; } checks[] = {
		{ "Counts", Q_COUNTS, 1 }, { "Entries", Q_ENTRIES, 0 },
		{ "Orphans", Q_ORPHANS, 1 }, { "Failed", Q_FAILED, 1 },
		{ "Tiers", Q_TIERS, 0 }, { "Held", Q_HELD, 1 },
	};
	int total = 0, nb;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		struct dbres *res = checks[i].tz ?
		    db_query(r->db, q[checks[i].sql], "s", web_tz(r)) :
		    db_query(r->db, q[checks[i].sql], "");
		long n;
		char key[64];

		if (res == NULL)
			return -1;
		n = web_rows(r, checks[i].name, res);
		db_res_free(res);
		snprintf(key, sizeof(key), "Check.%s", checks[i].name);
		hdf_set_int_value(r->hdf, key, (int)n);
		total += (int)n;
	}
	web_money_col(r, "Entries", "amount_fen", "amount");
	web_money_col(r, "Orphans", "amount_fen", "amount");
	web_money_col(r, "Failed", "amount_fen", "amount");
	web_money_col(r, "Held", "amount_fen", "amount");
	web_money_col(r, "Tiers", "adjust_fen", "adjust");
	web_money_col(r, "Tiers", "exact_fen", "exact");
	web_money_col(r, "Tiers", "deducted_fen", "deducted");
	if ((nb = balances(r)) == -1)
		return -1;
	total += nb;
	hdf_set_int_value(r->hdf, "Check.total", total);
	web_render(r, "reconcile.cs");
	return 0;
}
