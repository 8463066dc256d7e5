/* crypto.c - OpenSSL's RAND, SHA-256, scrypt (EVP_KDF) and the password hashes' pepper (HMAC-SHA256) behind small calls. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "crypto.h"
#include "log.h"

#define SCRYPT_N 16384
#define SCRYPT_R 8
#define SCRYPT_P 1
#define SALT_LEN 16
#define HASH_LEN 32
#define PEPPER_LEN 32

/* The schemes a stored hash names first: plain, and keyed with the pepper. */
#define SCHEME_PLAIN "scrypt"
#define SCHEME_PEPPER "scrypt-hmac"

/* Read once at the program's start, before its workers fork. */
static unsigned char pepper[PEPPER_LEN];
static int have_pepper;

void
crypto_hex(const unsigned char *b, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
crypto_unhex(const char *s, size_t len, unsigned char *b, size_t n)
{
	if (len != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int
crypto_key_file(const char *path, unsigned char *key, size_t len)
{
	char buf[2 * 64 + 8];
	struct stat st;
	ssize_t n;
	int fd, rc;

	if (path == NULL || *path == '\0') {
		errno = ENOENT;
		return -1;
	}
	if (len > 64) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	/* a key others may read is no key */
	if (fstat(fd, &st) == -1 || (st.st_mode & 077) != 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	rc = n < 0 ? -1 : crypto_unhex(buf, (size_t)n, key, len);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc == -1) {
		OPENSSL_cleanse(key, len);
		errno = EINVAL;
	}
	return rc;
}

int
crypto_random_hex(size_t nbytes, char *out)
{
	unsigned char buf[128];

	if (nbytes > sizeof(buf) || RAND_bytes(buf, (int)nbytes) != 1) {
		errno = EIO;
		return -1;
	}
	crypto_hex(buf, nbytes, out);
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
	crypto_hex(md, 32, out);
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

int
crypto_pepper_load(const char *path)
{
	if (crypto_key_file(path, pepper, PEPPER_LEN) == 0) {
		have_pepper = 1;
		return 0;
	}
	if (errno == ENOENT && (path == NULL || *path == '\0'))
		log_warnx("password_pepper_file is not set: the password hashes"
		    " need their key");
	else if (errno == EPERM) {
		struct stat st;

		log_warnx("password pepper %s: mode %03o, must be 0600 (readable"
		    " by its owner only)", path, stat(path, &st) == 0 ?
		    (unsigned)(st.st_mode & 0777) : 0u);
	}
	else if (errno == EINVAL)
		log_warnx("password pepper %s: not 64 hex digits", path);
	else
		log_warn("password pepper %s", path);
	return -1;
}

void
crypto_pepper_forget(void)
{
	OPENSSL_cleanse(pepper, sizeof(pepper));
	have_pepper = 0;
}

/* The scrypt output keyed again with the pepper, in place; 0 or -1. */
static int
pepper_mac(unsigned char *hash)
{
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (HMAC(EVP_sha256(), pepper, PEPPER_LEN, hash, HASH_LEN, out,
	    &len) == NULL || len != HASH_LEN)
		return -1;
	memcpy(hash, out, HASH_LEN);
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}

char *
crypto_password_hash(const char *pw)
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	char salthex[2 * SALT_LEN + 1], hashhex[2 * HASH_LEN + 1];
	char *out;

	if (RAND_bytes(salt, sizeof(salt)) != 1 ||
	    scrypt(pw, salt, sizeof(salt), SCRYPT_N, SCRYPT_R, SCRYPT_P,
	    hash, sizeof(hash)) == -1 || (have_pepper && pepper_mac(hash))) {
		errno = EIO;
		return NULL;
	}
	crypto_hex(salt, sizeof(salt), salthex);
	crypto_hex(hash, sizeof(hash), hashhex);
	if (asprintf(&out, "%s$%d$%d$%d$%s$%s", have_pepper ? SCHEME_PEPPER :
	    SCHEME_PLAIN, SCRYPT_N, SCRYPT_R, SCRYPT_P, salthex, hashhex) == -1)
		return NULL;
	return out;
}

struct stored {
	int peppered;
	unsigned long n, r, p;
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
};

/* STORED taken apart into *S; 0, or -1 (EINVAL) when malformed. */
static int
stored_parse(const char *stored, struct stored *s)
{
	char salthex[2 * SALT_LEN + 1], hashhex[2 * HASH_LEN + 1];
	size_t skip = 0;
	int end = 0;

	if (stored != NULL && strncmp(stored, SCHEME_PEPPER "$",
	    sizeof(SCHEME_PEPPER)) == 0)
		skip = sizeof(SCHEME_PEPPER);
	else if (stored != NULL && strncmp(stored, SCHEME_PLAIN "$",
	    sizeof(SCHEME_PLAIN)) == 0)
		skip = sizeof(SCHEME_PLAIN);
	s->peppered = skip == sizeof(SCHEME_PEPPER);
	if (skip == 0 || sscanf(stored + skip,
	    "%lu$%lu$%lu$%32[0-9a-f]$%64[0-9a-f]%n", &s->n, &s->r, &s->p,
	    salthex, hashhex, &end) != 5 || stored[skip + (size_t)end] != '\0' ||
	    strlen(salthex) != 2 * SALT_LEN || strlen(hashhex) != 2 * HASH_LEN ||
	    crypto_unhex(salthex, strlen(salthex), s->salt, SALT_LEN) == -1 ||
	    crypto_unhex(hashhex, strlen(hashhex), s->hash, HASH_LEN) == -1 ||
	    s->n > (1UL << 20) || s->r > 32 || s->p > 16) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
crypto_password_verify(const char *pw, const char *stored)
{
	struct stored s;
	unsigned char got[HASH_LEN];
	int rc;

	if (stored_parse(stored, &s) == -1)
		return -1;
	if (s.peppered && !have_pepper) {
		errno = ENOKEY;
		return -1;
	}
	if (scrypt(pw, s.salt, SALT_LEN, s.n, (uint32_t)s.r, (uint32_t)s.p,
	    got, HASH_LEN) == -1 || (s.peppered && pepper_mac(got) == -1)) {
		errno = EIO;
		return -1;
	}
	rc = CRYPTO_memcmp(got, s.hash, HASH_LEN) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	return rc;
}

int
crypto_password_stale(const char *stored)
{
	struct stored s;

	if (stored_parse(stored, &s) == -1)
		return 0;
	return (have_pepper && !s.peppered) || s.n < SCRYPT_N ||
	    s.r < SCRYPT_R || s.p < SCRYPT_P;
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
