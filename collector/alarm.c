/* alarm.c - alarm episodes (S4/S5): opened and closed once each, the holder's SMS (as the student set it, M4, with the B5 forecast) and the staff's copy queued with them. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "db.h"
#include "forecast.h"
#include "log.h"
#include "money.h"
#include "pdu.h"

/*
 * M4, the student's settings (student_alerts, p) with the site's offset
 * z.tz in minutes: the local minute of the day now, whether it is in the
 * quiet period (from > to crosses midnight), the period's end in UTC, and
 * whether the level named KIND is on (no row: every level).
 */
#define LOCAL_MIN "MOD(TIMESTAMPDIFF(MINUTE, '2000-01-01', UTC_TIMESTAMP()) + z.tz, 1440)"
#define QUIET "(p.quiet_from IS NOT NULL AND p.quiet_to IS NOT NULL AND" \
	" IF(p.quiet_from < p.quiet_to," \
	" " LOCAL_MIN " >= p.quiet_from AND " LOCAL_MIN " < p.quiet_to," \
	" " LOCAL_MIN " >= p.quiet_from OR " LOCAL_MIN " < p.quiet_to))"
#define QUIET_END "(DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:00')" \
	" + INTERVAL MOD(p.quiet_to - " LOCAL_MIN " + 1440, 1440) MINUTE)"
#define LEVEL_ON(kind) "(p.account_id IS NULL OR ELT(FIELD(" kind ","   \
	" 'alarm1', 'alarm2', 'arrears'), p.alarm1, p.alarm2, p.arrears) = 1)"

