/* page-totp.c - 动态口令: an operator turns TOTP (RFC 6238) on with a new secret and a current code, and off with the password and a current code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "pages.h"
#include "totp.h"

enum { Q_GET, Q_ON, Q_OFF, Q_USE, Q_PWGET, Q_OTHERSESS };
static const char *const q[] = {
	[Q_GET] = "SELECT totp_secret, totp_step FROM operators WHERE id = ?",
	/* only when off: two tabs cannot enrol two secrets */
	[Q_ON] = "UPDATE operators SET totp_secret = ?, totp_step = ?"
	    " WHERE id = ? AND totp_secret IS NULL",
	[Q_OFF] = "UPDATE operators SET totp_secret = NULL, totp_step = 0"
	    " WHERE id = ?",
	[Q_USE] = "UPDATE operators SET totp_step = ? WHERE id = ? AND totp_step < ?",
	[Q_PWGET] = "SELECT pw_hash FROM operators WHERE id = ?",
	[Q_OTHERSESS] = "DELETE FROM sessions WHERE operator_id = ? AND id <> ?",
};

static const struct field on_fields[] = {
	{ "secret", FT_TEXT, 1, 0, 64, NULL },
	{ "code", FT_TEXT, 1, 0, 6, NULL },
};
static const struct field off_fields[] = {
	{ "password", FT_PASSWORD, 1, 0, 0, NULL },
	{ "code", FT_TEXT, 1, 0, 6, NULL },
};

/* The operator's TOTP as stored. */
struct state {
	int on;
	int64_t step;
	char sealed[TOTP_SEALED_MAX];
};

static int
state_load(struct req *r, struct state *st)
{
	struct dbres *res;

	memset(st, 0, sizeof(*st));
	if ((res = db_query(r->db, q[Q_GET], "l", r->sess->op_id)) == NULL)
		return -1;
	if (db_next(res) == 1 && db_col(res, 0) != NULL) {
		st->on = 1;
		snprintf(st->sealed, sizeof(st->sealed), "%s", db_col(res, 0));
		st->step = db_coll(res, 1);
	}
	db_res_free(res);
	return 0;
}

/* Form.secret (a new one, or the one sent back) and its otpauth URI. */
static int
show_secret(struct req *r, const char *b32)
{
	unsigned char secret[TOTP_SECRET_LEN];
	char fresh[TOTP_B32_LEN + 1], uri[512];
	const char *issuer = web_setting_text(r, "site_title");

	if (b32 == NULL) {
		if (totp_secret_new(secret) == -1 ||
		    totp_b32_encode(secret, sizeof(secret), fresh, sizeof(fresh)) == -1)
			return -1;
		OPENSSL_cleanse(secret, sizeof(secret));
		b32 = fresh;
	}
	if (totp_uri(issuer && *issuer ? issuer : "prepaid", r->sess->op_login,
	    b32, uri, sizeof(uri)) == -1)
		return -1;
	hdf_set_value(r->hdf, "Form.secret", b32);
	hdf_set_value(r->hdf, "Totp.uri", uri);
	return 0;
}

/* 1 when CODE is six digits; else its error is set. */
static int
code_ok(struct req *r, const struct fval *code)
{
	if (code->set && strlen(code->s) == 6 && strspn(code->s, "0123456789") == 6)
		return 1;
	if (code->set)
		web_error(r, "code", "Totp.err_digits");
	return 0;
}

