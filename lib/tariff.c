/* tariff.c - parses and checks a time-of-use day table and tiers; the exact tiered charge. */
#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cmdq.h"
#include "money.h"
#include "tariff.h"

/* The slots by name, as staff say them: 尖 峰 平 谷. */
static const char *const slot_names[4] = { "尖", "峰", "平", "谷" };

/* Reads a slot, a digit 0-3 or its name, at *P; returns it or -1. */
static int
slot_read(const char **p)
{
	if (**p >= '0' && **p <= '3' && !isdigit((unsigned char)(*p)[1]))
		return *(*p)++ - '0';
	for (int i = 0; i < 4; i++)
		if (strncmp(*p, slot_names[i], strlen(slot_names[i])) == 0) {
			*p += strlen(slot_names[i]);
			return i;
		}
	return -1;
}

/* Skips blanks and one separator SEP (ASCII or its full-width form FW);
 * returns 1 when one was there. */
static int
sep_skip(const char **p, char sep, const char *fw)
{
	int got = 0;

	while (isspace((unsigned char)**p))
		(*p)++;
	if (**p == sep) {
		(*p)++;
		got = 1;
	} else if (strncmp(*p, fw, strlen(fw)) == 0) {
		*p += strlen(fw);
		got = 1;
	}
	while (isspace((unsigned char)**p))
		(*p)++;
	return got;
}

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
		int hh = 0, mm = 0, slot, nd, minute;

		if (t->n == TOU_MAX)
			return "tou_too_many";
		for (nd = 0; nd < 2 && isdigit((unsigned char)*p); nd++)
			hh = hh * 10 + *p++ - '0';
		if (nd == 0 || !sep_skip(&p, ':', "："))
			return "tou_format";
		for (nd = 0; nd < 2 && isdigit((unsigned char)*p); nd++)
			mm = mm * 10 + *p++ - '0';
		if (nd != 2 || !sep_skip(&p, '=', "＝") || (slot = slot_read(&p)) < 0)
			return "tou_format";
		if (hh > 23 || mm > 59)
			return "tou_format";
		minute = hh * 60 + mm;
		if (t->n == 0 && minute != 0)
			return "tou_start";
		if (t->n > 0 && minute <= t->start[t->n - 1])
			return "tou_order";
		t->start[t->n] = minute;
		t->slot[t->n] = slot;
		t->n++;
		if (!sep_skip(&p, ',', "，") && *p != '\0')
			return "tou_format";
	}
	return NULL;
}

char *
tou_text(const struct tou *t, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < t->n && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%02d:%02d=%s", i ? "," : "",
		    t->start[i] / 60, t->start[i] % 60, slot_names[t->slot[i] & 3]);
	return buf;
}

/* The register payload is the command queue's: one codec (cmdq.c). */
int
tou_from_payload(const char *s, struct tou *t)
{
	return cmdq_tou_decode(s, t);
}

char *
tou_payload(const struct tou *t, char *buf, size_t size)
{
	cmdq_tou_encode(t, buf, size);
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
