/* main.c - the collector daemon: configuration, the site from the database (the buses it holds leases on) and its checks, read requests, figures, signals, the main loop. */
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

/* the most buses one collector reads (max_buses may say fewer) */
#define MAX_BUSES 900

enum {
	Q_SETTINGS, Q_SUM, Q_SITE, Q_BUSES, Q_METERS, Q_GATEWAYS, Q_ALARMS,
	Q_REQUESTS, Q_REQ_DONE, Q_METER_GW, Q_STATUS, Q_PENDING, Q_FAILED,
	Q_OUTBOX, Q_RESUME
};
static const char *const q[] = {
	[Q_SETTINGS] = "SELECT name, value FROM settings",
	[Q_SUM] = "SELECT CRC32(GROUP_CONCAT(name, '=', value ORDER BY name"
	    " SEPARATOR '&')) FROM settings",
	/*
	 * What the site is made of, in one number: any gateway, bus or meter
	 * added, moved, removed or renamed changes it. A few hundred rows:
	 * cheap enough to ask every few seconds.
	 */
	[Q_SITE] = "SELECT CRC32(CONCAT_WS('|',"
	    " (SELECT CONCAT(COUNT(*), ',', COALESCE(BIT_XOR(CRC32(CONCAT_WS(',',"
	    "  id, gateway_id, port, address))), 0)) FROM buses),"
	    " (SELECT CONCAT(COUNT(*), ',', COALESCE(BIT_XOR(id), 0)) FROM gateways),"
	    " (SELECT CONCAT(COUNT(*), ',', COALESCE(BIT_XOR(CRC32(CONCAT_WS(',',"
	    "  m.id, m.number, m.profile, m.bus_id, m.address,"
	    "  COALESCE(bd.name, ''), COALESCE(r.number, '')))), 0))"
	    "  FROM meters m LEFT JOIN rooms r ON r.id = m.room_id"
	    "  LEFT JOIN buildings bd ON bd.id = r.building_id)))",
	[Q_BUSES] = "SELECT id, gateway_id, port, address FROM buses ORDER BY id",
	[Q_METERS] = "SELECT m.id, m.number, m.profile, m.bus_id, m.address,"
	    " COALESCE(CONCAT(bd.name, ' ', r.number), ''),"
	    " COALESCE(s.lost, 0), COALESCE(s.fail_streak, 0),"
	    " COALESCE(s.bad_tokens, -1)"
	    " FROM meters m LEFT JOIN rooms r ON r.id = m.room_id"
	    " LEFT JOIN buildings bd ON bd.id = r.building_id"
	    " LEFT JOIN meter_state s ON s.meter_id = m.id"
	    " ORDER BY m.bus_id, m.address",
	[Q_GATEWAYS] = "SELECT g.id, COALESCE(s.lost, 0) FROM gateways g"
	    " LEFT JOIN gateway_state s ON s.gateway_id = g.id ORDER BY g.id",
	[Q_ALARMS] = "SELECT open_key FROM alarms WHERE open_key IS NOT NULL",
	[Q_REQUESTS] = "SELECT id, meter_id FROM read_requests"
	    " WHERE done_at IS NULL AND id > ? ORDER BY id LIMIT 100",
	/* what happened: read, failed (and why), or unknown meter */
	[Q_REQ_DONE] = "UPDATE read_requests SET done_at = NOW(3), outcome = ?,"
	    " reason = ? WHERE id = ?",
	[Q_METER_GW] = "SELECT b.gateway_id FROM meters m"
	    " JOIN buses b ON b.id = m.bus_id WHERE m.id = ?",
	[Q_STATUS] = "INSERT INTO collector_status (collector, name, value,"
	    " updated_at) VALUES (?, ?, ?, NOW(3)) ON DUPLICATE KEY UPDATE"
	    " value = VALUES(value), updated_at = VALUES(updated_at)",
	[Q_PENDING] = "SELECT COUNT(*) FROM commands"
	    " WHERE status IN ('queued', 'sent', 'waiting')",
	[Q_FAILED] = "SELECT COUNT(*) FROM commands WHERE status = 'failed'",
	[Q_OUTBOX] = "SELECT COUNT(*) FROM sms_outbox WHERE status = 'queued'"
	    " AND held = 0",
	/* After a restart nothing of ours is leased any more; other collectors' claims stand. */
	[Q_RESUME] = "UPDATE commands SET next_try_at = NOW(3)"
	    " WHERE status IN ('queued', 'sent') AND claimed_by = ?",
};