/* Turning on: the secret of the form, proved by a current code. */
static int
totp_on(struct req *r)
{
	struct fval v[2];
	unsigned char secret[TOTP_SECRET_LEN + 1];
	char sealed[TOTP_SEALED_MAX];
	int64_t step = 0;
	int n, nerr, rc;

	nerr = form_check(r, on_fields, 2, v);
	n = v[0].set ? totp_b32_decode(v[0].s, secret, sizeof(secret)) : -1;
	if (n != TOTP_SECRET_LEN) {
		/* not the page's secret: a new one, the code is of no use */
		OPENSSL_cleanse(secret, sizeof(secret));
		hdf_remove_tree(r->hdf, "Form.code");
		web_error(r, "code", "Totp.err_secret");
		return show_secret(r, NULL);
	}
	if (show_secret(r, v[0].s) == -1)
		return -1;
	if (nerr || !code_ok(r, &v[1]))
		return 0;
	rc = totp_verify(secret, TOTP_SECRET_LEN, v[1].s, time(NULL), 0, &step);
	if (rc == TOTP_OK && totp_seal_keyfile(config_get(r->cf, "totp_key_file",
	    NULL), r->sess->op_id, secret, TOTP_SECRET_LEN, sealed) == -1) {
		log_warnx("totp: no key to seal secrets (totp_key_file)");
		rc = -1;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	if (rc == -1) {
		web_error(r, "form", "Totp.err_nokey");
		return 0;
	}
	if (rc != TOTP_OK) {
		web_log(r, "totp.enable_fail", r->sess->op_login, NULL, NULL);
		web_error(r, "code", "Totp.err_wrong");
		return 0;
	}
	if (db_exec(r->db, q[Q_ON], "sll", sealed, step, r->sess->op_id) == -1)
		return -1;
	/* a new factor: the operator's other sessions end (ASVS 3.3.3) */
	db_exec(r->db, q[Q_OTHERSESS], "ll", r->sess->op_id, r->sess->id);
	web_log(r, "totp.enable", r->sess->op_login, NULL, NULL);
	web_redirect(r, "/totp?ok=on");
	return 0;
}

/* 1 when PW is the operator's password, 0 when not, -1 on an error. */
static int
password_ok(struct req *r, const char *pw)
{
	struct dbres *res;
	int ok;

	if ((res = db_query(r->db, q[Q_PWGET], "l", r->sess->op_id)) == NULL)
		return -1;
	ok = db_next(res) == 1 ? crypto_password_verify(pw, db_col(res, 0)) : 0;
	db_res_free(res);
	return ok == 1;
}

/* 1 when CODE is a current, unused code of ST (its step is used up). */
static int
current_code(struct req *r, const struct state *st, const char *code)
{
	unsigned char secret[TOTP_SECRET_LEN];
	int64_t step = 0;
	int n, rc;

	n = totp_open_keyfile(config_get(r->cf, "totp_key_file", NULL),
	    r->sess->op_id, st->sealed, secret, sizeof(secret));
	if (n == -1) {
		log_warnx("%s: TOTP secret not opened (totp_key_file)",
		    r->sess->op_login);
		return -1;
	}
	rc = totp_verify(secret, (size_t)n, code, time(NULL), st->step, &step);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (rc == TOTP_REPLAY)
		web_error(r, "code", "Totp.err_replay");
	else if (rc == TOTP_WRONG)
		web_error(r, "code", "Totp.err_wrong");
	if (rc != TOTP_OK)
		return rc == -1 ? -1 : 0;
	if (db_exec(r->db, q[Q_USE], "lll", step, r->sess->op_id, step) != 1) {
		web_error(r, "code", "Totp.err_replay");
		return 0;
	}
	return 1;
}

/* Turning off: the password and a current code; never while required. */
static int
totp_off(struct req *r, const struct state *st)
{
	struct fval v[2];
	int nerr, ok;

	if (staff_totp_required(r)) {
		web_error(r, "form", "Totp.err_required");
		return 0;
	}
	nerr = form_check(r, off_fields, 2, v);
	if (!code_ok(r, &v[1]) || nerr)
		return 0;
	if ((ok = password_ok(r, v[0].s)) != 1) {
		if (ok == 0) {
			web_log(r, "totp.disable_fail", r->sess->op_login, NULL, NULL);
			web_error(r, "password", "err.pw_old_wrong");
		}
		return ok;
	}
	if ((ok = current_code(r, st, v[1].s)) != 1) {
		if (ok == 0)
			web_log(r, "totp.disable_fail", r->sess->op_login, NULL, NULL);
		return ok;
	}
	if (db_exec(r->db, q[Q_OFF], "l", r->sess->op_id) == -1)
		return -1;
	web_log(r, "totp.disable", r->sess->op_login, NULL, NULL);
	web_redirect(r, "/totp?ok=off");
	return 0;
}

/* F1/F5 for everyone signed in: 动态口令. */
int
page_totp(struct req *r)
{
	struct state st;

	if (state_load(r, &st) == -1)
		return -1;
	hdf_set_int_value(r->hdf, "Totp.on", st.on);
	hdf_set_int_value(r->hdf, "Totp.due", staff_totp_due(r));
	hdf_set_int_value(r->hdf, "Totp.required", staff_totp_required(r));
	web_render(r, "totp.cs");
	if (r->is_post && st.on)
		return totp_off(r, &st);
	if (r->is_post)
		return totp_on(r);
	return st.on ? 0 : show_secret(r, NULL);
}
