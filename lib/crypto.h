/* crypto.h - random tokens, hashes and password hashing, all through OpenSSL. */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <stddef.h>

/* Fills OUT (2*NBYTES+1 bytes) with NBYTES random bytes as hex; 0 or -1. */
int crypto_random_hex(size_t nbytes, char *out);
/* SHA-256 of S as 64 hex characters into OUT (65 bytes); 0 or -1. */
int crypto_sha256_hex(const char *s, char out[65]);
/*
 * scrypt hash of PW with a fresh salt, as "scrypt$N$r$p$SALT$HASH";
 * returns a string the caller frees, or NULL with errno.
 */
char *crypto_password_hash(const char *pw);
/* 1 when PW matches STORED, 0 when not, -1 on error (errno). */
int crypto_password_verify(const char *pw, const char *stored);
/* A random password of LEN letters and digits (always both) into OUT. */
int crypto_password_random(char *out, size_t len);

#endif
