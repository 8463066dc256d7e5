/* profile.h - meter profiles of meter-bus.md as pure functions: register decoding, command registers, back-off. */
#ifndef PROFILE_H
#define PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "cmdq.h"

enum profile {
	PROFILE_DDSY1352NK,	/* prepaid meter, model code 7 */
	PROFILE_ENERGY		/* energy-only (master) meter */
};

#define RT_ADDR		0x0200	/* ddsy1352nk realtime block */
#define RT_REGS		48
#define RT_MODEL	7
#define EN_ADDR		0x0000	/* energy profile block */
#define EN_REGS		18
#define PAR_ADDR	0x0046	/* prepaid parameters 0x0046-0x0062 */
#define PAR_REGS	29
#define CTL_ADDR	0x0057	/* forced control (enable, open) */
#define TOU_ADDR	0x2000	/* time-of-use day table */
#define TOU_REGS	16
#define TOU_SEGS	8
#define TOU_UNUSED	0xFFFF

/* Status word 0x0224 */
#define ST_FORCED	(1u << 0)
#define ST_FORCED_OPEN	(1u << 1)
#define ST_OVERLOAD	(1u << 4)
#define ST_ARREARS	(1u << 5)
#define ST_ALARM1	(1u << 6)
#define ST_ALARM2	(1u << 7)
#define ST_FAULT	(1u << 8)
#define ST_RELAY	(1u << 13)

/* One decoded read; fields a profile lacks are -1 (has_money says which). */
struct reading {
	int		has_money;	/* ddsy1352nk: the prepaid fields are set */
	int64_t		energy;		/* 0.01 kWh */
	int64_t		e_slot[4];	/* spike, peak, flat, valley */
	int64_t		remaining;	/* fen, negative = overdraft */
	int		count;		/* purchase count */
	unsigned	status;
	int		voltage_dv;	/* 0.1 V */
	int		current_ca;	/* 0.01 A */
	int		power_w;
	int		pf_milli;
	int		freq_chz;	/* 0.01 Hz */
	int64_t		clock;		/* meter clock, unix seconds */
	int		bad_tokens;
};

/* Returns the profile named NAME, or -1. */
int profile_parse(const char *name);
/* The start register and count one read of PROFILE takes. */
void profile_block(int profile, int *addr, int *nregs);

/*
 * Decodes the 48 registers of the realtime block into R. Returns 0, or -1
 * with errno EBADMSG when the model code is not 7 (another meter answered).
 */
int profile_rt_decode(const uint16_t regs[RT_REGS], struct reading *r);
/* Decodes the 18 registers of the energy profile into R. */
void profile_en_decode(const uint16_t regs[EN_REGS], struct reading *r);

/* The TOU day table of price command P as the 16 registers from 0x2000:
 * (start, slot) pairs, the unused ones 0xFFFF. */
void profile_tou_regs(const struct cmdq_price *p, uint16_t tou[TOU_REGS]);
/* Writes P's prices into the parameter block REGS (PAR_REGS from 0x0046). */
void profile_price_apply(const struct cmdq_price *p, uint16_t regs[PAR_REGS]);
/* Writes S's fields into the parameter block REGS; -1 with EINVAL if alarm2 > alarm1. */
int profile_settings_apply(const struct cmdq_settings *s, uint16_t regs[PAR_REGS]);

/* Seconds to wait before try TRIES+1: BASE doubled per try, at most CAP. */
long profile_backoff_seconds(int tries, long base, long cap);

/* A U32 from two registers, high word first, and back. */
uint32_t profile_reg_u32(const uint16_t *r);
void profile_reg_put_u32(uint16_t *r, uint32_t v);

#endif
