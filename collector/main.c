/* main.c - the collector daemon: configuration, the site from the database, bus threads, read requests, gateways, figures, signals. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "pdu.h"

enum {
	Q_SETTINGS, Q_SUM, Q_BUSES, Q_METERS, Q_GATEWAYS, Q_ALARMS, Q_REQUESTS,
	Q_REQ_DONE, Q_STATUS, Q_PENDING, Q_FAILED, Q_OUTBOX, Q_GW_STATE,
	Q_RESUME
};
static const char *const q[] = {
	[Q_SETTINGS] = "SELECT name, value FROM settings",
	[Q_SUM] = "SELECT CRC32(GROUP_CONCAT(name, '=', value ORDER BY name"
	    " SEPARATOR '&')) FROM settings",
	[Q_BUSES] = "SELECT id, gateway_id, port, address FROM buses ORDER BY id",
	[Q_METERS] = "SELECT m.id, m.number, m.profile, m.bus_id, m.address,"
	    " COALESCE(CONCAT(bd.name, ' ', r.number), ''),"
	    " COALESCE(s.lost, 0), COALESCE(s.fail_streak, 0)"
	    " FROM meters m LEFT JOIN rooms r ON r.id = m.room_id"
	    " LEFT JOIN buildings bd ON bd.id = r.building_id"
	    " LEFT JOIN meter_state s ON s.meter_id = m.id"
	    " ORDER BY m.bus_id, m.address",
	[Q_GATEWAYS] = "SELECT g.id, COALESCE(s.lost, 0) FROM gateways g"
	    " LEFT JOIN gateway_state s ON s.gateway_id = g.id ORDER BY g.id",
	[Q_ALARMS] = "SELECT open_key FROM alarms WHERE open_key IS NOT NULL",
	[Q_REQUESTS] = "SELECT id, meter_id FROM read_requests"
	    " WHERE done_at IS NULL AND id > ? ORDER BY id LIMIT 100",
	[Q_REQ_DONE] = "UPDATE read_requests SET done_at = NOW(3) WHERE id = ?",
	[Q_STATUS] = "INSERT INTO collector_status (name, value, updated_at)"
	    " VALUES (?, ?, NOW(3)) ON DUPLICATE KEY UPDATE"
	    " value = VALUES(value), updated_at = VALUES(updated_at)",
	[Q_PENDING] = "SELECT COUNT(*) FROM commands"
	    " WHERE status IN ('queued', 'sent', 'waiting')",
	[Q_FAILED] = "SELECT COUNT(*) FROM commands WHERE status = 'failed'",
	[Q_OUTBOX] = "SELECT COUNT(*) FROM sms_outbox WHERE status = 'queued'",
	[Q_GW_STATE] = "INSERT INTO gateway_state (gateway_id, lost, lost_since)"
	    " VALUES (?, ?, IF(? = 1, NOW(3), NULL)) ON DUPLICATE KEY UPDATE"
	    " lost = VALUES(lost), lost_since = VALUES(lost_since)",
	/* After a restart nothing of ours is leased any more. */
	[Q_RESUME] = "UPDATE commands SET next_try_at = NOW(3)"
	    " WHERE status IN ('queued', 'sent')",
};

/* A read request in progress: done when every bus it needs has served it. */
struct request {
	int64_t		id;
	int		nbus;
	struct bus	*bus[64];
	long		seq[64];
};

static struct collector co;
static struct request *reqs;
static int nreqs;
static int64_t last_req;
static int64_t settings_sum;

static void
usage(void)
{
	fprintf(stderr, "usage: collector [-dv] [-c config]\n");
	exit(2);
}

static int
tz_minutes(const char *s)
{
	int h = 0, m = 0, sign = 1;

	if (*s == '-')
		sign = -1;
	if (*s == '+' || *s == '-')
		s++;
	if (sscanf(s, "%d:%d", &h, &m) < 1)
		return 480;
	return sign * (h * 60 + m);
}

