/* bus_tcp.c - one bus as a Modbus TCP server (libmodbus framing), one thread per bus, faults on the way out. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modbus.h>

#include "sim.h"

#define MAX_CLIENTS	64

struct tcp_bus {
	struct bus		*b;
	modbus_t		*ctx;
	modbus_mapping_t	*map;
	int			 lfd;
	int			 cfd[MAX_CLIENTS];
	int			 ncl;
	int			 next;
};

static void
tcp_close_clients(struct tcp_bus *t)
{
	for (int i = 0; i < t->ncl; i++)
		close(t->cfd[i]);
	t->ncl = 0;
}

static void
tcp_drop_client(struct tcp_bus *t, int i)
{
	close(t->cfd[i]);
	t->cfd[i] = t->cfd[--t->ncl];
}

/* Reads and throws away N bytes the client announced; 0 or -1. */
static int
tcp_drain(int fd, int n)
{
	uint8_t junk[512];
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t r;

	while (n > 0) {
		if (poll(&pfd, 1, 100) != 1)
			return -1;
		r = recv(fd, junk, (size_t)n < sizeof(junk) ? (size_t)n :
		    sizeof(junk), 0);
		if (r <= 0)
			return -1;
		n -= (int)r;
	}
	return 0;
}

/* The faults that break the framing itself cannot go through libmodbus. */
static int
tcp_send_broken(int fd, const uint8_t *req, const struct mb_req *rq,
    const struct mb_resp *rs, int fault)
{
	uint8_t out[300], pdu[260];
	int n, len;

	if (fault == FAULT_GARBAGE) {
		uint64_t r = mix64((uint64_t)mono_ns());

		for (int i = 0; i < 12; i++) {
			out[i] = (uint8_t)r;
			r = mix64(r);
		}
		return send(fd, out, 12, MSG_NOSIGNAL) == 12 ? 0 : -1;
	}
	/* Truncated: the header promises the whole answer, half arrives. */
	n = mb_build_pdu(rq, rs, pdu);
	memcpy(out, req, 4);
	out[4] = (uint8_t)((n + 1) >> 8);
	out[5] = (uint8_t)(n + 1);
	out[6] = rq->unit;
	memcpy(out + 7, pdu, (size_t)n);
	len = 7 + n / 2;
	return send(fd, out, (size_t)len, MSG_NOSIGNAL) == len ? 0 : -1;
}

static int
tcp_reply(struct tcp_bus *t, const uint8_t *req, int len,
    const struct mb_req *rq, const struct mb_resp *rs)
{
	if (rs->exc)
		return modbus_reply_exception(t->ctx, req, rs->exc) == -1 ?
		    -1 : 0;
	if (rq->fc == FC_READ_HOLDING)
		memcpy(t->map->tab_registers + rq->addr, rs->val,
		    rs->nregs * sizeof(uint16_t));
	return modbus_reply(t->ctx, req, len, t->map) == -1 ? -1 : 0;
}

/* One request from the client at FD; -1 when it should be dropped. */
static int
tcp_request(struct tcp_bus *t, int fd)
{
	uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH];
	uint8_t twisted[MODBUS_TCP_MAX_ADU_LENGTH];
	struct mb_req rq;
	struct mb_resp rs;
	int len, declared, perr, fault, known;

	modbus_set_socket(t->ctx, fd);
	len = modbus_receive(t->ctx, req);
	if (len == -1)
		return -1;
	if (len < 8)
		return 0;
	declared = req[4] << 8 | req[5];
	known = req[7] == FC_READ_HOLDING || req[7] == FC_WRITE_SINGLE ||
	    req[7] == FC_WRITE_MULTIPLE;
	if (declared > len - 6 && !known) {
		/* libmodbus reads only what it knows of a function. */
		if (tcp_drain(fd, declared - (len - 6)) == -1)
			return -1;
	} else if (declared != len - 6 || req[2] != 0 || req[3] != 0) {
		stat_inc(ST_MALFORMED);
		return -1;
	}
	if (t->b->down == BUS_DOWN_SILENT) {
		stat_inc(ST_DOWN_DROPPED);
		return 0;
	}
	memset(&rq, 0, sizeof(rq));
	rq.unit = req[6];
	perr = mb_parse_pdu(req + 7, len - 7, &rq);
	if (perr)
		stat_inc(ST_MALFORMED);
	mb_transact(t->b, &rq, perr, 0, 0, &rs, &fault);
	switch (fault) {
	case FAULT_WRONG_TID:
	case FAULT_WRONG_UNIT:
		/* A well-formed answer to a request that was not asked. */
		memcpy(twisted, req, (size_t)len);
		if (fault == FAULT_WRONG_TID) {
			stat_inc(ST_F_WRONG_TID);
			twisted[1]++;
			if (twisted[1] == 0)
				twisted[0]++;
		} else {
			stat_inc(ST_F_WRONG_UNIT);
			twisted[6] = (uint8_t)(rq.unit % SIM_MAX_ADDR + 1);
		}
		return tcp_reply(t, twisted, len, &rq, &rs);
	case FAULT_GARBAGE:
	case FAULT_TRUNCATED:
		stat_inc(fault == FAULT_GARBAGE ? ST_F_GARBAGE :
		    ST_F_TRUNCATED);
		return tcp_send_broken(fd, req, &rq, &rs, fault);
	default:
		return tcp_reply(t, req, len, &rq, &rs);
	}
}

