/* tariff.c - parses and checks a time-of-use day table and tiers; the exact tiered charge. */
#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "money.h"
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

const char *
tier_parse(const char *s, struct tiers *t)
{
	const char *p = s;

	memset(t, 0, sizeof(*t));
	for (;;) {
		char num[32], price[32];
		size_t nl = 0, pl = 0;
		int64_t kwh = -1;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		if (t->n == TIER_MAX)
			return "tier_too_many";
		if (t->n > 0 && t->upto[t->n - 1] < 0)
			return "tier_last";
		while (*p && *p != '=' && *p != ',' && !isspace((unsigned char)*p) &&
		    nl < sizeof(num) - 1)
			num[nl++] = *p++;
		num[nl] = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (*p++ != '=')
			return "tier_format";
		while (isspace((unsigned char)*p))
			p++;
		while (*p && *p != ',' && !isspace((unsigned char)*p) &&
		    pl < sizeof(price) - 1)
			price[pl++] = *p++;
		price[pl] = '\0';
		if (strcmp(num, "*") != 0) {
			char *end;

			if (!isdigit((unsigned char)num[0]))
				return "tier_format";
			kwh = strtoll(num, &end, 10);
			if (*end != '\0' || kwh <= 0 || kwh > 1000000)
				return "tier_format";
			if (t->n > 0 && kwh * 100 <= t->upto[t->n - 1])
				return "tier_order";
		}
		if (price_parse(price, &t->price[t->n]) == -1 ||
		    t->price[t->n] <= 0)
			return "tier_format";
		t->upto[t->n] = kwh < 0 ? -1 : kwh * 100;
		t->n++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == ',')
			p++;
		else if (*p != '\0')
			return "tier_format";
	}
	if (t->n == 0)
		return NULL;
	if (t->n < 2)
		return "tier_too_few";
	if (t->upto[t->n - 1] >= 0)
		return "tier_last";
	return NULL;
}

char *
tier_text(const struct tiers *t, char *buf, size_t size)
{
	size_t n = 0;
	char pr[32];

	buf[0] = '\0';
	for (int i = 0; i < t->n && n < size; i++) {
		decimal_format(t->price[i], 4, pr, sizeof(pr));
		if (t->upto[i] < 0)
			n += snprintf(buf + n, size - n, "%s*=%s", i ? "," : "", pr);
		else
			n += snprintf(buf + n, size - n, "%s%lld=%s", i ? "," : "",
			    (long long)(t->upto[i] / 100), pr);
	}
	return buf;
}

int
tier_index(const struct tiers *t, int64_t used)
{
	int i = 0;

	while (i < t->n - 1 && t->upto[i] >= 0 && used >= t->upto[i])
		i++;
	return i;
}

int64_t
tier_charge(const struct tiers *t, int64_t before, int64_t delta)
{
	int64_t charge = 0, at = before, left = delta;

	if (t->n == 0 || delta <= 0)
		return 0;
	while (left > 0) {
		int i = tier_index(t, at);
		int64_t room = t->upto[i] < 0 || i == t->n - 1 ? left :
		    t->upto[i] - at;
		int64_t part = room < left ? room : left;

		charge += part * t->price[i];
		at += part;
		left -= part;
	}
	return charge;
}
