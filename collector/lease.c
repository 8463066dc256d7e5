/* lease.c - bus leases in the database: a collector reads only the buses it holds, renews them, hands back what another prefers, releases them when it stops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector.h"
#include "db.h"
#include "log.h"

/*
 * Every lease change is one UPDATE whose WHERE decides: the bus is free,
 * its lease ran out, or it is ours already. Affected rows say whether we
 * hold it. Nothing relies on a lock held across statements, so the same
 * works on a Galera cluster (a conflict there is a failed claim, tried
 * again on the next round).
 */
enum {
	Q_STATE, Q_ADD, Q_CLAIM, Q_CLAIM_OTHER, Q_WANT, Q_RELEASE,
	Q_RELEASE_ALL, Q_CMDS, Q_OTHERS
};
#define TAKE "UPDATE bus_leases SET" \
	" taken_over = taken_over + (owner IS NOT NULL AND owner <> ?)," \
	" owner = ?, lease_until = NOW(3) + INTERVAL ? SECOND," \
	" renewed_at = NOW(3), wanted_by = NULL, wanted_until = NULL" \
	" WHERE bus_id = ? AND (owner = ? OR owner IS NULL OR lease_until < NOW(3))"
static const char *const q[] = {
	/* every bus: its gateway, whether it has no lease row yet, whether it is free (or ours, or run out), and asked for by another */
	[Q_STATE] = "SELECT b.id, b.gateway_id, l.bus_id IS NULL,"
	    " COALESCE(l.owner IS NULL OR l.owner = ? OR l.lease_until < NOW(3), 1),"
	    " COALESCE(l.wanted_by <> ? AND l.wanted_until > NOW(3), 0)"
	    " FROM buses b LEFT JOIN bus_leases l ON l.bus_id = b.id ORDER BY b.id",
	[Q_ADD] = "INSERT IGNORE INTO bus_leases (bus_id) VALUES (?)",
	/* a bus of our gateways: taken or renewed whoever wants it */
	[Q_CLAIM] = TAKE,
	/* another's bus: not while a collector that prefers it asks for it */
	[Q_CLAIM_OTHER] = TAKE " AND (wanted_by IS NULL OR wanted_by = ?"
	    " OR wanted_until < NOW(3))",
	[Q_WANT] = "UPDATE bus_leases SET wanted_by = ?,"
	    " wanted_until = NOW(3) + INTERVAL ? SECOND"
	    " WHERE bus_id = ? AND owner <> ?",
	[Q_RELEASE] = "UPDATE bus_leases SET owner = NULL, lease_until = NOW(3),"
	    " renewed_at = NOW(3) WHERE bus_id = ? AND owner = ?",
	[Q_RELEASE_ALL] = "UPDATE bus_leases SET owner = NULL,"
	    " lease_until = NOW(3), renewed_at = NOW(3) WHERE owner = ?",
	/*
	 * A bus taken over: the commands another collector claimed on it go
	 * out now (each still claimed per row, its purchase count checked
	 * before the token), not when that claim runs out.
	 */
	[Q_CMDS] = "UPDATE commands c JOIN meters m ON m.id = c.meter_id"
	    " SET c.next_try_at = NOW(3) WHERE m.bus_id = ?"
	    " AND c.status IN ('queued', 'sent') AND c.claimed_by <> ?"
	    " AND c.next_try_at > NOW(3)",
	/* whether meter ? is on a bus another collector holds */
	[Q_OTHERS] = "SELECT COUNT(*) FROM meters m"
	    " JOIN bus_leases l ON l.bus_id = m.bus_id WHERE m.id = ?"
	    " AND l.owner <> ? AND l.lease_until > NOW(3)",
};

/* A bus we hold: read until STOP_MS (monotonic), unless renewed before. */
struct held {
	int		bus;
	long long	stop_ms;
};

static struct held *held;
static int nheld;
static int *drops;		/* buses handed back, released once their threads stopped */
static int ndrops, maxdrops;
static long long started_ms;	/* our first round: other collectors' buses wait a lease period */
static int full;		/* said once that max_buses left a bus to others */

static long long
mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static struct held *
find(int bus)
{
	for (int i = 0; i < nheld; i++)
		if (held[i].bus == bus)
			return &held[i];
	return NULL;
}

int
lease_held(int bus)
{
	return find(bus) != NULL;
}

int
lease_count(void)
{
	return nheld;
}

long
lease_period_ms(const struct collector *co)
{
	return co->set.bus_lease_s * 1000 / 3;
}

/* Forgets held bus I; RELEASE: released by lease_settle (without memory it runs out by itself). */
static void
drop(int i, int release)
{
	if (release && ndrops == maxdrops) {
		int n = maxdrops ? 2 * maxdrops : 64, *nd;

		if ((nd = realloc(drops, (size_t)n * sizeof(*nd))) != NULL) {
			drops = nd;
			maxdrops = n;
		}
	}
	if (release && ndrops < maxdrops)
		drops[ndrops++] = held[i].bus;
	held[i] = held[--nheld];
}

