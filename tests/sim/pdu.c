/* pdu.c - SMS-SUBMIT PDU decoding: address semi-octets, VP by VPF, UDH concatenation (IE 0x00/0x08), UCS-2 to UTF-8. */
#include <errno.h>
#include <string.h>

#include "pdu.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
pdu_decode_submit(const char *hex, size_t hexlen, int tpdu_len,
    struct sms_part *out)
{
	uint8_t b[200];
	size_t n, i = 0, end;
	int fo, vpf, udhi, ndigits, dcs, udl, udhl = 0, k = 0;

	memset(out, 0, sizeof(*out));
	out->part = out->total = 1;
	if (hexlen % 2 != 0 || hexlen / 2 > sizeof(b))
		goto bad;
	n = hexlen / 2;
	for (size_t j = 0; j < n; j++) {
		int hi = hexval(hex[2 * j]), lo = hexval(hex[2 * j + 1]);

		if (hi == -1 || lo == -1)
			goto bad;
		b[j] = (uint8_t)(hi << 4 | lo);
	}
	/* SMSC: a length byte, then that many octets (0: the stored one). */
	if (n < 1 || (size_t)b[0] + 1 > n)
		goto bad;
	i = (size_t)b[0] + 1;
	if (tpdu_len >= 0 && n - i != (size_t)tpdu_len)
		goto bad;
	if (i + 3 > n)
		goto bad;
	fo = b[i++];
	if ((fo & 0x03) != 0x01)	/* TP-MTI: SMS-SUBMIT */
		goto bad;
	vpf = (fo >> 3) & 0x03;
	udhi = (fo >> 6) & 0x01;
	out->mr = b[i++];
	ndigits = b[i++];
	if (ndigits > 20 || i + 1 + (size_t)(ndigits + 1) / 2 > n)
		goto bad;
	if (b[i++] == 0x91)
		out->to[k++] = '+';
	for (int d = 0; d < ndigits; d++) {
		int v = d % 2 == 0 ? b[i + d / 2] & 0x0f : b[i + d / 2] >> 4;

		if (v > 9)
			goto bad;
		out->to[k++] = (char)('0' + v);
	}
	out->to[k] = '\0';
	i += (size_t)(ndigits + 1) / 2;
	if (i + 2 > n)
		goto bad;
	i++;			/* TP-PID */
	dcs = b[i++];
	if (vpf == 2)
		i += 1;		/* relative */
	else if (vpf == 1 || vpf == 3)
		i += 7;		/* enhanced, absolute */
	if (i + 1 > n)
		goto bad;
	udl = b[i++];
	end = i + (size_t)udl;
	if (end != n)
		goto bad;
	/* General data coding group 00xx: alphabet in bits 2-3, 10 = UCS-2. */
	if ((dcs & 0xc0) != 0 || (dcs & 0x0c) != 0x08) {
		errno = ENOTSUP;
		return -1;
	}
	if (udhi) {
		size_t p, uend;

		if (udl < 1)
			goto bad;
		udhl = b[i];
		uend = i + 1 + (size_t)udhl;
		if (uend > end)
			goto bad;
		for (p = i + 1; p + 2 <= uend; ) {
			int iei = b[p], iel = b[p + 1];

			if (p + 2 + (size_t)iel > uend)
				goto bad;
			if (iei == 0x00 && iel == 3) {
				out->ref = b[p + 2];
				out->total = b[p + 3];
				out->part = b[p + 4];
			} else if (iei == 0x08 && iel == 4) {
				out->ref = (unsigned)(b[p + 2] << 8 | b[p + 3]);
				out->total = b[p + 4];
				out->part = b[p + 5];
			}
			p += 2 + (size_t)iel;
		}
		if (out->total < 1 || out->part < 1 ||
		    out->part > out->total)
			goto bad;
		i = uend;
	}
	if ((end - i) % 2 != 0 || (end - i) / 2 > PDU_MAX_UNITS)
		goto bad;
	for (; i < end; i += 2)
		out->units[out->nunits++] = (uint16_t)(b[i] << 8 | b[i + 1]);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

static size_t
put_utf8(uint32_t c, char *out, size_t pos, size_t size)
{
	char t[4];
	size_t len;

	if (c < 0x80) {
		t[0] = (char)c;
		len = 1;
	} else if (c < 0x800) {
		t[0] = (char)(0xc0 | c >> 6);
		t[1] = (char)(0x80 | (c & 0x3f));
		len = 2;
	} else if (c < 0x10000) {
		t[0] = (char)(0xe0 | c >> 12);
		t[1] = (char)(0x80 | (c >> 6 & 0x3f));
		t[2] = (char)(0x80 | (c & 0x3f));
		len = 3;
	} else {
		t[0] = (char)(0xf0 | c >> 18);
		t[1] = (char)(0x80 | (c >> 12 & 0x3f));
		t[2] = (char)(0x80 | (c >> 6 & 0x3f));
		t[3] = (char)(0x80 | (c & 0x3f));
		len = 4;
	}
	if (pos + len >= size)
		return pos;
	memcpy(out + pos, t, len);
	return pos + len;
}

size_t
utf16_to_utf8(const uint16_t *u, int n, char *out, size_t size)
{
	size_t pos = 0;

	if (size == 0)
		return 0;
	for (int i = 0; i < n; i++) {
		uint32_t c = u[i];

		if (c >= 0xd800 && c <= 0xdbff && i + 1 < n &&
		    u[i + 1] >= 0xdc00 && u[i + 1] <= 0xdfff) {
			c = 0x10000 + ((c - 0xd800) << 10) + (u[i + 1] - 0xdc00);
			i++;
		} else if (c >= 0xd800 && c <= 0xdfff)
			c = 0xfffd;
		pos = put_utf8(c, out, pos, size);
	}
	out[pos] = '\0';
	return pos;
}
