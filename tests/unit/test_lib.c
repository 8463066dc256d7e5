/* test_lib.c - unit tests of lib/: money, validators, crypto, CSV import checks, config. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cmdq.h"
#include "config.h"
#include "crypto.h"
#include "csvimp.h"
#include "money.h"
#include "tariff.h"
#include "valid.h"
#include "xlsx.h"

static int passed, failed;

/* One line per check; DETAILS (printf format) is printed only on failure. */
static void checkf(int cond, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
checkf(int cond, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		printf("ok - %s\n", what);
		passed++;
		return;
	}
	printf("not ok - %s", what);
	if (fmt != NULL) {
		printf(" (");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(")");
	}
	printf("\n");
	failed++;
}

static void
check(int cond, const char *what)
{
	checkf(cond, what, NULL);
}

static const char *
nz(const char *s)
{
	return s ? s : "(null)";
}

/* Checks that a validator answered WANT (NULL: accepted). */
static void
check_key(const char *got, const char *want, const char *what)
{
	int same = (got == NULL || want == NULL) ? got == want :
	    strcmp(got, want) == 0;

	checkf(same, what, "got %s, want %s", nz(got), nz(want));
}

static void
check_str(const char *got, const char *want, const char *what)
{
	checkf(got != NULL && strcmp(got, want) == 0, what,
	    "got \"%s\", want \"%s\"", nz(got), want);
}

/* ---------------------------------------------------------------- money */

/* S with control and non-ASCII bytes as \xNN, for a one-line description. */
static const char *
esc(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; *s && o + 5 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch >= 0x7f)
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	buf[o] = '\0';
	return buf;
}

static void
money_ok(const char *s, int64_t want)
{
	char what[160], e[96];
	int64_t v = -777;
	int rc;

	snprintf(what, sizeof(what), "money_parse(\"%s\") = %lld",
	    esc(s, e, sizeof(e)), (long long)want);
	errno = 0;
	rc = money_parse(s, &v);
	checkf(rc == 0 && v == want, what, "rc %d, value %lld, errno %d", rc,
	    (long long)v, errno);
}

static void
money_bad(const char *s, int want_errno)
{
	char what[160], e[96];
	int64_t v = -777;
	int rc;

	snprintf(what, sizeof(what), "money_parse(\"%s\") fails with %s",
	    esc(s, e, sizeof(e)), want_errno == EINVAL ? "EINVAL" : "ERANGE");
	errno = 0;
	rc = money_parse(s, &v);
	checkf(rc == -1 && errno == want_errno && v == -777, what,
	    "rc %d, errno %d, value %lld", rc, errno, (long long)v);
}

static void
format_is(int64_t v, int scale, const char *want)
{
	char buf[64], what[128];

	snprintf(what, sizeof(what), "decimal_format(%lld, %d) = \"%s\"",
	    (long long)v, scale, want);
	check_str(decimal_format(v, scale, buf, sizeof(buf)), want, what);
}

static void
test_money(void)
{
	char buf[32];
	int64_t v = 0;
	int rc;

	money_ok("12", 1200);
	money_ok("12.3", 1230);
	money_ok("12.34", 1234);
	money_ok("0.05", 5);
	money_ok("-0.05", -5);
	money_ok(".5", 50);
	money_ok("12.", 1200);
	money_ok("+3", 300);
	money_ok(" 7 ", 700);
	money_ok("\t7\n", 700);
	money_ok("0", 0);
	money_ok("-0", 0);
	money_ok("007.10", 710);
	money_ok("100000000.00", MONEY_MAX);
	money_ok("-100000000", -MONEY_MAX);

	money_bad("12.345", EINVAL);
	money_bad("abc", EINVAL);
	money_bad("", EINVAL);
	money_bad("   ", EINVAL);
	money_bad(".", EINVAL);
	money_bad("-", EINVAL);
	money_bad("1e3", EINVAL);
	money_bad("12,5", EINVAL);
	money_bad("1.2.3", EINVAL);
	money_bad("1 2", EINVAL);
	money_bad("--1", EINVAL);
	money_bad("0x10", EINVAL);
	money_bad("\xEF\xBC\x91\xEF\xBC\x92", EINVAL);	/* full-width "12" */
	money_bad("12\xEF\xBC\x8E" "5", EINVAL);	/* full-width point */
	money_bad("99999999999999999999", ERANGE);
	money_bad("-99999999999999999999", ERANGE);
	money_bad("99999999999999999999x", EINVAL);
	money_bad("100000000.01", ERANGE);
	money_bad("-100000000.01", ERANGE);
	money_bad("100000001", ERANGE);

	errno = 0;
	rc = money_parse(NULL, &v);
	checkf(rc == -1 && errno == EINVAL, "money_parse(NULL) fails with EINVAL",
	    "rc %d errno %d", rc, errno);

	check_str(money_format(0, buf, sizeof(buf)), "0.00", "money_format(0)");
	check_str(money_format(5, buf, sizeof(buf)), "0.05", "money_format(5)");
	check_str(money_format(-5, buf, sizeof(buf)), "-0.05", "money_format(-5)");
	check_str(money_format(-100, buf, sizeof(buf)), "-1.00",
	    "money_format(-100)");
	check_str(money_format(123456789, buf, sizeof(buf)), "1234567.89",
	    "money_format(123456789)");
	check_str(money_format(MONEY_MAX, buf, sizeof(buf)), "100000000.00",
	    "money_format(MONEY_MAX)");
	check_str(money_format(INT64_MAX, buf, sizeof(buf)),
	    "92233720368547758.07", "money_format(INT64_MAX)");
	check_str(money_format(INT64_MIN, buf, sizeof(buf)),
	    "-92233720368547758.08", "money_format(INT64_MIN)");
	{
		char small[6];

		check_str(money_format(123456789, small, sizeof(small)),
		    "12345", "money_format truncates into a small buffer");
	}
	format_is(0, 0, "0");
	format_is(-5, 0, "-5");
	format_is(1500, 3, "1.500");
	format_is(5880, 4, "0.5880");
	format_is(-1, 4, "-0.0001");
	format_is(INT64_MIN, 0, "-9223372036854775808");
	format_is(INT64_MAX, 4, "922337203685477.5807");

	/* round trip through the formatter */
	{
		static const int64_t vals[] = { 0, 1, -1, 99, 100, -101, 1234,
		    MONEY_MAX, -MONEY_MAX };
		int bad = 0;

		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			int64_t back = 0;

			money_format(vals[i], buf, sizeof(buf));
			if (money_parse(buf, &back) != 0 || back != vals[i])
				bad++;
		}
		checkf(bad == 0, "money_format then money_parse round trips",
		    "%d values differ", bad);
	}

	/* decimal_parse with another scale (energy in 0.001 kWh) */
	v = 0;
	rc = decimal_parse("1.5", 3, 1000000, &v);
	checkf(rc == 0 && v == 1500, "decimal_parse(\"1.5\", 3) = 1500",
	    "rc %d v %lld", rc, (long long)v);
	errno = 0;
	rc = decimal_parse("1000.001", 3, 1000000, &v);
	checkf(rc == -1 && errno == ERANGE,
	    "decimal_parse above max fails with ERANGE", "rc %d errno %d", rc,
	    errno);
	rc = decimal_parse("42", 0, 100, &v);
	checkf(rc == 0 && v == 42, "decimal_parse(\"42\", 0) = 42",
	    "rc %d v %lld", rc, (long long)v);
	errno = 0;
	rc = decimal_parse("4.2", 0, 100, &v);
	checkf(rc == -1 && errno == EINVAL,
	    "decimal_parse(\"4.2\", 0) fails with EINVAL", "rc %d errno %d", rc,
	    errno);

	v = 0;
	rc = price_parse("0.588", &v);
	checkf(rc == 0 && v == 5880, "price_parse(\"0.588\") = 5880",
	    "rc %d v %lld", rc, (long long)v);
	rc = price_parse("1.2345", &v);
	checkf(rc == 0 && v == 12345, "price_parse(\"1.2345\") = 12345",
	    "rc %d v %lld", rc, (long long)v);
	errno = 0;
	rc = price_parse("0.58801", &v);
	checkf(rc == -1 && errno == EINVAL,
	    "price_parse(\"0.58801\") fails with EINVAL", "rc %d errno %d", rc,
	    errno);
	rc = price_parse("100", &v);
	checkf(rc == 0 && v == 1000000, "price_parse(\"100\") = 1000000 (max)",
	    "rc %d v %lld", rc, (long long)v);
	errno = 0;
	rc = price_parse("100.0001", &v);
	checkf(rc == -1 && errno == ERANGE,
	    "price_parse(\"100.0001\") fails with ERANGE", "rc %d errno %d", rc,
	    errno);
}

/*
 * Amounts whose decimal value has no exact binary one: a parser that goes
 * through double (atof(s) * 100 cast to an integer) loses a fen on them.
 */
static void
test_money_exact(void)
{
	char buf[64], half[64];
	int64_t v;
	int bad = 0, first = -1;

	money_ok("0.29", 29);
	money_ok("1.15", 115);
	money_ok("0.57", 57);
	money_ok("8.20", 820);
	money_ok("19.99", 1999);
	money_ok("1234567.89", 123456789);
	money_ok("4.35", 435);
	money_ok("-0.29", -29);
	money_ok("99999999.99", 9999999999LL);
	/* every amount from 0.00 to 2000.00, and the cents of a large one */
	for (int f = 0; f <= 200000; f++) {
		snprintf(buf, sizeof(buf), "%d.%02d", f / 100, f % 100);
		if (money_parse(buf, &v) != 0 || v != f) {
			if (first < 0)
				first = f;
			bad++;
		}
	}
	checkf(bad == 0, "money_parse is exact for every amount 0.00-2000.00",
	    "%d wrong, the first %d fen", bad, first);
	bad = 0;
	for (int f = 0; f < 100; f++) {
		snprintf(buf, sizeof(buf), "98765432.%02d", f);
		if (money_parse(buf, &v) != 0 || v != 9876543200LL + f)
			bad++;
	}
	checkf(bad == 0, "and for every fen of 98765432.xx", "%d wrong", bad);
	bad = 0;
	for (int p = 1; p <= 20000; p++) {
		snprintf(buf, sizeof(buf), "%d.%04d", p / 10000, p % 10000);
		if (price_parse(buf, &v) != 0 || v != p)
			bad++;
	}
	checkf(bad == 0, "price_parse is exact for every price 0.0001-2.0000",
	    "%d wrong", bad);
	/* full-width input as a Chinese input method types it: the form
	 * makes it ASCII first, then the parser is exact on it */
	money_bad("\xEF\xBC\x91\xEF\xBC\x99.\xEF\xBC\x99\xEF\xBC\x99", EINVAL);
	v = 0;
	checkf(valid_halfwidth("\xEF\xBC\x91\xEF\xBC\x99\xEF\xBC\x8E"
	    "\xEF\xBC\x99\xEF\xBC\x99", half, sizeof(half)) == 1 &&
	    strcmp(half, "19.99") == 0 &&
	    valid_money(half, 1, MONEY_MAX, &v) == NULL && v == 1999,
	    "full-width 19.99 becomes 1999 fen", "got \"%s\" %lld", half,
	    (long long)v);
	v = 0;
	checkf(valid_halfwidth("\xEF\xBC\x90.\xEF\xBC\x92\xEF\xBC\x99",
	    half, sizeof(half)) == 1 && valid_money(half, 1, MONEY_MAX, &v) ==
	    NULL && v == 29, "full-width 0.29 with an ASCII point becomes 29 fen",
	    "got \"%s\" %lld", half, (long long)v);
}

