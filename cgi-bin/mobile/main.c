/* main.c - the student site's FastCGI program (M1, M2): its session, what every page shows, and the kit's loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "mobile.h"
#include "pages.h"
#include "students.h"

enum { Q_SESSION, Q_TOUCH, Q_DROP, Q_AGENT, Q_PWGET, Q_AUTHED, Q_NOTICE,
	Q_SEEN };
static const char *const q[] = {
	[Q_SESSION] =
	    "SELECT s.id, s.csrf, s.account_id, s.remember, l.must_change,"
	    " TIMESTAMPDIFF(SECOND, s.last_seen, UTC_TIMESTAMP()),"
	    " TIMESTAMPDIFF(SECOND, s.created_at, UTC_TIMESTAMP()),"
	    " CONCAT(r.building_id, '/', r.number), a.status, s.by_code, "
	    SETTINGS_VERSION_COL ","
	    " TIMESTAMPDIFF(SECOND, COALESCE(s.auth_at, s.created_at),"
	    "   UTC_TIMESTAMP()), l.privacy_agreed_at IS NOT NULL"
	    " FROM student_sessions s JOIN accounts a ON a.id = s.account_id"
	    " JOIN student_logins l ON l.account_id = a.id"
	    " LEFT JOIN rooms r ON r.id = a.room_id"
	    " WHERE s.token_hash = ?",
	[Q_TOUCH] = "UPDATE student_sessions SET last_seen = UTC_TIMESTAMP()"
	    " WHERE id = ?",
	[Q_DROP] = "DELETE FROM student_sessions WHERE id = ?",
	[Q_AGENT] = "UPDATE student_sessions SET user_agent = ?"
	    " WHERE token_hash = ?",
	[Q_PWGET] = "SELECT pw_hash FROM student_logins WHERE account_id = ?",
	[Q_AUTHED] = "UPDATE student_sessions SET auth_at = UTC_TIMESTAMP()"
	    " WHERE id = ?",
	/* ASVS 2.2.3: a password set since the last notice, before this
	 * session began: by staff (a reset) or by the student */
	[Q_NOTICE] = "SELECT DATE_FORMAT(CONVERT_TZ(l.set_at, '+00:00', ?),"
	    "   '%Y-%m-%d %H:%i') AS at, l.set_by IS NOT NULL AS reset"
	    " FROM student_logins l JOIN student_sessions s ON s.id = ?"
	    " WHERE l.account_id = ? AND l.set_at > l.notice_seen"
	    " AND l.set_at < s.created_at",
	[Q_SEEN] = "UPDATE student_logins SET notice_seen = UTC_TIMESTAMP()"
	    " WHERE account_id = ?",
};

/* One request at a time per worker: its session lives here. */
static struct session current;

