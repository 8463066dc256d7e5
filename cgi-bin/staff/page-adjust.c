/* page-adjust.c - an adjustment entry (调整记录) by an operator with its own right: a credit or debit with its token and a reason, after a confirmation. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ledger.h"
#include "money-forms.h"
#include "money.h"
#include "oplog.h"
#include "pages.h"

static const char *const directions[] = { "credit", "debit", NULL };

static const struct field fields[] = {
	{ "account", FT_ID, 1, 0, 0, NULL },
	{ "meter", FT_ID, 1, 0, 0, NULL },
	{ "direction", FT_CHOICE, 1, 0, 0, directions },
	{ "amount", FT_MONEY, 1, 1, 0, NULL },
	{ "reason", FT_TEXT, 1, 0, 100, NULL },
	{ "idem", FT_TEXT, 1, 0, 64, NULL },
	{ "confirm", FT_BOOL, 0, 0, 0, NULL },
};
enum { J_ACCOUNT, J_METER, J_DIR, J_AMOUNT, J_REASON, J_IDEM, J_CONFIRM, J_N };

/* A debit takes at most what the meter holds by a read this recent (s). */
#define FRESH 600

/* Appends S to U percent-encoded, as a URL's query value. */
static void
url_value(STRING *u, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.')
			string_append_char(u, (char)*p);
		else
			string_appendf(u, "%%%02X", *p);
}

/* The confirmation is a page of its own, so that Back from the entry
 * returns to it without resubmitting a form: 1 when the form went there
 * (not when the address would be too long). */
static int
to_review(struct req *r, const struct fval *v, int debit)
{
	STRING u;
	char buf[32];
	int done = 0;

	string_init(&u);
	string_appendf(&u, "/adjust?review=1&account=%lld&meter=%lld"
	    "&direction=%s&amount=%s&reason=", (long long)v[J_ACCOUNT].i,
	    (long long)v[J_METER].i, debit ? "debit" : "credit",
	    money_format(v[J_AMOUNT].i, buf, sizeof(buf)));
	url_value(&u, v[J_REASON].s);
	string_append(&u, "&idem=");
	url_value(&u, v[J_IDEM].s);
	if (u.len < (int)sizeof(r->location)) {
		web_redirect(r, "%s", u.buf);
		done = 1;
	}
	string_clear(&u);
	return done;
}

static int
adjust_post(struct req *r)
{
	struct fval v[J_N];
	int64_t account = web_query_id(r, "account");
	char buf[32];
	int rc, nerr, debit;
	/* the confirmation's own page: a GET */
	int review = !r->is_post && strcmp(web_query(r, "review", ""), "1") == 0;

	web_render(r, "adjust.cs");
	if (!r->is_post && !review)
		return account == 0 ? web_fail(r, 404, "err.not_found") :
		    money_form_new(r, account);
	nerr = form_check(r, fields, J_N, v);
	if ((rc = money_form_account(r, &v[J_ACCOUNT], &nerr)) != 1)
		return rc;
	if (nerr)
		return 0;
	debit = strcmp(v[J_DIR].s, "debit") == 0;
	if (review)
		v[J_CONFIRM].i = 0;
	else if (!v[J_CONFIRM].i && to_review(r, v, debit))
		return 0;
	if (!v[J_CONFIRM].i) {
		/* the confirmation says which way the money goes, and how much */
		hdf_set_int_value(r->hdf, "Confirm.show", 1);
		money_form_confirm(r, v[J_AMOUNT].i);
		return 0;
	}
	{
		struct entry e = { .account_id = v[J_ACCOUNT].i,
		    .meter_id = v[J_METER].i, .kind = LK_ADJUSTMENT,
		    .amount = debit ? -v[J_AMOUNT].i : v[J_AMOUNT].i,
		    .operator_id = r->sess->op_id, .idem_key = v[J_IDEM].s,
		    .fresh = debit ? FRESH : 0, .note = v[J_REASON].s };

		return money_form_issue(r, &e, "adjust.create", oplog_json(
		    "account", web_query(r, "account", ""), "meter",
		    web_query(r, "meter", ""), "direction", v[J_DIR].s,
		    "amount", money_format(v[J_AMOUNT].i, buf, sizeof(buf)),
		    "reason", v[J_REASON].s, NULL));
	}
}

int
page_adjust(struct req *r)
{
	return money_form_shown(r, adjust_post(r));
}
