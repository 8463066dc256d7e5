/* pages.h - the page handlers of the staff console, one file each group. */
#ifndef PAGES_H
#define PAGES_H

#include "staff.h"

int page_home(struct req *);
int page_metrics(struct req *);
int page_lang(struct req *);
int page_login(struct req *);
int page_logout(struct req *);
int page_password(struct req *);
int page_operators(struct req *);
int page_operator_edit(struct req *);
int page_operator_disable(struct req *);
int page_operator_reset(struct req *);
int page_roles(struct req *);
int page_role_edit(struct req *);
int page_oplog(struct req *);
int page_buildings(struct req *);
int page_building_edit(struct req *);
int page_rooms(struct req *);
int page_room_edit(struct req *);
int page_gateways(struct req *);
int page_gateway_edit(struct req *);
int page_meters(struct req *);
int page_meter_edit(struct req *);
int page_meter_import(struct req *);
int page_settings(struct req *);
int page_accounts(struct req *);
int page_account_open(struct req *);
int page_account(struct req *);
int page_sell(struct req *);
/* The account, its meters, money and commands in flight into the HDF (the
 * money forms share it): 1, 0 no such account, -1 error. */
int show_account(struct req *, int64_t account_id);
/* A money form's first view for an account: shown with a new idempotency
 * key and its first meter chosen; 0, or what web_fail returns, or -1. */
int money_form_new(struct req *, int64_t account_id);
/* The account a money form was posted for, shown: 1 (a closed one adds its
 * error on "amount" to *NERR), else the page's answer (404) or -1. */
int money_form_account(struct req *, const struct fval *account, int *nerr);
int page_adjust(struct req *);
int page_sale(struct req *);
int page_receipt(struct req *);
int page_sales(struct req *);
int page_refund(struct req *);
int page_refunds(struct req *);
int page_reversal(struct req *);
/* The reversal entries (F18; those of refunds with F20 too). */
int page_reversals(struct req *);
int page_meter_read(struct req *);
int page_batch(struct req *);
int page_history(struct req *);
int page_close(struct req *);
int page_meter_change(struct req *);
int page_approvals(struct req *);
int page_reconcile(struct req *);
int page_tariffs(struct req *);
int page_tariff_new(struct req *);
int page_tariff_version(struct req *);
int page_tariff_assign(struct req *);
int page_approval_decide(struct req *);
int page_closings(struct req *);
int page_batch_run(struct req *);
int page_batch_view(struct req *);

#endif
