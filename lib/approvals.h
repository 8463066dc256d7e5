/* approvals.h - B8: money and power actions that wait for a second operator. */
#ifndef APPROVALS_H
#define APPROVALS_H

#include <stdint.h>

struct actor;
struct db;

/* 1 when the site's setting asks a second operator for KIND ("refund",
 * "reversal", "keep_power"), 0 when not; 1 also when it cannot be read. */
int approvals_needed(struct db *, const char *kind);

/*
 * Records a request of WHO for approval instead of acting, and logs it;
 * the idempotency key of the form makes a repeat return the first request.
 * METERS is a comma list for keep_power, else NULL. Returns the request's
 * id, or -1.
 */
int64_t approvals_request(struct db *, const struct actor *who,
    const char *kind, int64_t account, int64_t meter, int64_t amount,
    int64_t reverses, const char *meters, const char *note, const char *idem);

#endif
