/* page-phone.c - M4 the student's phone for SMS: changed only once a code sent to the new phone is entered. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config.h"
#include "log.h"
#include "otp.h"
#include "pages.h"
#include "valid.h"

#define FAIL_DELAY_US 150000

static const struct field send_fields[] = {
	{ "phone", FT_TEXT, 1, 0, 20, NULL },
};
static const struct field check_fields[] = {
	{ "phone", FT_TEXT, 1, 0, 20, NULL },
	{ "code", FT_TEXT, 1, 0, 16, NULL },
};
enum { P_PHONE, P_CODE, P_N };

/* 138****5678 of PHONE into OUT (64 bytes). */
static void
mask(const char *phone, char *out)
{
	size_t n = strlen(phone);

	if (n < 8)
		snprintf(out, 64, "%s", "");
	else
		snprintf(out, 64, "%.3s****%s", phone, phone + n - 4);
}

/* The log's object: the student's account. */
static const char *
obj(struct req *r)
{
	static char o[40];

	snprintf(o, sizeof(o), "account:%lld", (long long)r->sess->account_id);
	return o;
}

static int
phone_form(struct req *r, const char *step)
{
	hdf_set_value(r->hdf, "Form.step", step);
	web_render(r, "phone.cs");
	return 0;
}

/* Step one: a code to the new phone. */
static int
phone_request(struct req *r, const char *key)
{
	struct fval v[1];
	char code[OTP_DIGITS + 1], hash[65], body[700], to[64], after[128];
	int rc;

	if (form_check(r, send_fields, 1, v) > 0)
		return phone_form(r, "send");
	if (valid_phone(v[0].s) != NULL) {
		web_error(r, "phone", "code.err.bad_phone");
		return phone_form(r, "send");
	}
	if (otp_code(code) == -1 || otp_hash(key, "phone", v[0].s, code,
	    hash) == -1 || otp_body(web_lang(r, "phone.sms"), code, body,
	    sizeof(body)) == -1)
		return -1;
	rc = otp_send(r->db, "phone", v[0].s, r->sess->account_id, hash, body);
	OPENSSL_cleanse(code, sizeof(code));
	OPENSSL_cleanse(body, sizeof(body));
	if (rc == -1)
		return -1;
	mask(v[0].s, to);
	snprintf(after, sizeof(after), "{\"to\":\"%s\",\"sent\":%d}", to,
	    rc == OTP_SENT);
	web_log(r, "student.phone.code", obj(r), NULL, after);
	hdf_set_int_value(r->hdf, "Form.sent", rc);
	hdf_set_value(r->hdf, "Form.masked", to);
	return phone_form(r, "check");
}

/* Step two: the code sent to the new phone; the phone changes only now. */
static int
phone_verify(struct req *r, const char *key, const char *old)
{
	struct fval v[P_N];
	char hash[65], to[64], before[96], after[96];
	int64_t id;
	int nerr = form_check(r, check_fields, P_N, v);

	if (v[P_PHONE].set && valid_phone(v[P_PHONE].s) != NULL)
		nerr += web_error(r, "phone", "code.err.bad_phone");
	if (v[P_CODE].set && !otp_code_ok(v[P_CODE].s))
		nerr += web_error(r, "code", "code.err.bad_code");
	if (v[P_PHONE].set)
		mask(v[P_PHONE].s, to);
	else
		to[0] = '\0';
	hdf_set_value(r->hdf, "Form.masked", to);
	if (nerr > 0)
		return phone_form(r, "check");
	if (otp_hash(key, "phone", v[P_PHONE].s, v[P_CODE].s, hash) == -1 ||
	    (id = otp_check(r->db, "phone", v[P_PHONE].s,
	    r->sess->account_id, hash)) == -1)
		return -1;
	if (id != r->sess->account_id) {
		usleep(FAIL_DELAY_US);
		web_log(r, "student.phone.fail", obj(r), NULL, NULL);
		web_error(r, "code", "code.err.wrong");
		return phone_form(r, "check");
	}
	snprintf(before, sizeof(before), "{\"phone\":\"%s\"}", old);
	snprintf(after, sizeof(after), "{\"phone\":\"%s\"}", to);
	web_log(r, "student.phone.change", obj(r), before, after);
	web_redirect(r, "/m/phone?ok=phone_changed");
	return 0;
}

/* The step posted shown again as it was typed (the password asked again
 * was not given or wrong). */
static int
phone_again(struct req *r)
{
	const char *phone = web_query(r, "phone", "");
	char to[64];

	if (strlen(phone) > 20)
		phone = "";
	hdf_set_value(r->hdf, "Form.phone", phone);
	if (strcmp(web_query(r, "step", ""), "check") != 0)
		return phone_form(r, "send");
	mask(phone, to);
	hdf_set_value(r->hdf, "Form.masked", to);
	return phone_form(r, "check");
}

int
page_phone(struct req *r)
{
	const char *key = config_get(r->cf, "code_key", NULL);
	char old[64];
	int rc;

	if (otp_masked_phone(r->db, r->sess->account_id, old, sizeof(old)) == -1)
		return -1;
	hdf_set_value(r->hdf, "Page.phone", old);
	/* a remembered sign-in over 12 hours old gives its password again;
	 * what was typed stays in the form */
	if ((rc = mobile_reauth(r)) == -1)
		return -1;
	if (!r->is_post)
		return phone_form(r, "send");
	if (rc == 0)
		return phone_again(r);
	if (key == NULL || strlen(key) < 64) {
		log_warnx("code_key: missing or shorter than 64 hex digits");
		return -1;
	}
	if (strcmp(web_query(r, "step", ""), "check") == 0)
		return phone_verify(r, key, old);
	return phone_request(r, key);
}
