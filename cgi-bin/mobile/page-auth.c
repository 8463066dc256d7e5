/* page-auth.c - M1 the student's sign-in by room and password, sign-out, own password and language. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "db.h"
#include "pages.h"
#include "students.h"
#include "valid.h"

#define FAIL_DELAY_US 150000
#define LOGIN_CSRF "mlcsrf"

enum { Q_FIND, Q_DELSESS, Q_PWGET };
static const char *const q[] = {
	/* the open account of the room, if it has a password */
	[Q_FIND] = "SELECT a.id, l.pw_hash, l.must_change"
	    "   AND l.set_at < UTC_TIMESTAMP() - INTERVAL 7 DAY"
	    " FROM rooms r JOIN accounts a ON a.room_id = r.id"
	    "   AND a.status = 'open'"
	    " JOIN student_logins l ON l.account_id = a.id"
	    " WHERE r.building_id = ? AND r.number = ?"
	    " ORDER BY a.id DESC LIMIT 1",
	[Q_DELSESS] = "DELETE FROM student_sessions WHERE id = ?",
	[Q_PWGET] = "SELECT pw_hash FROM student_logins WHERE account_id = ?",
};

static const struct field login_fields[] = {
	{ "building", FT_ID, 1, 0, 0, NULL },
	{ "room", FT_TEXT, 1, 0, 16, NULL },
	{ "password", FT_PASSWORD, 1, 0, 0, NULL },
	{ "remember", FT_BOOL, 0, 0, 0, NULL },
};
enum { L_BUILDING, L_ROOM, L_PASSWORD, L_REMEMBER, L_N };

/* What an unknown room's password is checked against: the same time. */
static const char dummy_hash[] = "scrypt$16384$8$1$00000000000000000000000000000000$"
    "0000000000000000000000000000000000000000000000000000000000000000";

static int
login_form(struct req *r)
{
	char tok[65];

	if (web_buildings(r) == -1)
		return -1;
	if (crypto_random_hex(32, tok) == 0) {
		mobile_cookie(r, LOGIN_CSRF, tok, -1);
		hdf_set_value(r->hdf, "Form.csrf", tok);
	}
	web_render(r, "login.cs");
	return 0;
}

/* The room's password, checked under the lock rule; 0 when the page is
 * answered, 1 with *ACCOUNT signed in, -1 on error. */
static int
login_check(struct req *r, const char *login, const struct fval *v,
    int64_t *account)
{
	struct student_lock lk;
	struct dbres *res;
	int known, ok, rc;
	char old[256] = "";

	if ((rc = students_locked(r->db, login, r->addr, &lk)) == -1)
		return -1;
	if (rc == 1) {
		hdf_set_int_value(r->hdf, "Form.minutes", lk.minutes);
		web_log(r, "student.login.fail", login, NULL,
		    "{\"reason\":\"locked\"}");
		form_error(r, "form", "locked");
		return 0;
	}
	if ((res = db_query(r->db, q[Q_FIND], "ls", v[L_BUILDING].i,
	    v[L_ROOM].s)) == NULL)
		return -1;
	known = db_next(res) == 1;
	ok = crypto_password_verify(v[L_PASSWORD].s,
	    known ? db_col(res, 1) : dummy_hash) == 1 && known;
	if (known)
		*account = db_coll(res, 0);
	/* a first password from staff, 7 days unused: ask staff for a new one */
	if (ok && db_coll(res, 2)) {
		db_res_free(res);
		web_log(r, "student.login.fail", login, NULL,
		    "{\"reason\":\"first password expired\"}");
		form_error(r, "form", "pw_expired");
		return 0;
	}
	/* an older scheme's hash (no pepper) is made again below */
	if (ok && crypto_password_stale(db_col(res, 1)))
		snprintf(old, sizeof(old), "%s", db_col(res, 1));
	db_res_free(res);
	if (ok) {
		students_cleared(r->db, login, r->addr);
		if (*old)
			students_password_renew(r->db, *account,
			    v[L_PASSWORD].s, old);
		return 1;
	}
	usleep(FAIL_DELAY_US);
	if ((rc = students_failed(r->db, login, r->addr, &lk)) == -1)
		return -1;
	web_log(r, rc ? "student.login.lock" : "student.login.fail", login,
	    NULL, known ? "{\"reason\":\"password\"}" :
	    "{\"reason\":\"unknown\"}");
	if (rc)
		hdf_set_int_value(r->hdf, "Form.minutes", LOCKOUT_MINUTES);
	form_error(r, "form", rc ? "locked" : "bad_credentials");
	return 0;
}

static int
login_post(struct req *r)
{
	struct fval v[L_N];
	const char *cookie = hdf_get_value(r->hdf, "Cookie." LOGIN_CSRF, "");
	const char *sent = web_query(r, "csrf", "");
	char login[80];
	int64_t account = 0;
	int rc;

	if (strlen(cookie) != 64 || strlen(sent) != 64 ||
	    CRYPTO_memcmp(cookie, sent, 64) != 0) {
		form_error(r, "form", "form_expired");
		return login_form(r);
	}
	if (form_check(r, login_fields, L_N, v) > 0)
		return login_form(r);
	snprintf(login, sizeof(login), "%lld/%s", (long long)v[L_BUILDING].i,
	    v[L_ROOM].s);
	if ((rc = login_check(r, login, v, &account)) == -1)
		return -1;
	if (rc == 0)
		return login_form(r);
	return mobile_signed_in(r, account, (int)v[L_REMEMBER].i, 0, login,
	    LOGIN_CSRF);
}

