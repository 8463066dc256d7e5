/* health.c - F26/F27 lost meters and gateways with their buses' figures, and B9 the figures of the system's own health (collectors, their bus leases). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "health.h"

const char *const health_meter_sortkeys[] = { "since", "meter", "room",
    "rate", "last_read", NULL };
const char *const health_gateway_sortkeys[] = { "since", "gateway", "rate",
    "meters_lost", NULL };

#define LOCAL(x) "DATE_FORMAT(CONVERT_TZ(" x ", '+00:00', p.tz), '%Y-%m-%d %H:%i:%s')"
/* a bus's figures from the health row h (ok, failed, latency, faults) */
#define FIGURES(ok, failed, lat, to, ex, bf, le) \
	" COALESCE(" ok ", 0) AS reads_ok, COALESCE(" failed ", 0) AS reads_failed," \
	" COALESCE(ROUND(10000 * " ok " / NULLIF(" ok " + " failed ", 0)), '') AS rate_bp," \
	" COALESCE(ROUND(" lat " / NULLIF(" ok ", 0)), '') AS latency_ms," \
	" COALESCE(" to ", 0) AS timeouts, COALESCE(" ex ", 0) AS exceptions," \
	" COALESCE(" bf ", 0) AS bad_frames, COALESCE(" le ", 0) AS link_errors"
#define BUS_FIGURES FIGURES("h.reads_ok", "h.reads_failed", "h.latency_ms_sum", \
	"h.timeouts", "h.exceptions", "h.bad_frames", "h.link_errors")
#define RATE(ok, failed) "(" ok " / NULLIF(" ok " + " failed ", 0))"
#define DATES(col) \
	" AND (p.d1 = '' OR " col " >= CONVERT_TZ(p.d1, p.tz, '+00:00'))" \
	" AND (p.d2 = '' OR " col " < CONVERT_TZ(p.d2, p.tz, '+00:00') + INTERVAL 1 DAY)"
#define PARAMS " JOIN (SELECT ? AS bd, ? AS fl, ? AS gw, ? AS d1, ? AS d2, ? AS tz, ? AS s) p"
/* a gateway's buses added up */
#define GW_SUMS "(SELECT bu.gateway_id, SUM(h.reads_ok) AS reads_ok," \
	" SUM(h.reads_failed) AS reads_failed, SUM(h.latency_ms_sum) AS lat," \
	" SUM(h.timeouts) AS timeouts, SUM(h.exceptions) AS exceptions," \
	" SUM(h.bad_frames) AS bad_frames, SUM(h.link_errors) AS link_errors," \
	" COUNT(m.id) AS meters, SUM(COALESCE(s.lost, 0)) AS meters_lost," \
	" MAX(s.read_at) AS last_read FROM buses bu" \
	" LEFT JOIN bus_health h ON h.bus_id = bu.id" \
	" LEFT JOIN meters m ON m.bus_id = bu.id" \
	" LEFT JOIN meter_state s ON s.meter_id = m.id GROUP BY bu.gateway_id)"

enum { Q_METERS, Q_GATEWAYS, Q_COLLECTORS, Q_BUSES, Q_COMMANDS, Q_SMS,
	Q_DBSIZE, Q_RECONCILE, Q_LEASES };
