/* page-student.c - M1 the student site's password of an account: set or reset by staff (F11), shown once. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "pages.h"
#include "students.h"

enum { Q_ACCOUNT };
static const char *const q[] = {
	[Q_ACCOUNT] = "SELECT a.id, a.holder, a.status, COALESCE(b.name, '') AS building,"
	    " COALESCE(r.number, '') AS room, a.room_id IS NOT NULL AS has_room,"
	    " (SELECT COUNT(*) FROM student_logins l WHERE l.account_id = a.id)"
	    "   AS has_password"
	    " FROM accounts a LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id WHERE a.id = ?",
};

#define STUDENT_PW_LEN 12

/* The open account of ?account= into Account.*: 1, or 0 with the page
 * answered (404 for none or a closed one, an error for one without a room). */
static int
student_account(struct req *r, int64_t id)
{
	struct dbres *res;
	int found;

	if (id <= 0)
		return web_fail(r, 404, "err.not_found");
	if ((res = db_query(r->db, q[Q_ACCOUNT], "l", id)) == NULL)
		return -1;
	found = web_row(r, "Account", res);
	db_res_free(res);
	if (!found || strcmp(hdf_get_value(r->hdf, "Account.status", ""),
	    "open") != 0)
		return web_fail(r, 404, "err.not_found");
	if (hdf_get_int_value(r->hdf, "Account.has_room", 0) == 0)
		return web_fail(r, 409, "student.no_room");
	return 1;
}

int
page_student_password(struct req *r)
{
	int64_t id = web_query_id(r, "account");
	char pw[STUDENT_PW_LEN + 1], obj[48];
	int rc;

	if ((rc = student_account(r, id)) != 1)
		return rc;
	web_render(r, "student-password.cs");
	snprintf(obj, sizeof(obj), "account:%lld", (long long)id);
	if (!r->is_post)	/* a read of the holder's name (ASVS 8.3.5) */
		web_log(r, "account.view", obj, NULL,
		    "{\"page\":\"student-password\"}");
	if (!r->is_post || strcmp(web_query(r, "confirm", ""), "1") != 0)
		return 0;
	if (crypto_password_random(pw, STUDENT_PW_LEN) == -1 ||
	    students_set_password(r->db, id, pw, r->sess->op_id, 0) == -1)
		return -1;
	snprintf(obj, sizeof(obj), "account:%lld", (long long)id);
	web_log(r, hdf_get_int_value(r->hdf, "Account.has_password", 0) ?
	    "student.reset_password" : "student.set_password", obj, NULL, NULL);
	hdf_set_value(r->hdf, "Done.password", pw);
	return 0;
}