/* A read request in progress: done when every bus it needs has served it. */
struct request {
	int64_t		id;
	struct meter	*m;		/* a request for one meter */
	long		tries0;		/* its attempts when asked */
	int		nbus;
	struct bus	*bus[64];
	long		seq[64];
};

/* A site as loaded from the database, before it replaces the running one. */
struct site {
	struct bus	**buses;
	int		nbuses;
	struct gateway	*gws;
	int		ngws;
};

static struct collector co;
static struct request *reqs;
static int nreqs;
static int64_t last_req;
static int64_t settings_sum, site_sum;
static int64_t unknown_seen;	/* a request whose meter made us look at the site */
static long site_check_us;	/* what the last look at the site took */

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
	s->bus_lease_s = 30;
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
		else if (strcmp(n, "lease_s") == 0 && atoi(v) > 0)
			s->bus_lease_s = atoi(v);
	}
	db_res_free(r);
	s->poll_s = (long)(poll_min * 60 + 0.5);
	/* The configuration may override for tests and benches. */
	s->poll_s = config_int(co.cf, "poll_interval_s", s->poll_s);
	if (s->poll_s < 1)
		s->poll_s = 1;
	s->probe_s = config_int(co.cf, "lost_probe_s", 60);
	if (s->probe_s < 1)
		s->probe_s = 1;
	s->bad_token_quiet_s = config_int(co.cf, "bad_token_quiet_s", 86400);
	s->timeout_ms = (int)config_int(co.cf, "modbus_timeout_ms", 500);
	s->retry_base_s = config_int(co.cf, "command_retry_s", 5);
	s->retry_cap_s = config_int(co.cf, "command_retry_max_s", 600);
	s->max_tries = (int)config_int(co.cf, "command_max_tries", 5);
	s->lease_s = config_int(co.cf, "command_lease_s", 60);
	/* every collector of a site should have the same: the settings table's */
	s->bus_lease_s = config_int(co.cf, "lease_s", s->bus_lease_s);
	if (s->bus_lease_s < 3)
		s->bus_lease_s = 3;
	/* a bus is a descriptor; libmodbus waits with select(), which
	 * takes none at FD_SETSIZE or above: the rest is kept for the
	 * database pool, the modem and the logs */
	s->max_buses = (int)config_int(co.cf, "max_buses", MAX_BUSES);
	if (s->max_buses < 1 || s->max_buses > MAX_BUSES)
		s->max_buses = MAX_BUSES;
	s->tz_min = tz_minutes(config_get(co.cf, "tz_offset", "+08:00"));
	alarm_site_tz(s->tz_min);
	return 0;
}

