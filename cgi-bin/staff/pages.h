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
/* M1: the student site's password of an account, set or reset (F11). */
int page_student_password(struct req *);
/*
 * Money found on meters at an opening or when a meter joins an account
 * (page-accounts.c). open_money_check shows each meter of IDS (Found.N: its
 * money by its last read, the read's age, its room, its previous holder)
 * and checks the choices of the form (money_ID clear or carry, other_ID,
 * amt_ID the money the confirmation showed when CONFIRM): the number of
 * errors (next to each meter), -1 on error. *CHOICES is set when a meter
 * needs a choice or its room's confirmation (a confirmation page first).
 * open_money_book writes the chosen entries for ACCOUNT once each (keys
 * under IDEM): 0 done, 1 one was refused (*REFUSAL: why, a language key
 * under err), -1 error.
 */
int open_money_check(struct req *, int64_t account_id, int64_t room_id,
    const int64_t *ids, int n, int confirm, int *choices);
int open_money_book(struct req *, int64_t account_id, const int64_t *ids,
    int n, const char *idem, const char **refusal);
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
/* The report centre: alarms (F22, F30), lost contact (F26, F27), B9. */
int page_alarms(struct req *);
int page_alarm_ack(struct req *);
int page_alarm_history(struct req *);
int page_lost_meters(struct req *);
int page_lost_gateways(struct req *);
int page_health(struct req *);

#endif