static int
tcp_listen(struct tcp_bus *t)
{
	modbus_set_socket(t->ctx, -1);
	t->lfd = modbus_tcp_listen(t->ctx, 32);
	return t->lfd;
}

void *
bus_tcp_main(void *arg)
{
	struct tcp_bus t;
	struct pollfd pfd[MAX_CLIENTS + 1];
	int logged = 0;

	memset(&t, 0, sizeof(t));
	t.b = arg;
	t.lfd = -1;
	t.ctx = modbus_new_tcp(sim.bind, t.b->port);
	t.map = modbus_mapping_new_start_address(0, 0, 0, 0, 0, 0x10000, 0, 0);
	if (t.ctx == NULL || t.map == NULL) {
		sim_log("port %d: %s", t.b->port, modbus_strerror(errno));
		t.b->ready = 1;
		goto out;
	}
	modbus_set_error_recovery(t.ctx, MODBUS_ERROR_RECOVERY_NONE);
	modbus_set_indication_timeout(t.ctx, 1, 0);
	modbus_set_byte_timeout(t.ctx, 0, 500000);
	modbus_set_response_timeout(t.ctx, 1, 0);
	while (!sim.stop) {
		int n = 0, ready;

		if (t.b->down == BUS_DOWN_REFUSE) {
			if (t.lfd != -1) {
				close(t.lfd);
				t.lfd = -1;
				tcp_close_clients(&t);
			}
			usleep(50000);
			continue;
		}
		if (t.lfd == -1 && tcp_listen(&t) == -1) {
			if (!logged++)
				sim_log("port %d: listen: %s", t.b->port,
				    modbus_strerror(errno));
			t.b->ready = 1;	/* do not hold the others up */
			usleep(200000);
			continue;
		}
		logged = 0;
		t.b->ready = 1;
		pfd[n].fd = t.lfd;
		pfd[n++].events = POLLIN;
		for (int i = 0; i < t.ncl; i++) {
			pfd[n].fd = t.cfd[i];
			pfd[n++].events = POLLIN;
		}
		if ((ready = poll(pfd, (nfds_t)n, 100)) <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			int fd = accept4(t.lfd, NULL, NULL, SOCK_CLOEXEC);

			if (fd != -1 && t.ncl == MAX_CLIENTS)
				close(fd);
			else if (fd != -1) {
				t.cfd[t.ncl++] = fd;
				stat_inc(ST_CONNECTIONS);
			}
		}
		/* One request a client a round, starting a client further on. */
		{
			int nready = n - 1, fds[MAX_CLIENTS];

			for (int i = 0; i < nready; i++)
				fds[i] = pfd[1 + i].revents ? pfd[1 + i].fd : -1;
			for (int k = 0; k < nready; k++) {
				int i = (k + t.next) % nready, fd = fds[i];

				if (fd == -1 || sim.stop)
					continue;
				if (tcp_request(&t, fd) == -1) {
					for (int j = 0; j < t.ncl; j++)
						if (t.cfd[j] == fd) {
							tcp_drop_client(&t, j);
							break;
						}
				}
			}
			t.next++;
		}
	}
out:
	if (t.lfd != -1)
		close(t.lfd);
	tcp_close_clients(&t);
	if (t.ctx != NULL) {
		modbus_set_socket(t.ctx, -1);
		modbus_free(t.ctx);
	}
	if (t.map != NULL)
		modbus_mapping_free(t.map);
	return NULL;
}
