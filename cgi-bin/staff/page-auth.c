/* page-auth.c - F1 sign-in, sign-out and switch operator; F5 change own password. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "db.h"
#include "log.h"
#include "lockout.h"
#include "pages.h"
#include "valid.h"

/* Wrong passwords lock as lockout.h says; known and unknown logins take
 * the same path and the same time. */
#define FAIL_DELAY_US 150000

enum {
	Q_FIND, Q_FAILS, Q_FAIL, Q_LOCK, Q_OK, Q_CLEAR, Q_NEWSESS, Q_DELSESS,
	Q_PWGET, Q_PWSET, Q_OTHERSESS
};
static const char *const q[] = {
	[Q_FIND] = "SELECT id, pw_hash, disabled, must_change, name,"
	    " must_change AND pw_set_at < UTC_TIMESTAMP() - INTERVAL 7 DAY"
	    " FROM operators WHERE login = ?",
	/* failures of this login from this address, of the address, and
	 * the minutes until the lock of either ends */
	[Q_FAILS] = "SELECT COALESCE(SUM(login = ?), 0), COUNT(*),"
	    " CEIL(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(),"
	    "   MAX(at) + INTERVAL ? MINUTE) / 60)"
	    " FROM login_failures WHERE client_addr = ?"
	    " AND at > UTC_TIMESTAMP() - INTERVAL ? MINUTE",
	[Q_FAIL] = "INSERT INTO login_failures (login, client_addr, at)"
	    " VALUES (?, ?, UTC_TIMESTAMP())",
	/* shown on the operators page; the lock itself is the failures' */
	[Q_LOCK] = "UPDATE operators SET locked_until = UTC_TIMESTAMP() +"
	    " INTERVAL ? MINUTE WHERE login = ?",
	[Q_OK] = "UPDATE operators SET failed_logins = 0, locked_until = NULL,"
	    " last_login = UTC_TIMESTAMP() WHERE id = ?",
	[Q_CLEAR] = "DELETE FROM login_failures WHERE login = ? AND client_addr = ?",
	[Q_NEWSESS] = "INSERT INTO sessions (token_hash, operator_id, csrf,"
	    " client_addr, created_at, last_seen)"
	    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())",
	[Q_DELSESS] = "DELETE FROM sessions WHERE id = ?",
	[Q_PWGET] = "SELECT pw_hash FROM operators WHERE id = ?",
	[Q_PWSET] = "UPDATE operators SET pw_hash = ?, must_change = 0,"
	    " pw_set_at = UTC_TIMESTAMP() WHERE id = ?",
	[Q_OTHERSESS] = "DELETE FROM sessions WHERE operator_id = ? AND id <> ?",
};

static const struct field login_fields[] = {
	{ "login", FT_TEXT, 1, 0, 32, NULL },
	{ "password", FT_PASSWORD, 1, 0, 0, NULL },
};
enum { L_LOGIN, L_PASSWORD, L_N };

/* A hash to verify against when the login is unknown, so that the answer
 * takes as long as for a known one. */
static const char dummy_hash[] = "scrypt$16384$8$1$00000000000000000000000000000000$"
    "0000000000000000000000000000000000000000000000000000000000000000";

static void
login_form(struct req *r)
{
	char tok[65];

	if (crypto_random_hex(32, tok) == 0) {
		web_cookie(r, "lcsrf", tok, -1);
		hdf_set_value(r->hdf, "Form.csrf", tok);
	}
	web_render(r, "login.cs");
}

/* A wrong password (or login) from this address: counted, said the same
 * way for known and unknown logins, a lock at the fifth. */
