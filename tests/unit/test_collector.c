/* test_collector.c - unit tests of the collector's pure parts: register decoding, payloads, back-off, SMS PDUs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdu.h"
#include "profile.h"

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

static void
put32(uint16_t *regs, int base, int reg, uint32_t v)
{
	profile_reg_put_u32(&regs[reg - base], v);
}

static void
test_realtime(void)
{
	uint16_t r[RT_REGS];
	struct reading x;

	memset(r, 0, sizeof(r));
	r[0x0200 - RT_ADDR] = 7;
	r[0x0201 - RT_ADDR] = 2203;
	r[0x0204 - RT_ADDR] = 152;
	r[0x020A - RT_ADDR] = (uint16_t)(int16_t)-330;
	r[0x0212 - RT_ADDR] = 950;
	put32(r, RT_ADDR, 0x0215, 123456789);
	put32(r, RT_ADDR, 0x0217, 1);
	put32(r, RT_ADDR, 0x0219, 70000);
	put32(r, RT_ADDR, 0x021B, 3);
	put32(r, RT_ADDR, 0x021D, 4);
	put32(r, RT_ADDR, 0x021F, (uint32_t)-480);
	r[0x0221 - RT_ADDR] = 65535;
	r[0x0224 - RT_ADDR] = ST_RELAY | ST_ARREARS | ST_ALARM1 | ST_ALARM2 | ST_FORCED;
	r[0x0225 - RT_ADDR] = 5003;
	put32(r, RT_ADDR, 0x0226, 1700000000);
	r[0x0228 - RT_ADDR] = 2;
	check(profile_rt_decode(r, &x) == 0, "realtime block: model 7 decodes");
	check(x.has_money && x.voltage_dv == 2203 && x.current_ca == 152,
	    "realtime: voltage 0x0201 and current 0x0204");
	check(x.power_w == -330 && x.pf_milli == 950, "realtime: power and pf are signed S16");
	check(x.energy == 123456789, "realtime: energy U32 high word first at 0x0215");
	check(x.e_slot[0] == 1 && x.e_slot[1] == 70000 && x.e_slot[2] == 3 &&
	    x.e_slot[3] == 4, "realtime: the four slot energies at 0x0217-0x021E");
	check(x.remaining == -480, "realtime: remaining is S32 (overdraft negative)");
	check(x.count == 65535, "realtime: purchase count U16 at 0x0221");
	check(x.freq_chz == 5003 && x.clock == 1700000000 && x.bad_tokens == 2,
	    "realtime: frequency, meter clock and bad-token counter");
	check((x.status & ST_RELAY) && (x.status & ST_ARREARS) &&
	    (x.status & ST_ALARM1) && (x.status & ST_ALARM2) &&
	    (x.status & ST_FORCED) && !(x.status & ST_FORCED_OPEN) &&
	    !(x.status & ST_OVERLOAD), "status word bits 13, 5, 6, 7, 0 and not 1, 4");
	check(ST_RELAY == 0x2000 && ST_OVERLOAD == 0x10 && ST_FAULT == 0x100 &&
	    ST_ALARM1 == 0x40 && ST_ALARM2 == 0x80 && ST_FORCED_OPEN == 2,
	    "status bit values follow meter-bus.md");
	r[0] = 8;
	errno = 0;
	check(profile_rt_decode(r, &x) == -1 && errno == EBADMSG,
	    "realtime: another model code is refused (never stored as this meter)");
}

static void
test_energy(void)
{
	uint16_t r[EN_REGS];
	struct reading x;
	int addr, n;

	memset(r, 0, sizeof(r));
	profile_reg_put_u32(&r[0], 987654321);
	r[0x0B] = 2301;
	r[0x0C] = 4321;
	r[0x0D] = (uint16_t)(int16_t)9500;
	r[0x10] = 990;
	r[0x11] = 4998;
	profile_en_decode(r, &x);
	check(x.energy == 987654321 && x.voltage_dv == 2301 && x.current_ca == 4321 &&
	    x.power_w == 9500 && x.pf_milli == 990 && x.freq_chz == 4998,
	    "energy profile: total, voltage, current, power, pf, frequency");
	check(!x.has_money && x.count == -1, "energy profile: no prepaid fields");
	profile_block(PROFILE_ENERGY, &addr, &n);
	check(addr == 0 && n == 18, "energy profile: one read of 18 registers at 0x0000");
	profile_block(PROFILE_DDSY1352NK, &addr, &n);
	check(addr == 0x0200 && n == 48, "ddsy1352nk: one read of 48 registers at 0x0200");
	check(profile_parse("ddsy1352nk") == PROFILE_DDSY1352NK &&
	    profile_parse("energy") == PROFILE_ENERGY && profile_parse("x") == -1,
	    "profile names");
}

/* What a decoded command (lib/cmdq.c, tested in test_lib) writes. */
static void
test_params(void)
{
	struct cmdq_price p = { .p = { 5880, 7000, 5000, 3000 },
	    .tou = { 3, { 0, 480, 1320 }, { 3, 1, 3 } } };
	struct cmdq_settings s = { 2000, 500, 0, 2200, 60 };
	uint16_t par[PAR_REGS], tou[TOU_REGS];

	profile_tou_regs(&p, tou);
	check(tou[0] == 0 && tou[1] == 3 && tou[2] == 480 && tou[3] == 1 &&
	    tou[4] == 1320 && tou[5] == 3 && tou[6] == 0xFFFF && tou[15] == 0xFFFF,
	    "TOU registers: segments, rest unused");
	p.tou.n = TOU_SEGS;
	for (int i = 0; i < TOU_SEGS; i++)
		p.tou.start[i] = 1439 - TOU_SEGS + 1 + i, p.tou.slot[i] = i & 3;
	profile_tou_regs(&p, tou);
	check(tou[14] == 1439 && tou[15] == 3 && tou[0] == 1432,
	    "TOU registers: eight segments fill all 16, minute 1439 at the end");
	p.tou.n = 0;
	profile_tou_regs(&p, tou);
	check(tou[0] == 0xFFFF && tou[15] == 0xFFFF, "TOU registers: no table, all unused");
	memset(par, 0, sizeof(par));
	p.p[1] = 70000;
	p.p[3] = 0x7fffffff;
	profile_price_apply(&p, par);
	check(profile_reg_u32(&par[0x0059 - PAR_ADDR]) == 5880 &&
	    profile_reg_u32(&par[0x005B - PAR_ADDR]) == 70000 &&
	    profile_reg_u32(&par[0x005D - PAR_ADDR]) == 5000 &&
	    profile_reg_u32(&par[0x005F - PAR_ADDR]) == 0x7fffffff,
	    "price registers 0x0059-0x0060, the maximum price too");

	memset(par, 0, sizeof(par));
	check(profile_settings_apply(&s, par) == 0 && profile_reg_u32(&par[0]) == 2000 &&
	    profile_reg_u32(&par[2]) == 500 && profile_reg_u32(&par[4]) == 0 &&
	    par[0x0061 - PAR_ADDR] == 2200 && par[0x0062 - PAR_ADDR] == 60,
	    "settings registers 0x0046, 0x0048, 0x004A, 0x0061, 0x0062");
	s = (struct cmdq_settings){ -1, -1, -1, 65535, -1 };
	check(profile_settings_apply(&s, par) == 0 && profile_reg_u32(&par[0]) == 2000 &&
	    par[0x0061 - PAR_ADDR] == 65535 && par[0x0062 - PAR_ADDR] == 60,
	    "settings: fields not sent keep the meter's values");
	s = (struct cmdq_settings){ -1, 3000, -1, -1, -1 };
	check(profile_settings_apply(&s, par) == -1,
	    "settings: alarm 2 above alarm 1 is refused before the meter");
}

