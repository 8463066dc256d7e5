/* modem.c - fuzzes the SMS sender's reading of the modem's answers (collector/sms.c): "> ", +CMGS, OK, ERROR, +CMS ERROR, noise; a part the modem confirmed is kept as confirmed and never sent again. */
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * The input after its first byte is the modem's answers, one chunk (cut by
 * a 0x1E byte) after each command or PDU the sender writes, as a modem
 * answers; then nothing more. A modem that has said all of a chunk and
 * waits is silent for good (the sender's wait would time out): its side
 * is closed. The outbox writes of the sender are watched, not run: no
 * database.
 */
ssize_t fuzz_write(int, const void *, size_t);
int fuzz_poll(struct pollfd *, nfds_t, int);
#define db_exec fuzz_db_exec
#define write fuzz_write
#define poll fuzz_poll
#include "../../collector/sms.c"
#undef poll
#undef write
#undef db_exec

static int modem_side = -1;
static const uint8_t *answer, *answer_end;

/* The next chunk of answers to the modem's side, or its end. */
static void
modem_answers(void)
{
	const uint8_t *e;

	if (answer == NULL)
		return;
	e = memchr(answer, 0x1E, (size_t)(answer_end - answer));
	if (e == NULL)
		e = answer_end;
	if (write(modem_side, answer, (size_t)(e - answer)) != e - answer)
		abort();
	answer = e < answer_end ? e + 1 : NULL;
	if (answer == NULL)
		shutdown(modem_side, SHUT_WR);
}

int
fuzz_poll(struct pollfd *p, nfds_t n, int timeout)
{
	int rc = poll(p, n, 0);

	if (rc == 0 && modem_side != -1) {
		shutdown(modem_side, SHUT_WR);
		answer = NULL;
		rc = poll(p, n, timeout);
	}
	return rc;
}

ssize_t
fuzz_write(int fd, const void *buf, size_t n)
{
	ssize_t rc = write(fd, buf, n);
	const char *s = buf;

	if (rc > 0 && (s[rc - 1] == '\r' || s[rc - 1] == 0x1a))
		modem_answers();
	return rc;
}

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "property failed: %s " \
	"(line %d), refs \"%s\"\n", #c, __LINE__, refs); abort(); } } while (0)

static char part_refs[PDU_MAX_PARTS + 1][128];	/* each Q_PART write */
static int nwrites;

long
fuzz_db_exec(struct db *db, const char *sql, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (sql == q[Q_PART] && nwrites <= PDU_MAX_PARTS)
		snprintf(part_refs[nwrites++], sizeof(part_refs[0]), "%s",
		    va_arg(ap, const char *));
	va_end(ap);
	return 1;
}

struct dbres *db_query(struct db *db, const char *sql, const char *fmt, ...)
{ return NULL; }
int db_next(struct dbres *r) { return 0; }
const char *db_col(const struct dbres *r, int c) { return ""; }
int64_t db_coll(const struct dbres *r, int c) { return 0; }
void db_res_free(struct dbres *r) { }
int db_begin(struct db *db) { return -1; }
int db_commit(struct db *db) { return -1; }
int db_rollback(struct db *db) { return -1; }
struct db *db_open(const struct config *cf, const char *p) { return NULL; }
void db_close(struct db *db) { }

/* Parts confirmed in a refs string of N parts. */
static int
confirmed_parts(const char *s, int n)
{
	int r[PDU_MAX_PARTS], k = 0;

	refs_parse(s, r, n);
	for (int i = 0; i < n; i++)
		k += r[i] >= 0;
	return k;
}

static const char *const bodies[] = {
	"【预付费电】1号楼101房间电费余额不足10.00元，请及时充值。",
	"尊敬的用户：您所在的2号楼305房间剩余电费已低于报警值，请尽快充值以免断电。"
	"尊敬的用户：您所在的2号楼305房间剩余电费已低于报警值，请尽快充值以免断电。"
	"尊敬的用户：您所在的2号楼305房间剩余电费已低于报警值，请尽快充值以免断电。"
	"尊敬的用户：您所在的2号楼305房间剩余电费已低于报警值，请尽快充值以免断电。",
};
static const char *const earlier[] = { "", "12,-,14", "-,-,-", "7" };

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct collector co;
	struct pdu_part parts[PDU_MAX_PARTS];
	char refs[128], why[160], sent[16384];
	const char *body;
	int sv[2], n, rc, before, cmgs = 0;
	ssize_t got;
	size_t len = 0;

	if (size < 1 || size > 4096)
		return 0;
	body = bodies[data[0] & 1];
	snprintf(refs, sizeof(refs), "%s", earlier[(data[0] >> 1) & 3]);
	if ((n = pdu_encode("+8613800138000", body, 9, parts, PDU_MAX_PARTS)) < 1)
		abort();
	/* the modem's side: its answers, then nothing more */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return 0;
	modem_side = sv[1];
	answer = data + 1;
	answer_end = data + size;
	sms.co = &co;
	sms.fd = sv[0];
	sms.len = 0;
	sms.answer_ms = 200;
	nwrites = 0;
	/* bit 3: the signal is asked first (AT+CSQ), as after opening */
	if (data[0] & 8) {
		int rssi;

		atomic_store(&co.modem_rssi, -1);
		modem_signal();
		rssi = atomic_load(&co.modem_rssi);
		/* what the health page shows: 0-31, or 99 for not known */
		CHECK((rssi >= 0 && rssi <= 31) || rssi == 99);
		if (sms.fd == -1) {
			close(sv[1]);
			return 0;
		}
	}
	before = confirmed_parts(refs, n);
	rc = send_message(NULL, 42, "+8613800138000", body, refs, sizeof(refs),
	    why, sizeof(why));
	if (sms.fd != -1)
		close(sms.fd);
	sms.fd = -1;
	while (len < sizeof(sent) - 1 &&
	    (got = read(sv[1], sent + len, sizeof(sent) - 1 - len)) > 0)
		len += (size_t)got;
	sent[len] = '\0';
	close(sv[1]);
	for (const char *p = sent; (p = strstr(p, "AT+CMGS=")) != NULL; p++)
		cmgs++;

	CHECK(rc == 0 || rc == -1);
	CHECK(strlen(why) < sizeof(why));
	/* only the parts not yet confirmed go to the modem */
	CHECK(cmgs <= n - before);
	for (int i = 0; i < n; i++) {
		int r[PDU_MAX_PARTS];

		refs_parse(earlier[(data[0] >> 1) & 3], r, n);
		if (r[i] >= 0)
			CHECK(strstr(sent, parts[i].hex) == NULL);
	}
	/* every part the modem confirmed is kept: one more at each write */
	for (int w = 0; w < nwrites; w++)
		CHECK(confirmed_parts(part_refs[w], n) == before + w + 1);
	/* done: every part has its reference, and a retry sends nothing */
	if (rc == 0)
		CHECK(confirmed_parts(refs, n) == n);
	else
		CHECK(confirmed_parts(refs, n) >= before);
	return 0;
}
