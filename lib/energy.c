/* energy.c - energy reports from the collector's day table and readings: by place (F28), energy-only meters (F29), master meters against rooms (B7). */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "energy.h"

/*
 * A day row's use as the collector stores it (027_daily_use.sql): its last
 * energy minus that of the meter's row before, however old, or its own
 * first energy when it has none; a meter set back counts 0. A row written
 * without it (by hand) gets it worked out here.
 */
#define DAY_USED "COALESCE(de.used, GREATEST(de.last_energy -" \
	" COALESCE((SELECT pr.last_energy FROM daily_energy pr" \
	" WHERE pr.meter_id = de.meter_id AND pr.day < de.day" \
	" ORDER BY pr.day DESC LIMIT 1), de.first_energy), 0))"

/* The use of each room meter of a place per local day of a range. */
#define USED_CTE \
	"WITH p AS (SELECT ? AS b, ? AS f, ? AS rm, CAST(? AS DATE) AS d1," \
	" CAST(? AS DATE) AS d2)," \
	" u AS (SELECT m.room_id, de.day, " DAY_USED " AS used" \
	" FROM p JOIN daily_energy de ON de.day BETWEEN p.d1 AND p.d2" \
	" JOIN meters m ON m.id = de.meter_id JOIN rooms r ON r.id = m.room_id" \
	" WHERE (p.b = 0 OR r.building_id = p.b) AND (p.f = 0 OR r.floor = p.f)" \
	" AND (p.rm = 0 OR r.id = p.rm))"

/* The building a master meter measures: its own, or for an energy-only
 * meter in no room, its gateway's. */
#define MASTER_OF \
	"COALESCE(m.master_of, IF(m.profile = 'energy' AND m.room_id IS NULL," \
	" g.building_id, NULL))"

#define TIME_RE \
	"'^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?$'"

/* The time of meter m's read last at or before, first at or after T. */
#define BEFORE(t) "(SELECT MAX(read_at) FROM readings WHERE meter_id = m.id" \
	" AND read_at <= " t ")"
#define AFTER(t) "(SELECT MIN(read_at) FROM readings WHERE meter_id = m.id" \
	" AND read_at >= " t ")"
/* Of those the nearer (the earlier when both are as near). */
#define NEARER(b, a, t) "CASE WHEN " b " IS NULL THEN " a " WHEN " a " IS NULL" \
	" THEN " b " WHEN TIMESTAMPDIFF(MICROSECOND, " b ", " t ") <=" \
	" TIMESTAMPDIFF(MICROSECOND, " t ", " a ") THEN " b " ELSE " a " END"
#define ENERGY_AT(t) "(SELECT energy FROM readings WHERE meter_id = v.id" \
	" AND read_at = " t " ORDER BY id LIMIT 1)"

/* The reads of the energy-only meters (p.mid, or all with 0) from local
 * p.t1 to p.t2, newest first, with the columns EXTRA. */
#define READS(extra) "SELECT DATE_FORMAT(CONVERT_TZ(x.read_at, '+00:00', p.tz)," \
	" '%Y-%m-%d %H:%i:%s') AS at, m.number, x.energy, x.power_w," \
	" x.voltage_dv, x.current_ca" extra \
	" FROM (SELECT ? AS mid, ? AS tz, CONVERT_TZ(?, ?, '+00:00') AS t1," \
	" CONVERT_TZ(?, ?, '+00:00') AS t2) p" \
	" JOIN meters m ON m.profile = 'energy' AND (p.mid = 0 OR m.id = p.mid)" \
	" JOIN readings x ON x.meter_id = m.id AND x.read_at BETWEEN p.t1 AND p.t2" \
	" ORDER BY x.read_at DESC, m.number LIMIT ? OFFSET ?"

enum { Q_RANGE, Q_TIMES, Q_PLACE, Q_PERIODS, Q_TOTAL, Q_TOP, Q_INSTR, Q_BETWEEN,
    Q_UTC, Q_READS, Q_READS_ALL, Q_LOSSES };