/* ---------------------------------------------------------------- valid */

static void
utf8_is(const char *s, long want, const char *what)
{
	long n = utf8_len(s);

	checkf(n == want, what, "got %ld, want %ld", n, want);
}

/* The password rules: length in characters, no composition rule, common
 * passwords, patterns, the old password and the context's words. */
static void
test_password(void)
{
	static const char *const ctx[] = { "wangfang", "远程预付费电能管理系统", NULL };
	static const struct { const char *pw, *want, *what; } t[] = {
		{ "k7#mPq2vXz9w", NULL, "12 mixed characters" },
		{ "k7#mPq2vXz9", "pw_short", "11 characters" },
		{ "", "pw_short", "empty" },
		{ "horse battery staple", NULL, "only lower-case letters and spaces" },
		{ "我爱吃楼下那家的牛肉面", "pw_short", "11 Chinese characters" },
		{ "我爱吃楼下那家的牛肉面条", NULL, "12 Chinese characters" },
		{ "🔌⚡🔋电费不够了快充值啊", NULL, "emoji and Chinese" },
		{ "<script>&'\"--;", NULL, "HTML and SQL signs" },
		{ "123456789012", "pw_common", "123456789012" },
		{ "QwertyUiopAsdfgh", "pw_common", "qwertyuiopasdfgh in another case" },
		{ "PASSWORD1234", "pw_common", "PASSWORD1234" },
		{ "Password2024!!", "pw_common", "a weak word with digits and signs" },
		{ "1q2w3e4r5t6y", "pw_common", "1q2w3e4r5t6y" },
		{ "iloveyou1234", "pw_common", "iloveyou1234" },
		{ "woaini1314520", "pw_common", "woaini1314520" },
		{ "1314woaini520", "pw_common", "pinyin with digits both sides" },
		{ "zzzzzzzzzzzzzz", "pw_pattern", "one character repeated" },
		{ "电电电电电电电电电电电电", "pw_pattern", "one Chinese character repeated" },
		{ "abcabcabcabc", "pw_pattern", "a short piece repeated" },
		{ "234567890123", "pw_pattern", "an ascending run with digits going round" },
		{ "zyxwvutsrqpo", "pw_pattern", "a descending run" },
		{ "][POIUYTREWQ", "pw_pattern", "a keyboard row backwards" },
		{ "zaq1xsw2cde3vfr4", "pw_pattern", "a keyboard walk down the columns" },
		{ "WangFang-2026-dorm", "pw_context", "the login inside (any case)" },
		{ "远程预付费电能管理系统好", "pw_context", "the site's name inside" },
		{ "Old-Secret-99x", "pw_old", "the old password itself" },
		{ "old-secret-99x!!", "pw_old", "the old password inside (any case)" },
		{ "\xc3\x28zzzzzzzzzzzz", "pw_bad_utf8", "malformed UTF-8" },
		{ "\xe0\x80\xafzzzzzzzzzzzz", "pw_bad_utf8", "an overlong UTF-8 form" },
	};
	char what[160], buf[600];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(what, sizeof(what), "valid_password: %s", t[i].what);
		check_key(valid_password(t[i].pw, "Old-Secret-99x", ctx), t[i].want,
		    what);
	}
	check_key(valid_password("wangfang", NULL, NULL), "pw_short",
	    "valid_password: no old password and no words given");
	check_key(valid_password("Lu-9 at the gate", NULL, NULL), NULL,
	    "valid_password: 16 characters, no old password, no words");
	/* 128 Chinese characters are 384 bytes: taken; 129 refused */
	buf[0] = '\0';
	for (int i = 0; i < 128; i++)
		strcat(buf, i % 2 ? "电" : i % 3 ? "费" : "表");
	check_key(valid_password(buf, NULL, NULL), NULL,
	    "valid_password: 128 Chinese characters");
	strcat(buf, "表");
	check_key(valid_password(buf, NULL, NULL), "pw_long",
	    "valid_password: 129 Chinese characters");
	memset(buf, 0, sizeof(buf));
	for (int i = 0; i < 128; i++)
		buf[i] = (char)('a' + (i * 7) % 26);
	check_key(valid_password(buf, NULL, NULL), NULL,
	    "valid_password: 128 ASCII characters");
	buf[128] = 'q';
	check_key(valid_password(buf, NULL, NULL), "pw_long",
	    "valid_password: 129 ASCII characters");
}

