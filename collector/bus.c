/* bus.c - one thread per bus: its own Modbus context and database connection, read cycles, commands in between. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "db.h"
#include "log.h"

#define MAX_BUS_METERS	256

long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

long long
now_ms(void)
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

static void
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
		while (ms_since(&t0) < 2000 && poll(&pfd, 1, quiet) > 0) {
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
	} else
		len -= 2;	/* the CRC, checked by libmodbus */
	if (rsp[hdr - 1] != m->address) {
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
		en_decode(regs, r);
		return FT_OK;
	}
	if (rt_decode(regs, r) == -1) {
		/* Not a ddsy1352nk answer: never store it for this meter. */
		b->cnt.fault[FT_BADFRAME]++;
		recover(b);
		errno = EBADMSG;
		return FT_BADFRAME;
	}
	return FT_OK;
}

static void
describe(struct result *res, int f, int exc, int err)
{
	switch (f) {
	case FT_EXCEPTION:
		snprintf(res->error, sizeof(res->error), "exception 0x%02X", exc);
		break;
	case FT_TIMEOUT:
		snprintf(res->error, sizeof(res->error), "timeout");
		break;
	case FT_BADFRAME:
		snprintf(res->error, sizeof(res->error), "bad frame: %s",
		    err == EBADMSG ? "not this meter's model" : modbus_strerror(err));
		break;
	default:
		snprintf(res->error, sizeof(res->error), "link: %s",
		    modbus_strerror(err));
		break;
	}
}

static int
should_stop(struct bus *b)
{
	int s;

	pthread_mutex_lock(&b->mu);
	s = b->stop;
	pthread_mutex_unlock(&b->mu);
	return s;
}

/* Commands run between reads, at most once a second. */
static void
maybe_commands(struct bus *b, int force)
{
	if (!force && ms_since(&b->last_cmd) < 1000)
		return;
	clock_gettime(CLOCK_MONOTONIC, &b->last_cmd);
	cmd_run_due(b);
}

/*
 * One cycle: every meter in contact (FULL), the lost ones (PROBE), and
 * those with a read request. A lost meter costs a timeout, so the cycles
 * leave it to the probes on their own short timer (lost_probe_s); but when
 * a bus that did not answer answers again, its lost meters are tried at
 * once, in the same cycle.
 */
