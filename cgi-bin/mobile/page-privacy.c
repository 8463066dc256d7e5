/* page-privacy.c - ASVS 8.3.3 the notice on personal data (个人信息处理说明): shown to anyone, agreed once by each account before anything else of the site. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "pages.h"

enum { Q_AGREED, Q_AGREE };
static const char *const q[] = {
	[Q_AGREED] = "SELECT COALESCE(DATE_FORMAT(CONVERT_TZ(privacy_agreed_at,"
	    " '+00:00', ?), '%Y-%m-%d %H:%i'), '') FROM student_logins"
	    " WHERE account_id = ?",
	[Q_AGREE] = "UPDATE student_logins SET privacy_agreed_at = UTC_TIMESTAMP()"
	    " WHERE account_id = ? AND privacy_agreed_at IS NULL",
};

static const struct field fields[] = {
	{ "agree", FT_BOOL, 0, 0, 0, NULL },
	{ "csrf", FT_TEXT, 0, 0, 64, NULL },
};

/* Privacy.agreed: when the signed-in account agreed ("" for not yet);
 * 0, or -1. */
static int
agreed(struct req *r)
{
	struct dbres *res = db_query(r->db, q[Q_AGREED], "sl", web_tz(r),
	    r->sess->account_id);

	if (res == NULL)
		return -1;
	hdf_set_value(r->hdf, "Privacy.agreed", db_next(res) == 1 ?
	    db_col(res, 0) : "");
	db_res_free(res);
	return 0;
}

int
page_privacy(struct req *r)
{
	hdf_set_value(r->hdf, "Page.first", web_query(r, "first", ""));
	if (r->signed_in && agreed(r) == -1)
		return -1;
	web_render(r, "privacy.cs");
	return 0;
}

int
page_privacy_agree(struct req *r)
{
	struct fval v[2];
	char obj[48];

	form_check(r, fields, 2, v);
	if (!v[0].i) {
		web_error(r, "agree", "privacy.err_agree");
		hdf_set_value(r->hdf, "Page.first", "1");
		if (agreed(r) == -1)
			return -1;
		web_render(r, "privacy.cs");
		return 0;
	}
	if (db_exec(r->db, q[Q_AGREE], "l", r->sess->account_id) == -1)
		return -1;
	snprintf(obj, sizeof(obj), "account:%lld",
	    (long long)r->sess->account_id);
	web_log(r, "student.privacy.agree", obj, NULL, NULL);
	web_redirect(r, "/m/");
	return 0;
}

/*
 * The student site's check before any page of a signed-in student: an
 * account that has not agreed to the notice is sent to it first (but may
 * agree, choose its first password and sign out). 1 go on, 0 answered.
 */
int
mobile_allow(struct req *r, const struct route *rt)
{
	if (rt->fn == page_privacy_agree || rt->fn == page_password ||
	    rt->fn == page_logout || r->sess->agreed)
		return 1;
	web_redirect(r, "/m/privacy?first=1");
	return 0;
}
