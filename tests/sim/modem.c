/* modem.c - the GSM modem simulator: AT dialogue on a pty, SMS-SUBMIT PDUs decoded into the --sms-out file. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "pdu.h"
#include "sim.h"

#define CMD_MAX		256
#define HEX_MAX		700
#define MAX_GROUPS	32

/* A concatenated message waiting for its other parts. */
struct group {
	char		 to[24];
	unsigned	 ref;
	int		 total;
	int		 have;
	int64_t		 born;
	struct sms_part	*parts[256];
};

struct modem {
	int		 fd;
	int		 echo;
	int		 pdu_mode;	/* after AT+CMGS=, until Ctrl-Z */
	int		 tpdu_len;
	int		 mr;
	size_t		 cmdlen;
	char		 cmd[CMD_MAX];
	size_t		 hexlen;
	int		 hex_overflow;
	char		 hex[HEX_MAX];
	struct group	*groups[MAX_GROUPS];
};

static int modem_fd = -1, modem_slave = -1;

static void
modem_say(struct modem *md, const char *s)
{
	write_all(md->fd, s, strlen(s));
}

/* One line of the --sms-out file; newlines in texts written as \n. */
static void
sms_record(const char *fmt1, const char *to, const char *text)
{
	FILE *f;

	if (sim.sms_out == NULL)
		return;
	if ((f = fopen(sim.sms_out, "a")) == NULL) {
		sim_log("%s: %s", sim.sms_out, strerror(errno));
		return;
	}
	fprintf(f, "to=%s %s", to, fmt1);
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p == '\\')
			fputs("\\\\", f);
		else
			fputc(*p, f);
	}
	fputc('\n', f);
	fclose(f);
}

static void
group_free(struct group *g)
{
	for (int i = 0; i < 256; i++)
		free(g->parts[i]);
	free(g);
}

static void
modem_full(const char *to, const uint16_t *u, int n)
{
	char *text;
	size_t size = (size_t)n * 3 + 1;

	if ((text = malloc(size)) == NULL)
		return;
	utf16_to_utf8(u, n, text, size);
	sms_record("full=", to, text);
	free(text);
	stat_inc(ST_SMS_FULL);
}

/* Keeps part P; writes the whole text once every part is there. */
static void
modem_part(struct modem *md, const struct sms_part *p)
{
	char text[PDU_MAX_UNITS * 3 + 1], head[64];
	struct group *g = NULL;
	int slot = -1, oldest = 0;

	utf16_to_utf8(p->units, p->nunits, text, sizeof(text));
	snprintf(head, sizeof(head), "ref=%u part=%d/%d text=", p->ref,
	    p->part, p->total);
	sms_record(head, p->to, text);
	stat_inc(ST_SMS_PARTS);
	if (p->total == 1) {
		modem_full(p->to, p->units, p->nunits);
		return;
	}
	for (int i = 0; i < MAX_GROUPS; i++) {
		struct group *o = md->groups[i];

		if (o != NULL && o->ref == p->ref && o->total == p->total &&
		    strcmp(o->to, p->to) == 0) {
			g = o;
			slot = i;
			break;
		}
		if (o == NULL && slot == -1)
			slot = i;
		if (o != NULL && md->groups[oldest] != NULL &&
		    o->born < md->groups[oldest]->born)
			oldest = i;
	}
	if (g == NULL) {
		if (slot == -1) {
			group_free(md->groups[oldest]);
			md->groups[oldest] = NULL;
			slot = oldest;
		}
		if ((g = calloc(1, sizeof(*g))) == NULL)
			return;
		snprintf(g->to, sizeof(g->to), "%s", p->to);
		g->ref = p->ref;
		g->total = p->total;
		g->born = mono_ms();
		md->groups[slot] = g;
	}
	if (g->parts[p->part - 1] == NULL) {
		if ((g->parts[p->part - 1] = malloc(sizeof(*p))) == NULL)
			return;
		*g->parts[p->part - 1] = *p;
		g->have++;
	} else
		*g->parts[p->part - 1] = *p;	/* a resent part */
	if (g->have == g->total) {
		uint16_t *all;
		int n = 0;

		if ((all = malloc((size_t)g->total * PDU_MAX_UNITS *
		    sizeof(*all))) != NULL) {
			for (int i = 0; i < g->total; i++) {
				memcpy(all + n, g->parts[i]->units,
				    (size_t)g->parts[i]->nunits * sizeof(*all));
				n += g->parts[i]->nunits;
			}
			modem_full(g->to, all, n);
			free(all);
		}
		group_free(g);
		md->groups[slot] = NULL;
	}
}

/* The error the control socket asked for, or 0. */
static int
modem_error_now(void)
{
	int e = 0;

	pthread_mutex_lock(&sim.modem_lock);
	if (sim.modem_err != 0 && mono_ms() < sim.modem_err_until)
		e = sim.modem_err;
	pthread_mutex_unlock(&sim.modem_lock);
	return e;
}