enum {
	Q_ALARM_OPEN, Q_ALARM_CLOSE, Q_SMS, Q_SMS_STAFF, Q_GW_NAME, Q_SMS_LATE,
	Q_SMS_ADD, Q_HOLD_DROP, Q_HOLD_MOVE
};
static const char *const q[] = {
	[Q_ALARM_OPEN] = "INSERT INTO alarms (kind, meter_id, gateway_id,"
	    " opened_at, remaining_fen, open_key) VALUES (?, ?, ?, NOW(3), ?, ?)",
	[Q_ALARM_CLOSE] = "UPDATE alarms SET closed_at = NOW(3), open_key = NULL"
	    " WHERE open_key = ?",
	/* the holder's, unless the level is off; held in the quiet period */
	[Q_SMS] = "INSERT INTO sms_outbox (phone, body, alarm_id, held, next_try_at)"
	    " SELECT a.phone, ?, ?, IF(" QUIET ", 1, 0),"
	    " IF(" QUIET ", " QUIET_END ", NOW(3))"
	    " FROM account_meters am JOIN accounts a ON a.id = am.account_id"
	    " JOIN (SELECT ? AS tz, ? AS kind) z"
	    " LEFT JOIN student_alerts p ON p.account_id = a.id"
	    " WHERE am.meter_id = ? AND am.active = 1 AND a.status = 'open'"
	    " AND a.phone <> '' AND " LEVEL_ON("z.kind") " ORDER BY a.id LIMIT 1",
	[Q_SMS_STAFF] = "INSERT INTO sms_outbox (phone, body, alarm_id, recipient)"
	    " VALUES (?, ?, ?, 'staff')",
	[Q_GW_NAME] = "SELECT name FROM gateways WHERE id = ?",
	/* Open balance episodes whose meter has a holder with a phone but no
	 * SMS yet (and the level on): whether it is held, and until when. */
	[Q_SMS_LATE] = "SELECT al.id, al.kind, a.phone,"
	    " COALESCE(CONCAT(bd.name, ' ', r.number), ''),"
	    " COALESCE(s.remaining_fen, al.remaining_fen, 0), al.meter_id,"
	    " IF(" QUIET ", 1, 0),"
	    " DATE_FORMAT(IF(" QUIET ", " QUIET_END ", NOW(3)), '%Y-%m-%d %H:%i:%s.%f')"
	    " FROM alarms al JOIN account_meters am ON am.meter_id = al.meter_id"
	    " AND am.active = 1"
	    " JOIN accounts a ON a.id = am.account_id AND a.status = 'open'"
	    " AND a.phone <> ''"
	    " JOIN meters m ON m.id = al.meter_id"
	    " JOIN (SELECT ? AS tz) z"
	    " LEFT JOIN student_alerts p ON p.account_id = a.id"
	    " LEFT JOIN rooms r ON r.id = m.room_id"
	    " LEFT JOIN buildings bd ON bd.id = r.building_id"
	    " LEFT JOIN meter_state s ON s.meter_id = al.meter_id"
	    " WHERE al.open_key IS NOT NULL"
	    " AND al.kind IN ('alarm1', 'alarm2', 'arrears') AND " LEVEL_ON("al.kind")
	    " AND NOT EXISTS (SELECT 1 FROM sms_outbox o WHERE o.alarm_id = al.id"
	    " AND o.recipient = 'holder') ORDER BY al.id LIMIT 50",
	[Q_SMS_ADD] = "INSERT INTO sms_outbox (phone, body, alarm_id, recipient,"
	    " held, next_try_at) VALUES (?, ?, ?, 'holder', ?, ?)"
	    " ON DUPLICATE KEY UPDATE id = id",
	/*
	 * A held SMS whose alarm closed meanwhile (a top-up), or whose level
	 * the student turned off, is not sent: a stale "low balance" after
	 * the money came is worse than none.
	 */
	[Q_HOLD_DROP] = "UPDATE sms_outbox o JOIN alarms al ON al.id = o.alarm_id"
	    " LEFT JOIN account_meters am ON am.meter_id = al.meter_id"
	    " AND am.active = 1"
	    " LEFT JOIN student_alerts p ON p.account_id = am.account_id"
	    " SET o.status = 'withdrawn', o.held = 0,"
	    " o.error = IF(al.closed_at IS NOT NULL,"
	    "   'withdrawn: the alarm closed in the quiet period',"
	    "   'withdrawn: the student turned this alarm off')"
	    " WHERE o.held = 1 AND o.status = 'queued' AND o.recipient = 'holder'"
	    " AND (al.closed_at IS NOT NULL OR NOT " LEVEL_ON("al.kind") ")",
	/* A holder's SMS not yet tried is held while quiet (to the period's
	 * end, as it is now), and released once it is not. */
	[Q_HOLD_MOVE] = "UPDATE sms_outbox o JOIN alarms al ON al.id = o.alarm_id"
	    " JOIN (SELECT ? AS tz) z"
	    " LEFT JOIN account_meters am ON am.meter_id = al.meter_id"
	    " AND am.active = 1"
	    " LEFT JOIN student_alerts p ON p.account_id = am.account_id"
	    " SET o.next_try_at = IF(" QUIET ", " QUIET_END ", NOW(3)),"
	    " o.held = IF(" QUIET ", 1, 0)"
	    " WHERE o.status = 'queued' AND o.recipient = 'holder' AND o.tries = 0"
	    " AND o.error <> 'sending' AND (o.held = 1 OR " QUIET ")",
};

/* The staff's alarm number (setting alarm_sms_phone), empty for none; set while no bus runs. */
static char staff_phone[24];
/* The site's offset from UTC in minutes (tz_offset), for quiet periods and the forecast's days. */
static atomic_int site_tz_min = 480;

static const char *const alarm_names[AL_NKINDS] = {
	"alarm1", "alarm2", "arrears", "overload", "meter_lost", "gateway_lost",
	"count_mismatch", "bad_token"
};

#define SMS_BODY_MAX	700	/* sms_outbox.body, in characters */
#define SMS_PHONE_MAX	20

