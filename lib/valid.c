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

const char *
valid_password(const char *pw, const char *login)
{
	int alpha = 0, digit = 0;
	size_t n = strlen(pw);

	if (n < 8)
		return "pw_short";
	if (n > 128)
		return "too_long";
	for (const char *p = pw; *p; p++) {
		if (isalpha((unsigned char)*p))
			alpha = 1;
		else if (isdigit((unsigned char)*p))
			digit = 1;
	}
	if (!alpha || !digit)
		return "pw_weak";
	if (login && strcasecmp(pw, login) == 0)
		return "pw_weak";
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
