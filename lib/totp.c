/* totp.c - RFC 6238 codes (HMAC-SHA1 through OpenSSL), base32 and otpauth:// URIs, and the AES-256-GCM sealing of the secrets stored. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto.h"
#include "totp.h"

#define IV_LEN 12
#define TAG_LEN 16

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int64_t
totp_step(time_t t)
{
	return t < 0 ? 0 : (int64_t)(t / TOTP_STEP);
}

long
totp_code(const unsigned char *key, size_t n, uint64_t step, int digits)
{
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0, off;
	uint32_t bin;
	long mod = 1;

	if (digits < 6 || digits > 8) {
		errno = EINVAL;
		return -1;
	}
	/* the counter as 8 bytes, most significant first (RFC 4226 5.2) */
	for (int i = 7; i >= 0; i--, step >>= 8)
		msg[i] = (unsigned char)(step & 0xff);
	if (HMAC(EVP_sha1(), key, (int)n, msg, sizeof(msg), mac, &len) == NULL ||
	    len != 20) {
		errno = EIO;
		return -1;
	}
	/* dynamic truncation (RFC 4226 5.3) */
	off = mac[19] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	    (uint32_t)mac[off + 2] << 8 | mac[off + 3];
	while (digits-- > 0)
		mod *= 10;
	return (long)(bin % (uint32_t)mod);
}

int
totp_verify(const unsigned char *key, size_t n, const char *code,
    time_t now, int64_t last, int64_t *step)
{
	int64_t cur = totp_step(now), found = 0, replay = 0;
	char want[TOTP_DIGITS + 1];
	long c;

	if (code == NULL || strlen(code) != TOTP_DIGITS ||
	    strspn(code, "0123456789") != TOTP_DIGITS)
		return TOTP_WRONG;
	/* every step of the window is computed, whatever matched */
	for (int64_t s = cur - TOTP_WINDOW; s <= cur + TOTP_WINDOW; s++) {
		if (s < 0)
			continue;
		if ((c = totp_code(key, n, (uint64_t)s, TOTP_DIGITS)) == -1)
			return -1;
		snprintf(want, sizeof(want), "%0*ld", TOTP_DIGITS, c);
		if (CRYPTO_memcmp(want, code, TOTP_DIGITS) != 0)
			continue;
		if (s > last && found == 0)
			found = s;
		else if (s <= last)
			replay = 1;
	}
	if (found) {
		*step = found;
		return TOTP_OK;
	}
	return replay ? TOTP_REPLAY : TOTP_WRONG;
}

int
totp_secret_new(unsigned char out[TOTP_SECRET_LEN])
{
	if (RAND_bytes(out, TOTP_SECRET_LEN) != 1) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int
totp_b32_encode(const unsigned char *in, size_t n, char *out, size_t sz)
{
	uint32_t buf = 0;
	int bits = 0;
	size_t o = 0;

	if (sz < (n * 8 + 4) / 5 + 1) {
		errno = ENOSPC;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		buf = buf << 8 | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32[(buf << (5 - bits)) & 31];
	out[o] = '\0';
	return 0;
}

int
totp_b32_decode(const char *s, unsigned char *out, size_t sz)
{
	uint32_t buf = 0;
	int bits = 0;
	size_t o = 0;
	const char *p;

	for (; *s; s++) {
		char ch = *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s;

		if (ch == ' ' || ch == '-' || ch == '=')
			continue;
		if ((p = strchr(b32, ch)) == NULL || ch == '\0')
			goto bad;
		buf = buf << 5 | (uint32_t)(p - b32);
		bits += 5;
		if (bits >= 8) {
			if (o >= sz)
				goto bad;
			out[o++] = (unsigned char)(buf >> (bits - 8));
			bits -= 8;
		}
	}
	return (int)o;
bad:
	errno = EINVAL;
	return -1;
}

/* S percent-encoded but for RFC 3986's unreserved characters, at OUT+*O. */
static int
uri_escape(const char *s, char *out, size_t sz, size_t *o)
{
	static const char hx[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (*o + 4 > sz)
			return -1;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch) != NULL) {
			out[(*o)++] = (char)ch;
			continue;
		}
		out[(*o)++] = '%';
		out[(*o)++] = hx[ch >> 4];
		out[(*o)++] = hx[ch & 15];
	}
	out[*o] = '\0';
	return 0;
}