/* The site's offset as "+08:00" into BUF (16 bytes). */
static const char *
tz_text(char *buf)
{
	int m = atomic_load(&site_tz_min), a = m < 0 ? -m : m;

	snprintf(buf, 16, "%c%02d:%02d", m < 0 ? '-' : '+', a / 60, a % 60);
	return buf;
}

/* B5 for meter METER_ID's REMAINING fen: the days left, FORECAST_UNKNOWN
 * when it cannot be said. */
static int64_t
sms_forecast(struct db *db, int64_t meter_id, int64_t remaining)
{
	int64_t days;
	char tz[16];

	if (forecast_lookup(db, 0, meter_id, remaining, tz_text(tz), &days) == -1) {
		log_warnx("meter id %lld: no forecast for its SMS: %s",
		    (long long)meter_id, db_error(db));
		return FORECAST_UNKNOWN;
	}
	return days;
}

/*
 * The holder's SMS text of a balance alarm for ROOM, with the B5 forecast
 * DAYS when it is known and money is left; the caller frees it.
 */
static char *
sms_body(int kind, const char *room, int64_t remaining, int64_t days)
{
	char money[32], fc[80] = "", *s = NULL;
	const char *what;

	money_format(remaining, money, sizeof(money));
	switch (kind) {
	case AL_ALARM1:
		what = "已低于报警金额，请及时充值。";
		break;
	case AL_ALARM2:
		what = "已低于二级报警金额，即将停电，请尽快充值。";
		break;
	default:
		what = "已欠费，将停止供电，请立即充值。";
		break;
	}
	if (remaining > 0 && days >= 1)
		snprintf(fc, sizeof(fc), "按近%d天用电约可用 %lld 天，",
		    FORECAST_DAYS, (long long)days);
	else if (remaining > 0 && days == 0)
		snprintf(fc, sizeof(fc), "按近%d天用电已不足 1 天，",
		    FORECAST_DAYS);
	if (asprintf(&s, "【电费提醒】%s%s房间剩余电费 %s 元，%s%s",
	    room, room[0] ? " " : "", money, fc, what) == -1)
		return NULL;
	pdu_utf8_clip(s, SMS_BODY_MAX);
	return s;
}

/* The staff's copy of an episode: what and where. */
static char *
staff_body(struct db *db, int kind, const struct meter *m, int gateway_id,
    int64_t remaining)
{
	static const char *const what[AL_NKINDS] = {
		"剩余电费 %s 元，已低于报警金额。",
		"剩余电费 %s 元，已低于二级报警金额。",
		"剩余电费 %s 元，已欠费。",
		"过载跳闸。",
		"失去联系。",
		"失去联系。",
		"购电次数与售电记录不符，售电暂停，请核对。",
	};
	char money[32], where[400], text[200], *s = NULL;

	money_format(remaining, money, sizeof(money));
	if (m != NULL && m->room[0])
		snprintf(where, sizeof(where), "%s 电表 %u", m->room, m->number);
	else if (m != NULL)
		snprintf(where, sizeof(where), "电表 %u", m->number);
	else {
		struct dbres *r = db_query(db, q[Q_GW_NAME], "i", gateway_id);

		snprintf(where, sizeof(where), "通讯管理机 %s",
		    r && db_next(r) ? db_col(r, 0) : "");
		db_res_free(r);
	}
	pdu_utf8_cut(where);
	snprintf(text, sizeof(text), what[kind], money);
	if (asprintf(&s, "【报警】%s %s", where, text) == -1)
		return NULL;
	pdu_utf8_clip(s, SMS_BODY_MAX);
	return s;
}

void
alarm_site_tz(int tz_min)
{
	atomic_store(&site_tz_min, tz_min);
}

void
alarm_staff_phone(const char *phone)
{
	snprintf(staff_phone, sizeof(staff_phone), "%s",
	    strlen(phone) <= SMS_PHONE_MAX ? phone : "");
}

/*
 * S5: a balance episode tells the account holder once, and the staff's
 * number gets a copy of every episode. 0 or -1 with BODY's error in ERR;
 * the caller rolls back.
 */
