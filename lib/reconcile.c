/* reconcile.c - B1 reconciliation: the checks of ledger, tokens, meters and money, for the page and the daily run. */
#include <stdio.h>
#include <string.h>

#include "balance.h"
#include "db.h"
#include "reconcile.h"
#include "settings.h"

enum {
	Q_COUNTS, Q_ENTRIES, Q_ORPHANS, Q_FAILED, Q_TIERS, Q_HELD, Q_LINKS,
	Q_LOCAL, Q_RECORD, Q_LAST, Q_CLOSINGS, Q_OPENING, Q_UNCLAIMED,
	Q_PAY_ENTRIES, Q_PAY_ORDERS, Q_PAY_BILL
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
	/* 8. a closed account whose meter (not taken by a later account) still
	 * holds money or a debt by its last read; a closing unfinished after a
	 * day, with the step its meter waits at */
	[Q_CLOSINGS] = "SELECT a.id, a.holder, a.status, m.number, s.remaining_fen AS amount_fen,"
	    " COALESCE(cm.state, '') AS step,"
	    " DATE_FORMAT(CONVERT_TZ(COALESCE(a.closed_at, a.closing_at), '+00:00', ?),"
	    "   '%Y-%m-%d %H:%i') AS at"
	    " FROM accounts a JOIN account_meters x ON x.account_id = a.id"
	    " JOIN meters m ON m.id = x.meter_id AND m.profile = 'ddsy1352nk'"
	    " LEFT JOIN meter_state s ON s.meter_id = m.id"
	    " LEFT JOIN closing_meters cm ON cm.account_id = a.id AND cm.meter_id = m.id"
	    " WHERE (a.status = 'closed' AND s.remaining_fen <> 0"
	    "   AND NOT EXISTS (SELECT 1 FROM account_meters y WHERE y.meter_id = x.meter_id"
	    "     AND y.account_id > x.account_id))"
	    " OR (a.status = 'closing' AND x.active = 1"
	    "   AND a.closing_at < UTC_TIMESTAMP() - INTERVAL 1 DAY"
	    "   AND COALESCE(cm.state, '') <> 'done')"
	    " ORDER BY a.id, m.number LIMIT 500",
	/* 9. M3: a credited order has exactly one credit entry: its own
	 * (kind online, its channel, account, amount and key "CH:NO"); an
	 * order not credited has none; one left paid an hour (a crash
	 * between the notice and the credit) is listed too */
	[Q_PAY_ENTRIES] = "SELECT o.id, o.out_trade_no AS no, o.channel, o.state,"
	    " o.amount_fen, COALESCE(l.id, z.id, '') AS ledger_id,"
	    " COALESCE(l.amount_fen, z.amount_fen, '') AS entry_fen,"
	    " DATE_FORMAT(CONVERT_TZ(o.created_at, '+00:00', ?), '%Y-%m-%d %H:%i') AS at"
	    " FROM pay_orders o LEFT JOIN ledger l ON l.id = o.ledger_id"
	    " LEFT JOIN ledger z ON z.idem_key = CONCAT(o.channel, ':', o.out_trade_no)"
	    " WHERE (o.state = 'credited' AND (l.id IS NULL OR z.id IS NULL"
	    "   OR l.id <> z.id OR l.kind <> 'online' OR l.channel <> o.channel"
	    "   OR l.account_id <> o.account_id OR l.amount_fen <> o.amount_fen))"
	    " OR (o.state NOT IN ('credited', 'refunded', 'paid')"
	    "   AND (o.ledger_id IS NOT NULL OR z.id IS NOT NULL))"
	    " OR (o.state = 'paid' AND o.paid_at < UTC_TIMESTAMP(3) - INTERVAL 1 HOUR)"
	    " ORDER BY o.id LIMIT 500",
	/* 10. M3: an online credit (Alipay, WeChat Pay) belongs to one
	 * credited order */
	[Q_PAY_ORDERS] = "SELECT l.id, l.channel, l.amount_fen, m.number, l.idem_key,"
	    " COALESCE(o.out_trade_no, '') AS no, COALESCE(o.state, '') AS state,"
	    " DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', ?), '%Y-%m-%d %H:%i') AS at"
	    " FROM ledger l JOIN meters m ON m.id = l.meter_id"
	    " LEFT JOIN pay_orders o ON o.ledger_id = l.id"
	    " WHERE l.kind = 'online' AND l.channel IN ('alipay', 'wechat')"
	    " AND (o.id IS NULL OR o.state NOT IN ('credited', 'refunded'))"
	    " ORDER BY l.id LIMIT 500",
	/* 11. B1: the gateways' bills fetched, line by line against the
	 * orders: a line with no order of ours (no_order), with an order not
	 * paid here (not_paid: the notice and the query missed it) or of
	 * another amount (amount); an order paid on a day whose bill was
	 * taken and that no bill holds (missing). A refund line needs its
	 * order only. */
#define PAID "('paid', 'credited', 'needs_refund', 'refunded')"
	[Q_PAY_BILL] = "SELECT x.id, x.kind, x.channel, x.day, x.no, x.trade_no,"
	    " x.bill_fen, x.order_fen, x.state, x.line FROM ("
	    " SELECT CONCAT('L', b.id) AS id, CASE WHEN o.id IS NULL THEN 'no_order'"
	    "   WHEN o.state NOT IN " PAID " THEN 'not_paid' ELSE 'amount' END AS kind,"
	    " b.channel, DATE_FORMAT(b.day, '%Y-%m-%d') AS day, b.out_trade_no AS no,"
	    " b.trade_no, b.amount_fen AS bill_fen,"
	    " COALESCE(o.amount_fen, '') AS order_fen, COALESCE(o.state, '') AS state,"
	    " b.kind AS line"
	    " FROM pay_bill_lines b JOIN (SELECT ? AS ch, ? AS d) p"
	    " LEFT JOIN pay_orders o ON o.out_trade_no = b.out_trade_no"
	    "   AND o.channel = b.channel"
	    " WHERE (p.ch = '' OR b.channel = p.ch) AND (p.d = '' OR b.day = p.d)"
	    " AND (o.id IS NULL OR (b.kind = 'trade' AND (o.state NOT IN " PAID
	    "   OR o.amount_fen <> b.amount_fen)))"
	    " UNION ALL"
	    " SELECT CONCAT('O', o.id), 'missing', o.channel,"
	    " DATE_FORMAT(d.day, '%Y-%m-%d'), o.out_trade_no, o.trade_no, '',"
	    " o.amount_fen, o.state, 'trade'"
	    " FROM pay_orders o JOIN (SELECT ? AS ch, ? AS d, ? AS tz) p"
	    " JOIN pay_bills d ON d.channel = o.channel"
	    "   AND d.day = DATE(CONVERT_TZ(o.paid_at, '+00:00', p.tz))"
	    " WHERE d.state = 'ok' AND (p.ch = '' OR o.channel = p.ch)"
	    /* a day asked for: its orders by the index on paid_at */
	    " AND o.paid_at >= COALESCE(CONVERT_TZ(NULLIF(p.d, ''), p.tz, '+00:00'),"
	    "   '2000-01-01')"
	    " AND o.paid_at < COALESCE(CONVERT_TZ(NULLIF(p.d, '') + INTERVAL 1 DAY,"
	    "   p.tz, '+00:00'), '2999-12-31') AND o.state IN " PAID
	    " AND NOT EXISTS (SELECT 1 FROM pay_bill_lines z WHERE z.channel ="
	    "   o.channel AND z.out_trade_no = o.out_trade_no AND z.kind = 'trade')"
	    ") x ORDER BY x.day, x.channel, x.kind, x.no LIMIT 500",
#undef PAID
	/* not a mismatch: money found on meters at opening, carried over into
	 * the new account or cleared (the previous holder's) */
	/* the money cleared off meters that no account held before: the site's */
	[Q_UNCLAIMED] = "SELECT COALESCE(-SUM(l.amount_fen), 0) FROM ledger l"
	    " LEFT JOIN commands c ON c.id = l.command_id"
	    " WHERE l.kind = 'meter_clear' AND l.account_id IS NULL"
	    " AND COALESCE(c.status, '') <> 'failed'",
	[Q_OPENING] = "SELECT l.id, l.kind, l.amount_fen, m.number, COALESCE(l.account_id, 0)"
	    " AS account_id, COALESCE(a.holder, '') AS holder,"
	    " DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', ?), '%Y-%m-%d %H:%i') AS at"
	    " FROM ledger l JOIN meters m ON m.id = l.meter_id"
	    " LEFT JOIN accounts a ON a.id = l.account_id"
	    " WHERE l.kind IN ('carry_over', 'meter_clear') ORDER BY l.id DESC LIMIT 100",
	[Q_LOCAL] = "SELECT DATE_FORMAT(CONVERT_TZ(?, '+00:00', ?), '%Y-%m-%d %H:%i')",
	[Q_RECORD] = "INSERT INTO reconcile_runs (total, detail) VALUES (?, ?)",
	[Q_LAST] = "SELECT DATE_FORMAT(CONVERT_TZ(run_at, '+00:00', ?), '%Y-%m-%d %H:%i'),"
	    " total, detail FROM reconcile_runs ORDER BY id DESC LIMIT 1",
};