static void
test_valid(void)
{
	char buf[512];
	long l;
	int64_t v;

	utf8_is("", 0, "utf8_len of empty string is 0");
	utf8_is("abc", 3, "utf8_len of ASCII");
	utf8_is("中文", 2, "utf8_len of Chinese counts characters");
	utf8_is("a中b", 3, "utf8_len of mixed text");
	utf8_is("\xC3\xA9", 1, "utf8_len of 2-byte sequence");
	utf8_is("\xF0\x9F\x98\x80", 1, "utf8_len of 4-byte sequence (emoji)");
	utf8_is("\xF4\x8F\xBF\xBF", 1, "utf8_len of U+10FFFF");
	utf8_is("\xff", -1, "utf8_len rejects 0xff");
	utf8_is("\x80", -1, "utf8_len rejects a lone continuation byte");
	utf8_is("\xC0\x80", -1, "utf8_len rejects overlong C0 80");
	utf8_is("\xE0\x80\xAF", -1, "utf8_len rejects overlong E0 80 AF");
	utf8_is("\xF0\x80\x80\xAF", -1, "utf8_len rejects overlong 4-byte");
	utf8_is("\xED\xA0\x80", -1, "utf8_len rejects surrogate ED A0 80");
	utf8_is("\xF4\x90\x80\x80", -1, "utf8_len rejects above U+10FFFF");
	utf8_is("\xE4\xB8", -1, "utf8_len rejects a truncated sequence");
	utf8_is("a\xE4", -1, "utf8_len rejects a truncated sequence at the end");
	utf8_is("\xE4" "a" "\xB8", -1, "utf8_len rejects ASCII inside a sequence");

	buf[0] = '\0';
	for (int i = 0; i < 32; i++)
		strcat(buf, "中");
	check_key(valid_text(buf, 32), NULL,
	    "valid_text: 32 Chinese characters (96 bytes) fit max 32");
	strcat(buf, "中");
	check_key(valid_text(buf, 32), "too_long",
	    "valid_text: 33 Chinese characters exceed max 32");
	check_key(valid_text("abc", 3), NULL, "valid_text: 3 ASCII fit max 3");
	check_key(valid_text("abcd", 3), "too_long",
	    "valid_text: 4 ASCII exceed max 3");
	check_key(valid_text("", 3), NULL, "valid_text: empty is fine");
	check_key(valid_text("a\tb", 10), "bad_char", "valid_text rejects a tab");
	check_key(valid_text("a\nb", 10), "bad_char",
	    "valid_text rejects a newline");
	check_key(valid_text("a\x1b[0m", 10), "bad_char",
	    "valid_text rejects ESC");
	check_key(valid_text("a\x7f", 10), "bad_char", "valid_text rejects DEL");
	check_key(valid_text("a\xff", 10), "bad_utf8",
	    "valid_text rejects invalid UTF-8");
	check_key(valid_text("楼栋 A-101", 10), NULL,
	    "valid_text accepts Chinese with spaces");

	check_key(valid_login("admin"), NULL, "valid_login: admin");
	check_key(valid_login("user.name-1_x"), NULL,
	    "valid_login: dots, dashes, underscores");
	check_key(valid_login("abc"), NULL, "valid_login: 3 characters");
	check_key(valid_login("ab"), "bad_login", "valid_login: 2 characters");
	check_key(valid_login(""), "bad_login", "valid_login: empty");
	memset(buf, 'a', 32);
	buf[32] = '\0';
	check_key(valid_login(buf), NULL, "valid_login: 32 characters");
	strcat(buf, "a");
	check_key(valid_login(buf), "bad_login", "valid_login: 33 characters");
	check_key(valid_login("a b"), "bad_login", "valid_login: space");
	check_key(valid_login("a'b;--"), "bad_login", "valid_login: quote");
	check_key(valid_login("张三丰"), "bad_login", "valid_login: Chinese");

	check_key(valid_phone("13800138000"), NULL, "valid_phone: 13800138000");
	check_key(valid_phone("19912345678"), NULL, "valid_phone: 19912345678");
	check_key(valid_phone("12800138000"), "bad_phone",
	    "valid_phone: 12800138000 (second digit 2)");
	check_key(valid_phone("1380013800"), "bad_phone",
	    "valid_phone: 10 digits");
	check_key(valid_phone("138001380001"), "bad_phone",
	    "valid_phone: 12 digits");
	check_key(valid_phone("1380013800a"), "bad_phone",
	    "valid_phone: a letter");
	check_key(valid_phone("23800138000"), "bad_phone",
	    "valid_phone: first digit 2");
	check_key(valid_phone(""), "bad_phone", "valid_phone: empty");
	check_key(valid_phone("138 0013 800"), "bad_phone",
	    "valid_phone: spaces");

	l = -1;
	check_key(valid_int("42", 0, 100, &l), NULL, "valid_int: 42 in 0..100");
	checkf(l == 42, "valid_int stores 42", "got %ld", l);
	l = -1;
	check_key(valid_int(" 7 ", 0, 100, &l), NULL,
	    "valid_int: spaces around are trimmed");
	checkf(l == 7, "valid_int stores 7", "got %ld", l);
	check_key(valid_int("0", 0, 100, &l), NULL, "valid_int: lower bound");
	check_key(valid_int("100", 0, 100, &l), NULL, "valid_int: upper bound");
	l = -1;
	check_key(valid_int("101", 0, 100, &l), "out_of_range",
	    "valid_int: above max");
	check_key(valid_int("-1", 0, 100, &l), "out_of_range",
	    "valid_int: below min");
	checkf(l == -1, "valid_int leaves OUT alone on error", "got %ld", l);
	check_key(valid_int("99999999999999999999", 0, 100, &l), "out_of_range",
	    "valid_int: overflow");
	check_key(valid_int("", 0, 100, &l), "bad_int", "valid_int: empty");
	check_key(valid_int("  ", 0, 100, &l), "bad_int", "valid_int: blank");
	check_key(valid_int("abc", 0, 100, &l), "bad_int", "valid_int: letters");
	check_key(valid_int("12abc", 0, 100, &l), "bad_int",
	    "valid_int: trailing garbage");
	check_key(valid_int("4.2", 0, 100, &l), "bad_int", "valid_int: decimal");
	check_key(valid_int("-", 0, 100, &l), "bad_int", "valid_int: sign only");
	check_key(valid_int("0x10", 0, 100, &l), "bad_int", "valid_int: hex");

	v = -1;
	check_key(valid_money("12.34", 0, MONEY_MAX, &v), NULL,
	    "valid_money: 12.34");
	checkf(v == 1234, "valid_money stores 1234 fen", "got %lld",
	    (long long)v);
	check_key(valid_money("1.234", 0, MONEY_MAX, &v), "bad_decimals",
	    "valid_money: 1.234 is bad_decimals");
	check_key(valid_money("abc", 0, MONEY_MAX, &v), "bad_money",
	    "valid_money: abc is bad_money");
	check_key(valid_money("", 0, MONEY_MAX, &v), "bad_money",
	    "valid_money: empty is bad_money");
	check_key(valid_money("1.2x", 0, MONEY_MAX, &v), "bad_money",
	    "valid_money: 1.2x is bad_money");
	check_key(valid_money("100000000.01", 0, MONEY_MAX, &v), "out_of_range",
	    "valid_money: above MONEY_MAX is out_of_range");
	check_key(valid_money("-1", 0, MONEY_MAX, &v), "out_of_range",
	    "valid_money: below min is out_of_range");
	check_key(valid_money("5", 0, 100, &v), "out_of_range",
	    "valid_money: 5 yuan above max 100 fen is out_of_range");
	check_key(valid_money("1", 0, 100, &v), NULL,
	    "valid_money: 1 yuan at max 100 fen");

	v = -1;
	check_key(valid_price("0.588", &v), NULL, "valid_price: 0.588");
	checkf(v == 5880, "valid_price stores 5880", "got %lld", (long long)v);
	check_key(valid_price("0.58801", &v), "bad_price_decimals",
	    "valid_price: 5 decimals");
	check_key(valid_price("0", &v), "out_of_range", "valid_price: zero");
	check_key(valid_price("-1", &v), "out_of_range", "valid_price: negative");
	check_key(valid_price("101", &v), "out_of_range",
	    "valid_price: above 100 yuan/kWh");
	check_key(valid_price("x", &v), "bad_money", "valid_price: garbage");

	test_password();

	check_key(valid_bus_address("tcp://127.0.0.1:15020"), NULL,
	    "valid_bus_address: tcp://127.0.0.1:15020");
	check_key(valid_bus_address("tcp://gw-1.example:502"), NULL,
	    "valid_bus_address: tcp://gw-1.example:502");
	check_key(valid_bus_address("tcp://host:65535"), NULL,
	    "valid_bus_address: port 65535");
	check_key(valid_bus_address("tcp://host:0"), "bad_bus_address",
	    "valid_bus_address: port 0");
	check_key(valid_bus_address("tcp://host:65536"), "bad_bus_address",
	    "valid_bus_address: port 65536");
	check_key(valid_bus_address("tcp://:502"), "bad_bus_address",
	    "valid_bus_address: no host");
	check_key(valid_bus_address("tcp://host"), "bad_bus_address",
	    "valid_bus_address: no port");
	check_key(valid_bus_address("tcp://host:"), "bad_bus_address",
	    "valid_bus_address: empty port");
	check_key(valid_bus_address("tcp://host:50x"), "bad_bus_address",
	    "valid_bus_address: port with letters");
	check_key(valid_bus_address("tcp://a b:1"), "bad_bus_address",
	    "valid_bus_address: space in host");
	check_key(valid_bus_address("tcp://a/b:1"), "bad_bus_address",
	    "valid_bus_address: slash in host");
	check_key(valid_bus_address("rtu:///dev/ttyUSB0?baud=9600&parity=E&stop=1"),
	    NULL, "valid_bus_address: rtu with baud, parity and stop");
	check_key(valid_bus_address("rtu:///dev/ttyS1"), NULL,
	    "valid_bus_address: rtu:///dev/ttyS1");
	check_key(valid_bus_address("rtu:///dev/serial/by-id/usb-FTDI_x-if00"),
	    NULL, "valid_bus_address: rtu by-id path");
	check_key(valid_bus_address("rtu:///dev/ttyS1?baud=115200"), NULL,
	    "valid_bus_address: baud 115200");
	check_key(valid_bus_address("rtu:///dev/../etc/passwd"),
	    "bad_bus_address", "valid_bus_address: rtu with ..");
	check_key(valid_bus_address("rtu:///dev/"), "bad_bus_address",
	    "valid_bus_address: rtu without a device");
	check_key(valid_bus_address("rtu:///dev/tty S1"), "bad_bus_address",
	    "valid_bus_address: rtu with a space");
	check_key(valid_bus_address("rtu:///dev/ttyS1?baud=9601"),
	    "bad_bus_address", "valid_bus_address: baud=9601");
	check_key(valid_bus_address("rtu:///dev/ttyS1?parity=X"),
	    "bad_bus_address", "valid_bus_address: parity=X");
	check_key(valid_bus_address("rtu:///dev/ttyS1?stop=3"),
	    "bad_bus_address", "valid_bus_address: stop=3");
	check_key(valid_bus_address("rtu:///dev/ttyS1?speed=9600"),
	    "bad_bus_address", "valid_bus_address: unknown option");
	check_key(valid_bus_address("rtu:///dev/ttyS1?baud"), "bad_bus_address",
	    "valid_bus_address: option without value");
	check_key(valid_bus_address("rtu:///dev/ttyS1?baud="), "bad_bus_address",
	    "valid_bus_address: option with empty value");
	check_key(valid_bus_address("rtu:///dev/ttyS1?baud=9600&"),
	    "bad_bus_address", "valid_bus_address: trailing &");
	check_key(valid_bus_address("rtu://dev/ttyS1"), "bad_bus_address",
	    "valid_bus_address: rtu without /dev/");
	check_key(valid_bus_address("ftp://x"), "bad_bus_address",
	    "valid_bus_address: ftp://x");
	check_key(valid_bus_address(""), "bad_bus_address",
	    "valid_bus_address: empty");
}

/* ---------------------------------------------------------------- crypto */

static int
all_hex(const char *s)
{
	return strspn(s, "0123456789abcdef") == strlen(s);
}

static void
verify_is(const char *pw, const char *stored, int want, const char *what)
{
	int rc = crypto_password_verify(pw, stored);

	checkf(rc == want, what, "got %d, want %d", rc, want);
}

static void
test_crypto(void)
{
	char a[257], b[257], h[65], pw[64], bad[256];
	char *h1 = NULL, *h2 = NULL;
	size_t n;

	check(crypto_sha256_hex("abc", h) == 0, "crypto_sha256_hex(\"abc\") succeeds");
	check_str(h,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "SHA-256 of \"abc\" is the known vector");
	crypto_sha256_hex("", h);
	check_str(h,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "SHA-256 of \"\" is the known vector");

	check(crypto_random_hex(16, a) == 0 && crypto_random_hex(16, b) == 0,
	    "crypto_random_hex(16) succeeds twice");
	checkf(strlen(a) == 32 && all_hex(a), "crypto_random_hex(16) is 32 hex",
	    "got \"%s\"", a);
	checkf(strcmp(a, b) != 0, "two crypto_random_hex calls differ",
	    "both \"%s\"", a);
	check(crypto_random_hex(128, a) == 0 && strlen(a) == 256 && all_hex(a),
	    "crypto_random_hex(128) gives 256 hex characters");
	errno = 0;
	check(crypto_random_hex(129, a) == -1 && errno == EIO,
	    "crypto_random_hex(129) fails (buffer limit)");

	h1 = crypto_password_hash("s3cret-Pass");
	h2 = crypto_password_hash("s3cret-Pass");
	check(h1 != NULL && h2 != NULL, "crypto_password_hash succeeds");
	if (h1 == NULL || h2 == NULL)
		goto out;
	checkf(strncmp(h1, "scrypt$16384$8$1$", 17) == 0 &&
	    strlen(h1) == 17 + 32 + 1 + 64, "crypto_password_hash format",
	    "got \"%s\"", h1);
	checkf(strcmp(h1, h2) != 0, "two hashes of one password differ (salt)",
	    "both \"%s\"", h1);
	verify_is("s3cret-Pass", h1, 1, "crypto_password_verify right password -> 1");
	verify_is("s3cret-Pass", h2, 1,
	    "crypto_password_verify right password, second hash -> 1");
	verify_is("s3cret-pass", h1, 0, "crypto_password_verify wrong case -> 0");
	verify_is("", h1, 0, "crypto_password_verify empty password -> 0");
	verify_is("s3cret-Pass ", h1, 0, "crypto_password_verify extra space -> 0");

	/* flip the last hash digit: well-formed, so a plain mismatch */
	snprintf(bad, sizeof(bad), "%s", h1);
	n = strlen(bad);
	bad[n - 1] = bad[n - 1] == '0' ? '1' : '0';
	verify_is("s3cret-Pass", bad, 0, "crypto_password_verify tampered hash -> 0");
	/* flip a salt digit */
	snprintf(bad, sizeof(bad), "%s", h1);
	bad[17] = bad[17] == '0' ? '1' : '0';
	verify_is("s3cret-Pass", bad, 0, "crypto_password_verify tampered salt -> 0");
	/* malformed stored strings */
	verify_is("s3cret-Pass", NULL, -1, "crypto_password_verify NULL stored -> -1");
	verify_is("s3cret-Pass", "", -1, "crypto_password_verify empty stored -> -1");
	verify_is("s3cret-Pass", "garbage", -1,
	    "crypto_password_verify garbage stored -> -1");
	verify_is("s3cret-Pass", "$2y$10$abcdefghijklmnopqrstuv", -1,
	    "crypto_password_verify bcrypt-like stored -> -1");
	snprintf(bad, sizeof(bad), "%s", h1);
	bad[n - 2] = '\0';
	verify_is("s3cret-Pass", bad, -1,
	    "crypto_password_verify hash cut by two digits -> -1");
	/*
	 * One digit short, or a stray character: %64[0-9a-f] then stops
	 * early and fromhex() must not read past the digits it got.
	 */
	snprintf(bad, sizeof(bad), "%s", h1);
	bad[n - 1] = '\0';
	verify_is("s3cret-Pass", bad, -1,
	    "crypto_password_verify hash cut by one digit -> -1");
	snprintf(bad, sizeof(bad), "%sjunk", h1);
	verify_is("s3cret-Pass", bad, -1,
	    "crypto_password_verify trailing junk after the hash -> -1");
	snprintf(bad, sizeof(bad), "%s", h1);
	bad[17] = 'Z';
	verify_is("s3cret-Pass", bad, -1,
	    "crypto_password_verify non-hex salt -> -1");
	snprintf(bad, sizeof(bad), "%s", h1);
	bad[n - 1] = 'G';
	verify_is("s3cret-Pass", bad, -1,
	    "crypto_password_verify non-hex hash digit -> -1");
	snprintf(bad, sizeof(bad), "scrypt$%lu$8$1$%s", 1UL << 21, h1 + 17);
	verify_is("s3cret-Pass", bad, -1,
	    "crypto_password_verify N above 2^20 -> -1");
	snprintf(bad, sizeof(bad), "scrypt$16384$64$1$%s", h1 + 17);
	verify_is("s3cret-Pass", bad, -1, "crypto_password_verify r above 32 -> -1");
	snprintf(bad, sizeof(bad), "scrypt$1000$8$1$%s", h1 + 17);
	verify_is("s3cret-Pass", bad, -1,
	    "crypto_password_verify N not a power of two -> -1");
	snprintf(bad, sizeof(bad), "scrypt$16384$8$1$%.32s$%.64s", h1 + 17 + 33,
	    h1 + 17);
	verify_is("s3cret-Pass", bad, -1,
	    "crypto_password_verify salt and hash swapped (wrong lengths) -> -1");

	for (size_t len = 4; len <= 32; len += 7) {
		char what[96];
		int alpha = 0, digit = 0, other = 0;

		memset(pw, 'X', sizeof(pw));
		if (crypto_password_random(pw, len) != 0) {
			snprintf(what, sizeof(what), "crypto_password_random(%zu)", len);
			check(0, what);
			continue;
		}
		for (const char *p = pw; *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
				alpha = 1;
			else if (*p >= '0' && *p <= '9')
				digit = 1;
			else
				other = 1;
		}
		snprintf(what, sizeof(what),
		    "crypto_password_random(%zu): length, letters and digits", len);
		checkf(strlen(pw) == len && alpha && digit && !other &&
		    strpbrk(pw, "0O1lI") == NULL, what, "got \"%s\"", pw);
		snprintf(what, sizeof(what),
		    "crypto_password_random(%zu) passes valid_password", len);
		if (len >= PW_MIN_CHARS)
			check_key(valid_password(pw, NULL, NULL), NULL, what);
	}
	{
		char p1[17], p2[17];

		check(crypto_password_random(p1, 16) == 0 && crypto_password_random(p2, 16) == 0 &&
		    strcmp(p1, p2) != 0, "two crypto_password_random calls differ");
		/* first passwords are 12 long: every one passes the rules */
		int refused = 0;

		for (int i = 0; i < 2000 && !refused; i++)
			refused = crypto_password_random(p1, 12) != 0 ||
			    valid_password(p1, NULL, NULL) != NULL;
		checkf(!refused, "2000 first passwords of 12 pass valid_password",
		    "refused \"%s\"", p1);
	}
	errno = 0;
	check(crypto_password_random(pw, 3) == -1 && errno == EINVAL,
	    "crypto_password_random(3) fails with EINVAL");
	check(crypto_password_random(pw, 64) == -1,
	    "crypto_password_random(64) fails (buffer limit)");
out:
	free(h1);
	free(h2);
}

