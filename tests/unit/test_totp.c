/* test_totp.c - unit tests of lib/totp.c: RFC 6238 and RFC 4226 test vectors, base32 of RFC 4648, the window, replays, the sealing of secrets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "totp.h"

static int passed, failed;

static void
check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	if (cond)
		passed++;
	else
		failed++;
}

static const unsigned char rfc_key[] = "12345678901234567890";

static void
test_vectors(void)
{
	/* RFC 6238 appendix B, SHA1, 8 digits */
	static const struct { long long t; long code; } v[] = {
		{ 59, 94287082 }, { 1111111109, 7081804 }, { 1111111111, 14050471 },
		{ 1234567890, 89005924 }, { 2000000000, 69279037 },
		{ 20000000000LL, 65353130 },
	};
	/* RFC 4226 appendix D, counts 0 to 9, 6 digits */
	static const long hotp[] = { 755224, 287082, 359152, 969429, 338314,
	    254676, 287922, 162583, 399871, 520489 };
	int all = 1;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		all &= totp_code(rfc_key, 20, (uint64_t)(v[i].t / TOTP_STEP), 8) == v[i].code;
	check(all, "RFC 6238 appendix B: the six SHA1 codes of 8 digits");
	all = 1;
	for (int i = 0; i < 10; i++)
		all &= totp_code(rfc_key, 20, (uint64_t)i, 6) == hotp[i];
	check(all, "RFC 4226 appendix D: the ten codes of 6 digits");
	check(totp_code(rfc_key, 20, 1, 5) == -1 && errno == EINVAL,
	    "5 digits are refused");
	check(totp_step(59) == 1 && totp_step(60) == 2 && totp_step(-5) == 0,
	    "a step is 30 seconds from the epoch");
}

static void
test_verify(void)
{
	time_t now = 1111111111;	/* step 37037037: code 050471 */
	int64_t step = 0;
	char c[8];

	check(totp_verify(rfc_key, 20, "050471", now, 0, &step) == TOTP_OK &&
	    step == 37037037, "the code of now is taken, with its step");
	snprintf(c, sizeof(c), "%06ld", totp_code(rfc_key, 20, 37037036, 6));
	check(totp_verify(rfc_key, 20, c, now, 0, &step) == TOTP_OK &&
	    step == 37037036, "the code of the step before is taken");
	snprintf(c, sizeof(c), "%06ld", totp_code(rfc_key, 20, 37037038, 6));
	check(totp_verify(rfc_key, 20, c, now, 0, &step) == TOTP_OK &&
	    step == 37037038, "the code of the step after is taken");
	snprintf(c, sizeof(c), "%06ld", totp_code(rfc_key, 20, 37037035, 6));
	check(totp_verify(rfc_key, 20, c, now, 0, &step) == TOTP_WRONG,
	    "the code of two steps before is refused");
	snprintf(c, sizeof(c), "%06ld", totp_code(rfc_key, 20, 37037039, 6));
	check(totp_verify(rfc_key, 20, c, now, 0, &step) == TOTP_WRONG,
	    "the code of two steps after is refused");
	check(totp_verify(rfc_key, 20, "050471", now, 37037037, &step) == TOTP_REPLAY,
	    "the code of a step already used is a replay");
	snprintf(c, sizeof(c), "%06ld", totp_code(rfc_key, 20, 37037036, 6));
	check(totp_verify(rfc_key, 20, c, now, 37037037, &step) == TOTP_REPLAY,
	    "an older step than the one used is a replay too");
	snprintf(c, sizeof(c), "%06ld", totp_code(rfc_key, 20, 37037038, 6));
	check(totp_verify(rfc_key, 20, c, now, 37037037, &step) == TOTP_OK &&
	    step == 37037038, "a later step after a used one is taken");
	check(totp_verify(rfc_key, 20, "050472", now, 0, &step) == TOTP_WRONG,
	    "a wrong code is refused");
	check(totp_verify(rfc_key, 20, "", now, 0, &step) == TOTP_WRONG &&
	    totp_verify(rfc_key, 20, "05047", now, 0, &step) == TOTP_WRONG &&
	    totp_verify(rfc_key, 20, "0504711", now, 0, &step) == TOTP_WRONG &&
	    totp_verify(rfc_key, 20, "05047a", now, 0, &step) == TOTP_WRONG &&
	    totp_verify(rfc_key, 20, " 50471", now, 0, &step) == TOTP_WRONG &&
	    totp_verify(rfc_key, 20, NULL, now, 0, &step) == TOTP_WRONG,
	    "empty, short, long and non-digit codes are refused");
}

