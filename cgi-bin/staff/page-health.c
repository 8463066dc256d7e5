/* page-health.c - B9 the system's own health on one page: collectors, buses and their leases, command queue, SMS outbox and modem, database size, last backup, last reconciliation. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "health.h"
#include "pages.h"

/* The rows of RES into PREFIX.N (or its first row into PREFIX when ONE);
 * frees RES; 0, or -1 when RES is NULL. */
static int
fill(struct req *r, const char *prefix, struct dbres *res, int one)
{
	if (res == NULL)
		return -1;
	if (one)
		web_row(r, prefix, res);
	else
		web_rows(r, prefix, res);
	db_res_free(res);
	return 0;
}

/* The stamp of the last backup into Backup.* (Backup.state: ok, none,
 * bad), its time in the site's zone. */
static void
backup(struct req *r)
{
	const char *file = config_get(r->cf, "last_backup_file",
	    "/var/lib/prepaid/last-backup");
	const char *tz = web_tz(r);
	struct health_backup b;
	struct tm tm;
	char at[32];
	int h = 0, m = 0, rc = health_backup_read(file, &b);
	time_t t;

	hdf_set_value(r->hdf, "Backup.file", file);
	hdf_set_value(r->hdf, "Backup.state", rc == 1 ? "ok" : rc == 0 ?
	    "none" : "bad");
	if (rc != 1)
		return;
	sscanf(tz + 1, "%d:%d", &h, &m);
	t = b.at + (tz[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
	gmtime_r(&t, &tm);
	strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S", &tm);
	hdf_set_value(r->hdf, "Backup.at", at);
	hdf_set_valuef(r->hdf, "Backup.age=%lld",
	    (long long)(time(NULL) - b.at));
	hdf_set_valuef(r->hdf, "Backup.mb=%.1f", (double)b.bytes / 1048576.0);
	hdf_set_valuef(r->hdf, "Backup.bytes=%lld", (long long)b.bytes);
	hdf_set_value(r->hdf, "Backup.path", b.path);
}

/* UNIXTIME T as the site's local time in AT. */
static void
local_time(struct req *r, time_t t, char *at, size_t len)
{
	const char *tz = web_tz(r);
	struct tm tm;
	int h = 0, m = 0;

	sscanf(tz + 1, "%d:%d", &h, &m);
	t += (tz[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
	gmtime_r(&t, &tm);
	strftime(at, len, "%Y-%m-%d %H:%M", &tm);
}

/* 14.2.1 the product's packages with a security update waiting, as the
 * last `prepaidctl sbom --check` found them in apt's lists: the file
 * security-updates beside the backup stamp, a line "UNIXTIME
 * LISTS-UNIXTIME COUNT" (COUNT -1: apt's lists cannot tell) then
 * "PACKAGE INSTALLED NEW" each. Updates.state: ok, none (never
 * checked), unknown (cannot tell) or bad. */
static void
updates(struct req *r)
{
	char dir[256], line[256], name[96], inst[64], cand[64], at[32];
	long long t = 0, lists = 0;
	int n = -2, i = 0;
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s", config_get(r->cf, "last_backup_file",
	    "/var/lib/prepaid/last-backup"));
	snprintf(line, sizeof(line), "%s/security-updates", dirname(dir));
	if ((fp = fopen(line, "r")) == NULL) {
		hdf_set_value(r->hdf, "Updates.state", "none");
		return;
	}
	if (fgets(line, sizeof(line), fp) == NULL ||
	    sscanf(line, "%lld %lld %d", &t, &lists, &n) != 3 || n < -1)
		n = -2;
	while (n > 0 && fgets(line, sizeof(line), fp) != NULL &&
	    sscanf(line, "%95s %63s %63s", name, inst, cand) == 3) {
		hdf_set_valuef(r->hdf, "Updates.%d.name=%s", i, name);
		hdf_set_valuef(r->hdf, "Updates.%d.installed=%s", i, inst);
		hdf_set_valuef(r->hdf, "Updates.%d.new=%s", i++, cand);
	}
	fclose(fp);
	hdf_set_value(r->hdf, "Updates.state", n == -2 ? "bad" : n == -1 ?
	    "unknown" : "ok");
	hdf_set_int_value(r->hdf, "Updates.count", i);
	local_time(r, (time_t)t, at, sizeof(at));
	hdf_set_value(r->hdf, "Updates.checked", at);
	local_time(r, (time_t)lists, at, sizeof(at));
	hdf_set_value(r->hdf, "Updates.lists", at);
}

/* B9 */
int
page_health(struct req *r)
{
	const char *tz = web_tz(r);
	struct dbres *res;

	if (fill(r, "Collectors", health_collectors(r->db, tz), 0) == -1 ||
	    fill(r, "Buses", health_buses(r->db, tz), 0) == -1 ||
	    fill(r, "Leases", health_leases(r->db, tz), 0) == -1 ||
	    fill(r, "Sms", health_sms(r->db, tz), 1) == -1 ||
	    fill(r, "Db", health_db_size(r->db), 1) == -1 ||
	    fill(r, "Reconcile", health_reconcile(r->db, tz), 1) == -1)
		return -1;
	if ((res = health_commands(r->db)) == NULL)
		return -1;
	while (db_next(res) == 1)
		hdf_set_valuef(r->hdf, "Commands.%s=%s", db_col(res, 0),
		    db_col(res, 1));
	db_res_free(res);
	hdf_set_valuef(r->hdf, "Db.mb=%.1f",
	    (double)hdf_get_int_value(r->hdf, "Db.bytes", 0) / 1048576.0);
	/* a collector silent for three minutes is stopped or stuck */
	hdf_set_int_value(r->hdf, "Rep.stale_s", 180);
	backup(r);
	updates(r);
	web_render(r, "health.cs");
	return 0;
}
