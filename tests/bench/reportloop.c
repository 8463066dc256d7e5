/* reportloop.c - make bench's limits: the lib calls of a report page alone, a request's own SQL statements, the sale's transaction, each in a loop on N connections; and a bare libxlsxwriter loop. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <xlsxwriter.h>

#include "alarms.h"
#include "config.h"
#include "db.h"
#include "energy.h"
#include "ledger.h"
#include "oplog.h"
#include "sales.h"

/*
 * Usage: reportloop CONFIG REPORT THREADS SECONDS [FROM TO]
 *   REPORT: sales_year, energy_year_building, losses_month, alarms; prints
 *   "RPS P50_MS P99_MS" of the same calls the page makes, each thread on its
 *   own connection (FROM and TO the local dates of the energy reports).
 * Usage: reportloop CONFIG sql THREADS SECONDS FILE
 *   the statements of FILE, one a line as mariadb -B writes them (\n, \t
 *   and \\ escaped), each followed by its parameters after tabs ("i:5" an
 *   integer, "s:text" a string): each prepared once per connection with
 *   Connector/C, and all run in turn as one request, every row fetched;
 *   prints "RPS P50_MS P99_MS".
 * Usage: reportloop CONFIG sell THREADS SECONDS OPERATOR ACCOUNT:METER,...
 *   the sale of the /sell form: ledger_issue of 0.01 yuan under a new
 *   idempotency key on the accounts in turn, and its log line; the same.
 * Usage: reportloop xlsx ROWS FILE
 *   writes ROWS rows of the instruments export's cells (a time, a number,
 *   kWh, three integers) with libxlsxwriter in constant memory mode; prints
 *   "SECONDS VMHWM_KB".
 */

#define MAXLAT 1000000

static const struct config *cf;
static const char *report, *from = "", *to = "";
#define MAXSTMT 64
#define MAXPARAM 16
static char *stmts[MAXSTMT], *params[MAXSTMT][MAXPARAM];
static int nstmts, nparams[MAXSTMT];
static int64_t seller, sell_acct[64], sell_meter[64];
static int nsell;
static long sold;
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

/* A connection of Connector/C's own, as db_open: with the staff account,
 * or the one REPORTLOOP_ACCOUNT names ("mobile" with the student site's
 * configuration). */
static MYSQL *
my_open(void)
{
	MYSQL *my = mysql_init(NULL);
	const char *a = getenv("REPORTLOOP_ACCOUNT");
	char user[64], pass[64];

	snprintf(user, sizeof(user), "%s_user", a && *a ? a : "staff");
	snprintf(pass, sizeof(pass), "%s_password", a && *a ? a : "staff");
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(my, MYSQL_INIT_COMMAND, "SET time_zone='+00:00'");
	if (mysql_real_connect(my, config_get(cf, "db_host", NULL),
	    config_get(cf, user, NULL),
	    config_get(cf, pass, NULL),
	    config_get(cf, "db_name", "prepaid"), 0,
	    config_get(cf, "db_socket", NULL), 0) == NULL) {
		fprintf(stderr, "reportloop: %s\n", mysql_error(my));
		exit(1);
	}
	return my;
}

/* Statement I prepared on MY with its parameters bound; exits on error. */
static MYSQL_STMT *
my_prepare(MYSQL *my, int i, MYSQL_BIND *pb, long long *iv)
{
	MYSQL_STMT *st = mysql_stmt_init(my);

	if (mysql_stmt_prepare(st, stmts[i], strlen(stmts[i])) != 0 ||
	    mysql_stmt_param_count(st) != (unsigned long)nparams[i]) {
		fprintf(stderr, "reportloop: %s (%d parameters given): %.200s\n",
		    mysql_stmt_error(st), nparams[i], stmts[i]);
		exit(1);
	}
	memset(pb, 0, sizeof(*pb) * MAXPARAM);
	for (int k = 0; k < nparams[i]; k++) {
		char *v = params[i][k] + 2;

		if (params[i][k][0] == 'i') {
			iv[k] = atoll(v);
			pb[k].buffer_type = MYSQL_TYPE_LONGLONG;
			pb[k].buffer = &iv[k];
		} else {
			pb[k].buffer_type = MYSQL_TYPE_STRING;
			pb[k].buffer = v;
			pb[k].buffer_length = strlen(v);
		}
	}
	if (nparams[i] && mysql_stmt_bind_param(st, pb) != 0)
		exit(1);
	return st;
}

/* Runs a prepared statement and fetches every row as strings, as the
 * pages' buffered queries do; -1 on error. */
static int
my_run(MYSQL_STMT *st)
{
	MYSQL_RES *meta;
	MYSQL_BIND rb[64];
	char buf[64][256];
	unsigned long len[64];
	unsigned n;

	if (mysql_stmt_execute(st) != 0 || mysql_stmt_store_result(st) != 0)
		return -1;
	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return 0;
	n = mysql_num_fields(meta);
	mysql_free_result(meta);
	memset(rb, 0, sizeof(rb));
	for (unsigned c = 0; c < n && c < 64; c++) {
		rb[c].buffer_type = MYSQL_TYPE_STRING;
		rb[c].buffer = buf[c];
		rb[c].buffer_length = sizeof(buf[c]);
		rb[c].length = &len[c];
	}
	if (mysql_stmt_bind_result(st, rb) != 0)
		return -1;
	while (mysql_stmt_fetch(st) != MYSQL_NO_DATA)
		;
	mysql_stmt_free_result(st);
	return 0;
}