/* A pepper file of TEXT with MODE under /tmp into PATH; 0 or -1. */
static int
pepper_file(char *path, const char *text, mode_t mode)
{
	int fd;

	strcpy(path, "/tmp/test_lib_pepper.XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fchmod(fd, mode) == -1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* ASVS 2.4.5: the pepper file's rules, then hashes keyed with it. */
static void
test_pepper_file(void)
{
	static const char key1[] =
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	char path[64];

	errno = 0;
	check(crypto_pepper_load(NULL) == -1 && errno == ENOENT,
	    "crypto_pepper_load: no password_pepper_file -> -1 ENOENT");
	errno = 0;
	check(crypto_pepper_load("/nonexistent/pepper.key") == -1 &&
	    errno == ENOENT, "crypto_pepper_load: a missing file -> -1 ENOENT");
	if (pepper_file(path, key1, 0644) == 0) {
		errno = 0;
		check(crypto_pepper_load(path) == -1 && errno == EPERM,
		    "crypto_pepper_load: a file others may read (0644) -> -1 EPERM");
		chmod(path, 0640);
		errno = 0;
		check(crypto_pepper_load(path) == -1 && errno == EPERM,
		    "crypto_pepper_load: a file its group may read (0640) -> -1 EPERM");
		unlink(path);
	}
	if (pepper_file(path, "0001020304\n", 0600) == 0) {
		errno = 0;
		check(crypto_pepper_load(path) == -1 && errno == EINVAL,
		    "crypto_pepper_load: 10 hex digits -> -1 EINVAL");
		unlink(path);
	}
	if (pepper_file(path, "zz0102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f", 0600) == 0) {
		errno = 0;
		check(crypto_pepper_load(path) == -1 && errno == EINVAL,
		    "crypto_pepper_load: not hex -> -1 EINVAL");
		unlink(path);
	}
	check(pepper_file(path, key1, 0600) == 0 && crypto_pepper_load(path) == 0,
	    "crypto_pepper_load: 64 hex digits, mode 0600 -> 0");
	unlink(path);
}

static void
test_pepper(void)
{
	/* scrypt("s3cret-Pass", salt 00..0f) keyed by HMAC-SHA256 with the
	 * pepper 00..1f (Python's hashlib.scrypt and hmac) */
	static const char known[] = "scrypt-hmac$16384$8$1$"
	    "000102030405060708090a0b0c0d0e0f$"
	    "b0d5be817afbc6c1cbe4f9eff345533cc214836bfb9786b3b8c733bbe24b71db";
	static const char known_plain[] = "scrypt$16384$8$1$"
	    "000102030405060708090a0b0c0d0e0f$"
	    "beb176af01a2ea10ea33d0f9d915fa1ae8f566e7460960d0dc373cc874d12f5e";
	char path[64], bad[256];
	char *plain, *hp = NULL;

	crypto_pepper_forget();
	plain = crypto_password_hash("s3cret-Pass");
	check(crypto_password_stale(known_plain) == 0,
	    "without a pepper a plain scrypt hash is not stale");
	test_pepper_file();
	verify_is("s3cret-Pass", known, 1,
	    "peppered known vector (scrypt then HMAC-SHA256) -> 1");
	verify_is("s3cret-Pass", known_plain, 1,
	    "a plain scrypt hash made before the pepper still verifies -> 1");
	check(plain != NULL && crypto_password_verify("s3cret-Pass", plain) == 1,
	    "a hash made without the pepper verifies with it loaded");
	check(crypto_password_stale(known_plain) == 1,
	    "a plain scrypt hash is stale once a pepper is loaded (renewed at sign-in)");
	check(crypto_password_stale(known) == 0, "a peppered hash is not stale");
	check(crypto_password_stale("scrypt-hmac$1024$8$1$"
	    "000102030405060708090a0b0c0d0e0f$"
	    "b0d5be817afbc6c1cbe4f9eff345533cc214836bfb9786b3b8c733bbe24b71db") == 1,
	    "a peppered hash with N below 16384 is stale");
	check(crypto_password_stale("garbage") == 0, "a malformed hash is not stale");
	hp = crypto_password_hash("s3cret-Pass");
	checkf(hp != NULL && strncmp(hp, "scrypt-hmac$16384$8$1$", 22) == 0 &&
	    strlen(hp) == 22 + 32 + 1 + 64, "with a pepper, hashes are scrypt-hmac",
	    "got \"%s\"", hp ? hp : "NULL");
	if (hp == NULL)
		goto out;
	verify_is("s3cret-Pass", hp, 1, "peppered hash, right password -> 1");
	verify_is("s3cret-pasS", hp, 0, "peppered hash, wrong password -> 0");
	verify_is("", hp, 0, "peppered hash, empty password -> 0");
	/* the database's copy alone: the same salt and hash named plain scrypt */
	snprintf(bad, sizeof(bad), "scrypt%s", hp + strlen("scrypt-hmac"));
	verify_is("s3cret-Pass", bad, 0,
	    "a peppered hash taken as plain scrypt (no pepper) -> 0");
	snprintf(bad, sizeof(bad), "scrypt-hmac%s", known_plain + strlen("scrypt"));
	verify_is("s3cret-Pass", bad, 0,
	    "a plain hash relabelled scrypt-hmac -> 0");
	if (pepper_file(path, "ff0102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f", 0400) == 0 &&
	    crypto_pepper_load(path) == 0) {
		verify_is("s3cret-Pass", hp, 0,
		    "another site's pepper (mode 0400) -> the hash does not verify");
		unlink(path);
	}
	crypto_pepper_forget();
	errno = 0;
	check(crypto_password_verify("s3cret-Pass", hp) == -1 && errno == ENOKEY,
	    "a peppered hash without the pepper -> -1 ENOKEY");
	verify_is("s3cret-Pass", known_plain, 1,
	    "after crypto_pepper_forget plain hashes verify");
out:
	free(plain);
	free(hp);
}

/* ---------------------------------------------------------------- csv */

static int
field_is(const struct csv *c, size_t r, int f, const char *want)
{
	return r < c->nrows && f < c->row[r].nfields &&
	    strcmp(c->row[r].field[f], want) == 0;
}

static void
test_csv(void)
{
	struct csv c;
	int rc;

	{
		static const char d[] = "\xEF\xBB\xBF表号,型号\r\n1001,energy\r\n";

		rc = csv_parse(d, sizeof(d) - 1, &c);
		check(rc == 0, "csv_parse UTF-8 with BOM and CRLF");
		checkf(c.nrows == 2 && c.row[0].nfields == 2 &&
		    field_is(&c, 0, 0, "表号") && field_is(&c, 0, 1, "型号") &&
		    field_is(&c, 1, 0, "1001") && field_is(&c, 1, 1, "energy"),
		    "BOM dropped, CR not in fields", "nrows %zu, first \"%s\"",
		    c.nrows, c.nrows ? c.row[0].field[0] : "");
		checkf(c.nrows == 2 && c.row[0].line == 1 && c.row[1].line == 2,
		    "CRLF line numbers 1, 2", "lines %d %d",
		    c.nrows > 0 ? c.row[0].line : -1,
		    c.nrows > 1 ? c.row[1].line : -1);
		csv_free(&c);
	}
	{
		static const char d[] = "a,b,c\nd,,f";

		rc = csv_parse(d, sizeof(d) - 1, &c);
		checkf(rc == 0 && c.nrows == 2 && c.row[1].nfields == 3 &&
		    field_is(&c, 1, 0, "d") && field_is(&c, 1, 1, "") &&
		    field_is(&c, 1, 2, "f") && c.row[1].line == 2,
		    "csv_parse LF without BOM, empty field, no final newline",
		    "rc %d nrows %zu", rc, c.nrows);
		csv_free(&c);
	}
	{
		static const char d[] =
		    "x,\"a,b\",\"say \"\"hi\"\"\"\n"	/* line 1 */
		    "\"two\nlines\",y\n"			/* lines 2-3 */
		    "\n"					/* line 4 blank */
		    "\r\n"					/* line 5 blank */
		    "\"three\r\nline\nfield\",z\r\n"	/* lines 6-8 */
		    "last,\"\"\n";				/* line 9 */

		rc = csv_parse(d, sizeof(d) - 1, &c);
		check(rc == 0, "csv_parse quoted fields succeeds");
		checkf(c.nrows == 4, "blank lines skipped: 4 rows", "got %zu",
		    c.nrows);
		check(field_is(&c, 0, 1, "a,b"), "quoted comma kept in field");
		check(field_is(&c, 0, 2, "say \"hi\""), "doubled quotes unescaped");
		check(field_is(&c, 1, 0, "two\nlines") && field_is(&c, 1, 1, "y"),
		    "newline inside quotes kept in field");
		check(field_is(&c, 2, 0, "three\r\nline\nfield") &&
		    field_is(&c, 2, 1, "z"), "CRLF inside quotes kept in field");
		check(field_is(&c, 3, 0, "last") && field_is(&c, 3, 1, "") &&
		    c.nrows == 4 && c.row[3].nfields == 2, "quoted empty field");
		checkf(c.nrows == 4 && c.row[0].line == 1 && c.row[1].line == 2 &&
		    c.row[2].line == 6 && c.row[3].line == 9,
		    "line numbers after multi-line fields and blank lines: 1 2 6 9",
		    "got %d %d %d %d",
		    c.nrows > 0 ? c.row[0].line : -1,
		    c.nrows > 1 ? c.row[1].line : -1,
		    c.nrows > 2 ? c.row[2].line : -1,
		    c.nrows > 3 ? c.row[3].line : -1);
		csv_free(&c);
	}
	{
		static const char d[] = "a,b\n\"open,c\nd,e\n";

		errno = 0;
		rc = csv_parse(d, sizeof(d) - 1, &c);
		checkf(rc == -1 && errno == EINVAL,
		    "csv_parse unclosed quote fails with EINVAL",
		    "rc %d errno %d", rc, errno);
		check(c.nrows == 0 && c.row == NULL && c.text == NULL,
		    "failed csv_parse leaves an empty csv");
		csv_free(&c);	/* must be harmless */
	}
	{
		/* "表号,型号\n1001,能源\n" in GBK */
		static const char d[] = "\xB1\xED\xBA\xC5,\xD0\xCD\xBA\xC5\n"
		    "1001,\xC4\xDC\xD4\xB4\n";

		rc = csv_parse(d, sizeof(d) - 1, &c);
		checkf(rc == 0, "csv_parse GBK file", "rc %d errno %d", rc, errno);
		checkf(rc == 0 && c.nrows == 2 && field_is(&c, 0, 0, "表号") &&
		    field_is(&c, 0, 1, "型号"), "GBK header decoded to UTF-8",
		    "nrows %zu", c.nrows);
		check(rc == 0 && field_is(&c, 1, 0, "1001") &&
		    field_is(&c, 1, 1, "能源") && c.row[1].line == 2,
		    "GBK data row decoded to UTF-8");
		csv_free(&c);
	}
	{
		static const char d[] = "a,b\n\x81\n";	/* lone GBK lead byte */

		errno = 0;
		rc = csv_parse(d, sizeof(d) - 1, &c);
		checkf(rc == -1 && errno == EILSEQ,
		    "csv_parse neither UTF-8 nor GBK fails with EILSEQ",
		    "rc %d errno %d", rc, errno);
		csv_free(&c);
	}
	{
		static const char d[] = "a,b\n\0c,d\n";

		errno = 0;
		rc = csv_parse(d, sizeof(d) - 1, &c);
		checkf(rc == -1 && errno == EILSEQ,
		    "csv_parse with a NUL byte fails with EILSEQ",
		    "rc %d errno %d", rc, errno);
		csv_free(&c);
	}
	{
		rc = csv_parse("", 0, &c);
		checkf(rc == 0 && c.nrows == 0, "csv_parse empty input: 0 rows",
		    "rc %d nrows %zu", rc, c.nrows);
		csv_free(&c);
		rc = csv_parse("\n\r\n\n", 4, &c);
		checkf(rc == 0 && c.nrows == 0, "csv_parse only blank lines: 0 rows",
		    "rc %d nrows %zu", rc, c.nrows);
		csv_free(&c);
	}
}

/* ---------------------------------------------------------------- import */

static struct imp_bus g_bus[3];
static const struct imp_room g_room[] = {
	{ "A", "101", 11 },
	{ "A", "102", 12 },
	{ "B", "101", 21 },
};
static const uint32_t g_number[] = { 1000, 2000, 3000 };
static struct imp_site g_site;

static void
site_init(void)
{
	memset(g_bus, 0, sizeof(g_bus));
	g_bus[0].gateway = "GW1";
	g_bus[0].port = 1;
	g_bus[0].id = 101;
	g_bus[0].count = 2;
	g_bus[0].used[1] = g_bus[0].used[2] = 1;
	g_bus[1].gateway = "GW1";
	g_bus[1].port = 2;
	g_bus[1].id = 102;
	g_bus[2].gateway = "GW2";
	g_bus[2].port = 3;
	g_bus[2].id = 201;
	g_bus[2].count = 30;	/* two more fit */
	for (int a = 1; a <= 30; a++)
		g_bus[2].used[a] = 1;
	g_site.bus = g_bus;
	g_site.nbus = 3;
	g_site.room = g_room;
	g_site.nroom = 3;
	g_site.number = g_number;
	g_site.nnumber = 3;
}

#define HDR_ZH "表号,型号,通讯管理机,端口,地址,楼栋,房间\n"
#define HDR_EN "number,profile,gateway,port,address,building,room\n"

/* Parses TEXT and runs imp_check; returns its result (-2 when parse fails). */
static int
imp_run(const char *text, struct imp_result *res)
{
	struct csv c;
	int rc;

	memset(res, 0, sizeof(*res));
	if (csv_parse(text, strlen(text), &c) == -1)
		return -2;
	rc = imp_check(&c, &g_site, res);
	csv_free(&c);
	return rc;
}

/* Expects exactly one error, at LINE with REASON in COLUMN. */
static void
imp_one(const char *what, const char *text, int line, const char *reason,
    const char *column)
{
	struct imp_result res;
	int rc = imp_run(text, &res);
	const struct imp_error *e = res.nerr ? &res.err[0] : NULL;

	checkf(rc == 1 && res.nerr == 1 && e->line == line &&
	    strcmp(e->reason, reason) == 0 &&
	    (column == NULL ? e->column == NULL :
	    e->column != NULL && strcmp(e->column, column) == 0), what,
	    "rc %d nerr %zu; first: line %d reason %s column %s value \"%s\"",
	    rc, res.nerr, e ? e->line : -1, e ? e->reason : "-",
	    e ? nz(e->column) : "-", e ? e->value : "");
	imp_result_free(&res);
}

static void
test_import(void)
{
	struct imp_result res;
	int rc;
	char *big;
	size_t off;

	site_init();

	/* a good file: BOM, CRLF, Chinese headers, mixed-case profile */
	rc = imp_run("\xEF\xBB\xBF"
	    "表号,型号,通讯管理机,端口,地址,楼栋,房间\r\n"
	    "5001,ddsy1352nk,GW1,1,3,A,101\r\n"
	    "5002,energy,GW1,2,1,A,102\r\n"
	    "\r\n"
	    "5003,DDSY1352NK,GW2,3,31,B,101\r\n"
	    " 5004 , energy , GW1 , 1 , 247 ,,\r\n", &res);
	checkf(rc == 0 && res.nerr == 0 && res.nmeter == 4,
	    "imp_check good file: 0 errors, 4 meters",
	    "rc %d nerr %zu nmeter %zu first reason %s line %d", rc, res.nerr,
	    res.nmeter, res.nerr ? res.err[0].reason : "-",
	    res.nerr ? res.err[0].line : -1);
	if (res.nmeter == 4) {
		const struct imp_meter *m = res.meter;

		checkf(m[0].line == 2 && m[0].number == 5001 && m[0].profile == 0 &&
		    m[0].bus_id == 101 && m[0].address == 3 && m[0].room_id == 11,
		    "meter 5001: line 2, ddsy1352nk, bus 101, address 3, room 11",
		    "line %d number %u profile %d bus %lld address %d room %lld",
		    m[0].line, m[0].number, m[0].profile, (long long)m[0].bus_id,
		    m[0].address, (long long)m[0].room_id);
		checkf(m[1].line == 3 && m[1].number == 5002 && m[1].profile == 1 &&
		    m[1].bus_id == 102 && m[1].address == 1 && m[1].room_id == 12,
		    "meter 5002: line 3, energy, bus 102, address 1, room 12",
		    "line %d number %u profile %d bus %lld address %d room %lld",
		    m[1].line, m[1].number, m[1].profile, (long long)m[1].bus_id,
		    m[1].address, (long long)m[1].room_id);
		checkf(m[2].line == 5 && m[2].number == 5003 && m[2].profile == 0 &&
		    m[2].bus_id == 201 && m[2].address == 31 && m[2].room_id == 21,
		    "meter 5003: line 5, bus 201 (GW2), address 31, room 21",
		    "line %d number %u profile %d bus %lld address %d room %lld",
		    m[2].line, m[2].number, m[2].profile, (long long)m[2].bus_id,
		    m[2].address, (long long)m[2].room_id);
		checkf(m[3].line == 6 && m[3].number == 5004 && m[3].profile == 1 &&
		    m[3].bus_id == 101 && m[3].address == 247 && m[3].room_id == 0,
		    "meter 5004: spaces trimmed, address 247, no room",
		    "line %d number %u profile %d bus %lld address %d room %lld",
		    m[3].line, m[3].number, m[3].profile, (long long)m[3].bus_id,
		    m[3].address, (long long)m[3].room_id);
	}
	imp_result_free(&res);

	/* English headers in another order, no building/room columns */
	rc = imp_run("Address,Port,Gateway,Profile,Number\n"
	    "9,2,GW1,energy,7001\n", &res);
	checkf(rc == 0 && res.nmeter == 1 && res.meter[0].number == 7001 &&
	    res.meter[0].bus_id == 102 && res.meter[0].address == 9 &&
	    res.meter[0].profile == 1 && res.meter[0].room_id == 0,
	    "imp_check English headers in any order, no room columns",
	    "rc %d nmeter %zu", rc, res.nmeter);
	imp_result_free(&res);
	rc = imp_run(HDR_EN "7002,ddsy1352nk,GW2,3,32,A,102\n", &res);
	checkf(rc == 0 && res.nmeter == 1 && res.meter[0].bus_id == 201 &&
	    res.meter[0].room_id == 12, "imp_check English headers with room",
	    "rc %d nmeter %zu", rc, res.nmeter);
	imp_result_free(&res);
	/* a GBK file straight from Excel */
	rc = imp_run("\xB1\xED\xBA\xC5,\xD0\xCD\xBA\xC5,"
	    "\xCD\xA8\xD1\xB6\xB9\xDC\xC0\xED\xBB\xFA,\xB6\xCB\xBF\xDA,"
	    "\xB5\xD8\xD6\xB7\r\n7003,energy,GW1,1,4\r\n", &res);
	checkf(rc == 0 && res.nmeter == 1 && res.meter[0].number == 7003 &&
	    res.meter[0].bus_id == 101 && res.meter[0].address == 4,
	    "imp_check GBK file with Chinese headers",
	    "rc %d nerr %zu nmeter %zu %s", rc, res.nerr, res.nmeter,
	    res.nerr ? res.err[0].reason : "");
	imp_result_free(&res);

	imp_one("header only -> empty", HDR_ZH, 1, "empty", NULL);
	imp_one("header only (English, CRLF, blank lines) -> empty",
	    "number,profile,gateway,port,address\r\n\r\n\r\n", 1, "empty", NULL);
	imp_one("empty file -> empty", "", 1, "empty", NULL);

	imp_one("missing 地址 column", "表号,型号,通讯管理机,端口,楼栋,房间\n"
	    "5001,energy,GW1,1,A,101\n", 1, "missing_column", "imp.col_address");
	rc = imp_run("表号,型号,通讯管理机\n5001,energy,GW1\n", &res);
	checkf(rc == 2 && res.nerr == 2 &&
	    strcmp(res.err[0].column, "imp.col_port") == 0 &&
	    strcmp(res.err[1].column, "imp.col_address") == 0 &&
	    strcmp(res.err[0].value, "端口") == 0 &&
	    res.err[0].line == 1 && res.err[1].line == 1,
	    "missing 端口 and 地址: two missing_column errors on line 1",
	    "rc %d nerr %zu", rc, res.nerr);
	imp_result_free(&res);
	imp_one("misspelt header", "numbr,profile,gateway,port,address\n"
	    "5001,energy,GW1,1,5\n", 1, "missing_column", "imp.col_number");

	imp_one("unknown gateway -> unknown_bus", HDR_ZH
	    "5001,energy,GW1,1,5,,\n"
	    "5002,energy,GW9,1,5,,\n", 3, "unknown_bus", "imp.col_gateway");
	imp_one("unknown port on a known gateway -> unknown_bus", HDR_ZH
	    "5001,energy,GW2,1,5,,\n", 2, "unknown_bus", "imp.col_gateway");
	imp_one("port not a number -> unknown_bus on port", HDR_ZH
	    "5001,energy,GW1,x,5,,\n", 2, "unknown_bus", "imp.col_port");
	imp_one("gateway names are case-sensitive", HDR_ZH
	    "5001,energy,gw1,1,5,,\n", 2, "unknown_bus", "imp.col_gateway");

	imp_one("duplicate number within the file", HDR_ZH
	    "5001,energy,GW1,1,5,,\n"
	    "5002,energy,GW1,1,6,,\n"
	    "5001,energy,GW1,1,7,,\n", 4, "dup_number", "imp.col_number");
	imp_one("number already in the database", HDR_ZH
	    "5001,energy,GW1,1,5,,\n"
	    "2000,energy,GW1,1,6,,\n", 3, "dup_number", "imp.col_number");
	imp_one("number 0 -> bad_number", HDR_ZH
	    "0,energy,GW1,1,5,,\n", 2, "bad_number", "imp.col_number");
	imp_one("number abc -> bad_number", HDR_ZH
	    "abc,energy,GW1,1,5,,\n", 2, "bad_number", "imp.col_number");
	imp_one("number above 2^32-1 -> bad_number", HDR_ZH
	    "4294967296,energy,GW1,1,5,,\n", 2, "bad_number", "imp.col_number");
	rc = imp_run(HDR_ZH "4294967295,energy,GW1,1,5,,\n", &res);
	checkf(rc == 0 && res.nmeter == 1 && res.meter[0].number == 4294967295U,
	    "number 4294967295 is accepted", "rc %d", rc);
	imp_result_free(&res);

	rc = imp_run(HDR_ZH
	    "5001,energy,GW1,1,0,,\n"
	    "5002,energy,GW1,1,248,,\n"
	    "5003,energy,GW1,1,x,,\n"
	    "5004,energy,GW1,1,,,\n"
	    "5005,energy,GW1,1,247,,\n", &res);
	checkf(rc == 4 && res.nerr == 4 && res.nmeter == 1 &&
	    res.err[0].line == 2 && res.err[1].line == 3 &&
	    res.err[2].line == 4 && res.err[3].line == 5 &&
	    strcmp(res.err[0].reason, "bad_address") == 0 &&
	    strcmp(res.err[1].reason, "bad_address") == 0 &&
	    strcmp(res.err[2].reason, "bad_address") == 0 &&
	    strcmp(res.err[3].reason, "bad_address") == 0 &&
	    strcmp(res.err[1].column, "imp.col_address") == 0 &&
	    strcmp(res.err[1].value, "248") == 0,
	    "addresses 0, 248, x and empty -> bad_address on lines 2-5",
	    "rc %d nerr %zu nmeter %zu", rc, res.nerr, res.nmeter);
	imp_result_free(&res);

	imp_one("two meters at one address on one bus in the file", HDR_ZH
	    "5001,energy,GW1,2,5,,\n"
	    "5002,energy,GW1,1,5,,\n"
	    "5003,energy,GW1,2,5,,\n", 4, "addr_taken", "imp.col_address");
	imp_one("address already used on the bus", HDR_ZH
	    "5001,energy,GW1,1,2,,\n", 2, "addr_taken", "imp.col_address");
	rc = imp_run(HDR_ZH "5001,energy,GW1,2,2,,\n", &res);
	checkf(rc == 0 && res.nmeter == 1,
	    "address used on another bus is free on this one", "rc %d", rc);
	imp_result_free(&res);

	imp_one("bus with 30 meters takes two more, then bus_full", HDR_ZH
	    "5001,energy,GW2,3,100,,\n"
	    "5002,energy,GW2,3,101,,\n"
	    "5003,energy,GW2,3,102,,\n", 4, "bus_full", "imp.col_address");
	/* 33 meters on an empty bus */
	big = malloc(8192);
	if (big == NULL)
		abort();
	off = (size_t)snprintf(big, 8192, "%s", HDR_ZH);
	for (int i = 1; i <= 33; i++)
		off += (size_t)snprintf(big + off, 8192 - off,
		    "%d,energy,GW1,2,%d,,\n", 6000 + i, i);
	rc = imp_run(big, &res);
	checkf(rc == 1 && res.nerr == 1 && res.nmeter == 32 &&
	    res.err[0].line == 34 && strcmp(res.err[0].reason, "bus_full") == 0 &&
	    strcmp(res.err[0].value, "GW1") == 0,
	    "33 meters on one bus: the 33rd (line 34) is bus_full",
	    "rc %d nerr %zu nmeter %zu line %d reason %s", rc, res.nerr,
	    res.nmeter, res.nerr ? res.err[0].line : -1,
	    res.nerr ? res.err[0].reason : "-");
	imp_result_free(&res);
	free(big);

	imp_one("room not found", HDR_ZH
	    "5001,energy,GW1,1,5,A,999\n", 2, "room_not_found", "imp.col_room");
	imp_one("building not found", HDR_ZH
	    "5001,energy,GW1,1,5,C,101\n", 2, "room_not_found", "imp.col_room");
	imp_one("room without building", HDR_ZH
	    "5001,energy,GW1,1,5,,101\n", 2, "room_not_found", "imp.col_room");
	imp_one("bad profile", HDR_ZH
	    "5001,energy,GW1,1,5,,\n"
	    "5002,dds666,GW1,1,6,,\n", 3, "bad_profile", "imp.col_profile");
	imp_one("empty profile", HDR_ZH
	    "5001,,GW1,1,5,,\n", 2, "bad_profile", "imp.col_profile");
	imp_one("short row: missing trailing fields", HDR_ZH
	    "5001,energy,GW1,1\n", 2, "bad_address", "imp.col_address");

	/* several faults in one row, and line numbers after a multi-line field */
	rc = imp_run(HDR_ZH
	    "5001,energy,GW1,1,5,A,\"10\n1\"\n"	/* lines 2-3 */
	    "\n"					/* line 4 */
	    "2000,foo,GW9,1,5,A,101\n", &res);	/* line 5 */
	checkf(rc == 4 && res.nerr == 4 &&
	    strcmp(res.err[0].reason, "room_not_found") == 0 &&
	    res.err[1].line == 5 && strcmp(res.err[1].reason, "dup_number") == 0 &&
	    res.err[2].line == 5 && strcmp(res.err[2].reason, "bad_profile") == 0 &&
	    res.err[3].line == 5 && strcmp(res.err[3].reason, "unknown_bus") == 0,
	    "errors carry the file line (multi-line field, blank line)",
	    "rc %d nerr %zu; lines %d %d", rc, res.nerr,
	    res.nerr > 0 ? res.err[0].line : -1,
	    res.nerr > 1 ? res.err[1].line : -1);
	checkf(res.nerr == 4 && res.err[0].line == 2,
	    "an error in a multi-line row points to the line where the row starts",
	    "line %d", res.nerr ? res.err[0].line : -1);
	imp_result_free(&res);

	/* the site itself is not changed by a check */
	rc = imp_run(HDR_ZH "5001,energy,GW1,2,9,,\n", &res);
	imp_result_free(&res);
	rc = imp_run(HDR_ZH "5001,energy,GW1,2,9,,\n", &res);
	checkf(rc == 0 && g_bus[1].count == 0 && g_bus[1].used[9] == 0,
	    "imp_check does not change the site", "rc %d count %d", rc,
	    g_bus[1].count);
	imp_result_free(&res);
}

/* ---------------------------------------------------------------- config */

static void
test_config(void)
{
	char path[] = "/tmp/test_lib_conf.XXXXXX";
	static const char text[] =
	    "# prepaid.conf for the tests\n"
	    "\n"
	    "   # an indented comment = not a key\n"
	    "db_host =   localhost   \n"
	    "db_port=3306\n"
	    "\tworkers\t=\t4\t\n"
	    "name = first\n"
	    "name = second\n"
	    "empty =\n"
	    "notnum = 12x\n"
	    "negative = -7\n"
	    "a line without an equals sign\n"
	    "url = tcp://h:1?a=b\n"
	    "last = no newline";
	struct config *c;
	int fd;

	if ((fd = mkstemp(path)) == -1 ||
	    write(fd, text, sizeof(text) - 1) != (ssize_t)(sizeof(text) - 1)) {
		check(0, "write a temporary config file");
		if (fd != -1)
			close(fd);
		return;
	}
	close(fd);
	c = config_load(path);
	check(c != NULL, "config_load reads the file");
	if (c != NULL) {
		check_str(config_get(c, "db_host", "x"), "localhost",
		    "config_get trims spaces around key and value");
		checkf(config_int(c, "db_port", 0) == 3306,
		    "config_int db_port = 3306", "got %ld",
		    config_int(c, "db_port", 0));
		checkf(config_int(c, "workers", 0) == 4,
		    "config_int trims tabs", "got %ld", config_int(c, "workers", 0));
		check_str(config_get(c, "name", "x"), "second",
		    "a repeated key: the last wins");
		check_str(config_get(c, "empty", "x"), "",
		    "an empty value is \"\", not the default");
		checkf(config_int(c, "empty", 9) == 9,
		    "config_int of an empty value gives the default", "got %ld",
		    config_int(c, "empty", 9));
		checkf(config_int(c, "notnum", 9) == 9,
		    "config_int of 12x gives the default", "got %ld",
		    config_int(c, "notnum", 9));
		checkf(config_int(c, "negative", 9) == -7,
		    "config_int of -7", "got %ld", config_int(c, "negative", 9));
		check_str(config_get(c, "missing", "dflt"), "dflt",
		    "config_get of a missing key gives the default");
		check(config_get(c, "missing", NULL) == NULL,
		    "config_get default NULL");
		checkf(config_int(c, "missing", 42) == 42,
		    "config_int of a missing key gives the default", "got %ld",
		    config_int(c, "missing", 42));
		check(config_get(c, "# an indented comment", NULL) == NULL &&
		    config_get(c, "an indented comment", NULL) == NULL,
		    "comment lines are not keys");
		check(config_get(c, "a line without an equals sign", NULL) == NULL,
		    "a line without '=' is ignored");
		check_str(config_get(c, "url", "x"), "tcp://h:1?a=b",
		    "a value may hold '='");
		check_str(config_get(c, "last", "x"), "no newline",
		    "the last line without a newline is read");
		check(config_get(c, "DB_HOST", NULL) == NULL,
		    "keys are case-sensitive");
		config_free(c);
	}
	unlink(path);
	check_str(config_get(NULL, "x", "d"), "d",
	    "config_get of a NULL config gives the default");
	config_free(NULL);
	errno = 0;
	c = config_load("/nonexistent/prepaid.conf");
	checkf(c == NULL && errno == ENOENT,
	    "config_load of a missing file fails with ENOENT", "errno %d", errno);
	config_free(c);
}

static void
test_capital(void)
{
	static const struct { long long fen; const char *want; } t[] = {
		{ 10000, "壹佰元整" }, { 12345, "壹佰贰拾叁元肆角伍分" },
		{ 0, "零元整" }, { 5, "伍分" }, { 50, "伍角整" },
		{ 1005, "壹拾元零伍分" }, { 100010000, "壹佰万零壹佰元整" },
		{ 100000001, "壹佰万元零壹分" }, { 101000, "壹仟零壹拾元整" },
		{ 230500, "贰仟叁佰零伍元整" }, { -250, "负贰元伍角整" },
		{ 1234567890, "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整" },
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		money_capital(t[i].fen, buf, sizeof(buf));
		checkf(strcmp(buf, t[i].want) == 0, "money_capital", "%lld: got %s, want %s",
		    t[i].fen, buf, t[i].want);
	}
}

static void
test_tou(void)
{
	struct tou t;
	char buf[128];

	check(tou_parse("", &t) == NULL && t.n == 0, "an empty day table is one price");
	check(tou_parse("00:00=3, 08:00=1,22:00=3", &t) == NULL && t.n == 3 &&
	    t.start[1] == 480 && t.slot[1] == 1 && t.start[2] == 1320,
	    "a day table parses to minutes and slots");
	check(strcmp(tou_payload(&t, buf, sizeof(buf)), "0:3,480:1,1320:3") == 0,
	    "and gives the meter's payload");
	check(tou_parse("08:00=1", &t) != NULL, "a table not starting at 00:00 is refused");
	check(tou_parse("00:00=1,09:00=2,08:00=1", &t) != NULL, "segments out of order are refused");
	check(tou_parse("00:00=4", &t) != NULL, "slot 4 is refused");
	check(tou_parse("00:00=1,24:00=2", &t) != NULL, "hour 24 is refused");
	check(tou_parse("00:00=1,01:00=2,02:00=1,03:00=2,04:00=1,05:00=2,06:00=1,07:00=2,08:00=1", &t) != NULL,
	    "more than 8 segments are refused");
	check(tou_parse("00:00=1;08:00=2", &t) != NULL, "a wrong separator is refused");
	check(tou_parse("00:00=谷, 08:00=峰,12:00=尖,14:00=平", &t) == NULL && t.n == 4 &&
	    t.slot[0] == 3 && t.slot[1] == 1 && t.slot[2] == 0 && t.slot[3] == 2,
	    "slots by name: 尖 峰 平 谷");
	check(strcmp(tou_text(&t, buf, sizeof(buf)), "00:00=谷,08:00=峰,12:00=尖,14:00=平") == 0,
	    "the table written back with names");
	check(tou_parse("00：00＝谷，08:00=峰", &t) == NULL && t.n == 2 && t.start[1] == 480,
	    "full-width colon, equals and comma are read");
	check(tou_parse("00:00=谷谷", &t) != NULL && tou_parse("00:00=低", &t) != NULL &&
	    tou_parse("00:00=12", &t) != NULL, "an unknown or doubled slot is refused");
	check(tou_from_payload("0:3,480:1,1320:3", &t) == 0 && t.n == 3 && t.start[2] == 1320 &&
	    t.slot[1] == 1, "a payload reads back");
	check(tou_from_payload("0:3,x", &t) == -1 && tou_from_payload("0:9", &t) == -1,
	    "a bad payload is refused");
}

/* A price payload refused by the decoder, with errno EINVAL. */
static int
price_bad(const char *s)
{
	struct cmdq_price p;

	errno = 0;
	return cmdq_price_decode(s, &p) == -1 && errno == EINVAL && p.p[0] == 0;
}

static int
settings_bad(const char *s)
{
	struct cmdq_settings st;

	errno = 0;
	return cmdq_settings_decode(s, &st) == -1 && errno == EINVAL &&
	    st.alarm1 == -1 && st.threshold == -1;
}

/* Every payload the writers store: price (all four, with and without a
 * day table), settings; encoded, decoded, encoded again the same. */
static void
test_cmdq_roundtrip(void)
{
	static const char *const stored[] = {
		"p0=5880&p1=5880&p2=5880&p3=5880",
		"p0=9000&p1=7000&p2=5880&p3=3000&tou=0:3,480:1,720:0,840:1,1320:3",
		"p0=1&p1=2147483647&p2=3&p3=4&tou=0:0,1:1,2:2,3:3,4:0,5:1,6:2,1439:3",
		NULL
	};
	struct cmdq_price p, p2;
	struct cmdq_settings st, st2;
	struct tou t;
	char buf[CMDQ_PAYLOAD_SIZE], small[16];

	for (int i = 0; stored[i]; i++)
		checkf(cmdq_price_decode(stored[i], &p) == 0 &&
		    cmdq_price_encode(&p, buf, sizeof(buf)) == 0 &&
		    strcmp(buf, stored[i]) == 0, "cmdq: a stored price payload reads and writes back the same",
		    "%s -> %s", stored[i], buf);
	check(cmdq_price_decode(stored[1], &p) == 0 && p.p[0] == 9000 && p.p[3] == 3000 &&
	    p.tou.n == 5 && p.tou.start[2] == 720 && p.tou.slot[2] == 0 && p.tou.start[4] == 1320,
	    "cmdq: price fields and day table decoded");
	p = (struct cmdq_price){ .p = { 6000, 6000, 6000, 6000 } };
	check(cmdq_price_encode(&p, buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "p0=6000&p1=6000&p2=6000&p3=6000") == 0 &&
	    cmdq_price_decode(buf, &p2) == 0 && memcmp(&p, &p2, sizeof(p)) == 0,
	    "cmdq: one price, no day table: no tou key, round trip");
	check(cmdq_price_decode("p0=6000", &p) == 0 && p.p[1] == 6000 && p.p[3] == 6000 &&
	    p.tou.n == 0, "cmdq: p1..p3 absent mean p0");
	check(cmdq_price_decode("p3=4&tou=0:1&p0=1", &p) == 0 && p.p[3] == 4 && p.p[2] == 1 &&
	    p.tou.n == 1, "cmdq: keys in any order");
	st = (struct cmdq_settings){ 2000, 500, 0, 2200, 60 };
	check(cmdq_settings_encode(&st, buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "alarm1=2000&alarm2=500&overdraft=0&threshold=2200&restore_delay=60") == 0 &&
	    cmdq_settings_decode(buf, &st2) == 0 && memcmp(&st, &st2, sizeof(st)) == 0,
	    "cmdq: settings as the batches write them, round trip");
	st = (struct cmdq_settings){ 2147483647, 0, -1, 65535, -1 };
	check(cmdq_settings_encode(&st, buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "alarm1=2147483647&alarm2=0&threshold=65535") == 0 &&
	    cmdq_settings_decode(buf, &st2) == 0 && memcmp(&st, &st2, sizeof(st)) == 0,
	    "cmdq: settings at the maximum, fields not sent stay -1");
	check(cmdq_tou_decode("", &t) == 0 && t.n == 0 &&
	    cmdq_tou_encode(&t, buf, sizeof(buf)) == 0 && buf[0] == '\0',
	    "cmdq: no day table is \"\" both ways");
	check(cmdq_price_decode(stored[1], &p) == 0 &&
	    cmdq_price_encode(&p, small, sizeof(small)) == -1 && errno == ENOSPC &&
	    small[0] == '\0', "cmdq: a buffer too small: ENOSPC, nothing half written");
}

/* What a writer must not store and a reader must refuse. */
static void
test_cmdq_bad(void)
{
	struct cmdq_price p;
	struct cmdq_settings st;
	struct tou t;
	char buf[CMDQ_PAYLOAD_SIZE], *big;

	check(price_bad("") && settings_bad(""), "cmdq: empty payload refused");
	check(price_bad("p1=6000&p2=1"), "cmdq: price without p0 refused");
	check(price_bad("p0=60x0") && price_bad("p0=abc") && price_bad("p0=") &&
	    price_bad("p0= 6000") && price_bad("p0=+6000") && price_bad("p0=6000.5"),
	    "cmdq: prices are plain digits");
	check(price_bad("p0=-1") && price_bad("p0=0") && settings_bad("alarm1=-5"),
	    "cmdq: negative or zero price, negative fen refused");
	check(cmdq_price_decode("p0=2147483647", &p) == 0 && p.p[0] == 2147483647 &&
	    price_bad("p0=2147483648") && price_bad("p0=99999999999"),
	    "cmdq: price at the maximum kept, one over refused");
	check(price_bad("p0=1&") && price_bad("p0=1&&p1=2") && price_bad("&p0=1") &&
	    price_bad("p0") && price_bad("=1") && price_bad("p0=1&p4=1") && price_bad("P0=1"),
	    "cmdq: truncated or malformed pairs, unknown keys refused");
	check(price_bad("p0=1&p0=2") && settings_bad("alarm1=1&alarm1=2"),
	    "cmdq: a repeated key refused");
	check(price_bad("p0=6000&tou=") && price_bad("p0=6000&tou=0:") &&
	    price_bad("p0=6000&tou=0:3,") && price_bad("p0=6000&tou=0:3,,480:1") &&
	    price_bad("p0=6000&tou=0") && price_bad("p0=6000&tou=0:4") &&
	    price_bad("p0=6000&tou=1440:1") && price_bad("p0=6000&tou=480:1,0:3") &&
	    price_bad("p0=6000&tou=0:1,0:2") && price_bad("p0=6000&tou=0:1&tou=0:1"),
	    "cmdq: bad day tables refused (empty, cut, slot 4, minute 1440, not rising)");
	check(price_bad("p0=1&tou=0:1,1:1,2:1,3:1,4:1,5:1,6:1,7:1,8:1") &&
	    cmdq_price_decode("p0=1&tou=0:1,1:1,2:1,3:1,4:1,5:1,6:1,7:1", &p) == 0 && p.tou.n == 8,
	    "cmdq: 8 segments kept, 9 refused");
	check(settings_bad("colour=red") && settings_bad("threshold=70000") &&
	    settings_bad("threshold=65536") && settings_bad("alarm1=2147483648") &&
	    settings_bad("alarm1=2000&") && settings_bad("alarm1=x") &&
	    settings_bad("restore_delay=") && settings_bad("p0=6000"),
	    "cmdq: bad settings refused (unknown, over U16, over fen, truncated, other kind)");
	check(cmdq_settings_decode("threshold=65535&restore_delay=0", &st) == 0 &&
	    st.threshold == 65535 && st.restore_delay == 0 && st.alarm1 == -1,
	    "cmdq: settings at U16 maximum and 0 kept");
	check(cmdq_tou_decode("0:3,x", &t) == -1 && cmdq_tou_decode("0:9", &t) == -1 &&
	    cmdq_tou_decode("'; DROP TABLE commands; --", &t) == -1 && t.n == 0,
	    "cmdq: a bad day table alone refused");
	if ((big = malloc(CMDQ_PAYLOAD_SIZE)) != NULL) {
		/* no end within the size: refused without reading past it
		 * (the address sanitizer watches) */
		memset(big, '1', CMDQ_PAYLOAD_SIZE);
		memcpy(big, "p0=", 3);
		check(price_bad(big), "cmdq: a payload of 256 characters or more refused");
		big[CMDQ_PAYLOAD_SIZE - 1] = '\0';
		check(price_bad(big), "cmdq: a 255-character number refused");
		free(big);
	}
	p = (struct cmdq_price){ .p = { 1, 0, 1, 1 } };
	check(cmdq_price_encode(&p, buf, sizeof(buf)) == -1 && errno == EINVAL && buf[0] == '\0',
	    "cmdq: a zero price is never written");
	p = (struct cmdq_price){ .p = { 1, 1, 1, 2147483648LL } };
	check(cmdq_price_encode(&p, buf, sizeof(buf)) == -1 && errno == EINVAL,
	    "cmdq: a price over the maximum is never written");
	p = (struct cmdq_price){ .p = { 1, 1, 1, 1 }, .tou = { 2, { 480, 0 }, { 1, 3 } } };
	check(cmdq_price_encode(&p, buf, sizeof(buf)) == -1 && errno == EINVAL,
	    "cmdq: a day table not rising is never written");
	p.tou = (struct tou){ 9, { 0 }, { 0 } };
	check(cmdq_price_encode(&p, buf, sizeof(buf)) == -1 && errno == EINVAL,
	    "cmdq: more than 8 segments are never written");
	cmdq_settings_none(&st);
	check(cmdq_settings_encode(&st, buf, sizeof(buf)) == -1 && errno == EINVAL,
	    "cmdq: settings with nothing to send are never written");
	st.threshold = 65536;
	check(cmdq_settings_encode(&st, buf, sizeof(buf)) == -1 && errno == EINVAL,
	    "cmdq: a threshold over U16 is never written");
}

static void
test_tiers(void)
{
	struct tiers t;
	char buf[256];

	check(tier_parse("", &t) == NULL && t.n == 0, "no tiers: not a tiered tariff");
	check(tier_parse("200=0.538, 400=0.588,*=0.838", &t) == NULL && t.n == 3 &&
	    t.upto[0] == 20000 && t.upto[1] == 40000 && t.upto[2] == -1 &&
	    t.price[0] == 5380 && t.price[2] == 8380, "three tiers parse to 0.01 kWh and 0.0001 yuan");
	check(strcmp(tier_text(&t, buf, sizeof(buf)), "200=0.5380,400=0.5880,*=0.8380") == 0,
	    "tiers print back with 4 decimals");
	check(tier_index(&t, 0) == 0 && tier_index(&t, 19999) == 0 &&
	    tier_index(&t, 20000) == 1 && tier_index(&t, 39999) == 1 &&
	    tier_index(&t, 40000) == 2 && tier_index(&t, 9999999) == 2,
	    "a month's consumption falls in the tier whose end it has not reached");
	check(tier_charge(&t, 0, 100) == 100 * 5380, "1 kWh in tier 1: 53.80 fen");
	/* 199.50 kWh used; 1 kWh more: 0.5 kWh at 0.538, 0.5 kWh at 0.588 */
	check(tier_charge(&t, 19950, 100) == 50 * 5380 + 50 * 5880,
	    "an interval across a tier end is split at it");
	check(tier_charge(&t, 19900, 20200) == 100 * 5380 + 20000 * 5880 + 100 * 8380,
	    "an interval across two tier ends is split at both");
	check(tier_charge(&t, 50000, 1000) == 1000 * 8380, "above the last end: the last price");
	check(tier_charge(&t, 100, 0) == 0 && tier_charge(&t, 100, -5) == 0, "no use, no charge");
	check(tier_parse("200=0.5", &t) != NULL, "one tier alone is refused");
	check(tier_parse("200=0.5,100=0.6,*=0.7", &t) != NULL, "tier ends out of order are refused");
	check(tier_parse("200=0.5,400=0.6", &t) != NULL, "a last tier without * is refused");
	check(tier_parse("200=0.5,*=0.6,400=0.7", &t) != NULL, "a tier after * is refused");
	check(tier_parse("200=0.12345,*=0.6", &t) != NULL, "a price with 5 decimals is refused");
	check(tier_parse("200=-1,*=0.6", &t) != NULL && tier_parse("abc=1,*=0.6", &t) != NULL &&
	    tier_parse("200:1,*=0.6", &t) != NULL && tier_parse("0=1,*=0.6", &t) != NULL,
	    "bad numbers and separators are refused");
	check(tier_parse("1=1,2=1,3=1,4=1,5=1,6=1,*=1", &t) != NULL, "more than 6 tiers are refused");
}

static void
test_halfwidth_dates(void)
{
	char out[64];
	int y, mo, d, h, mi, s;

	check(valid_halfwidth("１００", out, sizeof(out)) == 1 &&
	    strcmp(out, "100") == 0, "full-width digits become ASCII");
	check(valid_halfwidth("－１２．５０", out, sizeof(out)) == 1 &&
	    strcmp(out, "-12.50") == 0, "full-width minus and point too");
	check(valid_halfwidth("12.5", out, sizeof(out)) == 0 &&
	    strcmp(out, "12.5") == 0, "ASCII stays as it is");
	check(valid_halfwidth("１元", out, sizeof(out)) == 1 &&
	    strcmp(out, "1元") == 0, "other characters are kept for the checks");
	check(valid_halfwidth("／", out, sizeof(out)) == 0 &&
	    strcmp(out, "／") == 0, "the full-width slash is no digit");
	check(valid_halfwidth("１２３４５", out, 4) == -1, "too long for OUT is -1");
	check(xlsx_parse_date("2026-03-04", &y, &mo, &d, &h, &mi, &s) == 0 &&
	    y == 2026 && mo == 3 && d == 4 && h == 0, "a date");
	check(xlsx_parse_date("2026-03-04 23:59:58", &y, &mo, &d, &h, &mi,
	    &s) == 0 && h == 23 && mi == 59 && s == 58, "a date and time");
	check(xlsx_parse_date("2026-03-04 08:05", &y, &mo, &d, &h, &mi,
	    &s) == 0 && h == 8 && mi == 5 && s == 0, "a time without seconds");
	check(xlsx_parse_date("2026-13-04", &y, &mo, &d, &h, &mi, &s) == -1 &&
	    xlsx_parse_date("2026-03-04x", &y, &mo, &d, &h, &mi, &s) == -1 &&
	    xlsx_parse_date("20260304", &y, &mo, &d, &h, &mi, &s) == -1 &&
	    xlsx_parse_date("", &y, &mo, &d, &h, &mi, &s) == -1 &&
	    xlsx_parse_date("2026-03-04 24:00", &y, &mo, &d, &h, &mi, &s) == -1,
	    "anything else is no date");
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_money();
	test_money_exact();
	test_valid();
	test_crypto();
	test_pepper();
	test_csv();
	test_import();
	test_config();
	test_capital();
	test_tiers();
	test_tou();
	test_cmdq_roundtrip();
	test_cmdq_bad();
	test_halfwidth_dates();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