static const char *const q[] = {
	[Q_METERS] = "SELECT m.id, m.number AS meter, COALESCE(b.name, '') AS building,"
	    " COALESCE(r.floor, '') AS floor, COALESCE(r.number, '') AS room,"
	    " COALESCE((SELECT a.holder FROM account_meters am"
	    "   JOIN accounts a ON a.id = am.account_id"
	    "   WHERE am.meter_id = m.id AND am.active = 1"
	    "   AND a.status <> 'closed' ORDER BY a.id DESC LIMIT 1), '') AS holder,"
	    " g.name AS gateway, bu.port,"
	    " COALESCE(" LOCAL("s.lost_since") ", '') AS since,"
	    " COALESCE(TIMESTAMPDIFF(SECOND, s.lost_since, UTC_TIMESTAMP()), '') AS lost_s,"
	    " COALESCE(TIMESTAMPDIFF(MINUTE, s.lost_since, UTC_TIMESTAMP()), '') AS lost_min,"
	    " COALESCE(" LOCAL("s.read_at") ", '') AS last_read,"
	    " s.fail_streak, s.last_error," BUS_FIGURES ","
	    " COUNT(*) OVER () AS total"
	    " FROM meter_state s JOIN meters m ON m.id = s.meter_id"
	    " JOIN buses bu ON bu.id = m.bus_id JOIN gateways g ON g.id = bu.gateway_id"
	    " LEFT JOIN rooms r ON r.id = m.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id"
	    " LEFT JOIN bus_health h ON h.bus_id = bu.id" PARAMS
	    " WHERE s.lost = 1 AND (p.bd = 0 OR r.building_id = p.bd)"
	    " AND (p.fl = -1000 OR r.floor = p.fl) AND (p.gw = 0 OR g.id = p.gw)"
	    DATES("s.lost_since")
	    " ORDER BY CASE WHEN p.s = 1 THEN s.lost_since END,"
	    " CASE WHEN p.s = -1 THEN s.lost_since END DESC,"
	    " CASE WHEN p.s = 2 THEN m.number END, CASE WHEN p.s = -2 THEN m.number END DESC,"
	    " CASE WHEN p.s = 3 THEN CONCAT(b.name, r.number) END,"
	    " CASE WHEN p.s = -3 THEN CONCAT(b.name, r.number) END DESC,"
	    " CASE WHEN p.s = 4 THEN " RATE("h.reads_ok", "h.reads_failed") " END,"
	    " CASE WHEN p.s = -4 THEN " RATE("h.reads_ok", "h.reads_failed") " END DESC,"
	    " CASE WHEN p.s = 5 THEN s.read_at END, CASE WHEN p.s = -5 THEN s.read_at END DESC,"
	    " m.number LIMIT ? OFFSET ?",
	[Q_GATEWAYS] = "SELECT g.id, g.name AS gateway, g.host,"
	    " COALESCE(b.name, '') AS building,"
	    " COALESCE(" LOCAL("gs.lost_since") ", '') AS since,"
	    " COALESCE(TIMESTAMPDIFF(SECOND, gs.lost_since, UTC_TIMESTAMP()), '') AS lost_s,"
	    " COALESCE(TIMESTAMPDIFF(MINUTE, gs.lost_since, UTC_TIMESTAMP()), '') AS lost_min,"
	    " COALESCE(t.meters, 0) AS meters, COALESCE(t.meters_lost, 0) AS meters_lost,"
	    " COALESCE(" LOCAL("t.last_read") ", '') AS last_read,"
	    FIGURES("t.reads_ok", "t.reads_failed", "t.lat", "t.timeouts",
	    "t.exceptions", "t.bad_frames", "t.link_errors") ","
	    " COUNT(*) OVER () AS total"
	    " FROM gateway_state gs JOIN gateways g ON g.id = gs.gateway_id"
	    " LEFT JOIN buildings b ON b.id = g.building_id"
	    " LEFT JOIN " GW_SUMS " t ON t.gateway_id = g.id" PARAMS
	    " WHERE gs.lost = 1 AND (p.bd = 0 OR g.building_id = p.bd)"
	    " AND (p.gw = 0 OR g.id = p.gw)" DATES("gs.lost_since")
	    " ORDER BY CASE WHEN p.s = 1 THEN gs.lost_since END,"
	    " CASE WHEN p.s = -1 THEN gs.lost_since END DESC,"
	    " CASE WHEN p.s = 2 THEN g.name END, CASE WHEN p.s = -2 THEN g.name END DESC,"
	    " CASE WHEN p.s = 3 THEN " RATE("t.reads_ok", "t.reads_failed") " END,"
	    " CASE WHEN p.s = -3 THEN " RATE("t.reads_ok", "t.reads_failed") " END DESC,"
	    " CASE WHEN p.s = 4 THEN t.meters_lost END,"
	    " CASE WHEN p.s = -4 THEN t.meters_lost END DESC,"
	    " g.name LIMIT ? OFFSET ?",
	[Q_COLLECTORS] = "SELECT collector AS name,"
	    " " LOCAL("MAX(IF(name = 'heartbeat_unix', updated_at, NULL))") " AS beat,"
	    " TIMESTAMPDIFF(SECOND, MAX(IF(name = 'heartbeat_unix', updated_at, NULL)),"
	    "   UTC_TIMESTAMP(3)) AS age,"
	    " COALESCE(MAX(IF(name = 'cycle_ms', value, NULL)), '') AS cycle_ms,"
	    " COALESCE(MAX(IF(name = 'meters_read', value, NULL)), '') AS meters_read,"
	    " COALESCE(MAX(IF(name = 'meters_lost', value, NULL)), '') AS meters_lost,"
	    " COALESCE(MAX(IF(name = 'meters_total', value, NULL)), '') AS meters_total,"
	    " COALESCE(MAX(IF(name = 'buses', value, NULL)), '') AS buses,"
	    /* the buses it holds a lease on now */
	    " COALESCE((SELECT GROUP_CONCAT(CONCAT(g.name, ' ', b.port)"
	    "   ORDER BY g.name, b.port SEPARATOR ', ') FROM bus_leases l"
	    "   JOIN buses b ON b.id = l.bus_id JOIN gateways g ON g.id = b.gateway_id"
	    "   WHERE l.owner = collector_status.collector"
	    "   AND l.lease_until > UTC_TIMESTAMP(3)), '') AS held,"
	    " COALESCE(MAX(IF(name = 'commands_pending', value, NULL)), '') AS commands_pending,"
	    " COALESCE(MAX(IF(name = 'sms_outbox', value, NULL)), '') AS sms_outbox,"
	    " COALESCE(MAX(IF(name = 'modem_rssi', value, NULL)), '') AS rssi,"
	    " COALESCE(" LOCAL("MAX(IF(name = 'modem_rssi', updated_at, NULL))") ", '') AS rssi_at"
	    " FROM collector_status JOIN (SELECT ? AS tz) p"
	    " GROUP BY collector HAVING beat IS NOT NULL ORDER BY collector",
	[Q_BUSES] = "SELECT bu.id, g.name AS gateway, bu.port,"
	    " (SELECT COUNT(*) FROM meters m WHERE m.bus_id = bu.id) AS meters,"
	    " (SELECT COUNT(*) FROM meters m JOIN meter_state s ON s.meter_id = m.id"
	    "   WHERE m.bus_id = bu.id AND s.lost = 1) AS lost," BUS_FIGURES ","
	    " COALESCE(" LOCAL("h.last_cycle_at") ", '') AS last_cycle,"
	    " COALESCE(h.last_cycle_ms, '') AS last_cycle_ms,"
	    " COALESCE(IF(l.lease_until > UTC_TIMESTAMP(3), l.owner, NULL), '') AS owner"
	    " FROM buses bu JOIN gateways g ON g.id = bu.gateway_id"
	    " LEFT JOIN bus_health h ON h.bus_id = bu.id"
	    " LEFT JOIN bus_leases l ON l.bus_id = bu.id JOIN (SELECT ? AS tz) p"
	    " ORDER BY g.name, bu.port",
	[Q_COMMANDS] = "SELECT status, COUNT(*) AS n FROM commands GROUP BY status"
	    " ORDER BY status + 0",
	/* held: kept back by a student's quiet period, not late */
	[Q_SMS] = "SELECT COALESCE(SUM(status = 'queued' AND held = 0), 0) AS queued,"
	    " COALESCE(SUM(status = 'queued' AND held = 1), 0) AS held,"
	    " COALESCE(SUM(status = 'withdrawn'), 0) AS withdrawn,"
	    " COALESCE(SUM(status = 'sent'), 0) AS sent,"
	    " COALESCE(SUM(status = 'failed'), 0) AS failed,"
	    " COALESCE(SUM(possibly_sent), 0) AS possibly_sent,"
	    " COALESCE(" LOCAL("MIN(IF(status = 'queued' AND held = 0, created_at, NULL))") ", '')"
	    "   AS oldest_queued,"
	    " COALESCE(" LOCAL("MAX(sent_at)") ", '') AS last_sent,"
	    " COALESCE((SELECT error FROM sms_outbox WHERE error <> ''"
	    "   ORDER BY id DESC LIMIT 1), '') AS last_error"
	    " FROM sms_outbox JOIN (SELECT ? AS tz) p",
	[Q_DBSIZE] = "SELECT COALESCE(SUM(data_length + index_length), 0) AS bytes,"
	    " COUNT(*) AS tables FROM information_schema.tables"
	    " WHERE table_schema = DATABASE()",
	[Q_RECONCILE] = "SELECT " LOCAL("run_at") " AS at, total, detail"
	    " FROM reconcile_runs JOIN (SELECT ? AS tz) p ORDER BY id DESC LIMIT 1",
	/* stale: its collector stopped renewing and nobody took it yet; free: released */
	[Q_LEASES] = "SELECT bu.id AS bus, g.name AS gateway, bu.port,"
	    " COALESCE(l.owner, '') AS owner,"
	    " IF(l.owner IS NULL, '', " LOCAL("l.lease_until") ") AS until,"
	    " IF(l.owner IS NULL, '', TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3),"
	    "   l.lease_until)) AS left_s,"
	    " CASE WHEN l.owner IS NULL THEN 'free'"
	    "  WHEN l.lease_until < UTC_TIMESTAMP(3) THEN 'stale' ELSE 'ok' END AS state,"
	    " COALESCE(" LOCAL("l.renewed_at") ", '') AS renewed,"
	    " l.taken_over,"
	    " COALESCE(IF(l.wanted_until > UTC_TIMESTAMP(3), l.wanted_by, NULL), '')"
	    "   AS wanted_by"
	    " FROM bus_leases l JOIN buses bu ON bu.id = l.bus_id"
	    " JOIN gateways g ON g.id = bu.gateway_id JOIN (SELECT ? AS tz) p"
	    " ORDER BY g.name, bu.port",
};

