/* tariffs.h - price downloads for tariff versions that have come into force (B6). */
#ifndef TARIFFS_H
#define TARIFFS_H

#include <stdint.h>

struct db;

/*
 * For every tariff whose newest version with an effective date up to today
 * (in the site's time zone TZ) is not yet applied: queues a price download
 * for each meter assigned to it and marks the versions applied. Returns the
 * number of commands queued, or -1.
 */
long tariff_apply_due(struct db *, const char *tz);

/* Queues the price download of the version in force for one meter (after an
 * assignment). Returns 1 queued, 0 no version in force, -1 error. */
int tariff_apply_meter(struct db *, int64_t meter_id, const char *tz);

#endif