static int
load_settings(struct db *db, struct settings *s)
{
	struct dbres *r;
	double poll_min = 30;

	s->lost_after = 3;
	alarm_staff_phone("");
	if ((r = db_query(db, q[Q_SETTINGS], "")) == NULL)
		return -1;
	while (db_next(r)) {
		const char *n = db_col(r, 0), *v = db_col(r, 1);

		if (strcmp(n, "poll_interval_min") == 0 && atof(v) > 0)
			poll_min = atof(v);
		else if (strcmp(n, "lost_after_cycles") == 0 && atoi(v) > 0)
			s->lost_after = atoi(v);
		else if (strcmp(n, "alarm_sms_phone") == 0)
			alarm_staff_phone(v);
	}
	db_res_free(r);
	s->poll_s = (long)(poll_min * 60 + 0.5);
	/* The configuration may override for tests and benches. */
	s->poll_s = config_int(co.cf, "poll_interval_s", s->poll_s);
	if (s->poll_s < 1)
		s->poll_s = 1;
	s->lost_every = (int)config_int(co.cf, "lost_retry_every", 4);
	s->timeout_ms = (int)config_int(co.cf, "modbus_timeout_ms", 500);
	s->retry_base_s = config_int(co.cf, "command_retry_s", 5);
	s->retry_cap_s = config_int(co.cf, "command_retry_max_s", 600);
	s->max_tries = (int)config_int(co.cf, "command_max_tries", 5);
	s->lease_s = config_int(co.cf, "command_lease_s", 60);
	s->tz_min = tz_minutes(config_get(co.cf, "tz_offset", "+08:00"));
	return 0;
}

