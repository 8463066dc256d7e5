/* pdu.h - decoding SMS-SUBMIT PDUs (3GPP TS 23.040) as the modem simulator receives them. */
#ifndef PDU_H
#define PDU_H

#include <stddef.h>
#include <stdint.h>

#define PDU_MAX_UNITS	80	/* UTF-16 units a part: 140 octets / 2 */

struct sms_part {
	char		to[24];		/* "+8613800138000" for type 0x91 */
	int		mr;		/* TP-MR of the PDU */
	unsigned	ref;		/* concatenation reference, 0 if none */
	int		part;		/* 1-based; 1 when not concatenated */
	int		total;		/* 1 when not concatenated */
	int		nunits;
	uint16_t	units[PDU_MAX_UNITS];	/* the UCS-2 / UTF-16 text */
};

/*
 * Decodes the hex PDU HEX (HEXLEN characters: SMSC part, then the TPDU) of
 * an SMS-SUBMIT with DCS UCS-2. TPDU_LEN is the length AT+CMGS announced
 * (-1: not checked). Returns 0, or -1 with errno EINVAL (not hex, too short,
 * not a SUBMIT, length mismatch) or ENOTSUP (another data coding).
 */
int	pdu_decode_submit(const char *hex, size_t hexlen, int tpdu_len,
	    struct sms_part *out);

/*
 * UTF-16 units U (N of them) as UTF-8 into OUT (SIZE bytes, NUL ended);
 * lone surrogates become U+FFFD. Returns the length written.
 */
size_t	utf16_to_utf8(const uint16_t *u, int n, char *out, size_t size);

#endif
