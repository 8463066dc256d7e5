/* page-sessions.c - M1 "我的登录": the student's own sessions (when, where, which browser), and ending one or all the others (ASVS 3.3.4). */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "config.h"
#include "db.h"
#include "pages.h"
#include "students.h"

enum { Q_LIST, Q_END, Q_OTHERS };
static const char *const q[] = {
	/* the account's sessions still in force: a remembered one for its
	 * days, any other until it has been idle too long */
	[Q_LIST] = "SELECT id, client_addr AS addr, user_agent AS agent,"
	    " DATE_FORMAT(CONVERT_TZ(created_at, '+00:00', ?), '%Y-%m-%d %H:%i')"
	    "   AS created,"
	    " DATE_FORMAT(CONVERT_TZ(last_seen, '+00:00', ?), '%Y-%m-%d %H:%i')"
	    "   AS seen, id = ? AS mine, remember, by_code"
	    " FROM student_sessions WHERE account_id = ?"
	    " AND IF(remember = 1, created_at > UTC_TIMESTAMP() - INTERVAL ? SECOND,"
	    "   last_seen > UTC_TIMESTAMP() - INTERVAL ? SECOND)"
	    " ORDER BY id = ? DESC, last_seen DESC, id DESC",
	/* the student's own only, never the session in use (signing out
	 * ends it) */
	[Q_END] = "DELETE FROM student_sessions WHERE id = ? AND account_id = ?"
	    " AND id <> ?",
	[Q_OTHERS] = "DELETE FROM student_sessions WHERE account_id = ?"
	    " AND id <> ?",
};

static const char *const ends[] = { "one", "others", NULL };
static const struct field end_fields[] = {
	{ "end", FT_CHOICE, 1, 0, 0, ends },
	{ "id", FT_ID, 0, 0, 0, NULL },
};
enum { E_END, E_ID, E_N };

/* The account's sessions into Sessions.N; 0 or -1. */
static int
sessions_list(struct req *r)
{
	long idle = config_int(r->cf, "session_idle_min", 30) * 60;
	long n;

	if ((n = web_query_rows(r, "Sessions", q[Q_LIST], "sslllll", web_tz(r),
	    web_tz(r), r->sess->id, r->sess->account_id,
	    (long)STUDENT_REMEMBER_DAYS * 86400L, idle, r->sess->id)) == -1)
		return -1;
	agent_col(r->hdf, "Sessions", "agent", "browser");
	hdf_set_int_value(r->hdf, "Page.others", n > 1);
	return 0;
}

/* POST: ends one of the student's sessions or all the others; 1 done
 * (redirected), 0 an error by the list, -1 on error. A session of
 * another account is refused and logged. */
static int
sessions_end(struct req *r)
{
	struct fval v[E_N];
	char obj[48];
	long n;

	if (form_check(r, end_fields, E_N, v) > 0)
		return 0;
	snprintf(obj, sizeof(obj), "account:%lld",
	    (long long)r->sess->account_id);
	if (strcmp(v[E_END].s, "others") == 0) {
		if ((n = db_exec(r->db, q[Q_OTHERS], "ll", r->sess->account_id,
		    r->sess->id)) == -1)
			return -1;
		web_log(r, "student.session.end_others", obj, NULL, NULL);
		web_redirect(r, "/m/sessions?ok=%s", n > 0 ? "others" : "none");
		return 1;
	}
	if (!v[E_ID].set) {
		form_error(r, "id", "required");
		return 0;
	}
	if ((n = db_exec(r->db, q[Q_END], "lll", v[E_ID].i, r->sess->account_id,
	    r->sess->id)) == -1)
		return -1;
	snprintf(obj, sizeof(obj), "student_session:%lld", (long long)v[E_ID].i);
	if (n == 0) {
		web_log(r, "student.refused", obj, NULL, NULL);
		web_error(r, "id", "Sessions.not_yours");
		return 0;
	}
	web_log(r, "student.session.end", obj, NULL, NULL);
	web_redirect(r, "/m/sessions?ok=one");
	return 1;
}

/* GET/POST /m/sessions: the list, with the buttons that end sessions. */
int
page_sessions(struct req *r)
{
	int rc;

	if (r->is_post && (rc = sessions_end(r)) != 0)
		return rc == -1 ? -1 : 0;
	if (sessions_list(r) == -1)
		return -1;
	hdf_set_value(r->hdf, "Form.ok", web_query(r, "ok", ""));
	web_render(r, "sessions.cs");
	return 0;
}
