/* settings.c - the site settings' one table (name, kind, default), their reading, and a process's copy kept while the settings version stays. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "settings.h"

const struct setting settings[] = {
	{ "site_title", SK_TEXT, "远程预付费电能管理系统" },
	{ "site_logo", SK_TEXT, "/static/logo.svg" },
	{ "power_threshold_w", SK_INT, "2200" },
	{ "poll_interval_min", SK_INT, "30" },
	{ "alarm1_fen", SK_FEN, "2000" },
	{ "alarm2_fen", SK_FEN, "500" },
	{ "price", SK_PRICE, "5880" },
	{ "hoard_cap_fen", SK_FEN, "100000" },
	{ "alarm_sms_phone", SK_TEXT, "" },
	{ "lost_after_cycles", SK_INT, "3" },
	{ "receipt_header", SK_TEXT, "远程预付费电能管理系统" },
	{ "receipt_footer", SK_TEXT, "请妥善保管本收据。" },
	{ "approve_refund", SK_BOOL, "0" },
	{ "approve_reversal", SK_BOOL, "0" },
	{ "approve_keep_power", SK_BOOL, "0" },
	{ "loss_alarm_pct", SK_INT, "5" },
	{ "pay_max_fen", SK_FEN, "50000" },
	/* 8.3.8 retention (prepaid-admin purge) */
	{ "retain_readings_days", SK_INT, "1095" },
	{ "retain_closed_days", SK_INT, "1825" },
	{ "retain_sms_days", SK_INT, "365" },
	{ NULL, SK_TEXT, NULL }
};

enum { Q_GET, Q_VERSION, Q_ALL, Q_STUDENT };
static const char *const q[] = {
	[Q_GET] = "SELECT value FROM settings WHERE name = ?",
	[Q_VERSION] = "SELECT version FROM settings_version WHERE id = 1",
	[Q_ALL] = "SELECT name, value FROM settings",
	[Q_STUDENT] = "SELECT name, value FROM student_settings",
};

/* The process's copy: the rows as read at VERSION (0: none read yet). */
#define CACHE_MAX 64
static struct {
	char *name, *value;
} cache[CACHE_MAX];
static size_t ncache;
static uint64_t cache_version;

const struct setting *
settings_find(const char *name)
{
	for (const struct setting *s = settings; s->name; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

int64_t
settings_int(struct db *db, const char *name)
{
	const struct setting *s = settings_find(name);
	struct dbres *res;
	int64_t v;

	if (s == NULL || s->kind == SK_TEXT) {
		errno = EINVAL;
		return -1;
	}
	v = strtoll(s->def, NULL, 10);
	if ((res = db_query(db, q[Q_GET], "s", name)) == NULL)
		return -1;
	if (db_next(res) == 1 && db_col(res, 0) && *db_col(res, 0))
		v = db_coll(res, 0);
	db_res_free(res);
	return v;
}

/* 1 when S is a path of an image on this site ("/static/logo.svg"): no
 * scheme, no other host, no way out of the path, an image's extension. */
int
settings_logo_ok(const char *s)
{
	static const char *const ext[] = { ".svg", ".png", ".jpg", ".jpeg",
	    ".gif", ".webp", NULL };
	size_t n = strlen(s);

	if (s[0] != '/' || s[1] == '/' || strstr(s, "..") != NULL ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/._-") != n)
		return 0;
	for (int i = 0; ext[i]; i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcasecmp(s + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

static void
cache_clear(void)
{
	for (size_t i = 0; i < ncache; i++) {
		free(cache[i].name);
		free(cache[i].value);
	}
	ncache = 0;
	cache_version = 0;
}

/* Reads every row of FROM into the copy; 0, or -1 (the copy is empty). */
static int
cache_load(struct db *db, enum settings_from from)
{
	struct dbres *res;
	int rc = 0;

	cache_clear();
	if ((res = db_query(db, q[from == SETTINGS_STUDENT ? Q_STUDENT :
	    Q_ALL], "")) == NULL)
		return -1;
	while ((rc = db_next(res)) == 1 && ncache < CACHE_MAX) {
		const char *v = db_col(res, 1);

		cache[ncache].name = strdup(db_col(res, 0));
		cache[ncache].value = strdup(v ? v : "");
		if (cache[ncache].name == NULL || cache[ncache].value == NULL) {
			free(cache[ncache].name);
			free(cache[ncache].value);
			rc = -1;
			break;
		}
		ncache++;
	}
	db_res_free(res);
	if (rc == -1) {
		cache_clear();
		return -1;
	}
	return 0;
}

int
settings_refresh(struct db *db, enum settings_from from, uint64_t version)
{
	struct dbres *res;
	uint64_t v = version;
	int rc;

	/* the version first: values read after it are at least as new */
	if (v == 0) {
		if ((res = db_query(db, q[Q_VERSION], "")) == NULL)
			return -1;
		if ((rc = db_next(res)) == 1)
			v = (uint64_t)db_coll(res, 0);
		db_res_free(res);
		if (rc == -1)
			return -1;
	}
	if (v != 0 && v == cache_version)
		return 0;
	if (cache_load(db, from) == -1)
		return -1;
	cache_version = v;
	return 1;
}

const char *
settings_cached(const char *name)
{
	for (size_t i = 0; i < ncache; i++)
		if (strcmp(cache[i].name, name) == 0)
			return cache[i].value;
	return NULL;
}

int64_t
settings_cached_int(const char *name)
{
	const struct setting *s = settings_find(name);
	const char *v = settings_cached(name);

	if (s == NULL || s->kind == SK_TEXT) {
		errno = EINVAL;
		return -1;
	}
	return strtoll(v != NULL && *v != '\0' ? v : s->def, NULL, 10);
}

uint64_t
settings_version(void)
{
	return cache_version;
}

void
settings_forget(void)
{
	cache_clear();
}
