/* meter.c - one simulated meter: load model, energy and money, relay rules, registers, tokens. */
#include <string.h>

#include "sim.h"

#define UNIT_WMS	36000000LL	/* W*ms in 0.01 kWh */
#define LOCAL_OFFSET_S	(8 * 3600)	/* Asia/Shanghai */

#define RT_START	0x0200
#define RT_COUNT	48
#define PAR_START	0x0046
#define PAR_COUNT	29
#define TOU_START	0x2000
#define TOU_COUNT	16
#define FORCE_REG	0x0057
#define EN_START	0x0000
#define EN_COUNT	18

/* Load shape over the local day, percent of a meter's base load. */
static const int day_shape[24] = {
	35, 30, 25, 25, 25, 30, 55, 80, 50, 40, 40, 45,
	85, 80, 45, 40, 45, 70, 110, 150, 165, 160, 130, 70
};

void
meter_init(struct meter *m)
{
	uint64_t h = mix64(sim.seed * 1000003 + m->number);

	m->remaining = 0;
	m->count = 0;
	m->alarm1 = 2000;
	m->alarm2 = 500;
	m->overdraft = 0;
	for (int i = 0; i < 4; i++)
		m->price[i] = 5880;
	m->threshold = 0;
	m->restore_delay = 60;
	m->tou[0] = 0;
	m->tou[1] = 2;		/* flat all day */
	for (int i = 2; i < 16; i += 2) {
		m->tou[i] = 0xffff;
		m->tou[i + 1] = 0;
	}
	m->fixed_load = -1;
	m->voltage = 2200;
	m->freq = 5000;
	m->pf = 850 + (int)(h % 141);
	h = mix64(h);
	if (m->profile == PROF_ENERGY) {
		m->kind = 1;
		m->base = 2000;
	} else if (h % 100 < 12) {
		m->kind = 0;	/* empty room: standby only */
		m->base = 3 + (int)(h / 100 % 6);
	} else if (h % 100 < 20) {
		m->kind = 2;	/* heavy user: heater, cooker */
		m->base = 900 + (int)(h / 100 % 1300);
	} else {
		m->kind = 1;
		m->base = 150 + (int)(h / 100 % 300);
	}
}

/* The load the room wants at simulated time T, in W. */
static int
load_model(const struct meter *m, int64_t t_ms)
{
	int64_t local = t_ms / 1000 + LOCAL_OFFSET_S;
	int minute = (int)(local / 60 % 1440), h = minute / 60, mi = minute % 60;
	int shape = (day_shape[h] * (60 - mi) + day_shape[(h + 1) % 24] * mi) /
	    60;
	uint64_t r = mix64(sim.seed * 7919 + m->number * 1000003ULL +
	    (uint64_t)(local / 300));
	int w = m->base * shape / 100 * (75 + (int)(r % 51)) / 100;

	/* A kettle or a hair dryer now and then, in waking hours. */
	if (m->kind != 0 && h >= 7 && (int)((r >> 16) % 100) <
	    (m->kind == 2 ? 12 : 4))
		w += 1200 + (int)((r >> 24) % 800);
	return w;
}

int
meter_relay_rule(const struct meter *m, int64_t now_ms)
{
	if (m->profile == PROF_ENERGY)
		return 1;
	if (m->force_en && m->force_open)
		return 0;
	if (m->overload_until > now_ms)
		return 0;
	if (m->force_en)
		return 1;
	return m->remaining > -(int64_t)m->overdraft;
}

uint16_t
meter_status(const struct meter *m, int64_t now_ms)
{
	uint16_t s = 0;

	if (m->force_en)
		s |= 1 << 0;
	if (m->force_en && m->force_open)
		s |= 1 << 1;
	if (m->overload_until > now_ms)
		s |= 1 << 4;
	if (m->remaining <= 0)
		s |= 1 << 5;
	if (m->remaining < (int64_t)m->alarm1)
		s |= 1 << 6;
	if (m->remaining < (int64_t)m->alarm2)
		s |= 1 << 7;
	if (m->fault_bit)
		s |= 1 << 8;
	if (m->relay)
		s |= 1 << 13;
	return s;
}

/* The time-of-use slot at simulated time T. */
static int
meter_slot(const struct meter *m, int64_t t_ms)
{
	int minute = (int)((t_ms / 1000 + LOCAL_OFFSET_S) / 60 % 1440);
	int slot = -1, last = 2;

	for (int i = 0; i < 16; i += 2) {
		if (m->tou[i] == 0xffff)
			continue;
		last = m->tou[i + 1] & 3;
		if (m->tou[i] <= minute)
			slot = m->tou[i + 1] & 3;
	}
	/* Before the first segment the day still runs in the last one. */
	return slot == -1 ? last : slot;
}

