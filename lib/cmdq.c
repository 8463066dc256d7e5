/* cmdq.c - the meter command queue: writes commands rows and encodes and decodes their payloads, nothing else does. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmdq.h"
#include "db.h"

enum { Q_TOKEN, Q_PLAIN, Q_TARIFF, Q_BATCH };
static const char *const q[] = {
	[Q_TOKEN] = "INSERT INTO commands (meter_id, kind, purchase_count, amount_fen)"
	    " VALUES (?, ?, ?, ?)",
	[Q_PLAIN] = "INSERT INTO commands (meter_id, kind, payload) VALUES (?, ?, ?)",
	[Q_TARIFF] = "INSERT INTO commands (meter_id, kind, payload)"
	    " SELECT mt.meter_id, 'price', ? FROM meter_tariffs mt WHERE mt.tariff_id = ?",
	/* a batch reaches prepaid meters only */
	[Q_BATCH] = "INSERT INTO commands (meter_id, kind, payload, batch_id)"
	    " SELECT id, ?, ?, ? FROM meters WHERE id = ? AND profile = 'ddsy1352nk'",
};

static const char *const relay_kinds[] = { "trip", "restore", "keep_power", NULL };

/* The settings keys in the order they are written. */
enum { S_ALARM1, S_ALARM2, S_OVERDRAFT, S_THRESHOLD, S_RESTORE, S_N };
static const char *const set_keys[S_N] = {
	"alarm1", "alarm2", "overdraft", "threshold", "restore_delay"
};
static const int64_t set_max[S_N] = {
	CMDQ_FEN_MAX, CMDQ_FEN_MAX, CMDQ_FEN_MAX, CMDQ_U16_MAX, CMDQ_U16_MAX
};

static int
fail(int e)
{
	errno = e;
	return -1;
}

/* A decimal of LEN digits (1-10, nothing else) in [MIN, MAX] into *OUT. */
static int
num(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
	int64_t v = 0;

	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Appends to BUF at *N; 0, or -1 with ENOSPC. */
static int __attribute__((format(printf, 4, 5)))
put(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*n >= size)
		return fail(ENOSPC);
	va_start(ap, fmt);
	w = vsnprintf(buf + *n, size - *n, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= size - *n)
		return fail(ENOSPC);
	*n += (size_t)w;
	return 0;
}

static int
tou_ok(const struct tou *t)
{
	if (t->n < 0 || t->n > TOU_MAX)
		return 0;
	for (int i = 0; i < t->n; i++)
		if (t->start[i] < 0 || t->start[i] > 1439 || t->slot[i] < 0 ||
		    t->slot[i] > 3 || (i > 0 && t->start[i] <= t->start[i - 1]))
			return 0;
	return 1;
}

/* The day table at BUF + *N. */
static int
tou_put(const struct tou *t, char *buf, size_t size, size_t *n)
{
	for (int i = 0; i < t->n; i++)
		if (put(buf, size, n, "%s%d:%d", i ? "," : "", t->start[i],
		    t->slot[i]) == -1)
			return -1;
	return 0;
}

