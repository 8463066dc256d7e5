/* dashboard.c - the home page's figures: money today and this month, meters, alarms, commands, SMS, approvals, reconciliation, payments needing action. */
#include <stdio.h>
#include <string.h>

#include "dashboard.h"
#include "db.h"
#include "settings.h"

const char *const dashboard_alarm_kinds[DASH_NALARMS] = {
	"alarm1", "alarm2", "arrears", "overload", "meter_lost", "gateway_lost",
	"count_mismatch", "bad_token"
};

enum { Q_NOW, Q_MONEY, Q_COUNTS, Q_ALARMS, Q_APPROVALS, Q_RECONCILE, Q_PAY };
#define STR(x) #x
#define XSTR(x) STR(x)
static const char *const q[] = {
	/* the site's local day and the first of its month, and both as UTC */
	[Q_NOW] = "SELECT DATE_FORMAT(d, '%Y-%m-%d'), DATE_FORMAT(d, '%Y-%m-01'),"
	    " DATE_FORMAT(CONVERT_TZ(d, x.tz, '+00:00'), '%Y-%m-%d %H:%i:%s'),"
	    " DATE_FORMAT(CONVERT_TZ(DATE_FORMAT(d, '%Y-%m-01'), x.tz, '+00:00'),"
	    "   '%Y-%m-%d %H:%i:%s')"
	    " FROM (SELECT ? AS tz) x"
	    " JOIN (SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', ?)) AS d) y",
	/* the money since a UTC time: sales, refunds, reversals of either */
	[Q_MONEY] = "SELECT"
	    " COALESCE(SUM(IF(l.kind IN ('sale', 'online'), l.amount_fen, 0)), 0),"
	    " COALESCE(SUM(l.kind IN ('sale', 'online')), 0),"
	    " COALESCE(SUM(IF(l.kind IN ('refund', 'closing_refund'), -l.amount_fen, 0)), 0),"
	    " COALESCE(SUM(l.kind IN ('refund', 'closing_refund')), 0),"
	    " COALESCE(SUM(IF(l.kind = 'reversal', l.amount_fen, 0)), 0),"
	    " COALESCE(SUM(l.kind = 'reversal'), 0)"
	    " FROM ledger l LEFT JOIN ledger ol ON ol.id = l.reverses_id"
	    " WHERE l.created_at >= ? AND (l.kind IN ('sale', 'online', 'refund',"
	    "   'closing_refund') OR (l.kind = 'reversal' AND ol.kind IN ('sale',"
	    "   'online', 'refund', 'closing_refund')))",
	/* failures count from the start of the local day (UTC, the parameter) */
	[Q_COUNTS] = "SELECT (SELECT COUNT(*) FROM meters),"
	    " (SELECT COUNT(*) FROM meter_state s JOIN meters m ON m.id = s.meter_id"
	    "   WHERE s.read_at >= UTC_TIMESTAMP(3) - INTERVAL x.poll MINUTE),"
	    " (SELECT COUNT(*) FROM meter_state s JOIN meters m ON m.id = s.meter_id"
	    "   WHERE s.lost = 1),"
	    " (SELECT COUNT(*) FROM gateway_state s JOIN gateways g ON g.id = s.gateway_id"
	    "   WHERE s.lost = 1),"
	    " (SELECT COUNT(*) FROM commands WHERE status IN ('queued', 'sent', 'waiting')),"
	    " (SELECT COUNT(*) FROM commands WHERE status = 'failed'"
	    "   AND COALESCE(done_at, created_at) >= x.t0),"
	    " (SELECT COUNT(*) FROM sms_outbox WHERE status = 'queued' AND held = 0),"
	    " (SELECT COUNT(*) FROM sms_outbox WHERE status = 'failed'"
	    "   AND created_at >= x.t0)"
	    " FROM (SELECT ? AS t0, ? AS poll) x",
	[Q_ALARMS] = "SELECT kind + 0, COUNT(*) FROM alarms WHERE closed_at IS NULL"
	    " GROUP BY kind",
	/* another's requests the operator has the right to decide */
	[Q_APPROVALS] = "SELECT COUNT(*) FROM approvals WHERE status = 'pending'"
	    " AND requested_by <> ? AND ((kind = 'refund' AND ? = 1)"
	    " OR (kind = 'reversal' AND ? = 1) OR (kind = 'keep_power' AND ? = 1))",
	[Q_RECONCILE] = "SELECT DATE_FORMAT(CONVERT_TZ(run_at, '+00:00', ?),"
	    " '%Y-%m-%d %H:%i'), total, detail FROM reconcile_runs"
	    " ORDER BY id DESC LIMIT 1",
	/* M3: money received and not credited (to hand back), and notices
	 * that credited nothing because a check failed */
	[Q_PAY] = "SELECT (SELECT COUNT(*) FROM pay_orders"
	    "   WHERE state = 'needs_refund'),"
	    " (SELECT COUNT(*) FROM pay_notices WHERE outcome IN ('bad_signature',"
	    "   'bad_app', 'bad_seller', 'unknown_order', 'bad_amount', 'malformed')"
	    "   AND received_at >= UTC_TIMESTAMP(3) - INTERVAL "
	    XSTR(DASH_PAY_DAYS) " DAY)",
};

