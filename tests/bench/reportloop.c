/* reportloop.c - make bench's limits for the reports: the lib calls of a report page alone, in a loop on N connections, and a bare libxlsxwriter loop. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xlsxwriter.h>

#include "alarms.h"
#include "config.h"
#include "db.h"
#include "energy.h"
#include "sales.h"

/*
 * Usage: reportloop CONFIG REPORT THREADS SECONDS [FROM TO]
 *   REPORT: sales_year, energy_year_building, losses_month, alarms; prints
 *   "RPS P50_MS P99_MS" of the same calls the page makes, each thread on its
 *   own connection (FROM and TO the local dates of the energy reports).
 * Usage: reportloop xlsx ROWS FILE
 *   writes ROWS rows of the instruments export's cells (a time, a number,
 *   kWh, three integers) with libxlsxwriter in constant memory mode; prints
 *   "SECONDS VMHWM_KB".
 */

#define MAXLAT 1000000

static const struct config *cf;
static const char *report, *from = "", *to = "";
static double seconds;
static double *lat;
static long nlat;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads every row of RES as a page would; -1 when RES is NULL. */
static int
drain(struct dbres *res)
{
	if (res == NULL)
		return -1;
	while (db_next(res) == 1)
		for (int i = 0; i < db_ncols(res); i++)
			(void)db_col(res, i);
	db_res_free(res);
	return 0;
}

/* /report/sales/year: the operators, the rows and the totals, all time. */
static int
sales_year(struct db *db)
{
	char today[11];
	struct sales_filter f = { .period = SALES_YEAR, .tz = "+08:00" };

	sales_today(f.tz, today, sizeof(today));
	f.from = "";
	f.to = today;
	if (drain(sales_operators(db)) == -1 || drain(sales_rows(db, &f)) == -1)
		return -1;
	return 0;
}

/* /report/energy?building=1&from&to: the range, the place, the months,
 * the period before and the top rooms. */
static int
energy_year_building(struct db *db)
{
	struct energy_range rg;
	struct energy_place p;
	int64_t prev;

	if (energy_range(db, from, to, "+08:00", &rg) != 0 ||
	    energy_place(db, 1, 0, "", &p) != 0)
		return -1;
	if (drain(energy_periods(db, &p, &rg, rg.days > ENERGY_DAILY_DAYS)) == -1 ||
	    energy_total(db, &p, rg.prev_from, rg.prev_to, &prev) == -1)
		return -1;
	return drain(energy_top_rooms(db, &p, &rg, 10));
}

/* /report/losses?from&to: the range and every building's days. */
static int
losses_month(struct db *db)
{
	struct energy_range rg;
	struct energy_place p;

	if (energy_range(db, from, to, "+08:00", &rg) != 0 ||
	    energy_place(db, 0, 0, "", &p) != 0)
		return -1;
	return drain(energy_losses(db, 0, &rg, 5));
}

/* /report/alarms: the counts per kind and the first 50 open episodes. */
static int
alarms(struct db *db)
{
	struct alarm_filter f = { .building = 0, .floor = ALARMS_ANY_FLOOR,
	    .kind = "", .state = "", .from = "", .to = "", .tz = "+08:00",
	    .sort = -1, .limit = 50 };

	if (drain(alarms_counts(db, &f)) == -1)
		return -1;
	return drain(alarms_list(db, &f));
}

static void *
worker(void *arg)
{
	struct db *db = db_open(cf, "staff");
	int (*fn)(struct db *) = strcmp(report, "sales_year") == 0 ? sales_year :
	    strcmp(report, "energy_year_building") == 0 ? energy_year_building :
	    strcmp(report, "losses_month") == 0 ? losses_month : alarms;
	double end, t;

	(void)arg;
	if (db == NULL)
		exit(1);
	end = now() + seconds;
	while ((t = now()) < end) {
		if (fn(db) == -1) {
			fprintf(stderr, "reportloop: %s: %s\n", report,
			    db_error(db));
			exit(1);
		}
		t = now() - t;
		pthread_mutex_lock(&mu);
		if (nlat < MAXLAT)
			lat[nlat++] = t;
		pthread_mutex_unlock(&mu);
	}
	db_close(db);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double p)
{
	long i = (long)(p * nlat);

	return lat[i < nlat ? i : nlat - 1] * 1000;
}

static int
loop(const char *conf, int n, double secs)
{
	pthread_t th[64];
	struct config *c;

	if ((c = config_load(conf)) == NULL || n < 1 || n > 64) {
		fprintf(stderr, "reportloop: %s: cannot read\n", conf);
		return 1;
	}
	cf = c;
	seconds = secs;
	if ((lat = calloc(MAXLAT, sizeof(*lat))) == NULL)
		return 1;
	for (int i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	if (nlat == 0)
		return 1;
	qsort(lat, (size_t)nlat, sizeof(*lat), cmp);
	printf("%.1f %.1f %.1f\n", nlat / secs, pct(0.50), pct(0.99));
	config_free(c);
	return 0;
}

/* The peak resident memory of this process in kB. */
static long
vmhwm(void)
{
	char line[256];
	long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static int
xlsx(long rows, const char *file)
{
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE,
	    .tmpdir = "/tmp" };
	lxw_workbook *wb = workbook_new_opt(file, &opt);
	lxw_worksheet *ws;
	lxw_format *dt, *kwh, *in;
	double t = now();

	if (wb == NULL)
		return 1;
	ws = workbook_add_worksheet(wb, "Sheet1");
	dt = workbook_add_format(wb);
	format_set_num_format(dt, "yyyy-mm-dd hh:mm:ss");
	kwh = workbook_add_format(wb);
	format_set_num_format(kwh, "0.00");
	in = workbook_add_format(wb);
	format_set_num_format(in, "0");
	for (int c = 0; c < 6; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, "heading", NULL);
	for (long r = 1; r <= rows; r++) {
		lxw_datetime d = { 2026, 1 + (int)(r % 12), 1 + (int)(r % 28),
		    (int)(r / 2 % 24), (int)(r % 2) * 30, 0 };

		worksheet_write_datetime(ws, (lxw_row_t)r, 0, &d, dt);
		worksheet_write_number(ws, (lxw_row_t)r, 1, 90000001 + r % 4, in);
		worksheet_write_number(ws, (lxw_row_t)r, 2, (r * 37 % 5000000) / 100.0, kwh);
		worksheet_write_number(ws, (lxw_row_t)r, 3, r % 9000, in);
		worksheet_write_number(ws, (lxw_row_t)r, 4, 2200 + r % 40, in);
		worksheet_write_number(ws, (lxw_row_t)r, 5, r % 4000, in);
	}
	if (workbook_close(wb) != LXW_NO_ERROR)
		return 1;
	printf("%.2f %ld\n", now() - t, vmhwm());
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "xlsx") == 0)
		return xlsx(atol(argv[2]), argv[3]);
	if (argc != 5 && argc != 7) {
		fprintf(stderr, "usage: reportloop CONFIG REPORT THREADS SECONDS [FROM TO]\n"
		    "       reportloop xlsx ROWS FILE\n");
		return 2;
	}
	report = argv[2];
	if (argc == 7)
		from = argv[5], to = argv[6];
	return loop(argv[1], atoi(argv[3]), atof(argv[4]));
}
