/* sales.h - F23-F25 sales reports: the ledger added up per day, month or year, per operator, building or channel, in the site's time zone. */
#ifndef SALES_H
#define SALES_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct dbres;

enum sales_period { SALES_DAY, SALES_MONTH, SALES_YEAR };
enum sales_group {
	SALES_BY_NONE, SALES_BY_OPERATOR, SALES_BY_BUILDING, SALES_BY_CHANNEL
};

/* What a report adds up. Dates are the site's (YYYY-MM-DD, both days
 * included, "" for no limit); a day is cut at the site's midnight. */
struct sales_filter {
	enum sales_period period;
	enum sales_group group;
	const char *from, *to;
	int64_t building;	/* 0: all */
	int64_t operator_id;	/* 0: all */
	const char *tz;		/* the site's offset, "+08:00" */
};

/*
 * The report's rows, in order of period and group. Columns: period
 * ("2024-01-31", "2024-01" or "2024"); op_id, op_login, op_name (by
 * operator; op_id 0 for entries without one, e.g. online); bld_id,
 * building (by building; 0 and "" for accounts without a room); ch, the
 * channel (by operator or channel); the signed sums in fen of sales_fen (sale, online),
 * refunds_fen (refund, closing refund), reversals_fen, adjust_fen, other_fen
 * (meter changes' transfers, failed tokens' entries) and net_fen (all of
 * them: the ledger's own sum); n, the number of entries. NULL on error.
 */
struct dbres *sales_rows(struct db *, const struct sales_filter *);

/* The operators a report can be filtered by (id, login, name), or NULL. */
struct dbres *sales_operators(struct db *);

/* A calendar date YYYY-MM-DD from 2000-01-01 to 2999-12-31: 0 with its day
 * number in *DAY (days since 2000-01-01), -1 when it is none. */
int sales_date(const char *s, long *day);
/* Today in the site's time zone TZ ("+08:00") into BUF (11 bytes). */
void sales_today(const char *tz, char *buf, size_t size);

#endif
