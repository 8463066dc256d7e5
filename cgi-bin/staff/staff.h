/* staff.h - the staff console's session and rights, on top of the web kit. */
#ifndef STAFF_H
#define STAFF_H

#include <stdint.h>

#include "web.h"

/* Rights: F1..F30 are the functions of features.md, SITE the site's look. */
#define RIGHT_SITE 31
#define NRIGHTS 35
#define R_ADJ 32	/* adjustment entries: their own right */
#define R_HEALTH 33	/* B9, the system's health: its own right */
#define R_PAY 34	/* M3: online payment orders and their notices */
#define R_SIGNED (-1)	/* any signed-in operator */

/* The operator signed in (all zero when nobody is). */
struct session {
	int64_t id;
	int64_t op_id;
	char op_login[40];
	char op_name[72];
	int must_change;
	int totp;		/* a TOTP secret enrolled */
	uint64_t rights;	/* bit N: right N */
};

extern const struct route routes[];
extern const size_t nroutes;
extern const char *const right_codes[NRIGHTS];

/* 1 when the operator of R holds right N. */
int staff_has(const struct req *, int n);
/* 1 when the site wants TOTP of administrators (F2, F3, F10, ADJ) and the
 * operator of R is one; staff_totp_due: and has none yet. */
int staff_totp_required(struct req *);
int staff_totp_due(struct req *);

#endif