int
totp_uri(const char *issuer, const char *login, const char *secret,
    char *out, size_t sz)
{
	size_t o;
	int n;

	/* Key URI Format of Google Authenticator, what the phone apps read */
	if ((n = snprintf(out, sz, "otpauth://totp/")) < 0 || (size_t)n >= sz)
		goto full;
	o = (size_t)n;
	if (uri_escape(issuer, out, sz, &o) == -1 || o + 4 > sz)
		goto full;
	memcpy(out + o, "%3A", 4);
	o += 3;
	if (uri_escape(login, out, sz, &o) == -1)
		goto full;
	n = snprintf(out + o, sz - o, "?secret=%s&algorithm=SHA1&digits=%d"
	    "&period=%d&issuer=", secret, TOTP_DIGITS, TOTP_STEP);
	if (n < 0 || (size_t)n >= sz - o)
		goto full;
	o += (size_t)n;
	if (uri_escape(issuer, out, sz, &o) == -1)
		goto full;
	return 0;
full:
	errno = ENOSPC;
	return -1;
}

int
totp_key_load(const char *path, unsigned char key[TOTP_KEY_LEN])
{
	return crypto_key_file(path, key, TOTP_KEY_LEN);
}

/* AES-256-GCM of IN (N bytes) into OUT, with the operator's id as the
 * authenticated data; ENC 1 seals (TAG out), 0 opens (TAG checked). */
static int
gcm(int enc, const unsigned char *key, int64_t id, const unsigned char *iv,
    const unsigned char *in, size_t n, unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX *ctx;
	char aad[32];
	int len, ok;

	snprintf(aad, sizeof(aad), "operator:%lld", (long long)id);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, IV_LEN, NULL) == 1 &&
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) == 1 &&
	    EVP_CipherUpdate(ctx, NULL, &len, (const unsigned char *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_CipherUpdate(ctx, out, &len, in, (int)n) == 1 &&
	    (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1) &&
	    EVP_CipherFinal_ex(ctx, out + len, &len) == 1 &&
	    (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int
totp_seal(const unsigned char key[TOTP_KEY_LEN], int64_t id,
    const unsigned char *in, size_t n, char out[TOTP_SEALED_MAX])
{
	unsigned char iv[IV_LEN], ct[TOTP_SECRET_LEN], tag[TAG_LEN];
	char ivh[2 * IV_LEN + 1], cth[2 * TOTP_SECRET_LEN + 1], tagh[2 * TAG_LEN + 1];

	if (n == 0 || n > sizeof(ct)) {
		errno = EINVAL;
		return -1;
	}
	if (RAND_bytes(iv, sizeof(iv)) != 1 ||
	    gcm(1, key, id, iv, in, n, ct, tag) == -1) {
		errno = EIO;
		return -1;
	}
	crypto_hex(iv, IV_LEN, ivh);
	crypto_hex(ct, n, cth);
	crypto_hex(tag, TAG_LEN, tagh);
	snprintf(out, TOTP_SEALED_MAX, "g1$%s$%s$%s", ivh, cth, tagh);
	OPENSSL_cleanse(ct, sizeof(ct));
	return 0;
}

int
totp_open(const unsigned char key[TOTP_KEY_LEN], int64_t id,
    const char *sealed, unsigned char *out, size_t sz)
{
	unsigned char iv[IV_LEN], ct[TOTP_SECRET_LEN], tag[TAG_LEN];
	const char *a, *b;
	size_t n;

	if (sealed == NULL || strncmp(sealed, "g1$", 3) != 0 ||
	    (a = strchr(sealed + 3, '$')) == NULL ||
	    (b = strchr(a + 1, '$')) == NULL || (b - a - 1) % 2 != 0)
		goto bad;
	n = (size_t)(b - a - 1) / 2;
	if (n == 0 || n > sizeof(ct) || n > sz ||
	    crypto_unhex(sealed + 3, (size_t)(a - sealed - 3), iv, IV_LEN) == -1 ||
	    crypto_unhex(a + 1, (size_t)(b - a - 1), ct, n) == -1 ||
	    crypto_unhex(b + 1, strlen(b + 1), tag, TAG_LEN) == -1 ||
	    gcm(0, key, id, iv, ct, n, out, tag) == -1)
		goto bad;
	return (int)n;
bad:
	errno = EINVAL;
	return -1;
}

int
totp_seal_keyfile(const char *keyfile, int64_t id, const unsigned char *in,
    size_t n, char out[TOTP_SEALED_MAX])
{
	unsigned char key[TOTP_KEY_LEN];
	int rc;

	if (totp_key_load(keyfile, key) == -1)
		return -1;
	rc = totp_seal(key, id, in, n, out);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int
totp_open_keyfile(const char *keyfile, int64_t id, const char *sealed,
    unsigned char *out, size_t sz)
{
	unsigned char key[TOTP_KEY_LEN];
	int rc;

	if (totp_key_load(keyfile, key) == -1)
		return -1;
	rc = totp_open(key, id, sealed, out, sz);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}
