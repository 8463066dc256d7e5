/* page-auth.c - F1 sign-in (with the TOTP code step), sign-out and switch operator; F5 change own password. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "lockout.h"
#include "pages.h"
#include "totp.h"
#include "valid.h"

/* Wrong passwords lock as lockout.h says; known and unknown logins take
 * the same path and the same time. */
#define FAIL_DELAY_US 150000
/* a password taken waits this long for its TOTP code */
#define PENDING_S 300

enum {
	Q_FIND, Q_FAILS, Q_FAIL, Q_LOCK, Q_OK, Q_CLEAR, Q_NEWSESS, Q_DELSESS,
	Q_PWGET, Q_PWSET, Q_OTHERSESS, Q_PWUP, Q_PEND_NEW, Q_PEND_OLD,
	Q_PEND_GET, Q_PEND_DEL, Q_TOTP_USE
};
static const char *const q[] = {
	[Q_FIND] = "SELECT id, pw_hash, disabled, must_change, name,"
	    " totp_secret IS NOT NULL,"
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
	/* a right password's hash made again (the pepper), unless changed */
	[Q_PWUP] = "UPDATE operators SET pw_hash = ? WHERE id = ? AND pw_hash = ?",
	/* the TOTP step: a password taken, waiting for the code */
	[Q_PEND_NEW] = "INSERT INTO login_pending (token_hash, operator_id,"
	    " client_addr, created_at) VALUES (?, ?, ?, UTC_TIMESTAMP())",
	[Q_PEND_OLD] = "DELETE FROM login_pending"
	    " WHERE created_at < UTC_TIMESTAMP() - INTERVAL 1 DAY",
	[Q_PEND_GET] = "SELECT p.id, o.id, o.login, o.must_change, o.disabled,"
	    " o.totp_secret, o.totp_step,"
	    " TIMESTAMPDIFF(SECOND, p.created_at, UTC_TIMESTAMP())"
	    " FROM login_pending p JOIN operators o ON o.id = p.operator_id"
	    " WHERE p.token_hash = ? AND p.client_addr = ?",
	[Q_PEND_DEL] = "DELETE FROM login_pending WHERE id = ?",
	/* a code's step is taken once: two requests with one code, one wins */
	[Q_TOTP_USE] = "UPDATE operators SET totp_step = ?"
	    " WHERE id = ? AND totp_step < ?",
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

/* A sign-in form (TPL: the password, or the code after it) with a new
 * cookie-bound form key. */
static void
signin_form(struct req *r, const char *tpl)
{
	char tok[65];

	if (crypto_random_hex(32, tok) == 0) {
		web_cookie(r, "lcsrf", tok, -1);
		hdf_set_value(r->hdf, "Form.csrf", tok);
	}
	web_render(r, tpl);
}

static void
login_form(struct req *r)
{
	signin_form(r, "login.cs");
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
login_session(struct req *r, int64_t id, const char *login, int must_change,
    const char *clear)
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
	web_cookie(r, clear, "", 0);
	web_redirect(r, must_change ? "/password?first=1" : "/");
	return 0;
}

/* A right password whose stored hash is of an older scheme (OLD; none
 * when empty): hashed again now, unless it was changed meanwhile. */
static void
pw_upgrade(struct req *r, int64_t id, const char *pw, const char *old)
{
	char *hash;

	if (*old == '\0' || (hash = crypto_password_hash(pw)) == NULL)
		return;
	if (db_exec(r->db, q[Q_PWUP], "sls", hash, id, old) == -1)
		log_warnx("operator %lld: the password hash was not renewed",
		    (long long)id);
	free(hash);
}

/* The password of an operator with TOTP is right: the code is asked for
 * on /login/code, the session made only after it. */
static int
login_pending(struct req *r, int64_t id, const char *login)
{
	char token[65], hash[65];

	if (crypto_random_hex(32, token) || crypto_sha256_hex(token, hash))
		return -1;
	db_exec(r->db, q[Q_PEND_OLD], "");
	if (db_exec(r->db, q[Q_PEND_NEW], "sls", hash, id, r->addr) == -1)
		return -1;
	web_log(r, "login.password", login, NULL, "{\"next\":\"totp\"}");
	web_cookie(r, "lpend", token, -1);
	web_redirect(r, "/login/code");
	return 0;
}

/* The form key sent is the sign-in cookie's (lcsrf): 1, or 0. */
static int
form_key_ok(struct req *r)
{
	const char *cookie = hdf_get_value(r->hdf, "Cookie.lcsrf", "");
	const char *sent = web_query(r, "csrf", "");

	return strlen(cookie) == 64 && strlen(sent) == 64 &&
	    CRYPTO_memcmp(cookie, sent, 64) == 0;
}

/*
 * LOGIN's failures from this address in the last LOCKOUT_MINUTES into
 * *FAILS; 1 when it or the address is locked (Form.minutes says how long),
 * 0 when not, -1 on an error.
 */
static int
locked_out(struct req *r, const char *login, int *fails)
{
	struct dbres *res;
	int locked;

	if ((res = db_query(r->db, q[Q_FAILS], "sisi", login,
	    LOCKOUT_MINUTES, r->addr, LOCKOUT_MINUTES)) == NULL)
		return -1;
	*fails = db_next(res) == 1 ? (int)db_coll(res, 0) : 0;
	locked = *fails >= LOCKOUT_MAX_FAILS ||
	    db_coll(res, 1) >= LOCKOUT_MAX_ADDR_FAILS;
	if (locked)
		hdf_set_value(r->hdf, "Form.minutes", db_col(res, 2));
	db_res_free(res);
	return locked;
}

static int
login_post(struct req *r)
{
	struct fval v[L_N];
	struct dbres *res;
	int64_t id = 0;
	int ok, must_change = 0, disabled = 0, known, fails, totp = 0;
	int expired = 0, locked;
	char old[256] = "";

	if (!form_key_ok(r)) {
		form_error(r, "form", "form_expired");
		login_form(r);
		return 0;
	}
	if (form_check(r, login_fields, L_N, v) > 0) {
		login_form(r);
		return 0;
	}
	/* locked for this address: no password is even tried */
	if ((locked = locked_out(r, v[L_LOGIN].s, &fails)) == -1)
		return -1;
	if (locked) {
		web_log(r, "login.fail", v[L_LOGIN].s, NULL, "{\"reason\":\"locked\"}");
		form_error(r, "form", "locked");
		login_form(r);
		return 0;
	}
	if ((res = db_query(r->db, q[Q_FIND], "s", v[L_LOGIN].s)) == NULL)
		return -1;
	/* an unknown login costs the same hash as a known one */
	known = db_next(res) == 1;
	ok = crypto_password_verify(v[L_PASSWORD].s, known ? db_col(res, 1) : dummy_hash);
	if (known) {
		id = db_coll(res, 0);
		disabled = (int)db_coll(res, 2);
		must_change = (int)db_coll(res, 3);
		if (ok == 1 && crypto_password_stale(db_col(res, 1)))
			snprintf(old, sizeof(old), "%s", db_col(res, 1));
		totp = (int)db_coll(res, 5);
		expired = (int)db_coll(res, 6);
	}
	db_res_free(res);
	if (ok != 1 || !known)
		return login_failed(r, v[L_LOGIN].s, known, fails);
	pw_upgrade(r, id, v[L_PASSWORD].s, old);
	/* only the right password learns that the account is disabled, or
	 * that its first password ran out (7 days unused) */
	if (disabled || expired) {
		web_log(r, "login.fail", v[L_LOGIN].s, NULL, disabled ?
		    "{\"reason\":\"disabled\"}" : "{\"reason\":\"first password expired\"}");
		form_error(r, "form", disabled ? "disabled" : "pw_expired");
		login_form(r);
		return 0;
	}
	/* the failures are cleared by the code: guesses at it count on */
	if (totp)
		return login_pending(r, id, v[L_LOGIN].s);
	db_exec(r->db, q[Q_CLEAR], "ss", v[L_LOGIN].s, r->addr);
	return login_session(r, id, v[L_LOGIN].s, must_change, "lcsrf");
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

static int
password_change(struct req *r)
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

int
page_password(struct req *r)
{
	int rc = password_change(r);

	form_wipe(r, pw_fields, P_N);
	return rc;
}

/* The TOTP step of a sign-in (from the lpend cookie), loaded into P. */
struct pending {
	int64_t id, op_id, step;
	char login[40];
	char sealed[TOTP_SEALED_MAX];
	int must_change, disabled;
};

/* 1 with P filled, 0 when there is none for this browser and address or
 * it is older than PENDING_S (then removed), -1 on an error. */
static int
pending_load(struct req *r, struct pending *p)
{
	const char *tok = hdf_get_value(r->hdf, "Cookie.lpend", "");
	char hash[65];
	struct dbres *res;
	int found;
	long age;

	memset(p, 0, sizeof(*p));
	if (strlen(tok) != 64 || crypto_sha256_hex(tok, hash))
		return 0;
	if ((res = db_query(r->db, q[Q_PEND_GET], "ss", hash, r->addr)) == NULL)
		return -1;
	if ((found = db_next(res) == 1)) {
		p->id = db_coll(res, 0);
		p->op_id = db_coll(res, 1);
		snprintf(p->login, sizeof(p->login), "%s", db_col(res, 2));
		p->must_change = (int)db_coll(res, 3);
		p->disabled = (int)db_coll(res, 4);
		snprintf(p->sealed, sizeof(p->sealed), "%s",
		    db_col(res, 5) ? db_col(res, 5) : "");
		p->step = db_coll(res, 6);
		age = db_coll(res, 7);
	}
	db_res_free(res);
	if (!found)
		return 0;
	if (age > PENDING_S || age < 0) {
		db_exec(r->db, q[Q_PEND_DEL], "l", p->id);
		web_log(r, "login.fail", p->login, NULL, "{\"reason\":\"code too late\"}");
		return 0;
	}
	return 1;
}

/* The code step is over (done, expired, locked): back to the password. */
static int
code_restart(struct req *r, const char *err)
{
	web_cookie(r, "lpend", "", 0);
	if (err)
		web_error(r, "form", err);
	login_form(r);
	return 0;
}

static void
code_form(struct req *r)
{
	signin_form(r, "login-code.cs");
}

/* A wrong or replayed code: counted with the wrong passwords of the login
 * (lockout.h), the fifth ends the step. */
static int
code_failed(struct req *r, const struct pending *p, int fails, int replay)
{
	usleep(FAIL_DELAY_US);
	if (db_exec(r->db, q[Q_FAIL], "ss", p->login, r->addr) == -1)
		return -1;
	if (fails + 1 >= LOCKOUT_MAX_FAILS) {
		db_exec(r->db, q[Q_LOCK], "is", LOCKOUT_MINUTES, p->login);
		db_exec(r->db, q[Q_PEND_DEL], "l", p->id);
		web_log(r, "login.lock", p->login, NULL,
		    "{\"reason\":\"5 wrong passwords or codes\",\"minutes\":\"15\"}");
		hdf_set_int_value(r->hdf, "Form.minutes", LOCKOUT_MINUTES);
		return code_restart(r, "err.locked");
	}
	web_log(r, "login.fail", p->login, NULL, replay ?
	    "{\"reason\":\"code used\"}" : "{\"reason\":\"code\"}");
	web_error(r, "code", replay ? "Totp.err_replay" : "Totp.err_wrong");
	code_form(r);
	return 0;
}

/* The code of P: 1 taken (its step used up), 0 wrong, 2 replayed, -1. */
static int
code_check(struct req *r, const struct pending *p, const char *code)
{
	unsigned char secret[TOTP_SECRET_LEN];
	int64_t step = 0;
	int n, rc;
	long taken;

	n = totp_open_keyfile(config_get(r->cf, "totp_key_file", NULL), p->op_id,
	    p->sealed, secret, sizeof(secret));
	if (n == -1) {
		log_warnx("%s: TOTP secret not opened (totp_key_file)", p->login);
		return -1;
	}
	rc = totp_verify(secret, (size_t)n, code, time(NULL), p->step, &step);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (rc != TOTP_OK)
		return rc;
	if ((taken = db_exec(r->db, q[Q_TOTP_USE], "lll", step, p->op_id,
	    step)) == -1)
		return -1;
	return taken == 1 ? TOTP_OK : TOTP_REPLAY;
}

static const struct field code_fields[] = {
	{ "code", FT_TEXT, 1, 0, 6, NULL },
};

static int
code_post(struct req *r, const struct pending *p)
{
	struct fval v[1];
	int fails, rc;

	if (!form_key_ok(r)) {
		web_error(r, "form", "err.form_expired");
		code_form(r);
		return 0;
	}
	if ((rc = locked_out(r, p->login, &fails)) == -1)
		return -1;
	if (rc == 1) {
		db_exec(r->db, q[Q_PEND_DEL], "l", p->id);
		return code_restart(r, "err.locked");
	}
	if (form_check(r, code_fields, 1, v) > 0 ||
	    strspn(v[0].s, "0123456789") != 6 || strlen(v[0].s) != 6) {
		if (!hdf_get_value(r->hdf, "Form.err.code", NULL))
			web_error(r, "code", "Totp.err_digits");
		code_form(r);
		return 0;
	}
	if (p->disabled) {
		db_exec(r->db, q[Q_PEND_DEL], "l", p->id);
		return code_restart(r, "err.disabled");
	}
	if ((rc = code_check(r, p, v[0].s)) == -1)
		return -1;
	if (rc != TOTP_OK)
		return code_failed(r, p, fails, rc == TOTP_REPLAY);
	db_exec(r->db, q[Q_PEND_DEL], "l", p->id);
	db_exec(r->db, q[Q_CLEAR], "ss", p->login, r->addr);
	return login_session(r, p->op_id, p->login, p->must_change, "lpend");
}

/* F1, the second step: the TOTP code after the password. */
int
page_login_code(struct req *r)
{
	struct pending p;
	int rc;

	if ((rc = pending_load(r, &p)) == -1)
		return -1;
	if (rc == 0)
		return code_restart(r, r->is_post ||
		    hdf_get_value(r->hdf, "Cookie.lpend", NULL) ?
		    "Totp.err_expired" : NULL);
	if (r->is_post)
		return code_post(r, &p);
	code_form(r);
	return 0;
}