static int
queue_sms(struct db *db, int kind, int gateway_id, int64_t remaining,
    int64_t alarm_id, const struct meter *m, char *err, size_t errlen)
{
	char *body = NULL;
	int rc = 0;

	if (kind <= AL_ARREARS && m != NULL &&
	    ((body = sms_body(kind, m->room, remaining,
	    sms_forecast(db, m->id, remaining))) == NULL ||
	    db_exec(db, q[Q_SMS], "slisi", body, alarm_id,
	    atomic_load(&site_tz_min), alarm_names[kind], m->id) == -1))
		rc = -1;
	if (rc == 0 && staff_phone[0]) {
		free(body);
		if ((body = staff_body(db, kind, m, gateway_id,
		    remaining)) == NULL ||
		    db_exec(db, q[Q_SMS_STAFF], "ssl", staff_phone, body,
		    alarm_id) == -1)
			rc = -1;
	}
	if (rc == -1)
		snprintf(err, errlen, "%s", body ? db_error(db) : strerror(errno));
	free(body);
	return rc;
}

int
alarm_set(struct db *db, int kind, int meter_id, int gateway_id,
    int64_t remaining, int open, const struct meter *m)
{
	char key[32], rem[24], mid[16], gid[16], err[160];
	int with_sms = 1;

	snprintf(key, sizeof(key), "%c:%d:%s", meter_id ? 'm' : 'g',
	    meter_id ? meter_id : gateway_id, alarm_names[kind]);
	if (!open)
		return db_exec(db, q[Q_ALARM_CLOSE], "s", key) == -1 ? -1 : 0;
	snprintf(rem, sizeof(rem), "%lld", (long long)remaining);
	snprintf(mid, sizeof(mid), "%d", meter_id);
	snprintf(gid, sizeof(gid), "%d", gateway_id);
	for (int attempt = 0; attempt < 4; attempt++) {
		unsigned e;

		if (db_begin(db) == -1)
			return -1;
		if (db_exec(db, q[Q_ALARM_OPEN], "sssss", alarm_names[kind],
		    meter_id ? mid : NULL, gateway_id ? gid : NULL,
		    kind <= AL_ARREARS ? rem : NULL, key) == -1) {
			e = db_errno(db);
			db_rollback(db);
			if (e == DB_ER_DUP_ENTRY)	/* already open */
				return 0;
			if (e == DB_ER_DEADLOCK)
				continue;
			return -1;
		}
		/*
		 * A text that cannot be stored never costs the episode: it
		 * opens without, and the holder's SMS is queued again by
		 * alarm_sms_late().
		 */
		if (with_sms && queue_sms(db, kind, gateway_id, remaining,
		    (int64_t)db_last_id(db), m, err, sizeof(err)) == -1) {
			e = db_errno(db);
			db_rollback(db);
			if (e == DB_ER_DEADLOCK)
				continue;
			log_warnx("alarm %s: its SMS cannot be queued (%s); the"
			    " episode opens without", key, err);
			with_sms = 0;
			continue;
		}
		if (db_commit(db) == 0)
			return 0;
		if (db_errno(db) != DB_ER_DEADLOCK)
			return -1;
	}
	return -1;
}

/* M4: held SMS withdrawn, held to the quiet period's end, or released. */
static void
sms_holds(struct db *db)
{
	long n;

	if ((n = db_exec(db, q[Q_HOLD_DROP], "")) == -1)
		log_warnx("held SMS: %s", db_error(db));
	else if (n > 0)
		log_info("%ld held SMS withdrawn: their alarm closed or was"
		    " turned off", n);
	if (db_exec(db, q[Q_HOLD_MOVE], "i", atomic_load(&site_tz_min)) == -1)
		log_warnx("held SMS: %s", db_error(db));
}

