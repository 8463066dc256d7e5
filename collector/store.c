/* store.c - what a bus cycle writes: readings in one batch, meter state, daily energy, bus health, events, alarms, SMS. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector.h"
#include "db.h"
#include "log.h"
#include "money.h"
#include "pdu.h"

/*
 * A cycle's rows travel as one JSON array bound to one parameter and are
 * unpacked by JSON_TABLE: one prepared statement per table per cycle.
 */
enum {
	Q_READINGS, Q_STATE_OK, Q_STATE_FAIL, Q_DAILY, Q_HEALTH, Q_EVENT,
	Q_ALARM_OPEN, Q_ALARM_CLOSE, Q_SMS, Q_SMS_STAFF, Q_GW_NAME, Q_SMS_LATE,
	Q_SMS_ADD
};
static const char *const q[] = {
	[Q_READINGS] = "INSERT INTO readings (meter_id, read_at, meter_clock,"
	    " energy, e_spike, e_peak, e_flat, e_valley, remaining_fen,"
	    " purchase_count, status_word, voltage_dv, current_ca, power_w,"
	    " pf_milli, freq_chz, bad_tokens)"
	    " SELECT j.m, FROM_UNIXTIME(j.t / 1000),"
	    " IF(j.clk > 0, FROM_UNIXTIME(j.clk), NULL), j.e, j.e0, j.e1, j.e2,"
	    " j.e3, j.rem, j.cnt, j.st, j.v, j.i, j.p, j.pf, j.f, j.bt"
	    " FROM JSON_TABLE(?, '$[*]' COLUMNS (m INT PATH '$[0]',"
	    " t BIGINT PATH '$[1]', clk BIGINT PATH '$[2]', e BIGINT PATH '$[3]',"
	    " e0 BIGINT PATH '$[4]', e1 BIGINT PATH '$[5]', e2 BIGINT PATH '$[6]',"
	    " e3 BIGINT PATH '$[7]', rem BIGINT PATH '$[8]', cnt INT PATH '$[9]',"
	    " st INT PATH '$[10]', v INT PATH '$[11]', i INT PATH '$[12]',"
	    " p INT PATH '$[13]', pf INT PATH '$[14]', f INT PATH '$[15]',"
	    " lat INT PATH '$[16]', bt INT PATH '$[17]')) j",
	[Q_STATE_OK] = "INSERT INTO meter_state (meter_id, read_at, energy,"
	    " remaining_fen, purchase_count, status_word, relay_closed, power_w,"
	    " lost, lost_since, fail_streak, reads_ok, latency_ms_sum, last_error,"
	    " bad_tokens)"
	    " SELECT j.m, FROM_UNIXTIME(j.t / 1000), j.e, j.rem, j.cnt, j.st,"
	    " IF(j.st IS NULL, NULL, (j.st >> 13) & 1), j.p, 0, NULL, 0, 1, j.lat, '',"
	    " j.bt"
	    " FROM JSON_TABLE(?, '$[*]' COLUMNS (m INT PATH '$[0]',"
	    " t BIGINT PATH '$[1]', e BIGINT PATH '$[3]', rem BIGINT PATH '$[8]',"
	    " cnt INT PATH '$[9]', st INT PATH '$[10]', p INT PATH '$[13]',"
	    " lat INT PATH '$[16]', bt INT PATH '$[17]')) j"
	    " ON DUPLICATE KEY UPDATE read_at = VALUES(read_at),"
	    " energy = VALUES(energy), remaining_fen = VALUES(remaining_fen),"
	    " purchase_count = VALUES(purchase_count),"
	    " status_word = VALUES(status_word),"
	    " relay_closed = VALUES(relay_closed), power_w = VALUES(power_w),"
	    " lost = 0, lost_since = NULL, fail_streak = 0,"
	    " reads_ok = reads_ok + 1,"
	    " latency_ms_sum = latency_ms_sum + VALUES(latency_ms_sum),"
	    " last_error = '', bad_tokens = VALUES(bad_tokens)",
	[Q_STATE_FAIL] = "INSERT INTO meter_state (meter_id, lost, lost_since,"
	    " fail_streak, reads_failed, last_error)"
	    " SELECT j.m, j.lost, IF(j.lost, NOW(3), NULL), j.fs, 1, j.err"
	    " FROM JSON_TABLE(?, '$[*]' COLUMNS (m INT PATH '$[0]',"
	    " lost INT PATH '$[1]', fs INT PATH '$[2]',"
	    " err VARCHAR(128) PATH '$[3]')) j"
	    " ON DUPLICATE KEY UPDATE"
	    " lost_since = IF(VALUES(lost) = 1 AND meter_state.lost = 0, NOW(3),"
	    "  IF(VALUES(lost) = 1, meter_state.lost_since, NULL)),"
	    " lost = VALUES(lost), fail_streak = VALUES(fail_streak),"
	    " reads_failed = reads_failed + 1, last_error = VALUES(last_error)",
	[Q_DAILY] = "INSERT INTO daily_energy (meter_id, day, first_energy,"
	    " last_energy)"
	    " SELECT j.m, j.d, j.e, j.e FROM JSON_TABLE(?, '$[*]' COLUMNS"
	    " (m INT PATH '$[0]', d DATE PATH '$[1]', e BIGINT PATH '$[2]')) j"
	    " ON DUPLICATE KEY UPDATE last_energy = VALUES(last_energy)",
	[Q_HEALTH] = "INSERT INTO bus_health (bus_id, reads_ok, reads_failed,"
	    " timeouts, exceptions, bad_frames, link_errors, latency_ms_sum,"
	    " last_cycle_at, last_cycle_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
	    " IF(? >= 0, NOW(3), NULL), IF(? >= 0, ?, NULL))"
	    " ON DUPLICATE KEY UPDATE reads_ok = reads_ok + VALUES(reads_ok),"
	    " reads_failed = reads_failed + VALUES(reads_failed),"
	    " timeouts = timeouts + VALUES(timeouts),"
	    " exceptions = exceptions + VALUES(exceptions),"
	    " bad_frames = bad_frames + VALUES(bad_frames),"
	    " link_errors = link_errors + VALUES(link_errors),"
	    " latency_ms_sum = latency_ms_sum + VALUES(latency_ms_sum),"
	    " last_cycle_at = COALESCE(VALUES(last_cycle_at), last_cycle_at),"
	    " last_cycle_ms = COALESCE(VALUES(last_cycle_ms), last_cycle_ms)",
	[Q_EVENT] = "INSERT INTO events (at, kind, meter_id, gateway_id, detail)"
	    " VALUES (NOW(3), ?, ?, ?, ?)",
	[Q_ALARM_OPEN] = "INSERT INTO alarms (kind, meter_id, gateway_id,"
	    " opened_at, remaining_fen, open_key) VALUES (?, ?, ?, NOW(3), ?, ?)",
	[Q_ALARM_CLOSE] = "UPDATE alarms SET closed_at = NOW(3), open_key = NULL"
	    " WHERE open_key = ?",
	[Q_SMS] = "INSERT INTO sms_outbox (phone, body, alarm_id)"
	    " SELECT a.phone, ?, ? FROM account_meters am"
	    " JOIN accounts a ON a.id = am.account_id"
	    " WHERE am.meter_id = ? AND am.active = 1 AND a.status = 'open'"
	    " AND a.phone <> '' ORDER BY a.id LIMIT 1",
	[Q_SMS_STAFF] = "INSERT INTO sms_outbox (phone, body, alarm_id, recipient)"
	    " VALUES (?, ?, ?, 'staff')",
	[Q_GW_NAME] = "SELECT name FROM gateways WHERE id = ?",
	/* Open balance episodes whose meter has a holder with a phone but no SMS yet. */
	[Q_SMS_LATE] = "SELECT al.id, al.kind, a.phone,"
	    " COALESCE(CONCAT(bd.name, ' ', r.number), ''),"
	    " COALESCE(s.remaining_fen, al.remaining_fen, 0)"
	    " FROM alarms al JOIN account_meters am ON am.meter_id = al.meter_id"
	    " AND am.active = 1"
	    " JOIN accounts a ON a.id = am.account_id AND a.status = 'open'"
	    " AND a.phone <> ''"
	    " JOIN meters m ON m.id = al.meter_id"
	    " LEFT JOIN rooms r ON r.id = m.room_id"
	    " LEFT JOIN buildings bd ON bd.id = r.building_id"
	    " LEFT JOIN meter_state s ON s.meter_id = al.meter_id"
	    " WHERE al.open_key IS NOT NULL"
	    " AND al.kind IN ('alarm1', 'alarm2', 'arrears')"
	    " AND NOT EXISTS (SELECT 1 FROM sms_outbox o WHERE o.alarm_id = al.id"
	    " AND o.recipient = 'holder') ORDER BY al.id LIMIT 50",
	[Q_SMS_ADD] = "INSERT INTO sms_outbox (phone, body, alarm_id, recipient)"
	    " VALUES (?, ?, ?, 'holder') ON DUPLICATE KEY UPDATE id = id",
};

