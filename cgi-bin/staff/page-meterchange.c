/* page-meterchange.c - F11 add a meter to an open account, or replace one moving its money (老表金额转入); the money already on the new meter cleared or carried over. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "crypto.h"
#include "db.h"
#include "money.h"
#include "money-forms.h"
#include "pages.h"
#include "valid.h"

enum { Q_ACCOUNT, Q_METERS };
static const char *const q[] = {
	[Q_ACCOUNT] = "SELECT a.id, a.holder, a.holder_no, a.status,"
	    " COALESCE(b.name, '') AS building, COALESCE(r.number, '') AS room,"
	    " COALESCE(a.room_id, 0) AS room_id FROM accounts a LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id WHERE a.id = ?",
	[Q_METERS] = "SELECT m.id, m.number FROM account_meters x JOIN meters m"
	    " ON m.id = x.meter_id WHERE x.account_id = ? AND x.active = 1 ORDER BY m.number",
};

static const char *const modes[] = { "add", "replace", NULL };

static const struct field fields[] = {
	{ "id", FT_ID, 1, 0, 0, NULL },
	{ "mode", FT_CHOICE, 1, 0, 0, modes },
	{ "old", FT_ID, 0, 0, 0, NULL },
	{ "new", FT_INT, 1, 1, 4294967295L, NULL },
	{ "idem", FT_TEXT, 1, 0, 64, NULL },
	{ "confirm", FT_BOOL, 0, 0, 0, NULL },
};
enum { X_ID, X_MODE, X_OLD, X_NEW, X_IDEM, X_CONFIRM, X_N };

/* The account and its meters shown: 1, 0 no such account, -1. */
static int
change_account(struct req *r, int64_t id)
{
	struct dbres *res;
	int found;

	if ((res = db_query(r->db, q[Q_ACCOUNT], "l", id)) == NULL)
		return -1;
	found = web_row(r, "Account", res);
	db_res_free(res);
	if (!found)
		return 0;
	if ((res = db_query(r->db, q[Q_METERS], "l", id)) == NULL)
		return -1;
	web_rows(r, "Meters", res);
	db_res_free(res);
	return 1;
}

/* The meters of the form checked, and the money already on the new one
 * shown with its choice: the number of errors, or -1. *NID is the new
 * meter, *MONEY the old one's, *CHOICES set when the new one has money. */
static int
change_check(struct req *r, int64_t id, const struct fval *v, int nerr,
    int64_t *nid, int64_t *money, struct accounts_choice *c, int *choices)
{
	struct accounts_found f;
	const char *why, *field;
	char buf[32];
	int rc;

	if (v[X_NEW].set && (rc = accounts_meter_join(r->db, id, v[X_NEW].i,
	    v[X_MODE].i == 0, nid, &why)) != 1) {
		if (rc == -1)
			return -1;
		nerr += form_error(r, "new", why);
	}
	if (v[X_MODE].i == 1) {
		if ((rc = accounts_meter_leaving(r->db, id, v[X_OLD].set ?
		    v[X_OLD].i : 0, *nid, money, &field, &why)) == -1)
			return -1;
		if (rc == 0)
			nerr += form_error(r, field, why);
		hdf_set_value(r->hdf, "Confirm.money", money_format(*money, buf,
		    sizeof(buf)));
	}
	/* "read now" for the new meter: a read is asked for, the form stays */
	if (*nid && web_query_id(r, "read") == *nid) {
		if (accounts_read_ask(r->db, *nid) == -1)
			return -1;
		hdf_set_int_value(r->hdf, "Page.read_asked", 1);
	}
	/* the money already on the new meter, and its room */
	money_form_choices(r, nid, 1, c);
	if (!nerr && *nid) {
		if ((rc = accounts_found(r->db, web_tz(r), id, hdf_get_int_value(
		    r->hdf, "Account.room_id", 0), nid, 1, c, v[X_CONFIRM].i, &f,
		    choices)) == -1)
			return -1;
		money_form_found(r, &f, 1);
		nerr += rc;
	}
	return nerr;
}

int
page_meter_change(struct req *r)
{
	struct fval v[X_N];
	struct accounts_choice c;
	struct accounts_change ch;
	struct actor who;
	int64_t id = web_query_id(r, "id"), nid = 0, money = 0;
	int nerr, choices = 0, rc;
	const char *why = NULL, *field = "new";
	char tok[65];

	web_render(r, "meter-change.cs");
	if (id == 0 || (rc = change_account(r, id)) == 0)
		return web_fail(r, 404, "err.not_found");
	if (rc == -1)
		return -1;
	if (!r->is_post) {
		if (crypto_random_hex(16, tok) == -1)
			return -1;
		hdf_set_value(r->hdf, "Form.idem", tok);
		hdf_set_value(r->hdf, "Form.mode", web_query(r, "mode", "replace"));
		return 0;
	}
	nerr = form_check(r, fields, X_N, v);
	web_actor(r, &who);
	/* the same replacement again: what was done stays done, and what was
	 * not (the new meter's entry, the old meter leaving) is done now */
	if (v[X_IDEM].set && (rc = accounts_replace_again(r->db, &who, id,
	    v[X_NEW].set ? v[X_NEW].i : 0, v[X_IDEM].s, &why)) != 0) {
		if (rc == -1)
			return -1;
		if (rc == 2) {
			form_error(r, "new", why);
			return 0;
		}
		web_redirect(r, "/account?id=%lld&ok=replaced", (long long)id);
		return 0;
	}
	if ((nerr = change_check(r, id, v, nerr, &nid, &money, &c,
	    &choices)) == -1)
		return -1;
	if (nerr || web_query_id(r, "read"))
		return 0;
	if (!v[X_CONFIRM].i) {
		hdf_set_int_value(r->hdf, "Confirm.show", 1);
		return 0;
	}
	ch = (struct accounts_change){ id, v[X_MODE].i == 1 ? v[X_OLD].i : 0,
	    nid, v[X_NEW].s, money, &c, v[X_IDEM].s };
	if ((rc = accounts_meter_change(r->db, &who, &ch, &field, &why)) == -1)
		return -1;
	if (rc == 0) {
		form_error(r, field, why ? why : "internal");
		return 0;
	}
	web_redirect(r, "/account?id=%lld&ok=%s", (long long)id,
	    ch.old ? "replaced" : "saved");
	return 0;
}
