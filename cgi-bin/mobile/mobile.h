/* mobile.h - the student site's session, cookies and routes, on top of the web kit. */
#ifndef MOBILE_H
#define MOBILE_H

#include <stdint.h>

#include "web.h"

#define R_STUDENT 1	/* a route for a signed-in student */
#define MOBILE_COOKIE "msid"	/* the session's cookie, on the path /m/;
				 * behind HTTPS __Host-msid on / (web.h) */
/* ASVS 3.3.2: a remembered session asks for the password again this long
 * after it was last entered, before it pays or changes the phone or password */
#define MOBILE_REAUTH_HOURS 12

/* The student signed in: an account (all zero when nobody is). */
struct session {
	int64_t id;
	int64_t account_id;
	char login[80];		/* "BUILDING_ID/ROOM" for the lock and the log */
	char actor[32];		/* "student:ACCOUNT" in the operation log */
	int must_change;
	int remember;
	int by_code;		/* signed in by an SMS code */
	long auth_age;		/* seconds since the password was entered */
	int agreed;		/* the notice on personal data agreed (8.3.3) */
};

extern const struct route routes[];
extern const size_t nroutes;

/* A cookie of the student site (path /m/): MAXAGE > 0 seconds, 0 to
 * delete it, -1 for the browser's session. */
void mobile_cookie(struct req *, const char *name, const char *value,
    long maxage);

/*
 * Signs ACCOUNT in (by an SMS code when BY_CODE, for 7 days when REMEMBER):
 * a new session and its cookie, the old one ended, the sign-in form's
 * cookie FORM_COOKIE deleted, logged as LOGIN, and a redirect to the
 * password page when a new one is due, else to /m/. 0, or -1.
 */
int mobile_signed_in(struct req *, int64_t account, int remember, int by_code,
    const char *login, const char *form_cookie);

/*
 * ASVS 3.3.2 before a change: a remembered session whose password was
 * entered over MOBILE_REAUTH_HOURS ago must give it (the field "reauth")
 * again. Sets Form.reauth when it is asked; on a POST checks it under the
 * lock of wrong passwords. 1 go on, 0 not given or wrong (its error is by
 * the field, the form is to be shown again), -1 on error.
 */
int mobile_reauth(struct req *);

#endif
