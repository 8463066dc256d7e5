/* sim-probe.c - a tiny libmodbus client for trying meter-sim by hand and from scripts: read, write, tokens, timed bus cycles. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <modbus.h>

#include "token.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sim-probe [-t TIMEOUT_MS] URL COMMAND\n"
	    "  URL: tcp://HOST:PORT | rtu:///dev/ttyX?baud=9600&parity=E&stop=1\n"
	    "  read UNIT ADDR N           FC03, prints: ok V...\n"
	    "  write UNIT ADDR V...       FC16\n"
	    "  write1 UNIT ADDR V         FC06\n"
	    "  token UNIT KEYFILE METER COUNT OP AMOUNT [ISSUED [corrupt]]\n"
	    "  raw UNIT HEXPDU            any request, prints the reply hex\n"
	    "  cycle FIRST LAST [ADDR N]  read every unit once, timed\n"
	    "Replies: ok ... | exc 0xNN | err MESSAGE; exit 0 only for ok.\n");
	exit(2);
}

static long
num(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno != 0 || *end != '\0' || end == s) {
		fprintf(stderr, "sim-probe: bad number %s\n", s);
		exit(2);
	}
	return v;
}

static int
fail(void)
{
	if (errno > MODBUS_ENOBASE && errno < MODBUS_ENOBASE + 12)
		printf("exc 0x%02x\n", errno - MODBUS_ENOBASE);
	else
		printf("err %s\n", modbus_strerror(errno));
	return 1;
}

static modbus_t *
open_url(const char *url)
{
	char host[256], path[256];
	int port, baud = 9600, stop = 1;
	char parity = 'E';
	const char *q;
	modbus_t *ctx = NULL;

	if (sscanf(url, "tcp://%255[^:]:%d", host, &port) == 2)
		ctx = modbus_new_tcp(host, port);
	else if (strncmp(url, "rtu://", 6) == 0) {
		snprintf(path, sizeof(path), "%s", url + 6);
		path[strcspn(path, "?")] = '\0';
		if ((q = strchr(url, '?')) != NULL) {
			const char *p;

			if ((p = strstr(q, "baud=")) != NULL)
				baud = atoi(p + 5);
			if ((p = strstr(q, "parity=")) != NULL)
				parity = p[7];
			if ((p = strstr(q, "stop=")) != NULL)
				stop = atoi(p + 5);
		}
		ctx = modbus_new_rtu(path, baud, parity, 8, stop);
	} else
		usage();
	if (ctx == NULL) {
		printf("err %s\n", modbus_strerror(errno));
		exit(1);
	}
	return ctx;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	modbus_t *ctx;
	uint16_t regs[125];
	long timeout_ms = 1000;
	int i = 1, rc = 0, n;

	if (argc > 2 && strcmp(argv[1], "-t") == 0) {
		timeout_ms = num(argv[2]);
		i = 3;
	}
	if (argc - i < 3)
		usage();
	ctx = open_url(argv[i]);
	modbus_set_response_timeout(ctx, (uint32_t)(timeout_ms / 1000),
	    (uint32_t)(timeout_ms % 1000 * 1000));
	modbus_set_error_recovery(ctx, MODBUS_ERROR_RECOVERY_NONE);
	if (modbus_connect(ctx) == -1) {
		printf("err connect: %s\n", modbus_strerror(errno));
		modbus_free(ctx);
		return 1;
	}
	modbus_flush(ctx);
	modbus_set_slave(ctx, (int)num(argv[i + 2]));
	const char *cmd = argv[i + 1];
	char **a = argv + i + 3;
	int na = argc - i - 3;

	if (strcmp(cmd, "read") == 0 && na == 2) {
		n = modbus_read_registers(ctx, (int)num(a[0]), (int)num(a[1]),
		    regs);
		if (n == -1)
			rc = fail();
		else {
			printf("ok");
			for (int k = 0; k < n; k++)
				printf(" %u", regs[k]);
			printf("\n");
		}
	} else if (strcmp(cmd, "write") == 0 && na >= 2 && na <= 124) {
		for (int k = 1; k < na; k++)
			regs[k - 1] = (uint16_t)num(a[k]);
		if (modbus_write_registers(ctx, (int)num(a[0]), na - 1, regs) ==
		    -1)
			rc = fail();
		else
			printf("ok\n");
	} else if (strcmp(cmd, "write1") == 0 && na == 2) {
		if (modbus_write_register(ctx, (int)num(a[0]),
		    (uint16_t)num(a[1])) == -1)
			rc = fail();
		else
			printf("ok\n");
	} else if (strcmp(cmd, "token") == 0 && na >= 5) {
		uint8_t vk[TOKEN_VK_LEN], tok[TOKEN_LEN];
		struct token_plain p;

		if (token_key_read(a[0], vk) == -1) {
			printf("err key: %s\n", strerror(errno));
			rc = 1;
			goto out;
		}
		p.meter_number = (uint32_t)num(a[1]);
		p.count = (uint16_t)num(a[2]);
		p.op = (uint16_t)num(a[3]);
		p.amount = (uint32_t)num(a[4]);
		p.issued_at = na > 5 ? (uint32_t)num(a[5]) :
		    (uint32_t)time(NULL);
		if (token_build(vk, &p, tok) == -1) {
			printf("err token: %s\n", strerror(errno));
			rc = 1;
			goto out;
		}
		if (na > 6 && strcmp(a[6], "corrupt") == 0)
			tok[TOKEN_LEN - 1] ^= 1;
		token_to_regs(tok, regs);
		if (modbus_write_registers(ctx, TOKEN_ADDR, TOKEN_REGS, regs) ==
		    -1)
			rc = fail();
		else
			printf("ok\n");
	} else if (strcmp(cmd, "raw") == 0 && na == 1) {
		uint8_t raw[260], rsp[MODBUS_TCP_MAX_ADU_LENGTH];
		size_t len = strlen(a[0]) / 2;

		raw[0] = (uint8_t)num(argv[i + 2]);
		for (size_t k = 0; k < len && k < 250; k++) {
			unsigned v;

			sscanf(a[0] + 2 * k, "%2x", &v);
			raw[1 + k] = (uint8_t)v;
		}
		if (modbus_send_raw_request(ctx, raw, (int)len + 1) == -1 ||
		    (n = modbus_receive_confirmation(ctx, rsp)) == -1)
			rc = fail();
		else {
			printf("ok");
			for (int k = 0; k < n; k++)
				printf(" %02x", rsp[k]);
			printf("\n");
		}
	} else if (strcmp(cmd, "cycle") == 0 && (na == 1 || na == 3)) {
		int first = (int)num(argv[i + 2]), last = (int)num(a[0]);
		int addr = na == 3 ? (int)num(a[1]) : 0x0200;
		int cnt = na == 3 ? (int)num(a[2]) : 48, bad = 0;
		double t0 = now_s();

		for (int u = first; u <= last; u++) {
			modbus_set_slave(ctx, u);
			if (modbus_read_registers(ctx, addr, cnt, regs) == -1)
				bad++;
		}
		printf("ok units=%d failed=%d seconds=%.3f\n", last - first + 1,
		    bad, now_s() - t0);
		rc = bad != 0;
	} else
		usage();
out:
	modbus_close(ctx);
	modbus_free(ctx);
	return rc;
}
