/* command.c - remote commands (S2/B3): claimed by primary key, carried out between reads, confirmed by read-back; tokens exactly once. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector.h"
#include "db.h"
#include "log.h"

enum {
	Q_DUE, Q_CLAIM, Q_LEASE, Q_SENT, Q_CONFIRM, Q_FAIL, Q_RETRY, Q_WAIT,
	Q_LOST, Q_FOUND, Q_RELAY
};
static const char *const q[] = {
	/* Per meter, tokens strictly in id order, and other commands too. */
	[Q_DUE] = "SELECT c.id, c.meter_id FROM commands c"
	    " JOIN meters m ON m.id = c.meter_id"
	    " WHERE m.bus_id = ? AND c.status IN ('queued', 'sent', 'waiting')"
	    " AND c.next_try_at <= NOW(3)"
	    " AND c.id = (SELECT MIN(c2.id) FROM commands c2"
	    "  WHERE c2.meter_id = c.meter_id"
	    "  AND c2.status IN ('queued', 'sent', 'waiting')"
	    "  AND (c2.kind IN ('credit', 'debit')) = (c.kind IN ('credit', 'debit')))"
	    " ORDER BY c.id LIMIT 16",
	[Q_CLAIM] = "SELECT kind, status, purchase_count, amount_fen, payload,"
	    " tries, error FROM commands WHERE id = ?"
	    " AND status IN ('queued', 'sent', 'waiting') AND next_try_at <= NOW(3)"
	    " FOR UPDATE SKIP LOCKED",
	/* The claim carries this collector's id: its restart releases its own claims only. */
	[Q_LEASE] = "UPDATE commands SET tries = tries + 1, claimed_by = ?,"
	    " next_try_at = NOW(3) + INTERVAL ? SECOND WHERE id = ?",
	[Q_SENT] = "UPDATE commands SET status = 'sent', sent_at = NOW(3)"
	    " WHERE id = ?",
	[Q_CONFIRM] = "UPDATE commands SET status = 'confirmed', done_at = NOW(3),"
	    " error = ? WHERE id = ?",
	[Q_FAIL] = "UPDATE commands SET status = 'failed', done_at = NOW(3),"
	    " error = ? WHERE id = ?",
	[Q_RETRY] = "UPDATE commands SET next_try_at = NOW(3) + INTERVAL ? SECOND,"
	    " error = ? WHERE id = ?",
	[Q_WAIT] = "UPDATE commands SET status = 'waiting',"
	    " next_try_at = NOW(3) + INTERVAL ? SECOND, error = ? WHERE id = ?",
	[Q_LOST] = "UPDATE commands SET status = 'waiting', error = 'meter lost'"
	    " WHERE meter_id = ? AND status IN ('queued', 'sent')",
	[Q_FOUND] = "UPDATE commands SET next_try_at = NOW(3)"
	    " WHERE meter_id = ? AND status = 'waiting'",
	[Q_RELAY] = "SELECT kind, status FROM commands WHERE meter_id = ?"
	    " AND kind IN ('keep_power', 'trip', 'restore')"
	    " AND status IN ('confirmed', 'queued', 'sent', 'waiting')"
	    " ORDER BY id DESC LIMIT 1",
};

/* The held token of a meter is looked at again this often. */
#define HOLD_RETRY_S	600

struct cmd {
	int64_t		id;
	char		kind[16];
	char		status[16];
	int		count;
	int64_t		amount;
	char		payload[1024];
	int		tries;
	char		error[256];
	struct meter	*m;
};

/* Outcome of one attempt. */
enum { DONE, FAILED, RETRY, WAIT };

static struct meter *
find_meter(struct bus *b, int id)
{
	for (int i = 0; i < b->nmeters; i++)
		if (b->meters[i].id == id)
			return &b->meters[i];
	return NULL;
}

