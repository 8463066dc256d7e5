/* pay-alipay.c - the Alipay channel: RSA2 (SHA256withRSA) signed requests for the mobile website payment and its notices, verified with Alipay's public key. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "crypto.h"
#include "csvimp.h"
#include "pay.h"

#define MAXP 64		/* parameters of one notice or request */

struct kv {
	char *k, *v;
};

static void
kv_free(struct kv *p, int n)
{
	for (int i = 0; i < n; i++) {
		free(p[i].k);
		free(p[i].v);
	}
}

/* S (N bytes, form encoding) decoded into a new string, or NULL when it
 * holds a bad escape or a NUL. */
static char *
unescape(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			unsigned char b;

			if (i + 2 >= n || crypto_unhex(s + i + 1, 2, &b, 1) == -1) {
				free(out);
				return NULL;
			}
			c = b;
			i += 2;
		}
		if (c == 0) {
			free(out);
			return NULL;
		}
		*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

/* The form BODY of LEN bytes into P (at most MAXP); the count, or -1. */
static int
form_parse(const char *body, size_t len, struct kv *p)
{
	size_t at = 0;
	int n = 0;

	while (at < len) {
		size_t end = at, eq;

		while (end < len && body[end] != '&')
			end++;
		for (eq = at; eq < end && body[eq] != '='; eq++)
			;
		if (end > at) {
			if (n == MAXP || eq == end)
				goto bad;
			p[n].k = unescape(body + at, eq - at);
			p[n].v = unescape(body + eq + 1, end - eq - 1);
			n++;
			if (p[n - 1].k == NULL || p[n - 1].v == NULL)
				goto bad;
			for (int i = 0; i < n - 1; i++)
				if (strcmp(p[i].k, p[n - 1].k) == 0)
					goto bad;	/* a key twice */
		}
		at = end + 1;
	}
	return n;
bad:
	kv_free(p, n);
	return -1;
}

static const char *
kv_get(const struct kv *p, int n, const char *k)
{
	for (int i = 0; i < n; i++)
		if (strcmp(p[i].k, k) == 0)
			return p[i].v;
	return NULL;
}

static int
kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

/* The signed string: the parameters sorted by name, "k=v" joined by "&",
 * without sign (and sign_type for a notice) and without empty values.
 * Sorts P. A new string, or NULL. */
static char *
sign_string(struct kv *p, int n, int notice)
{
	size_t sz = 1;
	char *s, *o;

	qsort(p, (size_t)n, sizeof(*p), kv_cmp);
	for (int i = 0; i < n; i++)
		sz += strlen(p[i].k) + strlen(p[i].v) + 2;
	if ((s = malloc(sz)) == NULL)
		return NULL;
	o = s;
	for (int i = 0; i < n; i++) {
		if (strcmp(p[i].k, "sign") == 0 || p[i].v[0] == '\0' ||
		    (notice && strcmp(p[i].k, "sign_type") == 0))
			continue;
		o += sprintf(o, "%s%s=%s", o == s ? "" : "&", p[i].k, p[i].v);
	}
	*o = '\0';
	return s;
}

/* S percent-encoded (all but the unreserved characters) onto O. */
static char *
escape(char *o, const char *s)
{
	static const char hx[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == '~')
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hx[c >> 4];
			*o++ = hx[c & 15];
		}
	}
	return o;
}

