/* totp.h - time-based one-time passwords (RFC 6238, HMAC-SHA1, 30 s steps) for staff sign-in, and their secrets sealed with a key of a file. */
#ifndef TOTP_H
#define TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOTP_STEP 30		/* seconds of a step (RFC 6238 4.1, X) */
#define TOTP_DIGITS 6
#define TOTP_WINDOW 1		/* steps accepted either side of now */
#define TOTP_SECRET_LEN 20	/* bytes: the HMAC-SHA1 output (RFC 4226 4, R6) */
#define TOTP_B32_LEN 32		/* base32 characters of a secret */
#define TOTP_KEY_LEN 32		/* the sealing key: AES-256 */
/* "g1$" + IV (12 bytes) + secret + tag (16 bytes), as hex with "$"s */
#define TOTP_SEALED_MAX 128

/* The results of totp_verify. */
#define TOTP_WRONG 0
#define TOTP_OK 1
#define TOTP_REPLAY 2	/* right, but of a step already used */

/*
 * The code of step STEP for the secret KEY (N bytes) with DIGITS digits
 * (6 or 8) as a number, or -1 with errno.
 */
long totp_code(const unsigned char *key, size_t n, uint64_t step, int digits);

/*
 * Checks CODE (TOTP_DIGITS digits) for KEY at time NOW, one step either
 * side. A step at or before LAST (the last one used, 0 for none) is a
 * replay. Returns TOTP_OK with *STEP set, TOTP_WRONG, TOTP_REPLAY, or -1.
 */
int totp_verify(const unsigned char *key, size_t n, const char *code,
    time_t now, int64_t last, int64_t *step);

/* The step of time T. */
int64_t totp_step(time_t t);

/* A new random secret of TOTP_SECRET_LEN bytes; 0 or -1. */
int totp_secret_new(unsigned char out[TOTP_SECRET_LEN]);

/*
 * Base32 (RFC 4648, no padding) of the N bytes of IN into OUT of SZ bytes;
 * 0, or -1 when OUT is too small.
 */
int totp_b32_encode(const unsigned char *in, size_t n, char *out, size_t sz);
/*
 * The bytes of base32 S (upper or lower case, blanks and padding ignored)
 * into OUT of SZ bytes; their number, or -1 for a character not of base32
 * or too many.
 */
int totp_b32_decode(const char *s, unsigned char *out, size_t sz);

/*
 * The otpauth:// URI of a secret (base32 B32) for LOGIN at ISSUER, with
 * both escaped, into OUT of SZ bytes; 0, or -1 when it does not fit.
 */
int totp_uri(const char *issuer, const char *login, const char *b32,
    char *out, size_t sz);

/* The sealing key: 64 hex digits read from the file PATH; 0 or -1 (errno). */
int totp_key_load(const char *path, unsigned char key[TOTP_KEY_LEN]);

/*
 * The secret IN (N bytes, at most TOTP_SECRET_LEN) of operator ID sealed with AES-256-GCM under KEY
 * (the id is authenticated with it: a sealed secret copied to another
 * operator does not open), as text into OUT of TOTP_SEALED_MAX; 0 or -1.
 */
int totp_seal(const unsigned char key[TOTP_KEY_LEN], int64_t id,
    const unsigned char *in, size_t n, char out[TOTP_SEALED_MAX]);
/* The secret of SEALED for operator ID into OUT of SZ bytes; its length,
 * or -1 (EINVAL: not sealed by KEY for ID, or damaged). */
int totp_open(const unsigned char key[TOTP_KEY_LEN], int64_t id,
    const char *sealed, unsigned char *out, size_t sz);

/* totp_seal and totp_open with the key of the file KEYFILE (totp_key_load);
 * the key is wiped after use. As theirs, and -1 when the key is not read. */
int totp_seal_keyfile(const char *keyfile, int64_t id,
    const unsigned char *in, size_t n, char out[TOTP_SEALED_MAX]);
int totp_open_keyfile(const char *keyfile, int64_t id, const char *sealed,
    unsigned char *out, size_t sz);

#endif