static struct dbres *
lost(struct db *db, const char *sql, const struct lost_filter *f)
{
	return db_query(db, sql, "lllssslll", f->building, (int64_t)f->floor,
	    f->gateway, f->from, f->to, f->tz, (int64_t)f->sort, f->limit,
	    f->offset);
}

struct dbres *
health_lost_meters(struct db *db, const struct lost_filter *f)
{
	return lost(db, q[Q_METERS], f);
}

struct dbres *
health_lost_gateways(struct db *db, const struct lost_filter *f)
{
	return lost(db, q[Q_GATEWAYS], f);
}

struct dbres *
health_collectors(struct db *db, const char *tz)
{
	return db_query(db, q[Q_COLLECTORS], "s", tz);
}

struct dbres *
health_buses(struct db *db, const char *tz)
{
	return db_query(db, q[Q_BUSES], "s", tz);
}

struct dbres *
health_commands(struct db *db)
{
	return db_query(db, q[Q_COMMANDS], "");
}

struct dbres *
health_sms(struct db *db, const char *tz)
{
	return db_query(db, q[Q_SMS], "s", tz);
}

struct dbres *
health_db_size(struct db *db)
{
	return db_query(db, q[Q_DBSIZE], "");
}

struct dbres *
health_reconcile(struct db *db, const char *tz)
{
	return db_query(db, q[Q_RECONCILE], "s", tz);
}

int
health_backup_read(const char *file, struct health_backup *b)
{
	FILE *fp;
	char line[512];
	long long at, bytes;
	int n = 0;

	memset(b, 0, sizeof(*b));
	if ((fp = fopen(file, "r")) == NULL)
		return 0;
	if (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (sscanf(line, "%lld %lld %n", &at, &bytes, &n) == 2 && n > 0 &&
		    at > 0 && bytes >= 0) {
			b->at = (time_t)at;
			b->bytes = bytes;
			snprintf(b->path, sizeof(b->path), "%s", line + n);
		}
	}
	fclose(fp);
	if (b->at == 0) {
		errno = EINVAL;
		return -1;
	}
	return 1;
}

struct dbres *
health_leases(struct db *db, const char *tz)
{
	return db_query(db, q[Q_LEASES], "s", tz);
}