static void
test_base32(void)
{
	/* RFC 4648 10, without the padding */
	static const char *const v[][2] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" },
		{ "foobar", "MZXW6YTBOI" },
	};
	unsigned char b[64], secret[TOTP_SECRET_LEN];
	char s[64];
	int all = 1, n;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		all &= totp_b32_encode((const unsigned char *)v[i][0],
		    strlen(v[i][0]), s, sizeof(s)) == 0 && strcmp(s, v[i][1]) == 0;
		n = totp_b32_decode(v[i][1], b, sizeof(b));
		all &= n == (int)strlen(v[i][0]) && memcmp(b, v[i][0], (size_t)n) == 0;
	}
	check(all, "RFC 4648 base32 vectors both ways");
	n = totp_b32_decode("mzxw 6ytb-oi======", b, sizeof(b));
	check(n == 6 && memcmp(b, "foobar", 6) == 0,
	    "lower case, blanks, dashes and padding are read");
	check(totp_b32_decode("MZXW1", b, sizeof(b)) == -1 &&
	    totp_b32_decode("MZ<XW", b, sizeof(b)) == -1,
	    "characters not of base32 (1, <) are refused");
	check(totp_b32_decode("MZXW6YTBOI", b, 3) == -1, "too long for the buffer is refused");
	check(totp_b32_encode((const unsigned char *)"foobar", 6, s, 10) == -1,
	    "too small a buffer to encode into is refused");
	check(totp_secret_new(secret) == 0 &&
	    totp_b32_encode(secret, sizeof(secret), s, sizeof(s)) == 0 &&
	    strlen(s) == TOTP_B32_LEN, "a new secret is 20 bytes, 32 characters of base32");
}

static void
test_uri(void)
{
	char u[512];

	check(totp_uri("电费", "ad min&x", "MZXW6YTBOI", u, sizeof(u)) == 0 &&
	    strcmp(u, "otpauth://totp/%E7%94%B5%E8%B4%B9%3Aad%20min%26x?secret=MZXW6YTBOI"
	    "&algorithm=SHA1&digits=6&period=30&issuer=%E7%94%B5%E8%B4%B9") == 0,
	    "the otpauth URI escapes issuer and login");
	check(totp_uri("site", "admin", "MZXW6YTBOI", u, 40) == -1,
	    "a URI too long for its buffer is refused");
}

static void
test_seal(void)
{
	unsigned char key[TOTP_KEY_LEN], key2[TOTP_KEY_LEN], out[64];
	char sealed[TOTP_SEALED_MAX], again[TOTP_SEALED_MAX], path[] = "/tmp/totpkeyXXXXXX";
	int fd, n;

	memset(key, 7, sizeof(key));
	memset(key2, 8, sizeof(key2));
	check(totp_seal(key, 42, rfc_key, 20, sealed) == 0 &&
	    strncmp(sealed, "g1$", 3) == 0 && strstr(sealed, "3132333435") == NULL,
	    "a sealed secret is not the secret in hex");
	n = totp_open(key, 42, sealed, out, sizeof(out));
	check(n == 20 && memcmp(out, rfc_key, 20) == 0, "it opens with its key and operator");
	check(totp_seal(key, 42, rfc_key, 20, again) == 0 && strcmp(sealed, again) != 0,
	    "sealing twice gives two texts (a fresh IV)");
	check(totp_open(key, 43, sealed, out, sizeof(out)) == -1 && errno == EINVAL,
	    "it does not open for another operator");
	check(totp_open(key2, 42, sealed, out, sizeof(out)) == -1, "nor with another key");
	sealed[10] = sealed[10] == 'a' ? 'b' : 'a';
	check(totp_open(key, 42, sealed, out, sizeof(out)) == -1, "nor when changed");
	check(totp_open(key, 42, "g1$00", out, sizeof(out)) == -1 &&
	    totp_open(key, 42, "", out, sizeof(out)) == -1 &&
	    totp_open(key, 42, "MZXW6YTBOI", out, sizeof(out)) == -1,
	    "short, empty and clear text are not opened");

	if ((fd = mkstemp(path)) == -1)
		return;
	(void)!write(fd, "0707070707070707070707070707070707070707070707070707070707070707\n", 65);
	close(fd);
	check(totp_key_load(path, key2) == 0 && memcmp(key, key2, sizeof(key)) == 0,
	    "the key file (64 hex digits, mode 0600) is read");
	chmod(path, 0644);
	check(totp_key_load(path, key2) == -1 && errno == EPERM,
	    "a key file others may read is refused");
	chmod(path, 0600);
	fd = open(path, O_WRONLY | O_TRUNC);
	(void)!write(fd, "07070707", 8);
	close(fd);
	check(totp_key_load(path, key2) == -1 && errno == EINVAL, "a short key is refused");
	unlink(path);
	check(totp_key_load("/nonexistent/totp.key", key2) == -1, "a missing key file is refused");
}

int
main(void)
{
	test_vectors();
	test_verify();
	test_base32();
	test_uri();
	test_seal();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