static struct meter *
meter_by_id(int id)
{
	int lo = 0, hi = co.nall - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (co.all[mid]->id == id)
			return co.all[mid];
		if (co.all[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static int
cmp_meter(const void *a, const void *b)
{
	const struct meter *x = *(struct meter *const *)a, *y = *(struct meter *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

static void
site_free(void)
{
	for (int i = 0; i < co.nbuses; i++)
		free(co.buses[i].meters);
	free(co.buses);
	free(co.gws);
	free(co.all);
	co.buses = NULL;
	co.gws = NULL;
	co.all = NULL;
	co.nbuses = co.ngws = co.nall = 0;
	free(reqs);
	reqs = NULL;
	nreqs = 0;
	last_req = 0;
}

/*
 * Whether this collector serves gateway ID: the configuration's "gateways"
 * lists the ids ("1,3"); unset or empty, every gateway. Several collectors
 * share a site by each taking its own gateways.
 */
static int
ours(int id)
{
	const char *p = config_get(co.cf, "gateways", "");
	char *end;

	if (*p == '\0')
		return 1;
	while (*p) {
		long v = strtol(p, &end, 10);

		if (end == p)
			return 0;
		if (v == id)
			return 1;
		p = end;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

/* Reads gateways, buses, meters, their state and open alarms. */
static int
site_load(struct db *db)
{
	struct dbres *r = NULL;
	int rc = -1, nb = 0;

	if (load_settings(db, &co.set) == -1 ||
	    db_value(db, &settings_sum, q[Q_SUM], "") == -1)
		return -1;
	if ((r = db_query(db, q[Q_BUSES], "")) == NULL)
		goto out;
	if ((co.buses = calloc(db_nrows(r) + 1, sizeof(*co.buses))) == NULL)
		goto out;
	while (db_next(r)) {
		struct bus *b;

		if (!ours((int)db_coll(r, 1)))
			continue;
		b = &co.buses[co.nbuses++];
		b->id = (int)db_coll(r, 0);
		b->gateway_id = (int)db_coll(r, 1);
		b->port = (int)db_coll(r, 2);
		snprintf(b->address, sizeof(b->address), "%s", db_col(r, 3));
		b->co = &co;
	}
	db_res_free(r);
	if ((r = db_query(db, q[Q_METERS], "")) == NULL)
		goto out;
	if ((co.all = calloc(db_nrows(r) + 1, sizeof(*co.all))) == NULL)
		goto out;
	/* Meters come ordered by bus: each bus gets its run. */
	while (db_next(r)) {
		int bus_id = (int)db_coll(r, 3), prof;
		struct bus *b = NULL;
		struct meter *m, *nm;

		for (int i = 0; i < co.nbuses; i++)
			if (co.buses[i].id == bus_id)
				b = &co.buses[i];
		if (b == NULL || (prof = profile_parse(db_col(r, 2))) == -1)
			continue;
		nm = realloc(b->meters, (size_t)(b->nmeters + 1) * sizeof(*nm));
		if (nm == NULL)
			goto out;
		b->meters = nm;
		m = &b->meters[b->nmeters++];
		memset(m, 0, sizeof(*m));
		m->id = (int)db_coll(r, 0);
		m->number = (uint32_t)db_coll(r, 1);
		m->profile = prof;
		m->address = (int)db_coll(r, 4);
		snprintf(m->room, sizeof(m->room), "%s", db_col(r, 5));
		pdu_utf8_cut(m->room);
		m->lost = (int)db_coll(r, 6);
		m->fail_streak = (int)db_coll(r, 7);
		nb++;
	}
	db_res_free(r);
	r = NULL;
	for (int i = 0; i < co.nbuses; i++)
		for (int j = 0; j < co.buses[i].nmeters; j++)
			co.all[co.nall++] = &co.buses[i].meters[j];
	qsort(co.all, co.nall, sizeof(*co.all), cmp_meter);
	if ((r = db_query(db, q[Q_GATEWAYS], "")) == NULL)
		goto out;
	if ((co.gws = calloc(db_nrows(r) + 1, sizeof(*co.gws))) == NULL)
		goto out;
	while (db_next(r)) {
		if (!ours((int)db_coll(r, 0)))
			continue;
		co.gws[co.ngws].id = (int)db_coll(r, 0);
		co.gws[co.ngws].lost = (int)db_coll(r, 1);
		co.ngws++;
	}
	db_res_free(r);
	/* Open episodes stay open across restarts: "m:ID:kind" / "g:ID:kind". */
	if ((r = db_query(db, q[Q_ALARMS], "")) == NULL)
		goto out;
	while (db_next(r)) {
		const char *key = db_col(r, 0);
		char kind[24];
		int id;

		if (key[0] != 'm' || sscanf(key, "m:%d:%23s", &id, kind) != 2)
			continue;
		for (int k = 0; k < AL_NKINDS; k++) {
			struct meter *m = meter_by_id(id);

			if (m && strcmp(kind, alarm_name(k)) == 0)
				m->alarms |= 1u << k;
		}
	}
	rc = 0;
	log_info("site: %d buses, %d gateways, %d meters; cycle every %ld s",
	    co.nbuses, co.ngws, nb, co.set.poll_s);
out:
	db_res_free(r);
	return rc;
}

static void
site_start(void)
{
	for (int i = 0; i < co.nbuses; i++)
		if (bus_start(&co.buses[i]) == -1)
			log_warn("bus %d: thread", co.buses[i].id);
}

static void
site_stop(void)
{
	for (int i = 0; i < co.nbuses; i++) {
		pthread_mutex_lock(&co.buses[i].mu);
		co.buses[i].stop = 1;
		pthread_cond_signal(&co.buses[i].cv);
		pthread_mutex_unlock(&co.buses[i].mu);
	}
	for (int i = 0; i < co.nbuses; i++)
		bus_stop(&co.buses[i]);
}

/* Hands new read requests to the bus threads; marks finished ones done. */
static void
requests(struct db *db)
{
	struct dbres *r;
	int i, j;

	if ((r = db_query(db, q[Q_REQUESTS], "l", last_req)) == NULL)
		return;
	while (db_next(r)) {
		struct request *nr, *rq;
		int64_t id = db_coll(r, 0);
		const char *mid = db_col(r, 1);

		last_req = id;
		if ((nr = realloc(reqs, (size_t)(nreqs + 1) * sizeof(*nr))) == NULL)
			break;
		reqs = nr;
		rq = &reqs[nreqs++];
		memset(rq, 0, sizeof(*rq));
		rq->id = id;
		for (i = 0; i < co.nbuses; i++) {
			struct bus *b = &co.buses[i];
			struct meter *m = NULL;

			if (mid != NULL) {
				for (j = 0; j < b->nmeters; j++)
					if (b->meters[j].id == atoi(mid))
						m = &b->meters[j];
				if (m == NULL)
					continue;
				atomic_store(&m->read_now, 1);
			}
			if (rq->nbus == 64)
				break;
			pthread_mutex_lock(&b->mu);
			rq->seq[rq->nbus] = ++b->req_issued;
			if (mid == NULL)
				b->req_all = b->req_issued;
			pthread_cond_signal(&b->cv);
			pthread_mutex_unlock(&b->mu);
			rq->bus[rq->nbus++] = b;
		}
		/* a meter of another collector's gateways: its request is theirs */
		if (mid != NULL && rq->nbus == 0 &&
		    *config_get(co.cf, "gateways", "") != '\0')
			nreqs--;
	}
	db_res_free(r);
	for (i = 0; i < nreqs; i++) {
		int done = 1;

		for (j = 0; j < reqs[i].nbus; j++) {
			struct bus *b = reqs[i].bus[j];

			pthread_mutex_lock(&b->mu);
			if (b->req_served < reqs[i].seq[j])
				done = 0;
			pthread_mutex_unlock(&b->mu);
		}
		if (done) {
			db_exec(db, q[Q_REQ_DONE], "l", reqs[i].id);
			reqs[i--] = reqs[--nreqs];
		}
	}
}

/* S3: a gateway is lost when none of its buses' meters answered in a cycle. */
static void
gateways(struct db *db)
{
	for (int g = 0; g < co.ngws; g++) {
		struct gateway *gw = &co.gws[g];
		int nbus = 0, none = 0, some = 0;

		for (int i = 0; i < co.nbuses; i++) {
			int ev;

			if (co.buses[i].gateway_id != gw->id || co.buses[i].nmeters == 0)
				continue;
			nbus++;
			ev = atomic_load(&co.buses[i].evidence);
			if (ev == 0)
				none++;
			else if (ev == 1)
				some++;
		}
		if (nbus == 0)
			continue;
		if (!gw->lost && none == nbus) {
			gw->lost = 1;
			log_warnx("gateway %d lost", gw->id);
			db_exec(db, q[Q_GW_STATE], "iii", gw->id, 1, 1);
			store_event(db, "gateway_lost", 0, gw->id, "");
			alarm_set(db, AL_GATEWAY_LOST, 0, gw->id, 0, 1, NULL);
		} else if (gw->lost && some > 0) {
			gw->lost = 0;
			log_info("gateway %d found again", gw->id);
			db_exec(db, q[Q_GW_STATE], "iii", gw->id, 0, 0);
			store_event(db, "gateway_found", 0, gw->id, "");
			alarm_set(db, AL_GATEWAY_LOST, 0, gw->id, 0, 0, NULL);
		}
	}
}

static void
status_set(struct db *db, const char *name, int64_t v)
{
	db_exec(db, q[Q_STATUS], "sl", name, v);
}

/* B9: the heartbeat and the figures /metrics shows. */
static void
figures(struct db *db)
{
	long cycle_ms = 0, read = 0, lost = 0, store_us = 0, store_rows = 0;
	int64_t v;

	for (int i = 0; i < co.nbuses; i++) {
		struct bus *b = &co.buses[i];

		if (atomic_load(&b->cycle_ms) > cycle_ms)
			cycle_ms = atomic_load(&b->cycle_ms);
		read += atomic_load(&b->last_ok);
		lost += atomic_load(&b->nlost);
		if (atomic_load(&b->store_us) > store_us)
			store_us = atomic_load(&b->store_us);
		store_rows += atomic_load(&b->store_rows);
	}
	status_set(db, "heartbeat_unix", (int64_t)time(NULL));
	status_set(db, "cycle_ms", cycle_ms);
	status_set(db, "cycle_seconds", (cycle_ms + 500) / 1000);
	status_set(db, "meters_read", read);
	status_set(db, "meters_lost", lost);
	status_set(db, "meters_total", co.nall);
	/* the database's share of the last cycles: the buses write in parallel, the slowest counts */
	status_set(db, "store_us", store_us);
	status_set(db, "store_rows", store_rows);
	if (db_value(db, &v, q[Q_PENDING], "") == 1)
		status_set(db, "commands_pending", v);
	if (db_value(db, &v, q[Q_FAILED], "") == 1)
		status_set(db, "commands_failed", v);
	if (db_value(db, &v, q[Q_OUTBOX], "") == 1)
		status_set(db, "sms_outbox", v);
	status_set(db, "modem_rssi", atomic_load(&co.modem_rssi));
}

/* Re-reads settings, buses and meters (the configuration file stays: connections point into it). */
static int
reload(struct db *db)
{
	log_info("reloading");
	site_stop();
	site_free();
	if (site_load(db) == -1)
		return -1;
	site_start();
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *conffile = getenv("PREPAID_CONF");
	const char *modem, *keyfile;
	struct db *db = NULL;
	sigset_t set;
	struct timespec tick = { 0, 250000000 };
	time_t last_fig = 0, last_sum, last_late = 0;
	int ch, daemonize = 0, verbose = 0, sig;

	while ((ch = getopt(argc, argv, "c:dv")) != -1) {
		switch (ch) {
		case 'c':
			conffile = optarg;
			break;
		case 'd':
			daemonize = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (conffile == NULL)
		conffile = "/etc/prepaid/prepaid.conf";
	log_init("collector", 0, verbose);
	if ((co.cf = config_load(conffile)) == NULL)
		fatal("%s", conffile);
	if (daemonize || config_int(co.cf, "collector_syslog", 0)) {
		log_init("collector", 1, verbose);
		if (daemonize && daemon(0, 0) == -1)
			fatal("daemon");
	}
	atomic_store(&co.modem_rssi, -1);
	keyfile = config_get(co.cf, "vending_key_file", NULL);
	if (keyfile && token_key_read(keyfile, co.vk) == 0)
		co.have_vk = 1;
	else
		log_warnx("no vending key (vending_key_file %s): tokens wait",
		    keyfile ? keyfile : "unset");

	/* Signals are taken by the main loop only; threads never see them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	while ((db = db_open(co.cf, "collector")) == NULL) {
		if (sigtimedwait(&set, NULL, &tick) == SIGTERM)
			exit(0);
	}
	store_event(db, "collector_start", 0, 0, "");
	db_exec(db, q[Q_RESUME], "");
	if (site_load(db) == -1)
		fatalx("cannot load the site from the database");
	site_start();
	modem = config_get(co.cf, "modem_device", "");
	if (modem[0] && sms_start(&co, modem) == -1)
		log_warn("sms thread");
	last_sum = time(NULL);
	for (;;) {
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP && reload(db) == -1)
			log_warnx("reload failed; retrying on the next SIGHUP");
		requests(db);
		gateways(db);
		if (time(NULL) - last_late >= config_int(co.cf, "sms_check_s", 10)) {
			last_late = time(NULL);
			alarm_sms_late(db);
		}
		if (time(NULL) - last_fig >= 2) {
			last_fig = time(NULL);
			figures(db);
		}
		if (time(NULL) - last_sum >= config_int(co.cf, "settings_check_s", 60)) {
			int64_t sum = 0;

			last_sum = time(NULL);
			if (db_value(db, &sum, q[Q_SUM], "") == 1 &&
			    sum != settings_sum && reload(db) == -1)
				log_warnx("reload after a settings change failed");
		}
	}
	log_info("stopping");
	atomic_store(&co.stopping, 1);
	site_stop();
	sms_stop();
	figures(db);
	store_event(db, "collector_stop", 0, 0, "");
	site_free();
	db_close(db);
	config_free(co.cf);
	return 0;
}
