/* oplog.c - the operation log's one writer (phones masked, refusals counted a minute at a time) and the JSON of its before and after. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "oplog.h"

enum { Q_LOG, Q_REFUSED, Q_REFUSED_ROW };
static const char *const q[] = {
	[Q_LOG] = "INSERT INTO oplog (operator_id, login, client_addr, action,"
	    " object, before_val, after_val) VALUES (NULLIF(?, 0), ?, ?, ?, ?, ?, ?)",
	/* 1 row affected: the minute's first; 2: counted */
	[Q_REFUSED] = "INSERT INTO oplog_refusals (who, path, reason, minute)"
	    " VALUES (?, ?, ?, DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:00'))"
	    " ON DUPLICATE KEY UPDATE n = n + 1",
	[Q_REFUSED_ROW] = "UPDATE oplog_refusals SET oplog_id = LAST_INSERT_ID()"
	    " WHERE id = ?",
};

/* 1 when the JSON key that ends just before K (at its closing quote)
 * names a phone ("phone", "alarm_sms_phone"). */
static int
phone_key(const char *s, const char *k)
{
	const char *open = k;

	while (open > s && open[-1] != '"')
		open--;
	if (open == s || k - open < 5)
		return 0;
	for (const char *p = open; p + 5 <= k; p++)
		if (strncmp(p, "phone", 5) == 0)
			return 1;
	return 0;
}

/* Masks the JSON string value at V (after its opening quote) but its
 * first 3 and last 4 characters; all of it when 7 or fewer. */
static void
mask_value(char *v)
{
	size_t n = 0;

	while (v[n] && v[n] != '"' && v[n] != '\\')
		n++;
	if (v[n] != '"' || memchr(v, '*', n) != NULL)
		return;
	for (size_t i = n > 7 ? 3 : 0; i < (n > 7 ? n - 4 : n); i++)
		v[i] = '*';
}

char *
oplog_mask(char *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	for (p = s; *p; p++) {
		size_t n;

		if (!isdigit((unsigned char)*p) || (p > s &&
		    isdigit((unsigned char)p[-1])))
			continue;
		n = strspn(p, "0123456789");
		if (n == 11 && *p == '1')
			memset(p + 3, '*', 4);
		p += n - 1;
	}
	for (p = s; (p = strstr(p, "\":\"")) != NULL; p += 3)
		if (phone_key(s, p))
			mask_value(p + 3);
	return s;
}

int
oplog_write(struct db *db, const struct actor *a, const char *action,
    const char *object, const char *before, const char *after)
{
	char *o = strdup(object ? object : ""), *b = NULL, *f = NULL;
	int rc = -1;

	if (o == NULL || (before && (b = strdup(before)) == NULL) ||
	    (after && (f = strdup(after)) == NULL))
		log_warnx("operation log: out of memory");
	else if (db_exec(db, q[Q_LOG], "lssssss", a->operator_id, a->name ?
	    a->name : "", a->addr ? a->addr : "", action, oplog_mask(o),
	    oplog_mask(b), oplog_mask(f)) == -1)
		log_warnx("operation log: %s", db_error(db));
	else
		rc = 0;
	free(o);
	free(b);
	free(f);
	return rc;
}

int
oplog_refusal(struct db *db, const struct actor *a, const char *action,
    const char *path, const char *reason, const char *after)
{
	char who[80];
	long n;
	uint64_t id;

	if (a->operator_id > 0)
		snprintf(who, sizeof(who), "op:%lld", (long long)a->operator_id);
	else
		snprintf(who, sizeof(who), "addr:%s", a->addr ? a->addr : "");
	if ((n = db_exec(db, q[Q_REFUSED], "sss", who, path, reason)) == -1) {
		log_warnx("operation log: %s", db_error(db));
		return -1;
	}
	if (n != 1)
		return 0;
	id = db_last_id(db);
	if (oplog_write(db, a, action, path, NULL, after) == -1)
		return -1;
	if (db_exec(db, q[Q_REFUSED_ROW], "l", (int64_t)id) == -1) {
		log_warnx("operation log: %s", db_error(db));
		return -1;
	}
	return 1;
}

/* Appends N bytes of S. */
static void
add(struct json *x, const char *s, size_t n)
{
	if (x->bad)
		return;
	if (x->len + n + 1 > x->cap) {
		size_t cap = (x->cap + n + 1) * 2;
		char *nb = realloc(x->b, cap);

		if (nb == NULL) {
			x->bad = 1;
			return;
		}
		x->b = nb;
		x->cap = cap;
	}
	memcpy(x->b + x->len, s, n);
	x->len += n;
	x->b[x->len] = '\0';
}

/* Appends S as a JSON string, quotes included. */
static void
add_str(struct json *x, const char *s)
{
	add(x, "\"", 1);
	for (; *s; s++) {
		char esc[8];

		if (*s == '"' || *s == '\\') {
			esc[0] = '\\';
			esc[1] = *s;
			add(x, esc, 2);
		} else if ((unsigned char)*s < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned char)*s);
			add(x, esc, 6);
		} else
			add(x, s, 1);
	}
	add(x, "\"", 1);
}

void
oplog_json_open(struct json *x)
{
	memset(x, 0, sizeof(*x));
	add(x, "{", 1);
}

void
oplog_json_pair(struct json *x, const char *key, const char *value)
{
	if (x->n++ > 0)
		add(x, ",", 1);
	add_str(x, key);
	add(x, ":", 1);
	if (value)
		add_str(x, value);
	else
		add(x, "null", 4);
}

char *
oplog_json_close(struct json *x)
{
	add(x, "}", 1);
	if (x->bad) {
		free(x->b);
		return NULL;
	}
	return x->b;
}

char *
oplog_json(const char *key, ...)
{
	va_list ap;
	char *j;

	va_start(ap, key);
	j = oplog_vjson(key, ap);
	va_end(ap);
	return j;
}

char *
oplog_vjson(const char *key, va_list ap)
{
	struct json x;

	oplog_json_open(&x);
	for (const char *k = key; k; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);

		oplog_json_pair(&x, k, v ? v : "");
	}
	return oplog_json_close(&x);
}
