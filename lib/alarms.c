/* alarms.c - F22/F30: alarm episodes with their place, holder and acknowledgement, filtered, counted and acknowledged once. */
#include <stdio.h>
#include <stdlib.h>

#include "alarms.h"
#include "db.h"
#include "oplog.h"

const char *const alarms_kinds[] = { "alarm1", "alarm2", "arrears",
    "overload", "meter_lost", "gateway_lost", "count_mismatch", "bad_token",
    NULL };

const char *const alarms_sortkeys[] = { "opened", "closed", "duration",
    "kind", "meter", "room", NULL };

#define LOCAL(x) "DATE_FORMAT(CONVERT_TZ(" x ", '+00:00', p.tz), '%Y-%m-%d %H:%i:%s')"
#define DURATION "TIMESTAMPDIFF(SECOND, al.opened_at, COALESCE(al.closed_at, UTC_TIMESTAMP(3)))"
/* a meter's episode has the meter's place; a gateway's its gateway's */
#define FROM \
	" FROM alarms al LEFT JOIN meters m ON m.id = al.meter_id" \
	" LEFT JOIN rooms r ON r.id = m.room_id" \
	" LEFT JOIN buses bu ON bu.id = m.bus_id" \
	" LEFT JOIN gateways g ON g.id = COALESCE(al.gateway_id, bu.gateway_id)" \
	" LEFT JOIN buildings b ON b.id = COALESCE(r.building_id, g.building_id)" \
	" LEFT JOIN operators o ON o.id = al.acked_by" \
	" JOIN (SELECT ? AS h, ? AS bd, ? AS fl, ? AS k, ? AS st, ? AS d1, ? AS d2," \
	"   ? AS tz, ? AS s, ? AS id) p" \
	" WHERE (p.h = 1 OR al.closed_at IS NULL) AND (p.id = 0 OR al.id = p.id)" \
	" AND (p.bd = 0 OR b.id = p.bd) AND (p.fl = -1000 OR r.floor = p.fl)" \
	" AND (p.k = '' OR al.kind = p.k)" \
	" AND (p.st = '' OR (p.st = 'open') = (al.closed_at IS NULL))" \
	" AND (p.d1 = '' OR al.opened_at >= CONVERT_TZ(p.d1, p.tz, '+00:00'))" \
	" AND (p.d2 = '' OR al.opened_at < CONVERT_TZ(p.d2, p.tz, '+00:00') + INTERVAL 1 DAY)"

enum { Q_LIST, Q_COUNTS, Q_ACK, Q_STATE };
static const char *const q[] = {
	[Q_LIST] = "SELECT al.id, al.kind, COALESCE(m.number, '') AS meter,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.floor, '') AS floor,"
	    " COALESCE(r.number, '') AS room,"
	    " COALESCE((SELECT a.holder FROM account_meters am"
	    "   JOIN accounts a ON a.id = am.account_id"
	    "   WHERE am.meter_id = al.meter_id AND am.active = 1"
	    "   AND a.status <> 'closed' ORDER BY a.id DESC LIMIT 1), '') AS holder,"
	    " COALESCE(g.name, '') AS gateway,"
	    " " LOCAL("al.opened_at") " AS opened,"
	    " COALESCE(" LOCAL("al.closed_at") ", '') AS closed,"
	    " " DURATION " AS duration_s, FLOOR(" DURATION " / 60) AS duration_min,"
	    " COALESCE(al.remaining_fen, '') AS remaining_fen,"
	    " IF(al.closed_at IS NULL, 'open', 'closed') AS state,"
	    " al.acked_at IS NOT NULL AS acked,"
	    " COALESCE(" LOCAL("al.acked_at") ", '') AS acked_at,"
	    " COALESCE(o.login, '') AS acked_by, al.ack_note,"
	    " COUNT(*) OVER () AS total" FROM
	    " ORDER BY CASE WHEN p.s = 1 THEN al.opened_at END,"
	    " CASE WHEN p.s = -1 THEN al.opened_at END DESC,"
	    " CASE WHEN p.s = 2 THEN al.closed_at END,"
	    " CASE WHEN p.s = -2 THEN al.closed_at END DESC,"
	    " CASE WHEN p.s = 3 THEN " DURATION " END,"
	    " CASE WHEN p.s = -3 THEN " DURATION " END DESC,"
	    " CASE WHEN p.s = 4 THEN al.kind + 0 END,"
	    " CASE WHEN p.s = -4 THEN al.kind + 0 END DESC,"
	    " CASE WHEN p.s = 5 THEN m.number END,"
	    " CASE WHEN p.s = -5 THEN m.number END DESC,"
	    " CASE WHEN p.s = 6 THEN CONCAT(b.name, r.number) END,"
	    " CASE WHEN p.s = -6 THEN CONCAT(b.name, r.number) END DESC,"
	    " al.id DESC LIMIT ? OFFSET ?",
	[Q_COUNTS] = "SELECT al.kind, COUNT(*) AS n" FROM " GROUP BY al.kind",
	/* once: the first operator's note stands */
	[Q_ACK] = "UPDATE alarms SET acked_at = UTC_TIMESTAMP(3), acked_by = ?,"
	    " ack_note = ? WHERE id = ? AND acked_at IS NULL AND closed_at IS NULL",
	[Q_STATE] = "SELECT (closed_at IS NOT NULL) + 2 * (acked_at IS NOT NULL)"
	    " FROM alarms WHERE id = ?",
};

static struct dbres *
query(struct db *db, const char *sql, const struct alarm_filter *f,
    const char *kind, int64_t id)
{
	return db_query(db, sql, "lllsssssllll", (int64_t)f->history,
	    f->building, (int64_t)f->floor, kind, f->state, f->from, f->to,
	    f->tz, (int64_t)f->sort, id, f->limit, f->offset);
}

struct dbres *
alarms_list(struct db *db, const struct alarm_filter *f)
{
	return query(db, q[Q_LIST], f, f->kind, 0);
}

struct dbres *
alarms_counts(struct db *db, const struct alarm_filter *f)
{
	return db_query(db, q[Q_COUNTS], "lllsssssll", (int64_t)f->history,
	    f->building, (int64_t)f->floor, "", f->state, f->from, f->to,
	    f->tz, (int64_t)1, (int64_t)0);
}

struct dbres *
alarms_get(struct db *db, int64_t id, const char *tz)
{
	struct alarm_filter f = { 1, 0, ALARMS_ANY_FLOOR, "", "", "", "", tz,
	    1, 1, 0 };

	return query(db, q[Q_LIST], &f, "", id);
}

int
alarms_ack(struct db *db, const struct actor *who, int64_t id,
    const char *note)
{
	int64_t st;
	long n;
	char obj[48], *after;

	if (id <= 0)
		return ALARM_NONE;
	n = db_exec(db, q[Q_ACK], "lsl", who->operator_id, note, id);
	if (n == -1)
		return -1;
	if (n == 0) {
		int rc = db_value(db, &st, q[Q_STATE], "l", id);

		if (rc == -1)
			return -1;
		if (rc == 0)
			return ALARM_NONE;
		return st >= 2 ? ALARM_ALREADY : ALARM_CLOSED;
	}
	snprintf(obj, sizeof(obj), "alarm:%lld", (long long)id);
	after = oplog_json("note", note, NULL);
	oplog_write(db, who, "alarm.ack", obj, NULL, after);
	free(after);
	return ALARM_ACKED;
}