int
page_login(struct req *r)
{
	int rc;

	if (r->is_post) {
		rc = login_post(r);
		form_wipe(r, login_fields, L_N);
		return rc;
	}
	if (r->sess->account_id && !r->sess->must_change) {
		web_redirect(r, "/m/");
		return 0;
	}
	return login_form(r);
}

int
page_logout(struct req *r)
{
	db_exec(r->db, q[Q_DELSESS], "l", r->sess->id);
	web_log(r, "student.logout", r->sess->login, NULL, NULL);
	mobile_cookie(r, MOBILE_COOKIE, "", 0);
	web_redirect(r, "/m/login?ok=signed_out");
	return 0;
}

static const struct field pw_fields[] = {
	{ "old", FT_PASSWORD, 1, 0, 0, NULL },
	{ "new", FT_PASSWORD, 1, 0, 0, NULL },
	{ "confirm", FT_PASSWORD, 1, 0, 0, NULL },
};
enum { P_OLD, P_NEW, P_CONFIRM, P_N };

/* The form's own checks: the number of errors. Signed in by an SMS code,
 * the phone proved who it is: no old password is asked. */
static int
password_check(struct req *r, struct fval *v)
{
	const char *e, *room = strchr(r->sess->login, '/');
	int nerr;

	memset(v, 0, sizeof(*v) * P_N);
	nerr = r->sess->by_code ? form_check(r, pw_fields + 1, P_N - 1, v + 1) :
	    form_check(r, pw_fields, P_N, v);

	const char *words[] = { room ? room + 1 : r->sess->login,
	    web_setting_text(r, "site_title"), NULL };
	if (v[P_NEW].set && (e = valid_password(v[P_NEW].s,
	    v[P_OLD].set ? v[P_OLD].s : NULL, words)))
		nerr += form_error(r, "new", e);
	if (v[P_NEW].set && v[P_CONFIRM].set &&
	    strcmp(v[P_NEW].s, v[P_CONFIRM].s) != 0)
		nerr += form_error(r, "confirm", "pw_mismatch");
	if (v[P_NEW].set && v[P_OLD].set && strcmp(v[P_NEW].s, v[P_OLD].s) == 0)
		nerr += form_error(r, "new", "pw_same");
	return nerr;
}

static int
password_change(struct req *r)
{
	struct fval v[P_N];
	struct dbres *res;
	int ok;

	hdf_set_value(r->hdf, "Form.first", r->sess->must_change ? "1" : "");
	hdf_set_int_value(r->hdf, "Form.by_code", r->sess->by_code);
	web_render(r, "password.cs");
	/* signed in by a code, no old password is asked: a remembered
	 * sign-in over 12 hours old gives the password again (ASVS 3.3.2) */
	ok = r->sess->by_code ? mobile_reauth(r) : 1;
	if (ok == -1)
		return -1;
	if (!r->is_post || password_check(r, v) + (ok == 0) > 0)
		return 0;
	if (r->sess->by_code)
		ok = 1;
	else {
		if ((res = db_query(r->db, q[Q_PWGET], "l",
		    r->sess->account_id)) == NULL)
			return -1;
		ok = db_next(res) == 1 &&
		    crypto_password_verify(v[P_OLD].s, db_col(res, 0)) == 1;
		db_res_free(res);
	}
	if (!ok) {
		web_log(r, "student.password.fail", r->sess->login, NULL, NULL);
		form_error(r, "old", "pw_old_wrong");
		return 0;
	}
	if (students_set_password(r->db, r->sess->account_id, v[P_NEW].s, 0,
	    r->sess->id) == -1)
		return -1;
	web_log(r, "student.password.change", r->sess->login, NULL,
	    r->sess->by_code ? "{\"by\":\"code\"}" : NULL);
	web_redirect(r, "/m/?ok=password_changed");
	return 0;
}

int
page_password(struct req *r)
{
	int rc = password_change(r);

	form_wipe(r, pw_fields, P_N);
	return rc;
}

int
page_lang(struct req *r)
{
	const char *to = web_query(r, "to", "zh-CN");
	const char *back = web_query(r, "back", "");

	mobile_cookie(r, "lang", strcmp(to, "en") == 0 ? "en" : "zh-CN", -1);
	/* back to a page of this site only */
	if (strncmp(back, "/m/", 3) != 0 || strpbrk(back, "\r\n\\") != NULL ||
	    strncmp(back, "/m/lang", 7) == 0 || strstr(back, "//") != NULL ||
	    strlen(back) > 400)
		back = "/m/";
	web_redirect(r, "%s", back);
	return 0;
}
