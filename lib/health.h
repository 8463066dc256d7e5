/* health.h - F26/F27 lost meters and gateways with their buses' health, and B9 the system's own health: collectors, buses, queues, database, backup, reconciliation. */
#ifndef HEALTH_H
#define HEALTH_H

#include <stdint.h>
#include <time.h>

struct db;
struct dbres;

/* What a lost-contact report asks for; strings never NULL ("" for any). */
struct lost_filter {
	int64_t building;	/* 0: any */
	int floor;		/* HEALTH_ANY_FLOOR: any (meters only) */
	int64_t gateway;	/* 0: any */
	const char *from, *to;	/* local dates the contact was lost */
	const char *tz;
	int sort;		/* 1-based in the report's sort keys */
	int64_t limit, offset;
};
#define HEALTH_ANY_FLOOR (-1000)

extern const char *const health_meter_sortkeys[];
extern const char *const health_gateway_sortkeys[];

/*
 * F26: the lost meters: id, meter, building, floor, room, holder, gateway,
 * port, since, lost_s, last_read (local, "" never), fail_streak,
 * last_error, and their bus's reads_ok, reads_failed, rate_bp (success in
 * 0.01 %), latency_ms (mean of good reads), timeouts, exceptions,
 * bad_frames, link_errors; total. Rows (db_res_free) or NULL.
 */
struct dbres *health_lost_meters(struct db *, const struct lost_filter *);
/* F27: the lost gateways: id, gateway, host, building, since, lost_s,
 * meters, meters_lost, last_read, and its buses' figures added up as
 * above; total. Rows or NULL. */
struct dbres *health_lost_gateways(struct db *, const struct lost_filter *);

/* B9: each collector: name, beat (local), age (s), cycle_ms, meters_read,
 * meters_lost, meters_total, buses (it reads), held (the buses it holds a
 * lease on: "GATEWAY PORT, ..."), commands_pending, sms_outbox, rssi,
 * rssi_at. */
struct dbres *health_collectors(struct db *, const char *tz);
/* B9: every bus: gateway, port, meters, lost, the figures of
 * health_lost_meters, last_cycle (local), last_cycle_ms, owner (the
 * collector holding its lease, "" none). */
struct dbres *health_buses(struct db *, const char *tz);
/* B9: each bus lease: bus, gateway, port, owner ("" free), until (local),
 * left_s, state (ok, stale: not renewed and not taken yet, free), renewed
 * (local), taken_over, wanted_by (a collector asking for it back). */
struct dbres *health_leases(struct db *, const char *tz);
/* B9: status, n: the command queue by state. */
struct dbres *health_commands(struct db *);
/* B9: one row: queued, sent, failed, possibly_sent, oldest_queued (local),
 * last_sent (local), last_error. */
struct dbres *health_sms(struct db *, const char *tz);
/* B9: one row: the database's bytes (bytes) and its tables (tables). */
struct dbres *health_db_size(struct db *);
/* B9: the last reconciliation run: at (local), total, detail; no row if
 * there never was one. */
struct dbres *health_reconcile(struct db *, const char *tz);

/* The last backup as its stamp file says (conf/prepaidctl backup writes
 * it): one line "UNIXTIME BYTES PATH". */
struct health_backup {
	time_t at;
	int64_t bytes;
	char path[256];
};
/* Reads the stamp file FILE into B: 1, 0 when there is none (errno), -1
 * when it is not a stamp. */
int health_backup_read(const char *file, struct health_backup *b);

#endif
