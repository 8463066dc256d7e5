/* sms.c - the SMS sender thread (S5): the outbox through a GSM modem in PDU mode, kept until the modem confirmed it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "pdu.h"

enum { Q_DUE, Q_CLAIM, Q_LEASE, Q_PART, Q_MAYBE, Q_SENT, Q_RETRY, Q_FAIL };
static const char *const q[] = {
	/* held = 1: the student's quiet period; the alarm code releases it */
	[Q_DUE] = "SELECT id FROM sms_outbox WHERE status = 'queued' AND held = 0"
	    " AND next_try_at <= NOW(3) ORDER BY id LIMIT 8",
	[Q_CLAIM] = "SELECT phone, body, tries, part_refs FROM sms_outbox"
	    " WHERE id = ? AND status = 'queued' AND held = 0"
	    " AND next_try_at <= NOW(3) FOR UPDATE SKIP LOCKED",
	/* A lease, so that another sender leaves it alone meanwhile. */
	[Q_LEASE] = "UPDATE sms_outbox SET next_try_at = NOW(3) + INTERVAL ?"
	    " SECOND, error = 'sending' WHERE id = ?",
	[Q_PART] = "UPDATE sms_outbox SET part_refs = ? WHERE id = ?",
	[Q_MAYBE] = "UPDATE sms_outbox SET possibly_sent = 1 WHERE id = ?",
	[Q_SENT] = "UPDATE sms_outbox SET status = 'sent', sent_at = NOW(3),"
	    " modem_ref = ?, part_refs = ?, tries = tries + 1, error = ''"
	    " WHERE id = ?",
	[Q_RETRY] = "UPDATE sms_outbox SET tries = tries + 1,"
	    " next_try_at = NOW(3) + INTERVAL ? SECOND, error = ? WHERE id = ?",
	[Q_FAIL] = "UPDATE sms_outbox SET status = 'failed', tries = tries + 1,"
	    " error = ? WHERE id = ?",
};

#define STOP_GRACE_MS	600	/* what a stop waits for the modem's answer */

static struct {
	struct collector *co;
	char		device[256];
	pthread_t	thread;
	int		started;
	int		fd;
	long		retry_base_s, lease_s;
	long		check_ms;	/* AT+CSQ every so often */
	int		answer_ms;	/* the wait for +CMGS after a PDU */
	int		csq_due;	/* ask for the signal at once */
	int		stop_seen;	/* stopping, since stop_t */
	struct timespec	stop_t;
	char		buf[1024];	/* what the modem said, not yet read */
	size_t		len;
} sms = { .fd = -1 };

static void
modem_close(void)
{
	if (sms.fd != -1)
		close(sms.fd);
	sms.fd = -1;
	sms.len = 0;
}

/*
 * Reads modem output until a final answer: returns 0 for OK (the
 * lines before it in OUT), -1 with *CODE for ERROR / +CMS ERROR: n, -1
 * with errno ETIMEDOUT. PROMPT: a "> " ends the wait too (returns 1).
 */
