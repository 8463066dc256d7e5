/* pdu.h - SMS-SUBMIT PDUs in UCS-2 for the GSM modem, long texts split with a concatenation header (pure). */
#ifndef PDU_H
#define PDU_H

#include <stddef.h>
#include <stdint.h>

#define PDU_MAX_PARTS	16
#define PDU_SINGLE	70	/* UCS-2 characters in one message */
#define PDU_CONCAT	67	/* and in each part after a 6-octet UDH */
#define PDU_HEX_MAX	400

struct pdu_part {
	char	hex[PDU_HEX_MAX];	/* the PDU as the modem wants it, SMSC "00" first */
	int	tpdu_len;		/* octets after the SMSC field: AT+CMGS=<n> */
};

/*
 * UTF-8 to UTF-16 code units (UCS-2 plus surrogate pairs) into OUT.
 * Returns the number of units, or -1 with errno EILSEQ or E2BIG.
 */
int pdu_utf16(const char *utf8, uint16_t *out, size_t max);

/*
 * Encodes TEXT (UTF-8) to PHONE ("+8613800138000" international, else
 * national digits) as SMS-SUBMIT PDUs with DCS 0x08 and a relative validity
 * period; more than 70 characters go in parts of 67 with the 8-bit
 * concatenation element carrying REF. Fills PARTS (at most MAX) and returns
 * their number, or -1 with errno EINVAL (bad number or text) or E2BIG.
 */
int pdu_encode(const char *phone, const char *text, unsigned ref,
    struct pdu_part *parts, int max);

/* Cuts an incomplete UTF-8 character off the end of S (a text cut by bytes). */
void pdu_utf8_cut(char *s);

/* Cuts S after MAX characters (a VARCHAR(MAX) column), never inside one. */
void pdu_utf8_clip(char *s, size_t max);

#endif