/* Claims command ID in a short transaction; 1 when it is ours now, 0, -1. */
static int
claim(struct bus *b, int64_t id, struct cmd *c)
{
	struct dbres *r = NULL;
	int rc = -1;

	for (int attempt = 0; attempt < 3; attempt++) {
		if (db_begin(b->db) == -1)
			return -1;
		if ((r = db_query(b->db, q[Q_CLAIM], "l", id)) == NULL)
			goto fail;
		if (!db_next(r)) {
			db_res_free(r);
			db_rollback(b->db);
			return 0;
		}
		snprintf(c->kind, sizeof(c->kind), "%s", db_col(r, 0));
		snprintf(c->status, sizeof(c->status), "%s", db_col(r, 1));
		c->count = db_col(r, 2) ? (int)db_coll(r, 2) : -1;
		c->amount = db_col(r, 3) ? db_coll(r, 3) : 0;
		snprintf(c->payload, sizeof(c->payload), "%s", db_col(r, 4));
		c->tries = (int)db_coll(r, 5) + 1;
		snprintf(c->error, sizeof(c->error), "%s", db_col(r, 6));
		db_res_free(r);
		/* The lease: nobody else takes it while we are at it. */
		if (db_exec(b->db, q[Q_LEASE], "sll", b->co->id,
		    (int64_t)b->co->set.lease_s, id) == -1)
			goto fail;
		if (db_commit(b->db) == -1)
			goto fail;
		c->id = id;
		return 1;
	fail:
		db_rollback(b->db);
		if (db_errno(b->db) != DB_ER_DEADLOCK)
			break;
	}
	return rc;
}

static int
is_token(const struct cmd *c)
{
	return strcmp(c->kind, "credit") == 0 || strcmp(c->kind, "debit") == 0;
}

static const char *
fault_text(int f, int exc, char *buf, size_t n)
{
	static const char *const names[FT_NKINDS] = {
		"ok", "timeout", "exception", "bad frame", "link fault"
	};

	if (f == FT_EXCEPTION)
		snprintf(buf, n, "exception 0x%02X", exc);
	else
		snprintf(buf, n, "%s", names[f]);
	return buf;
}

/*
 * After a write to C's meter that gave F: the fault (WHAT: fault), or the
 * meter read back into R. 0 to judge R, -1 for a retry with WHY.
 */
static int
after_write(struct bus *b, const struct cmd *c, int f, int exc,
    const char *what, struct reading *r, char *why, size_t whylen)
{
	char ft[32];

	if (f == FT_OK) {
		if ((f = bus_read_meter(b, c->m, r, &exc)) == FT_OK)
			return 0;
		what = "read-back";
	}
	snprintf(why, whylen, "%s: %s", what, fault_text(f, exc, ft, sizeof(ft)));
	return -1;
}

/* A retry, its reason in WHY. */
static int __attribute__((format(printf, 3, 4)))
retry(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return RETRY;
}

/* A command carried out and confirmed: no reason to keep. */
static int
confirmed(char *why)
{
	why[0] = '\0';
	return DONE;
}

/* Sends the token of C with purchase count WANT and reads the count back. */
static int
send_token(struct bus *b, struct cmd *c, unsigned want, char *why,
    size_t whylen)
{
	struct token_plain p;
	struct reading r;
	uint8_t tok[TOKEN_LEN];
	uint16_t regs[TOKEN_REGS];
	int f, exc;

	memset(&p, 0, sizeof(p));
	p.meter_number = c->m->number;
	p.count = (uint16_t)want;
	p.op = strcmp(c->kind, "credit") == 0 ? TOKEN_CREDIT : TOKEN_DEBIT;
	p.amount = (uint32_t)c->amount;
	p.issued_at = (uint32_t)time(NULL);
	if (token_build(b->co->vk, &p, tok) == -1) {
		snprintf(why, whylen, "token build failed");
		return RETRY;
	}
	token_to_regs(tok, regs);
	f = bus_write(b, c->m, TOKEN_ADDR, TOKEN_REGS, regs, &exc);
	if (f == FT_EXCEPTION && exc == MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE) {
		/* Refused: a fresh count says whether it was applied after all. */
		if (bus_read_meter(b, c->m, &r, &exc) != FT_OK) {
			snprintf(why, whylen, "refused, count check failed");
			return RETRY;
		}
		if ((unsigned)r.count == want)
			return confirmed(why);
		snprintf(why, whylen, "refused by the meter (exception 0x03,"
		    " count %d, bad tokens %d)", r.count, r.bad_tokens);
		return FAILED;
	}
	if (after_write(b, c, f, exc, "token write", &r, why, whylen) == -1)
		return RETRY;
	return (unsigned)r.count == want ? confirmed(why) :
	    retry(why, whylen, "read-back: count %d", r.count);
}

/*
 * A recharge token, exactly once: the meter's purchase count decides.
 * Equal to the command's count: already applied. One less: send. Anything
 * else: the meter was touched by something else, hold its queue (the bus
 * thread opens the count_mismatch episode from m->count_check).
 */
