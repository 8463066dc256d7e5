/* bus.c - the Modbus link of one bus: connect, read a block, write registers, and every reply checked field by field. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "log.h"

long
bus_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

long long
bus_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Parses "rtu:///dev/ttyX?baud=9600&parity=E&stop=1" into a new context. */
static modbus_t *
rtu_new(const char *addr)
{
	char path[256], *q;
	const char *p;
	int baud = 9600, stop = 1;
	char parity = 'E';

	snprintf(path, sizeof(path), "%s", addr + strlen("rtu://"));
	if ((q = strchr(path, '?')) != NULL) {
		*q++ = '\0';
		for (p = q; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
			if (strncmp(p, "baud=", 5) == 0)
				baud = atoi(p + 5);
			else if (strncmp(p, "parity=", 7) == 0)
				parity = p[7];
			else if (strncmp(p, "stop=", 5) == 0)
				stop = atoi(p + 5);
		}
	}
	if (baud <= 0 || (parity != 'N' && parity != 'E' && parity != 'O') ||
	    (stop != 1 && stop != 2)) {
		errno = EINVAL;
		return NULL;
	}
	return modbus_new_rtu(path, baud, parity, 8, stop);
}

static modbus_t *
tcp_new(const char *addr)
{
	char host[256], *colon;

	snprintf(host, sizeof(host), "%s", addr + strlen("tcp://"));
	if ((colon = strrchr(host, ':')) == NULL) {
		errno = EINVAL;
		return NULL;
	}
	*colon = '\0';
	return modbus_new_tcp(host, atoi(colon + 1));
}

void
bus_close(struct bus *b)
{
	if (b->ctx) {
		modbus_close(b->ctx);
		modbus_free(b->ctx);
		b->ctx = NULL;
	}
	b->connected = 0;
}

static int
bus_connect(struct bus *b)
{
	int to = b->co->set.timeout_ms;

	if (b->connected)
		return 0;
	bus_close(b);
	b->rtu = strncmp(b->address, "rtu://", 6) == 0;
	b->ctx = b->rtu ? rtu_new(b->address) : tcp_new(b->address);
	if (b->ctx == NULL)
		return -1;
	/* Explicit timeouts, and no retries hidden inside libmodbus. */
	modbus_set_error_recovery(b->ctx, MODBUS_ERROR_RECOVERY_NONE);
	modbus_set_response_timeout(b->ctx, to / 1000, (to % 1000) * 1000);
	modbus_set_byte_timeout(b->ctx, 0, 200000);
	if (modbus_connect(b->ctx) == -1) {
		int e = errno;

		modbus_free(b->ctx);
		b->ctx = NULL;
		errno = e;
		return -1;
	}
	b->connected = 1;
	return 0;
}

static int
classify(int err)
{
	if (err >= EMBXILFUN && err <= EMBXGTAR)
		return FT_EXCEPTION;
	if (err == ETIMEDOUT)
		return FT_TIMEOUT;
	if (err == EMBBADCRC || err == EMBBADDATA || err == EMBBADEXC ||
	    err == EMBUNKEXC || err == EMBMDATA || err == EMBBADSLAVE ||
	    err == EBADMSG)
		return FT_BADFRAME;
	return FT_LINK;
}

/*
 * After a failed exchange the line may still carry a late or partial
 * answer: a TCP connection is dropped and made again; an RTU line is
 * flushed, left silent, and flushed again (libmodbus issue #83).
 */
static void
recover(struct bus *b)
{
	if (!b->rtu) {
		bus_close(b);
		return;
	}
	if (b->ctx) {
		struct pollfd pfd = { .fd = modbus_get_socket(b->ctx), .events = POLLIN };
		struct timespec t0;
		uint8_t junk[256];

		int quiet = b->co->set.timeout_ms / 2 > 100 ? b->co->set.timeout_ms / 2 : 100;

		/* A late answer may still come: drain until a quiet spell (at most 2 s). */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (bus_ms_since(&t0) < 2000 && poll(&pfd, 1, quiet) > 0) {
			if (read(pfd.fd, junk, sizeof(junk)) <= 0)
				break;
		}
		modbus_flush(b->ctx);
	}
}

/* Common end of an exchange: classify, count, recover. */
static int
exchange_end(struct bus *b, int rc, int want, int *exc)
{
	int f, e = errno;

	*exc = 0;
	if (rc == want)
		return FT_OK;
	if (rc >= 0)
		e = EMBMDATA;
	f = classify(e);
	if (f == FT_EXCEPTION)
		*exc = e - MODBUS_ENOBASE;
	else
		recover(b);
	b->cnt.fault[f]++;
	errno = e;
	return f;
}

