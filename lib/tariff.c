/* tariff.c - parses and checks a time-of-use day table. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tariff.h"

const char *
tou_parse(const char *s, struct tou *t)
{
	const char *p = s;

	memset(t, 0, sizeof(*t));
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return NULL;
	while (*p) {
		int hh, mm, slot, used = 0, minute;

		if (t->n == TOU_MAX)
			return "tou_too_many";
		if (sscanf(p, "%2d:%2d=%1d%n", &hh, &mm, &slot, &used) != 3 ||
		    used == 0)
			return "tou_format";
		if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || slot < 0 || slot > 3)
			return "tou_format";
		minute = hh * 60 + mm;
		if (t->n == 0 && minute != 0)
			return "tou_start";
		if (t->n > 0 && minute <= t->start[t->n - 1])
			return "tou_order";
		t->start[t->n] = minute;
		t->slot[t->n] = slot;
		t->n++;
		p += used;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == ',')
			p++;
		else if (*p != '\0')
			return "tou_format";
		while (isspace((unsigned char)*p))
			p++;
	}
	return NULL;
}

char *
tou_payload(const struct tou *t, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < t->n && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%d:%d", i ? "," : "",
		    t->start[i], t->slot[i]);
	return buf;
}
