/* modbus.c - transport-neutral Modbus: request PDU parsing, response PDUs, one bus transaction with its timing and faults. */
#include <string.h>

#include "sim.h"

/*
 * Parses the request PDU (function code first) into RQ. Returns 0, or the
 * exception code the request deserves (0x01 unknown function, 0x03 bad
 * quantity or length, 0x02 beyond the address space).
 */
int
mb_parse_pdu(const uint8_t *pdu, int len, struct mb_req *rq)
{
	if (len < 1)
		return EXC_ILLEGAL_VALUE;
	rq->fc = pdu[0];
	rq->addr = 0;
	rq->count = 0;
	switch (rq->fc) {
	case FC_READ_HOLDING:
		if (len != 5)
			return EXC_ILLEGAL_VALUE;
		rq->addr = (uint16_t)(pdu[1] << 8 | pdu[2]);
		rq->count = (uint16_t)(pdu[3] << 8 | pdu[4]);
		if (rq->count < 1 || rq->count > 125)
			return EXC_ILLEGAL_VALUE;
		break;
	case FC_WRITE_SINGLE:
		if (len != 5)
			return EXC_ILLEGAL_VALUE;
		rq->addr = (uint16_t)(pdu[1] << 8 | pdu[2]);
		rq->count = 1;
		rq->val[0] = (uint16_t)(pdu[3] << 8 | pdu[4]);
		break;
	case FC_WRITE_MULTIPLE:
		if (len < 6)
			return EXC_ILLEGAL_VALUE;
		rq->addr = (uint16_t)(pdu[1] << 8 | pdu[2]);
		rq->count = (uint16_t)(pdu[3] << 8 | pdu[4]);
		if (rq->count < 1 || rq->count > 123 ||
		    pdu[5] != rq->count * 2 || len != 6 + pdu[5])
			return EXC_ILLEGAL_VALUE;
		for (int i = 0; i < rq->count; i++)
			rq->val[i] = (uint16_t)(pdu[6 + 2 * i] << 8 |
			    pdu[7 + 2 * i]);
		break;
	default:
		return EXC_ILLEGAL_FUNCTION;
	}
	if ((int)rq->addr + rq->count > 0x10000)
		return EXC_ILLEGAL_ADDRESS;
	return 0;
}

/* The response PDU for RQ answered by RS into OUT (>= 253 bytes); its length. */
int
mb_build_pdu(const struct mb_req *rq, const struct mb_resp *rs, uint8_t *out)
{
	if (rs->exc) {
		out[0] = (uint8_t)(rq->fc | 0x80);
		out[1] = rs->exc;
		return 2;
	}
	out[0] = rq->fc;
	if (rq->fc == FC_READ_HOLDING) {
		out[1] = (uint8_t)(rs->nregs * 2);
		for (int i = 0; i < rs->nregs; i++) {
			out[2 + 2 * i] = (uint8_t)(rs->val[i] >> 8);
			out[3 + 2 * i] = (uint8_t)rs->val[i];
		}
		return 2 + 2 * rs->nregs;
	}
	out[1] = (uint8_t)(rq->addr >> 8);
	out[2] = (uint8_t)rq->addr;
	if (rq->fc == FC_WRITE_SINGLE) {
		out[3] = (uint8_t)(rq->val[0] >> 8);
		out[4] = (uint8_t)rq->val[0];
	} else {
		out[3] = (uint8_t)(rq->count >> 8);
		out[4] = (uint8_t)rq->count;
	}
	return 5;
}

static void
count_exception(int exc)
{
	switch (exc) {
	case 0:
		break;
	case 0x01:
		stat_inc(ST_EXC01);
		break;
	case 0x02:
		stat_inc(ST_EXC02);
		break;
	case 0x03:
		stat_inc(ST_EXC03);
		break;
	case 0x04:
		stat_inc(ST_EXC04);
		break;
	case 0x0A:
		stat_inc(ST_EXC0A);
		break;
	case 0x0B:
		stat_inc(ST_EXC0B);
		break;
	default:
		stat_inc(ST_EXC_OTHER);
		break;
	}
}