const struct rc_check rc_checks[RC_NCHECKS] = {
	{ "Counts", 1 }, { "Entries", 0 }, { "Orphans", 1 }, { "Failed", 1 },
	{ "Tiers", 0 }, { "Held", 1 }, { "Closings", 1 }, { "PayEntries", 1 },
	{ "PayOrders", 1 }, { "PayBill", 1 },
};

struct dbres *
rc_query(struct db *db, int check, const char *tz)
{
	static const int sql[RC_NCHECKS] = {
		Q_COUNTS, Q_ENTRIES, Q_ORPHANS, Q_FAILED, Q_TIERS, Q_HELD,
		Q_CLOSINGS, Q_PAY_ENTRIES, Q_PAY_ORDERS, Q_PAY_BILL
	};

	if (sql[check] == Q_PAY_BILL)
		return rc_pay_bill(db, tz, "", "");
	return rc_checks[check].tz ? db_query(db, q[sql[check]], "s", tz) :
	    db_query(db, q[sql[check]], "");
}

struct dbres *
rc_pay_bill(struct db *db, const char *tz, const char *ch, const char *day)
{
	return db_query(db, q[Q_PAY_BILL], "sssss", ch, day, ch, day, tz);
}

struct dbres *
rc_opening_money(struct db *db, const char *tz)
{
	return db_query(db, q[Q_OPENING], "s", tz);
}