static const char *const q[] = {
	/* empty dates: the 30 days to the site's today */
	[Q_RANGE] = "SELECT DATE_FORMAT(p.d1, '%Y-%m-%d'), DATE_FORMAT(p.d2, '%Y-%m-%d'),"
	    " DATEDIFF(p.d2, p.d1) + 1,"
	    " DATE_FORMAT(p.d1 - INTERVAL DATEDIFF(p.d2, p.d1) + 1 DAY, '%Y-%m-%d'),"
	    " DATE_FORMAT(p.d1 - INTERVAL 1 DAY, '%Y-%m-%d')"
	    " FROM (SELECT IF(a.f = '', a.t2 - INTERVAL 29 DAY, a.f1) AS d1, a.t2 AS d2,"
	    " a.f1 IS NULL AND a.f <> '' AS bad1, a.t2 IS NULL AS bad2"
	    " FROM (SELECT x.f, IF(x.f REGEXP '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', DATE(x.f), NULL) AS f1,"
	    " IF(x.t = '', DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', x.tz)),"
	    " IF(x.t REGEXP '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', DATE(x.t), NULL)) AS t2"
	    " FROM (SELECT ? AS f, ? AS t, ? AS tz) x) a) p",
	/* a local time as sent (a "T" or a space before the time, seconds or
	 * not, or a day alone: its start); empty: a week ago at 00:00, now */
	[Q_TIMES] = "SELECT DATE_FORMAT(a.v1, '%Y-%m-%d %H:%i:%s'),"
	    " DATE_FORMAT(a.v2, '%Y-%m-%d %H:%i:%s'),"
	    " a.v1 IS NULL AND a.s1 <> '', a.v2 IS NULL AND a.s2 <> ''"
	    " FROM (SELECT x.s1, x.s2,"
	    " IF(x.s1 = '', DATE(x.now) - INTERVAL 7 DAY, IF(x.s1 REGEXP " TIME_RE ","
	    " CAST(x.s1 AS DATETIME), NULL)) AS v1,"
	    " IF(x.s2 = '', x.now, IF(x.s2 REGEXP " TIME_RE ","
	    " CAST(x.s2 AS DATETIME), NULL)) AS v2"
	    " FROM (SELECT REPLACE(?, 'T', ' ') AS s1, REPLACE(?, 'T', ' ') AS s2,"
	    " CAST(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', ?) AS DATETIME) AS now) x) a",
	[Q_PLACE] = "SELECT b.floors, COALESCE((SELECT r.id FROM rooms r"
	    " WHERE r.building_id = b.id AND r.number = ?), 0)"
	    " FROM buildings b WHERE b.id = ?",
	/* summed by day first: a date groups cheaper than its text */
	[Q_PERIODS] = USED_CTE
	    " SELECT IF(?, DATE_FORMAT(day, '%Y-%m'), DATE_FORMAT(day, '%Y-%m-%d'))"
	    " AS period, SUM(used) AS used"
	    " FROM (SELECT day, SUM(used) AS used FROM u GROUP BY day) z"
	    " GROUP BY period ORDER BY period",
	[Q_TOTAL] = USED_CTE " SELECT COALESCE(SUM(used), 0) FROM u",
	/* summed by room first, then the few rooms named */
	[Q_TOP] = USED_CTE
	    " SELECT r.id, b.name AS building, r.floor, r.number AS room, z.used"
	    " FROM (SELECT room_id, SUM(used) AS used FROM u GROUP BY room_id) z"
	    " JOIN rooms r ON r.id = z.room_id"
	    " JOIN buildings b ON b.id = r.building_id"
	    " ORDER BY z.used DESC, b.name, LPAD(r.number, 16, '0') LIMIT ?",
	[Q_INSTR] = "SELECT m.id, m.number, COALESCE(b.name, '') AS building, m.note"
	    " FROM meters m JOIN buses u ON u.id = m.bus_id"
	    " JOIN gateways g ON g.id = u.gateway_id"
	    " LEFT JOIN buildings b ON b.id = " MASTER_OF
	    " WHERE m.profile = 'energy' ORDER BY m.number",
	/* times in UTC, bound into each subquery (a derived table's column
	 * there fails on a second execution) */
	[Q_BETWEEN] = "SELECT v.id, v.number, v.building,"
	    " DATE_FORMAT(CONVERT_TZ(v.at1, '+00:00', v.tz), '%Y-%m-%d %H:%i:%s') AS at1,"
	    " " ENERGY_AT("v.at1") " AS e1,"
	    " DATE_FORMAT(CONVERT_TZ(v.at2, '+00:00', v.tz), '%Y-%m-%d %H:%i:%s') AS at2,"
	    " " ENERGY_AT("v.at2") " AS e2,"
	    " " ENERGY_AT("v.at2") " - " ENERGY_AT("v.at1") " AS used"
	    " FROM (SELECT w.id, w.number, w.building, w.tz,"
	    " " NEARER("w.b1", "w.a1", "w.t1") " AS at1,"
	    " " NEARER("w.b2", "w.a2", "w.t2") " AS at2"
	    " FROM (SELECT m.id, m.number, COALESCE(b.name, '') AS building,"
	    " CAST(? AS CHAR) AS tz, CAST(? AS DATETIME) AS t1, CAST(? AS DATETIME) AS t2,"
	    " " BEFORE("?") " AS b1, " AFTER("?") " AS a1,"
	    " " BEFORE("?") " AS b2, " AFTER("?") " AS a2"
	    " FROM meters m JOIN buses u ON u.id = m.bus_id"
	    " JOIN gateways g ON g.id = u.gateway_id"
	    " LEFT JOIN buildings b ON b.id = " MASTER_OF
	    " WHERE m.profile = 'energy' AND (? = 0 OR m.id = ?)) w) v"
	    " ORDER BY v.number",
	[Q_UTC] = "SELECT DATE_FORMAT(CONVERT_TZ(?, ?, '+00:00'), '%Y-%m-%d %H:%i:%s'),"
	    " DATE_FORMAT(CONVERT_TZ(?, ?, '+00:00'), '%Y-%m-%d %H:%i:%s')",
	[Q_READS] = READS(", COUNT(*) OVER () AS total"),
	/* the export: every read, streamed as it comes (no count first) */
	[Q_READS_ALL] = READS(""),
	/* per meter and day its use, then per building and day the masters'
	 * and the rooms' */
	[Q_LOSSES] = "WITH p AS (SELECT ? AS b, CAST(? AS DATE) AS d1,"
	    " CAST(? AS DATE) AS d2, ? AS pct),"
	    " mb AS (SELECT m.id, " MASTER_OF " AS master_b, r.building_id AS room_b"
	    " FROM meters m JOIN buses u ON u.id = m.bus_id"
	    " JOIN gateways g ON g.id = u.gateway_id"
	    " LEFT JOIN rooms r ON r.id = m.room_id),"
	    " u AS (SELECT mb.master_b, mb.room_b, de.day, " DAY_USED " AS used"
	    " FROM p JOIN daily_energy de ON de.day BETWEEN p.d1 AND p.d2"
	    " JOIN mb ON mb.id = de.meter_id"
	    " WHERE mb.master_b IS NOT NULL OR mb.room_b IS NOT NULL),"
	    /* summed per kind of meter, building and day before the buildings
	     * take them */
	    " v AS (SELECT master_b, room_b, day, SUM(used) AS used FROM u"
	    " GROUP BY master_b, room_b, day),"
	    " s AS (SELECT bb.id AS building_id, bb.name AS building, u.day,"
	    " SUM(IF(u.master_b = bb.id, u.used, 0)) AS master,"
	    " SUM(IF(u.master_b IS NULL AND u.room_b = bb.id, u.used, 0)) AS rooms"
	    " FROM p JOIN buildings bb ON p.b = 0 OR bb.id = p.b"
	    " JOIN v u ON u.day >= p.d1 AND (u.master_b = bb.id OR u.room_b = bb.id)"
	    " WHERE bb.id IN (SELECT master_b FROM mb)"
	    " GROUP BY bb.id, bb.name, u.day)"
	    " SELECT s.building_id, s.building, DATE_FORMAT(s.day, '%Y-%m-%d') AS day,"
	    " s.master, s.rooms, s.master - s.rooms AS loss,"
	    " IF(s.master > 0, ROUND((s.master - s.rooms) * 10000 / s.master), NULL) AS loss_bp,"
	    " IF((s.master - s.rooms) * 100 > p.pct * s.master, 1, 0) AS over_pct"
	    " FROM s JOIN p ORDER BY s.building, s.day",
};

