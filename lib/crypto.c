/* crypto.c - OpenSSL's RAND, SHA-256 and scrypt (EVP_KDF) behind small calls. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "crypto.h"

#define SCRYPT_N 16384
#define SCRYPT_R 8
#define SCRYPT_P 1
#define SALT_LEN 16
#define HASH_LEN 32

static void
tohex(const unsigned char *b, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
fromhex(const char *s, unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		b[i] = (unsigned char)v;
	}
	return s[2 * n] == '\0' || s[2 * n] == '$' ? 0 : -1;
}

int
crypto_random_hex(size_t nbytes, char *out)
{
	unsigned char buf[128];

	if (nbytes > sizeof(buf) || RAND_bytes(buf, (int)nbytes) != 1) {
		errno = EIO;
		return -1;
	}
	tohex(buf, nbytes, out);
	return 0;
}

int
crypto_sha256_hex(const char *s, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;

	if (EVP_Digest(s, strlen(s), md, &len, EVP_sha256(), NULL) != 1) {
		errno = EIO;
		return -1;
	}
	tohex(md, 32, out);
	return 0;
}

static int
scrypt(const char *pw, const unsigned char *salt, size_t saltlen,
    uint64_t n, uint32_t r, uint32_t p, unsigned char *out, size_t outlen)
{
	EVP_KDF *kdf;
	EVP_KDF_CTX *ctx;
	OSSL_PARAM params[6], *q = params;
	int rc;

	if ((kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL)) == NULL)
		return -1;
	ctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (ctx == NULL)
		return -1;
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	    (char *)pw, strlen(pw));
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (unsigned char *)salt, saltlen);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	*q = OSSL_PARAM_construct_end();
	rc = EVP_KDF_derive(ctx, out, outlen, params) == 1 ? 0 : -1;
	EVP_KDF_CTX_free(ctx);
	return rc;
}

char *
crypto_password_hash(const char *pw)
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	char salthex[2 * SALT_LEN + 1], hashhex[2 * HASH_LEN + 1];
	char *out;

	if (RAND_bytes(salt, sizeof(salt)) != 1 ||
	    scrypt(pw, salt, sizeof(salt), SCRYPT_N, SCRYPT_R, SCRYPT_P,
	    hash, sizeof(hash)) == -1) {
		errno = EIO;
		return NULL;
	}
	tohex(salt, sizeof(salt), salthex);
	tohex(hash, sizeof(hash), hashhex);
	if (asprintf(&out, "scrypt$%d$%d$%d$%s$%s", SCRYPT_N, SCRYPT_R,
	    SCRYPT_P, salthex, hashhex) == -1)
		return NULL;
	return out;
}

int
crypto_password_verify(const char *pw, const char *stored)
{
	unsigned long n, r, p;
	unsigned char salt[SALT_LEN], want[HASH_LEN], got[HASH_LEN];
	char salthex[2 * SALT_LEN + 1], hashhex[2 * HASH_LEN + 1];

	int end = 0;

	if (stored == NULL || sscanf(stored,
	    "scrypt$%lu$%lu$%lu$%32[0-9a-f]$%64[0-9a-f]%n",
	    &n, &r, &p, salthex, hashhex, &end) != 5 || stored[end] != '\0' ||
	    strlen(salthex) != 2 * SALT_LEN || strlen(hashhex) != 2 * HASH_LEN ||
	    fromhex(salthex, salt, SALT_LEN) == -1 ||
	    fromhex(hashhex, want, HASH_LEN) == -1 ||
	    n > (1UL << 20) || r > 32 || p > 16) {
		errno = EINVAL;
		return -1;
	}
	if (scrypt(pw, salt, SALT_LEN, n, (uint32_t)r, (uint32_t)p, got,
	    HASH_LEN) == -1) {
		errno = EIO;
		return -1;
	}
	return CRYPTO_memcmp(got, want, HASH_LEN) == 0;
}

int
crypto_password_random(char *out, size_t len)
{
	/* no 0/O/1/l/I: the password is read off a screen and typed */
	static const char letters[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
	static const char digits[] = "23456789";
	unsigned char b[64];

	if (len < 4 || len >= sizeof(b) || RAND_bytes(b, (int)len) != 1) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (i % 4 == 3)
			out[i] = digits[b[i] % (sizeof(digits) - 1)];
		else
			out[i] = letters[b[i] % (sizeof(letters) - 1)];
	}
	out[len] = '\0';
	return 0;
}
