/* lockout.h - the sign-in lockout rule of both sites: wrong passwords counted per login and client address. */
#ifndef LOCKOUT_H
#define LOCKOUT_H

/*
 * Five wrong passwords for one login (an operator, a student's room) lock
 * that login from that address only, twenty for any logins lock the
 * address; for LOCKOUT_MINUTES after the last of them. A stranger so locks
 * out nobody but themselves.
 */
#define LOCKOUT_MAX_FAILS 5
#define LOCKOUT_MAX_ADDR_FAILS 20
#define LOCKOUT_MINUTES 15

#endif
