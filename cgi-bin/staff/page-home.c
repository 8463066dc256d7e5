/* page-home.c - the start page after sign-in (the dashboard), and the language switch. */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "dashboard.h"
#include "db.h"
#include "money.h"
#include "pages.h"

enum { Q_COUNTS, Q_MAYBE, Q_COLLECTORS, Q_NOTICE, Q_SEEN, Q_AGENT };
static const char *const q[] = {
	[Q_COUNTS] = "SELECT (SELECT COUNT(*) FROM buildings) AS buildings,"
	    " (SELECT COUNT(*) FROM rooms) AS rooms,"
	    " (SELECT COUNT(*) FROM gateways) AS gateways,"
	    " (SELECT COUNT(*) FROM buses) AS buses,"
	    " (SELECT COUNT(*) FROM meters) AS meters,"
	    " (SELECT COUNT(*) FROM operators WHERE disabled = 0) AS operators,"
	    " (SELECT COUNT(*) FROM sms_outbox WHERE possibly_sent = 1) AS maybe_sms",
	/* S5: texts the modem took without answering, sent again */
	[Q_MAYBE] = "SELECT id, phone, status,"
	    " DATE_FORMAT(CONVERT_TZ(created_at, '+00:00', ?), '%Y-%m-%d %H:%i')"
	    " AS created FROM sms_outbox WHERE possibly_sent = 1"
	    " ORDER BY id DESC LIMIT 20",
	/* B9: each collector's last heartbeat */
	[Q_COLLECTORS] = "SELECT collector AS name,"
	    " DATE_FORMAT(CONVERT_TZ(updated_at, '+00:00', ?), '%Y-%m-%d %H:%i:%s')"
	    " AS at, TIMESTAMPDIFF(SECOND, updated_at, UTC_TIMESTAMP(3)) AS age"
	    " FROM collector_status WHERE name = 'heartbeat_unix'"
	    " ORDER BY collector",
	/* ASVS 2.2.3: the last change or reset of the operator's password
	 * before this sign-in that was not shown yet (the operation log says
	 * when and by whom) */
	[Q_NOTICE] = "SELECT DATE_FORMAT(CONVERT_TZ(l.at, '+00:00', ?),"
	    "   '%Y-%m-%d %H:%i') AS at, COALESCE(b.name, l.login) AS by_name,"
	    " l.login AS by_login, l.action = 'operator.reset_password' AS reset"
	    " FROM oplog l JOIN operators o ON o.id = ?"
	    " JOIN sessions s ON s.id = ?"
	    " LEFT JOIN operators b ON b.id = l.operator_id"
	    " WHERE ((l.action = 'password.change' AND l.object = o.login)"
	    "   OR (l.action = 'operator.reset_password'"
	    "   AND l.object = CONCAT('operator:', o.id)))"
	    " AND l.at > COALESCE(o.pw_notice_seen, '2000-01-01')"
	    " AND l.at < s.created_at"
	    " ORDER BY l.id DESC LIMIT 1",
	[Q_SEEN] = "UPDATE operators SET pw_notice_seen = UTC_TIMESTAMP(3)"
	    " WHERE id = ?",
	/* the browser of the session for "我的登录", once */
	[Q_AGENT] = "UPDATE sessions SET user_agent = ?"
	    " WHERE id = ? AND user_agent = ''",
};

/* One period's money into Dash.NAME.* (yuan text and counts). */
static void
dash_money(struct req *r, const char *name, const struct dash_money *m)
{
	const struct { const char *k; int64_t fen, n; } v[] = {
		{ "sales", m->sales, m->nsales },
		{ "refunds", m->refunds, m->nrefunds },
		{ "reversals", m->reversals, m->nreversals },
		{ "net", m->net, -1 },
	};
	char buf[40];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hdf_set_valuef(r->hdf, "Dash.%s.%s=%s", name, v[i].k,
		    money_format(v[i].fen, buf, sizeof(buf)));
		if (v[i].n >= 0)
			hdf_set_valuef(r->hdf, "Dash.%s.n%s=%lld", name, v[i].k,
			    (long long)v[i].n);
	}
}