int
rc_unclaimed(struct db *db, int64_t *fen)
{
	*fen = 0;
	return db_value(db, fen, q[Q_UNCLAIMED], "") == -1 ? -1 : 0;
}

int
rc_balances(struct db *db, rc_balance_fn fn, void *arg, int *checked)
{
	struct dbres *res;
	int64_t price = settings_int(db, "price");
	int n = 0;

	*checked = 0;
	if (price == -1)
		return -1;
	if ((res = db_query(db, q[Q_LINKS], "")) == NULL)
		return -1;
	while (db_next(res) == 1) {
		struct balance b;
		int rc = balance_meter(db, db_coll(res, 0), db_coll(res, 1),
		    price, &b);

		if (rc == -1) {
			db_res_free(res);
			return -1;
		}
		if (rc == 0)
			continue;
		(*checked)++;
		if (b.ok)
			continue;
		if (fn != NULL)
			fn(arg, db_coll(res, 0), db_col(res, 2), db_col(res, 3), &b);
		n++;
	}
	db_res_free(res);
	return n;
}

int
rc_local_time(struct db *db, const char *utc, const char *tz, char *buf,
    size_t size)
{
	struct dbres *res = db_query(db, q[Q_LOCAL], "ss", utc, tz);
	int rc = -1;

	snprintf(buf, size, "%s", utc);
	if (res != NULL && db_next(res) == 1 && db_col(res, 0) != NULL) {
		snprintf(buf, size, "%s", db_col(res, 0));
		rc = 0;
	}
	db_res_free(res);
	return rc;
}

int
rc_run(struct db *db, const char *tz, char *detail, size_t size)
{
	size_t len = 0;
	int total = 0, checked, n;

	detail[0] = '\0';
	for (int i = 0; i < RC_NCHECKS; i++) {
		struct dbres *res = rc_query(db, i, tz);

		if (res == NULL)
			return -1;
		n = (int)db_nrows(res);
		db_res_free(res);
		total += n;
		len += (size_t)snprintf(detail + len, len < size ? size - len : 0,
		    "%s%s=%d", i ? " " : "", rc_checks[i].name, n);
	}
	if ((n = rc_balances(db, NULL, NULL, &checked)) == -1)
		return -1;
	total += n;
	snprintf(detail + len, len < size ? size - len : 0,
	    " Balances=%d (of %d meters)", n, checked);
	if (db_exec(db, q[Q_RECORD], "is", total, detail) == -1)
		return -1;
	return total;
}

int
rc_last(struct db *db, const char *tz, char *at, size_t atsize, int *total,
    char *detail, size_t dsize)
{
	struct dbres *res = db_query(db, q[Q_LAST], "s", tz);
	int rc;

	if (res == NULL)
		return -1;
	if ((rc = db_next(res)) == 1) {
		snprintf(at, atsize, "%s", db_col(res, 0));
		*total = (int)db_coll(res, 1);
		snprintf(detail, dsize, "%s", db_col(res, 2));
	}
	db_res_free(res);
	return rc;
}