static void
modem_submit(struct modem *md)
{
	struct sms_part p;
	char buf[64];
	int err, delay;

	if ((err = modem_error_now()) != 0) {
		snprintf(buf, sizeof(buf), "\r\n+CMS ERROR: %d\r\n", err);
		modem_say(md, buf);
		stat_inc(ST_SMS_ERRORS);
		return;
	}
	if (md->hex_overflow || pdu_decode_submit(md->hex, md->hexlen,
	    md->tpdu_len, &p) == -1) {
		/* 304: invalid PDU mode parameter. */
		modem_say(md, "\r\n+CMS ERROR: 304\r\n");
		stat_inc(ST_SMS_ERRORS);
		return;
	}
	/* Faults asked for on the control socket: a part refused, an answer lost. */
	pthread_mutex_lock(&sim.modem_lock);
	if (sim.modem_fail_count > 0 && p.part == sim.modem_fail_part) {
		sim.modem_fail_count--;
		err = 500;
	} else if (sim.modem_swallow > 0 && p.part == sim.modem_swallow_part) {
		sim.modem_swallow--;
		err = -1;
	}
	delay = sim.modem_delay_ms;
	pthread_mutex_unlock(&sim.modem_lock);
	if (err == 500) {
		modem_say(md, "\r\n+CMS ERROR: 500\r\n");
		stat_inc(ST_SMS_ERRORS);
		return;
	}
	modem_part(md, &p);
	if (delay > 0)		/* a network slow to confirm the text */
		usleep((useconds_t)delay * 1000);
	if (err == -1) {		/* sent, but the answer never comes */
		md->mr = (md->mr + 1) % 256;
		return;
	}
	snprintf(buf, sizeof(buf), "\r\n+CMGS: %d\r\n\r\nOK\r\n", md->mr);
	md->mr = (md->mr + 1) % 256;
	modem_say(md, buf);
}

static void
modem_command(struct modem *md, char *line)
{
	char buf[64];
	int n;

	while (*line == ' ' || *line == '\n')
		line++;
	if (*line == '\0')
		return;
	stat_inc(ST_AT_COMMANDS);
	for (char *p = line; *p != '\0' && *p != '='; p++)
		*p = (char)toupper((unsigned char)*p);
	if (strcmp(line, "AT") == 0 || strcmp(line, "ATZ") == 0 ||
	    strcmp(line, "AT+CMGF=0") == 0 ||
	    strncmp(line, "AT+CMEE=", 8) == 0 ||
	    strncmp(line, "AT+CNMI=", 8) == 0)
		modem_say(md, "\r\nOK\r\n");
	else if (strcmp(line, "ATE0") == 0 || strcmp(line, "ATE1") == 0) {
		md->echo = line[3] == '1';
		modem_say(md, "\r\nOK\r\n");
	} else if (strcmp(line, "AT+CMGF?") == 0)
		modem_say(md, "\r\n+CMGF: 0\r\n\r\nOK\r\n");
	else if (strcmp(line, "AT+CSQ") == 0)
		modem_say(md, modem_error_now() == 331 ?
		    "\r\n+CSQ: 99,99\r\n\r\nOK\r\n" :
		    "\r\n+CSQ: 21,0\r\n\r\nOK\r\n");
	else if (strcmp(line, "AT+CPIN?") == 0)
		modem_say(md, "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	else if (strcmp(line, "AT+CREG?") == 0)
		modem_say(md, modem_error_now() == 331 ?
		    "\r\n+CREG: 0,2\r\n\r\nOK\r\n" :
		    "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
	else if (strncmp(line, "AT+CMGS=", 8) == 0 &&
	    (n = atoi(line + 8)) >= 7 && n <= 180 &&
	    strspn(line + 8, "0123456789") == strlen(line + 8)) {
		md->pdu_mode = 1;
		md->tpdu_len = n;
		md->hexlen = 0;
		md->hex_overflow = 0;
		modem_say(md, "\r\n> ");
	} else {
		snprintf(buf, sizeof(buf), "\r\nERROR\r\n");
		modem_say(md, buf);
	}
}

static void
modem_byte(struct modem *md, char c)
{
	if (md->echo)
		write_all(md->fd, &c, 1);
	if (md->pdu_mode) {
		if (c == 0x1a) {
			md->pdu_mode = 0;
			modem_submit(md);
		} else if (c == 0x1b) {
			md->pdu_mode = 0;
			modem_say(md, "\r\nOK\r\n");
		} else if (c == '\r' || c == '\n' || c == ' ')
			;
		else if (md->hexlen < HEX_MAX)
			md->hex[md->hexlen++] = c;
		else
			md->hex_overflow = 1;
		return;
	}
	if (c == '\r') {
		md->cmd[md->cmdlen] = '\0';
		modem_command(md, md->cmd);
		md->cmdlen = 0;
	} else if (c == '\n')
		;
	else if (md->cmdlen < CMD_MAX - 1)
		md->cmd[md->cmdlen++] = c;
}

int
modem_open(void)
{
	if ((modem_fd = pty_open_link(sim.modem_link, &modem_slave)) == -1)
		return -1;
	return 0;
}

void *
modem_main(void *arg)
{
	struct modem *md;
	char buf[256];

	(void)arg;
	if ((md = calloc(1, sizeof(*md))) == NULL)
		return NULL;
	md->fd = modem_fd;
	md->mr = 1;
	while (!sim.stop) {
		struct pollfd pfd = { md->fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((n = read(md->fd, buf, sizeof(buf))) <= 0) {
			usleep(50000);
			continue;
		}
		for (ssize_t i = 0; i < n; i++)
			modem_byte(md, buf[i]);
	}
	for (int i = 0; i < MAX_GROUPS; i++)
		if (md->groups[i] != NULL)
			group_free(md->groups[i]);
	free(md);
	close(modem_fd);
	close(modem_slave);
	unlink(sim.modem_link);
	return NULL;
}
