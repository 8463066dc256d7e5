/* poll.c - one thread per bus: read cycles, lost and found meters and gateways, probes of lost meters, commands in between; the threads share a pool of database connections. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "config.h"
#include "db.h"
#include "log.h"

/*
 * The bus threads' database connections: a pool of at most
 * bus_db_connections (default 16), a connection held only while a thread
 * stores a cycle or runs its commands. A connection a bus would take two
 * descriptors a bus (libmodbus waits with select(): a process stays below
 * 1024) and as many server connections as buses.
 */
#define POOL_DEFAULT	16

/* A thread waiting for a connection: served first come, first served. */
struct waiter {
	pthread_cond_t	cv;
	struct db	*db;		/* handed over by db_release */
	int		open;		/* or leave to open one */
	struct waiter	*next;
};

static struct {
	pthread_mutex_t	mu;
	struct db	**idle;
	int		nidle, nopen, max, users;
	struct waiter	*head, *tail;
} pool = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0, 0, NULL, NULL };

static int should_stop(struct bus *);

/* B's thread joins (ON) or leaves the pool; the last one out closes the idle connections. */
static void
pool_use(struct bus *b, int on)
{
	pthread_mutex_lock(&pool.mu);
	if (on && pool.idle == NULL) {
		pool.max = (int)config_int(b->co->cf, "bus_db_connections",
		    POOL_DEFAULT);
		if (pool.max < 1)
			pool.max = 1;
		if ((pool.idle = calloc((size_t)pool.max,
		    sizeof(*pool.idle))) == NULL)
			fatal("pool");
	}
	pool.users += on ? 1 : -1;
	if (pool.users == 0) {
		while (pool.nidle > 0) {
			db_close(pool.idle[--pool.nidle]);
			pool.nopen--;
		}
		free(pool.idle);
		pool.idle = NULL;
	}
	pthread_mutex_unlock(&pool.mu);
}

/* The first waiter, off the queue (pool.mu held); NULL when none waits. */
static struct waiter *
pool_next(void)
{
	struct waiter *w = pool.head;

	if (w != NULL && (pool.head = w->next) == NULL)
		pool.tail = NULL;
	return w;
}

/* W leaves the queue (pool.mu held). */
static void
pool_leave(struct waiter *w)
{
	struct waiter **p = &pool.head, *prev = NULL;

	for (; *p != NULL; prev = *p, p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			if (pool.tail == w)
				pool.tail = prev;
			return;
		}
}

/* Waits its turn for a connection (pool.mu held); -1 when B stops first. */
static int
pool_wait(struct bus *b, struct waiter *w)
{
	struct timespec until;

	pthread_cond_init(&w->cv, NULL);
	if (pool.tail != NULL)
		pool.tail->next = w;
	else
		pool.head = w;
	pool.tail = w;
	while (w->db == NULL && !w->open) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&w->cv, &pool.mu, &until);
		if (w->db == NULL && !w->open && should_stop(b)) {
			pool_leave(w);
			pthread_cond_destroy(&w->cv);
			return -1;
		}
	}
	pthread_cond_destroy(&w->cv);
	return 0;
}

/* A connection of the pool into B->db, in turn; -1 when B stops first. */
static int
db_hold(struct bus *b)
{
	struct waiter w = { .db = NULL, .open = 0, .next = NULL };

	b->db = NULL;
	pthread_mutex_lock(&pool.mu);
	if (pool.head == NULL && pool.nidle > 0)
		b->db = pool.idle[--pool.nidle];
	else if (pool.head == NULL && pool.nopen < pool.max)
		pool.nopen++;
	else if (pool_wait(b, &w) == -1) {
		pthread_mutex_unlock(&pool.mu);
		return -1;
	} else
		b->db = w.db;
	pthread_mutex_unlock(&pool.mu);
	/* a new one connects at its first statement (and again when lost) */
	if (b->db == NULL &&
	    (b->db = db_open_lazy(b->co->cf, "collector")) == NULL) {
		struct waiter *n;

		pthread_mutex_lock(&pool.mu);
		pool.nopen--;
		if ((n = pool_next()) != NULL) {
			n->open = 1;
			pool.nopen++;
			pthread_cond_signal(&n->cv);
		}
		pthread_mutex_unlock(&pool.mu);
		return -1;
	}
	return 0;
}