int
cmdq_tou_encode(const struct tou *t, char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return fail(ENOSPC);
	buf[0] = '\0';
	if (!tou_ok(t))
		return fail(EINVAL);
	if (tou_put(t, buf, size, &n) == -1) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

int
cmdq_price_encode(const struct cmdq_price *p, char *buf, size_t size)
{
	size_t n = 0;
	int rc = 0;

	if (size > 0)
		buf[0] = '\0';
	for (int k = 0; k < 4; k++)
		if (p->p[k] < 1 || p->p[k] > CMDQ_PRICE_MAX)
			return fail(EINVAL);
	if (!tou_ok(&p->tou))
		return fail(EINVAL);
	for (int k = 0; k < 4 && rc == 0; k++)
		rc = put(buf, size, &n, "%sp%d=%lld", k ? "&" : "", k,
		    (long long)p->p[k]);
	if (rc == 0 && p->tou.n > 0)
		rc = put(buf, size, &n, "&tou=") == -1 ? -1 :
		    tou_put(&p->tou, buf, size, &n);
	if (rc == -1 && size > 0)
		buf[0] = '\0';
	return rc;
}

void
cmdq_settings_none(struct cmdq_settings *s)
{
	s->alarm1 = s->alarm2 = s->overdraft = -1;
	s->threshold = s->restore_delay = -1;
}

static void
set_get(const struct cmdq_settings *s, int64_t v[S_N])
{
	v[S_ALARM1] = s->alarm1;
	v[S_ALARM2] = s->alarm2;
	v[S_OVERDRAFT] = s->overdraft;
	v[S_THRESHOLD] = s->threshold;
	v[S_RESTORE] = s->restore_delay;
}

int
cmdq_settings_encode(const struct cmdq_settings *s, char *buf, size_t size)
{
	int64_t v[S_N];
	size_t n = 0;
	int any = 0;

	if (size > 0)
		buf[0] = '\0';
	set_get(s, v);
	for (int i = 0; i < S_N; i++) {
		if (v[i] < -1 || v[i] > set_max[i])
			return fail(EINVAL);
		any |= v[i] >= 0;
	}
	if (!any)
		return fail(EINVAL);
	for (int i = 0; i < S_N; i++)
		if (v[i] >= 0 && put(buf, size, &n, "%s%s=%lld", n ? "&" : "",
		    set_keys[i], (long long)v[i]) == -1) {
			if (size > 0)
				buf[0] = '\0';
			return -1;
		}
	return 0;
}

/* The day table in the LEN bytes at S; "" is no table. */
static int
tou_span(const char *s, size_t len, struct tou *t)
{
	const char *p = s, *end = s + len;

	memset(t, 0, sizeof(*t));
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *seg = comma ? comma : end, *colon;
		int64_t m, slot;

		colon = memchr(p, ':', (size_t)(seg - p));
		if (colon == NULL || t->n == TOU_MAX ||
		    num(p, (size_t)(colon - p), 0, 1439, &m) == -1 ||
		    num(colon + 1, (size_t)(seg - colon - 1), 0, 3, &slot) == -1 ||
		    (t->n > 0 && m <= t->start[t->n - 1]) ||
		    (comma && comma + 1 == end))
			return -1;
		t->start[t->n] = (int)m;
		t->slot[t->n++] = (int)slot;
		p = comma ? comma + 1 : end;
	}
	return 0;
}

int
cmdq_tou_decode(const char *s, struct tou *t)
{
	size_t len = strnlen(s, CMDQ_PAYLOAD_SIZE);

	if (len == CMDQ_PAYLOAD_SIZE || tou_span(s, len, t) == -1) {
		memset(t, 0, sizeof(*t));
		return fail(EINVAL);
	}
	return 0;
}

/*
 * The next "key=value" of a payload at *P, as spans; 1, 0 at its end, -1
 * when malformed. The payload was checked to be neither empty nor ending
 * in '&'.
 */
static int
pair_next(const char **p, const char **k, size_t *kl, const char **v,
    size_t *vl)
{
	const char *s = *p, *amp, *eq;

	if (*s == '\0')
		return 0;
	if ((amp = strchr(s, '&')) == NULL)
		amp = s + strlen(s);
	if ((eq = memchr(s, '=', (size_t)(amp - s))) == NULL || eq == s)
		return -1;
	*k = s;
	*kl = (size_t)(eq - s);
	*v = eq + 1;
	*vl = (size_t)(amp - eq - 1);
	*p = *amp ? amp + 1 : amp;
	return 1;
}

/* A payload to walk: not empty, not too long, no empty last pair. */
static int
walkable(const char *s)
{
	size_t len = strnlen(s, CMDQ_PAYLOAD_SIZE);

	return len > 0 && len < CMDQ_PAYLOAD_SIZE && s[len - 1] != '&';
}

static int
key_is(const char *k, size_t kl, const char *name)
{
	return strlen(name) == kl && memcmp(k, name, kl) == 0;
}

int
cmdq_price_decode(const char *s, struct cmdq_price *pr)
{
	const char *p = s, *k, *v;
	size_t kl, vl;
	int have[4] = { 0 }, tou = 0, r;

	memset(pr, 0, sizeof(*pr));
	if (!walkable(s))
		goto bad;
	while ((r = pair_next(&p, &k, &kl, &v, &vl)) == 1) {
		if (kl == 2 && k[0] == 'p' && k[1] >= '0' && k[1] <= '3') {
			if (have[k[1] - '0']++ ||
			    num(v, vl, 1, CMDQ_PRICE_MAX, &pr->p[k[1] - '0']) == -1)
				goto bad;
		} else if (key_is(k, kl, "tou")) {
			if (tou++ || tou_span(v, vl, &pr->tou) == -1 ||
			    pr->tou.n == 0)
				goto bad;
		} else
			goto bad;
	}
	if (r == -1 || !have[0])
		goto bad;
	for (int i = 1; i < 4; i++)
		if (!have[i])
			pr->p[i] = pr->p[0];
	return 0;
bad:
	memset(pr, 0, sizeof(*pr));
	return fail(EINVAL);
}

