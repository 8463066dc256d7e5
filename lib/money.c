/* money.c - exact decimal parsing and formatting of fen, prices and energy. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "money.h"

int
decimal_parse(const char *s, int scale, int64_t max, int64_t *out)
{
	int neg = 0, ndig = 0, nfrac = 0, seen_point = 0, over = 0;
	int64_t v = 0;
	const char *p = s;

	if (s == NULL) {
		errno = EINVAL;
		return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-' || *p == '+')
		neg = (*p++ == '-');
	for (; *p != '\0'; p++) {
		if (*p == '.' && !seen_point) {
			seen_point = 1;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			break;
		if (seen_point && ++nfrac > scale) {
			errno = EINVAL;
			return -1;
		}
		ndig++;
		/* keep scanning on overflow so that "9...9x" is EINVAL */
		if (v <= (INT64_MAX - 9) / 10)
			v = v * 10 + (*p - '0');
		else
			over = 1;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0' || ndig == 0) {
		errno = EINVAL;
		return -1;
	}
	for (; nfrac < scale; nfrac++) {
		if (v > INT64_MAX / 10)
			over = 1;
		else
			v *= 10;
	}
	if (over || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = neg ? -v : v;
	return 0;
}

char *
decimal_format(int64_t v, int scale, char *buf, size_t size)
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t div = 1;

	for (int i = 0; i < scale; i++)
		div *= 10;
	if (scale == 0)
		snprintf(buf, size, "%s%llu", v < 0 ? "-" : "",
		    (unsigned long long)a);
	else
		snprintf(buf, size, "%s%llu.%0*llu", v < 0 ? "-" : "",
		    (unsigned long long)(a / div), scale,
		    (unsigned long long)(a % div));
	return buf;
}

int
money_parse(const char *s, fen_t *out)
{
	return decimal_parse(s, 2, MONEY_MAX, out);
}

char *
money_format(fen_t v, char *buf, size_t size)
{
	return decimal_format(v, 2, buf, size);
}

int
price_parse(const char *s, int64_t *out)
{
	return decimal_parse(s, 4, 1000000, out);
}

static const char *const cap_digit[] = {
	"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"
};
static const char *const cap_unit[] = { "", "拾", "佰", "仟" };
static const char *const cap_group[] = { "", "万", "亿", "万亿" };

static void
cat(char *buf, size_t size, const char *s)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size > n ? size - n : 0, "%s", s);
}

char *
money_capital(fen_t v, char *buf, size_t size)
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t yuan = a / 100;
	int jiao = (int)(a / 10 % 10), fen = (int)(a % 10);
	int groups[5], ng = 0, zero = 0;

	buf[0] = '\0';
	if (v < 0)
		cat(buf, size, "负");
	for (uint64_t y = yuan; y > 0 && ng < 5; y /= 10000)
		groups[ng++] = (int)(y % 10000);
	/* Groups of four digits from the highest; one 零 stands for any run
	 * of zeros between two non-zero digits, also across groups. */
	for (int g = ng - 1; g >= 0; g--) {
		int d[4] = { groups[g] / 1000, groups[g] / 100 % 10,
		    groups[g] / 10 % 10, groups[g] % 10 };

		if (groups[g] == 0) {
			zero = 1;
			continue;
		}
		for (int i = 0; i < 4; i++) {
			if (d[i] == 0) {
				zero = 1;
				continue;
			}
			if (zero && buf[0] != '\0' && strcmp(buf, "负") != 0)
				cat(buf, size, cap_digit[0]);
			zero = 0;
			cat(buf, size, cap_digit[d[i]]);
			cat(buf, size, cap_unit[3 - i]);
		}
		cat(buf, size, cap_group[g < 4 ? g : 3]);
	}
	if (yuan > 0)
		cat(buf, size, "元");
	if (jiao == 0 && fen == 0) {
		if (yuan == 0)
			cat(buf, size, "零元");
		cat(buf, size, "整");
		return buf;
	}
	if (jiao > 0) {
		cat(buf, size, cap_digit[jiao]);
		cat(buf, size, "角");
	} else if (yuan > 0)
		cat(buf, size, cap_digit[0]);
	if (fen > 0) {
		cat(buf, size, cap_digit[fen]);
		cat(buf, size, "分");
	} else
		cat(buf, size, "整");
	return buf;
}