/* The staff's alarm number (setting alarm_sms_phone), empty for none; set while no bus runs. */
static char staff_phone[24];

static const char *const alarm_names[AL_NKINDS] = {
	"alarm1", "alarm2", "arrears", "overload", "meter_lost", "gateway_lost",
	"count_mismatch", "bad_token"
};

/* A growing text buffer; on failure it stays marked and the caller gives up. */
struct buf {
	char	*s;
	size_t	len, cap;
	int	bad;
};

static void
bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->bad)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->bad = 1;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *ns = realloc(b->s, cap);
		if (ns == NULL) {
			b->bad = 1;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
}

/* A JSON number, or null for a field the profile does not have. */
static void
jnum(struct buf *b, int64_t v, int have)
{
	if (have)
		bprintf(b, ",%lld", (long long)v);
	else
		bprintf(b, ",null");
}

/* A JSON string of our own messages: quotes, backslashes and controls escaped. */
static void
jstr(struct buf *b, const char *s)
{
	bprintf(b, ",\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			bprintf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			bprintf(b, "\\u%04x", *s);
		else
			bprintf(b, "%c", *s);
	}
	bprintf(b, "\"");
}

/* The site's local day of unix milliseconds MS as YYYY-MM-DD. */
static void
local_day(long long ms, int tz_min, char out[16])
{
	time_t t = (time_t)(ms / 1000) + (time_t)tz_min * 60;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

int
store_event(struct db *db, const char *kind, int meter_id, int gateway_id,
    const char *detail)
{
	char mid[16], gid[16];

	snprintf(mid, sizeof(mid), "%d", meter_id);
	snprintf(gid, sizeof(gid), "%d", gateway_id);
	if (db_exec(db, q[Q_EVENT], "ssss", kind, meter_id ? mid : NULL,
	    gateway_id ? gid : NULL, detail ? detail : "") == -1)
		return -1;
	return 0;
}

#define SMS_BODY_MAX	700	/* sms_outbox.body, in characters */
#define SMS_PHONE_MAX	20

/* The holder's SMS text of a balance alarm for ROOM; the caller frees it. */
static char *
sms_body(int kind, const char *room, int64_t remaining)
{
	char money[32], *s = NULL;
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
	if (asprintf(&s, "【电费提醒】%s%s房间剩余电费 %s 元，%s",
	    room, room[0] ? " " : "", money, what) == -1)
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
alarm_staff_phone(const char *phone)
{
	snprintf(staff_phone, sizeof(staff_phone), "%s",
	    strlen(phone) <= SMS_PHONE_MAX ? phone : "");
}

int
alarm_set(struct db *db, int kind, int meter_id, int gateway_id,
    int64_t remaining, int open, const struct meter *m)
{
	char key[32], rem[24];
	int64_t alarm_id;
	char *body = NULL;
	int rc = -1, with_sms = 1;

	snprintf(key, sizeof(key), "%c:%d:%s", meter_id ? 'm' : 'g',
	    meter_id ? meter_id : gateway_id, alarm_names[kind]);
	if (!open)
		return db_exec(db, q[Q_ALARM_CLOSE], "s", key) == -1 ? -1 : 0;
	snprintf(rem, sizeof(rem), "%lld", (long long)remaining);
	for (int attempt = 0; attempt < 4; attempt++) {
		char mid[16], gid[16];

		snprintf(mid, sizeof(mid), "%d", meter_id);
		snprintf(gid, sizeof(gid), "%d", gateway_id);
		if (db_begin(db) == -1)
			goto out;
		if (db_exec(db, q[Q_ALARM_OPEN], "sssss", alarm_names[kind],
		    meter_id ? mid : NULL, gateway_id ? gid : NULL,
		    kind <= AL_ARREARS ? rem : NULL, key) == -1) {
			unsigned e = db_errno(db);

			db_rollback(db);
			if (e == DB_ER_DUP_ENTRY) {	/* already open */
				rc = 0;
				goto out;
			}
			if (e == DB_ER_DEADLOCK)
				continue;
			goto out;
		}
		alarm_id = (int64_t)db_last_id(db);
		/*
		 * S5: a balance episode tells the account holder once, and the
		 * staff's number gets a copy of every episode. A text that
		 * cannot be stored never costs the episode: it opens without,
		 * and the holder's SMS is queued again by alarm_sms_late().
		 */
		if (with_sms && kind <= AL_ARREARS && m != NULL) {
			free(body);
			if ((body = sms_body(kind, m->room, remaining)) == NULL ||
			    db_exec(db, q[Q_SMS], "sli", body, alarm_id,
			    meter_id) == -1)
				goto no_sms;
		}
		if (with_sms && staff_phone[0]) {
			free(body);
			if ((body = staff_body(db, kind, m, gateway_id,
			    remaining)) == NULL ||
			    db_exec(db, q[Q_SMS_STAFF], "ssl", staff_phone, body,
			    alarm_id) == -1)
				goto no_sms;
		}
		if (db_commit(db) == -1) {
			if (db_errno(db) == DB_ER_DEADLOCK)
				continue;
			goto out;
		}
		rc = 0;
		break;
no_sms:
		{
			unsigned e = db_errno(db);
			char err[160];

			snprintf(err, sizeof(err), "%s", body ? db_error(db) :
			    strerror(errno));
			db_rollback(db);
			if (e == DB_ER_DEADLOCK)
				continue;
			log_warnx("alarm %s: its SMS cannot be queued (%s); the"
			    " episode opens without", key, err);
			with_sms = 0;
		}
	}
out:
	free(body);
	return rc;
}

int
alarm_sms_late(struct db *db)
{
	struct dbres *r;
	int n = 0;

	if ((r = db_query(db, q[Q_SMS_LATE], "")) == NULL)
		return -1;
	while (db_next(r)) {
		int64_t id = db_coll(r, 0);
		const char *kind = db_col(r, 1);
		char room[400], *body;
		int k = AL_ALARM1;

		for (int i = AL_ALARM1; i <= AL_ARREARS; i++)
			if (strcmp(kind, alarm_names[i]) == 0)
				k = i;
		snprintf(room, sizeof(room), "%s", db_col(r, 3));
		pdu_utf8_cut(room);
		if ((body = sms_body(k, room, db_coll(r, 4))) == NULL)
			continue;
		if (db_exec(db, q[Q_SMS_ADD], "ssl", db_col(r, 2), body, id) == -1)
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

static void
set_alarm(struct bus *b, struct meter *m, int kind, int on, int64_t rem)
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

void
meter_alarm(struct bus *b, struct meter *m, int kind, int on)
{
	set_alarm(b, m, kind, on, 0);
}

/*
 * The meter counts tokens it refused for their MAC or meter number: a rise
 * over the previous read means someone tried forged tokens on it. One
 * episode while it keeps rising; closed after bad_token_quiet_s (a day)
 * without a rise. The first read of a meter only sets where it stands.
 */
static void
bad_tokens(struct bus *b, struct meter *m, const struct result *r)
{
	int now = r->r.bad_tokens;

	if (now < 0)
		return;
	if (m->bad_tokens >= 0 && now > m->bad_tokens) {
		char detail[64];

		m->bad_rise_ms = r->at_ms;
		if (!(m->alarms & (1u << AL_BAD_TOKEN))) {
			snprintf(detail, sizeof(detail), "%d -> %d", m->bad_tokens, now);
			log_warnx("meter %u (id %d): bad-token counter rose %s",
			    m->number, m->id, detail);
		}
		set_alarm(b, m, AL_BAD_TOKEN, 1, 0);
	} else if ((m->alarms & (1u << AL_BAD_TOKEN)) &&
	    r->at_ms - m->bad_rise_ms >= b->co->set.bad_token_quiet_s * 1000LL)
		set_alarm(b, m, AL_BAD_TOKEN, 0, 0);
	m->bad_tokens = now;
}

/* After a good read: lost -> found, alarm episodes from the status word. */
static void
after_good(struct bus *b, struct result *r)
{
	struct meter *m = r->m;

	m->fail_streak = 0;
	if (m->lost) {
		m->lost = 0;
		log_info("meter %u (id %d) found again", m->number, m->id);
		store_event(b->db, "meter_found", m->id, 0, "");
		set_alarm(b, m, AL_METER_LOST, 0, 0);
		cmd_meter_found(b, m);
	} else if (m->alarms & (1u << AL_METER_LOST))
		set_alarm(b, m, AL_METER_LOST, 0, 0);
	if (!r->r.has_money)
		return;
	int level = balance_level(r->r.status);

	/* Close the other levels first, so that one is open at a time. */
	for (int k = AL_ALARM1; k <= AL_ARREARS; k++)
		if (k != level)
			set_alarm(b, m, k, 0, r->r.remaining);
	if (level >= 0)
		set_alarm(b, m, level, 1, r->r.remaining);
	set_alarm(b, m, AL_OVERLOAD, (r->r.status & ST_OVERLOAD) != 0,
	    r->r.remaining);
	bad_tokens(b, m, r);
}

static void
after_failed(struct bus *b, struct result *r)
{
	struct meter *m = r->m;

	if (m->lost || m->fail_streak < b->co->set.lost_after)
		return;
	m->lost = 1;
	log_info("meter %u (id %d) lost after %d failed cycles: %s",
	    m->number, m->id, m->fail_streak, r->error);
	store_event(b->db, "meter_lost", m->id, 0, r->error);
	set_alarm(b, m, AL_METER_LOST, 1, 0);
	cmd_meter_lost(b, m);
}

/* One transaction; the meter state statement reads the readings' array too. */
static int
store_rows(struct bus *b, long cycle_ms,
    struct buf *rd, struct buf *fail, struct buf *daily)
{
	struct counters *c = &b->cnt;
	long ms = cycle_ms;

	if (db_begin(b->db) == -1)
		return -1;
	if ((rd->len > 2 && (db_exec(b->db, q[Q_READINGS], "s", rd->s) == -1 ||
	    db_exec(b->db, q[Q_STATE_OK], "s", rd->s) == -1 ||
	    db_exec(b->db, q[Q_DAILY], "s", daily->s) == -1)) ||
	    (fail->len > 2 && db_exec(b->db, q[Q_STATE_FAIL], "s", fail->s) == -1) ||
	    db_exec(b->db, q[Q_HEALTH], "illllllllll", b->id, (int64_t)c->ok,
	    (int64_t)c->failed, (int64_t)c->fault[FT_TIMEOUT],
	    (int64_t)c->fault[FT_EXCEPTION], (int64_t)c->fault[FT_BADFRAME],
	    (int64_t)c->fault[FT_LINK], (int64_t)c->latency_ms, (int64_t)ms,
	    (int64_t)ms, (int64_t)ms) == -1) {
		db_rollback(b->db);
		return -1;
	}
	if (db_commit(b->db) == -1)
		return -1;
	return 0;
}

int
store_cycle(struct bus *b, struct result *res, int n, long cycle_ms)
{
	struct buf rd = { 0 }, fail = { 0 }, daily = { 0 };
	struct timespec t0, t1;
	int rc = -1;

	bprintf(&rd, "[");
	bprintf(&fail, "[");
	bprintf(&daily, "[");
	for (int i = 0; i < n; i++) {
		struct result *r = &res[i];
		struct reading *x = &r->r;
		char day[16];
		int money = x->has_money;

		if (r->fault == FT_OK) {
			b->cnt.ok++;
			b->cnt.latency_ms += r->latency_ms;
			bprintf(&rd, "%s[%d,%lld", rd.len > 1 ? "," : "", r->m->id,
			    r->at_ms);
			jnum(&rd, x->clock, money);
			jnum(&rd, x->energy, 1);
			for (int k = 0; k < 4; k++)
				jnum(&rd, x->e_slot[k], money);
			jnum(&rd, x->remaining, money);
			jnum(&rd, x->count, money);
			jnum(&rd, x->status, money);
			jnum(&rd, x->voltage_dv, 1);
			jnum(&rd, x->current_ca, 1);
			jnum(&rd, x->power_w, 1);
			jnum(&rd, x->pf_milli, 1);
			jnum(&rd, x->freq_chz, 1);
			jnum(&rd, r->latency_ms, 1);
			jnum(&rd, x->bad_tokens, money);
			bprintf(&rd, "]");
			local_day(r->at_ms, b->co->set.tz_min, day);
			bprintf(&daily, "%s[%d,\"%s\",%lld]",
			    daily.len > 1 ? "," : "", r->m->id, day,
			    (long long)x->energy);
		} else {
			b->cnt.failed++;
			r->m->fail_streak++;
			bprintf(&fail, "%s[%d,%d,%d", fail.len > 1 ? "," : "",
			    r->m->id,
			    r->m->lost || r->m->fail_streak >= b->co->set.lost_after,
			    r->m->fail_streak);
			jstr(&fail, r->error);
			bprintf(&fail, "]");
		}
	}
	bprintf(&rd, "]");
	bprintf(&daily, "]");
	bprintf(&fail, "]");
	if (rd.bad || daily.bad || fail.bad) {
		errno = ENOMEM;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int attempt = 0; attempt < 3; attempt++) {
		if ((rc = store_rows(b, cycle_ms, &rd, &fail,
		    &daily)) == 0 || db_errno(b->db) != DB_ER_DEADLOCK)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	atomic_store(&b->store_us, (t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000);
	atomic_store(&b->store_rows, n);
	if (rc == 0)
		memset(&b->cnt, 0, sizeof(b->cnt));
	else
		log_warnx("bus %d: storing %d results failed: %s", b->id, n,
		    db_error(b->db));
	/* Changes of contact and alarms, each in its own short transaction. */
	for (int i = 0; i < n; i++) {
		if (res[i].fault == FT_OK)
			after_good(b, &res[i]);
		else
			after_failed(b, &res[i]);
	}
out:
	free(rd.s);
	free(fail.s);
	free(daily.s);
	return rc;
}

const char *
alarm_name(int kind)
{
	return kind >= 0 && kind < AL_NKINDS ? alarm_names[kind] : "";
}