int
energy_range(struct db *db, const char *from, const char *to,
    const char *tz, struct energy_range *rg)
{
	struct dbres *res;
	int rc = 0;

	memset(rg, 0, sizeof(*rg));
	if ((res = db_query(db, q[Q_RANGE], "sss", from, to, tz)) == NULL)
		return -1;
	if (db_next(res) != 1)
		rc = -1;
	else if (db_col(res, 1) == NULL)
		rc = 2;
	else if (db_col(res, 0) == NULL)
		rc = 1;
	else {
		snprintf(rg->from, sizeof(rg->from), "%s", db_col(res, 0));
		snprintf(rg->to, sizeof(rg->to), "%s", db_col(res, 1));
		rg->days = db_coll(res, 2);
		snprintf(rg->prev_from, sizeof(rg->prev_from), "%s",
		    db_col(res, 3) ? db_col(res, 3) : "");
		snprintf(rg->prev_to, sizeof(rg->prev_to), "%s",
		    db_col(res, 4) ? db_col(res, 4) : "");
	}
	db_res_free(res);
	return rc;
}

int
energy_times(struct db *db, const char *t1, const char *t2, const char *tz,
    char out1[20], char out2[20])
{
	struct dbres *res;
	int rc = 0;

	out1[0] = out2[0] = '\0';
	if ((res = db_query(db, q[Q_TIMES], "sss", t1, t2, tz)) == NULL)
		return -1;
	if (db_next(res) != 1)
		rc = -1;
	else if (db_coll(res, 2))
		rc = 1;
	else if (db_coll(res, 3))
		rc = 2;
	else {
		snprintf(out1, 20, "%s", db_col(res, 0));
		snprintf(out2, 20, "%s", db_col(res, 1));
	}
	db_res_free(res);
	return rc;
}

