/* wechat.c - fuzzes WeChat Pay's notice and answer reading (lib/pay-wechat.c): the signed envelope, the strict JSON reader with its nested objects, the resource's AEAD_AES_256_GCM; what passes names our app and merchant, an order and a whole amount. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "pay.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "property failed: %s " \
	"(line %d)\n", #c, __LINE__); abort(); } } while (0)

static struct pay_conf conf = {
	.channel = "wechat", .app_id = "wx00000000000000a1",
	.seller_id = "1900000001", .gateway = "http://127.0.0.1:1",
	.v3key = "0123456789abcdef0123456789abcdef", .has_v3key = 1,
};

/* The first byte chooses: 0 the notice's body as sent, 1 the plaintext of
 * a resource encrypted here (so that the transaction reader is reached),
 * 2 a whole envelope (headers, body) as a notice, 3 as a query's answer. */
static char *
sealed(const uint8_t *p, size_t n)
{
	static const char fmt[] = "{\"id\":\"x\",\"resource\":{\"algorithm\":"
	    "\"AEAD_AES_256_GCM\",\"nonce\":\"abcdefghijkl\",\"associated_data\":"
	    "\"transaction\",\"ciphertext\":\"%s\"}}";
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	unsigned char *ct = malloc(n + 16);
	char *b64 = malloc(4 * ((n + 18) / 3) + 1), *out = NULL;
	int l = 0;

	if (ctx && ct && b64 &&
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, conf.v3key,
	    (const unsigned char *)"abcdefghijkl") == 1 &&
	    EVP_EncryptUpdate(ctx, NULL, &l, (const unsigned char *)"transaction",
	    11) == 1 &&
	    EVP_EncryptUpdate(ctx, ct, &l, p, (int)n) == 1 &&
	    EVP_EncryptFinal_ex(ctx, ct + l, &l) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, ct + n) == 1) {
		EVP_EncodeBlock((unsigned char *)b64, ct, (int)n + 16);
		if ((out = malloc(sizeof(fmt) + strlen(b64))) != NULL)
			sprintf(out, fmt, b64);
	}
	EVP_CIPHER_CTX_free(ctx);
	free(ct);
	free(b64);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pay_notice n;
	const char *out = NULL;
	char *s, url[256];
	int mode;

	if (size < 1 || size > 8192)
		return 0;
	if (conf.gw_key == NULL)	/* a platform key; nothing the input signs */
		conf.gw_key = EVP_RSA_gen(1024);
	mode = data[0] % 4;
	data++, size--;
	memset(&n, 0, sizeof(n));
	if (mode == 1) {
		if ((s = sealed(data, size)) == NULL)
			return 0;
		out = pay_wechat_notice(&conf, s, strlen(s), &n);
		free(s);
	} else {
		if ((s = malloc(size + 1)) == NULL)
			return 0;
		memcpy(s, data, size);
		s[size] = '\0';
		if (mode == 0)
			out = pay_wechat_notice(&conf, s, size, &n);
		else if (mode == 2)
			out = pay_wechat.verify(&conf, s, size, &n);
		else {
			struct pay_http h = { .status = 200, .answer = s };

			CHECK(pay_wechat.answer(&conf, PAY_CALL_QUERY, &h, &n, url,
			    sizeof(url)) == -1);	/* no signature holds */
			out = "";
		}
		free(s);
	}
	CHECK(strlen(n.out_trade_no) < sizeof(n.out_trade_no));
	CHECK(strlen(n.note) < sizeof(n.note));
	if (out == NULL) {
		/* taken: only after the tag held (no signature of the input
		 * does), with a whole amount */
		CHECK(mode == 0 || mode == 1);
		CHECK(n.verified == 1);
		CHECK(n.amount >= 0 && n.amount < 1000000000000000LL);
	}
	return 0;
}
