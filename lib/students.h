/* students.h - M1 the students' sign-in: their passwords, the lock after wrong ones, their sessions. */
#ifndef STUDENTS_H
#define STUDENTS_H

#include <stdint.h>

#include "lockout.h"

struct db;

/* Wrong passwords lock as on the staff console (lockout.h); a student's
 * login is the room, "BUILDING_ID/ROOM". */
#define STUDENT_REMEMBER_DAYS 7	/* "remember me": the session's lifetime */

struct student_lock {
	int fails;		/* of this login from this address */
	int addr_fails;		/* of this address, any login */
	int minutes;		/* until the lock ends */
};

/* The recent failures of LOGIN from ADDR into *L; 1 when locked, 0 when
 * not, -1 on error. */
int students_locked(struct db *, const char *login, const char *addr,
    struct student_lock *l);
/* One more wrong password; 1 when it locks now, 0 when not, -1 on error. */
int students_failed(struct db *, const char *login, const char *addr,
    const struct student_lock *l);
/* A right password: the login's failures from ADDR are forgotten. */
int students_cleared(struct db *, const char *login, const char *addr);

/*
 * Sets the password PW of ACCOUNT (scrypt): by OPERATOR (staff; the student
 * must choose a new one at the next sign-in, and every session of the
 * account ends), or by the student (OPERATOR 0: every other session than
 * KEEP ends). Returns 0, or -1 with errno.
 */
int students_set_password(struct db *, int64_t account, const char *pw,
    int64_t operator_id, int64_t keep);

/* PW, just found right, hashed again for ACCOUNT whose stored hash OLD is
 * of an older scheme (crypto_password_stale), unless it changed
 * meanwhile. Returns 0, or -1. */
int students_password_renew(struct db *, int64_t account, const char *pw,
    const char *old);

/*
 * A new session of ACCOUNT from ADDR: kept 7 days when REMEMBER, started by
 * an SMS code when BY_CODE. Writes the cookie's token (64 hex digits) to
 * TOKEN and whether a new password is due to *MUST_CHANGE. Returns 0, or -1.
 */
int students_session_start(struct db *, int64_t account, int remember,
    int by_code, const char *addr, char token[65], int *must_change);

#endif
