/* valid.c - validators for every kind of form field. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "valid.h"

long
utf8_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;

	while (*p) {
		int extra;
		uint32_t cp;

		if (*p < 0x80) {
			extra = 0;
			cp = *p;
		} else if ((*p & 0xE0) == 0xC0) {
			extra = 1;
			cp = *p & 0x1F;
		} else if ((*p & 0xF0) == 0xE0) {
			extra = 2;
			cp = *p & 0x0F;
		} else if ((*p & 0xF8) == 0xF0) {
			extra = 3;
			cp = *p & 0x07;
		} else
			return -1;
		p++;
		for (int i = 0; i < extra; i++, p++) {
			if ((*p & 0xC0) != 0x80)
				return -1;
			cp = (cp << 6) | (*p & 0x3F);
		}
		/* overlong forms and surrogates are not UTF-8 */
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
		    (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return -1;
		n++;
	}
	return n;
}

int
valid_halfwidth(const char *s, char *out, size_t sz)
{
	size_t o = 0;
	int changed = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char c = (char)*p;

		/* U+FF0D minus, U+FF0E point, U+FF10-FF19 digits: EF BC 8D-99 */
		if (p[0] == 0xef && p[1] == 0xbc && p[2] >= 0x8d && p[2] <= 0x99 &&
		    p[2] != 0x8f) {
			c = p[2] == 0x8d ? '-' : p[2] == 0x8e ? '.' :
			    (char)('0' + (p[2] - 0x90));
			p += 2;
			changed = 1;
		}
		if (o + 1 >= sz)
			return -1;
		out[o++] = c;
	}
	if (o >= sz)
		return -1;
	out[o] = '\0';
	return changed;
}

const char *
valid_text(const char *s, size_t maxchars)
{
	long n = utf8_len(s);

	if (n < 0)
		return "bad_utf8";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7F)
			return "bad_char";
	if ((size_t)n > maxchars)
		return "too_long";
	return NULL;
}

const char *
valid_login(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > 32)
		return "bad_login";
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' &&
		    *s != '-')
			return "bad_login";
	return NULL;
}