/* A request's own statements, as its page runs them, in a loop. */
static void *
sql_worker(void *arg)
{
	MYSQL *my = my_open();
	MYSQL_STMT *st[MAXSTMT];
	MYSQL_BIND pb[MAXSTMT][MAXPARAM];
	long long iv[MAXSTMT][MAXPARAM];
	double end, t;

	for (int i = 0; i < nstmts; i++)
		st[i] = my_prepare(my, i, pb[i], iv[i]);
	end = now() + seconds;
	while ((t = now()) < end) {
		for (int i = 0; i < nstmts; i++)
			if (my_run(st[i]) == -1) {
				fprintf(stderr, "reportloop: %s\n",
				    mysql_stmt_error(st[i]));
				exit(1);
			}
		t = now() - t;
		pthread_mutex_lock(&mu);
		if (nlat < MAXLAT)
			lat[nlat++] = t;
		pthread_mutex_unlock(&mu);
	}
	for (int i = 0; i < nstmts; i++)
		mysql_stmt_close(st[i]);
	mysql_close(my);
	return NULL;
}

/* One sale as POST /sell makes it: the entry with its token command in
 * one transaction, then its line in the operators' log. */
static int
sell(struct db *db)
{
	static _Atomic long n;
	long k = n++;
	char idem[64], obj[64];
	const char *why;
	int64_t id;
	struct entry e = { .account_id = sell_acct[k % nsell],
	    .meter_id = sell_meter[k % nsell], .kind = LK_SALE, .amount = 1,
	    .operator_id = seller, .idem_key = idem, .cap = 100000000000LL };
	struct actor who = { .operator_id = seller, .name = "bench",
	    .addr = "127.0.0.1" };

	snprintf(idem, sizeof(idem), "bench-%ld-%ld", (long)time(NULL), k);
	if (ledger_issue(db, &e, &id, &why) != 1)
		return -1;
	snprintf(obj, sizeof(obj), "ledger:%lld", (long long)id);
	oplog_write(db, &who, "sale.create", obj, NULL, "{\"amount\":\"0.01\"}");
	pthread_mutex_lock(&mu);
	sold++;
	pthread_mutex_unlock(&mu);
	return 0;
}

static void *
worker(void *arg)
{
	struct db *db = db_open(cf, "staff");
	int (*fn)(struct db *) = strcmp(report, "sales_year") == 0 ? sales_year :
	    strcmp(report, "energy_year_building") == 0 ? energy_year_building :
	    strcmp(report, "losses_month") == 0 ? losses_month :
	    strcmp(report, "sell") == 0 ? sell : alarms;
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
	for (long i = 0; i < n; i++)
		pthread_create(&th[i], NULL, strcmp(report, "sql") == 0 ?
		    sql_worker : worker, (void *)i);
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

/* Undoes mariadb -B's escapes in place. */
static void
unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 'n' ? '\n' : *s == 't' ? '\t' :
			    *s == '0' ? '\0' : *s;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

static int
read_stmts(const char *file)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = fopen(file, "r");

	if (f == NULL)
		return -1;
	while (nstmts < MAXSTMT && (n = getline(&line, &cap, f)) > 0) {
		int i = nstmts;

		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (*line == '\0')
			continue;
		for (char *p = line, *v; (v = strsep(&p, "\t")) != NULL;) {
			if (v == line)
				continue;
			if (nparams[i] == MAXPARAM ||
			    (params[i][nparams[i]++] = strdup(v)) == NULL)
				return -1;
		}
		unescape(line);
		if ((stmts[nstmts++] = strdup(line)) == NULL)
			return -1;
	}
	free(line);
	fclose(f);
	return nstmts > 0 ? 0 : -1;
}

static int
read_accounts(const char *op, char *list)
{
	seller = atoll(op);
	for (char *t = strtok(list, ","); t && nsell < 64; t = strtok(NULL, ",")) {
		char *c = strchr(t, ':');

		if (c == NULL)
			return -1;
		sell_acct[nsell] = atoll(t);
		sell_meter[nsell++] = atoll(c + 1);
	}
	return nsell > 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "xlsx") == 0)
		return xlsx(atol(argv[2]), argv[3]);
	if (argc == 6 && strcmp(argv[2], "sql") == 0) {
		report = argv[2];
		if (read_stmts(argv[5]) == -1) {
			fprintf(stderr, "reportloop: %s: no statements\n", argv[5]);
			return 1;
		}
		return loop(argv[1], atoi(argv[3]), atof(argv[4]));
	}
	if (argc == 7 && strcmp(argv[2], "sell") == 0) {
		report = argv[2];
		if (read_accounts(argv[5], argv[6]) == -1)
			return 2;
		return loop(argv[1], atoi(argv[3]), atof(argv[4]));
	}
	if (argc != 5 && argc != 7) {
		fprintf(stderr, "usage: reportloop CONFIG REPORT THREADS SECONDS [FROM TO]\n"
		    "       reportloop CONFIG sql THREADS SECONDS FILE\n"
		    "       reportloop CONFIG sell THREADS SECONDS OPERATOR ACCOUNT:METER,...\n"
		    "       reportloop xlsx ROWS FILE\n");
		return 2;
	}
	report = argv[2];
	if (argc == 7)
		from = argv[5], to = argv[6];
	return loop(argv[1], atoi(argv[3]), atof(argv[4]));
}