static void
cycle(struct bus *b, int full, int probe)
{
	struct result *res;
	char *done;
	struct timespec t0, t1;
	int n = 0, link_in_row = 0, down = 0, ok = 0, tried = 0, answered = 0;
	int was_dead = atomic_load(&b->dead_streak) > 0, lost = 0;

	res = calloc(b->nmeters ? b->nmeters : 1, sizeof(*res));
	done = calloc(b->nmeters ? b->nmeters : 1, 1);
	if (res == NULL || done == NULL) {
		free(res);
		free(done);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	b->cycle_no++;
	for (int pass = 0; pass < 2; pass++) {
		/* the second pass: the lost meters of a bus that answers again */
		if (pass == 1 && !(was_dead && ok > 0))
			break;
		for (int i = 0; i < b->nmeters; i++) {
			struct meter *m = &b->meters[i];
			struct result *r = &res[n];
			int asked, f, exc = 0;

			if (done[i])
				continue;
			asked = pass == 0 ? atomic_exchange(&m->read_now, 0) : 0;
			if (pass == 0 && !asked && !(full && !m->lost) &&
			    !(probe && m->lost))
				continue;
			if (pass == 1 && !m->lost)
				continue;
			done[i] = 1;
			r->m = m;
			r->at_ms = now_ms();
			n++;
			tried++;
			if (down) {
				r->fault = FT_LINK;
				snprintf(r->error, sizeof(r->error), "bus not answering");
				atomic_store(&m->last_fault, FT_LINK);
				atomic_fetch_add(&m->tries, 1);
				continue;
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			f = bus_read_meter(b, m, &r->r, &exc);
			r->latency_ms = (int)ms_since(&t1);
			r->fault = f;
			r->exc = exc;
			if (f == FT_OK) {
				ok++;
				link_in_row = 0;
			} else {
				describe(r, f, exc, errno);
				/*
				 * A gateway always answers, if only with 0x0B: two link
				 * faults in a row over TCP mean the gateway or its
				 * port is down, so the rest of the bus is not tried.
				 */
				if ((f == FT_LINK || f == FT_TIMEOUT) && !b->rtu &&
				    ++link_in_row >= 2)
					down = 1;
			}
			if (f != FT_LINK && f != FT_TIMEOUT)
				answered++;
			atomic_store(&m->last_fault, f | exc << 8);
			atomic_fetch_add(&m->tries, 1);
			if (should_stop(b))
				break;
			maybe_commands(b, 0);
		}
	}
	store_cycle(b, res, n, full ? ms_since(&t0) : -1);
	if (tried > 0) {
		atomic_store(&b->evidence, answered > 0);
		if (answered > 0)
			atomic_store(&b->dead_streak, 0);
		else
			atomic_fetch_add(&b->dead_streak, 1);
	}
	for (int i = 0; i < b->nmeters; i++)
		lost += b->meters[i].lost;
	atomic_store(&b->nlost, lost);
	if (full) {
		atomic_store(&b->cycle_ms, ms_since(&t0));
		atomic_store(&b->last_ok, ok);
		atomic_fetch_add(&b->cycles, 1);
	}
	free(res);
	free(done);
}

/* Whether B has a lost meter. */
static int
any_lost(const struct bus *b)
{
	for (int i = 0; i < b->nmeters; i++)
		if (b->meters[i].lost)
			return 1;
	return 0;
}

static void *
bus_main(void *arg)
{
	struct bus *b = arg;
	struct collector *co = b->co;
	struct timespec next, now;
	int first = 1;

	while ((b->db = db_open(co->cf, "collector")) == NULL) {
		if (should_stop(b))
			return NULL;
		sleep(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &next);	/* the first cycle at once */
	clock_gettime(CLOCK_MONOTONIC, &b->last_cmd);
	clock_gettime(CLOCK_MONOTONIC, &b->last_probe);
	for (;;) {
		long want, all;
		int full, stop, probe;
		struct timespec until;

		pthread_mutex_lock(&b->mu);
		stop = b->stop;
		want = b->req_issued;
		all = b->req_all;
		pthread_mutex_unlock(&b->mu);
		if (stop)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		full = now.tv_sec > next.tv_sec ||
		    (now.tv_sec == next.tv_sec && now.tv_nsec >= next.tv_nsec);
		/*
		 * A new thread (a start, or its bus or meters changed: a lost
		 * meter's address may have been put right) tries its lost
		 * meters at once.
		 */
		probe = (first || ms_since(&b->last_probe) >= co->set.probe_s * 1000) &&
		    any_lost(b);
		first = 0;
		if (probe || !any_lost(b))
			clock_gettime(CLOCK_MONOTONIC, &b->last_probe);
		if (full || probe || want > b->req_served) {
			cycle(b, full || all > b->req_all_served, probe);
			b->req_all_served = all;
			pthread_mutex_lock(&b->mu);
			b->req_served = want;
			pthread_mutex_unlock(&b->mu);
			if (full) {
				next.tv_sec += co->set.poll_s;
				clock_gettime(CLOCK_MONOTONIC, &now);
				if (next.tv_sec < now.tv_sec)
					next = now, next.tv_sec += co->set.poll_s;
			}
		}
		maybe_commands(b, 0);
		/* Sleep until the next cycle, a request, a stop, or a second. */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_mutex_lock(&b->mu);
		if (!b->stop && b->req_issued == b->req_served)
			pthread_cond_timedwait(&b->cv, &b->mu, &until);
		pthread_mutex_unlock(&b->mu);
	}
	bus_close(b);
	db_close(b->db);
	b->db = NULL;
	return NULL;
}

int
bus_start(struct bus *b)
{
	int rc;

	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	atomic_store(&b->evidence, -1);
	if ((rc = pthread_create(&b->thread, NULL, bus_main, b)) != 0) {
		errno = rc;
		return -1;
	}
	b->started = 1;
	return 0;
}

void
bus_stop(struct bus *b)
{
	if (!b->started)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = 1;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->thread, NULL);
	b->started = 0;
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
}

void
bus_wake(struct bus *b)
{
	pthread_mutex_lock(&b->mu);
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
}