static int
login_failed(struct req *r, const char *login, int known, int fails)
{
	usleep(FAIL_DELAY_US);
	if (db_exec(r->db, q[Q_FAIL], "ss", login, r->addr) == -1)
		return -1;
	if (fails + 1 >= LOCKOUT_MAX_FAILS) {
		if (known)
			db_exec(r->db, q[Q_LOCK], "is", LOCKOUT_MINUTES, login);
		web_log(r, "login.lock", login, NULL,
		    "{\"reason\":\"5 wrong passwords\",\"minutes\":\"15\"}");
		hdf_set_int_value(r->hdf, "Form.minutes", LOCKOUT_MINUTES);
		form_error(r, "form", "locked");
	} else {
		web_log(r, "login.fail", login, NULL, known ?
		    "{\"reason\":\"password\"}" : "{\"reason\":\"unknown\"}");
		form_error(r, "form", "bad_credentials");
	}
	login_form(r);
	return 0;
}

/* The session of operator ID, signed in as LOGIN; ends the one of the
 * operator it switches from. */
static int
login_session(struct req *r, int64_t id, const char *login, int must_change)
{
	char token[65], hash[65], csrf[65];

	if (crypto_random_hex(32, token) || crypto_sha256_hex(token, hash) ||
	    crypto_random_hex(32, csrf))
		return -1;
	if (db_exec(r->db, q[Q_OK], "l", id) == -1 ||
	    db_exec(r->db, q[Q_NEWSESS], "slss", hash, id, csrf, r->addr) == -1)
		return -1;
	/* switching operator ends the previous operator's session */
	if (r->sess->id) {
		db_exec(r->db, q[Q_DELSESS], "l", r->sess->id);
		web_log(r, "logout", r->sess->op_login, NULL, "{\"reason\":\"switch\"}");
	}
	r->sess->op_id = id;
	snprintf(r->sess->op_login, sizeof(r->sess->op_login), "%s", login);
	web_log(r, "login", login, NULL, NULL);
	web_cookie(r, "sid", token, -1);
	web_cookie(r, "lcsrf", "", 0);
	web_redirect(r, must_change ? "/password?first=1" : "/");
	return 0;
}

static int
login_post(struct req *r)
{
	struct fval v[L_N];
	struct dbres *res;
	const char *cookie = hdf_get_value(r->hdf, "Cookie.lcsrf", "");
	const char *sent = web_query(r, "csrf", "");
	int64_t id = 0;
	int ok, must_change = 0, disabled = 0, known, fails, expired = 0;

	if (strlen(cookie) != 64 || strlen(sent) != 64 ||
	    CRYPTO_memcmp(cookie, sent, 64) != 0) {
		form_error(r, "form", "form_expired");
		login_form(r);
		return 0;
	}
	if (form_check(r, login_fields, L_N, v) > 0) {
		login_form(r);
		return 0;
	}
	/* locked for this address: no password is even tried */
	if ((res = db_query(r->db, q[Q_FAILS], "sisi", v[L_LOGIN].s,
	    LOCKOUT_MINUTES, r->addr, LOCKOUT_MINUTES)) == NULL)
		return -1;
	fails = db_next(res) == 1 ? (int)db_coll(res, 0) : 0;
	if (fails >= LOCKOUT_MAX_FAILS || db_coll(res, 1) >= LOCKOUT_MAX_ADDR_FAILS) {
		hdf_set_value(r->hdf, "Form.minutes", db_col(res, 2));
		db_res_free(res);
		web_log(r, "login.fail", v[L_LOGIN].s, NULL, "{\"reason\":\"locked\"}");
		form_error(r, "form", "locked");
		login_form(r);
		return 0;
	}
	db_res_free(res);
	if ((res = db_query(r->db, q[Q_FIND], "s", v[L_LOGIN].s)) == NULL)
		return -1;
	/* an unknown login costs the same hash as a known one */
	known = db_next(res) == 1;
	ok = crypto_password_verify(v[L_PASSWORD].s, known ? db_col(res, 1) : dummy_hash);
	if (known) {
		id = db_coll(res, 0);
		disabled = (int)db_coll(res, 2);
		must_change = (int)db_coll(res, 3);
		expired = (int)db_coll(res, 5);
	}
	db_res_free(res);
	if (ok != 1 || !known)
		return login_failed(r, v[L_LOGIN].s, known, fails);
	/* only the right password learns that the account is disabled, or
	 * that its first password ran out (7 days unused) */
	if (disabled || expired) {
		web_log(r, "login.fail", v[L_LOGIN].s, NULL, disabled ?
		    "{\"reason\":\"disabled\"}" : "{\"reason\":\"first password expired\"}");
		form_error(r, "form", disabled ? "disabled" : "pw_expired");
		login_form(r);
		return 0;
	}
	db_exec(r->db, q[Q_CLEAR], "ss", v[L_LOGIN].s, r->addr);
	return login_session(r, id, v[L_LOGIN].s, must_change);
}