int
cmdq_settings_decode(const char *s, struct cmdq_settings *st)
{
	const char *p = s, *k, *v;
	size_t kl, vl;
	int64_t val[S_N];
	int r, i;

	for (i = 0; i < S_N; i++)
		val[i] = -1;
	cmdq_settings_none(st);
	if (!walkable(s))
		return fail(EINVAL);
	while ((r = pair_next(&p, &k, &kl, &v, &vl)) == 1) {
		for (i = 0; i < S_N && !key_is(k, kl, set_keys[i]); i++)
			;
		if (i == S_N || val[i] != -1 ||
		    num(v, vl, 0, set_max[i], &val[i]) == -1)
			return fail(EINVAL);
	}
	if (r == -1)
		return fail(EINVAL);
	st->alarm1 = val[S_ALARM1];
	st->alarm2 = val[S_ALARM2];
	st->overdraft = val[S_OVERDRAFT];
	st->threshold = (int)val[S_THRESHOLD];
	st->restore_delay = (int)val[S_RESTORE];
	return 0;
}

static int
is_relay(const char *kind)
{
	for (int i = 0; relay_kinds[i]; i++)
		if (strcmp(kind, relay_kinds[i]) == 0)
			return 1;
	return 0;
}

/* Whether PAYLOAD is one of command KIND (a relay command has none). */
static int
payload_ok(const char *kind, const char *payload)
{
	struct cmdq_price p;
	struct cmdq_settings s;

	if (strcmp(kind, "price") == 0)
		return cmdq_price_decode(payload, &p) == 0;
	if (strcmp(kind, "settings") == 0)
		return cmdq_settings_decode(payload, &s) == 0;
	return is_relay(kind) && payload[0] == '\0';
}

/* The id of the row just inserted (N rows), or -1. */
static int64_t
inserted(struct db *db, long n)
{
	return n == 1 ? (int64_t)db_last_id(db) : -1;
}

int64_t
cmdq_token(struct db *db, int64_t meter_id, int64_t amount, int64_t count)
{
	if (amount == 0 || amount < -CMDQ_FEN_MAX || amount > CMDQ_FEN_MAX ||
	    count < 0 || count > CMDQ_U16_MAX)
		return fail(EINVAL);
	return inserted(db, db_exec(db, q[Q_TOKEN], "lsll", meter_id,
	    amount > 0 ? "credit" : "debit", count, amount > 0 ? amount : -amount));
}

int64_t
cmdq_relay(struct db *db, int64_t meter_id, const char *kind)
{
	if (!is_relay(kind))
		return fail(EINVAL);
	return inserted(db, db_exec(db, q[Q_PLAIN], "lss", meter_id, kind, ""));
}

int64_t
cmdq_price(struct db *db, int64_t meter_id, const struct cmdq_price *p)
{
	char pl[CMDQ_PAYLOAD_SIZE];

	if (cmdq_price_encode(p, pl, sizeof(pl)) == -1)
		return -1;
	return inserted(db, db_exec(db, q[Q_PLAIN], "lss", meter_id, "price", pl));
}

long
cmdq_price_tariff(struct db *db, int64_t tariff_id, const struct cmdq_price *p)
{
	char pl[CMDQ_PAYLOAD_SIZE];

	if (cmdq_price_encode(p, pl, sizeof(pl)) == -1)
		return -1;
	return db_exec(db, q[Q_TARIFF], "sl", pl, tariff_id);
}

long
cmdq_batch(struct db *db, int64_t batch_id, int64_t meter_id, const char *kind,
    const char *payload)
{
	if (!payload_ok(kind, payload))
		return fail(EINVAL);
	return db_exec(db, q[Q_BATCH], "ssll", kind, payload, batch_id, meter_id);
}
