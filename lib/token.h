/* token.h - recharge tokens of meter-bus.md: 3DES-CBC plaintext plus a CMAC, per-meter keys. */
#ifndef TOKEN_H
#define TOKEN_H

#include <stdint.h>

#define TOKEN_LEN	24	/* C (16 bytes) || MAC (8 bytes) */
#define TOKEN_REGS	12	/* written with FC16 at TOKEN_ADDR */
#define TOKEN_ADDR	0x0100
#define TOKEN_VK_LEN	32	/* the site's vending key */
#define TOKEN_KEY_LEN	24	/* K_enc and K_mac, 3DES keys */

#define TOKEN_CREDIT	1
#define TOKEN_DEBIT	2

/* The 16-byte plaintext P, decoded. */
struct token_plain {
	uint32_t	meter_number;
	uint16_t	count;		/* purchase count this token brings */
	uint16_t	op;		/* TOKEN_CREDIT or TOKEN_DEBIT */
	uint32_t	amount;		/* fen, > 0 */
	uint32_t	issued_at;	/* unix seconds */
};

/*
 * Derives the keys of meter METER from the vending key VK:
 * K = first 24 bytes of HMAC-SHA256(VK, "enc"/"mac" || METER U32 big-endian).
 * Either output may be NULL. Returns 0, or -1 with errno EIO.
 */
int token_derive_keys(const uint8_t vk[TOKEN_VK_LEN], uint32_t meter,
    uint8_t kenc[TOKEN_KEY_LEN], uint8_t kmac[TOKEN_KEY_LEN]);

/*
 * Builds the token for P with the keys of P->meter_number into OUT.
 * Returns 0, or -1 with errno EIO (crypto failure).
 */
int token_build(const uint8_t vk[TOKEN_VK_LEN], const struct token_plain *p,
    uint8_t out[TOKEN_LEN]);

/*
 * Checks the MAC of TOK with the keys of METER_NUMBER, then decrypts it into
 * P. Returns 0, or -1 with errno EBADMSG (wrong MAC: wrong key, wrong meter
 * or a changed token) or EIO. The plaintext fields (meter number, count,
 * operation, amount) are not judged here: that is the meter's business.
 */
int token_open(const uint8_t vk[TOKEN_VK_LEN], uint32_t meter_number,
    const uint8_t tok[TOKEN_LEN], struct token_plain *p);

/* TOK as 12 big-endian registers, and back. */
void token_to_regs(const uint8_t tok[TOKEN_LEN], uint16_t regs[TOKEN_REGS]);
void token_from_regs(const uint16_t regs[TOKEN_REGS], uint8_t tok[TOKEN_LEN]);

/*
 * Parses 64 hex characters (optionally followed by a newline) into VK.
 * Returns 0, or -1 with errno EINVAL.
 */
int token_key_parse(const char *hex, uint8_t vk[TOKEN_VK_LEN]);

/*
 * Reads a var/vending.key style file (64 hex characters, maybe a trailing
 * newline) into VK. Returns 0, or -1 with errno (from open/read, or EINVAL
 * for a malformed file).
 */
int token_key_read(const char *path, uint8_t vk[TOKEN_VK_LEN]);

#endif
