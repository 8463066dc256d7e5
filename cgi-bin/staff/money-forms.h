/* money-forms.h - the account view and the money forms that the sale, refund and adjustment pages share. */
#ifndef MONEY_FORMS_H
#define MONEY_FORMS_H

#include "money.h"
#include "ledger.h"
#include "staff.h"

/* The account, its meters, money and commands in flight into the HDF:
 * 1, 0 no such account, -1 error. */
int account_view_show(struct req *, int64_t account_id);
/* The ledger entry of ?id= into Entry.* (amount and capital, the command's
 * error in Chinese) when the operator may see it (the rights of its kind):
 * 1, 0 when the page answered (404, or 403 naming the right), -1 error. */
int account_view_entry(struct req *);
/* The page of the entry ?id= (sale.cs) with its reversal form: what the
 * sale page shows, and a refused reversal again with its error. */
int account_view_entry_page(struct req *);

/* A money form's first view for an account: shown with a new idempotency
 * key and its first meter chosen; 0, or what web_fail returns, or -1. */
int money_form_new(struct req *, int64_t account_id);
/* The account a money form was posted for, its row into Account.*: 1 (a
 * closed one adds its error on "amount" to *NERR), else the page's answer
 * (404) or -1. */
int money_form_account(struct req *, const struct fval *account, int *nerr);
/* After a money form's POST answered RC: when the form or its confirmation
 * shows (no redirect, no error page), the rest of the account's view (its
 * meters, commands and money), which a sale that goes through never reads:
 * RC, or -1. */
int money_form_shown(struct req *, int rc);
/* The confirmation's amount in figures and in capitals (Confirm.*). */
void money_form_confirm(struct req *, int64_t amount);
/*
 * Issues E (ledger_issue): a refusal goes next to the field it is about
 * (the meter, else the amount) and the form shows again; a new entry is
 * logged as ACTION with AFTER (the form's JSON, freed here); a new entry
 * or a repeat goes on to the entry's page. 0, or -1 on error.
 */
int money_form_issue(struct req *, const struct entry *e, const char *action,
    char *after);

struct accounts_choice;
struct accounts_found;
/* The form's choices for the money found on each meter of IDS (N of them)
 * at an opening or when a meter joins an account: money_ID (clear, carry
 * or debt), other_ID and amt_ID (the money the confirmation showed). */
void money_form_choices(struct req *, const int64_t *ids, int n,
    struct accounts_choice *);
/* What was found on each meter, as Found.N, its errors next to it. */
void money_form_found(struct req *, const struct accounts_found *, int n);

#endif
