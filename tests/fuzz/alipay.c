/* alipay.c - fuzzes Alipay's notice reading and verification (lib/pay-alipay.c): the urlencoded form (escapes, empty and duplicate fields, field count), the signed string, the RSA2 signature, app, seller, order number, amount and state; and the query answer's JSON. */
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
	.channel = "alipay", .app_id = "2021000000000001",
	.seller_id = "2088000000000001", .gateway = "http://127.0.0.1:1",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The first byte chooses: 0 the notice's body as received (no signature of
 * the input holds: it is refused, having been read), 1 the same body with a
 * signature made here over its own signed string appended (so that the
 * checks after the signature are reached), 2 a query's answer (JSON).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	struct pay_notice n;
	const char *out;
	char *s;
	int mode;

	if (size < 1 || size > 20000)
		return 0;
	if (key == NULL) {	/* the gateway's key pair: we sign in mode 1 */
		key = EVP_RSA_gen(1024);
		conf.gw_key = key;
	}
	mode = data[0] % 3;
	data++, size--;
	memset(&n, 0, sizeof(n));
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (mode == 0) {
		out = pay_alipay.verify(&conf, s, size, &n);
		/* nothing the input carries is our key's signature */
		CHECK(out != NULL && n.verified == 0);
	} else if (mode == 1) {
		/* the input as "k=v&..." plus sign_type and a sign over the
		 * input's own text taken as the signed string (it holds only
		 * when that is what the reader rebuilds: sorted, decoded) */
		char *sig = pay_rsa_sign(key, s), *enc, *o, *body;
		size_t bl;

		if (sig == NULL) {
			free(s);
			return 0;
		}
		/* the signature's base64 percent-encoded: + / = */
		if ((enc = malloc(3 * strlen(sig) + 1)) == NULL) {
			free(sig);
			free(s);
			return 0;
		}
		o = enc;
		for (const char *p = sig; *p; p++) {
			if (*p == '+' || *p == '/' || *p == '=')
				o += sprintf(o, "%%%02X", (unsigned char)*p);
			else
				*o++ = *p;
		}
		*o = '\0';
		bl = size + strlen(enc) + 32;
		if ((body = malloc(bl)) != NULL) {
			bl = (size_t)snprintf(body, bl, "%s&sign_type=RSA2&sign=%s", s, enc);
			out = pay_alipay.verify(&conf, body, bl, &n);
			if (out == NULL) {
				/* taken: signed, our app and seller, an order
				 * number, a whole amount */
				CHECK(n.verified == 1);
				CHECK(n.out_trade_no[0] != '\0');
				CHECK(n.amount >= 0 && n.amount < 1000000000000LL);
			}
			free(body);
		}
		free(enc);
		free(sig);
	} else {
		/* no signature of the input holds: never believed */
		CHECK(pay_alipay.query_answer(&conf, s, &n) == -1);
	}
	CHECK(strlen(n.out_trade_no) < sizeof(n.out_trade_no));
	CHECK(strlen(n.trade_no) < sizeof(n.trade_no));
	CHECK(strlen(n.buyer) < sizeof(n.buyer));
	CHECK(strlen(n.note) < sizeof(n.note));
	free(s);
	return 0;
}
