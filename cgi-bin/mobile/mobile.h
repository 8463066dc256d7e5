/* mobile.h - the student site's session, cookies and routes, on top of the web kit. */
#ifndef MOBILE_H
#define MOBILE_H

#include <stdint.h>

#include "web.h"

#define R_STUDENT 1	/* a route for a signed-in student */
#define MOBILE_COOKIE "msid"	/* the session's cookie, on the path /m/ */

/* The student signed in: an account (all zero when nobody is). */
struct session {
	int64_t id;
	int64_t account_id;
	char login[80];		/* "BUILDING_ID/ROOM" for the lock and the log */
	char actor[32];		/* "student:ACCOUNT" in the operation log */
	int must_change;
	int remember;
};

extern const struct route routes[];
extern const size_t nroutes;

/* A cookie of the student site (path /m/): MAXAGE > 0 seconds, 0 to
 * delete it, -1 for the browser's session. */
void mobile_cookie(struct req *, const char *name, const char *value,
    long maxage);

#endif