const char *
valid_phone(const char *s)
{
	/* A mainland mobile number: 11 digits starting with 1[3-9]. */
	if (strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
		return "bad_phone";
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return "bad_phone";
	return NULL;
}

const char *
valid_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return "bad_int";
	v = strtol(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0')
		return "bad_int";
	if (errno == ERANGE || v < min || v > max)
		return "out_of_range";
	*out = v;
	return NULL;
}

const char *
valid_money(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;

	if (money_parse(s, &v) == -1) {
		if (errno == ERANGE)
			return "out_of_range";
		/* say "too many decimals" when that is the only fault */
		if (strchr(s, '.') && strspn(s, "0123456789.- ") == strlen(s))
			return "bad_decimals";
		return "bad_money";
	}
	if (v < min || v > max)
		return "out_of_range";
	*out = v;
	return NULL;
}

const char *
valid_price(const char *s, int64_t *out)
{
	int64_t v;

	if (price_parse(s, &v) == -1) {
		if (errno == ERANGE)
			return "out_of_range";
		if (strchr(s, '.') && strspn(s, "0123456789.- ") == strlen(s))
			return "bad_price_decimals";
		return "bad_money";
	}
	if (v <= 0)
		return "out_of_range";
	*out = v;
	return NULL;
}

/*
 * Common passwords of 12 or more characters, in lower case: the top of the
 * leaked lists (English and pinyin) that the length rule alone lets through.
 * Shorter ones are refused by the length already.
 */
static const char *const common_pw[] = {
	"000000000000", "111111111111", "112233445566", "111222333444",
	"121212121212", "123123123123", "123321123321", "123412341234",
	"123456123456", "123456654321", "123456789000", "123456789012",
	"1234567890123", "12345678901234", "123456789123", "147258369147",
	"147258369258", "159357159357", "520131452013", "52013145201314",
	"131452013145", "5201314woaini", "woaini1314520", "woaini5201314",
	"woaini520520", "woaini521521", "woaini123456", "woaini1314521",
	"1314woaini520", "woainimama123", "woaibaobao123", "laopo5201314",
	"woailaopo1314", "woshishui123", "wodemima1234", "mimamima1234",
	"mima12345678", "nihao1234567", "nihao123456", "qq1234567890",
	"qq123456789", "zhongguo1234", "zhongguo123456", "china1234567",
	"beijing12345", "shanghai1234", "aini13145200", "5201314520",
	"qwertyuiopasdfgh", "qwertyuiop12", "qwertyuiop123", "qwerty123456",
	"qwerty1234567", "123456qwerty", "qwe123456789", "q1w2e3r4t5y6",
	"1q2w3e4r5t6y", "1q2w3e4r5t6y7u", "1qaz2wsx3edc", "1qaz2wsx3edc4rfv",
	"1qaz@wsx#edc", "!qaz@wsx#edc", "qazwsxedcrfv", "zaq12wsxcde3",
	"asdfghjkl123", "asdf12345678", "asdfasdfasdf", "zxcvbnm12345",
	"zxcvbnm123456", "zxc123456789", "password1234", "password12345",
	"password123456", "password1234!", "passw0rd1234", "p@ssw0rd1234",
	"p@ssword1234", "passwordpassword", "mypassword123", "mypassword1234",
	"thisismypassword", "iloveyou1234", "iloveyou12345", "iloveyou123456",
	"iloveyoubaby", "iloveyouforever", "iloveyousomuch", "abc123456789",
	"abcd12345678", "abcdef123456", "abcdefg12345", "a1b2c3d4e5f6",
	"aa1234567890", "a12345678901", "admin1234567", "admin123456789",
	"administrator", "administrator1", "welcome12345", "welcome123456",
	"letmein12345", "changeme1234", "football1234", "baseball1234",
	"superman1234", "princess1234", "sunshine1234", "monkey123456",
	"dragon123456", "master123456", "1234567890qwe", "11111111111111",
	"correcthorsebatterystaple", "trustno1trustno1",
};

/* Words that stay weak with digits or signs before or after them
 * (password2024!, 1314woaini). */
static const char *const weak_stem[] = {
	"password", "passw0rd", "p@ssw0rd", "p@ssword", "iloveyou", "woaini",
	"aini", "qwerty", "asdf", "zxcv", "abcd", "abcdef",
	"admin", "welcome", "letmein", "mima", "wodemima", "nihao", "hello",
	"china", "zhongguo",
};

/* Keys side by side on a keyboard, and keypad walks; read both ways. */
static const char *const keyboard[] = {
	"`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
	"!@#$%^&*()_+", "qwertyuiopasdfghjklzxcvbnm",
	"1234567890qwertyuiopasdfghjklzxcvbnm", "q1w2e3r4t5y6u7i8o9p0",
	"1q2w3e4r5t6y7u8i9o0p-[=]", "qazwsxedcrfvtgbyhnujmik,ol.p;/",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/-['=]",
	"zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
	"1qazxsw23edcvfr45tgbnhy67ujm,ki89ol./;p0",
	"147258369", "789456123", "159357",
};

/* The code points of S (valid UTF-8) into CP; their number. */
static size_t
utf8_points(const char *s, uint32_t *cp, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p && n < max) {
		int extra = *p < 0x80 ? 0 : *p < 0xE0 ? 1 : *p < 0xF0 ? 2 : 3;
		uint32_t c = extra == 0 ? *p : *p & (0x3F >> extra);

		for (p++; extra > 0 && *p; extra--, p++)
			c = (c << 6) | (*p & 0x3F);
		cp[n++] = c;
	}
	return n;
}

/* One short piece (up to 6 characters) said again and again, or every
 * character one more (or one less) than the last: 111111111111,
 * abcabcabcabc, 123456789012, zyxwvutsrqpo. */
static int
pw_repeated_or_run(const uint32_t *cp, size_t n)
{
	for (size_t unit = 1; unit <= 6 && unit * 2 <= n; unit++) {
		size_t i;

		if (n % unit != 0)
			continue;
		for (i = unit; i < n && cp[i] == cp[i - unit]; i++)
			;
		if (i == n)
			return 1;
	}
	for (int step = -1; step <= 1; step += 2) {
		size_t i;

		for (i = 1; i < n; i++) {
			uint32_t want = cp[i - 1] + (uint32_t)step;

			/* digits go round: ...8901..., ...2109... */
			if (cp[i - 1] == '9' && step == 1)
				want = '0';
			else if (cp[i - 1] == '0' && step == -1)
				want = '9';
			if (cp[i] != want || cp[i] > 0x7F)
				break;
		}
		if (i == n)
			return 1;
	}
	return 0;
}

/* LOWER (the password in lower case) is a walk along the keyboard. */
static int
pw_keyboard(const char *lower)
{
	size_t n = strlen(lower);
	char rev[64];

	for (size_t k = 0; k < sizeof(keyboard) / sizeof(keyboard[0]); k++) {
		size_t m = strlen(keyboard[k]);

		if (n > m)
			continue;
		for (size_t i = 0; i < m; i++)
			rev[i] = keyboard[k][m - 1 - i];
		rev[m] = '\0';
		if (strstr(keyboard[k], lower) || strstr(rev, lower))
			return 1;
	}
	return 0;
}

/* LOWER is on the list, or a weak word with only digits and signs
 * around it. */
static int
pw_common(const char *lower)
{
	const char *a = lower, *b = lower + strlen(lower);

	for (size_t i = 0; i < sizeof(common_pw) / sizeof(common_pw[0]); i++)
		if (strcmp(lower, common_pw[i]) == 0)
			return 1;
	while (*a && (isdigit((unsigned char)*a) || ispunct((unsigned char)*a)))
		a++;
	while (b > a && (isdigit((unsigned char)b[-1]) ||
	    ispunct((unsigned char)b[-1]) || b[-1] == ' '))
		b--;
	for (size_t i = 0; i < sizeof(weak_stem) / sizeof(weak_stem[0]); i++)
		if (strlen(weak_stem[i]) == (size_t)(b - a) &&
		    strncmp(a, weak_stem[i], (size_t)(b - a)) == 0)
			return 1;
	return 0;
}

/* S in lower case (ASCII letters only) into OUT of SZ bytes; -1 if longer. */
static int
lower_copy(const char *s, char *out, size_t sz)
{
	size_t n = strlen(s);

	if (n >= sz)
		return -1;
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	return 0;
}

/* LOWER holds one of WORDS (3 characters or more), any case. */
static int
pw_has_word(const char *lower, const char *const *words)
{
	char w[PW_MAX_BYTES + 1];

	for (; words && *words; words++) {
		long n = utf8_len(*words);

		if (n >= 3 && lower_copy(*words, w, sizeof(w)) == 0 &&
		    strstr(lower, w) != NULL)
			return 1;
	}
	return 0;
}

const char *
valid_password(const char *pw, const char *old, const char *const *words)
{
	uint32_t cp[PW_MAX_CHARS];
	char lower[PW_MAX_BYTES + 1];
	const char *oldw[2] = { old, NULL };
	long n = utf8_len(pw);

	if (n < 0)
		return "pw_bad_utf8";
	if (n < PW_MIN_CHARS)
		return "pw_short";
	if (n > PW_MAX_CHARS || lower_copy(pw, lower, sizeof(lower)) == -1)
		return "pw_long";
	if (old && *old && (strcmp(pw, old) == 0 || pw_has_word(lower, oldw)))
		return "pw_old";
	if (pw_common(lower))
		return "pw_common";
	if (pw_repeated_or_run(cp, utf8_points(lower, cp, PW_MAX_CHARS)) ||
	    pw_keyboard(lower))
		return "pw_pattern";
	if (pw_has_word(lower, words))
		return "pw_context";
	return NULL;
}

const char *
valid_host(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253)
		return "bad_host";
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-' &&
		    *s != ':')
			return "bad_host";
	return NULL;
}

