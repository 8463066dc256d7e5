/* profile.c - register decoding of the meter profiles, command registers and back-off (pure functions). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

uint32_t
profile_reg_u32(const uint16_t *r)
{
	return ((uint32_t)r[0] << 16) | r[1];
}

void
profile_reg_put_u32(uint16_t *r, uint32_t v)
{
	r[0] = (uint16_t)(v >> 16);
	r[1] = (uint16_t)v;
}

int
profile_parse(const char *name)
{
	if (strcmp(name, "ddsy1352nk") == 0)
		return PROFILE_DDSY1352NK;
	if (strcmp(name, "energy") == 0)
		return PROFILE_ENERGY;
	return -1;
}

void
profile_block(int profile, int *addr, int *nregs)
{
	if (profile == PROFILE_ENERGY) {
		*addr = EN_ADDR;
		*nregs = EN_REGS;
	} else {
		*addr = RT_ADDR;
		*nregs = RT_REGS;
	}
}

#define RT(reg)	(regs[(reg) - RT_ADDR])

int
profile_rt_decode(const uint16_t regs[RT_REGS], struct reading *r)
{
	memset(r, 0, sizeof(*r));
	if (RT(0x0200) != RT_MODEL) {
		errno = EBADMSG;
		return -1;
	}
	r->has_money = 1;
	r->voltage_dv = RT(0x0201);
	r->current_ca = RT(0x0204);
	r->power_w = (int16_t)RT(0x020A);
	r->pf_milli = (int16_t)RT(0x0212);
	r->energy = profile_reg_u32(&RT(0x0215));
	for (int i = 0; i < 4; i++)
		r->e_slot[i] = profile_reg_u32(&RT(0x0217 + 2 * i));
	r->remaining = (int32_t)profile_reg_u32(&RT(0x021F));
	r->count = RT(0x0221);
	r->status = RT(0x0224);
	r->freq_chz = RT(0x0225);
	r->clock = profile_reg_u32(&RT(0x0226));
	r->bad_tokens = RT(0x0228);
	return 0;
}

void
profile_en_decode(const uint16_t regs[EN_REGS], struct reading *r)
{
	memset(r, 0, sizeof(*r));
	r->energy = profile_reg_u32(&regs[0x0000]);
	for (int i = 0; i < 4; i++)
		r->e_slot[i] = -1;
	r->remaining = -1;
	r->count = -1;
	r->clock = 0;
	r->bad_tokens = -1;
	r->voltage_dv = regs[0x000B];
	r->current_ca = regs[0x000C];
	r->power_w = (int16_t)regs[0x000D];
	r->pf_milli = (int16_t)regs[0x0010];
	r->freq_chz = regs[0x0011];
}

void
profile_tou_regs(const struct cmdq_price *p, uint16_t tou[TOU_REGS])
{
	for (int i = 0; i < TOU_REGS; i++)
		tou[i] = TOU_UNUSED;
	for (int i = 0; i < p->tou.n && i < TOU_SEGS; i++) {
		tou[2 * i] = (uint16_t)p->tou.start[i];
		tou[2 * i + 1] = (uint16_t)p->tou.slot[i];
	}
}

#define PAR(reg)	(&regs[(reg) - PAR_ADDR])

void
profile_price_apply(const struct cmdq_price *p, uint16_t regs[PAR_REGS])
{
	for (int i = 0; i < 4; i++)
		profile_reg_put_u32(PAR(0x0059 + 2 * i), (uint32_t)p->p[i]);
}

int
profile_settings_apply(const struct cmdq_settings *s, uint16_t regs[PAR_REGS])
{
	int64_t a1 = s->alarm1 >= 0 ? s->alarm1 : profile_reg_u32(PAR(0x0046));
	int64_t a2 = s->alarm2 >= 0 ? s->alarm2 : profile_reg_u32(PAR(0x0048));

	if (a2 > a1) {
		errno = EINVAL;
		return -1;
	}
	profile_reg_put_u32(PAR(0x0046), (uint32_t)a1);
	profile_reg_put_u32(PAR(0x0048), (uint32_t)a2);
	if (s->overdraft >= 0)
		profile_reg_put_u32(PAR(0x004A), (uint32_t)s->overdraft);
	if (s->threshold >= 0)
		*PAR(0x0061) = (uint16_t)s->threshold;
	if (s->restore_delay >= 0)
		*PAR(0x0062) = (uint16_t)s->restore_delay;
	return 0;
}

long
profile_backoff_seconds(int tries, long base, long cap)
{
	long s = base;

	for (int i = 1; i < tries && s < cap; i++)
		s *= 2;
	return s < cap ? s : cap;
}
