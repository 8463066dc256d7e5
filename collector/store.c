/* store.c - the collector's database writes: a bus cycle's readings in one batch, meter state, daily energy and each day's use, bus health, events, gateway state. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector.h"
#include "db.h"
#include "log.h"

/*
 * A cycle's rows travel as one JSON array bound to one parameter and are
 * unpacked by JSON_TABLE: one prepared statement per table per cycle.
 */
enum {
	Q_READINGS, Q_STATE_OK, Q_STATE_FAIL, Q_DAILY, Q_DAILY_USE, Q_HEALTH,
	Q_EVENT, Q_GW_STATE
};

/* A day row's use: its last energy minus that of the meter's row before
 * (however old), or its own first when it has none; never below 0. */
#define DAY_USE "GREATEST(d.last_energy - COALESCE((SELECT p.last_energy" \
	" FROM daily_energy p WHERE p.meter_id = d.meter_id AND p.day < d.day" \
	" ORDER BY p.day DESC LIMIT 1), d.first_energy), 0)"

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
	/* the use of the cycle's day rows and of each one's next row, whose
	 * day before has changed when reads of an earlier day come late */
	[Q_DAILY_USE] = "UPDATE daily_energy d JOIN JSON_TABLE(?, '$[*]' COLUMNS"
	    " (m INT PATH '$[0]', dd DATE PATH '$[1]')) j"
	    " ON d.meter_id = j.m AND d.day >= j.dd"
	    " AND d.day <= COALESCE((SELECT MIN(n.day) FROM daily_energy n"
	    " WHERE n.meter_id = j.m AND n.day > j.dd), j.dd)"
	    " SET d.used = " DAY_USE,
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
	[Q_GW_STATE] = "INSERT INTO gateway_state (gateway_id, lost, lost_since)"
	    " VALUES (?, ?, IF(? = 1, NOW(3), NULL)) ON DUPLICATE KEY UPDATE"
	    " lost = VALUES(lost), lost_since = VALUES(lost_since)",
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

int
store_gateway(struct db *db, int gateway_id, int lost)
{
	return db_exec(db, q[Q_GW_STATE], "iii", gateway_id, lost, lost) == -1 ?
	    -1 : 0;
}

struct rows {
	struct bus *b;
	long ms;
	struct buf *rd, *fail, *daily;
};

/* The bus cycle's statements; the meter state statement reads the
 * readings' array too. */
static int
rows_tx(struct db *db, void *arg)
{
	struct rows *x = arg;
	struct counters *c = &x->b->cnt;
	int64_t ms = x->ms;

	if ((x->rd->len > 2 && (db_exec(db, q[Q_READINGS], "s", x->rd->s) == -1 ||
	    db_exec(db, q[Q_STATE_OK], "s", x->rd->s) == -1 ||
	    db_exec(db, q[Q_DAILY], "s", x->daily->s) == -1 ||
	    db_exec(db, q[Q_DAILY_USE], "s", x->daily->s) == -1)) ||
	    (x->fail->len > 2 &&
	    db_exec(db, q[Q_STATE_FAIL], "s", x->fail->s) == -1) ||
	    db_exec(db, q[Q_HEALTH], "illllllllll", x->b->id, (int64_t)c->ok,
	    (int64_t)c->failed, (int64_t)c->fault[FT_TIMEOUT],
	    (int64_t)c->fault[FT_EXCEPTION], (int64_t)c->fault[FT_BADFRAME],
	    (int64_t)c->fault[FT_LINK], (int64_t)c->latency_ms, ms, ms, ms) == -1)
		return -1;
	return 0;
}

/* One transaction (db_tx: run again on a deadlock or a cluster's
 * certification failure, so a cycle's reads are not lost to it). */
static int
store_rows(struct bus *b, long cycle_ms,
    struct buf *rd, struct buf *fail, struct buf *daily)
{
	struct rows x = { b, cycle_ms, rd, fail, daily };

	return db_tx(b->db, rows_tx, &x) == 0 ? 0 : -1;
}

/* A good read's rows: its reading and its day's energy. */
static void
row_good(struct bus *b, const struct result *r, struct buf *rd,
    struct buf *daily)
{
	const struct reading *x = &r->r;
	char day[16];
	int money = x->has_money;

	bprintf(rd, "%s[%d,%lld", rd->len > 1 ? "," : "", r->m->id, r->at_ms);
	jnum(rd, x->clock, money);
	jnum(rd, x->energy, 1);
	for (int k = 0; k < 4; k++)
		jnum(rd, x->e_slot[k], money);
	jnum(rd, x->remaining, money);
	jnum(rd, x->count, money);
	jnum(rd, x->status, money);
	jnum(rd, x->voltage_dv, 1);
	jnum(rd, x->current_ca, 1);
	jnum(rd, x->power_w, 1);
	jnum(rd, x->pf_milli, 1);
	jnum(rd, x->freq_chz, 1);
	jnum(rd, r->latency_ms, 1);
	jnum(rd, x->bad_tokens, money);
	bprintf(rd, "]");
	local_day(r->at_ms, b->co->set.tz_min, day);
	bprintf(daily, "%s[%d,\"%s\",%lld]", daily->len > 1 ? "," : "",
	    r->m->id, day, (long long)x->energy);
}

/* A failed read's row: the meter's streak (counted by its bus thread) and whether it is lost now. */
static void
row_failed(struct bus *b, const struct result *r, struct buf *fail)
{
	const struct meter *m = r->m;

	bprintf(fail, "%s[%d,%d,%d", fail->len > 1 ? "," : "", m->id,
	    m->lost || m->fail_streak >= b->co->set.lost_after, m->fail_streak);
	jstr(fail, r->error);
	bprintf(fail, "]");
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
		if (res[i].fault == FT_OK) {
			b->cnt.ok++;
			b->cnt.latency_ms += res[i].latency_ms;
			row_good(b, &res[i], &rd, &daily);
		} else {
			b->cnt.failed++;
			row_failed(b, &res[i], &fail);
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
	rc = store_rows(b, cycle_ms, &rd, &fail, &daily);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	atomic_store(&b->store_us, (t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000);
	atomic_store(&b->store_rows, n);
	if (rc == 0)
		memset(&b->cnt, 0, sizeof(b->cnt));
	else
		log_warnx("bus %d: storing %d results failed: %s", b->id, n,
		    db_error(b->db));
out:
	free(rd.s);
	free(fail.s);
	free(daily.s);
	return rc;
}