static void
test_backoff(void)
{
	check(profile_backoff_seconds(1, 5, 600) == 5 && profile_backoff_seconds(2, 5, 600) == 10 &&
	    profile_backoff_seconds(3, 5, 600) == 20, "back-off doubles: 5, 10, 20");
	check(profile_backoff_seconds(10, 5, 600) == 600 && profile_backoff_seconds(1000, 5, 600) == 600,
	    "back-off is capped");
	check(profile_backoff_seconds(0, 5, 600) == 5, "back-off of the first try is the base");
}

/* Decodes the UCS-2 text of a PDU part by hand, after the UDH if any. */
static int
part_text(const char *hex, char *udh, size_t udhlen, uint16_t *u, int max)
{
	unsigned b[200];
	int n = (int)strlen(hex) / 2, i = 0, alen, first, udl, k = 0;

	for (int j = 0; j < n && j < 200; j++)
		sscanf(hex + 2 * j, "%2x", &b[j]);
	i = 1 + b[0];		/* SMSC */
	first = (int)b[i++];
	i++;			/* MR */
	alen = (int)b[i++];
	i += 1 + (alen + 1) / 2;
	i += 2;			/* PID, DCS */
	if ((first & 0x18) == 0x10)
		i++;
	udl = (int)b[i++];
	udh[0] = '\0';
	if (first & 0x40) {
		int hl = (int)b[i];

		for (int j = 0; j <= hl; j++)
			snprintf(udh + 2 * j, udhlen - 2 * j, "%02X", b[i + j]);
		i += hl + 1;
		udl -= hl + 1;
	}
	for (int j = 0; j < udl / 2 && k < max; j++, i += 2)
		u[k++] = (uint16_t)(b[i] << 8 | b[i + 1]);
	return k;
}

