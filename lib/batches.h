/* batches.h - F15 batch operations: one batch of commands (or read requests) for many meters, written once. */
#ifndef BATCHES_H
#define BATCHES_H

#include <stdint.h>

struct actor;
struct db;

/*
 * A batch of ACTION ("price", "settings", "keep_power", "restore", "trip",
 * "read") on the N meters IDS by WHO, under the idempotency key IDEM: the
 * batch row and a command (price and settings downloads carry the site's
 * defaults) or a read request per prepaid meter, together. A repeat of
 * IDEM returns the first batch. Returns the batch's id, or -1 (also when a
 * setting could not be read: nothing goes to a meter).
 */
int64_t batches_create(struct db *, const struct actor *who,
    const char *action, const int64_t *ids, int n, const char *idem);

#endif
