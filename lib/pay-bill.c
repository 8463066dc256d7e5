/* pay-bill.c - B1 the gateways' daily bills: fetched over HTTPS (libcurl, with timeouts) by payments-sync, checked (signature, SHA-1), read by the channel, stored line by line for matching with the orders. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "db.h"
#include "log.h"
#include "pay.h"
#include "reconcile.h"

#define ANSWER_MAX (64 * 1024)		/* the answer giving the address */
#define BILL_MAX (64 * 1024 * 1024)	/* a day's file: some 200 000 lines */
#define BILL_LINES_MAX 500000
#define ZIP_ENTRIES_MAX 16		/* Alipay's: the lines and the totals */

enum { Q_DUE, Q_DROP, Q_LINE, Q_OK, Q_FAILED };
static const char *const q[] = {
	/* yesterday in the site's time zone, and its bill when there is one */
	[Q_DUE] = "SELECT DATE_FORMAT(p.y, '%Y-%m-%d'), b.state,"
	    " b.fetched_at > UTC_TIMESTAMP(3) - INTERVAL p.r SECOND"
	    " FROM (SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', ?))"
	    "   - INTERVAL 1 DAY AS y, ? AS ch, ? AS r) p"
	    " LEFT JOIN pay_bills b ON b.channel = p.ch AND b.day = p.y",
	[Q_DROP] = "DELETE FROM pay_bill_lines WHERE channel = ? AND day = ?",
	/* a line already on another day's bill is moved, never doubled */
	[Q_LINE] = "INSERT INTO pay_bill_lines (channel, day, trade_no,"
	    " out_trade_no, amount_fen, kind, state) VALUES (?, ?, ?, ?, ?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE day = VALUES(day), trade_no ="
	    " VALUES(trade_no), amount_fen = VALUES(amount_fen), state ="
	    " VALUES(state)",
	[Q_OK] = "INSERT INTO pay_bills (channel, day, state, line_count, sha1)"
	    " VALUES (?, ?, 'ok', ?, ?) ON DUPLICATE KEY UPDATE state = 'ok',"
	    " fetched_at = CURRENT_TIMESTAMP(3), line_count = VALUES(line_count),"
	    " sha1 = VALUES(sha1), note = ''",
	/* a bill taken before stays as it was */
	[Q_FAILED] = "INSERT INTO pay_bills (channel, day, state, note)"
	    " VALUES (?, ?, 'failed', ?) ON DUPLICATE KEY UPDATE"
	    " fetched_at = IF(state = 'failed', CURRENT_TIMESTAMP(3), fetched_at),"
	    " note = IF(state = 'failed', VALUES(note), note)",
};