static void
copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static int
money(struct db *db, const char *from, struct dash_money *m)
{
	struct dbres *res = db_query(db, q[Q_MONEY], "s", from);

	if (res == NULL)
		return -1;
	if (db_next(res) == 1) {
		m->sales = db_coll(res, 0);
		m->nsales = db_coll(res, 1);
		m->refunds = db_coll(res, 2);
		m->nrefunds = db_coll(res, 3);
		m->reversals = db_coll(res, 4);
		m->nreversals = db_coll(res, 5);
	}
	m->net = m->sales - m->refunds + m->reversals;
	db_res_free(res);
	return 0;
}

static int
counts(struct db *db, const char *t0, struct dashboard *d)
{
	/* the last cycle: the polling interval, its default from the table */
	int64_t poll = settings_int(db, "poll_interval_min");
	struct dbres *res = poll < 1 ? NULL :
	    db_query(db, q[Q_COUNTS], "sl", t0, poll);
	int64_t *to[] = {
		&d->meters, &d->read_cycle, &d->lost_meters, &d->lost_gateways,
		&d->cmd_queued, &d->cmd_failed, &d->sms_waiting, &d->sms_failed
	};

	if (res == NULL)
		return -1;
	if (db_next(res) == 1)
		for (int i = 0; i < (int)(sizeof(to) / sizeof(to[0])); i++)
			*to[i] = db_coll(res, i);
	db_res_free(res);
	if ((res = db_query(db, q[Q_ALARMS], "")) == NULL)
		return -1;
	while (db_next(res) == 1) {
		int64_t k = db_coll(res, 0);

		d->alarms_open += db_coll(res, 1);
		if (k >= 1 && k <= DASH_NALARMS)
			d->alarms[k - 1] = db_coll(res, 1);
	}
	db_res_free(res);
	return 0;
}

static int
payments(struct db *db, struct dashboard *d)
{
	struct dbres *res = db_query(db, q[Q_PAY], "");

	if (res == NULL)
		return -1;
	if (db_next(res) == 1) {
		d->pay_refund = db_coll(res, 0);
		d->pay_bad = db_coll(res, 1);
	}
	db_res_free(res);
	return 0;
}

static int
reconcile(struct db *db, const char *tz, struct dashboard *d)
{
	struct dbres *res = db_query(db, q[Q_RECONCILE], "s", tz);

	if (res == NULL)
		return -1;
	if (db_next(res) == 1) {
		d->rc_found = 1;
		copy(d->rc_at, sizeof(d->rc_at), db_col(res, 0));
		d->rc_total = db_coll(res, 1);
		copy(d->rc_detail, sizeof(d->rc_detail), db_col(res, 2));
	}
	db_res_free(res);
	return 0;
}

int
dashboard_load(struct db *db, int64_t op_id, unsigned may, const char *tz,
    struct dashboard *d)
{
	struct dbres *res;
	char t0[24] = "", m0[24] = "";

	memset(d, 0, sizeof(*d));
	if ((res = db_query(db, q[Q_NOW], "ss", tz, tz)) == NULL)
		return -1;
	if (db_next(res) == 1) {
		copy(d->day, sizeof(d->day), db_col(res, 0));
		copy(d->month_first, sizeof(d->month_first), db_col(res, 1));
		copy(t0, sizeof(t0), db_col(res, 2));
		copy(m0, sizeof(m0), db_col(res, 3));
	}
	db_res_free(res);
	if (t0[0] == '\0' || m0[0] == '\0')
		return -1;
	if (money(db, t0, &d->today) == -1 || money(db, m0, &d->month) == -1 ||
	    counts(db, t0, d) == -1 || reconcile(db, tz, d) == -1 ||
	    payments(db, d) == -1)
		return -1;
	return db_value(db, &d->approvals_mine, q[Q_APPROVALS], "liii", op_id,
	    (may & DASH_MAY_REFUND) != 0, (may & DASH_MAY_REVERSAL) != 0,
	    (may & DASH_MAY_KEEP_POWER) != 0) == -1 ? -1 : 0;
}
