/* page-reconcile.c - B1 reconciliation: ledger vs token commands vs each meter's purchase count and money, mismatches listed with what to do. */
#include <stdio.h>
#include <string.h>

#include "balance.h"
#include "db.h"
#include "money.h"
#include "pages.h"
#include "reconcile.h"

static void
set_money(HDF *h, const char *name, int64_t fen)
{
	char buf[32];

	hdf_set_value(h, name, money_format(fen, buf, sizeof(buf)));
}

struct bal_arg {
	struct req	*r;
	int		n;
};

/* One meter out of balance into Balances.N. */
static void
balance_row(void *arg, int64_t account, const char *number, const char *holder,
    const struct balance *b)
{
	struct bal_arg *a = arg;
	struct req *r = a->r;
	char key[64], t[32];
	HDF *h;

	if (a->n >= 500)
		return;
	snprintf(key, sizeof(key), "Balances.%d", a->n++);
	if (hdf_get_node(r->hdf, key, &h) != STATUS_OK)
		return;
	hdf_set_valuef(h, "account=%lld", (long long)account);
	hdf_set_value(h, "number", number);
	hdf_set_value(h, "holder", holder);
	rc_local_time(r->db, b->from, web_tz(r), t, sizeof(t));
	hdf_set_value(h, "from", t);
	rc_local_time(r->db, b->to, web_tz(r), t, sizeof(t));
	hdf_set_value(h, "to", t);
	set_money(h, "ledger", b->ledger);
	set_money(h, "money_from", b->money_from);
	set_money(h, "money_to", b->money_to);
	set_money(h, "took", b->took);
	set_money(h, "used_lo", b->used_lo);
	set_money(h, "used_hi", b->used_hi);
	set_money(h, "diff", b->took > b->used_hi ? b->took - b->used_hi :
	    b->took - b->used_lo);
}

int
page_reconcile(struct req *r)
{
	struct bal_arg a = { r, 0 };
	char at[32], detail[256];
	int total = 0, nb, checked, last;

	for (int i = 0; i < RC_NCHECKS; i++) {
		struct dbres *res = rc_query(r->db, i, web_tz(r));
		long n;
		char key[64];

		if (res == NULL)
			return -1;
		n = web_rows(r, rc_checks[i].name, res);
		db_res_free(res);
		snprintf(key, sizeof(key), "Check.%s", rc_checks[i].name);
		hdf_set_int_value(r->hdf, key, (int)n);
		total += (int)n;
	}
	web_money_col(r, "Entries", "amount_fen", "amount");
	web_money_col(r, "Orphans", "amount_fen", "amount");
	web_money_col(r, "Failed", "amount_fen", "amount");
	web_money_col(r, "Held", "amount_fen", "amount");
	web_cmd_error_col(r, "Failed", "error", "error_text");
	web_cmd_error_col(r, "Held", "error", "error_text");
	web_money_col(r, "Closings", "amount_fen", "amount");
	web_money_col(r, "PayEntries", "amount_fen", "amount");
	web_money_col(r, "PayEntries", "entry_fen", "entry");
	web_money_col(r, "PayOrders", "amount_fen", "amount");
	web_money_col(r, "PayBill", "bill_fen", "bill");
	web_money_col(r, "PayBill", "order_fen", "order");
	web_money_col(r, "Tiers", "adjust_fen", "adjust");
	web_money_col(r, "Tiers", "exact_fen", "exact");
	web_money_col(r, "Tiers", "deducted_fen", "deducted");
	if ((nb = rc_balances(r->db, balance_row, &a, &checked)) == -1)
		return -1;
	hdf_set_int_value(r->hdf, "Check.Balances", nb);
	hdf_set_int_value(r->hdf, "Check.balances_checked", checked);
	total += nb;
	hdf_set_int_value(r->hdf, "Check.total", total);
	{
		struct dbres *res = rc_opening_money(r->db, web_tz(r));

		if (res == NULL)
			return -1;
		web_rows(r, "Opening", res);
		db_res_free(res);
		web_money_col(r, "Opening", "amount_fen", "amount");
	}
	{
		int64_t fen;
		char buf[32];

		if (rc_unclaimed(r->db, &fen) == -1)
			return -1;
		hdf_set_value(r->hdf, "Check.unclaimed", money_format(fen, buf,
		    sizeof(buf)));
	}
	/* the daily run (prepaid-admin reconcile) and what it found */
	if ((last = rc_last(r->db, web_tz(r), at, sizeof(at), &nb, detail,
	    sizeof(detail))) == -1)
		return -1;
	if (last == 1) {
		hdf_set_value(r->hdf, "Daily.at", at);
		hdf_set_int_value(r->hdf, "Daily.total", nb);
		hdf_set_value(r->hdf, "Daily.detail", detail);
	}
	web_render(r, "reconcile.cs");
	return 0;
}
