/* approval.h - B8: money and power actions that wait for a second operator. */
#ifndef APPROVAL_H
#define APPROVAL_H

#include <stdint.h>

struct req;

/* Whether the setting asks a second operator for KIND
 * ("refund", "reversal", "keep_power"). */
int approval_needed(struct req *, const char *kind);

/*
 * Records a request for approval instead of acting; the idempotency key of
 * the form makes a repeat return the first request. METERS is a comma list
 * for keep_power, else NULL. Returns the request's id, or -1.
 */
int64_t approval_request(struct req *, const char *kind, int64_t account,
    int64_t meter, int64_t amount, int64_t reverses, const char *meters,
    const char *note, const char *idem);

#endif
