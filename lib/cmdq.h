/* cmdq.h - the meter command queue: the one writer of commands rows and the one codec of their payloads. */
#ifndef CMDQ_H
#define CMDQ_H

#include <stddef.h>
#include <stdint.h>

#include "tariff.h"

struct db;

/* A payload fits in this many bytes with its NUL; a longer one is refused. */
#define CMDQ_PAYLOAD_SIZE 256
/* A price: 0.0001 yuan/kWh, 1 to this (a U32 pair on the meter, signed). */
#define CMDQ_PRICE_MAX 0x7fffffff
/* Alarm levels and overdraft: fen, 0 to this. */
#define CMDQ_FEN_MAX 0x7fffffff
/* Threshold (W) and restore delay (s): a U16 register each. */
#define CMDQ_U16_MAX 65535

/*
 * A price download: "p0=5880&p1=7000&p2=5000&p3=3000&tou=0:3,480:1,1320:3".
 * p0..p3 are the spike, peak, flat and valley prices; the time-of-use day
 * table is "minute:slot,..." (minutes of the local day ascending, slots
 * 0-3, 1 to 8 segments) and goes only when tou.n > 0. A stored payload
 * without p1..p3 means p0 for them.
 */
struct cmdq_price {
	int64_t		p[4];
	struct tou	tou;
};

/* A settings download; a field of -1 is not sent (the meter keeps it). */
struct cmdq_settings {
	int64_t		alarm1, alarm2, overdraft;	/* fen */
	int		threshold, restore_delay;	/* W, s */
};

/* Sets every field of S to -1 (nothing to send). */
void cmdq_settings_none(struct cmdq_settings *s);

/*
 * The encoders write the payload into BUF (CMDQ_PAYLOAD_SIZE will do) and
 * return 0, or -1 with errno EINVAL for a value the decoder would refuse
 * (nothing written), ENOSPC when BUF is too small.
 */
int cmdq_price_encode(const struct cmdq_price *, char *buf, size_t size);
int cmdq_settings_encode(const struct cmdq_settings *, char *buf, size_t size);
/* The day table alone, as tariff versions keep it ("" when n is 0). */
int cmdq_tou_encode(const struct tou *, char *buf, size_t size);

/*
 * The decoders read a payload back; 0, or -1 with errno EINVAL when it is
 * not one (empty, too long, unknown or repeated key, not a number, out of
 * range). A settings payload needs one field at least; a day table alone
 * may be "" (n = 0, one price all day).
 */
int cmdq_price_decode(const char *s, struct cmdq_price *);
int cmdq_settings_decode(const char *s, struct cmdq_settings *);
int cmdq_tou_decode(const char *s, struct tou *);

/*
 * The writers queue one command and return its id, or -1 (with errno
 * EINVAL for a value the encoder refuses). The caller holds the
 * transaction that must go with it.
 */
/* A token of AMOUNT fen (> 0 credit, < 0 debit) with purchase count COUNT. */
int64_t cmdq_token(struct db *, int64_t meter_id, int64_t amount,
    int64_t count);
/* A relay command: KIND "trip", "restore" or "keep_power". */
int64_t cmdq_relay(struct db *, int64_t meter_id, const char *kind);
/* A price download to one meter. */
int64_t cmdq_price(struct db *, int64_t meter_id, const struct cmdq_price *);
/* A price download to every meter on TARIFF_ID; the number queued, or -1. */
long cmdq_price_tariff(struct db *, int64_t tariff_id,
    const struct cmdq_price *);
/*
 * The command KIND of batch BATCH_ID to METER_ID if it is a prepaid meter,
 * with PAYLOAD made by the encoders ("" for a relay command): 1 queued, 0
 * not a prepaid meter, -1 (errno EINVAL when PAYLOAD is not one of KIND).
 */
long cmdq_batch(struct db *, int64_t batch_id, int64_t meter_id,
    const char *kind, const char *payload);

#endif
