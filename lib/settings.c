/* settings.c - the site settings' one table (name, kind, default) and their reading. */
#include <errno.h>
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
	{ NULL, SK_TEXT, NULL }
};

enum { Q_GET };
static const char *const q[] = {
	[Q_GET] = "SELECT value FROM settings WHERE name = ?",
};

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
