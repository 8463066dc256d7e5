/* page-sessions.c - "我的登录": the operator's own sessions (when, where, which browser), and ending one or all the others (ASVS 3.3.4). */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "config.h"
#include "db.h"
#include "pages.h"

enum { Q_LIST, Q_AGENT, Q_END, Q_OTHERS };
static const char *const q[] = {
	/* the operator's sessions still in force: not idle too long, not
	 * older than the longest a session lives */
	[Q_LIST] = "SELECT id, client_addr AS addr, user_agent AS agent,"
	    " DATE_FORMAT(CONVERT_TZ(created_at, '+00:00', ?), '%Y-%m-%d %H:%i')"
	    "   AS created,"
	    " DATE_FORMAT(CONVERT_TZ(last_seen, '+00:00', ?), '%Y-%m-%d %H:%i')"
	    "   AS seen, id = ? AS mine"
	    " FROM sessions WHERE operator_id = ?"
	    " AND last_seen > UTC_TIMESTAMP() - INTERVAL ? SECOND"
	    " AND created_at > UTC_TIMESTAMP() - INTERVAL ? SECOND"
	    " ORDER BY id = ? DESC, last_seen DESC, id DESC",
	/* the browser of a session that signed in without it stored */
	[Q_AGENT] = "UPDATE sessions SET user_agent = ?"
	    " WHERE id = ? AND user_agent = ''",
	/* one's own only, never the session in use (signing out ends it) */
	[Q_END] = "DELETE FROM sessions WHERE id = ? AND operator_id = ?"
	    " AND id <> ?",
	[Q_OTHERS] = "DELETE FROM sessions WHERE operator_id = ? AND id <> ?",
};

static const char *const ends[] = { "one", "others", NULL };
static const struct field end_fields[] = {
	{ "end", FT_CHOICE, 1, 0, 0, ends },
	{ "id", FT_ID, 0, 0, 0, NULL },
};
enum { E_END, E_ID, E_N };

/* The list of the operator's sessions into Sessions.N; 0 or -1. */
static int
sessions_list(struct req *r)
{
	long idle = config_int(r->cf, "session_idle_min", 30) * 60;
	long most = config_int(r->cf, "session_max_hours", 12) * 3600;
	long n;

	if ((n = web_query_rows(r, "Sessions", q[Q_LIST], "sslllll", web_tz(r),
	    web_tz(r), r->sess->id, r->sess->op_id, idle, most,
	    r->sess->id)) == -1)
		return -1;
	agent_col(r->hdf, "Sessions", "agent", "browser");
	hdf_set_int_value(r->hdf, "Page.others", n > 1);
	return 0;
}

/* POST: ends one session of the operator's or all the others; a session
 * that is not the operator's (or is gone) is an error by the list. */
static int
sessions_end(struct req *r)
{
	struct fval v[E_N];
	char obj[48];
	long n;

	if (form_check(r, end_fields, E_N, v) > 0)
		return 0;
	if (strcmp(v[E_END].s, "others") == 0) {
		if ((n = db_exec(r->db, q[Q_OTHERS], "ll", r->sess->op_id,
		    r->sess->id)) == -1)
			return -1;
		snprintf(obj, sizeof(obj), "operator:%lld",
		    (long long)r->sess->op_id);
		web_log(r, "session.end_others", obj, NULL, NULL);
		web_redirect(r, "/sessions?ok=%s", n > 0 ? "others" : "none");
		return 1;
	}
	if (!v[E_ID].set) {
		form_error(r, "id", "required");
		return 0;
	}
	if ((n = db_exec(r->db, q[Q_END], "lll", v[E_ID].i, r->sess->op_id,
	    r->sess->id)) == -1)
		return -1;
	snprintf(obj, sizeof(obj), "session:%lld", (long long)v[E_ID].i);
	if (n == 0) {
		web_log(r, "session.end.refused", obj, NULL, NULL);
		web_error(r, "id", "Sessions.not_yours");
		return 0;
	}
	web_log(r, "session.end", obj, NULL, NULL);
	web_redirect(r, "/sessions?ok=one");
	return 1;
}

/* GET/POST /sessions: the list, with the buttons that end sessions. */
int
page_sessions(struct req *r)
{
	char ua[AGENT_MAX + 1];
	int rc;

	if (*agent_clip(FCGX_GetParam("HTTP_USER_AGENT", r->envp), ua))
		db_exec(r->db, q[Q_AGENT], "sl", ua, r->sess->id);
	if (r->is_post && (rc = sessions_end(r)) != 0)
		return rc == -1 ? -1 : 0;
	if (sessions_list(r) == -1)
		return -1;
	hdf_set_value(r->hdf, "Form.ok", web_query(r, "ok", ""));
	web_render(r, "sessions.cs");
	return 0;
}