void
mobile_cookie(struct req *r, const char *name, const char *value, long maxage)
{
	char age[32] = "";

	if (r->ncookies >= 2)
		return;
	if (maxage >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%ld", maxage);
	/* the session's behind HTTPS: __Host-msid, on / of the student
	 * site's own host name (conf/nginx-site.conf) */
	snprintf(r->cookies[r->ncookies++], sizeof(r->cookies[0]),
	    "%s%s=%s; Path=%s; HttpOnly; SameSite=Strict%s%s",
	    web_cookie_host(r, name) ? WEB_HOST_PREFIX : "", name, value,
	    web_cookie_host(r, name) ? "/" : "/m/", r->https ? "; Secure" : "",
	    age);
}

/* A session too old for its kind: idle too long, or past its 7 days. */
static int
session_over(const struct req *r, const struct dbres *res)
{
	long idle = config_int(r->cf, "session_idle_min", 30) * 60;

	if (db_coll(res, 3))
		return db_coll(res, 6) > STUDENT_REMEMBER_DAYS * 86400L;
	return db_coll(res, 5) > idle;
}

/* Finds the session of the cookie: the account, the form key, the actor. */
static void
session_load(struct req *r)
{
	const char *tok = web_cookie_get(r, MOBILE_COOKIE);
	struct session *s = &current;
	struct dbres *res;
	char hash[65];

	memset(s, 0, sizeof(*s));
	r->sess = s;
	r->actor.addr = r->addr;
	r->actor.name = "student";
	if (tok == NULL || strlen(tok) != 64 || crypto_sha256_hex(tok, hash))
		return;
	if ((res = db_query(r->db, q[Q_SESSION], "s", hash)) == NULL) {
		r->db_lost = 1;
		return;
	}
	if (db_next(res) == 1) {
		r->settings_version = (uint64_t)db_coll(res, 10);
		if (session_over(r, res) ||
		    strcmp(db_col(res, 8), "open") != 0) {
			db_exec(r->db, q[Q_DROP], "l", db_coll(res, 0));
			hdf_set_int_value(r->hdf, "Page.expired", 1);
		} else {
			s->id = db_coll(res, 0);
			snprintf(r->csrf, sizeof(r->csrf), "%s", db_col(res, 1));
			s->account_id = db_coll(res, 2);
			s->remember = (int)db_coll(res, 3);
			s->must_change = (int)db_coll(res, 4);
			s->by_code = (int)db_coll(res, 9);
			s->auth_age = (long)db_coll(res, 11);
			s->agreed = (int)db_coll(res, 12);
			snprintf(s->login, sizeof(s->login), "%s",
			    db_col(res, 7) ? db_col(res, 7) : "");
			snprintf(s->actor, sizeof(s->actor), "student:%lld",
			    (long long)s->account_id);
			r->actor.name = s->actor;
			r->signed_in = 1;
			r->must_change = s->must_change;
			/* a write a minute is enough for the idle timeout */
			if (db_coll(res, 5) >= 60)
				db_exec(r->db, q[Q_TOUCH], "l", s->id);
		}
	}
	db_res_free(res);
}

int
mobile_signed_in(struct req *r, int64_t account, int remember, int by_code,
    const char *login, const char *form_cookie)
{
	char token[65], detail[64], hash[65], ua[AGENT_MAX + 1];
	int must_change;

	if (students_session_start(r->db, account, remember, by_code, r->addr,
	    token, &must_change) == -1)
		return -1;
	/* the browser, for the list of one's sign-ins */
	if (*agent_clip(FCGX_GetParam("HTTP_USER_AGENT", r->envp), ua) &&
	    crypto_sha256_hex(token, hash) == 0)
		db_exec(r->db, q[Q_AGENT], "ss", ua, hash);
	if (r->sess->id)
		db_exec(r->db, q[Q_DROP], "l", r->sess->id);
	snprintf(r->sess->actor, sizeof(r->sess->actor), "student:%lld",
	    (long long)account);
	r->actor.name = r->sess->actor;
	snprintf(detail, sizeof(detail), "{%s%s%s}", by_code ? "\"by\":\"code\"" :
	    "", by_code && remember ? "," : "",
	    remember ? "\"remember\":\"7 days\"" : "");
	web_log(r, "student.login", login, NULL, by_code || remember ? detail :
	    NULL);
	mobile_cookie(r, MOBILE_COOKIE, token, remember ?
	    STUDENT_REMEMBER_DAYS * 86400L : -1);
	mobile_cookie(r, form_cookie, "", 0);
	web_redirect(r, must_change ? "/m/password?first=1" : "/m/");
	return 0;
}

/* The password given again, checked as at the sign-in: under the lock of
 * wrong ones, a failure counted and logged. 1 right, 0 not, -1 error. */
static int
reauth_check(struct req *r, const char *pw)
{
	struct student_lock lk;
	struct dbres *res;
	int ok, rc;

	if ((rc = students_locked(r->db, r->sess->login, r->addr, &lk)) == -1)
		return -1;
	if (rc == 1) {
		hdf_set_int_value(r->hdf, "Form.minutes", lk.minutes);
		web_error(r, "reauth", "err.locked");
		return 0;
	}
	if ((res = db_query(r->db, q[Q_PWGET], "l", r->sess->account_id)) ==
	    NULL)
		return -1;
	ok = db_next(res) == 1 && crypto_password_verify(pw, db_col(res, 0)) == 1;
	db_res_free(res);
	if (ok) {
		hdf_remove_tree(r->hdf, "Form.reauth");
		students_cleared(r->db, r->sess->login, r->addr);
		web_log(r, "student.reauth", r->sess->login, NULL, NULL);
		return db_exec(r->db, q[Q_AUTHED], "l", r->sess->id) == -1 ? -1 : 1;
	}
	usleep(150000);
	if ((rc = students_failed(r->db, r->sess->login, r->addr, &lk)) == -1)
		return -1;
	web_log(r, rc ? "student.login.lock" : "student.reauth.fail",
	    r->sess->login, NULL, NULL);
	if (rc)
		hdf_set_int_value(r->hdf, "Form.minutes", LOCKOUT_MINUTES);
	web_error(r, "reauth", rc ? "err.locked" : "reauth.wrong");
	return 0;
}

int
mobile_reauth(struct req *r)
{
	const char *pw = web_query(r, "reauth", "");

	if (!r->sess->remember ||
	    r->sess->auth_age <= MOBILE_REAUTH_HOURS * 3600L)
		return 1;
	hdf_set_int_value(r->hdf, "Form.reauth", 1);
	if (!r->is_post)
		return 1;
	if (*pw == '\0') {
		web_error(r, "reauth", "reauth.required");
		return 0;
	}
	if (strlen(pw) > 128) {
		web_error(r, "reauth", "reauth.wrong");
		return 0;
	}
	return reauth_check(r, pw);
}

/* The notice of a password set since the last one shown (by staff, or by
 * the student on another phone), once, on the pages that show it. */
static void
notice(struct req *r)
{
	struct dbres *res;

	if (r->tpl == NULL || (strcmp(r->tpl, "home.cs") != 0 &&
	    strcmp(r->tpl, "password.cs") != 0) || r->status != 200)
		return;
	if ((res = db_query(r->db, q[Q_NOTICE], "sll", web_tz(r), r->sess->id,
	    r->sess->account_id)) == NULL)
		return;
	if (web_row(r, "Notice", res) == 1)
		db_exec(r->db, q[Q_SEEN], "l", r->sess->account_id);
	db_res_free(res);
}

/* The site's name and the student signed in, for every page. */
static void
common(struct req *r)
{
	static const char *const names[] = { "site_title", "site_logo", NULL };

	for (int i = 0; names[i]; i++) {
		const char *v = web_setting_text(r, names[i]);
		char key[64];

		if (v == NULL)
			continue;
		snprintf(key, sizeof(key), "Site.%s", names[i]);
		hdf_set_value(r->hdf, key, v);
	}
	if (r->sess == NULL || r->sess->account_id == 0)
		return;
	hdf_set_int_value(r->hdf, "Me.signed", 1);
	hdf_set_value(r->hdf, "Me.csrf", r->csrf);
	hdf_set_int_value(r->hdf, "Me.must_change", r->sess->must_change);
	notice(r);
}

static const struct site mobile = {
	"mobile", routes, 0, "/m/login", "/m/password", "/m/logout",
	session_load, mobile_allow, common, SETTINGS_STUDENT
};

int
main(int argc, char **argv)
{
	struct site s = mobile;
	const char *conf = getenv("PREPAID_CONF");
	struct config *cf;

	/* the payment keys and the password pepper are read once, before
	 * the workers: a key file others may read stops the program here */
	log_init("mobile.fcgi", 0, 0);
	if ((cf = config_load(conf ? conf : "/etc/prepaid/prepaid.conf")) == NULL)
		fatal("configuration");
	if (page_pay_setup(cf) == -1)
		fatalx("the online top-up's key cannot be used (see above)");
	if (crypto_pepper_load(config_get(cf, "password_pepper_file", NULL)) == -1)
		fatalx("the password pepper cannot be used (see above)");
	config_free(cf);
	s.nroutes = nroutes;
	return web_main(&s, argc, argv);
}
