/* accounts.h - F11 accounts: opening one with its meters, the money found on them, adding or replacing a meter; F13 the start of a closing. */
#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

struct actor;
struct db;

#define ACCOUNTS_MAX_METERS 8
#define ACCOUNTS_FRESH 600	/* money by a read at most 10 minutes old */

/*
 * The meter numbers NUMBERS (space or comma separated) as the ids of
 * prepaid meters in no open account, each once: 0 with IDS (at most
 * ACCOUNTS_MAX_METERS) and *N, 1 refused with *WHY (a language key under
 * err), -1 on error.
 */
int accounts_parse_meters(struct db *, const char *numbers, int64_t *ids,
    int *n, const char **why);
/* The room NUMBER of BUILDING: 1 with *ID, 0 none, -1 on error. */
int accounts_room(struct db *, int64_t building, const char *number,
    int64_t *id);
/* The numbers of that room's meters, each followed by a space, in BUF
 * ("" when none); 0 or -1. */
int accounts_room_meters(struct db *, int64_t building, const char *number,
    char *buf, size_t len);
/* The account opened under the form key IDEM: 1 with *ID, 0 none, -1. */
int accounts_by_idem(struct db *, const char *idem, int64_t *id);
/* The active meters of ACCOUNT by id (ACCOUNTS_MAX_METERS at most): how
 * many, or -1. */
int accounts_meters(struct db *, int64_t account, int64_t *ids);
/* A read of METER asked of the collector ("read now"); 0 or -1. */
int accounts_read_ask(struct db *, int64_t meter);

/* What the form says of the money found on one meter. */
struct accounts_choice {
	const char *money;	/* "clear", "carry", "debt" or "" */
	int other_ok;		/* another room's meter: taken, its room kept */
	int shown;		/* the confirmation showed AMOUNT */
	int64_t amount;
};

/* What is on one meter at an opening (or when it joins an account), and
 * what is still needed before it is taken. */
struct accounts_found {
	int64_t meter_id;
	int known;		/* the meter exists: NUMBER to READING are set */
	char number[24], building[256], room[64], read_at[24];
	int reading;		/* read requests not yet done */
	int64_t money;		/* fen by its last read */
	int64_t age;		/* of that read in seconds, -1 never read */
	int64_t prev;		/* its previous, closed account (0: none) */
	char prev_holder[256];
	int other;		/* in another room than the account's */
	int other_ok;		/* and the form takes it so */
	const char *choice;	/* the form's choice when it fits the money */
	int read;		/* a fresh read is needed first */
	const char *err[3];	/* language keys under err, the first to show */
	int nerr;
};

/*
 * The money found on the N meters IDS for ACCOUNT (0: one being opened)
 * in ROOM, against the form's choices C[N] (CONFIRM: the choices were
 * confirmed in figures, the money must be what was shown). Fills F[N];
 * *CHOICES is set when a meter has money or is another room's (the
 * choices are confirmed first). Returns the number of errors, -1 on error.
 */
int accounts_found(struct db *, const char *tz, int64_t account,
    int64_t room, const int64_t *ids, int n, const struct accounts_choice *c,
    int confirm, struct accounts_found *f, int *choices);
/*
 * The chosen entries for the money found on the N meters IDS, for ACCOUNT,
 * once each (keys under IDEM): cleared to the meter's previous holder or
 * carried over, only when the money is still what was shown by a fresh
 * read. Each is logged (account.open_money) for WHO. Returns 0 done, 1 one
 * was refused (*REFUSAL: why, a language key under err), -1 on error.
 */
int accounts_money_book(struct db *, const struct actor *who,
    int64_t account, const int64_t *ids, const struct accounts_choice *c,
    int n, const char *idem, const char **refusal);

