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
/* page-sessions.c: 我的登录, one's own sessions and ending them */
int page_sessions(struct req *);
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
int page_sell(struct req *);
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
/* F28, F29, B7 energy reports (page-energy.c) */
int page_energy(struct req *);
int page_instruments(struct req *);
int page_losses(struct req *);
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
/* F23-F25: the sales report of a day, month or year (page-report-sales.c). */
int page_report_sales_day(struct req *);
int page_report_sales_month(struct req *);
int page_report_sales_year(struct req *);
/* M3: online payment orders and one order's notices (page-payments.c). */
int page_payments(struct req *);
int page_payment(struct req *);
/* M3: a refund of an online payment through the gateway (page-payrefund.c). */
int page_payrefund(struct req *);
/* B1: the gateways' bill of a day, matched with the orders (page-paybill.c). */
int page_paybill(struct req *);

#endif
