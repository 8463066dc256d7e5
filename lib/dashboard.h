/* dashboard.h - the home page's figures: money today and this month, meters, alarms, commands, SMS, approvals, reconciliation, payments needing action. */
#ifndef DASHBOARD_H
#define DASHBOARD_H

#include <stdint.h>

struct db;

/* Money of one period (fen). Sales are counter sales and online payments,
 * refunds counter and closing refunds (positive); reversals are the signed
 * reversal entries of sales and refunds made in the period; net is sales -
 * refunds + reversals: the money the site kept in the period. */
struct dash_money {
	int64_t	sales, refunds, reversals, net;
	int64_t	nsales, nrefunds, nreversals;
};

/* Alarm kinds counted open, in the order of the ENUM of alarms.kind. */
#define DASH_NALARMS 8
extern const char *const dashboard_alarm_kinds[DASH_NALARMS];

struct dashboard {
	struct dash_money today, month;
	char	day[11];	/* the site's local day, YYYY-MM-DD */
	char	month_first[11];	/* the first of its month */
	int64_t	meters;		/* meters on the site */
	int64_t	read_cycle;	/* read within the last poll interval */
	int64_t	lost_meters, lost_gateways;
	int64_t	alarms_open;	/* all open episodes */
	int64_t	alarms[DASH_NALARMS];	/* open episodes by kind */
	int64_t	cmd_queued;	/* queued, sent or waiting */
	int64_t	cmd_failed;
	int64_t	sms_waiting, sms_failed;
	int64_t	approvals_mine;	/* pending, for the operator to decide */
	int64_t	pay_refund;	/* online payments received, not credited */
	int64_t	pay_bad;	/* notices rejected in the last DASH_PAY_DAYS */
	int	rc_found;	/* 1 when a reconciliation has run */
	int64_t	rc_total;	/* its mismatches */
	char	rc_at[20];	/* its local time */
	char	rc_detail[256];
};

/* The days of rejected payment notices counted (the staff's list too). */
#define DASH_PAY_DAYS 30

/* What approvals the operator may decide (the rights are the console's). */
#define DASH_MAY_REFUND		1u
#define DASH_MAY_REVERSAL	2u
#define DASH_MAY_KEEP_POWER	4u

/*
 * Fills D for the operator OP_ID who may decide the approvals of MAY, days
 * cut in the site's time zone TZ ("+08:00"). Returns 0, or -1 on a database
 * error.
 */
int dashboard_load(struct db *, int64_t op_id, unsigned may, const char *tz,
    struct dashboard *d);

#endif
