/* money.c - fuzzes the amount parsers (lib/money.c) and the field validators (lib/valid.c) against a reference and their round trips. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "valid.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "property failed: %s " \
	"(line %d) on \"%s\"\n", #c, __LINE__, s); abort(); } } while (0)

/*
 * The grammar decimal_parse promises, written again another way: blanks,
 * a sign, digits with at most one point and at most SCALE digits after it,
 * at least one digit, blanks. 0 and the exact value (in V, 128 bits), or
 * EINVAL, or ERANGE above MAX.
 */
static int
ref_decimal(const char *s, int scale, int64_t max, __int128 *v)
{
	size_t a = 0, b = strlen(s);
	int neg = 0, ndig = 0, nfrac = -1;
	__int128 x = 0;

	while (a < b && isspace((unsigned char)s[a]))
		a++;
	while (b > a && isspace((unsigned char)s[b - 1]))
		b--;
	if (a < b && (s[a] == '-' || s[a] == '+'))
		neg = s[a++] == '-';
	for (size_t i = a; i < b; i++) {
		if (s[i] == '.' && nfrac < 0) {
			nfrac = 0;
			continue;
		}
		if (!isdigit((unsigned char)s[i]))
			return EINVAL;
		if (nfrac >= 0 && ++nfrac > scale)
			return EINVAL;
		ndig++;
		if (x < ((__int128)1 << 100))
			x = x * 10 + (s[i] - '0');
	}
	if (ndig == 0)
		return EINVAL;
	for (nfrac = nfrac < 0 ? 0 : nfrac; nfrac < scale; nfrac++)
		if (x < ((__int128)1 << 100))
			x *= 10;
	if (x > max)
		return ERANGE;
	*v = neg ? -x : x;
	return 0;
}

/* What money_format writes for V, without it: [-]yuan.ff */
static void
ref_format(int64_t v, int scale, char *buf, size_t sz)
{
	unsigned __int128 a = v < 0 ? -(__int128)v : v;
	char digits[64];
	int n = 0;

	do
		digits[n++] = (char)('0' + (int)(a % 10));
	while ((a /= 10) > 0 || n <= scale);
	size_t o = 0;
	if (v < 0)
		buf[o++] = '-';
	while (n > 0) {
		if (n == scale && scale > 0)
			buf[o++] = '.';
		buf[o++] = digits[--n];
	}
	buf[o] = '\0';
	(void)sz;
}

static void
decimals(const char *s)
{
	static const struct { int scale; int64_t max; } k[] = {
		{ 2, MONEY_MAX }, { 4, 1000000 }, { 0, INT64_MAX / 10 },
		{ 2, INT64_MAX / 10 },
	};

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		__int128 want = 0;
		int64_t got = 0;
		int rc, e = ref_decimal(s, k[i].scale, k[i].max, &want);
		char buf[64], ref[64];

		errno = 0;
		rc = decimal_parse(s, k[i].scale, k[i].max, &got);
		CHECK((rc == 0) == (e == 0));
		if (rc == -1) {
			CHECK(errno == e);
			continue;
		}
		CHECK(got == want);
		/* format and parse again: the same amount, written canonically */
		decimal_format(got, k[i].scale, buf, sizeof(buf));
		ref_format(got, k[i].scale, ref, sizeof(ref));
		CHECK(strcmp(buf, ref) == 0);
		CHECK(decimal_parse(buf, k[i].scale, k[i].max, &got) == 0 &&
		    got == want);
	}
}

/* A number from the input's bytes: every amount a page may print. */
static void
amounts(const uint8_t *data, size_t size)
{
	int64_t v;
	char buf[64], cap[160], s[1] = "";
	fen_t back;

	if (size < 8)
		return;
	memcpy(&v, data, 8);
	if (v == INT64_MIN)
		v = INT64_MAX;
	v %= MONEY_MAX + 1;
	money_format(v, buf, sizeof(buf));
	CHECK(money_parse(buf, &back) == 0 && back == v);
	CHECK(valid_money(buf, -MONEY_MAX, MONEY_MAX, &back) == NULL &&
	    back == v);
	money_capital(v, cap, sizeof(cap));
	CHECK(strlen(cap) < sizeof(cap) - 1 && utf8_len(cap) > 0);
	CHECK(strstr(cap, "整") != NULL || strstr(cap, "分") != NULL);
	/* one fen over the largest amount is refused, not wrapped */
	money_format(MONEY_MAX + 1, buf, sizeof(buf));
	CHECK(money_parse(buf, &back) == -1 && errno == ERANGE);
}

static void
validators(const char *s)
{
	char half[256];
	long n, l = utf8_len(s);
	int64_t fen;
	const char *e;
	int hw;

	if ((e = valid_text(s, 20)) == NULL)
		CHECK(l >= 0 && l <= 20 && strpbrk(s, "\r\n\t\x7f") == NULL);
	else
		CHECK(l < 0 || l > 20 || strcmp(e, "bad_char") == 0);
	if (valid_phone(s) == NULL)
		CHECK(strlen(s) == 11 && s[0] == '1' && strspn(s, "0123456789") == 11);
	if (valid_login(s) == NULL)
		CHECK(strlen(s) >= 3 && strlen(s) <= 32 && l == (long)strlen(s));
	if (valid_int(s, -1000, 1000, &n) == NULL) {
		char *end;
		long m = strtol(s, &end, 10);

		CHECK(n == m && n >= -1000 && n <= 1000);
	}
	/* full-width digits as a Chinese input method types them */
	hw = valid_halfwidth(s, half, sizeof(half));
	if (hw >= 0) {
		CHECK(strlen(half) <= strlen(s));
		CHECK(strstr(half, "\xef\xbc\x90") == NULL);
		CHECK((hw == 1) == (strcmp(half, s) != 0));
		if (valid_money(half, -MONEY_MAX, MONEY_MAX, &fen) == NULL)
			CHECK(fen >= -MONEY_MAX && fen <= MONEY_MAX);
	} else
		CHECK(strlen(s) >= sizeof(half) - 1);
	if ((e = valid_money(s, 1, 500000, &fen)) == NULL) {
		char buf[64];

		CHECK(fen >= 1 && fen <= 500000);
		money_format(fen, buf, sizeof(buf));
		CHECK(valid_money(buf, 1, 500000, &fen) == NULL);
	}
	if (valid_price(s, &fen) == NULL)
		CHECK(fen > 0 && fen <= 1000000);
	if (valid_host(s) == NULL)
		CHECK(strlen(s) <= 253 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") == strlen(s));
	if (valid_bus_address(s) == NULL)
		CHECK(strncmp(s, "tcp://", 6) == 0 ||
		    (strncmp(s, "rtu:///dev/", 11) == 0 && strstr(s, "..") == NULL));
	valid_password(s, "old-password", (const char *const[]){ "admin", NULL });
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 4096)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	decimals(s);
	validators(s);
	amounts(data, size);
	free(s);
	return 0;
}
