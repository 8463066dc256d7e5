/* page-alerts.c - M4 alert settings (提醒设置): which balance alarm SMS the student receives and a quiet period at night, honoured by the collector. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "pages.h"

enum { Q_GET, Q_SAVE };
static const char *const q[] = {
	[Q_GET] = "SELECT alarm1, alarm2, arrears, COALESCE(quiet_from, -1),"
	    " COALESCE(quiet_to, -1) FROM student_alerts WHERE account_id = ?",
	[Q_SAVE] = "INSERT INTO student_alerts (account_id, alarm1, alarm2,"
	    " arrears, quiet_from, quiet_to, updated_at)"
	    " VALUES (?, ?, ?, ?, NULLIF(?, -1), NULLIF(?, -1), UTC_TIMESTAMP())"
	    " ON DUPLICATE KEY UPDATE alarm1 = VALUES(alarm1),"
	    " alarm2 = VALUES(alarm2), arrears = VALUES(arrears),"
	    " quiet_from = VALUES(quiet_from), quiet_to = VALUES(quiet_to),"
	    " updated_at = VALUES(updated_at)",
};

static const struct field fields[] = {
	{ "alarm1", FT_BOOL, 0, 0, 0, NULL },
	{ "alarm2", FT_BOOL, 0, 0, 0, NULL },
	{ "arrears", FT_BOOL, 0, 0, 0, NULL },
	{ "quiet_from", FT_TEXT, 0, 0, 5, NULL },
	{ "quiet_to", FT_TEXT, 0, 0, 5, NULL },
};
enum { A_ALARM1, A_ALARM2, A_ARREARS, A_FROM, A_TO, A_N };

/* What the student chose: the levels on, and the quiet period in minutes
 * of the local day (-1 for none). */
struct prefs {
	int level[3];
	int from, to;
};

/* "HH:MM" (or "H:MM") as minutes of the day, or -1. */
static int
parse_time(const char *s)
{
	int h = 0, m, n = 0;

	while (s[n] >= '0' && s[n] <= '9' && n < 2)
		h = h * 10 + (s[n++] - '0');
	if (n == 0 || s[n] != ':' || h > 23)
		return -1;
	s += n + 1;
	if (s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] != '\0')
		return -1;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	return h * 60 + m;
}

/* The settings as the log's JSON into BUF. */
static const char *
prefs_json(const struct prefs *p, char *buf, size_t sz)
{
	if (p->from < 0)
		snprintf(buf, sz, "{\"alarm1\":%d,\"alarm2\":%d,\"arrears\":%d,"
		    "\"quiet\":\"\"}", p->level[0], p->level[1], p->level[2]);
	else
		snprintf(buf, sz, "{\"alarm1\":%d,\"alarm2\":%d,\"arrears\":%d,"
		    "\"quiet\":\"%02d:%02d-%02d:%02d\"}", p->level[0], p->level[1],
		    p->level[2], p->from / 60, p->from % 60, p->to / 60,
		    p->to % 60);
	return buf;
}

/* The account's settings, or the defaults (every level, no quiet period). */
static int
prefs_load(struct req *r, struct prefs *p)
{
	struct dbres *res = db_query(r->db, q[Q_GET], "l", r->sess->account_id);

	p->level[0] = p->level[1] = p->level[2] = 1;
	p->from = p->to = -1;
	if (res == NULL)
		return -1;
	if (db_next(res) == 1) {
		for (int i = 0; i < 3; i++)
			p->level[i] = db_coll(res, i) != 0;
		p->from = (int)db_coll(res, 3);
		p->to = (int)db_coll(res, 4);
	}
	db_res_free(res);
	return 0;
}

/* The form's fields from P, for a GET. */
static void
prefs_show(struct req *r, const struct prefs *p)
{
	for (int i = 0; i < 3; i++)
		hdf_set_valuef(r->hdf, "Form.%s=%d", fields[i].name, p->level[i]);
	if (p->from >= 0) {
		hdf_set_valuef(r->hdf, "Form.quiet_from=%02d:%02d", p->from / 60,
		    p->from % 60);
		hdf_set_valuef(r->hdf, "Form.quiet_to=%02d:%02d", p->to / 60,
		    p->to % 60);
	}
}

/* The POST's checks into P; the number of errors (each next to its field). */
static int
prefs_check(struct req *r, struct prefs *p)
{
	struct fval v[A_N];
	int nerr = form_check(r, fields, A_N, v);

	for (int i = 0; i < 3; i++)
		p->level[i] = v[i].i != 0;
	p->from = v[A_FROM].set ? parse_time(v[A_FROM].s) : -1;
	p->to = v[A_TO].set ? parse_time(v[A_TO].s) : -1;
	if (v[A_FROM].set && p->from < 0)
		nerr += web_error(r, "quiet_from", "alerts.err.bad_time");
	if (v[A_TO].set && p->to < 0)
		nerr += web_error(r, "quiet_to", "alerts.err.bad_time");
	if (nerr)
		return nerr;
	if (v[A_FROM].set != v[A_TO].set)
		nerr += web_error(r, v[A_FROM].set ? "quiet_to" : "quiet_from",
		    "alerts.err.both");
	else if (p->from >= 0 && p->from == p->to)
		nerr += web_error(r, "quiet_to", "alerts.err.same");
	return nerr;
}

int
page_alerts(struct req *r)
{
	struct prefs old, p;
	char before[160], after[160], object[40];

	if (prefs_load(r, &old) == -1)
		return -1;
	web_render(r, "alerts.cs");
	if (!r->is_post) {
		prefs_show(r, &old);
		return 0;
	}
	if (prefs_check(r, &p) > 0)
		return 0;
	if (db_exec(r->db, q[Q_SAVE], "liiiii", r->sess->account_id,
	    p.level[0], p.level[1], p.level[2], p.from, p.to) == -1)
		return -1;
	prefs_json(&old, before, sizeof(before));
	prefs_json(&p, after, sizeof(after));
	snprintf(object, sizeof(object), "account:%lld",
	    (long long)r->sess->account_id);
	/* a repeated submission changes nothing and logs nothing */
	if (strcmp(before, after) != 0)
		web_log(r, "student.alerts", object, before, after);
	web_redirect(r, "/m/alerts?ok=saved");
	return 0;
}
