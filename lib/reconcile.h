/* reconcile.h - B1 reconciliation: the checks of ledger, tokens, meters and money, for the page and the daily run. */
#ifndef RECONCILE_H
#define RECONCILE_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct dbres;
struct balance;

/* The listed checks, in page order; NAME is also the page's HDF node. */
#define RC_NCHECKS 10
struct rc_check {
	const char	*name;
	int		tz;	/* its query takes the site's time zone */
};
extern const struct rc_check rc_checks[RC_NCHECKS];

/* The mismatches of check I (at most 500 rows), or NULL. */
struct dbres *rc_query(struct db *, int check, const char *tz);

/*
 * B1: the mismatches of the gateways' bills taken (pay_bills ok) with the
 * orders, of channel CH and DAY ("" for all): id, kind (no_order,
 * not_paid, amount, missing), channel, day, no, trade_no, bill_fen,
 * order_fen, state (the order's), line (trade, refund); or NULL.
 */
struct dbres *rc_pay_bill(struct db *, const char *tz, const char *ch,
    const char *day);

/* Not a mismatch: the money found on meters at opening, carried over or
 * cleared (the last 100), or NULL. */
struct dbres *rc_opening_money(struct db *, const char *tz);
/* The site's unclaimed money: cleared off meters at openings when no
 * account held them before (tokens not failed), in fen; 0 or -1. */
int rc_unclaimed(struct db *, int64_t *fen);

/* Called for each meter of an account whose money does not tie out. */
typedef void (*rc_balance_fn)(void *arg, int64_t account, const char *number,
    const char *holder, const struct balance *);
/* The per-account balances: FN for each mismatch (may be NULL); returns the
 * number of mismatches with *CHECKED the meters compared, or -1. */
int rc_balances(struct db *, rc_balance_fn fn, void *arg, int *checked);

/* A UTC time of the database in the site's time zone TZ into BUF. */
int rc_local_time(struct db *, const char *utc, const char *tz, char *buf,
    size_t size);

/* The daily run: every check, recorded in reconcile_runs with DETAIL
 * ("Counts=0 ... Balances=0 (of N meters)"). Returns the mismatches or -1. */
int rc_run(struct db *, const char *tz, char *detail, size_t size);
/* The last recorded run: 1 with its local time, total and detail, 0 none, -1. */
int rc_last(struct db *, const char *tz, char *at, size_t atsize, int *total,
    char *detail, size_t dsize);

#endif