static int
cmp_meter(const void *a, const void *b)
{
	const struct meter *x = *(struct meter *const *)a, *y = *(struct meter *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Every meter of the N buses BS, sorted by id, in *ALL; 0 or -1. */
static int
index_meters(struct bus **bs, int n, struct meter ***all, int *nall)
{
	int total = 0, k = 0;

	for (int i = 0; i < n; i++)
		total += bs[i]->nmeters;
	if ((*all = calloc((size_t)total + 1, sizeof(**all))) == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < bs[i]->nmeters; j++)
			(*all)[k++] = &bs[i]->meters[j];
	qsort(*all, (size_t)k, sizeof(**all), cmp_meter);
	*nall = k;
	return 0;
}

static struct meter *
find_by_id(struct meter **all, int nall, int id)
{
	int lo = 0, hi = nall - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (all[mid]->id == id)
			return all[mid];
		if (all[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static void
bus_free(struct bus *b)
{
	if (b == NULL)
		return;
	free(b->meters);
	free(b);
}

static void
site_clear(struct site *s)
{
	for (int i = 0; i < s->nbuses; i++)
		bus_free(s->buses[i]);
	free(s->buses);
	free(s->gws);
	memset(s, 0, sizeof(*s));
}

static void
requests_clear(void)
{
	free(reqs);
	reqs = NULL;
	nreqs = 0;
	last_req = 0;
}

static void
site_free(void)
{
	struct site s = { co.buses, co.nbuses, co.gws, co.ngws };

	site_clear(&s);
	free(co.all);
	co.buses = NULL;
	co.gws = NULL;
	co.all = NULL;
	co.nbuses = co.ngws = co.nall = 0;
	requests_clear();
}

/*
 * Whether this collector prefers gateway ID: the configuration's "gateways"
 * lists the ids ("1,3"); unset or empty, every gateway. It takes the
 * leases of its preferred gateways' buses first, and asks for them back
 * from another collector; others' buses only when they are free and their
 * lease ran out (lease.c).
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

/* Runs query QI and hands each row to ROW with ARG; 0, or -1 when the query or a row fails. */
static int
load_rows(struct db *db, int qi, int (*row)(struct dbres *, void *), void *arg)
{
	struct dbres *r;
	int rc = 0;

	if ((r = db_query(db, q[qi], "")) == NULL)
		return -1;
	while (rc == 0 && db_next(r))
		rc = row(r, arg);
	db_res_free(r);
	return rc;
}

/* A bus of one of our gateways into the site ARG; 0 or -1. */
static int
bus_row(struct dbres *r, void *arg)
{
	struct site *s = arg;
	struct bus **nb, *b;

	if (!lease_held((int)db_coll(r, 0)))
		return 0;
	if ((nb = realloc(s->buses, (size_t)(s->nbuses + 1) * sizeof(*nb))) == NULL)
		return -1;
	s->buses = nb;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	s->buses[s->nbuses++] = b;
	b->id = (int)db_coll(r, 0);
	b->gateway_id = (int)db_coll(r, 1);
	b->port = (int)db_coll(r, 2);
	snprintf(b->address, sizeof(b->address), "%s", db_col(r, 3));
	b->co = &co;
	return 0;
}

/* A new meter at the end of B's; NULL without memory. */
static struct meter *
meter_add(struct bus *b)
{
	struct meter *nm, *m;

	nm = realloc(b->meters, (size_t)(b->nmeters + 1) * sizeof(*nm));
	if (nm == NULL)
		return NULL;
	b->meters = nm;
	m = &b->meters[b->nmeters++];
	memset(m, 0, sizeof(*m));
	return m;
}

/* A meter of one of the site ARG's buses, with its lost state and bad-token counter; 0 or -1. */
static int
meter_row(struct dbres *r, void *arg)
{
	struct site *s = arg;
	int bus_id = (int)db_coll(r, 3), prof;
	struct bus *b = NULL;
	struct meter *m;

	for (int i = 0; i < s->nbuses; i++)
		if (s->buses[i]->id == bus_id)
			b = s->buses[i];
	if (b == NULL || (prof = profile_parse(db_col(r, 2))) == -1)
		return 0;
	if ((m = meter_add(b)) == NULL)
		return -1;
	m->id = (int)db_coll(r, 0);
	m->number = (uint32_t)db_coll(r, 1);
	m->profile = prof;
	m->address = (int)db_coll(r, 4);
	snprintf(m->room, sizeof(m->room), "%s", db_col(r, 5));
	pdu_utf8_cut(m->room);
	m->lost = (int)db_coll(r, 6);
	m->fail_streak = (int)db_coll(r, 7);
	m->bad_tokens = (int)db_coll(r, 8);
	m->bad_rise_ms = bus_now_ms();
	atomic_store(&m->last_fault, -1);
	return 0;
}

/* A gateway of one of our buses and its lost state into the site ARG; 0 or -1. */
static int
gateway_row(struct dbres *r, void *arg)
{
	struct site *s = arg;
	struct gateway *ng;
	int i = 0;

	while (i < s->nbuses && s->buses[i]->gateway_id != (int)db_coll(r, 0))
		i++;
	if (i == s->nbuses)
		return 0;
	if ((ng = realloc(s->gws, (size_t)(s->ngws + 1) * sizeof(*ng))) == NULL)
		return -1;
	s->gws = ng;
	s->gws[s->ngws].id = (int)db_coll(r, 0);
	s->gws[s->ngws].lost = (int)db_coll(r, 1);
	s->ngws++;
	return 0;
}

/* The meters of a site by id, for its open alarms. */
struct index {
	struct meter	**all;
	int		nall;
};

/* Open episodes stay open across restarts: "m:ID:kind" into the meters of the index ARG. */
static int
alarm_row(struct dbres *r, void *arg)
{
	struct index *ix = arg;
	const char *key = db_col(r, 0);
	struct meter *m;
	char kind[24];
	int id;

	if (key[0] != 'm' || sscanf(key, "m:%d:%23s", &id, kind) != 2 ||
	    (m = find_by_id(ix->all, ix->nall, id)) == NULL)
		return 0;
	for (int k = 0; k < AL_NKINDS; k++)
		if (strcmp(kind, alarm_name(k)) == 0)
			m->alarms |= 1u << k;
	return 0;
}

/* Reads gateways, buses, meters (ordered by bus: each bus gets its run), their state and open alarms into S. */
static int
site_load(struct db *db, struct site *s)
{
	struct index ix = { NULL, 0 };
	int rc;

	memset(s, 0, sizeof(*s));
	rc = load_rows(db, Q_BUSES, bus_row, s) == -1 ||
	    load_rows(db, Q_METERS, meter_row, s) == -1 ||
	    index_meters(s->buses, s->nbuses, &ix.all, &ix.nall) == -1 ||
	    load_rows(db, Q_GATEWAYS, gateway_row, s) == -1 ||
	    load_rows(db, Q_ALARMS, alarm_row, &ix) == -1 ? -1 : 0;
	free(ix.all);
	if (rc == -1)
		site_clear(s);
	return rc;
}

/* Whether two loads of a bus are the same: then its thread keeps running. */
static int
bus_same(const struct bus *a, const struct bus *b)
{
	if (a->id != b->id || a->gateway_id != b->gateway_id ||
	    a->port != b->port || strcmp(a->address, b->address) != 0 ||
	    a->nmeters != b->nmeters)
		return 0;
	for (int i = 0; i < a->nmeters; i++) {
		const struct meter *x = &a->meters[i], *y = &b->meters[i];

		if (x->id != y->id || x->number != y->number ||
		    x->profile != y->profile || x->address != y->address ||
		    strcmp(x->room, y->room) != 0)
			return 0;
	}
	return 1;
}

/* What a meter's bus thread knows of it goes along when it moves to a new thread. */
static void
meter_carry(struct meter *to, const struct meter *from)
{
	to->fail_streak = from->fail_streak;
	to->lost = from->lost;
	to->alarms = from->alarms;
	to->bad_tokens = from->bad_tokens;
	to->bad_rise_ms = from->bad_rise_ms;
	atomic_store(&to->tries, atomic_load(&from->tries));
	atomic_store(&to->last_fault, atomic_load(&from->last_fault));
}

/*
 * Puts site NS in place of the running one. A bus whose address and meters
 * did not change keeps its thread (unless ALL, after a settings change);
 * the others stop (storing what they read), and their meters' state (lost
 * streaks, open episodes, counters) goes to the new threads, also to a
 * meter that moved to another bus. NS is emptied.
 */
static void
site_apply(struct site *ns, int all)
{
	struct site old = { co.buses, co.nbuses, co.gws, co.ngws };
	int kept = 0, started = 0, stopped = 0;

	for (int i = 0; i < old.nbuses; i++) {
		struct bus *ob = old.buses[i];
		int same = -1;

		for (int j = 0; j < ns->nbuses && !all; j++)
			if (bus_same(ob, ns->buses[j]))
				same = j;
		if (same >= 0) {
			bus_free(ns->buses[same]);
			ns->buses[same] = ob;
			old.buses[i] = NULL;
			kept++;
			continue;
		}
		poll_ask_stop(ob);
	}
	for (int i = 0; i < old.nbuses; i++)
		if (old.buses[i] && old.buses[i]->started) {
			poll_stop(old.buses[i]);
			stopped++;
		}
	/* the stopped threads' meters, by id, into the new ones */
	for (int i = 0; i < ns->nbuses; i++) {
		struct bus *b = ns->buses[i];

		if (b->started)
			continue;
		for (int j = 0; j < b->nmeters; j++) {
			struct meter *om = find_by_id(co.all, co.nall, b->meters[j].id);

			if (om)
				meter_carry(&b->meters[j], om);
		}
	}
	for (int g = 0; g < ns->ngws; g++)
		for (int k = 0; k < old.ngws; k++)
			if (old.gws[k].id == ns->gws[g].id)
				ns->gws[g].lost = old.gws[k].lost;
	free(co.all);
	co.all = NULL;
	co.nall = 0;
	site_clear(&old);	/* kept buses were taken out of it */
	requests_clear();	/* open requests are handed out again */
	co.buses = ns->buses;
	co.nbuses = ns->nbuses;
	co.gws = ns->gws;
	co.ngws = ns->ngws;
	memset(ns, 0, sizeof(*ns));
	if (index_meters(co.buses, co.nbuses, &co.all, &co.nall) == -1)
		log_warn("site index");
	for (int i = 0; i < co.nbuses; i++)
		if (!co.buses[i]->started) {
			if (poll_start(co.buses[i]) == -1)
				log_warn("bus %d: thread", co.buses[i]->id);
			else
				started++;
		}
	log_info("site: %d buses (%d kept, %d stopped, %d started), %d gateways,"
	    " %d meters; cycle every %ld s", co.nbuses, kept, stopped, started,
	    co.ngws, co.nall, co.set.poll_s);
}

static void
site_stop(void)
{
	/* all asked first, so that they stop side by side */
	for (int i = 0; i < co.nbuses; i++)
		poll_ask_stop(co.buses[i]);
	for (int i = 0; i < co.nbuses; i++)
		poll_stop(co.buses[i]);
}

/*
 * Stops at once the buses whose lease we no longer hold (they store what
 * they read), before another collector may read them.
 */
static void
site_prune(void)
{
	int k = 0, n = 0;

	for (int i = 0; i < co.nbuses; i++)
		if (!lease_held(co.buses[i]->id))
			poll_ask_stop(co.buses[i]);
	for (int i = 0; i < co.nbuses; i++) {
		struct bus *b = co.buses[i];

		if (lease_held(b->id)) {
			co.buses[k++] = b;
			continue;
		}
		poll_stop(b);
		bus_free(b);
		n++;
	}
	if (n == 0)
		return;
	co.nbuses = k;
	free(co.all);
	co.all = NULL;
	co.nall = 0;
	if (index_meters(co.buses, co.nbuses, &co.all, &co.nall) == -1)
		log_warn("site index");
	requests_clear();
	log_info("leases: %d buses stopped, %d read", n, k);
}

/* A lease round: buses lost stop at once, those handed back are released; 1 when buses were gained. */
static int
leases(struct db *db)
{
	int ch = lease_round(db, &co, ours);

	if (ch & LEASE_LOST)
		site_prune();
	lease_settle(db, &co);
	return (ch & LEASE_GAINED) != 0;
}

/*
 * Loads the site (and the settings when SETTINGS) and puts it in place.
 * Every bus restarts after a settings change, since the threads read them.
 */
static int
reload(struct db *db, int settings)
{
	struct site ns;
	int64_t sum = 0;

	if (db_value(db, &sum, q[Q_SITE], "") != 1 ||
	    site_load(db, &ns) == -1)
		return -1;
	if (settings) {
		struct settings st;

		if (load_settings(db, &st) == -1 ||
		    db_value(db, &settings_sum, q[Q_SUM], "") == -1) {
			site_clear(&ns);
			return -1;
		}
		site_stop();
		co.set = st;
	}
	site_sum = sum;
	site_apply(&ns, settings);
	return 0;
}

/* A change of gateways, buses or meters since the last load: reload what changed. */
static void
site_check(struct db *db)
{
	int64_t sum = 0;
	struct timespec t0, t1;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = db_value(db, &sum, q[Q_SITE], "");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	site_check_us = (t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000;
	if (rc != 1 || sum == site_sum)
		return;
	log_info("the site changed: reloading");
	leases(db);	/* a new bus is taken before the load */
	if (reload(db, 0) == -1)
		log_warnx("reloading the site failed; trying again");
}

/* The reason code of a failed attempt (shown in words by the console). */
static const char *
fault_reason(int lf)
{
	int f = lf & 0xff, exc = lf >> 8;

	switch (f) {
	case FT_TIMEOUT:
		return "timeout";
	case FT_EXCEPTION:
		/* 0x0A/0x0B: the gateway found no meter answering at that address */
		return exc == 0x0A || exc == 0x0B ? "no_answer" : "exception";
	case FT_BADFRAME:
		return "bad_frame";
	default:
		return "link";
	}
}

/* Records what a finished request found. */
static void
request_done(struct db *db, const struct request *rq)
{
	const char *outcome = NULL, *reason = "";

	if (rq->m != NULL) {
		int lf = atomic_load(&rq->m->last_fault);

		if (atomic_load(&rq->m->tries) == rq->tries0 || lf == -1) {
			outcome = "failed";
			reason = "not_tried";
		} else if ((lf & 0xff) == FT_OK)
			outcome = "read";
		else {
			outcome = "failed";
			reason = fault_reason(lf);
		}
	}
	db_exec(db, q[Q_REQ_DONE], "ssl", outcome, reason, rq->id);
}

/*
 * A request for meter MID that no bus of ours has. 1: look at the site
 * first (it may have just been added); 0: it is another collector's; -1:
 * no collector reads it (removed, or on no bus we know).
 */
static int
request_unknown(struct db *db, int64_t id, int mid)
{
	int64_t gw = 0;

	if (unknown_seen != id) {
		unknown_seen = id;
		return 1;
	}
	if (db_value(db, &gw, q[Q_METER_GW], "i", mid) != 1)
		return -1;
	return lease_others(db, &co, mid) ? 0 : -1;
}

/* Hands request ID (of meter M, or of every meter) to the bus threads that read it; 0 or -1. */
static int
request_add(int64_t id, struct meter *m)
{
	struct request *nr, *rq;
	int j;

	if ((nr = realloc(reqs, (size_t)(nreqs + 1) * sizeof(*nr))) == NULL)
		return -1;
	reqs = nr;
	rq = &reqs[nreqs++];
	memset(rq, 0, sizeof(*rq));
	rq->id = id;
	if (m != NULL) {
		rq->m = m;
		rq->tries0 = atomic_load(&m->tries);
	}
	for (int i = 0; i < co.nbuses && rq->nbus < 64; i++) {
		struct bus *b = co.buses[i];

		if (m != NULL) {
			for (j = 0; j < b->nmeters; j++)
				if (&b->meters[j] == m)
					break;
			if (j == b->nmeters)
				continue;
			atomic_store(&m->read_now, 1);
		}
		pthread_mutex_lock(&b->mu);
		rq->seq[rq->nbus] = ++b->req_issued;
		if (m == NULL)
			b->req_all = b->req_issued;
		pthread_cond_signal(&b->cv);
		pthread_mutex_unlock(&b->mu);
		rq->bus[rq->nbus++] = b;
	}
	return 0;
}

/* Records the requests every bus they need has served. */
static void
requests_finish(struct db *db)
{
	for (int i = 0; i < nreqs; i++) {
		int done = 1;

		for (int j = 0; j < reqs[i].nbus; j++) {
			struct bus *b = reqs[i].bus[j];

			pthread_mutex_lock(&b->mu);
			if (b->req_served < reqs[i].seq[j])
				done = 0;
			pthread_mutex_unlock(&b->mu);
		}
		if (done) {
			request_done(db, &reqs[i]);
			reqs[i--] = reqs[--nreqs];
		}
	}
}

/* Hands new read requests to the bus threads; records finished ones. */
static void
requests(struct db *db)
{
	struct dbres *r;
	int look = 0;

	if ((r = db_query(db, q[Q_REQUESTS], "l", last_req)) == NULL)
		return;
	while (db_next(r)) {
		int64_t id = db_coll(r, 0);
		const char *mid = db_col(r, 1);
		struct meter *m = NULL;

		if (mid != NULL && (m = find_by_id(co.all, co.nall, atoi(mid))) == NULL) {
			int u = request_unknown(db, id, atoi(mid));

			if (u == 1) {
				look = 1;	/* this request again after the look */
				break;
			}
			last_req = id;
			if (u == -1) {
				log_info("read request %lld: meter %s is read by no collector",
				    (long long)id, mid);
				db_exec(db, q[Q_REQ_DONE], "ssl", "unknown", "", id);
			}
			continue;
		}
		last_req = id;
		if (request_add(id, m) == -1)
			break;
	}
	db_res_free(r);
	if (look)
		site_check(db);
	else
		requests_finish(db);
}

static void
status_set(struct db *db, const char *name, int64_t v)
{
	db_exec(db, q[Q_STATUS], "ssl", co.id, name, v);
}

/* B9: the heartbeat and the figures /metrics shows. */
static void
figures(struct db *db)
{
	long cycle_ms = 0, read = 0, lost = 0, store_us = 0, store_rows = 0;
	long read_us = 0;
	int64_t v;

	for (int i = 0; i < co.nbuses; i++) {
		struct bus *b = co.buses[i];

		if (atomic_load(&b->cycle_ms) > cycle_ms)
			cycle_ms = atomic_load(&b->cycle_ms);
		read += atomic_load(&b->last_ok);
		lost += atomic_load(&b->nlost);
		if (atomic_load(&b->read_us) > read_us)
			read_us = atomic_load(&b->read_us);
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
	status_set(db, "buses", co.nbuses);
	/* the database's share of the last cycles: the buses write in parallel, the slowest counts */
	status_set(db, "store_us", store_us);
	/* and the reads of the last cycles alone (the slowest bus) */
	status_set(db, "read_us", read_us);
	status_set(db, "store_rows", store_rows);
	status_set(db, "site_check_us", site_check_us);
	if (db_value(db, &v, q[Q_PENDING], "") == 1)
		status_set(db, "commands_pending", v);
	if (db_value(db, &v, q[Q_FAILED], "") == 1)
		status_set(db, "commands_failed", v);
	if (db_value(db, &v, q[Q_OUTBOX], "") == 1)
		status_set(db, "sms_outbox", v);
	status_set(db, "modem_rssi", atomic_load(&co.modem_rssi));
}

/* The options and the configuration: log, vending key, this collector's id. */
static void
configure(int argc, char *argv[])
{
	const char *conffile = getenv("PREPAID_CONF"), *keyfile, *name;
	int ch, daemonize = 0, verbose = 0;

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
	/* Its heartbeat rows and command claims carry its name (the host name by default). */
	name = config_get(co.cf, "collector_name", "");
	if (strlen(name) >= sizeof(co.id))
		fatalx("collector_name: at most %zu characters", sizeof(co.id) - 1);
	if (name[0])
		snprintf(co.id, sizeof(co.id), "%s", name);
	else if (gethostname(co.id, sizeof(co.id) - 1) == -1 || co.id[0] == '\0')
		snprintf(co.id, sizeof(co.id), "collector");
	atomic_store(&co.modem_rssi, -1);
	keyfile = config_get(co.cf, "vending_key_file", NULL);
	if (keyfile && token_key_read(keyfile, co.vk) == 0)
		co.have_vk = 1;
	else
		log_warnx("no vending key (vending_key_file %s): tokens wait",
		    keyfile ? keyfile : "unset");
}

/* Whether S seconds have passed since *LAST (then *LAST is now). */
static int
every(time_t *last, long s)
{
	if (time(NULL) - *last < s)
		return 0;
	*last = time(NULL);
	return 1;
}

/* The main loop until SIGTERM or SIGINT: signals, site checks, requests, gateways, figures. */
static void
run(struct db *db, const sigset_t *set)
{
	struct timespec tick = { 0, 250000000 };
	time_t last_fig = 0, last_sum, last_site, last_late = 0;
	struct timespec last_lease, now;
	int sig;

	last_sum = last_site = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &last_lease);
	for (;;) {
		sig = sigtimedwait(set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (bus_ms_since(&last_lease) >= lease_period_ms(&co)) {
			last_lease = now;
			if (leases(db) && reload(db, 0) == -1)
				log_warnx("loading the buses taken failed; trying again");
		}
		if (sig == SIGHUP && reload(db, 1) == -1)
			log_warnx("reload failed; retrying on the next SIGHUP");
		if (every(&last_site, config_int(co.cf, "site_check_s", 5)))
			site_check(db);
		requests(db);
		poll_gateways(&co, db);
		if (every(&last_late, config_int(co.cf, "sms_check_s", 10)))
			alarm_sms_late(db);
		if (every(&last_fig, 2))
			figures(db);
		if (every(&last_sum, config_int(co.cf, "settings_check_s", 60))) {
			int64_t sum = 0;

			if (db_value(db, &sum, q[Q_SUM], "") == 1 &&
			    sum != settings_sum && reload(db, 1) == -1)
				log_warnx("reload after a settings change failed");
		}
	}
}

int
main(int argc, char *argv[])
{
	const char *modem;
	struct db *db = NULL;
	sigset_t set;
	struct timespec tick = { 0, 250000000 };

	configure(argc, argv);
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
	store_event(db, "collector_start", 0, 0, co.id);
	db_exec(db, q[Q_RESUME], "s", co.id);
	/* the lease period first, then the buses of our gateways that are free */
	if (load_settings(db, &co.set) == -1)
		fatalx("cannot load the settings from the database");
	leases(db);
	if (reload(db, 1) == -1)
		fatalx("cannot load the site from the database");
	log_info("collector %s", co.id);
	modem = config_get(co.cf, "modem_device", "");
	if (modem[0] && sms_start(&co, modem) == -1)
		log_warn("sms thread");
	run(db, &set);
	log_info("stopping");
	atomic_store(&co.stopping, 1);
	site_stop();
	lease_release_all(db, &co);	/* another collector takes them within a round */
	sms_stop();
	figures(db);
	store_event(db, "collector_stop", 0, 0, co.id);
	site_free();
	db_close(db);
	config_free(co.cf);
	return 0;
}