/*
 * One request and its answer. libmodbus frames and times it; the answer is
 * then judged here field by field, because libmodbus 3.1.6 does not compare
 * a TCP answer's unit id with the request's. A raw request goes out with
 * transaction id 0, so the answer must carry 0 too. FC is 0x03 (read NREGS
 * into REGS) or 0x10 (write NREGS from REGS).
 */
static int
exchange(struct bus *b, const struct meter *m, int fc, int addr, int nregs,
    uint16_t *regs, int *exc)
{
	uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH], rsp[MODBUS_TCP_MAX_ADU_LENGTH];
	const uint8_t *pdu;
	int n = 0, len, hdr, pdulen;

	*exc = 0;
	if (bus_connect(b) == -1) {
		b->cnt.fault[FT_LINK]++;
		return FT_LINK;
	}
	req[n++] = (uint8_t)m->address;
	req[n++] = (uint8_t)fc;
	req[n++] = (uint8_t)(addr >> 8);
	req[n++] = (uint8_t)addr;
	req[n++] = (uint8_t)(nregs >> 8);
	req[n++] = (uint8_t)nregs;
	if (fc == 0x10) {
		req[n++] = (uint8_t)(2 * nregs);
		for (int i = 0; i < nregs; i++) {
			req[n++] = (uint8_t)(regs[i] >> 8);
			req[n++] = (uint8_t)regs[i];
		}
	}
	modbus_set_slave(b->ctx, m->address);
	if (modbus_send_raw_request(b->ctx, req, n) == -1 ||
	    (len = modbus_receive_confirmation(b->ctx, rsp)) == -1)
		return exchange_end(b, -1, 0, exc);
	hdr = modbus_get_header_length(b->ctx);
	if (!b->rtu) {
		/* MBAP: transaction id 0, protocol 0, then the unit id */
		if (len < hdr + 2 || rsp[0] != 0 || rsp[1] != 0 || rsp[2] != 0 ||
		    rsp[3] != 0)
			goto bad;
	} else if (len == 0) {
		/*
		 * libmodbus 3.1.6 hands back an RTU answer of another unit as
		 * an empty message (its CRC unchecked): refused, like the TCP
		 * answer of another unit below.
		 */
		errno = EMBBADSLAVE;
		return exchange_end(b, -1, 0, exc);
	} else
		len -= 2;	/* the CRC, checked by libmodbus */
	if (len < hdr + 1 || rsp[hdr - 1] != m->address) {
		errno = EMBBADSLAVE;
		return exchange_end(b, -1, 0, exc);
	}
	pdu = rsp + hdr;
	pdulen = len - hdr;
	if (pdulen >= 2 && pdu[0] == (fc | 0x80)) {
		errno = MODBUS_ENOBASE + pdu[1];
		if (pdu[1] < 1 || pdu[1] > 11)
			errno = EMBBADEXC;
		return exchange_end(b, -1, 0, exc);
	}
	if (pdulen < 1 || pdu[0] != fc)
		goto bad;
	if (fc == 0x03) {
		if (pdulen != 2 + 2 * nregs || pdu[1] != 2 * nregs)
			goto bad;
		for (int i = 0; i < nregs; i++)
			regs[i] = (uint16_t)(pdu[2 + 2 * i] << 8 | pdu[3 + 2 * i]);
	} else if (pdulen != 5 || memcmp(pdu + 1, req + 2, 4) != 0)
		goto bad;
	return exchange_end(b, nregs, nregs, exc);
bad:
	errno = EMBBADDATA;
	return exchange_end(b, -1, 0, exc);
}

int
bus_read(struct bus *b, const struct meter *m, int addr, int nregs,
    uint16_t *regs, int *exc)
{
	return exchange(b, m, 0x03, addr, nregs, regs, exc);
}

int
bus_write(struct bus *b, const struct meter *m, int addr, int nregs,
    const uint16_t *regs, int *exc)
{
	uint16_t copy[MODBUS_MAX_WRITE_REGISTERS];

	if (nregs > MODBUS_MAX_WRITE_REGISTERS) {
		errno = EINVAL;
		return FT_LINK;
	}
	memcpy(copy, regs, (size_t)nregs * sizeof(*regs));
	return exchange(b, m, 0x10, addr, nregs, copy, exc);
}

int
bus_read_meter(struct bus *b, const struct meter *m, struct reading *r, int *exc)
{
	uint16_t regs[RT_REGS];
	int addr, n, f;

	profile_block(m->profile, &addr, &n);
	if ((f = bus_read(b, m, addr, n, regs, exc)) != FT_OK)
		return f;
	if (m->profile == PROFILE_ENERGY) {
		profile_en_decode(regs, r);
		return FT_OK;
	}
	if (profile_rt_decode(regs, r) == -1) {
		/* Not a ddsy1352nk answer: never store it for this meter. */
		b->cnt.fault[FT_BADFRAME]++;
		recover(b);
		errno = EBADMSG;
		return FT_BADFRAME;
	}
	return FT_OK;
}

