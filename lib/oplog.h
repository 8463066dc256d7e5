/* oplog.h - the operation log (F4) written by whoever acts: an operator, a student, the system or a payment channel. */
#ifndef OPLOG_H
#define OPLOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* Who does something, for the log. */
struct actor {
	int64_t operator_id;	/* the operator, or 0 */
	const char *name;	/* the operator's login, "system", a channel */
	const char *addr;	/* the client's address, or "" */
};

/* One line of the log: ACTION on OBJECT with BEFORE and AFTER (JSON, or
 * NULL). Returns 0 or -1 (the reason is logged; the action stands). */
int oplog_write(struct db *, const struct actor *, const char *action,
    const char *object, const char *before, const char *after);

/*
 * A refused request (ACTION: access.denied, csrf.refused, method.refused) on
 * PATH for REASON, with AFTER (JSON or NULL): one row of the log per
 * operator (or address, when nobody is signed in), path and reason a
 * minute; the others that minute are counted in oplog_refusals. Returns 1
 * when a row was written, 0 when counted only, -1 on an error (logged).
 */
int oplog_refusal(struct db *, const struct actor *, const char *action,
    const char *path, const char *reason, const char *after);

/* Masks in place each mobile number of S (11 digits from 1: 139****9000)
 * and each value of a JSON key naming a phone; returns S. */
char *oplog_mask(char *s);

/* A JSON object built a pair at a time: oplog_json_open, then
 * oplog_json_pair for each (a NULL value is null), then oplog_json_close,
 * which returns the text (the caller frees it) or NULL when out of memory. */
struct json {
	char *b;
	size_t len, cap;
	int bad, n;
};
void oplog_json_open(struct json *);
void oplog_json_pair(struct json *, const char *key, const char *value);
char *oplog_json_close(struct json *);

/* A JSON object of KEY, VALUE string pairs ending with NULL; the caller
 * frees it; NULL when out of memory. */
char *oplog_json(const char *key, ...) __attribute__((sentinel));
/* The same from a va_list. */
char *oplog_vjson(const char *key, va_list);

#endif
