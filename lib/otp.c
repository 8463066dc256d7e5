/* otp.c - M1/M4 one-time codes: random digits, HMAC-SHA256 with the student site's key, and the definer functions of 023_student_codes.sql. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "db.h"
#include "otp.h"

#define KEY_MAX 64	/* bytes of key used */

enum { Q_SEND, Q_CHECK, Q_MASKED };
static const char *const q[] = {
	[Q_SEND] = "SELECT student_code_send(?, ?, NULLIF(?, 0), ?, ?)",
	[Q_CHECK] = "SELECT student_code_check(?, ?, NULLIF(?, 0), ?)",
	[Q_MASKED] = "SELECT student_phone_masked(?)",
};

int
otp_code(char out[OTP_DIGITS + 1])
{
	unsigned char b[4];
	uint32_t v;

	/* below the largest multiple of 10^6 that fits: no digit favoured */
	do {
		if (RAND_bytes(b, sizeof(b)) != 1) {
			errno = EIO;
			return -1;
		}
		v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		    (uint32_t)b[2] << 8 | b[3];
	} while (v >= 4294000000u);
	snprintf(out, OTP_DIGITS + 1, "%06u", (unsigned)(v % 1000000u));
	return 0;
}

int
otp_code_ok(const char *s)
{
	int n;

	for (n = 0; s[n]; n++)
		if (s[n] < '0' || s[n] > '9')
			return 0;
	return n == OTP_DIGITS;
}

static int
key_bytes(const char *hex, unsigned char *key, size_t *n)
{
	unsigned int v;

	*n = 0;
	if (hex == NULL)
		return -1;
	while (*n < KEY_MAX && hex[2 * *n] && hex[2 * *n + 1] &&
	    sscanf(hex + 2 * *n, "%2x", &v) == 1)
		key[(*n)++] = (unsigned char)v;
	return *n >= 32 ? 0 : -1;
}

static int
hmac_hex(const char *keyhex, const char *msg, char *out, size_t hexlen)
{
	static const char hx[] = "0123456789abcdef";
	unsigned char key[KEY_MAX], mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	size_t n;

	if (key_bytes(keyhex, key, &n) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (HMAC(EVP_sha256(), key, (int)n, (const unsigned char *)msg,
	    strlen(msg), mac, &len) == NULL || len * 2 < hexlen) {
		errno = EIO;
		return -1;
	}
	for (size_t i = 0; i < hexlen / 2; i++) {
		out[2 * i] = hx[mac[i] >> 4];
		out[2 * i + 1] = hx[mac[i] & 15];
	}
	out[hexlen] = '\0';
	return 0;
}

int
otp_hash(const char *key, const char *purpose, const char *phone,
    const char *code, char out[65])
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%s\n%s\n%s", purpose, phone, code);
	return hmac_hex(key, msg, out, 64);
}

int
otp_lock_login(const char *key, const char *phone, char *out, size_t sz)
{
	char msg[64], mac[41];

	if (sz < 43) {
		errno = EINVAL;
		return -1;
	}
	snprintf(msg, sizeof(msg), "lock\n%s", phone);
	if (hmac_hex(key, msg, mac, 40) == -1)
		return -1;
	snprintf(out, sz, "t:%s", mac);
	return 0;
}

int
otp_body(const char *tpl, const char *code, char *out, size_t sz)
{
	const char *at = strstr(tpl, "{code}");
	int n;

	if (at == NULL) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(out, sz, "%.*s%s%s", (int)(at - tpl), tpl, code, at + 6);
	if (n < 0 || (size_t)n >= sz) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
otp_send(struct db *db, const char *purpose, const char *phone,
    int64_t account, const char *hash, const char *body)
{
	struct dbres *res = db_query(db, q[Q_SEND], "sslss", purpose, phone,
	    account, hash, body);
	const char *v;
	int rc = -1;

	if (res == NULL)
		return -1;
	if (db_next(res) == 1 && (v = db_col(res, 0)) != NULL) {
		if (strcmp(v, "sent") == 0)
			rc = OTP_SENT;
		else if (strcmp(v, "wait") == 0)
			rc = OTP_WAIT_MINUTE;
		else if (strcmp(v, "hour") == 0)
			rc = OTP_WAIT_HOUR;
	}
	db_res_free(res);
	if (rc == -1)
		errno = EINVAL;
	return rc;
}

int64_t
otp_check(struct db *db, const char *purpose, const char *phone,
    int64_t account, const char *hash)
{
	struct dbres *res = db_query(db, q[Q_CHECK], "ssls", purpose, phone,
	    account, hash);
	int64_t id = -1;

	if (res == NULL)
		return -1;
	if (db_next(res) == 1)
		id = db_coll(res, 0);
	db_res_free(res);
	return id;
}

int
otp_masked_phone(struct db *db, int64_t account, char *out, size_t sz)
{
	struct dbres *res = db_query(db, q[Q_MASKED], "l", account);

	*out = '\0';
	if (res == NULL)
		return -1;
	if (db_next(res) == 1 && db_col(res, 0))
		snprintf(out, sz, "%s", db_col(res, 0));
	db_res_free(res);
	return 0;
}
