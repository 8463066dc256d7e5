/* token.c - recharge tokens: HMAC-SHA256 key derivation, 3DES-EDE3-CBC and CMAC-3DES via OpenSSL 3 EVP. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "token.h"

#define PLAIN_LEN	16
#define MAC_LEN		8

static void
put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static uint16_t
get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* One EVP_MAC computation: HMAC (DIGEST) or CMAC (CIPHER); 0 or -1. */
static int
mac_compute(const char *alg, const char *pname, const char *pval,
    const uint8_t *key, size_t keylen, const uint8_t *in1, size_t len1,
    const uint8_t *in2, size_t len2, uint8_t *out, size_t outsize)
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t outlen = 0;
	int rc = -1;

	params[0] = OSSL_PARAM_construct_utf8_string(pname, (char *)pval, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, alg, NULL)) == NULL)
		goto out;
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL)
		goto out;
	if (EVP_MAC_init(ctx, key, keylen, params) != 1)
		goto out;
	if (EVP_MAC_update(ctx, in1, len1) != 1)
		goto out;
	if (len2 > 0 && EVP_MAC_update(ctx, in2, len2) != 1)
		goto out;
	if (EVP_MAC_final(ctx, out, &outlen, outsize) != 1)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

int
token_derive_keys(const uint8_t vk[TOKEN_VK_LEN], uint32_t meter,
    uint8_t kenc[TOKEN_KEY_LEN], uint8_t kmac[TOKEN_KEY_LEN])
{
	uint8_t num[4], md[32];
	int rc = 0;

	put32(num, meter);
	if (kenc != NULL) {
		if (mac_compute("HMAC", OSSL_MAC_PARAM_DIGEST, "SHA256", vk,
		    TOKEN_VK_LEN, (const uint8_t *)"enc", 3, num, 4, md,
		    sizeof(md)) == -1)
			rc = -1;
		else
			memcpy(kenc, md, TOKEN_KEY_LEN);
	}
	if (rc == 0 && kmac != NULL) {
		if (mac_compute("HMAC", OSSL_MAC_PARAM_DIGEST, "SHA256", vk,
		    TOKEN_VK_LEN, (const uint8_t *)"mac", 3, num, 4, md,
		    sizeof(md)) == -1)
			rc = -1;
		else
			memcpy(kmac, md, TOKEN_KEY_LEN);
	}
	OPENSSL_cleanse(md, sizeof(md));
	if (rc == -1)
		errno = EIO;
	return rc;
}

/* 3DES-EDE3-CBC, IV 0, no padding, of 16 bytes; ENC 1 or 0. */
static int
des3_cbc(const uint8_t key[TOKEN_KEY_LEN], int enc, const uint8_t *in,
    uint8_t *out)
{
	EVP_CIPHER *cipher = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t iv[8] = { 0 };
	int len1 = 0, len2 = 0, rc = -1;

	if ((cipher = EVP_CIPHER_fetch(NULL, "DES-EDE3-CBC", NULL)) == NULL)
		goto out;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (EVP_CipherInit_ex2(ctx, cipher, key, iv, enc, NULL) != 1)
		goto out;
	if (EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
		goto out;
	if (EVP_CipherUpdate(ctx, out, &len1, in, PLAIN_LEN) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + len1, &len2) != 1)
		goto out;
	if (len1 + len2 != PLAIN_LEN)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return rc;
}

/* The first 8 bytes of CMAC-3DES(KMAC, C). */
static int
token_mac(const uint8_t kmac[TOKEN_KEY_LEN], const uint8_t c[PLAIN_LEN],
    uint8_t mac[MAC_LEN])
{
	uint8_t full[16];

	if (mac_compute("CMAC", OSSL_MAC_PARAM_CIPHER, "DES-EDE3-CBC", kmac,
	    TOKEN_KEY_LEN, c, PLAIN_LEN, NULL, 0, full, sizeof(full)) == -1)
		return -1;
	memcpy(mac, full, MAC_LEN);
	return 0;
}