static int
rtu_option(const char *k, size_t klen, const char *v, size_t vlen)
{
	char buf[16];
	long n;
	char *end;

	if (vlen == 0 || vlen >= sizeof(buf))
		return -1;
	memcpy(buf, v, vlen);
	buf[vlen] = '\0';
	if (klen == 4 && strncmp(k, "baud", 4) == 0) {
		n = strtol(buf, &end, 10);
		return (*end == '\0' && (n == 1200 || n == 2400 || n == 4800 ||
		    n == 9600 || n == 19200 || n == 38400 || n == 57600 ||
		    n == 115200)) ? 0 : -1;
	}
	if (klen == 6 && strncmp(k, "parity", 6) == 0)
		return (vlen == 1 && strchr("NEO", buf[0])) ? 0 : -1;
	if (klen == 4 && strncmp(k, "stop", 4) == 0)
		return (vlen == 1 && (buf[0] == '1' || buf[0] == '2')) ? 0 : -1;
	return -1;
}

const char *
valid_bus_address(const char *s)
{
	if (strncmp(s, "tcp://", 6) == 0) {
		const char *host = s + 6, *colon = strrchr(host, ':');
		char h[256];
		long port;

		if (colon == NULL || colon == host ||
		    (size_t)(colon - host) >= sizeof(h))
			return "bad_bus_address";
		memcpy(h, host, colon - host);
		h[colon - host] = '\0';
		if (valid_host(h) != NULL)
			return "bad_bus_address";
		if (strchr(h, ':') != NULL || colon[1] == '\0' ||
		    strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
		    valid_int(colon + 1, 1, 65535, &port) != NULL)
			return "bad_bus_address";
		return NULL;
	}
	if (strncmp(s, "rtu:///dev/", 11) == 0) {
		const char *p = s + 11, *q = strchr(p, '?');
		size_t dn = q ? (size_t)(q - p) : strlen(p);

		if (dn == 0 || dn > 64 || p[0] == '/' || p[dn - 1] == '/')
			return "bad_bus_address";
		for (size_t i = 0; i < dn; i++)
			if (!isalnum((unsigned char)p[i]) && !strchr("/_.-", p[i]))
				return "bad_bus_address";
		if (strstr(p, "..") != NULL)
			return "bad_bus_address";
		unsigned seen = 0;

		while (q != NULL) {
			const char *k = q + 1, *eq = strchr(k, '=');
			const char *amp;

			if (eq == NULL)
				return "bad_bus_address";
			amp = strchr(eq, '&');
			if (rtu_option(k, eq - k, eq + 1,
			    amp ? (size_t)(amp - eq - 1) : strlen(eq + 1)) == -1)
				return "bad_bus_address";
			/* each option once: baud, parity, stop by first letter */
			if (seen & (1u << (*k - 'a')))
				return "bad_bus_address";
			seen |= 1u << (*k - 'a');
			q = amp;
		}
		return NULL;
	}
	return "bad_bus_address";
}
