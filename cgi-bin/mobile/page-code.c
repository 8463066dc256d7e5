/* page-code.c - M1 the student's sign-in by phone and a 6-digit one-time code sent by SMS. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "otp.h"
#include "pages.h"
#include "students.h"
#include "valid.h"

#define FAIL_DELAY_US 150000
#define CODE_CSRF "mccsrf"

static const struct field send_fields[] = {
	{ "phone", FT_TEXT, 1, 0, 20, NULL },
};
static const struct field check_fields[] = {
	{ "phone", FT_TEXT, 1, 0, 20, NULL },
	{ "code", FT_TEXT, 1, 0, 16, NULL },
	{ "remember", FT_BOOL, 0, 0, 0, NULL },
};
enum { C_PHONE, C_CODE, C_REMEMBER, C_N };

/* The page at STEP ("send": the phone; "check": the code), with a fresh
 * form key in its cookie. */
static int
code_form(struct req *r, const char *step)
{
	char tok[65];

	if (crypto_random_hex(32, tok) == 0) {
		mobile_cookie(r, CODE_CSRF, tok, -1);
		hdf_set_value(r->hdf, "Form.csrf", tok);
	}
	hdf_set_value(r->hdf, "Form.step", step);
	web_render(r, "code.cs");
	return 0;
}

/* The key of the codes' HMAC, from the student site's configuration. */
static const char *
code_key(struct req *r)
{
	const char *k = config_get(r->cf, "code_key", NULL);

	if (k == NULL || strlen(k) < 64)
		log_warnx("code_key: missing or shorter than 64 hex digits");
	return k != NULL && strlen(k) >= 64 ? k : NULL;
}

/* The phone typed, checked; 1 when it is one, else 0 (its error set). */
static int
phone_ok(struct req *r, const struct fval *v)
{
	if (v->set && valid_phone(v->s) != NULL)
		return web_error(r, "phone", "code.err.bad_phone") == 0;
	return v->set;
}

/* Step one: a code to the phone if it is known; the same answer if not. */
static int
code_request(struct req *r, const char *key)
{
	struct fval v[1];
	char code[OTP_DIGITS + 1], hash[65], body[700];
	int rc;

	if (form_check(r, send_fields, 1, v) > 0 || !phone_ok(r, &v[0]))
		return code_form(r, "send");
	if (otp_code(code) == -1 || otp_hash(key, "login", v[0].s, code,
	    hash) == -1 || otp_body(web_lang(r, "code.sms"), code, body,
	    sizeof(body)) == -1)
		return -1;
	rc = otp_send(r->db, "login", v[0].s, 0, hash, body);
	OPENSSL_cleanse(code, sizeof(code));
	OPENSSL_cleanse(body, sizeof(body));
	if (rc == -1)
		return -1;
	hdf_set_int_value(r->hdf, "Form.sent", rc);
	return code_form(r, "check");
}

/* A wrong code (or none for the phone): counted toward the lock. */
static int
code_wrong(struct req *r, const char *login, const struct student_lock *lk)
{
	int rc;

	usleep(FAIL_DELAY_US);
	if ((rc = students_failed(r->db, login, r->addr, lk)) == -1)
		return -1;
	web_log(r, rc ? "student.login.lock" : "student.login.fail", login,
	    NULL, "{\"reason\":\"code\"}");
	if (rc)
		hdf_set_int_value(r->hdf, "Form.minutes", LOCKOUT_MINUTES);
	web_error(r, "code", rc ? "code.err.locked" : "code.err.wrong");
	return code_form(r, "check");
}

/* Step two: the code, under the lock rule of the password's sign-in
 * (the phone is the login, as an HMAC). */
static int
code_verify(struct req *r, const char *key)
{
	struct fval v[C_N];
	struct student_lock lk;
	char login[64], hash[65];
	int64_t account;
	int rc, nerr = form_check(r, check_fields, C_N, v);

	if (!phone_ok(r, &v[C_PHONE]))
		nerr++;
	if (v[C_CODE].set && !otp_code_ok(v[C_CODE].s))
		nerr += web_error(r, "code", "code.err.bad_code");
	if (nerr > 0)
		return code_form(r, "check");
	if (otp_lock_login(key, v[C_PHONE].s, login, sizeof(login)) == -1 ||
	    (rc = students_locked(r->db, login, r->addr, &lk)) == -1)
		return -1;
	if (rc == 1) {
		hdf_set_int_value(r->hdf, "Form.minutes", lk.minutes);
		web_log(r, "student.login.fail", login, NULL,
		    "{\"reason\":\"locked\"}");
		web_error(r, "code", "code.err.locked");
		return code_form(r, "check");
	}
	if (otp_hash(key, "login", v[C_PHONE].s, v[C_CODE].s, hash) == -1 ||
	    (account = otp_check(r->db, "login", v[C_PHONE].s, 0, hash)) == -1)
		return -1;
	if (account == 0)
		return code_wrong(r, login, &lk);
	students_cleared(r->db, login, r->addr);
	return mobile_signed_in(r, account, (int)v[C_REMEMBER].i, 1, login,
	    CODE_CSRF);
}

int
page_code(struct req *r)
{
	const char *cookie = hdf_get_value(r->hdf, "Cookie." CODE_CSRF, "");
	const char *sent = web_query(r, "csrf", "");
	const char *step = web_query(r, "step", "");
	const char *key;

	if (!r->is_post) {
		if (r->sess->account_id && !r->sess->must_change) {
			web_redirect(r, "/m/");
			return 0;
		}
		return code_form(r, "send");
	}
	if (strlen(cookie) != 64 || strlen(sent) != 64 ||
	    CRYPTO_memcmp(cookie, sent, 64) != 0) {
		form_error(r, "form", "form_expired");
		return code_form(r, "send");
	}
	if ((key = code_key(r)) == NULL)
		return -1;
	if (strcmp(step, "check") == 0)
		return code_verify(r, key);
	return code_request(r, key);
}
