/* page-settings.c - F10 default parameters and the site's title and logo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "money.h"
#include "pages.h"
#include "settings.h"

enum { Q_ALL, Q_SET };
static const char *const q[] = {
	[Q_ALL] = "SELECT name, value FROM settings",
	[Q_SET] = "INSERT INTO settings (name, value) VALUES (?, ?)"
	    " ON DUPLICATE KEY UPDATE value = VALUES(value)",
};

static const char *const yesno[] = { "0", "1", NULL };

static const struct field fields[] = {
	{ "site_title", FT_TEXT, 1, 0, 40, NULL },
	{ "site_logo", FT_TEXT, 0, 0, 200, NULL },
	{ "power_threshold_w", FT_INT, 1, 0, 65535, NULL },	/* the meter's 16-bit register */
	{ "poll_interval_min", FT_INT, 1, 1, 1440, NULL },
	{ "alarm1_fen", FT_MONEY, 1, 0, 10000000, NULL },
	{ "alarm2_fen", FT_MONEY, 1, 0, 10000000, NULL },
	{ "price", FT_PRICE, 1, 0, 0, NULL },
	{ "hoard_cap_fen", FT_MONEY, 1, 1, 100000000, NULL },
	{ "alarm_sms_phone", FT_PHONE, 0, 0, 0, NULL },
	{ "lost_after_cycles", FT_INT, 1, 1, 100, NULL },
	{ "receipt_header", FT_TEXT, 1, 0, 40, NULL },
	{ "receipt_footer", FT_TEXT, 0, 0, 100, NULL },
	{ "approve_refund", FT_CHOICE, 1, 0, 0, yesno },
	{ "approve_reversal", FT_CHOICE, 1, 0, 0, yesno },
	{ "approve_keep_power", FT_CHOICE, 1, 0, 0, yesno },
	{ "loss_alarm_pct", FT_INT, 1, 0, 100, NULL },	/* B7 */
	/* 8.3.8 retention, in days, no less than prepaid_purge()'s floors */
	{ "retain_readings_days", FT_INT, 1, 400, 36500, NULL },
	{ "retain_closed_days", FT_INT, 1, 365, 36500, NULL },
	{ "retain_sms_days", FT_INT, 1, 30, 36500, NULL },
};
enum { S_TITLE, S_LOGO, S_THRESHOLD, S_POLL, S_ALARM1, S_ALARM2, S_PRICE,
    S_CAP, S_SMS, S_LOST, S_RHEAD, S_RFOOT, S_AREFUND, S_AREVERSAL, S_AKEEP,
    S_LOSS, S_RREADINGS, S_RCLOSED, S_RSMS, S_N };

/* How a stored value is shown in the form: fen as yuan, price in yuan. */
static void
show(struct req *r, const char *prefix, const char *name, const char *value)
{
	char key[96], buf[40];
	int64_t v = strtoll(value, NULL, 10);

	snprintf(key, sizeof(key), "%s.%s", prefix, name);
	for (int i = 0; i < S_N; i++) {
		if (strcmp(fields[i].name, name) != 0)
			continue;
		if (fields[i].type == FT_MONEY)
			value = money_format(v, buf, sizeof(buf));
		else if (fields[i].type == FT_PRICE)
			value = decimal_format(v, 4, buf, sizeof(buf));
		hdf_set_value(r->hdf, key, value);
	}
}

/* The settings as PREFIX.NAME shows them (yuan, not fen), as the JSON
 * of the operation log; the caller frees it. */
static char *
settings_json(struct req *r, const char *prefix)
{
	struct fval sv[S_N];
	char key[96];

	for (int i = 0; i < S_N; i++) {
		snprintf(key, sizeof(key), "%s.%s", prefix, fields[i].name);
		sv[i].s = hdf_get_value(r->hdf, key, "");
	}
	return web_json_form(fields, S_N, sv);
}

struct store_tx {
	struct req *r;
	const struct fval *v;
};

/* Every setting of the form, stored as its value (fen, 0.0001 yuan, a
 * number or the text) and shown in After.NAME. */
static int
store_tx(struct db *db, void *arg)
{
	struct store_tx *t = arg;
	char buf[40];

	for (int i = 0; i < S_N; i++) {
		const char *val = t->v[i].s;

		if (fields[i].type == FT_MONEY || fields[i].type == FT_PRICE ||
		    fields[i].type == FT_INT) {
			snprintf(buf, sizeof(buf), "%lld", (long long)t->v[i].i);
			val = buf;
		}
		show(t->r, "After", fields[i].name, val);
		if (db_exec(db, q[Q_SET], "ss", fields[i].name, val) == -1)
			return -1;
	}
	return 0;
}

/* The stored settings into PREFIX.NAME; with KEEP, a field the form did
 * not send keeps its stored value. 0 or -1. */
static int
settings_load(struct req *r, const char *prefix, int keep)
{
	struct dbres *res = db_query(r->db, q[Q_ALL], "");
	char key[96];

	if (res == NULL)
		return -1;
	while (db_next(res) == 1) {
		show(r, prefix, db_col(res, 0), db_col(res, 1));
		snprintf(key, sizeof(key), "Query.%s", db_col(res, 0));
		if (keep && hdf_get_value(r->hdf, key, NULL) == NULL) {
			show(r, "Form", db_col(res, 0), db_col(res, 1));
			snprintf(key, sizeof(key), "Form.%s", db_col(res, 0));
			hdf_set_valuef(r->hdf, "Query.%s=%s", db_col(res, 0),
			    hdf_get_value(r->hdf, key, ""));
		}
	}
	db_res_free(res);
	return 0;
}

int
page_settings(struct req *r)
{
	struct fval v[S_N];
	struct store_tx t = { r, v };
	char *before, *after;
	int nerr;

	web_render(r, "settings.cs");
	if (!r->is_post) {
		hdf_set_value(r->hdf, "Page.ok", web_query(r, "ok", ""));
		return settings_load(r, "Form", 0);
	}
	/* the log shows values as the form does: yuan, not fen */
	if (settings_load(r, "Before", 1) == -1)
		return -1;
	nerr = form_check(r, fields, S_N, v);
	if (v[S_ALARM1].set && v[S_ALARM2].set && !hdf_get_value(r->hdf,
	    "Form.err.alarm1_fen", NULL) && !hdf_get_value(r->hdf,
	    "Form.err.alarm2_fen", NULL) && v[S_ALARM2].i > v[S_ALARM1].i)
		nerr += form_error(r, "alarm2_fen", "alarm2_above_alarm1");
	if (v[S_LOGO].set && !settings_logo_ok(v[S_LOGO].s))
		nerr += form_error(r, "site_logo", "logo_path");
	if (nerr)
		return 0;
	if (db_tx(r->db, store_tx, &t) == -1)
		return -1;
	before = settings_json(r, "Before");
	after = settings_json(r, "After");
	web_log(r, "settings.edit", "settings", before, after);
	free(before);
	free(after);
	web_redirect(r, "/settings?ok=saved");
	return 0;
}