/* An idle connection (or a new one) into B->db when nobody waits; else -1. */
static int
db_try(struct bus *b)
{
	int open = 0;

	b->db = NULL;
	pthread_mutex_lock(&pool.mu);
	if (pool.head == NULL && pool.nidle > 0)
		b->db = pool.idle[--pool.nidle];
	else if (pool.head == NULL && pool.nopen < pool.max)
		open = ++pool.nopen;
	pthread_mutex_unlock(&pool.mu);
	if (b->db == NULL && open &&
	    (b->db = db_open_lazy(b->co->cf, "collector")) == NULL) {
		pthread_mutex_lock(&pool.mu);
		pool.nopen--;
		pthread_mutex_unlock(&pool.mu);
	}
	return b->db != NULL ? 0 : -1;
}

/* B's connection goes to the first waiter, or back to the pool. */
static void
db_release(struct bus *b)
{
	struct waiter *w;

	if (b->db == NULL)
		return;
	pthread_mutex_lock(&pool.mu);
	if ((w = pool_next()) != NULL) {
		w->db = b->db;
		pthread_cond_signal(&w->cv);
	} else
		pool.idle[pool.nidle++] = b->db;
	pthread_mutex_unlock(&pool.mu);
	b->db = NULL;
}

/* One cycle so far: its results and how the bus answers. */
struct cycle_state {
	struct result	*res;
	char		*done;		/* per meter of the bus: read in this cycle */
	int		n;		/* results */
	int		link_in_row, down, ok, tried, answered;
};

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

/* What the commands found of the meters' purchase counts opens or closes their count_mismatch episodes. */
static void
count_alarms(struct bus *b)
{
	for (int i = 0; i < b->nmeters; i++) {
		struct meter *m = &b->meters[i];

		if (m->count_check == CC_HELD)
			alarm_meter(b, m, AL_COUNT_MISMATCH, 1, 0);
		else if (m->count_check == CC_OK)
			alarm_meter(b, m, AL_COUNT_MISMATCH, 0, 0);
		m->count_check = CC_NONE;
	}
}

/* The due commands, with B->db held. */
static void
run_commands(struct bus *b)
{
	clock_gettime(CLOCK_MONOTONIC, &b->last_cmd);
	cmd_run_due(b);
	count_alarms(b);
}

/*
 * Commands run between reads, at most once a second, on an idle pooled
 * connection: a bus does not wait in the middle of its cycle for one (the
 * end of its cycle, which holds one, runs them otherwise).
 */
static void
maybe_commands(struct bus *b, int force)
{
	if (!force && bus_ms_since(&b->last_cmd) < 1000)
		return;
	if (db_try(b) == -1)
		return;
	run_commands(b);
	db_release(b);
}

/* S3: a good read finds a lost meter (its waiting commands go out); the reading's alarms follow. */
static void
after_good(struct bus *b, struct result *r)
{
	struct meter *m = r->m;

	m->fail_streak = 0;
	if (m->lost) {
		m->lost = 0;
		log_info("meter %u (id %d) found again", m->number, m->id);
		store_event(b->db, "meter_found", m->id, 0, "");
		alarm_meter(b, m, AL_METER_LOST, 0, 0);
		cmd_meter_found(b, m);
	} else if (m->alarms & (1u << AL_METER_LOST))
		alarm_meter(b, m, AL_METER_LOST, 0, 0);
	alarm_reading(b, m, &r->r, r->at_ms);
}

