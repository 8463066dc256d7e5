/* pdu.c - SMS-SUBMIT PDU encoding (3GPP TS 23.040): UCS-2 text, semi-octet numbers, concatenation UDH. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pdu.h"

int
pdu_utf16(const char *utf8, uint16_t *out, size_t max)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t n = 0;

	while (*s) {
		uint32_t c;
		int more;

		if (*s < 0x80) {
			c = *s;
			more = 0;
		} else if ((*s & 0xE0) == 0xC0) {
			c = *s & 0x1F;
			more = 1;
		} else if ((*s & 0xF0) == 0xE0) {
			c = *s & 0x0F;
			more = 2;
		} else if ((*s & 0xF8) == 0xF0) {
			c = *s & 0x07;
			more = 3;
		} else
			goto bad;
		s++;
		for (int i = 0; i < more; i++, s++) {
			if ((*s & 0xC0) != 0x80)
				goto bad;
			c = (c << 6) | (*s & 0x3F);
		}
		if ((more == 1 && c < 0x80) || (more == 2 && c < 0x800) ||
		    (more == 3 && (c < 0x10000 || c > 0x10FFFF)) ||
		    (c >= 0xD800 && c <= 0xDFFF))
			goto bad;
		if (c >= 0x10000) {
			if (n + 2 > max)
				goto big;
			c -= 0x10000;
			out[n++] = (uint16_t)(0xD800 | (c >> 10));
			out[n++] = (uint16_t)(0xDC00 | (c & 0x3FF));
		} else {
			if (n + 1 > max)
				goto big;
			out[n++] = (uint16_t)c;
		}
	}
	return (int)n;
bad:
	errno = EILSEQ;
	return -1;
big:
	errno = E2BIG;
	return -1;
}

void
pdu_utf8_cut(char *s)
{
	size_t n = strlen(s), i = n;

	/* back to the lead byte of the last character */
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i > 0 && ((unsigned char)s[i - 1] & 0x80)) {
		unsigned char c = (unsigned char)s[i - 1];
		size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;

		if (n - (i - 1) < want)
			s[i - 1] = '\0';
	} else if (i == 0 && n > 0)
		s[0] = '\0';	/* continuation bytes only */
}

void
pdu_utf8_clip(char *s, size_t max)
{
	size_t chars = 0;

	for (char *p = s; *p; p++)
		if (((unsigned char)*p & 0xC0) != 0x80 && chars++ == max) {
			*p = '\0';
			break;
		}
	pdu_utf8_cut(s);
}

static void
put(char **p, unsigned v)
{
	static const char hx[] = "0123456789ABCDEF";

	*(*p)++ = hx[(v >> 4) & 0xF];
	*(*p)++ = hx[v & 0xF];
}

/* The characters of the part of a long text from OFF: a surrogate pair never straddles two. */
static int
part_len(const uint16_t *u, int n, int off)
{
	int len = n - off < PDU_CONCAT ? n - off : PDU_CONCAT;

	if (off + len < n && (u[off + len - 1] & 0xFC00) == 0xD800)
		len--;
	return len;
}

int
pdu_encode(const char *phone, const char *text, unsigned ref,
    struct pdu_part *parts, int max)
{
	uint16_t u[PDU_MAX_PARTS * PDU_CONCAT];
	const char *digits = phone;
	int n, nparts, intl = 0, ndig, off = 0;

	if (*digits == '+') {
		intl = 1;
		digits++;
	}
	ndig = (int)strlen(digits);
	if (ndig < 1 || ndig > 20 || strspn(digits, "0123456789") != (size_t)ndig) {
		errno = EINVAL;
		return -1;
	}
	if ((n = pdu_utf16(text, u, sizeof(u) / sizeof(u[0]))) == -1)
		return -1;
	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	/* Count the parts first. */
	nparts = 1;
	if (n > PDU_SINGLE)
		for (int i = part_len(u, n, 0); i < n; nparts++)
			i += part_len(u, n, i);
	if (nparts > max || nparts > 255) {
		errno = E2BIG;
		return -1;
	}
	for (int k = 0; k < nparts; k++) {
		char *p = parts[k].hex;
		int len, udl;

		len = nparts == 1 ? n : part_len(u, n, off);
		put(&p, 0x00);			/* SMSC: the SIM's own */
		put(&p, nparts > 1 ? 0x51 : 0x11); /* SMS-SUBMIT, VPF relative, UDHI */
		put(&p, 0x00);			/* TP-MR: the modem sets it */
		put(&p, (unsigned)ndig);
		put(&p, intl ? 0x91 : 0x81);
		for (int i = 0; i < ndig; i += 2) {
			unsigned lo = (unsigned)(digits[i] - '0');
			unsigned hi = i + 1 < ndig ? (unsigned)(digits[i + 1] - '0') : 0xF;

			put(&p, (hi << 4) | lo);
		}
		put(&p, 0x00);			/* PID */
		put(&p, 0x08);			/* DCS: UCS-2 */
		put(&p, 0xAA);			/* VP: 4 days */
		udl = 2 * len + (nparts > 1 ? 6 : 0);
		put(&p, (unsigned)udl);
		if (nparts > 1) {
			put(&p, 0x05);		/* UDHL */
			put(&p, 0x00);		/* IEI: concatenation, 8-bit reference */
			put(&p, 0x03);
			put(&p, ref & 0xFF);
			put(&p, (unsigned)nparts);
			put(&p, (unsigned)(k + 1));
		}
		for (int i = 0; i < len; i++) {
			put(&p, u[off + i] >> 8);
			put(&p, u[off + i] & 0xFF);
		}
		*p = '\0';
		parts[k].tpdu_len = (int)(strlen(parts[k].hex) / 2) - 1;
		off += len;
	}
	return nparts;
}