/* A new account. */
struct accounts_new {
	const char *holder, *holder_no, *phone;
	int64_t room;
	const char *idem;	/* the form's key: one account per form */
	const int64_t *ids;	/* its meters */
	int n;
	const char *form;	/* the form as JSON, for the log */
};
/*
 * Opens the account with its meters, together, and logs it (account.open)
 * for WHO. Returns 1 with *ID, 2 with *ID when the same form opened it
 * before, 0 when a meter was taken meanwhile, -1 on error.
 */
int accounts_open(struct db *, const struct actor *who,
    const struct accounts_new *, int64_t *id);
/*
 * The first purchase at an opening: a sale of AMOUNT on METER under the
 * key IDEM (CAP the hoarding cap), logged (sale.create) when made.
 * Returns as ledger_issue.
 */
int accounts_first_sale(struct db *, const struct actor *who, int64_t account,
    int64_t meter, int64_t amount, int64_t cap, const char *idem,
    int64_t *sale, const char **why);

/*
 * The meter numbered NUMBER joining ACCOUNT (ADD: one more meter, else in
 * place of one), which must be open: 1, or 0 refused with *WHY; *ID is
 * the meter's id when it is a prepaid meter (also when refused), else 0.
 * -1 on error.
 */
int accounts_meter_join(struct db *, int64_t account, int64_t number, int add,
    int64_t *id, const char **why);
/*
 * The meter OLD leaving ACCOUNT for the meter NEW: *MONEY is what it holds
 * by a fresh read, to be moved. 1, or 0 refused with *WHY on *FIELD ("old"
 * or "new"); -1 on error.
 */
int accounts_meter_leaving(struct db *, int64_t account, int64_t old,
    int64_t new, int64_t *money, const char **field, const char **why);

/* A meter added to an account, or replacing one. */
struct accounts_change {
	int64_t account;
	int64_t old;		/* the meter leaving, 0: the meter is added */
	int64_t meter;		/* the meter joining */
	const char *number;	/* its number as given, for the log */
	int64_t money;		/* the old meter's money, moved over */
	const struct accounts_choice *choice;	/* its own money's */
	const char *idem;	/* the form's key: each step once under it */
};
/*
 * The meter linked to the account; the money already on it cleared or
 * carried over; for a replacement the old meter's money moved over
 * (transfer out, then in) and the old meter unlinked. Each step is
 * idempotent under IDEM, and the change is logged for WHO. Returns 1 done,
 * 0 refused with *WHY on *FIELD ("old" or "new"), -1 on error.
 */
int accounts_meter_change(struct db *, const struct actor *who,
    const struct accounts_change *, const char **field, const char **why);
/*
 * The same replacement form again: what was done stays done, and what was
 * not (the new meter NUMBER's entry, the old meter leaving) is done now.
 * Returns 0 when no replacement was started under IDEM, 1 done, 2 refused
 * with *WHY (on the new meter), -1 on error.
 */
int accounts_replace_again(struct db *, const struct actor *who,
    int64_t account, int64_t number, const char *idem, const char **why);

/* A meter of an account about to close. */
struct accounts_closing {
	int64_t id;
	char number[24];
	int64_t money;		/* by its last read */
	int64_t age;		/* of that read, -1 never read */
	int stale;		/* that read is not fresh */
	int keep;		/* set by the caller: prepaid mode kept */
};
/* The prepaid meters of ACCOUNT (ACCOUNTS_MAX_METERS at most) with their
 * money: how many, or -1. */
int accounts_closing_meters(struct db *, int64_t account,
    struct accounts_closing *m);
/*
 * Starts closing ACCOUNT: the tiered meters' exact charge of the month (TZ
 * the site's offset), then together the account closing (no more sales),
 * each of the N meters M with its choice and its trip; logged
 * (account.closing) for WHO and moved on at once (ledger_close_step).
 * Returns 1, 0 when the account was not open, -1 on error.
 */
int accounts_close_start(struct db *, const struct actor *who, const char *tz,
    int64_t account, const struct accounts_closing *m, int n);

#endif