/* Relay, overload and electrical values after any change. */
void
meter_eval(struct meter *m, int64_t now_ms)
{
	int want, v;
	uint64_t r;

	if (m->profile == PROF_DDSY1352NK) {
		want = m->fixed_load >= 0 ? m->fixed_load :
		    sim.load_on ? load_model(m, now_ms) : 0;
		if (meter_relay_rule(m, now_ms) && m->threshold > 0 &&
		    want > m->threshold)
			m->overload_until = now_ms +
			    (int64_t)(m->restore_delay ? m->restore_delay : 1) *
			    1000;
		m->relay = meter_relay_rule(m, now_ms);
		m->power = m->relay ? want : 0;
	} else
		m->relay = 1;
	r = mix64(sim.seed + (uint64_t)(now_ms / 60000));
	v = 2200 + (int)(r % 41) - 20 +
	    (int)(mix64(m->number) % 17) - 8 - m->power / 200;
	m->voltage = v;
	m->freq = 4997 + (int)((r >> 20) % 7);
}

/* Integer square root for the reactive power. */
static int64_t
isqrt(int64_t x)
{
	int64_t r = 0, b = (int64_t)1 << 62;

	if (x <= 0)
		return 0;
	while (b > x)
		b >>= 2;
	while (b != 0) {
		if (x >= r + b) {
			x -= r + b;
			r = (r >> 1) + b;
		} else
			r >>= 1;
		b >>= 2;
	}
	return r;
}

/* Energy and money from the meter's last step to NOW. */
static void
meter_advance(struct meter *m, int64_t now_ms)
{
	int64_t dt = now_ms - m->last_ms;
	int slot;

	if (m->last_ms == 0 || dt < 0)
		dt = 0;
	m->last_ms = now_ms;
	if (m->profile == PROF_ENERGY) {
		meter_eval(m, now_ms);
		return;
	}
	m->wacc += (int64_t)m->power * dt;
	slot = meter_slot(m, now_ms);
	while (m->wacc >= UNIT_WMS) {
		if (!m->relay) {
			m->wacc = 0;
			break;
		}
		m->wacc -= UNIT_WMS;
		m->energy++;
		m->e[slot]++;
		m->facc += m->price[slot];
		m->remaining -= m->facc / 10000;
		m->facc %= 10000;
		m->relay = meter_relay_rule(m, now_ms);
	}
	meter_eval(m, now_ms);
}

/* Called with sim.mlock held. */
void
meter_advance_all(int64_t now_ms)
{
	for (int i = 0; i < sim.nmeter; i++)
		if (sim.meters[i].profile == PROF_DDSY1352NK)
			meter_advance(&sim.meters[i], now_ms);
	/* A master meter sees its building (number / 10000), plus losses. */
	for (int i = 0; i < sim.nmeter; i++) {
		struct meter *mm = &sim.meters[i];
		int64_t sum = 0;
		int n = 0;

		if (mm->profile != PROF_ENERGY)
			continue;
		for (int j = 0; j < sim.nmeter; j++) {
			struct meter *o = &sim.meters[j];

			if (o->profile == PROF_DDSY1352NK &&
			    o->number / 10000 == mm->number / 10000) {
				sum += o->power;
				n++;
			}
		}
		if (mm->fixed_load >= 0)
			mm->power = mm->fixed_load;
		else if (n > 0)
			mm->power = (int)(sum * 103 / 100 + 150);
		else
			mm->power = sim.load_on ? load_model(mm, now_ms) : 0;
		mm->wacc += (int64_t)mm->power * (now_ms - (mm->last_ms ?
		    mm->last_ms : now_ms));
		mm->energy += (uint32_t)(mm->wacc / UNIT_WMS);
		mm->wacc %= UNIT_WMS;
		meter_advance(mm, now_ms);
	}
}

static void
put32(uint16_t *r, uint32_t v)
{
	r[0] = (uint16_t)(v >> 16);
	r[1] = (uint16_t)v;
}

static uint32_t
get32(const uint16_t *r)
{
	return (uint32_t)r[0] << 16 | r[1];
}

static int
clamp16s(int64_t v)
{
	return v > 32767 ? 32767 : v < -32768 ? -32768 : (int)v;
}

