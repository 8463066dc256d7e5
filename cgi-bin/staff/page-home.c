/* page-home.c - the start page after sign-in, and the language switch. */
#include <string.h>

#include "db.h"
#include "pages.h"

enum { Q_COUNTS, Q_MAYBE, Q_COLLECTORS };
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
};

int
page_home(struct req *r)
{
	struct dbres *res = db_query(r->db, q[Q_COUNTS], "");

	if (res == NULL)
		return -1;
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