/* The counts into Dash.* and the open alarms by kind into Dash.alarm.N. */
static void
dash_counts(struct req *r, const struct dashboard *d)
{
	const struct { const char *k; int64_t v; } n[] = {
		{ "meters", d->meters }, { "read_cycle", d->read_cycle },
		{ "lost_meters", d->lost_meters }, { "lost_gateways", d->lost_gateways },
		{ "alarms_open", d->alarms_open }, { "cmd_queued", d->cmd_queued },
		{ "cmd_failed", d->cmd_failed }, { "sms_waiting", d->sms_waiting },
		{ "sms_failed", d->sms_failed }, { "approvals", d->approvals_mine },
		{ "pay_refund", d->pay_refund }, { "pay_bad", d->pay_bad },
	};

	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		hdf_set_valuef(r->hdf, "Dash.%s=%lld", n[i].k, (long long)n[i].v);
	for (int i = 0; i < DASH_NALARMS; i++) {
		hdf_set_valuef(r->hdf, "Dash.alarm.%d.kind=%s", i,
		    dashboard_alarm_kinds[i]);
		hdf_set_valuef(r->hdf, "Dash.alarm.%d.n=%lld", i,
		    (long long)d->alarms[i]);
	}
}

/* The dashboard's figures into Dash.*; 0 or -1. */
static int
dashboard(struct req *r)
{
	struct dashboard d;
	unsigned may = (staff_has(r, 19) ? DASH_MAY_REFUND : 0) |
	    (staff_has(r, 21) ? DASH_MAY_REVERSAL : 0) |
	    (staff_has(r, 15) ? DASH_MAY_KEEP_POWER : 0);

	if (dashboard_load(r->db, r->sess->op_id, may, web_tz(r), &d) == -1)
		return -1;
	dash_counts(r, &d);
	hdf_set_value(r->hdf, "Dash.day", d.day);
	hdf_set_value(r->hdf, "Dash.month_first", d.month_first);
	dash_money(r, "today", &d.today);
	dash_money(r, "month", &d.month);
	if (d.rc_found) {
		hdf_set_value(r->hdf, "Dash.rc.at", d.rc_at);
		hdf_set_valuef(r->hdf, "Dash.rc.total=%lld", (long long)d.rc_total);
		hdf_set_value(r->hdf, "Dash.rc.detail", d.rc_detail);
	}
	return 0;
}

/* After a sign-in: the browser of the session, and the notice of a
 * password changed or reset since the last one shown, once (Notice.*). */
static int
home_notice(struct req *r)
{
	char ua[AGENT_MAX + 1];
	struct dbres *res;
	int found;

	if (*agent_clip(FCGX_GetParam("HTTP_USER_AGENT", r->envp), ua))
		db_exec(r->db, q[Q_AGENT], "sl", ua, r->sess->id);
	if ((res = db_query(r->db, q[Q_NOTICE], "sll", web_tz(r),
	    r->sess->op_id, r->sess->id)) == NULL)
		return -1;
	found = web_row(r, "Notice", res);
	db_res_free(res);
	if (found && db_exec(r->db, q[Q_SEEN], "l", r->sess->op_id) == -1)
		return -1;
	return 0;
}

int
page_home(struct req *r)
{
	struct dbres *res = db_query(r->db, q[Q_COUNTS], "");

	if (res == NULL || dashboard(r) == -1) {
		db_res_free(res);
		return -1;
	}
	web_row(r, "Count", res);
	db_res_free(res);
	if ((res = db_query(r->db, q[Q_MAYBE], "s", web_tz(r))) == NULL)
		return -1;
	web_rows(r, "MaybeSms", res);
	db_res_free(res);
	if ((res = db_query(r->db, q[Q_COLLECTORS], "s", web_tz(r))) == NULL)
		return -1;
	web_rows(r, "Collectors", res);
	db_res_free(res);
	if (home_notice(r) == -1)
		return -1;
	hdf_set_value(r->hdf, "Page.ok", web_query(r, "ok", ""));
	web_render(r, "home.cs");
	return 0;
}

int
page_lang(struct req *r)
{
	const char *to = web_query(r, "to", "zh-CN");
	const char *back = web_query(r, "back", "");

	web_cookie(r, "lang", strcmp(to, "en") == 0 ? "en" : "zh-CN", -1);
	/* back to the page it was asked on: a path of this site only */
	if (back[0] != '/' || back[1] == '/' || back[1] == '\\' ||
	    strpbrk(back, "\r\n\\") != NULL || strncmp(back, "/lang", 5) == 0 ||
	    strlen(back) > 400)
		back = r->sess->op_id ? "/" : "/login";
	web_redirect(r, "%s", back);
	return 0;
}
