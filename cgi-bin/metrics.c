/* metrics.c - counters in a shared mapped file, added with atomics; the collectors' figures and bus leases from the database. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "db.h"
#include "metrics.h"

enum { Q_COLLECTOR, Q_AGES, Q_MAYBE_N, Q_MAYBE, Q_LEASES };
static const char *const q[] = {
	/* each collector's figures, a name's rows together (one metric family) */
	[Q_COLLECTOR] = "SELECT name, collector, value"
	    " FROM collector_status ORDER BY name, collector",
	[Q_AGES] = "SELECT collector,"
	    " TIMESTAMPDIFF(SECOND, updated_at, UTC_TIMESTAMP(3))"
	    " FROM collector_status WHERE name = 'heartbeat_unix'"
	    " ORDER BY collector",
	[Q_MAYBE_N] = "SELECT COUNT(*) FROM sms_outbox WHERE possibly_sent = 1",
	[Q_MAYBE] = "SELECT id, phone, status, UNIX_TIMESTAMP(created_at)"
	    " FROM sms_outbox WHERE possibly_sent = 1 ORDER BY id DESC LIMIT 20",
	/* each bus lease: seconds left (negative: run out), stale (an owner that stopped renewing) */
	[Q_LEASES] = "SELECT l.bus_id, b.gateway_id, b.port, COALESCE(l.owner, ''),"
	    " IF(l.owner IS NULL, 0, ROUND(TIMESTAMPDIFF(MICROSECOND,"
	    "  UTC_TIMESTAMP(3), l.lease_until) / 1000000, 1)),"
	    " l.owner IS NOT NULL AND l.lease_until < UTC_TIMESTAMP(3), l.taken_over"
	    " FROM bus_leases l JOIN buses b ON b.id = l.bus_id ORDER BY l.bus_id",
};

struct counters {
	uint64_t requests;
	uint64_t by_class[6];	/* 1xx..5xx by the first digit */
	uint64_t started;
};

static struct counters local, *ctr = &local;

