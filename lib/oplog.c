/* oplog.c - the operation log's one writer and the JSON of its before and after. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "oplog.h"

enum { Q_LOG };
static const char *const q[] = {
	[Q_LOG] = "INSERT INTO oplog (operator_id, login, client_addr, action,"
	    " object, before_val, after_val) VALUES (NULLIF(?, 0), ?, ?, ?, ?, ?, ?)",
};

int
oplog_write(struct db *db, const struct actor *a, const char *action,
    const char *object, const char *before, const char *after)
{
	if (db_exec(db, q[Q_LOG], "lssssss", a->operator_id, a->name ? a->name :
	    "", a->addr ? a->addr : "", action, object ? object : "", before,
	    after) == -1) {
		log_warnx("operation log: %s", db_error(db));
		return -1;
	}
	return 0;
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
