/* bus_tcp.c - the buses as Modbus TCP servers: a few threads, each serving its share of the buses from one epoll loop (a thread a bus on small sites), own MBAP framing, faults on the way out. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim.h"

#define MAX_CLIENTS	64
#define MBAP_LEN	7
#define EVENTS		64
#define KEEP_MS		50	/* how often a thread looks at its buses' down state */

/* One bus's TCP side, owned by one thread. */
struct tcp_bus {
	struct bus	*b;
	int		 lfd;
	int		 cfd[MAX_CLIENTS];
	int		 ncl;
	int		 logged;
	int64_t		 retry_ms;	/* the next listen after a failure */
};

struct worker {
	pthread_t	 t;
	int		 efd;
	int		 first, n;	/* its buses: tbs[first .. first + n) */
};

static struct tcp_bus	*tbs;
static struct worker	*workers;
static int		 nworkers;

static uint64_t
ev_key(int bus, int fd)
{
	return (uint64_t)bus << 32 | (uint32_t)fd;
}

static void
tcp_close_clients(struct tcp_bus *t)
{
	for (int i = 0; i < t->ncl; i++)
		close(t->cfd[i]);	/* closing leaves the epoll set too */
	t->ncl = 0;
}

static int
tcp_client(const struct tcp_bus *t, int fd)
{
	for (int i = 0; i < t->ncl; i++)
		if (t->cfd[i] == fd)
			return i;
	return -1;
}

static void
tcp_drop_client(struct tcp_bus *t, int i)
{
	close(t->cfd[i]);
	t->cfd[i] = t->cfd[--t->ncl];
}

/* Reads exactly N bytes, waiting at most a second for each piece; 0 or -1. */
static int
recv_full(int fd, uint8_t *p, int n)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t r;

	while (n > 0) {
		r = recv(fd, p, (size_t)n, MSG_DONTWAIT);
		if (r > 0) {
			p += r;
			n -= (int)r;
			continue;
		}
		if (r == 0)
			return -1;
		if (errno == EINTR)
			continue;
		if ((errno != EAGAIN && errno != EWOULDBLOCK) ||
		    poll(&pfd, 1, 1000) != 1)
			return -1;
	}
	return 0;
}

/* The PDU length a known function needs (its byte count included), -1 for too short. */
static int
pdu_needs(const uint8_t *pdu, int len)
{
	if (pdu[0] != FC_WRITE_MULTIPLE)
		return 5;
	return len >= 6 ? 6 + pdu[5] : -1;
}

/* The faults that break the framing itself. */
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

/* The answer under the header HDR (transaction id and unit as given). */
static int
tcp_reply(int fd, const uint8_t *hdr, const struct mb_req *rq,
    const struct mb_resp *rs)
{
	uint8_t out[MBAP_LEN + 260];
	int n = mb_build_pdu(rq, rs, out + MBAP_LEN), len = MBAP_LEN + n;

	memcpy(out, hdr, MBAP_LEN);
	out[2] = 0;
	out[3] = 0;
	out[4] = (uint8_t)((n + 1) >> 8);
	out[5] = (uint8_t)(n + 1);
	return send(fd, out, (size_t)len, MSG_NOSIGNAL) == len ? 0 : -1;
}

/* One request from the client at FD; -1 when it should be dropped. */
static int
tcp_request(struct tcp_bus *t, int fd)
{
	uint8_t req[MBAP_LEN + 256], hdr[MBAP_LEN];
	struct mb_req rq;
	struct mb_resp rs;
	int declared, perr, fault, known;

	if (recv_full(fd, req, MBAP_LEN) == -1)
		return -1;
	declared = req[4] << 8 | req[5];
	if (req[2] != 0 || req[3] != 0 || declared < 2 || declared > 254) {
		stat_inc(ST_MALFORMED);
		return -1;
	}
	if (recv_full(fd, req + MBAP_LEN, declared - 1) == -1)
		return -1;
	known = req[7] == FC_READ_HOLDING || req[7] == FC_WRITE_SINGLE ||
	    req[7] == FC_WRITE_MULTIPLE;
	/* A known function's length must be what its header announced. */
	if (known && pdu_needs(req + 7, declared - 1) != declared - 1) {
		stat_inc(ST_MALFORMED);
		return -1;
	}
	if (t->b->down == BUS_DOWN_SILENT) {
		stat_inc(ST_DOWN_DROPPED);
		return 0;
	}
	memset(&rq, 0, sizeof(rq));
	rq.unit = req[6];
	perr = mb_parse_pdu(req + 7, declared - 1, &rq);
	if (perr)
		stat_inc(ST_MALFORMED);
	mb_transact(t->b, &rq, perr, 0, 0, &rs, &fault);
	memcpy(hdr, req, MBAP_LEN);
	switch (fault) {
	case FAULT_WRONG_TID:
	case FAULT_WRONG_UNIT:
		/* A well-formed answer to a request that was not asked. */
		if (fault == FAULT_WRONG_TID) {
			stat_inc(ST_F_WRONG_TID);
			hdr[1]++;
			if (hdr[1] == 0)
				hdr[0]++;
		} else {
			stat_inc(ST_F_WRONG_UNIT);
			hdr[6] = (uint8_t)(rq.unit % SIM_MAX_ADDR + 1);
		}
		return tcp_reply(fd, hdr, &rq, &rs);
	case FAULT_GARBAGE:
	case FAULT_TRUNCATED:
		stat_inc(fault == FAULT_GARBAGE ? ST_F_GARBAGE :
		    ST_F_TRUNCATED);
		return tcp_send_broken(fd, req, &rq, &rs, fault);
	default:
		return tcp_reply(fd, hdr, &rq, &rs);
	}
}