int
pay_bill_day_ok(const char *d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, dd;

	if (strlen(d) != 10 || d[4] != '-' || d[7] != '-' ||
	    strspn(d, "0123456789-") != 10 || sscanf(d, "%4d-%2d-%2d", &y, &m,
	    &dd) != 3 || y < 2000 || m < 1 || m > 12 || dd < 1 ||
	    dd > mdays[m - 1])
		return 0;
	return m != 2 || dd < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

/* The SHA-1 of the N bytes at S in hex into OUT (41 bytes). */
static void
sha1_hex(const char *s, size_t n, char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	out[0] = '\0';
	if (EVP_Digest(s, n, md, &len, EVP_sha1(), NULL) != 1 || len != 20)
		return;
	for (unsigned i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* The lines read, kept until they are stored in one transaction. */
struct lines {
	struct pay_bill_line *v;
	size_t n, cap;
};

static int
line_keep(void *arg, const struct pay_bill_line *l)
{
	struct lines *ls = arg;
	struct pay_bill_line *p;

	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 256;

		if (cap > BILL_LINES_MAX ||
		    (p = realloc(ls->v, cap * sizeof(*p))) == NULL)
			return -1;
		ls->v = p;
		ls->cap = cap;
	}
	ls->v[ls->n++] = *l;
	return 0;
}

struct store {
	const char *ch, *day, *sha1;
	const struct lines *ls;
};

/* The day's lines replaced by those read, the bill marked taken. */
static int
store(struct db *db, void *arg)
{
	const struct store *s = arg;

	if (db_exec(db, q[Q_DROP], "ss", s->ch, s->day) == -1)
		return -1;
	for (size_t i = 0; i < s->ls->n; i++) {
		const struct pay_bill_line *l = &s->ls->v[i];

		if (db_exec(db, q[Q_LINE], "ssssls" "s", s->ch, s->day, l->trade_no,
		    l->out_trade_no, l->amount, l->refund ? "refund" : "trade",
		    l->state) == -1)
			return -1;
	}
	return db_exec(db, q[Q_OK], "ssis", s->ch, s->day, (int)s->ls->n,
	    s->sha1) == -1 ? -1 : 0;
}

/*
 * The file of DAY asked of the gateway: its address from the signed
 * answer, then the file, its hash checked when the gateway gives one.
 * 0 with *FILE (*LEN bytes) and SHA1, 1 no bill (no trades that day), -1
 * (why into R).
 */
static int
download(const struct pay_conf *c, const struct pay_channel *ch,
    const char *day, char **file, size_t *len, char sha1[41],
    struct pay_bill_result *r)
{
	struct pay_http h;
	char url[1024], want[41];
	int rc;

	*file = NULL;
	memset(&h, 0, sizeof(h));
	if (ch->bill_call(c, day, &h) == -1 || pay_http_get(&h, 5000L, 15000L,
	    ANSWER_MAX, NULL, NULL, r->why, sizeof(r->why)) == -1) {
		if (r->why[0] == '\0')
			snprintf(r->why, sizeof(r->why), "request");
		pay_http_free(&h);
		return -1;
	}
	rc = ch->bill_answer(c, &h, url, sizeof(url), want);
	if (rc != 0) {
		if (rc == -1)
			snprintf(r->why, sizeof(r->why), "the gateway's answer"
			    " (HTTP %ld) not taken", h.status);
		pay_http_free(&h);
		return rc;
	}
	pay_http_free(&h);
	if (ch->bill_get(c, url, &h) == -1 || pay_http_get(&h, 5000L, 120000L,
	    BILL_MAX, file, len, r->why, sizeof(r->why)) == -1) {
		if (r->why[0] == '\0')
			snprintf(r->why, sizeof(r->why), "the file's request");
		pay_http_free(&h);
		return -1;
	}
	rc = h.status == 200 ? 0 : -1;
	if (rc == -1)
		snprintf(r->why, sizeof(r->why), "the file: HTTP %ld", h.status);
	pay_http_free(&h);
	sha1_hex(*file, *len, sha1);
	if (rc == 0 && want[0] && strcasecmp(want, sha1) != 0) {
		snprintf(r->why, sizeof(r->why), "the file's SHA-1 %.40s is not"
		    " the gateway's %.40s", sha1, want);
		rc = -1;
	}
	if (rc == -1) {
		free(*file);
		*file = NULL;
	}
	return rc;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static unsigned
le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* The entry of USIZE bytes stored (METHOD 0) or deflated (8) in the
 * CSIZE bytes at D: a new buffer, or NULL. */
static char *
zip_entry(const unsigned char *d, size_t csize, size_t usize, unsigned method)
{
	z_stream z;
	char *out;
	int rc;

	if (usize > BILL_MAX || (method != 0 && method != 8) ||
	    (method == 0 && csize != usize) || (out = malloc(usize + 1)) == NULL)
		return NULL;
	if (method == 0) {
		memcpy(out, d, usize);
		return out;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
		free(out);
		return NULL;
	}
	z.next_in = (unsigned char *)d;
	z.avail_in = (uInt)csize;
	z.next_out = (unsigned char *)out;
	z.avail_out = (uInt)usize + 1;
	rc = inflate(&z, Z_FINISH);
	if (rc != Z_STREAM_END || z.total_out != usize) {
		free(out);
		out = NULL;
	}
	inflateEnd(&z);
	return out;
}

/*
 * The zip archive Z of N bytes (as Alipay packs a day's bill: the lines
 * and the totals, each a CSV): its entries by the central directory, each
 * read by the channel until one is a bill. Its lines' count, or -1.
 */
static int
unzip_bill(const struct pay_channel *ch, const unsigned char *z, size_t n,
    struct lines *ls)
{
	const unsigned char *e = NULL;
	size_t p, next;

	for (size_t i = n >= 22 ? n - 22 : 0; n >= 22 && i + 65535 + 22 >= n;
	    i--) {
		if (le32(z + i) == 0x06054b50) {
			e = z + i;
			break;
		}
		if (i == 0)
			break;
	}
	if (e == NULL)
		return -1;
	p = le32(e + 16);
	for (unsigned k = 0; k < le16(e + 10) && k < ZIP_ENTRIES_MAX; k++, p = next) {
		size_t loff, data, csize, usize;
		char *text;
		int rc;

		if (p + 46 > n || le32(z + p) != 0x02014b50)
			return -1;
		next = p + 46 + le16(z + p + 28) + le16(z + p + 30) +
		    le16(z + p + 32);
		csize = le32(z + p + 20);
		usize = le32(z + p + 24);
		loff = le32(z + p + 42);
		if (loff + 30 > n || le32(z + loff) != 0x04034b50)
			return -1;
		data = loff + 30 + le16(z + loff + 26) + le16(z + loff + 28);
		if (data > n || csize > n - data ||
		    (text = zip_entry(z + data, csize, usize,
		    le16(z + p + 10))) == NULL)
			return -1;
		ls->n = 0;
		rc = ch->bill_parse(text, usize, line_keep, ls);
		free(text);
		if (rc >= 0)
			return rc;
	}
	return -1;
}

/* The bill read into LS (the file FILE of LEN bytes, UTF-8 or GBK, or a
 * zip archive of it; freed). */
static int
read_bill(const struct pay_channel *ch, char *file, size_t len,
    struct lines *ls, struct pay_bill_result *r)
{
	int n = len >= 4 && memcmp(file, "PK\003\004", 4) == 0 ?
	    unzip_bill(ch, (unsigned char *)file, len, ls) :
	    ch->bill_parse(file, len, line_keep, ls);

	free(file);
	if (n < 0) {
		snprintf(r->why, sizeof(r->why), "the file is not a bill (or"
		    " holds more than %d lines)", BILL_LINES_MAX);
		return -1;
	}
	return 0;
}

int
pay_bill_fetch(struct db *db, const struct pay_conf *c,
    const struct pay_channel *ch, const char *day, const char *tz,
    struct pay_bill_result *r)
{
	struct lines ls = { NULL, 0, 0 };
	struct store s = { ch->name, day, NULL, &ls };
	struct dbres *res;
	char sha1[41] = "", *file = NULL;
	size_t len = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!pay_bill_day_ok(day) || ch->bill_call == NULL) {
		errno = EINVAL;
		return -1;
	}
	rc = download(c, ch, day, &file, &len, sha1, r);
	if (rc == 0)
		rc = read_bill(ch, file, len, &ls, r);
	if (rc == -1) {
		log_warnx("%s bill %s: %s", ch->name, day, r->why);
		free(ls.v);
		return db_exec(db, q[Q_FAILED], "sss", ch->name, day, r->why) ==
		    -1 ? -1 : 1;
	}
	s.sha1 = sha1;
	rc = db_tx(db, store, &s);
	r->lines = (int)ls.n;
	free(ls.v);
	if (rc < 0 || (res = rc_pay_bill(db, tz, ch->name, day)) == NULL)
		return -1;
	r->mismatches = (int)db_nrows(res);
	db_res_free(res);
	return 0;
}

int
pay_bill_due(struct db *db, const char *ch, const char *tz, long retry_s,
    char *day)
{
	struct dbres *res = db_query(db, q[Q_DUE], "ssl", tz, ch,
	    (int64_t)retry_s);
	int rc = -1;

	if (res == NULL)
		return -1;
	if (db_next(res) == 1 && db_col(res, 0) != NULL) {
		const char *st = db_col(res, 1);

		snprintf(day, 11, "%s", db_col(res, 0));
		rc = st == NULL || (strcmp(st, "failed") == 0 &&
		    db_coll(res, 2) == 0);
	}
	db_res_free(res);
	return rc;
}
