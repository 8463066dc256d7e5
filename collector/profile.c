/* profile.c - register decoding of the meter profiles, command payloads and back-off (pure functions). */
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

/* The next "key=value" of *S, split in place of a copy; 1, or 0 at the end. */
static int
next_pair(char **s, char **key, char **val)
{
	char *p = *s, *amp, *eq;

	while (*p == '&')
		p++;
	if (*p == '\0')
		return 0;
	if ((amp = strchr(p, '&')) != NULL) {
		*amp = '\0';
		*s = amp + 1;
	} else
		*s = p + strlen(p);
	*key = p;
	if ((eq = strchr(p, '=')) == NULL) {
		*val = p + strlen(p);
		return 1;
	}
	*eq = '\0';
	*val = eq + 1;
	return 1;
}

/* A decimal in [MIN, MAX] into *OUT; 0 or -1. */
static int
num(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
tou_parse(char *s, uint16_t tou[TOU_REGS])
{
	int n = 0;
	long last = -1;
	char *seg, *save = NULL;

	for (int i = 0; i < TOU_REGS; i++)
		tou[i] = TOU_UNUSED;
	for (seg = strtok_r(s, ",", &save); seg; seg = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(seg, ':');
		long long start, slot;

		if (colon == NULL || n == TOU_SEGS)
			return -1;
		*colon = '\0';
		if (num(seg, 0, 1439, &start) == -1 ||
		    num(colon + 1, 0, 3, &slot) == -1 || start <= last)
			return -1;
		tou[2 * n] = (uint16_t)start;
		tou[2 * n + 1] = (uint16_t)slot;
		last = (long)start;
		n++;
	}
	return n > 0 ? 0 : -1;
}

int
profile_price_parse(const char *payload, struct price_cmd *p)
{
	char *copy, *s, *k, *v;
	int have[4] = { 0 }, rc = -1;
	long long x;

	memset(p, 0, sizeof(*p));
	if ((copy = strdup(payload)) == NULL)
		return -1;
	s = copy;
	while (next_pair(&s, &k, &v)) {
		if (k[0] == 'p' && k[1] >= '0' && k[1] <= '3' && k[2] == '\0') {
			if (num(v, 1, 0x7fffffff, &x) == -1)
				goto out;
			p->price[k[1] - '0'] = (uint32_t)x;
			have[k[1] - '0'] = 1;
		} else if (strcmp(k, "tou") == 0) {
			if (tou_parse(v, p->tou) == -1)
				goto out;
			p->has_tou = 1;
		} else
			goto out;
	}
	if (!have[0])
		goto out;
	for (int i = 1; i < 4; i++)
		if (!have[i])
			p->price[i] = p->price[0];
	rc = 0;
out:
	free(copy);
	if (rc == -1)
		errno = EINVAL;
	return rc;
}

int
profile_settings_parse(const char *payload, struct settings_cmd *st)
{
	char *copy, *s, *k, *v;
	int rc = -1, any = 0;
	long long x;

	st->alarm1 = st->alarm2 = st->overdraft = -1;
	st->threshold = st->restore_delay = -1;
	if ((copy = strdup(payload)) == NULL)
		return -1;
	s = copy;
	while (next_pair(&s, &k, &v)) {
		if (strcmp(k, "alarm1") == 0 || strcmp(k, "alarm2") == 0 ||
		    strcmp(k, "overdraft") == 0) {
			if (num(v, 0, 0x7fffffff, &x) == -1)
				goto out;
			if (k[0] == 'o')
				st->overdraft = x;
			else if (k[5] == '1')
				st->alarm1 = x;
			else
				st->alarm2 = x;
		} else if (strcmp(k, "threshold") == 0 ||
		    strcmp(k, "restore_delay") == 0) {
			if (num(v, 0, 65535, &x) == -1)
				goto out;
			if (k[0] == 't')
				st->threshold = (int)x;
			else
				st->restore_delay = (int)x;
		} else
			goto out;
		any = 1;
	}
	rc = any ? 0 : -1;
out:
	free(copy);
	if (rc == -1)
		errno = EINVAL;
	return rc;
}

#define PAR(reg)	(&regs[(reg) - PAR_ADDR])

void
profile_price_apply(const struct price_cmd *p, uint16_t regs[PAR_REGS])
{
	for (int i = 0; i < 4; i++)
		profile_reg_put_u32(PAR(0x0059 + 2 * i), p->price[i]);
}

int
profile_settings_apply(const struct settings_cmd *s, uint16_t regs[PAR_REGS])
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