static int
tcp_listen(int port)
{
	struct sockaddr_in sa;
	int fd, one = 1, err;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, sim.bind, &sa.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	    -1 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fd, 32) == -1) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Bus I of worker W listens, or not when it is down-refuse. */
static void
tcp_keep(struct worker *w, int i, int64_t now)
{
	struct tcp_bus *t = &tbs[i];
	struct epoll_event ev;

	if (t->b->down == BUS_DOWN_REFUSE) {
		if (t->lfd != -1) {
			close(t->lfd);
			t->lfd = -1;
			tcp_close_clients(t);
		}
		return;
	}
	if (t->lfd != -1 || now < t->retry_ms)
		return;
	if ((t->lfd = tcp_listen(t->b->port)) == -1) {
		if (!t->logged++)
			sim_log("port %d: listen: %s", t->b->port,
			    strerror(errno));
		t->retry_ms = now + 200;
		t->b->ready = 1;	/* do not hold the others up */
		return;
	}
	t->logged = 0;
	ev.events = EPOLLIN;
	ev.data.u64 = ev_key(i, t->lfd);
	epoll_ctl(w->efd, EPOLL_CTL_ADD, t->lfd, &ev);
	t->b->ready = 1;
}

static void
tcp_accept(struct worker *w, int i)
{
	struct tcp_bus *t = &tbs[i];
	struct epoll_event ev;
	int fd = accept4(t->lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd == -1)
		return;
	if (t->ncl == MAX_CLIENTS) {
		close(fd);
		return;
	}
	ev.events = EPOLLIN;
	ev.data.u64 = ev_key(i, fd);
	if (epoll_ctl(w->efd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		close(fd);
		return;
	}
	t->cfd[t->ncl++] = fd;
	stat_inc(ST_CONNECTIONS);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[EVENTS];
	int64_t kept = 0;

	while (!sim.stop) {
		int64_t now = mono_ms();
		int n;

		if (now - kept >= KEEP_MS) {
			for (int i = w->first; i < w->first + w->n; i++)
				tcp_keep(w, i, now);
			kept = now;
		}
		n = epoll_wait(w->efd, ev, EVENTS, KEEP_MS);
		/* One request a ready client a round. */
		for (int k = 0; k < n && !sim.stop; k++) {
			int i = (int)(ev[k].data.u64 >> 32);
			int fd = (int)(uint32_t)ev[k].data.u64, c;
			struct tcp_bus *t = &tbs[i];

			if (fd == t->lfd)
				tcp_accept(w, i);
			else if ((c = tcp_client(t, fd)) != -1 &&
			    tcp_request(t, fd) == -1)
				tcp_drop_client(t, c);
		}
	}
	for (int i = w->first; i < w->first + w->n; i++) {
		if (tbs[i].lfd != -1)
			close(tbs[i].lfd);
		tcp_close_clients(&tbs[i]);
	}
	close(w->efd);
	return NULL;
}

/*
 * Starts the TCP side of every bus that has one: THREADS threads (0: a
 * thread a bus up to 256 buses, else 4), the buses shared out in runs. A thread serves one
 * transaction at a time, so wire time and slow faults hold up the other
 * buses of the same thread. Returns 0 or -1 with errno.
 */
int
bus_tcp_start(int threads)
{
	int ntcp = 0, per;

	for (int i = 0; i < sim.nbus; i++)
		if (sim.buses[i].tcp)
			ntcp++;
		else
			sim.buses[i].ready = 1;
	if (ntcp == 0)
		return 0;
	if (threads <= 0)
		threads = ntcp <= 256 ? ntcp : 4;
	if (threads > ntcp)
		threads = ntcp;
	if ((tbs = calloc((size_t)ntcp, sizeof(*tbs))) == NULL ||
	    (workers = calloc((size_t)threads, sizeof(*workers))) == NULL)
		return -1;
	for (int i = 0, j = 0; i < sim.nbus; i++)
		if (sim.buses[i].tcp) {
			tbs[j].b = &sim.buses[i];
			tbs[j++].lfd = -1;
		}
	per = (ntcp + threads - 1) / threads;
	for (int k = 0; k < threads; k++) {
		struct worker *w = &workers[k];

		w->first = k * per;
		w->n = w->first + per > ntcp ? ntcp - w->first : per;
		if (w->n <= 0)
			break;
		if ((w->efd = epoll_create1(EPOLL_CLOEXEC)) == -1)
			return -1;
		if (pthread_create(&w->t, NULL, worker_main, w) != 0) {
			close(w->efd);
			errno = EAGAIN;
			return -1;
		}
		nworkers++;
	}
	return 0;
}

void
bus_tcp_join(void)
{
	for (int k = 0; k < nworkers; k++)
		pthread_join(workers[k].t, NULL);
	free(workers);
	free(tbs);
	workers = NULL;
	tbs = NULL;
	nworkers = 0;
}