static int
run_token(struct bus *b, struct cmd *c, char *why, size_t whylen)
{
	struct reading r;
	char ft[32];
	int f, exc;
	unsigned want;

	if (!b->co->have_vk) {
		snprintf(why, whylen, "no vending key");
		return RETRY;
	}
	if (c->count < 1 || c->amount <= 0 || c->amount > 0x7fffffff) {
		snprintf(why, whylen, "bad command: count %d amount %lld",
		    c->count, (long long)c->amount);
		return FAILED;
	}
	want = (unsigned)c->count & 0xFFFF;
	if ((f = bus_read_meter(b, c->m, &r, &exc)) != FT_OK) {
		snprintf(why, whylen, "count check: %s", fault_text(f, exc, ft, sizeof(ft)));
		return RETRY;
	}
	if ((unsigned)r.count == want) {
		snprintf(why, whylen, "%s", strcmp(c->status, "sent") == 0 ?
		    "" : "already applied");
		return DONE;
	}
	if ((unsigned)r.count != ((want - 1) & 0xFFFF)) {
		snprintf(why, whylen, "count_mismatch: meter has %d, command %d",
		    r.count, c->count);
		if (strcmp(c->error, why) != 0) {
			log_warnx("command %lld: %s; meter %u held",
			    (long long)c->id, why, c->m->number);
			store_event(b->db, "count_mismatch", c->m->id, 0, why);
		}
		/* an operator must look: the meter was touched by something else */
		c->m->count_check = CC_HELD;
		return WAIT;
	}
	c->m->count_check = CC_OK;
	/* Recorded as sent before the write: a crash after it is resolved by the count. */
	if (db_exec(b->db, q[Q_SENT], "l", c->id) == -1) {
		snprintf(why, whylen, "database");
		return RETRY;
	}
	return send_token(b, c, want, why, whylen);
}

static int
control_values(const char *kind, uint16_t v[2])
{
	if (strcmp(kind, "keep_power") == 0)
		v[0] = 1, v[1] = 0;
	else if (strcmp(kind, "trip") == 0)
		v[0] = 1, v[1] = 1;
	else if (strcmp(kind, "restore") == 0)
		v[0] = 0, v[1] = 0;
	else
		return -1;
	return 0;
}

static int
run_control(struct bus *b, struct cmd *c, char *why, size_t whylen)
{
	struct reading r;
	uint16_t v[2];
	int f, exc;

	control_values(c->kind, v);
	f = bus_write(b, c->m, CTL_ADDR, 2, v, &exc);
	if (f == FT_EXCEPTION && exc != MODBUS_EXCEPTION_GATEWAY_TARGET) {
		snprintf(why, whylen, "refused by the meter (exception 0x%02X)", exc);
		return FAILED;
	}
	if (after_write(b, c, f, exc, "write", &r, why, whylen) == -1)
		return RETRY;
	return !!(r.status & ST_FORCED) == v[0] &&
	    !!(r.status & ST_FORCED_OPEN) == v[1] ? confirmed(why) :
	    retry(why, whylen, "read-back: status 0x%04X", r.status);
}

/* Price and settings: read the parameter block, change it, write it, read it back. */
static int
run_params(struct bus *b, struct cmd *c, char *why, size_t whylen)
{
	struct cmdq_price pc;
	struct cmdq_settings sc;
	uint16_t par[PAR_REGS], back[PAR_REGS], tou[TOU_REGS], want[TOU_REGS];
	char ft[32];
	int price = strcmp(c->kind, "price") == 0, f, exc;

	if (price ? cmdq_price_decode(c->payload, &pc) == -1 :
	    cmdq_settings_decode(c->payload, &sc) == -1) {
		snprintf(why, whylen, "bad payload");
		return FAILED;
	}
	if ((f = bus_read(b, c->m, PAR_ADDR, PAR_REGS, par, &exc)) != FT_OK)
		goto fault;
	if (price)
		profile_price_apply(&pc, par);
	else if (profile_settings_apply(&sc, par) == -1) {
		snprintf(why, whylen, "alarm 2 above alarm 1");
		return FAILED;
	}
	if ((f = bus_write(b, c->m, PAR_ADDR, PAR_REGS, par, &exc)) != FT_OK)
		goto fault;
	if (price)
		profile_tou_regs(&pc, want);
	if (price && pc.tou.n > 0 &&
	    (f = bus_write(b, c->m, TOU_ADDR, TOU_REGS, want, &exc)) != FT_OK)
		goto fault;
	if ((f = bus_read(b, c->m, PAR_ADDR, PAR_REGS, back, &exc)) != FT_OK)
		goto fault;
	/* The forced-control pair may have moved meanwhile: not ours to judge. */
	back[CTL_ADDR - PAR_ADDR] = par[CTL_ADDR - PAR_ADDR];
	back[CTL_ADDR + 1 - PAR_ADDR] = par[CTL_ADDR + 1 - PAR_ADDR];
	if (memcmp(par, back, sizeof(par)) != 0) {
		snprintf(why, whylen, "read-back differs");
		return RETRY;
	}
	if (price && pc.tou.n > 0) {
		if ((f = bus_read(b, c->m, TOU_ADDR, TOU_REGS, tou, &exc)) != FT_OK)
			goto fault;
		if (memcmp(tou, want, sizeof(tou)) != 0) {
			snprintf(why, whylen, "TOU read-back differs");
			return RETRY;
		}
	}
	why[0] = '\0';
	return DONE;
fault:
	if (f == FT_EXCEPTION && exc != MODBUS_EXCEPTION_GATEWAY_TARGET &&
	    exc != MODBUS_EXCEPTION_GATEWAY_PATH) {
		snprintf(why, whylen, "refused by the meter (exception 0x%02X)", exc);
		return FAILED;
	}
	snprintf(why, whylen, "%s", fault_text(f, exc, ft, sizeof(ft)));
	return RETRY;
}

