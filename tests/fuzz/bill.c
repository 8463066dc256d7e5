/* bill.c - fuzzes the reading of the gateways' daily bills (B1): Alipay's CSV and its zip archive (lib/pay-bill.c, included: its unzip is static), WeChat Pay's backtick CSV; every line taken has an order number, a trade number and an amount in fen that fit, and reading twice gives the same lines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/pay-bill.c"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "property failed: %s " \
	"(line %d)\n", #c, __LINE__); abort(); } } while (0)

/* Every line taken: its strings end inside their fields, its amount is
 * fen of at most 10 digits of yuan. */
static void
check_lines(const struct lines *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		const struct pay_bill_line *l = &ls->v[i];

		CHECK(memchr(l->trade_no, '\0', sizeof(l->trade_no)) != NULL);
		CHECK(memchr(l->out_trade_no, '\0', sizeof(l->out_trade_no)) != NULL);
		CHECK(memchr(l->state, '\0', sizeof(l->state)) != NULL);
		CHECK(l->amount >= 0 && l->amount < 1000000000000LL);
		CHECK(l->refund == 0 || l->refund == 1);
	}
}

/* The first byte chooses: even Alipay, odd WeChat Pay; the rest is the
 * file as the gateway sent it (a zip archive when it starts so). */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pay_channel *ch;
	struct lines a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	char *file;
	int na, nb;

	if (size < 1)
		return 0;
	ch = data[0] % 2 ? &pay_wechat : &pay_alipay;
	if ((file = malloc(size)) == NULL)
		return 0;
	memcpy(file, data + 1, size - 1);
	file[size - 1] = '\0';
	if (size - 1 >= 4 && memcmp(file, "PK\003\004", 4) == 0) {
		na = unzip_bill(ch, (unsigned char *)file, size - 1, &a);
		nb = unzip_bill(ch, (unsigned char *)file, size - 1, &b);
	} else {
		na = ch->bill_parse(file, size - 1, line_keep, &a);
		nb = ch->bill_parse(file, size - 1, line_keep, &b);
	}
	CHECK(na == nb);
	if (na >= 0) {
		CHECK((size_t)na == a.n && a.n == b.n);
		CHECK(a.n == 0 || memcmp(a.v, b.v, a.n * sizeof(*a.v)) == 0);
		check_lines(&a);
	}
	free(a.v);
	free(b.v);
	free(file);
	return 0;
}
