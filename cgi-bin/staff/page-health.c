/* page-health.c - B9 the system's own health on one page: collectors, buses and their leases, command queue, SMS outbox and modem, database size, last backup, last reconciliation. */
#include <stdio.h>
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
	web_render(r, "health.cs");
	return 0;
}
