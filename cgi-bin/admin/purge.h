/* purge.h - prepaid-admin purge: personal data past its retention deleted or anonymised (8.3.8). */
#ifndef PURGE_H
#define PURGE_H

struct config;
struct db;

/* Every step of prepaid_purge() (036_retention.sql) in turn, the counts
 * printed and logged as data.purge: 0, or 1 when a step failed. */
int cmd_purge(struct db *, const struct config *);

#endif
