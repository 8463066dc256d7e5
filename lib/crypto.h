/* crypto.h - random tokens, hashes and password hashing, all through OpenSSL. */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <stddef.h>

/* Fills OUT (2*NBYTES+1 bytes) with NBYTES random bytes as hex; 0 or -1. */
int crypto_random_hex(size_t nbytes, char *out);
/* SHA-256 of S as 64 hex characters into OUT (65 bytes); 0 or -1. */
int crypto_sha256_hex(const char *s, char out[65]);
/* N bytes of B as lowercase hex into OUT (2*N+1 bytes). */
void crypto_hex(const unsigned char *b, size_t n, char *out);
/* The LEN characters at S, exactly 2*N hex digits, into N bytes of B; 0 or
 * -1. */
int crypto_unhex(const char *s, size_t len, unsigned char *b, size_t n);
/*
 * A key file: LEN bytes (at most 64) as 2*LEN hex digits, a line end
 * allowed, into KEY. 0, or -1 with errno: ENOENT (no PATH or no file),
 * EPERM (others may read it), EINVAL (not 2*LEN hex digits).
 */
int crypto_key_file(const char *path, unsigned char *key, size_t len);
/*
 * The pepper: a secret key of the password hashes kept in a file outside
 * the database (64 hex digits, mode 0600 or stricter). Once loaded, new
 * hashes are "scrypt-hmac$...": the scrypt output keyed again with
 * HMAC-SHA256, so a copy of the database alone verifies no password.
 * Returns 0, or -1 logged with errno: ENOENT (no PATH or no file), EPERM
 * (others may read it), EINVAL (not 64 hex digits).
 */
int crypto_pepper_load(const char *path);
/* Forgets the pepper (its bytes wiped); hashes are plain scrypt again. */
void crypto_pepper_forget(void);
/*
 * The hash of PW with a fresh salt: "scrypt-hmac$N$r$p$SALT$HASH" when a
 * pepper is loaded, else "scrypt$N$r$p$SALT$HASH"; returns a string the
 * caller frees, or NULL with errno.
 */
char *crypto_password_hash(const char *pw);
/* 1 when PW matches STORED (either scheme), 0 when not, -1 on error
 * (errno; ENOKEY for a peppered hash while no pepper is loaded). */
int crypto_password_verify(const char *pw, const char *stored);
/* 1 when STORED should be made again from the password at its next right
 * sign-in: plain scrypt while a pepper is loaded, or weaker parameters. */
int crypto_password_stale(const char *stored);
/* A random password of LEN letters and digits (always both) into OUT. */
int crypto_password_random(char *out, size_t len);

#endif