/* A JSON string's content: quotes, backslashes and controls escaped. */
static void
json_text(char *out, size_t sz, const char *s)
{
	size_t o = 0;

	for (; *s && o + 7 < sz; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, sz - o, "\\%c", c);
		else if (c < 0x20)
			o += (size_t)snprintf(out + o, sz - o, "\\u%04x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/*
 * A signed request of the open API: the common parameters, METHOD and
 * BIZ (the biz_content JSON), with the notify and return addresses when
 * URLS; all encoded as a query string. A new string, or NULL.
 */
static char *
request(const struct pay_conf *c, const char *method, const char *biz,
    const char *when, int urls)
{
	struct kv p[12];
	char *s, *sig, *out, *o;
	size_t sz = 1;
	int n = 0;

#define P(K, V) do { p[n].k = (char *)(K); p[n].v = (char *)(V); n++; } while (0)
	P("app_id", c->app_id);
	P("method", method);
	P("format", "JSON");
	P("charset", "utf-8");
	P("sign_type", "RSA2");
	P("timestamp", when);
	P("version", "1.0");
	P("biz_content", biz);
	if (urls) {
		P("notify_url", c->notify_url);
		P("return_url", c->return_url);
	}
#undef P
	/* a request signs every parameter but sign itself */
	if ((s = sign_string(p, n, 0)) == NULL)
		return NULL;
	sig = pay_rsa_sign(c->app_key, s);
	free(s);
	if (sig == NULL)
		return NULL;
	p[n].k = (char *)"sign";
	p[n].v = sig;
	n++;
	for (int i = 0; i < n; i++)
		sz += 3 * (strlen(p[i].k) + strlen(p[i].v)) + 2;
	if ((out = malloc(sz)) != NULL) {
		o = out;
		for (int i = 0; i < n; i++) {
			if (i > 0)
				*o++ = '&';
			o = escape(o, p[i].k);
			*o++ = '=';
			o = escape(o, p[i].v);
		}
		*o = '\0';
	}
	free(sig);
	return out;
}

/* Now in Beijing time, as the open API's timestamp wants it. */
static void
now_cst(char *buf, size_t sz)
{
	time_t t = time(NULL) + 8 * 3600;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sz, "%Y-%m-%d %H:%M:%S", &tm);
}

static char *
alipay_order_url(const struct pay_conf *c, const struct pay_order *ord)
{
	char biz[512], subj[192], when[32], *qs, *url;
	size_t n;

	json_text(subj, sizeof(subj), ord->subject ? ord->subject : "");
	snprintf(biz, sizeof(biz), "{\"out_trade_no\":\"%s\",\"total_amount\":"
	    "\"%lld.%02lld\",\"subject\":\"%s\",\"product_code\":\"QUICK_WAP_WAY\"}",
	    ord->out_trade_no, (long long)(ord->amount / 100),
	    (long long)(ord->amount % 100), subj);
	if (ord->when)
		snprintf(when, sizeof(when), "%s", ord->when);
	else
		now_cst(when, sizeof(when));
	if ((qs = request(c, "alipay.trade.wap.pay", biz, when, 1)) == NULL)
		return NULL;
	n = strlen(c->gateway) + strlen(qs) + 2;
	if ((url = malloc(n)) != NULL)
		snprintf(url, n, "%s%s%s", c->gateway,
		    strchr(c->gateway, '?') ? "&" : "?", qs);
	free(qs);
	return url;
}

static const char *
alipay_verify(const struct pay_conf *c, const char *body, size_t len,
    struct pay_notice *out)
{
	struct kv p[MAXP];
	const char *v, *res = NULL;
	char *s;
	int n;

	if (len > PAY_BODY_MAX || (n = form_parse(body, len, p)) < 0)
		return PAY_MALFORMED;
	if ((v = kv_get(p, n, "out_trade_no")) != NULL)
		snprintf(out->out_trade_no, sizeof(out->out_trade_no), "%s", v);
	if ((v = kv_get(p, n, "sign_type")) == NULL || strcmp(v, "RSA2") != 0 ||
	    (v = kv_get(p, n, "sign")) == NULL) {
		res = PAY_BAD_SIGN;
		goto out;
	}
	if ((s = sign_string(p, n, 1)) == NULL) {
		res = PAY_MALFORMED;
		goto out;
	}
	if (!pay_rsa_verify(c->gw_key, s, strlen(s), kv_get(p, n, "sign")))
		res = PAY_BAD_SIGN;
	else
		out->verified = 1;
	free(s);
	if (res)
		goto out;
	if ((v = kv_get(p, n, "app_id")) == NULL || strcmp(v, c->app_id) != 0)
		res = PAY_BAD_APP;
	else if (c->seller_id[0] && ((v = kv_get(p, n, "seller_id")) == NULL ||
	    strcmp(v, c->seller_id) != 0))
		res = PAY_BAD_SELLER;
	else if ((v = kv_get(p, n, "out_trade_no")) == NULL || strlen(v) > 64 ||
	    (v = kv_get(p, n, "total_amount")) == NULL ||
	    pay_amount_parse(v, &out->amount) == -1 ||
	    (v = kv_get(p, n, "trade_status")) == NULL)
		res = PAY_MALFORMED;
	else {
		out->paid = strcmp(v, "TRADE_SUCCESS") == 0 ||
		    strcmp(v, "TRADE_FINISHED") == 0;
		if ((v = kv_get(p, n, "trade_no")) != NULL)
			snprintf(out->trade_no, sizeof(out->trade_no), "%s", v);
		if ((v = kv_get(p, n, "buyer_id")) != NULL)
			snprintf(out->buyer, sizeof(out->buyer), "%s", v);
	}
out:
	kv_free(p, n);
	return res;
}

/* A request of the job with the biz_content BIZ. */
static char *
job_request(const struct pay_conf *c, const char *method, const char *biz)
{
	char when[32];

	now_cst(when, sizeof(when));
	return request(c, method, biz, when, 0);
}

static char *
alipay_query(const struct pay_conf *c, const char *no)
{
	char biz[128];

	snprintf(biz, sizeof(biz), "{\"out_trade_no\":\"%.64s\"}", no);
	return job_request(c, "alipay.trade.query", biz);
}

static char *
alipay_close(const struct pay_conf *c, const char *no)
{
	char biz[128];

	snprintf(biz, sizeof(biz), "{\"out_trade_no\":\"%.64s\"}", no);
	return job_request(c, "alipay.trade.close", biz);
}

static char *
alipay_refund(const struct pay_conf *c, const char *no, int64_t fen,
    const char *rno)
{
	char biz[256];

	snprintf(biz, sizeof(biz), "{\"out_trade_no\":\"%.64s\",\"refund_amount\":"
	    "\"%lld.%02lld\",\"out_request_no\":\"%.64s\"}", no,
	    (long long)(fen / 100), (long long)(fen % 100), rno);
	return job_request(c, "alipay.trade.refund", biz);
}

static char *
alipay_bill(const struct pay_conf *c, const char *day)
{
	char biz[128];

	snprintf(biz, sizeof(biz), "{\"bill_type\":\"trade\",\"bill_date\":"
	    "\"%.10s\"}", day);
	return job_request(c, "alipay.data.dataservice.bill.downloadurl.query",
	    biz);
}

/* The end of the JSON object starting at S ('{'), strings skipped; NULL
 * when it does not end. */
static const char *
json_end(const char *s)
{
	int depth = 0, str = 0;

	for (; *s; s++) {
		if (str) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				str = 0;
		} else if (*s == '"')
			str = 1;
		else if (*s == '{')
			depth++;
		else if (*s == '}' && --depth == 0)
			return s + 1;
	}
	return NULL;
}