int
energy_place(struct db *db, int64_t building, int64_t floor,
    const char *room, struct energy_place *p)
{
	struct dbres *res;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	if (building == 0)
		return floor || *room ? 1 : 0;
	if ((res = db_query(db, q[Q_PLACE], "sl", room, building)) == NULL)
		return -1;
	if (db_next(res) != 1)
		rc = 1;
	else if (floor < 0 || floor > db_coll(res, 0))
		rc = 2;
	else if (*room && db_coll(res, 1) == 0)
		rc = 3;
	else {
		p->building = building;
		p->floor = floor;
		p->room = *room ? db_coll(res, 1) : 0;
	}
	db_res_free(res);
	return rc;
}

struct dbres *
energy_periods(struct db *db, const struct energy_place *p,
    const struct energy_range *rg, int monthly)
{
	return db_query(db, q[Q_PERIODS], "lllssi", p->building, p->floor,
	    p->room, rg->from, rg->to, monthly);
}

int
energy_total(struct db *db, const struct energy_place *p, const char *from,
    const char *to, int64_t *used)
{
	*used = 0;
	return db_value(db, used, q[Q_TOTAL], "lllss", p->building, p->floor,
	    p->room, from, to) == -1 ? -1 : 0;
}

struct dbres *
energy_top_rooms(struct db *db, const struct energy_place *p,
    const struct energy_range *rg, int64_t n)
{
	return db_query(db, q[Q_TOP], "lllssl", p->building, p->floor,
	    p->room, rg->from, rg->to, n);
}

struct dbres *
energy_instruments(struct db *db)
{
	return db_query(db, q[Q_INSTR], "");
}

struct dbres *
energy_between(struct db *db, int64_t meter, const char *t1, const char *t2,
    const char *tz)
{
	struct dbres *res;
	char u1[20] = "", u2[20] = "";

	if ((res = db_query(db, q[Q_UTC], "ssss", t1, tz, t2, tz)) == NULL)
		return NULL;
	if (db_next(res) == 1 && db_col(res, 0) && db_col(res, 1)) {
		snprintf(u1, sizeof(u1), "%s", db_col(res, 0));
		snprintf(u2, sizeof(u2), "%s", db_col(res, 1));
	}
	db_res_free(res);
	return db_query(db, q[Q_BETWEEN], "sssssssll", tz, u1, u2, u1, u1, u2,
	    u2, meter, meter);
}

struct dbres *
energy_reads(struct db *db, int stream, int64_t meter, const char *t1,
    const char *t2, const char *tz, int64_t per, int64_t offset)
{
	return db_stream_if(db, stream, q[stream ? Q_READS_ALL : Q_READS],
	    "lsssssll", meter, tz, t1, tz, t2, tz, per, offset);
}

struct dbres *
energy_losses(struct db *db, int64_t building, const struct energy_range *rg,
    int64_t pct)
{
	return db_query(db, q[Q_LOSSES], "lssl", building, rg->from, rg->to,
	    pct);
}
