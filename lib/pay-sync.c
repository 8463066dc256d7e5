/* pay-sync.c - payments-sync: orders without a notice asked of their gateway over HTTPS (libcurl, with timeouts), credited by the notices' path, expired unpaid ones closed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "db.h"
#include "log.h"
#include "pay.h"

#define ANSWER_MAX (64 * 1024)
#define BATCH 200

enum { Q_DUE, Q_NOTICE, Q_CLOSE };
static const char *const q[] = {
	/* unpaid or paid but not credited, made AFTER_S seconds ago or more;
	 * the last column: old enough to expire */
	[Q_DUE] = "SELECT out_trade_no, state,"
	    " created_at < UTC_TIMESTAMP(3) - INTERVAL ? SECOND"
	    " FROM pay_orders WHERE channel = ? AND state IN ('created', 'paid')"
	    " AND created_at < UTC_TIMESTAMP(3) - INTERVAL ? SECOND"
	    " ORDER BY id LIMIT 200",
	/* the gateway's answer kept as a notice of the job */
	[Q_NOTICE] = "INSERT INTO pay_notices (channel, client_addr, body, verified,"
	    " out_trade_no, outcome, note) VALUES (?, 'payments-sync', ?, ?, ?, ?,"
	    " 'query')",
	[Q_CLOSE] = "UPDATE pay_orders SET state = 'closed'"
	    " WHERE out_trade_no = ? AND channel = ? AND state = 'created'",
};

struct buf {
	char *p;
	size_t n;
};

static size_t
on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;
	char *p;

	if (b->n + n > ANSWER_MAX || (p = realloc(b->p, b->n + n + 1)) == NULL)
		return 0;
	memcpy(p + b->n, data, n);
	b->p = p;
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

/* POSTs the form BODY to the gateway; its answer (the caller frees), or
 * NULL when there is none (the reason logged). */
static char *
post(CURL *curl, const char *url, const char *body)
{
	struct buf b = { NULL, 0 };
	CURLcode rc;
	long status = 0;

	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 15000L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
	if ((rc = curl_easy_perform(curl)) != CURLE_OK) {
		log_warnx("%s: %s", url, curl_easy_strerror(rc));
		free(b.p);
		return NULL;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200 || b.p == NULL) {
		log_warnx("%s: HTTP %ld", url, status);
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Order NO asked of the gateway: its answer as kept (the caller frees),
 * *RC as query_answer says, N filled; NULL when there is no answer. */
static char *
ask(CURL *curl, const struct pay_conf *c, const struct pay_channel *ch,
    const char *no, struct pay_notice *n, int *rc)
{
	struct pay_order o = { .out_trade_no = no };
	struct pay_http h;
	char *req, *ans;

	if (ch->call == NULL) {
		req = ch->query(c, no);
		ans = req ? post(curl, c->gateway, req) : NULL;
		free(req);
		if (ans != NULL)
			*rc = ch->query_answer(c, ans, n);
		return ans;
	}
	if (ch->call(c, PAY_CALL_QUERY, &o, &h) == -1)
		return NULL;
	if (pay_http(&h, 5000L, 15000L) == -1) {
		pay_http_free(&h);
		return NULL;
	}
	*rc = ch->answer(c, PAY_CALL_QUERY, &h, n, NULL, 0);
	ans = h.answer;
	h.answer = NULL;
	pay_http_free(&h);
	return ans;
}

/* Order NO closed at the gateway (its answer not needed: closed here). */
static void
close_at(CURL *curl, const struct pay_conf *c, const struct pay_channel *ch,
    const char *no)
{
	struct pay_order o = { .out_trade_no = no };
	struct pay_http h;
	char *req;

	if (ch->call == NULL) {
		if ((req = ch->close(c, no)) != NULL) {
			free(post(curl, c->gateway, req));
			free(req);
		}
		return;
	}
	if (ch->call(c, PAY_CALL_CLOSE, &o, &h) == 0 &&
	    pay_http(&h, 5000L, 15000L) == 0 &&
	    ch->answer(c, PAY_CALL_CLOSE, &h, NULL, NULL, 0) == -1)
		log_warnx("%s order %s: the gateway did not close it (HTTP %ld)",
		    ch->name, no, h.status);
	pay_http_free(&h);
}

/* One order asked: credited, left, or closed; counts into R. 0 or -1. */
static int
sync_one(struct db *db, CURL *curl, const struct pay_conf *c,
    const struct pay_channel *ch, const char *no, int expired,
    struct pay_sync_result *r)
{
	struct pay_notice n;
	char *ans;
	const char *out = PAY_NOT_PAID;
	int rc = -1;

	r->asked++;
	memset(&n, 0, sizeof(n));
	if ((ans = ask(curl, c, ch, no, &n, &rc)) == NULL) {
		r->failed++;
		return 0;
	}
	if (rc == 1 && strcmp(n.out_trade_no, no) != 0)
		rc = -1;	/* an answer about another order */
	if (rc == -1)
		out = n.verified ? PAY_MALFORMED : PAY_BAD_SIGN;
	if (rc == 1) {
		/* the amount is checked by the order's credit as for a notice */
		if ((out = pay_credit(db, ch->name, no, n.amount, n.trade_no,
		    n.buyer)) == NULL)
			out = PAY_ERROR;
	}
	if (db_exec(db, q[Q_NOTICE], "ssiss", ch->name, ans, n.verified, no,
	    out) == -1) {
		free(ans);
		return -1;
	}
	free(ans);
	if (rc == -1 || strcmp(out, PAY_ERROR) == 0 ||
	    strcmp(out, PAY_BAD_AMOUNT) == 0)
		r->failed++;
	else if (strcmp(out, PAY_CREDITED) == 0)
		r->credited++;
	else if (strcmp(out, PAY_REFUND) == 0)
		r->refund++;
	if ((rc == 0 || rc == 2) && expired) {
		/* unpaid for too long: closed at the gateway (a trade it never
		 * saw needs no closing), then here */
		if (rc == 0)
			close_at(curl, c, ch, no);
		if (db_exec(db, q[Q_CLOSE], "ss", no, ch->name) == 1)
			r->closed++;
	}
	return 0;
}

int
pay_sync(struct db *db, const struct pay_conf *c, const struct pay_channel *ch,
    long after_s, long expire_s, struct pay_sync_result *r)
{
	struct dbres *res;
	char nos[BATCH][PAY_NO_LEN + 1];
	int exp[BATCH], n = 0, rc = 0;
	CURL *curl;

	memset(r, 0, sizeof(*r));
	if ((res = db_query(db, q[Q_DUE], "lsl", (int64_t)expire_s, ch->name,
	    (int64_t)after_s)) == NULL)
		return -1;
	while (db_next(res) == 1 && n < BATCH) {
		snprintf(nos[n], sizeof(nos[n]), "%s", db_col(res, 0));
		exp[n++] = strcmp(db_col(res, 1), "created") == 0 &&
		    db_coll(res, 2) == 1;
	}
	db_res_free(res);
	if (n == 0)
		return 0;
	if ((curl = curl_easy_init()) == NULL)
		return -1;
	for (int i = 0; i < n && rc == 0; i++) {
		curl_easy_reset(curl);
		rc = sync_one(db, curl, c, ch, nos[i], exp[i], r);
	}
	curl_easy_cleanup(curl);
	return rc;
}
