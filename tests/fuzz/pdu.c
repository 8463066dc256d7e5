/* pdu.c - fuzzes the SMS PDU encoder (collector/pdu.c) with any text and number: what it writes, the modem simulator's decoder reads back as the same number and text. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../collector/pdu.h"
#undef PDU_H
#include "../../tests/sim/pdu.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "property failed: %s " \
	"(line %d), phone \"%s\"\n", #c, __LINE__, phone); abort(); } } while (0)

/* 1 when S is UTF-8 without overlong forms or surrogates, as a reference. */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t c = s[i];
		int more = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 :
		    (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;

		if (more < 0 || i + (size_t)more >= n + (more == 0 ? 1 : 0))
			return 0;
		c &= more == 0 ? 0x7F : 0x3F >> more;
		for (int k = 1; k <= more; k++) {
			if ((s[i + (size_t)k] & 0xC0) != 0x80)
				return 0;
			c = c << 6 | (s[i + (size_t)k] & 0x3F);
		}
		if ((more == 1 && c < 0x80) || (more == 2 && c < 0x800) ||
		    (more == 3 && (c < 0x10000 || c > 0x10FFFF)) ||
		    (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		i += (size_t)more + 1;
	}
	return 1;
}

static void
cuts(const char *text, size_t len, const char *phone)
{
	char *s = strdup(text);
	size_t max = len % 80;

	/* a text cut by bytes, then clipped to MAX characters: still UTF-8 */
	if (s == NULL)
		return;
	if (utf8_ok((const unsigned char *)s, strlen(s))) {
		s[len / 2] = '\0';
		pdu_utf8_cut(s);
		CHECK(utf8_ok((const unsigned char *)s, strlen(s)));
		CHECK(strncmp(s, text, strlen(s)) == 0);
		strcpy(s, text);
		pdu_utf8_clip(s, max);
		CHECK(utf8_ok((const unsigned char *)s, strlen(s)));
		CHECK(strncmp(s, text, strlen(s)) == 0);
		{
			size_t chars = 0;

			for (const char *p = s; *p; p++)
				chars += ((unsigned char)*p & 0xC0) != 0x80;
			CHECK(chars <= max);
		}
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pdu_part parts[PDU_MAX_PARTS];
	static uint16_t units[8200];
	static char back[8192];
	char phone[32], *text;
	size_t plen, tlen, at = 0;
	unsigned ref;
	int n, nu, ndig, digits_ok = 1;

	if (size < 3 || size > 8192)
		return 0;
	/* byte 0: '+' or not, digits or raw bytes; byte 1: length; byte 2: ref */
	plen = data[1] % 24;
	ref = data[2];
	if (size < 3 + plen)
		return 0;
	if (data[0] & 1)
		phone[at++] = '+';
	for (size_t i = 0; i < plen; i++) {
		uint8_t b = data[3 + i];

		phone[at] = data[0] & 2 ? (char)(b ? b : 'x') : (char)('0' + b % 10);
		/* a raw '+' first is the international sign, as the '+' of byte 0 */
		digits_ok &= (phone[at] >= '0' && phone[at] <= '9') ||
		    (phone[at] == '+' && at == 0);
		at++;
	}
	phone[at] = '\0';
	tlen = size - 3 - plen;
	if ((text = malloc(tlen + 1)) == NULL)
		return 0;
	memcpy(text, data + 3 + plen, tlen);
	text[tlen] = '\0';
	tlen = strlen(text);

	errno = 0;
	n = pdu_encode(phone, text, ref, parts, PDU_MAX_PARTS);
	nu = pdu_utf16(text, units, 8200);
	/* the digits after the international sign: 1 to 20 */
	ndig = (int)plen - (phone[0] == '+' && !(data[0] & 1));
	if (!digits_ok || ndig < 1 || ndig > 20 || tlen == 0 ||
	    !utf8_ok((const unsigned char *)text, tlen)) {
		CHECK(n == -1 && (errno == EINVAL || errno == EILSEQ));
		goto out;
	}
	CHECK(nu > 0);
	if (n == -1) {
		/* only too long a text is refused */
		CHECK(errno == E2BIG && nu > PDU_MAX_PARTS * (PDU_CONCAT - 1));
		goto out;
	}
	CHECK(n >= 1 && n <= PDU_MAX_PARTS);
	CHECK((n == 1) == (nu <= PDU_SINGLE));
	{
		int got = 0;

		for (int k = 0; k < n; k++) {
			struct sms_part p;
			char want[32];

			CHECK(strlen(parts[k].hex) < PDU_HEX_MAX);
			CHECK(parts[k].tpdu_len >= 7 && parts[k].tpdu_len <= 180);
			CHECK(pdu_decode_submit(parts[k].hex, strlen(parts[k].hex),
			    parts[k].tpdu_len, &p) == 0);
			snprintf(want, sizeof(want), "%s", phone);
			CHECK(strcmp(p.to, want) == 0);
			CHECK(p.total == n && p.part == k + 1);
			CHECK(n == 1 || p.ref == ref);
			CHECK(p.nunits <= (n == 1 ? PDU_SINGLE : PDU_CONCAT));
			/* a surrogate pair never split over two parts */
			CHECK(p.nunits == 0 ||
			    (p.units[p.nunits - 1] & 0xFC00) != 0xD800);
			CHECK(got + p.nunits <= nu);
			CHECK(memcmp(units + got, p.units,
			    (size_t)p.nunits * sizeof(uint16_t)) == 0);
			got += p.nunits;
		}
		CHECK(got == nu);
		utf16_to_utf8(units, nu, back, sizeof(back));
		CHECK(strcmp(back, text) == 0);
	}
out:
	cuts(text, tlen, phone);
	free(text);
	return 0;
}