static int
modem_wait(char *out, size_t outlen, int *code, int prompt, int timeout_ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (out)
		out[0] = '\0';
	*code = 0;
	for (;;) {
		char *nl;
		struct pollfd pfd = { .fd = sms.fd, .events = POLLIN };
		long left;
		ssize_t n;

		while ((nl = memchr(sms.buf, '\n', sms.len)) != NULL ||
		    (prompt && sms.len >= 1 && memchr(sms.buf, '>', sms.len))) {
			char line[512];
			size_t l;

			if (nl == NULL) {	/* the "> " prompt has no newline */
				sms.len = 0;
				return 1;
			}
			l = (size_t)(nl - sms.buf);
			if (l >= sizeof(line))
				l = sizeof(line) - 1;
			memcpy(line, sms.buf, l);
			line[l] = '\0';
			memmove(sms.buf, nl + 1, sms.len - (size_t)(nl - sms.buf) - 1);
			sms.len -= (size_t)(nl - sms.buf) + 1;
			if (l > 0 && line[l - 1] == '\r')
				line[--l] = '\0';
			if (l == 0)
				continue;
			if (strcmp(line, "OK") == 0)
				return 0;
			if (strcmp(line, "ERROR") == 0) {
				*code = -1;
				return -1;
			}
			if (strncmp(line, "+CMS ERROR:", 11) == 0 ||
			    strncmp(line, "+CME ERROR:", 11) == 0) {
				*code = atoi(line + 11);
				return -1;
			}
			if (out && strlen(out) + l + 2 < outlen) {
				strcat(out, line);
				strcat(out, "\n");
			}
		}
		left = timeout_ms - bus_ms_since(&t0);
		/* SIGTERM: a modem slow to answer gets a little longer, not its full time */
		if (atomic_load(&sms.co->stopping)) {
			if (!sms.stop_seen) {
				clock_gettime(CLOCK_MONOTONIC, &sms.stop_t);
				sms.stop_seen = 1;
			}
			if (STOP_GRACE_MS - bus_ms_since(&sms.stop_t) < left)
				left = STOP_GRACE_MS - bus_ms_since(&sms.stop_t);
		}
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&pfd, 1, left > 100 ? 100 : (int)left) <= 0)
			continue;
		if (sms.len + 1 >= sizeof(sms.buf))
			sms.len = 0;	/* noise: nothing we wait for is this long */
		n = read(sms.fd, sms.buf + sms.len, sizeof(sms.buf) - sms.len - 1);
		if (n <= 0) {
			errno = EIO;
			return -1;
		}
		sms.len += (size_t)n;
	}
}

