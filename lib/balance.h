/* balance.h - B1 per account: the ledger against the meters' money and the value of the energy they measured. */
#ifndef BALANCE_H
#define BALANCE_H

#include <stdint.h>

struct db;

struct balance {
	int64_t	ledger;		/* fen: the account's entries the meter applied */
	int64_t	money_from;	/* fen: the meter's money at the first read */
	int64_t	money_to;	/* fen: at the last read */
	int64_t	took;		/* ledger + money_from - money_to: what the meter took */
	int64_t	used_lo;	/* fen: the energy between, at the meter's prices */
	int64_t	used_hi;	/* (a price change inside one read interval widens it) */
	int64_t	energy;		/* 0.01 kWh between the two reads */
	char	from[24], to[24];	/* the two reads, UTC */
	int	prices;		/* price periods counted */
	int	ok;		/* ledger + from - to lies within used, to a fen */
};

/*
 * For METER of ACCOUNT, from the last read before the account's first token
 * on it (or its joining) to the last read: the meter's money must have moved
 * by the account's applied entries less the value of the energy measured
 * between, each slot's energy at the prices the meter had confirmed (the
 * site's default price before any). Returns 1 with *B filled, 0 when the
 * meter has no two reads to compare, -1 on error.
 */
int balance_meter(struct db *, int64_t account, int64_t meter,
    int64_t default_price, struct balance *b);

#endif