static void
execute(struct bus *b, struct cmd *c)
{
	struct settings *s = &b->co->set;
	char why[256] = "";
	int out;

	if (is_token(c))
		out = run_token(b, c, why, sizeof(why));
	else if (strcmp(c->kind, "price") == 0 || strcmp(c->kind, "settings") == 0)
		out = run_params(b, c, why, sizeof(why));
	else
		out = run_control(b, c, why, sizeof(why));
	/* Money never fails for want of a link: it waits and retries. */
	if (out == RETRY && !is_token(c) && c->tries >= s->max_tries) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s after %d tries", why, c->tries);
		snprintf(why, sizeof(why), "%s", tmp);
		out = FAILED;
	}
	switch (out) {
	case DONE:
		db_exec(b->db, q[Q_CONFIRM], "sl", why, c->id);
		log_info("command %lld (%s, meter %u) confirmed%s%s",
		    (long long)c->id, c->kind, c->m->number, why[0] ? ": " : "", why);
		break;
	case FAILED:
		db_exec(b->db, q[Q_FAIL], "sl", why, c->id);
		log_warnx("command %lld (%s, meter %u) failed: %s",
		    (long long)c->id, c->kind, c->m->number, why);
		break;
	case WAIT:
		db_exec(b->db, q[Q_WAIT], "lsl", (int64_t)HOLD_RETRY_S, why, c->id);
		break;
	default:
		db_exec(b->db, q[Q_RETRY], "lsl",
		    (int64_t)profile_backoff_seconds(c->tries, s->retry_base_s, s->retry_cap_s),
		    why, c->id);
		log_debug("command %lld (%s): retry: %s", (long long)c->id,
		    c->kind, why);
		break;
	}
}

int
cmd_run_due(struct bus *b)
{
	struct dbres *r;
	int64_t ids[16];
	int mids[16], n = 0;

	if (b->db == NULL)
		return -1;
	if ((r = db_query(b->db, q[Q_DUE], "i", b->id)) == NULL)
		return -1;
	while (n < 16 && db_next(r)) {
		ids[n] = db_coll(r, 0);
		mids[n] = (int)db_coll(r, 1);
		n++;
	}
	db_res_free(r);
	for (int i = 0; i < n; i++) {
		struct cmd *c;
		struct meter *m = find_meter(b, mids[i]);

		if (m == NULL)
			continue;
		if (m->lost) {
			/* Visible as waiting; it goes out when the meter is found. */
			db_exec(b->db, q[Q_WAIT], "lsl", (int64_t)HOLD_RETRY_S,
			    "meter lost", ids[i]);
			continue;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return -1;
		if (claim(b, ids[i], c) == 1) {
			c->m = m;
			execute(b, c);
		}
		free(c);
	}
	return 0;
}

void
cmd_meter_lost(struct bus *b, struct meter *m)
{
	db_exec(b->db, q[Q_LOST], "i", m->id);
}

void
cmd_meter_found(struct bus *b, struct meter *m)
{
	struct dbres *r;
	uint16_t v[2];
	int exc, apply = 0;

	db_exec(b->db, q[Q_FOUND], "i", m->id);
	/* The relay state it should have: the last confirmed control command. */
	if ((r = db_query(b->db, q[Q_RELAY], "i", m->id)) == NULL)
		return;
	if (db_next(r) && strcmp(db_col(r, 1), "confirmed") == 0 &&
	    control_values(db_col(r, 0), v) == 0)
		apply = 1;
	db_res_free(r);
	if (apply && bus_write(b, m, CTL_ADDR, 2, v, &exc) != FT_OK)
		log_warnx("meter %u: re-applying its relay state failed", m->number);
}