/* Forgets the keys and the plain text of a token. */
static void
wipe(uint8_t kenc[TOKEN_KEY_LEN], uint8_t kmac[TOKEN_KEY_LEN],
    uint8_t plain[PLAIN_LEN])
{
	OPENSSL_cleanse(kenc, TOKEN_KEY_LEN);
	OPENSSL_cleanse(kmac, TOKEN_KEY_LEN);
	OPENSSL_cleanse(plain, PLAIN_LEN);
}

int
token_build(const uint8_t vk[TOKEN_VK_LEN], const struct token_plain *p,
    uint8_t out[TOKEN_LEN])
{
	uint8_t kenc[TOKEN_KEY_LEN], kmac[TOKEN_KEY_LEN], plain[PLAIN_LEN];
	int rc = -1;

	put32(plain, p->meter_number);
	put16(plain + 4, p->count);
	put16(plain + 6, p->op);
	put32(plain + 8, p->amount);
	put32(plain + 12, p->issued_at);
	if (token_derive_keys(vk, p->meter_number, kenc, kmac) == -1)
		goto out;
	if (des3_cbc(kenc, 1, plain, out) == -1)
		goto out;
	if (token_mac(kmac, out, out + PLAIN_LEN) == -1)
		goto out;
	rc = 0;
out:
	wipe(kenc, kmac, plain);
	if (rc == -1)
		errno = EIO;
	return rc;
}

int
token_open(const uint8_t vk[TOKEN_VK_LEN], uint32_t meter_number,
    const uint8_t tok[TOKEN_LEN], struct token_plain *p)
{
	uint8_t kenc[TOKEN_KEY_LEN], kmac[TOKEN_KEY_LEN], plain[PLAIN_LEN];
	uint8_t mac[MAC_LEN];
	int rc = -1, err = EIO;

	if (token_derive_keys(vk, meter_number, kenc, kmac) == -1)
		goto out;
	if (token_mac(kmac, tok, mac) == -1)
		goto out;
	if (CRYPTO_memcmp(mac, tok + PLAIN_LEN, MAC_LEN) != 0) {
		err = EBADMSG;
		goto out;
	}
	if (des3_cbc(kenc, 0, tok, plain) == -1)
		goto out;
	p->meter_number = get32(plain);
	p->count = get16(plain + 4);
	p->op = get16(plain + 6);
	p->amount = get32(plain + 8);
	p->issued_at = get32(plain + 12);
	rc = 0;
out:
	wipe(kenc, kmac, plain);
	if (rc == -1)
		errno = err;
	return rc;
}

void
token_to_regs(const uint8_t tok[TOKEN_LEN], uint16_t regs[TOKEN_REGS])
{
	for (int i = 0; i < TOKEN_REGS; i++)
		regs[i] = get16(tok + 2 * i);
}

void
token_from_regs(const uint16_t regs[TOKEN_REGS], uint8_t tok[TOKEN_LEN])
{
	for (int i = 0; i < TOKEN_REGS; i++)
		put16(tok + 2 * i, regs[i]);
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
token_key_parse(const char *hex, uint8_t vk[TOKEN_VK_LEN])
{
	const char *end;

	for (int i = 0; i < TOKEN_VK_LEN; i++) {
		int hi = hexval(hex[2 * i]), lo;

		if (hi == -1 || (lo = hexval(hex[2 * i + 1])) == -1)
			goto bad;
		vk[i] = (uint8_t)(hi << 4 | lo);
	}
	end = hex + 2 * TOKEN_VK_LEN;
	if (*end == '\r')
		end++;
	if (*end == '\n')
		end++;
	if (*end != '\0')
		goto bad;
	return 0;
bad:
	OPENSSL_cleanse(vk, TOKEN_VK_LEN);
	errno = EINVAL;
	return -1;
}

int
token_key_read(const char *path, uint8_t vk[TOKEN_VK_LEN])
{
	char buf[2 * TOKEN_VK_LEN + 8];
	size_t len = 0;
	ssize_t n;
	int fd, rc, err;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err = errno;
			close(fd);
			OPENSSL_cleanse(buf, sizeof(buf));
			errno = err;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	rc = token_key_parse(buf, vk);
	err = errno;
	OPENSSL_cleanse(buf, sizeof(buf));
	errno = err;
	return rc;
}