int
alarm_sms_late(struct db *db)
{
	struct dbres *r;
	int n = 0;

	sms_holds(db);
	if ((r = db_query(db, q[Q_SMS_LATE], "i", atomic_load(&site_tz_min))) == NULL)
		return -1;
	while (db_next(r)) {
		int64_t id = db_coll(r, 0), rem = db_coll(r, 4);
		const char *kind = db_col(r, 1);
		char room[400], *body;
		int k = AL_ALARM1;

		for (int i = AL_ALARM1; i <= AL_ARREARS; i++)
			if (strcmp(kind, alarm_names[i]) == 0)
				k = i;
		snprintf(room, sizeof(room), "%s", db_col(r, 3));
		pdu_utf8_cut(room);
		if ((body = sms_body(k, room, rem,
		    sms_forecast(db, db_coll(r, 5), rem))) == NULL)
			continue;
		if (db_exec(db, q[Q_SMS_ADD], "sslis", db_col(r, 2), body, id,
		    (int)db_coll(r, 6), db_col(r, 7)) == -1)
			log_warnx("alarm %lld: holder's SMS: %s", (long long)id,
			    db_error(db));
		else
			n++;
		free(body);
	}
	db_res_free(r);
	return n;
}

/* The balance episode the status word puts the meter in, or -1. */
static int
balance_level(unsigned st)
{
	if (st & ST_ARREARS)
		return AL_ARREARS;
	if (st & ST_ALARM2)
		return AL_ALARM2;
	if (st & ST_ALARM1)
		return AL_ALARM1;
	return -1;
}

void
alarm_meter(struct bus *b, struct meter *m, int kind, int on, int64_t rem)
{
	unsigned bit = 1u << kind;

	if (!!(m->alarms & bit) == !!on)
		return;
	if (alarm_set(b->db, kind, m->id, 0, rem, on, m) == 0) {
		if (on)
			m->alarms |= bit;
		else
			m->alarms &= ~bit;
	}
}

/*
 * The meter counts tokens it refused for their MAC or meter number: a rise
 * over the previous read means someone tried forged tokens on it. One
 * episode while it keeps rising; closed after bad_token_quiet_s (a day)
 * without a rise. The first read of a meter only sets where it stands.
 */
static void
bad_tokens(struct bus *b, struct meter *m, int now, long long at_ms)
{
	if (now < 0)
		return;
	if (m->bad_tokens >= 0 && now > m->bad_tokens) {
		char detail[64];

		m->bad_rise_ms = at_ms;
		if (!(m->alarms & (1u << AL_BAD_TOKEN))) {
			snprintf(detail, sizeof(detail), "%d -> %d", m->bad_tokens, now);
			log_warnx("meter %u (id %d): bad-token counter rose %s",
			    m->number, m->id, detail);
		}
		alarm_meter(b, m, AL_BAD_TOKEN, 1, 0);
	} else if ((m->alarms & (1u << AL_BAD_TOKEN)) &&
	    at_ms - m->bad_rise_ms >= b->co->set.bad_token_quiet_s * 1000LL)
		alarm_meter(b, m, AL_BAD_TOKEN, 0, 0);
	m->bad_tokens = now;
}

void
alarm_reading(struct bus *b, struct meter *m, const struct reading *r,
    long long at_ms)
{
	int level;

	if (!r->has_money)
		return;
	level = balance_level(r->status);
	/* Close the other levels first, so that one is open at a time. */
	for (int k = AL_ALARM1; k <= AL_ARREARS; k++)
		if (k != level)
			alarm_meter(b, m, k, 0, r->remaining);
	if (level >= 0)
		alarm_meter(b, m, level, 1, r->remaining);
	alarm_meter(b, m, AL_OVERLOAD, (r->status & ST_OVERLOAD) != 0,
	    r->remaining);
	bad_tokens(b, m, r->bad_tokens, at_ms);
}

const char *
alarm_name(int kind)
{
	return kind >= 0 && kind < AL_NKINDS ? alarm_names[kind] : "";
}