/* S3: lost after lost_after failed cycles; its open commands wait. */
static void
after_failed(struct bus *b, struct result *r)
{
	struct meter *m = r->m;

	if (m->lost || m->fail_streak < b->co->set.lost_after)
		return;
	m->lost = 1;
	log_info("meter %u (id %d) lost after %d failed cycles: %s",
	    m->number, m->id, m->fail_streak, r->error);
	store_event(b->db, "meter_lost", m->id, 0, r->error);
	alarm_meter(b, m, AL_METER_LOST, 1, 0);
	cmd_meter_lost(b, m);
}

/* Whether meter M is read in pass PASS of a cycle (the second: lost meters of a bus answering again). */
static int
wanted(struct meter *m, int pass, int full, int probe)
{
	if (pass == 1)
		return m->lost;
	return atomic_exchange(&m->read_now, 0) || (full && !m->lost) ||
	    (probe && m->lost);
}

/* Reads meter M into the cycle's next result; 0 when the bus was down and M not tried. */
static int
read_one(struct bus *b, struct meter *m, struct cycle_state *cs)
{
	struct result *r = &cs->res[cs->n++];
	struct timespec t1;
	int f, exc = 0;

	r->m = m;
	r->at_ms = bus_now_ms();
	cs->tried++;
	if (cs->down) {
		r->fault = FT_LINK;
		snprintf(r->error, sizeof(r->error), "bus not answering");
		atomic_store(&m->last_fault, FT_LINK);
		atomic_fetch_add(&m->tries, 1);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	f = bus_read_meter(b, m, &r->r, &exc);
	r->latency_ms = (int)bus_ms_since(&t1);
	r->fault = f;
	r->exc = exc;
	if (f == FT_OK) {
		cs->ok++;
		cs->link_in_row = 0;
	} else {
		describe(r, f, exc, errno);
		/*
		 * A gateway always answers, if only with 0x0B: two link
		 * faults in a row over TCP mean the gateway or its port is
		 * down, so the rest of the bus is not tried.
		 */
		if ((f == FT_LINK || f == FT_TIMEOUT) && !b->rtu &&
		    ++cs->link_in_row >= 2)
			cs->down = 1;
	}
	if (f != FT_LINK && f != FT_TIMEOUT)
		cs->answered++;
	atomic_store(&m->last_fault, f | exc << 8);
	atomic_fetch_add(&m->tries, 1);
	return 1;
}

/* The figures of a finished cycle, for the main thread. */
static void
publish(struct bus *b, const struct cycle_state *cs, int full, long ms)
{
	int lost = 0;

	if (cs->tried > 0) {
		atomic_store(&b->evidence, cs->answered > 0);
		if (cs->answered > 0)
			atomic_store(&b->dead_streak, 0);
		else
			atomic_fetch_add(&b->dead_streak, 1);
	}
	for (int i = 0; i < b->nmeters; i++)
		lost += b->meters[i].lost;
	atomic_store(&b->nlost, lost);
	if (full) {
		atomic_store(&b->cycle_ms, ms);
		atomic_store(&b->last_ok, cs->ok);
		atomic_fetch_add(&b->cycles, 1);
	}
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
	struct cycle_state cs = { 0 };
	struct timespec t0;
	size_t nm = b->nmeters ? (size_t)b->nmeters : 1;
	int was_dead = atomic_load(&b->dead_streak) > 0;

	cs.res = calloc(nm, sizeof(*cs.res));
	cs.done = calloc(nm, 1);
	if (cs.res == NULL || cs.done == NULL)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	b->cycle_no++;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && !(was_dead && cs.ok > 0))
			break;
		for (int i = 0; i < b->nmeters; i++) {
			if (cs.done[i] || !wanted(&b->meters[i], pass, full, probe))
				continue;
			cs.done[i] = 1;
			if (!read_one(b, &b->meters[i], &cs))
				continue;
			if (should_stop(b))
				break;
			maybe_commands(b, 0);
		}
	}
	if (full) {
		struct timespec t1;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		atomic_store(&b->read_us, (t1.tv_sec - t0.tv_sec) * 1000000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000);
	}
	for (int i = 0; i < cs.n; i++)
		if (cs.res[i].fault != FT_OK)
			cs.res[i].m->fail_streak++;
	if (db_hold(b) == 0) {
		store_cycle(b, cs.res, cs.n, full ? bus_ms_since(&t0) : -1);
		/* Changes of contact and alarms, each in its own short transaction. */
		for (int i = 0; i < cs.n; i++) {
			if (cs.res[i].fault == FT_OK)
				after_good(b, &cs.res[i]);
			else
				after_failed(b, &cs.res[i]);
		}
		if (bus_ms_since(&b->last_cmd) >= 1000)
			run_commands(b);
		db_release(b);
	}
	publish(b, &cs, full, bus_ms_since(&t0));