int
metrics_open(const char *file)
{
	int fd;
	void *p;

	if (file == NULL)
		return 0;
	if ((fd = open(file, O_RDWR | O_CREAT, 0600)) == -1)
		return -1;
	if (ftruncate(fd, sizeof(struct counters)) == -1) {
		close(fd);
		return -1;
	}
	p = mmap(NULL, sizeof(struct counters), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	ctr = p;
	__atomic_add_fetch(&ctr->started, 1, __ATOMIC_RELAXED);
	return 0;
}

void
metrics_close(void)
{
	if (ctr != &local)
		munmap(ctr, sizeof(*ctr));
	ctr = &local;
}

void
metrics_count(int status)
{
	int c = status / 100;

	__atomic_add_fetch(&ctr->requests, 1, __ATOMIC_RELAXED);
	if (c >= 1 && c <= 5)
		__atomic_add_fetch(&ctr->by_class[c], 1, __ATOMIC_RELAXED);
}

/* A collector's name as a label value: letters, digits, '.', '-' and '_' kept, anything else '_'. */
static void
label(char *out, size_t len, const char *s)
{
	size_t k = 0;

	for (; *s && k + 1 < len; s++)
		out[k++] = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ? *s : '_';
	out[k] = '\0';
}

/* Whether NAME may be part of a metric's name. */
static int
metric_name_ok(const char *name)
{
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_'))
			return 0;
	return *name != '\0';
}

/* B9: prepaid_collector_NAME{collector="ID"} for each collector, and each one's heartbeat age. */
static void
collector_figures(FCGX_Stream *out, struct db *db)
{
	struct dbres *res;
	char last[65] = "", who[65];

	if ((res = db_query(db, q[Q_COLLECTOR], "")) == NULL)
		return;
	while (db_next(res) == 1) {
		const char *name = db_col(res, 0);

		if (!metric_name_ok(name) || strlen(name) >= sizeof(last))
			continue;
		if (strcmp(name, last) != 0)
			FCGX_FPrintF(out, "# TYPE prepaid_collector_%s gauge\n", name);
		snprintf(last, sizeof(last), "%s", name);
		label(who, sizeof(who), db_col(res, 1));
		FCGX_FPrintF(out, "prepaid_collector_%s{collector=\"%s\"} %s\n",
		    name, who, db_col(res, 2));
	}
	db_res_free(res);
	if ((res = db_query(db, q[Q_AGES], "")) == NULL)
		return;
	FCGX_FPrintF(out, "# TYPE prepaid_collector_heartbeat_age_seconds gauge\n");
	while (db_next(res) == 1) {
		label(who, sizeof(who), db_col(res, 0));
		FCGX_FPrintF(out, "prepaid_collector_heartbeat_age_seconds"
		    "{collector=\"%s\"} %s\n", who, db_col(res, 1));
	}
	db_res_free(res);
}

/* B9: each bus lease, its owner as a label ("" free). */
static void
lease_figures(FCGX_Stream *out, struct db *db)
{
	static const char *const fam[] = {
		"prepaid_bus_lease_seconds_left", "prepaid_bus_lease_stale",
		"prepaid_bus_lease_taken_over_total"
	};
	static const char *const help[] = {
		"Seconds until the bus lease runs out (0 when free, negative when run out).",
		"Whether the bus lease ran out and nobody took it yet.",
		"Times the bus was taken from a collector whose lease had run out."
	};
	struct dbres *res;
	char who[65];

	for (int f = 0; f < 3; f++) {
		if ((res = db_query(db, q[Q_LEASES], "")) == NULL)
			return;
		FCGX_FPrintF(out, "# HELP %s %s\n# TYPE %s %s\n", fam[f], help[f],
		    fam[f], f == 2 ? "counter" : "gauge");
		while (db_next(res) == 1) {
			label(who, sizeof(who), db_col(res, 3));
			FCGX_FPrintF(out, "%s{bus=\"%s\",gateway=\"%s\",port=\"%s\","
			    "owner=\"%s\"} %s\n", fam[f], db_col(res, 0),
			    db_col(res, 1), db_col(res, 2), who, db_col(res, 4 + f));
		}
		db_res_free(res);
	}
}

void
metrics_write(FCGX_Stream *out, struct db *db)
{
	int db_up = db_ping(db) == 0;
	struct dbres *res;
	int64_t n;

	FCGX_FPrintF(out, "Status: 200 OK\r\n"
	    "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n\r\n");
	FCGX_FPrintF(out, "# HELP prepaid_web_requests_total Requests answered by the staff console.\n"
	    "# TYPE prepaid_web_requests_total counter\n");
	for (int c = 2; c <= 5; c++)
		FCGX_FPrintF(out, "prepaid_web_requests_total{code=\"%dxx\"} %llu\n",
		    c, (unsigned long long)__atomic_load_n(&ctr->by_class[c],
		    __ATOMIC_RELAXED));
	FCGX_FPrintF(out, "# HELP prepaid_web_errors_total Requests answered with a 5xx status.\n"
	    "# TYPE prepaid_web_errors_total counter\n"
	    "prepaid_web_errors_total %llu\n",
	    (unsigned long long)__atomic_load_n(&ctr->by_class[5],
	    __ATOMIC_RELAXED));
	FCGX_FPrintF(out, "# HELP prepaid_web_worker_starts_total Worker processes started.\n"
	    "# TYPE prepaid_web_worker_starts_total counter\n"
	    "prepaid_web_worker_starts_total %llu\n",
	    (unsigned long long)__atomic_load_n(&ctr->started, __ATOMIC_RELAXED));
	FCGX_FPrintF(out, "# HELP prepaid_db_up Whether the database answers.\n"
	    "# TYPE prepaid_db_up gauge\nprepaid_db_up %d\n", db_up);
	/* B9: each collector's own figures, as it wrote them each cycle */
	if (!db_up)
		return;
	collector_figures(out, db);
	lease_figures(out, db);
	/* S5: texts the modem took without answering, sent again: they may have gone twice */
	if (db_value(db, &n, q[Q_MAYBE_N], "") != 1 ||
	    (res = db_query(db, q[Q_MAYBE], "")) == NULL)
		return;
	FCGX_FPrintF(out, "# HELP prepaid_sms_possibly_sent 可能已发出的短信条数"
	    "（短信猫收下后未答复，已重发，收信人可能收到两次）.\n"
	    "# TYPE prepaid_sms_possibly_sent gauge\n"
	    "prepaid_sms_possibly_sent %lld\n"
	    "# HELP prepaid_sms_possibly_sent_message 可能已发出的短信（最近20条）："
	    "编号、号码、状态、创建时间.\n"
	    "# TYPE prepaid_sms_possibly_sent_message gauge\n", (long long)n);
	while (db_next(res) == 1) {
		char phone[24];
		size_t k = 0;

		/* a label value: the number's digits and plus sign only */
		for (const char *p = db_col(res, 1); *p && k + 1 < sizeof(phone); p++)
			if ((*p >= '0' && *p <= '9') || *p == '+')
				phone[k++] = *p;
		phone[k] = '\0';
		FCGX_FPrintF(out, "prepaid_sms_possibly_sent_message{id=\"%lld\","
		    "phone=\"%s\",status=\"%s\"} %lld\n",
		    (long long)db_coll(res, 0), phone, db_col(res, 2),
		    (long long)db_coll(res, 3));
	}
	db_res_free(res);
}
