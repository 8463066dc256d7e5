/* main.c - the student site's FastCGI program (M1, M2): its session, what every page shows, and the kit's loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "mobile.h"
#include "pages.h"
#include "students.h"

enum { Q_SESSION, Q_TOUCH, Q_DROP };
static const char *const q[] = {
	[Q_SESSION] =
	    "SELECT s.id, s.csrf, s.account_id, s.remember, l.must_change,"
	    " TIMESTAMPDIFF(SECOND, s.last_seen, UTC_TIMESTAMP()),"
	    " TIMESTAMPDIFF(SECOND, s.created_at, UTC_TIMESTAMP()),"
	    " CONCAT(r.building_id, '/', r.number), a.status, s.by_code, "
	    SETTINGS_VERSION_COL
	    " FROM student_sessions s JOIN accounts a ON a.id = s.account_id"
	    " JOIN student_logins l ON l.account_id = a.id"
	    " LEFT JOIN rooms r ON r.id = a.room_id"
	    " WHERE s.token_hash = ?",
	[Q_TOUCH] = "UPDATE student_sessions SET last_seen = UTC_TIMESTAMP()"
	    " WHERE id = ?",
	[Q_DROP] = "DELETE FROM student_sessions WHERE id = ?",
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
	snprintf(r->cookies[r->ncookies++], sizeof(r->cookies[0]),
	    "%s=%s; Path=/m/; HttpOnly; SameSite=Strict%s%s", name, value,
	    r->https ? "; Secure" : "", age);
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
	const char *tok = hdf_get_value(r->hdf, "Cookie." MOBILE_COOKIE, NULL);
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
	char token[65], detail[64];
	int must_change;

	if (students_session_start(r->db, account, remember, by_code, r->addr,
	    token, &must_change) == -1)
		return -1;
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
}

static const struct site mobile = {
	"mobile", routes, 0, "/m/login", "/m/password", "/m/logout",
	session_load, NULL, common, SETTINGS_STUDENT
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