static void
test_pdu(void)
{
	struct pdu_part parts[PDU_MAX_PARTS];
	uint16_t u[300], v[300];
	char text[1200], udh[32];
	int n, total;

	/*
	 * By hand: 00 SMSC default; 11 SMS-SUBMIT, VPF relative; 00 MR;
	 * 0D 13 digits; 91 international; 68 31 08 10 83 00 F0 =
	 * 8613800138000 in semi-octets; 00 PID; 08 UCS-2; AA 4 days;
	 * 04 UDL; 4F60 你 597D 好. TPDU length 19 (all but the SMSC octet).
	 */
	n = pdu_encode("+8613800138000", "你好", 0, parts, PDU_MAX_PARTS);
	check(n == 1 && strcmp(parts[0].hex,
	    "0011000D91683108108300F00008AA044F60597D") == 0,
	    "PDU of 你好 to +8613800138000 equals the one decoded by hand");
	check(n == 1 && parts[0].tpdu_len == 19, "AT+CMGS length of that PDU is 19");
	n = pdu_encode("10086", "A", 0, parts, PDU_MAX_PARTS);
	check(n == 1 && strcmp(parts[0].hex, "00110005810180F60008AA020041") == 0,
	    "national number 10086 (type 0x81, odd digit F-padded), text A");
	check(pdu_encode("+86abc", "x", 0, parts, PDU_MAX_PARTS) == -1 && errno == EINVAL,
	    "a number with letters is refused");
	check(pdu_encode("+8613800138000", "\xff\xfe", 0, parts, PDU_MAX_PARTS) == -1 &&
	    errno == EILSEQ, "bad UTF-8 is refused");

	/* 70 characters: one part; 71: two (67 + 4). */
	text[0] = '\0';
	for (int i = 0; i < 70; i++)
		strcat(text, "电");
	n = pdu_encode("+8613800138000", text, 7, parts, PDU_MAX_PARTS);
	check(n == 1 && parts[0].tpdu_len == 15 + 140,
	    "70 UCS-2 characters fit one message (140 octets)");
	strcat(text, "费");
	n = pdu_encode("+8613800138000", text, 7, parts, PDU_MAX_PARTS);
	check(n == 2, "71 characters are split in two parts");
	total = 0;
	for (int k = 0; k < n; k++) {
		int c = part_text(parts[k].hex, udh, sizeof(udh), v, 300);
		char want[32];

		snprintf(want, sizeof(want), "050003070%d0%d", n, k + 1);
		check(strcmp(udh, want) == 0, k == 0 ?
		    "part 1 has the concatenation UDH 05 00 03 ref 02 01" :
		    "part 2 has the concatenation UDH 05 00 03 ref 02 02");
		check(strncmp(parts[k].hex, "0051", 4) == 0, "parts set UDHI (first octet 0x51)");
		memcpy(u + total, v, (size_t)c * sizeof(*u));
		total += c;
		if (k == 0)
			check(c == 67, "the first part carries 67 characters");
	}
	check(total == 71 && u[0] == 0x7535 && u[70] == 0x8D39,
	    "the parts put together give the text back");

	/* 66 characters, then a character outside the BMP, then 10 more. */
	text[0] = '\0';
	for (int i = 0; i < 66; i++)
		strcat(text, "a");
	strcat(text, "\xF0\x9F\x98\x80");	/* U+1F600: units 66 and 67 */
	strcat(text, "bbbbbbbbbb");
	n = pdu_encode("+8613800138000", text, 1, parts, PDU_MAX_PARTS);
	part_text(parts[0].hex, udh, sizeof(udh), v, 300);
	check(n == 2 && part_text(parts[0].hex, udh, sizeof(udh), v, 300) == 66 &&
	    part_text(parts[1].hex, udh, sizeof(udh), v, 300) == 12 && v[0] == 0xD83D,
	    "a surrogate pair never straddles two parts");
	check(pdu_utf16("\xF0\x9F\x98\x80", u, 1) == -1 && errno == E2BIG,
	    "pdu_utf16 reports a full buffer");
	memset(text, 'x', 1100);
	text[1100] = '\0';
	check(pdu_encode("+8613800138000", text, 1, parts, PDU_MAX_PARTS) == -1,
	    "a text beyond 16 parts is refused");
}