/* Current in 0.01 A, reactive power in var, from P, pf and V. */
static void
meter_electric(const struct meter *m, int *cur, int *var)
{
	int64_t va = (int64_t)m->power * 1000 / (m->pf ? m->pf : 1000);

	*cur = m->voltage > 0 ? (int)(va * 1000 / m->voltage) : 0;
	*var = (int)isqrt(va * va - (int64_t)m->power * m->power);
	if (*cur > 65535)
		*cur = 65535;
}

static void
image_realtime(const struct meter *m, int64_t now_ms, uint16_t *r)
{
	int cur, var;

	memset(r, 0, RT_COUNT * sizeof(*r));
	meter_electric(m, &cur, &var);
	r[0x00] = 7;
	r[0x01] = (uint16_t)m->voltage;
	r[0x04] = (uint16_t)cur;
	r[0x0A] = (uint16_t)clamp16s(m->power);
	r[0x0E] = (uint16_t)clamp16s(var);
	r[0x12] = (uint16_t)(m->power > 0 ? m->pf : 1000);
	put32(r + 0x15, m->energy);
	for (int i = 0; i < 4; i++)
		put32(r + 0x17 + 2 * i, m->e[i]);
	put32(r + 0x1F, (uint32_t)(int32_t)m->remaining);
	r[0x21] = m->count;
	r[0x24] = meter_status(m, now_ms);
	r[0x25] = (uint16_t)m->freq;
	put32(r + 0x26, (uint32_t)(now_ms / 1000 + m->clock_off));
	r[0x28] = m->bad_tokens;
}

static void
image_params(const struct meter *m, uint16_t *r)
{
	memset(r, 0, PAR_COUNT * sizeof(*r));
	put32(r + 0x00, m->alarm1);
	put32(r + 0x02, m->alarm2);
	put32(r + 0x04, m->overdraft);
	r[FORCE_REG - PAR_START] = m->force_en;
	r[FORCE_REG - PAR_START + 1] = m->force_open;
	for (int i = 0; i < 4; i++)
		put32(r + 0x13 + 2 * i, m->price[i]);
	r[0x1B] = m->threshold;
	r[0x1C] = m->restore_delay;
}

static void
image_energy(const struct meter *m, uint16_t *r)
{
	int cur, var;

	memset(r, 0, EN_COUNT * sizeof(*r));
	meter_electric(m, &cur, &var);
	put32(r + 0x00, m->energy);
	r[0x0B] = (uint16_t)m->voltage;
	r[0x0C] = (uint16_t)cur;
	r[0x0D] = (uint16_t)clamp16s(m->power);
	r[0x10] = (uint16_t)(m->power > 0 ? m->pf : 1000);
	r[0x11] = (uint16_t)m->freq;
}

static int
inside(const struct mb_req *rq, int start, int count)
{
	return rq->addr >= start && rq->addr + rq->count <= start + count;
}

/* Parameter writes: all or nothing, after the range checks. */
static int
write_params(struct meter *m, const struct mb_req *rq, int64_t now_ms)
{
	uint16_t r[PAR_COUNT];
	uint32_t a1, a2, od;

	image_params(m, r);
	for (int i = 0; i < rq->count; i++)
		r[rq->addr - PAR_START + i] = rq->val[i];
	a1 = get32(r + 0x00);
	a2 = get32(r + 0x02);
	od = get32(r + 0x04);
	if (a2 > a1 || a1 > 0x7fffffff || od > 0x7fffffff)
		return EXC_ILLEGAL_VALUE;
	if (r[FORCE_REG - PAR_START] > 1 || r[FORCE_REG - PAR_START + 1] > 1)
		return EXC_ILLEGAL_VALUE;
	m->alarm1 = a1;
	m->alarm2 = a2;
	m->overdraft = od;
	m->force_en = r[FORCE_REG - PAR_START];
	m->force_open = r[FORCE_REG - PAR_START + 1];
	for (int i = 0; i < 4; i++)
		m->price[i] = get32(r + 0x13 + 2 * i);
	m->threshold = r[0x1B];
	m->restore_delay = r[0x1C];
	/* Giving up overload protection ends a running trip. */
	if (m->threshold == 0)
		m->overload_until = 0;
	meter_eval(m, now_ms);
	return 0;
}

static int
write_tou(struct meter *m, const struct mb_req *rq, int64_t now_ms)
{
	uint16_t t[TOU_COUNT];
	int prev = -1, used = 0;

	memcpy(t, m->tou, sizeof(t));
	for (int i = 0; i < rq->count; i++)
		t[rq->addr - TOU_START + i] = rq->val[i];
	for (int i = 0; i < TOU_COUNT; i += 2) {
		if (t[i] == 0xffff)
			continue;
		if (t[i] >= 1440 || t[i + 1] > 3 || (int)t[i] <= prev)
			return EXC_ILLEGAL_VALUE;
		prev = t[i];
		used++;
	}
	if (used == 0)
		return EXC_ILLEGAL_VALUE;
	memcpy(m->tou, t, sizeof(t));
	meter_eval(m, now_ms);
	return 0;
}