/* The string member KEY of the flat JSON object OBJ (N bytes) into OUT. */
static int
json_str(const char *obj, size_t n, const char *key, char *out, size_t sz)
{
	char pat[64];
	const char *p, *end = obj + n;
	size_t o = 0;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	if ((p = memmem(obj, n, pat, strlen(pat))) == NULL)
		return -1;
	for (p += strlen(pat); p < end && *p != '"' && o + 1 < sz; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		out[o++] = *p;
	}
	out[o] = '\0';
	return p < end && *p == '"' ? 0 : -1;
}

/* The object NAME of the gateway's answer BODY, its signature checked:
 * its start into *OBJ and length into *LEN; 0, or -1. */
static int
signed_object(const struct pay_conf *c, const char *body, const char *name,
    const char **obj, size_t *len)
{
	const char *p = strstr(body, name), *end;
	char *text, sig[1024];
	int ok;

	if (p == NULL || *(p += strlen(name)) != '{' ||
	    (end = json_end(p)) == NULL ||
	    json_str(end, strlen(end), "sign", sig, sizeof(sig)) == -1)
		return -1;
	if ((text = strndup(p, (size_t)(end - p))) == NULL)
		return -1;
	ok = pay_rsa_verify(c->gw_key, text, strlen(text), sig);
	free(text);
	*obj = p;
	*len = (size_t)(end - p);
	return ok ? 0 : -1;
}

static int
alipay_query_answer(const struct pay_conf *c, const char *body,
    struct pay_notice *n)
{
	const char *obj;
	char v[64];
	size_t len;