int
page_login(struct req *r)
{
	if (r->is_post)
		return login_post(r);
	if (r->sess->op_id && !r->sess->must_change &&
	    strcmp(web_query(r, "switch", ""), "1") != 0) {
		web_redirect(r, "/");
		return 0;
	}
	hdf_set_value(r->hdf, "Form.switch", web_query(r, "switch", ""));
	login_form(r);
	return 0;
}

int
page_logout(struct req *r)
{
	db_exec(r->db, q[Q_DELSESS], "l", r->sess->id);
	web_log(r, "logout", r->sess->op_login, NULL, NULL);
	web_cookie(r, "sid", "", 0);
	web_redirect(r, "/login?ok=signed_out");
	return 0;
}

static const struct field pw_fields[] = {
	{ "old", FT_PASSWORD, 1, 0, 0, NULL },
	{ "new", FT_PASSWORD, 1, 0, 0, NULL },
	{ "confirm", FT_PASSWORD, 1, 0, 0, NULL },
};
enum { P_OLD, P_NEW, P_CONFIRM, P_N };

int
page_password(struct req *r)
{
	struct fval v[P_N];
	struct dbres *res;
	const char *e;
	char *hash;
	int ok, nerr;

	hdf_set_value(r->hdf, "Form.first", web_query(r, "first", ""));
	web_render(r, "password.cs");
	if (!r->is_post)
		return 0;
	nerr = form_check(r, pw_fields, P_N, v);
	const char *words[] = { r->sess->op_login,
	    web_setting_text(r, "site_title"), NULL };
	if (v[P_NEW].set && (e = valid_password(v[P_NEW].s,
	    v[P_OLD].set ? v[P_OLD].s : NULL, words)))
		nerr += form_error(r, "new", e);
	if (v[P_NEW].set && v[P_CONFIRM].set &&
	    strcmp(v[P_NEW].s, v[P_CONFIRM].s) != 0)
		nerr += form_error(r, "confirm", "pw_mismatch");
	if (v[P_NEW].set && v[P_OLD].set && strcmp(v[P_NEW].s, v[P_OLD].s) == 0)
		nerr += form_error(r, "new", "pw_same");
	if (nerr)
		return 0;
	if ((res = db_query(r->db, q[Q_PWGET], "l", r->sess->op_id)) == NULL)
		return -1;
	ok = db_next(res) == 1 ? crypto_password_verify(v[P_OLD].s, db_col(res, 0)) : 0;
	db_res_free(res);
	if (ok != 1) {
		web_log(r, "password.fail", r->sess->op_login, NULL, NULL);
		form_error(r, "old", "pw_old_wrong");
		return 0;
	}
	if ((hash = crypto_password_hash(v[P_NEW].s)) == NULL)
		return -1;
	ok = (int)db_exec(r->db, q[Q_PWSET], "sl", hash, r->sess->op_id);
	free(hash);
	if (ok == -1)
		return -1;
	db_exec(r->db, q[Q_OTHERSESS], "ll", r->sess->op_id, r->sess->id);
	web_log(r, "password.change", r->sess->op_login, NULL, NULL);
	web_redirect(r, "/?ok=password_changed");
	return 0;
}
