/* tiers.h - tiered (阶梯) tariffs: tier price downloads as an account's monthly consumption grows, and the settlement. */
#ifndef TIERS_H
#define TIERS_H

#include <stdint.h>

struct db;

/*
 * One pass over the meters of open accounts on a tiered tariff, in the
 * site's time zone TZ:
 * - at the start of a month, settles the month before and sends tier 1;
 * - when the account's consumption this month crosses a tier end, queues
 *   the next tier's price download;
 * - once a meter confirmed its new price and was read after, computes the
 *   exact tiered charge of the month from the readings (an interval across
 *   a tier end split at it) against what the meter deducted, and books the
 *   difference as an adjustment entry with its token.
 * Returns the number of commands and entries written, or -1.
 */
long tiers_run(struct db *, const char *tz);

/*
 * Before an account's closing refunds: settles each of its tiered meters
 * for the month so far (and a month not yet settled), so that the refund
 * is what is left after the exact charge. Returns the entries written or -1.
 */
int tiers_close(struct db *, const char *tz, int64_t account);

#endif