/* The token checks of meter-bus.md, in their order. */
static int
write_token(struct meter *m, const struct mb_req *rq, int64_t now_ms)
{
	struct token_plain p;
	uint8_t tok[TOKEN_LEN];

	token_from_regs(rq->val, tok);
	if (token_open(sim.vk, m->number, tok, &p) == -1 ||
	    p.meter_number != m->number) {
		m->bad_tokens++;
		stat_inc(ST_BAD_TOKENS);
		stat_inc(ST_TOKENS_REFUSED);
		return EXC_ILLEGAL_VALUE;
	}
	if (p.count != m->count && p.count != (uint16_t)(m->count + 1))
		goto refuse;
	if ((p.op != TOKEN_CREDIT && p.op != TOKEN_DEBIT) || p.amount == 0)
		goto refuse;
	if (p.op == TOKEN_DEBIT && (int64_t)p.amount > m->remaining +
	    (int64_t)m->overdraft)
		goto refuse;
	if (p.count == m->count) {
		stat_inc(ST_TOKENS_REPEATED);
		return 0;
	}
	/* The remaining amount is an S32 on the wire. */
	if (p.op == TOKEN_CREDIT && m->remaining + p.amount > 0x7fffffff)
		goto refuse;
	if (p.op == TOKEN_CREDIT)
		m->remaining += p.amount;
	else
		m->remaining -= p.amount;
	m->count = p.count;
	stat_inc(ST_TOKENS_APPLIED);
	meter_eval(m, now_ms);
	return 0;
refuse:
	stat_inc(ST_TOKENS_REFUSED);
	return EXC_ILLEGAL_VALUE;
}

/*
 * Answers one request: fills RS and returns its exception code (0 for a
 * normal answer). Called with sim.mlock held.
 */
int
meter_transact(struct meter *m, const struct mb_req *rq, struct mb_resp *rs)
{
	int64_t now_ms = sim_now_ms();
	uint16_t img[64];
	int write = rq->fc == FC_WRITE_SINGLE || rq->fc == FC_WRITE_MULTIPLE;

	rs->exc = 0;
	rs->nregs = 0;
	if (rq->fc != FC_READ_HOLDING && !write)
		return rs->exc = EXC_ILLEGAL_FUNCTION;
	if (m->profile == PROF_ENERGY) {
		if (write || !inside(rq, EN_START, EN_COUNT))
			return rs->exc = EXC_ILLEGAL_ADDRESS;
		image_energy(m, img);
		memcpy(rs->val, img + rq->addr - EN_START, rq->count * 2);
		rs->nregs = rq->count;
		return 0;
	}
	if (!write) {
		if (inside(rq, RT_START, RT_COUNT)) {
			image_realtime(m, now_ms, img);
			memcpy(rs->val, img + rq->addr - RT_START,
			    rq->count * 2);
		} else if (inside(rq, PAR_START, PAR_COUNT)) {
			image_params(m, img);
			memcpy(rs->val, img + rq->addr - PAR_START,
			    rq->count * 2);
		} else if (inside(rq, TOU_START, TOU_COUNT)) {
			memcpy(rs->val, m->tou + rq->addr - TOU_START,
			    rq->count * 2);
		} else
			return rs->exc = EXC_ILLEGAL_ADDRESS;
		rs->nregs = rq->count;
		return 0;
	}
	if (inside(rq, PAR_START, PAR_COUNT))
		rs->exc = (uint8_t)write_params(m, rq, now_ms);
	else if (inside(rq, TOU_START, TOU_COUNT))
		rs->exc = (uint8_t)write_tou(m, rq, now_ms);
	else if (rq->addr == TOKEN_ADDR && rq->count == TOKEN_REGS &&
	    rq->fc == FC_WRITE_MULTIPLE)
		rs->exc = (uint8_t)write_token(m, rq, now_ms);
	else if (rq->addr >= TOKEN_ADDR && rq->addr < TOKEN_ADDR + TOKEN_REGS)
		rs->exc = EXC_ILLEGAL_VALUE;	/* a token is 12 at once */
	else
		rs->exc = EXC_ILLEGAL_ADDRESS;
	return rs->exc;
}
