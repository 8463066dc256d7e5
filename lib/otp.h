/* otp.h - M1/M4 one-time codes by SMS: the code, its HMAC, and the definer functions that send and check it. */
#ifndef OTP_H
#define OTP_H

#include <stddef.h>
#include <stdint.h>

struct db;

#define OTP_DIGITS 6
#define OTP_VALID_MIN 5		/* minutes a code is good for */

/* What otp_send answers: the same for a known phone and an unknown one. */
enum otp_sent { OTP_SENT, OTP_WAIT_MINUTE, OTP_WAIT_HOUR };

/* A random code of OTP_DIGITS digits, uniform, into OUT; 0 or -1. */
int otp_code(char out[OTP_DIGITS + 1]);
/* 1 when S is OTP_DIGITS ASCII digits, else 0. */
int otp_code_ok(const char *s);
/*
 * The HMAC-SHA256 of "PURPOSE\nPHONE\nCODE" with KEY (hex, at least 32
 * bytes' worth) as 64 hex characters into OUT; 0, or -1 with errno (EINVAL
 * for a missing or short key).
 */
int otp_hash(const char *key, const char *purpose, const char *phone,
    const char *code, char out[65]);
/* The lock's login for PHONE ("t:" and 40 hex of an HMAC), so that the
 * failures table never holds a phone; 0 or -1. */
int otp_lock_login(const char *key, const char *phone, char *out, size_t sz);

/* The SMS text TPL with "{code}" replaced by CODE, into OUT of SZ; 0, or
 * -1 when TPL has no "{code}" or the text does not fit. */
int otp_body(const char *tpl, const char *code, char *out, size_t sz);

/*
 * Asks for a code of PURPOSE ("login", or "phone" for ACCOUNT's new phone)
 * to PHONE, stored as HASH; BODY is the SMS, queued only when the phone is
 * known (login) or always (phone). Returns an otp_sent, or -1.
 */
int otp_send(struct db *, const char *purpose, const char *phone,
    int64_t account, const char *hash, const char *body);
/* Uses the code of HASH: the account signed in (login) or whose phone is now
 * PHONE (phone, only ACCOUNT's); 0 when refused, -1 on error. */
int64_t otp_check(struct db *, const char *purpose, const char *phone,
    int64_t account, const char *hash);
/* ACCOUNT's phone masked (138****5678, "" for none) into OUT; 0 or -1. */
int otp_masked_phone(struct db *, int64_t account, char *out, size_t sz);

#endif