/* Takes or renews bus ID (PREF: of our gateways); 1 held, 0 not, -1 error. */
static int
claim(struct db *db, struct collector *co, int id, int pref)
{
	long n;

	if (pref)
		n = db_exec(db, q[Q_CLAIM], "sslis", co->id, co->id,
		    (int64_t)co->set.bus_lease_s, id, co->id);
	else
		n = db_exec(db, q[Q_CLAIM_OTHER], "ssliss", co->id, co->id,
		    (int64_t)co->set.bus_lease_s, id, co->id, co->id);
	return n < 0 ? -1 : n > 0;
}

/* A bus just taken: logged, the commands claimed on it by others made due. */
static void
gained(struct db *db, struct collector *co, int id, long long stop_ms)
{
	struct held *nh;

	if ((nh = realloc(held, (size_t)(nheld + 1) * sizeof(*nh))) == NULL)
		return;
	held = nh;
	held[nheld].bus = id;
	held[nheld].stop_ms = stop_ms;
	nheld++;
	db_exec(db, q[Q_CMDS], "is", id, co->id);
	log_info("bus %d: lease taken", id);
}

/* One bus of a round; LEASE_GAINED, LEASE_LOST or 0. */
static int
round_bus(struct db *db, struct collector *co, struct dbres *r,
    long long t0, int pref)
{
	int id = (int)db_coll(r, 0), free_ = (int)db_coll(r, 3);
	int wanted = (int)db_coll(r, 4), grace, rc;
	struct held *h = find(id);
	long long until = t0 + co->set.bus_lease_s * 1000 - lease_period_ms(co);

	grace = t0 - started_ms < co->set.bus_lease_s * 1000;
	if (db_coll(r, 2) && db_exec(db, q[Q_ADD], "i", id) < 0)
		return 0;
	/* others' buses only when free, not asked for, after our first lease period */
	if (h == NULL && !pref && (grace || !free_ || wanted))
		return 0;
	/* no more buses than the collector can hold: the rest wait for another */
	if (h == NULL && nheld >= co->set.max_buses) {
		if (!full)
			log_warnx("bus %d: not taken: this collector holds"
			    " max_buses (%d) buses", id, co->set.max_buses);
		full = 1;
		return 0;
	}
	if (h == NULL && pref && !free_) {
		db_exec(db, q[Q_WANT], "slis", co->id,
		    (int64_t)co->set.bus_lease_s, id, co->id);
		return 0;
	}
	if ((rc = claim(db, co, id, pref)) == 1) {
		if (h != NULL) {
			h->stop_ms = until;
			return 0;
		}
		gained(db, co, id, until);
		return LEASE_GAINED;
	}
	if (rc == 0 && h != NULL) {
		/* taken by another after it ran out, or asked back by the collector that prefers it */
		log_info("bus %d: lease %s", id, wanted ? "handed back" : "lost");
		drop((int)(h - held), 1);
		return LEASE_LOST;
	}
	return 0;
}

/* Buses whose renewals failed too long stop before their lease runs out; LEASE_LOST or 0. */
static int
expire(long long now)
{
	int ch = 0;

	for (int i = 0; i < nheld; i++)
		if (now >= held[i].stop_ms) {
			log_warnx("bus %d: lease not renewed: stopping", held[i].bus);
			drop(i--, 1);
			ch = LEASE_LOST;
		}
	return ch;
}

int
lease_round(struct db *db, struct collector *co, int (*pref)(int gateway))
{
	struct dbres *r;
	long long t0 = mono_ms();
	int ch = 0, *seen, nseen = 0;

	if (started_ms == 0)
		started_ms = t0;
	if (nheld < co->set.max_buses)
		full = 0;
	if ((r = db_query(db, q[Q_STATE], "ss", co->id, co->id)) == NULL)
		return expire(t0);
	seen = calloc((size_t)db_nrows(r) + 1, sizeof(*seen));
	while (db_next(r)) {
		if (seen != NULL)
			seen[nseen++] = (int)db_coll(r, 0);
		ch |= round_bus(db, co, r, t0, pref((int)db_coll(r, 1)));
	}
	db_res_free(r);
	/* buses removed from the site */
	for (int i = 0; seen != NULL && i < nheld; i++) {
		int k = 0;

		while (k < nseen && seen[k] != held[i].bus)
			k++;
		if (k == nseen) {
			drop(i--, 0);
			ch |= LEASE_LOST;
		}
	}
	free(seen);
	return ch | expire(mono_ms());
}

void
lease_settle(struct db *db, struct collector *co)
{
	for (int i = 0; i < ndrops; i++)
		if (!lease_held(drops[i]))
			db_exec(db, q[Q_RELEASE], "is", drops[i], co->id);
	ndrops = 0;
}

void
lease_release_all(struct db *db, struct collector *co)
{
	if (db_exec(db, q[Q_RELEASE_ALL], "s", co->id) > 0)
		log_info("bus leases released");
	free(held);
	free(drops);
	held = NULL;
	drops = NULL;
	nheld = ndrops = maxdrops = 0;
}

int
lease_others(struct db *db, struct collector *co, int meter)
{
	int64_t n = 0;

	return db_value(db, &n, q[Q_OTHERS], "is", meter, co->id) == 1 && n > 0;
}