	if (signed_object(c, body, "\"alipay_trade_query_response\":", &obj,
	    &len) == -1 || json_str(obj, len, "code", v, sizeof(v)) == -1)
		return -1;
	n->verified = 1;
	if (strcmp(v, "10000") != 0)
		return json_str(obj, len, "sub_code", v, sizeof(v)) == 0 &&
		    strcmp(v, "ACQ.TRADE_NOT_EXIST") == 0 ? 2 : -1;
	if (json_str(obj, len, "out_trade_no", n->out_trade_no,
	    sizeof(n->out_trade_no)) == -1 ||
	    json_str(obj, len, "trade_status", v, sizeof(v)) == -1)
		return -1;
	json_str(obj, len, "trade_no", n->trade_no, sizeof(n->trade_no));
	json_str(obj, len, "buyer_user_id", n->buyer, sizeof(n->buyer));
	n->paid = strcmp(v, "TRADE_SUCCESS") == 0 ||
	    strcmp(v, "TRADE_FINISHED") == 0;
	if (json_str(obj, len, "total_amount", v, sizeof(v)) == -1 ||
	    pay_amount_parse(v, &n->amount) == -1)
		return -1;
	return n->paid;
}

/* Refunds: alipay.trade.refund answers at once; asked again with the
 * same out_request_no it refunds nothing more and answers the same, so
 * a refund in doubt is sent again rather than queried. */
static int
alipay_refund_call(const struct pay_conf *c, int query,
    const struct pay_order *o, const char *rno, int64_t fen,
    struct pay_http *h)
{
	(void)query;
	memset(h, 0, sizeof(*h));
	snprintf(h->method, sizeof(h->method), "POST");
	snprintf(h->url, sizeof(h->url), "%s", c->gateway);
	if ((h->body = alipay_refund(c, o->out_trade_no, fen, rno)) == NULL)
		return -1;
	return 0;
}

static int
alipay_refund_answer(const struct pay_conf *c, const struct pay_http *h,
    const char *no, const char *rno, int64_t fen, char *note, size_t sz)
{
	const char *obj;
	char v[96];
	size_t len;
	int64_t got;

	(void)rno;
	snprintf(note, sz, "HTTP %ld", h->status);
	if (h->answer == NULL || h->status != 200 ||
	    signed_object(c, h->answer, "\"alipay_trade_refund_response\":",
	    &obj, &len) == -1) {
		if (h->answer != NULL && h->status == 200)
			snprintf(note, sz, "signature");
		return -1;
	}
	if (json_str(obj, len, "code", v, sizeof(v)) == -1)
		return -1;
	if (strcmp(v, "10000") != 0) {
		if (json_str(obj, len, "sub_code", v, sizeof(v)) == -1)
			snprintf(v, sizeof(v), "code");
		snprintf(note, sz, "%s", v);
		return -1;
	}
	/* refund_fee: what the trade has had back in all, here the whole */
	if (json_str(obj, len, "out_trade_no", v, sizeof(v)) == -1 ||
	    strcmp(v, no) != 0 ||
	    json_str(obj, len, "refund_fee", v, sizeof(v)) == -1 ||
	    pay_amount_parse(v, &got) == -1 || got != fen) {
		snprintf(note, sz, "another trade or amount");
		return -1;
	}
	snprintf(note, sz, "refunded");
	return 1;
}
/* the day's bill (below) */
static int alipay_bill_call(const struct pay_conf *, const char *,
    struct pay_http *);
static int alipay_bill_answer(const struct pay_conf *, const struct pay_http *,
    char *, size_t, char[41]);
static int alipay_bill_get(const struct pay_conf *, const char *,
    struct pay_http *);
static int alipay_bill_parse(const char *, size_t,
    int (*)(void *, const struct pay_bill_line *), void *);

const struct pay_channel pay_alipay = {
	"alipay", alipay_order_url, alipay_verify, alipay_query, alipay_close,
	alipay_query_answer, "success", "fail",
	NULL, NULL,
	alipay_refund_call, alipay_refund_answer,
	.bill_call = alipay_bill_call, .bill_answer = alipay_bill_answer,
	.bill_get = alipay_bill_get, .bill_parse = alipay_bill_parse
};