static int
modem_write(const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(sms.fd, s + off, len - off);

		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/*
 * Sends AT command CMD; 0 on OK (its lines in OUT), -1 with *CODE for an
 * ERROR answer, or -1 with *CODE 0 when the modem did not answer (errno).
 */
static int
modem_cmd(const char *cmd, char *out, size_t outlen, int *code)
{
	char line[300];

	*code = 0;
	snprintf(line, sizeof(line), "%s\r", cmd);
	if (modem_write(line) == -1)
		return -1;
	return modem_wait(out, outlen, code, 0, 5000);
}

static int
modem_open(void)
{
	struct termios t;
	int code;

	if (sms.fd != -1)
		return 0;
	if ((sms.fd = open(sms.device, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return -1;
	if (tcgetattr(sms.fd, &t) == 0) {
		cfmakeraw(&t);
		cfsetispeed(&t, B9600);
		cfsetospeed(&t, B9600);
		tcsetattr(sms.fd, TCSANOW, &t);
	}
	sms.len = 0;
	tcflush(sms.fd, TCIOFLUSH);	/* what an earlier session left unread */
	if (modem_cmd("AT", NULL, 0, &code) == -1 ||
	    modem_cmd("ATE0", NULL, 0, &code) == -1 ||
	    modem_cmd("AT+CMGF=0", NULL, 0, &code) == -1) {
		log_warnx("modem %s does not answer", sms.device);
		modem_close();
		return -1;
	}
	log_info("modem %s ready", sms.device);
	sms.csq_due = 1;
	return 0;
}

/* The signal (AT+CSQ); a modem that does not answer is closed, to be opened again. */
static void
modem_signal(void)
{
	char out[256], *p;
	int code;

	if (modem_cmd("AT+CSQ", out, sizeof(out), &code) == 0 &&
	    (p = strstr(out, "+CSQ:")) != NULL) {
		/* 0-31, or 99 not known: anything else is not a signal */
		long v;
		char *end;

		p += 5;
		while (*p == ' ')
			p++;
		errno = 0;
		v = *p >= '0' && *p <= '9' ? strtol(p, &end, 10) : -1;
		atomic_store(&sms.co->modem_rssi, errno == 0 &&
		    ((v >= 0 && v <= 31) || v == 99) ? (int)v : 99);
	} else {
		atomic_store(&sms.co->modem_rssi, 99);
		if (code == 0) {
			log_warnx("modem %s: no answer to AT+CSQ: %s", sms.device,
			    strerror(errno));
			modem_close();
		}
	}
}

/* "12,-,14": the modem's reference of each confirmed part, -1 for the others. */
static void
refs_parse(const char *s, int *refs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		refs[i] = -1;
	for (i = 0; i < n && *s; i++) {
		if (*s >= '0' && *s <= '9')
			refs[i] = atoi(s);
		s += strcspn(s, ",");
		if (*s == ',')
			s++;
	}
	if (*s != '\0' || (i != n && i != 0))	/* another encoding: start over */
		for (i = 0; i < n; i++)
			refs[i] = -1;
}

static void
refs_format(const int *refs, int n, int dash, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (int i = 0; i < n && off + 6 < len; i++) {
		if (refs[i] >= 0)
			off += (size_t)snprintf(out + off, len - off, "%s%d",
			    off ? "," : "", refs[i]);
		else if (dash)
			off += (size_t)snprintf(out + off, len - off, "%s-",
			    off ? "," : "");
	}
}

/*
 * The message reference of a "+CMGS: <mr>" answer (TP-MR, 0-255), or 0 when
 * the modem said OK without a usable one: the part went out either way, and
 * a negative or overflowing number must not read as "not yet confirmed".
 */
static int
cmgs_ref(const char *out)
{
	const char *p = strstr(out, "+CMGS:");
	char *end;
	long v;

	if (p == NULL)
		return 0;
	p += 6;
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return 0;
	errno = 0;
	v = strtol(p, &end, 10);
	return errno == 0 && v <= 255 ? (int)v : 0;
}

/*
 * Sends the parts of message ID not yet confirmed (REFS, as the outbox
 * row had them); each confirmation is stored at once, so a retry resends
 * only the others. 0 when every part is confirmed; -1 with WHY to retry;
 * -2 when the text or number can never be sent.
 */
static int
send_message(struct db *db, int64_t id, const char *phone, const char *body,
    char *refstr, size_t refslen, char *why, size_t whylen)
{
	struct pdu_part parts[PDU_MAX_PARTS];
	int refs[PDU_MAX_PARTS];
	char cmd[32], out[256];
	int n, code, rc;

	if ((n = pdu_encode(phone, body, (unsigned)id, parts,
	    PDU_MAX_PARTS)) == -1) {
		snprintf(why, whylen, "cannot encode: %s", strerror(errno));
		return -2;
	}
	refs_parse(refstr, refs, n);
	for (int i = 0; i < n; i++) {
		if (refs[i] >= 0)
			continue;	/* confirmed on an earlier try */
		if (atomic_load(&sms.co->stopping)) {
			snprintf(why, whylen, "stopped after part %d/%d", i, n);
			return -1;
		}
		snprintf(cmd, sizeof(cmd), "AT+CMGS=%d\r", parts[i].tpdu_len);
		if (modem_write(cmd) == -1)
			goto io;
		rc = modem_wait(NULL, 0, &code, 1, 5000);
		if (rc != 1) {
			if (rc == -1 && code == 0)
				goto io;
			snprintf(why, whylen, "no prompt (error %d)", code);
			return -1;
		}
		if (modem_write(parts[i].hex) == -1 || modem_write("\x1a") == -1)
			goto io;
		if (modem_wait(out, sizeof(out), &code, 0, sms.answer_ms) == -1) {
			if (code == 0) {
				/*
				 * The modem took the PDU and said nothing: it may
				 * have gone out. It is sent again (a lost text is
				 * worse than a repeated one) and the row says so.
				 */
				db_exec(db, q[Q_MAYBE], "l", id);
				snprintf(why, whylen, "no answer after part %d/%d"
				    " (possibly sent): %s", i + 1, n,
				    strerror(errno));
				modem_close();
				return -1;
			}
			snprintf(why, whylen, "+CMS ERROR: %d (part %d/%d)",
			    code, i + 1, n);
			return -1;
		}
		refs[i] = cmgs_ref(out);
		refs_format(refs, n, 1, refstr, refslen);
		if (n > 1)
			db_exec(db, q[Q_PART], "sl", refstr, id);
	}
	refs_format(refs, n, 1, refstr, refslen);
	return 0;
io:
	snprintf(why, whylen, "modem: %s", strerror(errno));
	modem_close();
	return -1;
}

static void
send_due(struct db *db)
{
	struct dbres *r;
	int64_t ids[8];
	int n = 0;

	if ((r = db_query(db, q[Q_DUE], "")) == NULL)
		return;
	while (n < 8 && db_next(r))
		ids[n++] = db_coll(r, 0);
	db_res_free(r);
	for (int i = 0; i < n && !atomic_load(&sms.co->stopping); i++) {
		char phone[32], body[2048], refs[128], mref[128], why[160] = "";
		int tries, rc;

		if (db_begin(db) == -1)
			return;
		if ((r = db_query(db, q[Q_CLAIM], "l", ids[i])) == NULL ||
		    !db_next(r)) {
			db_res_free(r);
			db_rollback(db);
			continue;
		}
		snprintf(phone, sizeof(phone), "%s", db_col(r, 0));
		snprintf(body, sizeof(body), "%s", db_col(r, 1));
		tries = (int)db_coll(r, 2);
		snprintf(refs, sizeof(refs), "%s", db_col(r, 3));
		db_res_free(r);
		if (db_exec(db, q[Q_LEASE], "ll", (int64_t)sms.lease_s,
		    ids[i]) == -1 || db_commit(db) == -1) {
			db_rollback(db);
			continue;
		}
		if (modem_open() == -1) {
			snprintf(why, sizeof(why), "modem not ready");
			rc = -1;
		} else
			rc = send_message(db, ids[i], phone, body, refs,
			    sizeof(refs), why, sizeof(why));
		if (rc == 0) {
			int pr[PDU_MAX_PARTS], np = 1;

			for (const char *c = refs; *c; c++)
				np += *c == ',' && np < PDU_MAX_PARTS;
			refs_parse(refs, pr, np);
			refs_format(pr, np, 0, mref, sizeof(mref));
			db_exec(db, q[Q_SENT], "ssl", mref, refs, ids[i]);
			log_info("sms %lld to %s sent (%s)", (long long)ids[i],
			    phone, mref);
		} else if (rc == -2) {
			db_exec(db, q[Q_FAIL], "sl", why, ids[i]);
			log_warnx("sms %lld to %s: %s; given up", (long long)ids[i],
			    phone, why);
		} else {
			/* this try is the (tries + 1)th: wait base * 2^tries */
			db_exec(db, q[Q_RETRY], "lsl", (int64_t)profile_backoff_seconds(
			    tries + 1, sms.retry_base_s, 3600), why, ids[i]);
			log_warnx("sms %lld to %s: %s; kept for a retry",
			    (long long)ids[i], phone, why);
		}
	}
}

static void *
sms_main(void *arg)
{
	struct db *db = NULL;
	struct timespec last_csq = { 0, 0 };

	(void)arg;
	while (!atomic_load(&sms.co->stopping)) {
		if (db == NULL && (db = db_open(sms.co->cf, "collector")) == NULL) {
			sleep(1);
			continue;
		}
		if (modem_open() == 0 && (sms.csq_due ||
		    bus_ms_since(&last_csq) > sms.check_ms)) {
			sms.csq_due = 0;
			clock_gettime(CLOCK_MONOTONIC, &last_csq);
			modem_signal();
		} else if (sms.fd == -1)
			atomic_store(&sms.co->modem_rssi, 99);
		send_due(db);
		for (int i = 0; i < 10 && !atomic_load(&sms.co->stopping); i++)
			usleep(100000);
	}
	modem_close();
	db_close(db);
	return NULL;
}

int
sms_start(struct collector *co, const char *device)
{
	int rc;

	sms.co = co;
	snprintf(sms.device, sizeof(sms.device), "%s", device);
	sms.retry_base_s = config_int(co->cf, "sms_retry_s", 30);
	sms.lease_s = 120;
	sms.check_ms = config_int(co->cf, "modem_check_s", 30) * 1000;
	sms.answer_ms = (int)config_int(co->cf, "modem_answer_s", 30) * 1000;
	atomic_store(&co->modem_rssi, 99);
	if ((rc = pthread_create(&sms.thread, NULL, sms_main, NULL)) != 0) {
		errno = rc;
		return -1;
	}
	sms.started = 1;
	return 0;
}

void
sms_stop(void)
{
	if (!sms.started)
		return;
	pthread_join(sms.thread, NULL);
	sms.started = 0;
}
