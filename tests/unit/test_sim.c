/* test_sim.c - unit tests of the simulator's pure helpers: CRC-16/MODBUS and SMS-SUBMIT PDU decoding. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../sim/crc16.h"
#include "../sim/pdu.h"

static int failed;

static void
check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
		failed++;
}

static void
test_crc(void)
{
	/* Read 2 registers at 0x0000 from slave 1: the textbook frame. */
	uint8_t f[8] = { 0x01, 0x03, 0x00, 0x00, 0x00, 0x02 };

	check(crc16_modbus((const uint8_t *)"123456789", 9) == 0x4b37,
	    "CRC-16/MODBUS check value of \"123456789\" is 0x4B37");
	check(crc16_append(f, 6) == 8 && f[6] == 0xc4 && f[7] == 0x0b,
	    "01 03 00 00 00 02 gets C4 0B");
	check(crc16_check(f, 8), "frame with its CRC checks");
	f[3] ^= 1;
	check(!crc16_check(f, 8), "a changed byte fails the check");
	check(!crc16_check(f, 2), "a frame shorter than 3 bytes fails");
}

static void
test_pdu(void)
{
	struct sms_part p;
	char text[256];
	/* To +8613800138000, VP relative, UCS-2 "你好" */
	const char *single = "0011000D91683108108300F00008AA04"
	    "4F60597D";
	/* To 13900001111 (0x81), UDHI, 8-bit ref 0xA7, part 2/3, "ab" */
	const char *concat8 = "0051000B813109001011F10008AA0A"
	    "050003A703020061" "0062";
	/* 16-bit ref 0x1234, part 1/2, no VP, with an SMSC, "€" */
	const char *concat16 = "07916821436587F9"
	    "4100048199990008" "09" "060804123402012" "0AC";

	check(pdu_decode_submit(single, strlen(single), 19, &p) == 0,
	    "single-part PDU decodes");
	utf16_to_utf8(p.units, p.nunits, text, sizeof(text));
	check(strcmp(p.to, "+8613800138000") == 0, "international number");
	check(p.ref == 0 && p.part == 1 && p.total == 1, "not concatenated");
	check(strcmp(text, "\xe4\xbd\xa0\xe5\xa5\xbd") == 0, "UCS-2 to UTF-8");
	check(pdu_decode_submit(single, strlen(single), 18, &p) == -1 &&
	    errno == EINVAL, "length other than AT+CMGS said is refused");

	check(pdu_decode_submit(concat8, strlen(concat8), -1, &p) == 0,
	    "8-bit reference concatenated part decodes");
	utf16_to_utf8(p.units, p.nunits, text, sizeof(text));
	check(strcmp(p.to, "13900001111") == 0 && p.ref == 0xa7 &&
	    p.part == 2 && p.total == 3 && strcmp(text, "ab") == 0,
	    "national number, ref 167, part 2/3, text");

	check(pdu_decode_submit(concat16, strlen(concat16), 18, &p) == 0,
	    "16-bit reference part with an SMSC decodes");
	utf16_to_utf8(p.units, p.nunits, text, sizeof(text));
	check(strcmp(p.to, "9999") == 0 && p.ref == 0x1234 && p.part == 1 &&
	    p.total == 2 && strcmp(text, "\xe2\x82\xac") == 0,
	    "ref 4660, part 1/2, euro sign");

	check(pdu_decode_submit("0011000D91683108108300F00000AA0141",
	    34, -1, &p) == -1 && errno == ENOTSUP, "GSM 7-bit refused");
	check(pdu_decode_submit("0011000D91683108108300F00008AA04"
	    "4F60597", 39, -1, &p) == -1, "odd hex length refused");
	check(pdu_decode_submit("0011000D91683108108300F00008AA05"
	    "4F60597D", 40, -1, &p) == -1, "UDL beyond the data refused");
	check(pdu_decode_submit("0012000D91683108108300F00008AA04"
	    "4F60597D", 40, -1, &p) == -1, "SMS-COMMAND type refused");
}

static void
test_utf16(void)
{
	const uint16_t smile[] = { 0xd83d, 0xde00 };
	const uint16_t lone[] = { 0xd83d, 0x0041 };
	char text[16];

	utf16_to_utf8(smile, 2, text, sizeof(text));
	check(strcmp(text, "\xf0\x9f\x98\x80") == 0, "surrogate pair");
	utf16_to_utf8(lone, 2, text, sizeof(text));
	check(strcmp(text, "\xef\xbf\xbd" "A") == 0,
	    "lone surrogate becomes U+FFFD");
	utf16_to_utf8(smile, 2, text, 3);
	check(strlen(text) < 3, "output never overflows");
}

int
main(void)
{
	test_crc();
	test_pdu();
	test_utf16();
	printf("# %d failed\n", failed);
	return failed ? 1 : 0;
}
