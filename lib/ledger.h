/* ledger.h - money actions: one ledger entry and its token command, exactly once. */
#ifndef LEDGER_H
#define LEDGER_H

#include <stdint.h>

struct actor;
struct db;

/* Ledger kinds with a token (see money.md). */
#define LK_SALE "sale"
#define LK_REFUND "refund"
#define LK_REVERSAL "reversal"
#define LK_CLOSING "closing_refund"
#define LK_TRANSFER_OUT "transfer_out"
#define LK_TRANSFER_IN "transfer_in"
#define LK_ADJUSTMENT "adjustment"
#define LK_CARRY "carry_over"	/* money on the meter at opening, no token */
#define LK_CLEAR "meter_clear"	/* that money taken off, the previous holder's */

struct entry {
	int64_t account_id;
	int64_t meter_id;
	const char *kind;	/* LK_* */
	int64_t amount;		/* signed fen: + credit, - debit */
	int64_t operator_id;
	const char *idem_key;	/* unique: a repeat returns the first entry */
	int64_t reverses_id;	/* 0 or the entry this reverses */
	const char *note;
	int64_t cap;		/* > 0: refuse when the account would hold more;
				 * 0: the site's cap for a sale or reversal */
	int fresh;		/* > 0: a debit needs a read of the meter at most
				 * this many seconds old */
	int closing;		/* the account may be closing (its last refunds) */
	int64_t link_id;	/* 0 or the entry this one pairs with */
	const char *channel;	/* NULL: "counter"; "system" for the programs */
	int prior;		/* the meter's previous, closed account (or 0:
				 * none): money found on it at an opening */
	int no_token;		/* the money is on the meter already */
};

/* Why an entry was refused (language keys, Lang.err.KEY). */
#define LEDGER_CLOSED "account_closed"
#define LEDGER_CAP "over_cap"
#define LEDGER_NOT_ACCOUNTS "meter_not_in_account"
#define LEDGER_REVERSED "already_reversed"
#define LEDGER_NOT_FRESH "read_not_fresh"
#define LEDGER_TOO_MUCH "more_than_meter"
#define LEDGER_NEVER_READ "meter_never_read"

/*
 * In one transaction: locks the account, checks it is open, that the meter
 * is one of its active meters and the hoarding cap, takes the meter's next
 * purchase count, and inserts the token command and the ledger entry.
 * Returns 1 with *ID the new entry, 0 with *ID the first entry when the
 * idempotency key was used before, 2 with *WHY set when refused, -1 on
 * error. Retries on deadlock.
 */
int ledger_issue(struct db *, const struct entry *, int64_t *id,
    const char **why);

/*
 * The money of an account as staff should see it: per meter the last read
 * remaining amount, plus credits and minus debits whose tokens are not yet
 * confirmed or were confirmed after that read. Returns 0 or -1.
 */
int ledger_account_money(struct db *, int64_t account_id, int64_t *fen);

/* The same for one meter, and the age of its last read in seconds (-1
 * when never read). Returns 0 or -1. */
int ledger_meter_money(struct db *, int64_t meter_id, int64_t *fen,
    int64_t *age);

/*
 * Moves each meter of closing account ACCOUNT on (closing_meters): queues
 * its trip; once tripped and read after every token of it, refunds exactly
 * the money of that read (once per attempt); once that is confirmed and a
 * read shows nothing left, restores prepaid mode if it was kept. The
 * account becomes closed, its meters free, when every meter is done, and
 * the operation log says so in the name of WHO (who moved it on last).
 * Returns 1 when closed now, 0 when not (yet), -1 on error.
 */
int ledger_close_step(struct db *, const struct actor *who,
    int64_t account_id);
/* The same for every closing account; returns how many closed, or -1. */
int ledger_close_all(struct db *, const struct actor *who);
/* The next step by hand for a meter of a closing account: a refused refund
 * is tried again from a new read (one is requested), a failed trip or
 * restore is queued again. Returns 1 done, 0 nothing to do, -1 error. */
int ledger_close_retry(struct db *, int64_t account_id, int64_t meter_id);
/* A meter in debt after its trip: the debt is paid by a sale (the account
 * closing), then the meter is read again. Returns as ledger_issue, 3 when
 * the meter is not in debt. */
int ledger_close_pay(struct db *, int64_t account_id, int64_t meter_id,
    int64_t operator_id, int64_t *id, const char **why);

#endif