static void
test_utf8(void)
{
	char s[64];

	/* "3号楼" is 3 + 3 + 3 bytes: cut after 5 bytes, the second character goes whole */
	snprintf(s, sizeof(s), "%.5s", "3号楼");
	pdu_utf8_cut(s);
	check(strcmp(s, "3号") == 0, "a label cut inside a character loses that character");
	snprintf(s, sizeof(s), "%.6s", "3号楼");
	pdu_utf8_cut(s);
	check(strcmp(s, "3号") == 0, "cut inside the third byte of 3: the same");
	snprintf(s, sizeof(s), "%.7s", "3号楼");
	pdu_utf8_cut(s);
	check(strcmp(s, "3号楼") == 0, "a whole text stays");
	snprintf(s, sizeof(s), "%s", "ab\xF0\x9F\x98");
	pdu_utf8_cut(s);
	check(strcmp(s, "ab") == 0, "3 of 4 bytes of an emoji go");
	snprintf(s, sizeof(s), "%s", "\x80\x80");
	pdu_utf8_cut(s);
	check(s[0] == '\0', "continuation bytes alone go");
	s[0] = '\0';
	pdu_utf8_cut(s);
	check(s[0] == '\0', "empty stays empty");
	snprintf(s, sizeof(s), "%s", "一二三四五");
	pdu_utf8_clip(s, 3);
	check(strcmp(s, "一二三") == 0, "clip to 3 characters: 9 bytes of Chinese");
	snprintf(s, sizeof(s), "%s", "一二三");
	pdu_utf8_clip(s, 3);
	check(strcmp(s, "一二三") == 0, "exactly 3 characters stay");
	snprintf(s, sizeof(s), "%s", "a\xF0\x9F\x98\x80" "b");
	pdu_utf8_clip(s, 2);
	check(strcmp(s, "a\xF0\x9F\x98\x80") == 0, "a 4-byte character counts as one");
}

int
main(void)
{
	test_utf8();
	test_realtime();
	test_energy();
	test_params();
	test_backoff();
	test_pdu();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