/* RTU frame bytes: address, PDU, CRC. */
static int
rtu_bytes(const struct mb_req *rq, const struct mb_resp *rs, int request)
{
	if (request)
		return rq->fc == FC_WRITE_MULTIPLE ? 9 + 2 * rq->count : 8;
	if (rs->exc)
		return 5;
	return rq->fc == FC_READ_HOLDING ? 5 + 2 * rs->nregs : 8;
}

/*
 * One transaction on bus B: RQ (PERR its parse error, or 0) to the meter at
 * RQ->unit, its last byte received at ARRIVAL (monotonic ns, 0 = now).
 * Holds the bus for the transaction's time (wire time with --wire, the
 * turnaround, the gateway timeout) so that others wait. Fills RS;
 * returns TX_REPLY or TX_SILENT, and *FAULT the meter's fault for the
 * transport to twist the answer with.
 */
int
mb_transact(struct bus *b, const struct mb_req *rq, int perr, int rtu,
    int64_t arrival, struct mb_resp *rs, int *fault)
{
	struct meter *m = rq->unit <= SIM_MAX_ADDR ? b->by_addr[rq->unit] :
	    NULL;
	int64_t t0, req_ns, turn_ns, timeout_ns = GATEWAY_TIMEOUT_MS *
	    1000000LL;
	int f, farg, ret = TX_REPLY, reqb;

	*fault = FAULT_NONE;
	rs->exc = 0;
	rs->nregs = 0;
	reqb = rtu_bytes(rq, rs, 1);
	req_ns = sim.wire ? reqb * char_ns() + char_ns() * 7 / 2 : 0;
	if (pthread_mutex_trylock(&b->lock) != 0) {
		pthread_mutex_lock(&b->lock);
		arrival = 0;	/* it waited for the bus: starts now */
	}
	t0 = mono_ns();
	/* An RTU frame ends at its last byte, not when the silence is seen. */
	if (arrival > 0 && arrival < t0)
		t0 = arrival;
	stat_inc(ST_REQUESTS);
	if (m == NULL) {
		/* A real line stays silent; the gateway knows its bus. */
		if (rtu) {
			sleep_until_ns(t0 + req_ns);
			ret = TX_SILENT;
		} else
			rs->exc = EXC_PATH_UNAVAILABLE;
		goto out;
	}
	pthread_mutex_lock(&sim.mlock);
	f = m->fault;
	farg = m->fault_arg;
	pthread_mutex_unlock(&sim.mlock);

	if (f == FAULT_SILENT || (f == FAULT_CRC && !rtu)) {
		/* Through a gateway a bad CRC from the meter is no answer. */
		stat_inc(f == FAULT_SILENT ? ST_F_SILENT : ST_F_CRC);
		if (rtu) {
			sleep_until_ns(t0 + req_ns);
			ret = TX_SILENT;
		} else {
			sleep_until_ns(t0 + req_ns + timeout_ns);
			rs->exc = EXC_TARGET_FAILED;
		}
		goto out;
	}
	turn_ns = sim.wire ? sim.turnaround_ms * 1000000LL : 0;
	if (f == FAULT_SLOW) {
		stat_inc(ST_F_SLOW);
		turn_ns = farg * 1000000LL;
	}
	if (perr)
		rs->exc = (uint8_t)perr;
	else if (f == FAULT_EXCEPTION) {
		stat_inc(ST_F_EXCEPTION);
		rs->exc = (uint8_t)farg;
	} else {
		pthread_mutex_lock(&sim.mlock);
		meter_transact(m, rq, rs);
		pthread_mutex_unlock(&sim.mlock);
	}
	if (!rtu && turn_ns >= timeout_ns) {
		/* The meter acted; its answer came after the gateway gave up. */
		sleep_until_ns(t0 + req_ns + timeout_ns);
		rs->exc = EXC_TARGET_FAILED;
		rs->nregs = 0;
		goto out;
	}
	if (sim.wire)
		sleep_until_ns(t0 + wire_ns(reqb, rtu_bytes(rq, rs, 0)) +
		    turn_ns);
	else if (turn_ns > 0)
		sleep_until_ns(t0 + turn_ns);
	*fault = f;
out:
	pthread_mutex_unlock(&b->lock);
	if (ret == TX_REPLY) {
		stat_inc(ST_REPLIES);
		count_exception(rs->exc);
	}
	return ret;
}