out:
	free(cs.res);
	free(cs.done);
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

/* Sleeps until the next cycle, a request, a stop, or a second. */
static void
nap(struct bus *b)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	pthread_mutex_lock(&b->mu);
	if (!b->stop && b->req_issued == b->req_served)
		pthread_cond_timedwait(&b->cv, &b->mu, &until);
	pthread_mutex_unlock(&b->mu);
}

static void *
poll_main(void *arg)
{
	struct bus *b = arg;
	struct collector *co = b->co;
	struct timespec next, now;
	int first = 1;

	pool_use(b, 1);
	clock_gettime(CLOCK_MONOTONIC, &next);	/* the first cycle at once */
	clock_gettime(CLOCK_MONOTONIC, &b->last_cmd);
	clock_gettime(CLOCK_MONOTONIC, &b->last_probe);
	for (;;) {
		long want, all;
		int full, stop, probe;

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
		probe = (first || bus_ms_since(&b->last_probe) >=
		    co->set.probe_s * 1000) && any_lost(b);
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
		nap(b);
	}
	bus_close(b);
	pool_use(b, 0);
	return NULL;
}

int
poll_start(struct bus *b)
{
	int rc;

	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	atomic_store(&b->evidence, -1);
	if ((rc = pthread_create(&b->thread, NULL, poll_main, b)) != 0) {
		errno = rc;
		return -1;
	}
	b->started = 1;
	return 0;
}

void
poll_ask_stop(struct bus *b)
{
	if (!b->started)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = 1;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

void
poll_stop(struct bus *b)
{
	if (!b->started)
		return;
	poll_ask_stop(b);
	pthread_join(b->thread, NULL);
	b->started = 0;
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
}

/*
 * S3: a gateway is lost when none of its buses answered in as many tries
 * in a row as a meter needs (lost_after_cycles), found when one answers.
 */
void
poll_gateways(struct collector *co, struct db *db)
{
	for (int g = 0; g < co->ngws; g++) {
		struct gateway *gw = &co->gws[g];
		int nbus = 0, dead = 0, some = 0;

		for (int i = 0; i < co->nbuses; i++) {
			struct bus *b = co->buses[i];

			if (b->gateway_id != gw->id || b->nmeters == 0)
				continue;
			nbus++;
			if (atomic_load(&b->dead_streak) >= co->set.lost_after)
				dead++;
			else if (atomic_load(&b->evidence) == 1)
				some++;
		}
		if (nbus == 0 || (gw->lost ? some == 0 : dead < nbus))
			continue;
		gw->lost = !gw->lost;
		if (gw->lost)
			log_warnx("gateway %d lost", gw->id);
		else
			log_info("gateway %d found again", gw->id);
		store_gateway(db, gw->id, gw->lost);
		store_event(db, gw->lost ? "gateway_lost" : "gateway_found", 0,
		    gw->id, "");
		alarm_set(db, AL_GATEWAY_LOST, 0, gw->id, 0, gw->lost, NULL);
	}
}