/* B1 the day's bill: alipay.data.dataservice.bill.downloadurl.query
 * (bill_type trade) gives the address of the day's file, a CSV of the
 * trades and refunds (GBK, in a zip archive with the day's totals:
 * pay-bill.c unzips it, the parser below reads the CSV of the lines and
 * refuses the totals' CSV). */

static int
alipay_bill_call(const struct pay_conf *c, const char *day,
    struct pay_http *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->method, sizeof(h->method), "POST");
	snprintf(h->url, sizeof(h->url), "%s", c->gateway);
	return (h->body = alipay_bill(c, day)) == NULL ? -1 : 0;
}

static int
alipay_bill_answer(const struct pay_conf *c, const struct pay_http *h,
    char *url, size_t sz, char sha1[41])
{
	const char *obj;
	char v[64];
	size_t len;

	sha1[0] = '\0';	/* Alipay gives none: the answer's signature holds */
	if (h->status != 200 || h->answer == NULL || signed_object(c, h->answer,
	    "\"alipay_data_dataservice_bill_downloadurl_query_response\":",
	    &obj, &len) == -1 || json_str(obj, len, "code", v, sizeof(v)) == -1 ||
	    strcmp(v, "10000") != 0 ||
	    json_str(obj, len, "bill_download_url", url, sz) == -1 ||
	    (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0))
		return -1;	/* bill_not_exist too: not ready yet, asked again */
	return 0;
}

static int
alipay_bill_get(const struct pay_conf *c, const char *url, struct pay_http *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->method, sizeof(h->method), "GET");
	if (strlen(url) >= sizeof(h->url))
		return -1;
	snprintf(h->url, sizeof(h->url), "%s", url);
	return 0;
}

/* The column named NAME of the heading W, or -1. */
static int
bill_col(const struct csv_row *w, const char *name)
{
	for (int i = 0; i < w->nfields; i++)
		if (strcmp(w->field[i], name) == 0)
			return i;
	return -1;
}

/* S without the blanks and tabs around it into OUT: 0, or -1 too long. */
static int
bill_text(char *out, size_t sz, const char *s)
{
	size_t n;

	s += strspn(s, " \t");
	for (n = strlen(s); n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'); n--)
		;
	if (n >= sz)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int
alipay_bill_parse(const char *text, size_t len,
    int (*fn)(void *, const struct pay_bill_line *), void *arg)
{
	struct csv csv;
	int col[5], n = 0, head = 0;
	static const char *const names[5] = { "支付宝交易号", "商户订单号",
	    "业务类型", "订单金额（元）", "交易状态" };

	if (csv_parse(text, len, &csv) == -1)
		return -1;
	for (size_t i = 0; i < csv.nrows; i++) {
		const struct csv_row *w = &csv.row[i];
		struct pay_bill_line l;
		char type[32], amt[32];

		if (w->nfields == 0 || w->field[0][0] == '#' ||
		    (w->nfields == 1 && w->field[0][0] == '\0'))
			continue;	/* the comments above and below */
		if (!head) {
			for (int k = 0; k < 5; k++)
				col[k] = bill_col(w, names[k]);
			if (col[0] < 0 || col[1] < 0 || col[2] < 0 || col[3] < 0)
				goto bad;
			head = 1;
			continue;
		}
		memset(&l, 0, sizeof(l));
		for (int k = 0; k < 5; k++)
			if (col[k] >= w->nfields)
				goto bad;
		if (bill_text(l.trade_no, sizeof(l.trade_no), w->field[col[0]]) ||
		    bill_text(l.out_trade_no, sizeof(l.out_trade_no),
		    w->field[col[1]]) || bill_text(type, sizeof(type),
		    w->field[col[2]]) || bill_text(amt, sizeof(amt),
		    w->field[col[3]]) || (col[4] >= 0 && bill_text(l.state,
		    sizeof(l.state), w->field[col[4]])) ||
		    pay_amount_parse(amt + (amt[0] == '-'), &l.amount) == -1)
			goto bad;
		if (strcmp(type, "退款") == 0)
			l.refund = 1;
		else if (strcmp(type, "交易") != 0)
			continue;	/* no money of an order */
		if (fn(arg, &l) == -1)
			goto bad;
		n++;
	}
	csv_free(&csv);
	return head ? n : -1;
bad:
	csv_free(&csv);
	return -1;
}
