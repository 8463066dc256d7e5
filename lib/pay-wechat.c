/* pay-wechat.c - the WeChat Pay channel (API v3, H5): requests signed WECHATPAY2-SHA256-RSA2048 with the merchant's key, answers and notices verified with the platform's key, a notice's resource decrypted with AEAD_AES_256_GCM and the APIv3 key; a small strict JSON reader. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "crypto.h"
#include "csvimp.h"
#include "pay.h"

#define JSON_DEPTH 16	/* objects and arrays in one another */
#define WX_SKEW 300	/* a message's timestamp: at most 5 minutes off */
#define WX_CIPHER_MAX (12 * 1024)	/* a resource's ciphertext, base64 */

/* A JSON value: its first byte up to past its last. */
struct jv {
	const char *p, *e;
};

static const char *
jws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the string starting at P ('"'), or NULL when it is no string. */
static const char *
jstr_end(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c != '\\')
			continue;
		if (++p >= e)
			return NULL;
		if (*p == 'u') {
			for (int i = 1; i <= 4; i++)
				if (p + i >= e || !isxdigit((unsigned char)p[i]))
					return NULL;
			p += 4;
		} else if (*p == '\0' || strchr("\"\\/bfnrt", *p) == NULL)
			return NULL;
	}
	return NULL;
}

static const char *
jnum_end(const char *p, const char *e)
{
	const char *d;

	if (p < e && *p == '-')
		p++;
	for (d = p; p < e && isdigit((unsigned char)*p); p++)
		;
	if (p == d)
		return NULL;
	if (p < e && *p == '.') {
		for (d = ++p; p < e && isdigit((unsigned char)*p); p++)
			;
		if (p == d)
			return NULL;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		if (++p < e && (*p == '+' || *p == '-'))
			p++;
		for (d = p; p < e && isdigit((unsigned char)*p); p++)
			;
		if (p == d)
			return NULL;
	}
	return p;
}

/* Past the value at P (after white space), or NULL when it is not one. */
static const char *
jskip(const char *p, const char *e, int depth)
{
	static const char *const lit[] = { "true", "false", "null" };
	char close;
	int obj;

	if ((p = jws(p, e)) >= e || depth > JSON_DEPTH)
		return NULL;
	if (*p == '"')
		return jstr_end(p, e);
	if (*p != '{' && *p != '[') {
		for (size_t i = 0; i < 3; i++) {
			size_t n = strlen(lit[i]);

			if ((size_t)(e - p) >= n && memcmp(p, lit[i], n) == 0)
				return p + n;
		}
		return jnum_end(p, e);
	}
	obj = *p == '{';
	close = obj ? '}' : ']';
	if ((p = jws(p + 1, e)) < e && *p == close)
		return p + 1;
	for (;;) {
		if (obj) {
			if ((p = jws(p, e)) >= e || *p != '"' ||
			    (p = jstr_end(p, e)) == NULL ||
			    (p = jws(p, e)) >= e || *p != ':')
				return NULL;
			p++;
		}
		if ((p = jskip(p, e, depth + 1)) == NULL || (p = jws(p, e)) >= e)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

/* TEXT (LEN bytes) as one JSON object into *ROOT: 0, or -1. */
static int
jdoc(const char *text, size_t len, struct jv *root)
{
	const char *e = text + len, *p = jws(text, e), *end;

	if (p >= e || *p != '{' || (end = jskip(p, e, 0)) == NULL ||
	    jws(end, e) != e)
		return -1;
	root->p = p;
	root->e = end;
	return 0;
}

/* The member KEY of the object V (checked by jdoc) into *OUT: 1, 0 when
 * there is none, -1 when V is no object or holds KEY twice. */
static int
jmember(struct jv v, const char *key, size_t kl, struct jv *out)
{
	const char *p = jws(v.p, v.e), *k;
	int found = 0;

	if (p >= v.e || *p != '{')
		return -1;
	if ((p = jws(p + 1, v.e)) < v.e && *p == '}')
		return 0;
	while (p < v.e && *p == '"') {
		const char *vs, *ve;

		k = p;
		if ((p = jstr_end(p, v.e)) == NULL || (p = jws(p, v.e)) >= v.e ||
		    *p != ':')
			return -1;
		vs = jws(p + 1, v.e);
		if ((ve = jskip(vs, v.e, 0)) == NULL)
			return -1;
		if ((size_t)(p - k) >= kl + 2 && k[kl + 1] == '"' &&
		    memcmp(k + 1, key, kl) == 0 && jws(k + kl + 2, p) == p) {
			if (found++)
				return -1;	/* a key twice */
			out->p = vs;
			out->e = ve;
		}
		if ((p = jws(ve, v.e)) >= v.e || *p == '}')
			break;
		if (*p != ',')
			return -1;
		p = jws(p + 1, v.e);
	}
	return found;
}

/* The value at PATH ("amount.total") under V: 1, 0 none, -1 bad. */
static int
jpath(struct jv v, const char *path, struct jv *out)
{
	const char *dot;
	int rc;

	while ((dot = strchr(path, '.')) != NULL) {
		if ((rc = jmember(v, path, (size_t)(dot - path), &v)) != 1)
			return rc;
		path = dot + 1;
	}
	return jmember(v, path, strlen(path), out);
}

/* One UTF-8 character of the code point C onto O; its length, 0 for none. */
static size_t
utf8(unsigned c, char *o)
{
	if (c == 0 || (c >= 0xd800 && c <= 0xdfff))
		return 0;	/* NUL, or half a surrogate pair: refused */
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	o[0] = (char)(0xe0 | c >> 12);
	o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[2] = (char)(0x80 | (c & 0x3f));
	return 3;
}

/* The string at PATH under V, unescaped into OUT (SZ bytes): 0, or -1
 * when it is missing, no string, or too long. */
static int
jtext(struct jv v, const char *path, char *out, size_t sz)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	struct jv s;
	size_t o = 0;

	if (jpath(v, path, &s) != 1 || *s.p != '"')
		return -1;
	for (const char *p = s.p + 1; p < s.e - 1; p++) {
		char u[4];
		size_t n = 1;

		u[0] = *p;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				char hex[5] = { p[1], p[2], p[3], p[4], '\0' };

				n = utf8((unsigned)strtoul(hex, NULL, 16), u);
				p += 4;
				if (n == 0)
					return -1;
			} else
				u[0] = strchr(esc, *p)[1];
		}
		if (o + n >= sz)
			return -1;
		memcpy(out + o, u, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

/* The whole number (no sign, fraction or exponent) at PATH: 0, or -1. */
static int
jint(struct jv v, const char *path, int64_t *out)
{
	struct jv n;
	int64_t x = 0;

	if (jpath(v, path, &n) != 1 || n.e - n.p > 15 || n.e == n.p)
		return -1;
	for (const char *p = n.p; p < n.e; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		x = x * 10 + (*p - '0');
	}
	*out = x;
	return 0;
}

/* A message as a gateway's HTTP answer or notice: the headers that sign
 * it and the body. */
struct wxmsg {
	char ts[16], nonce[65], sig[700], serial[65], status[8];
	const char *body;
	size_t blen;
};

/* Header VALUE (N bytes) into OUT: 0, or -1 when it does not fit. */
static int
hdr_copy(char *out, size_t sz, const char *v, size_t n)
{
	if (n >= sz)
		return -1;
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

/* TEXT: "Name: value" lines, an empty line, the body; 0 or -1. */
static int
envelope(const char *t, size_t len, struct wxmsg *m)
{
	static const char *const names[] = { "Wechatpay-Timestamp",
	    "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial",
	    "Status" };
	const char *p = t, *e = t + len;

	memset(m, 0, sizeof(*m));
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p)), *colon, *v, *ve;
		char *dst[] = { m->ts, m->nonce, m->sig, m->serial, m->status };
		size_t sz[] = { sizeof(m->ts), sizeof(m->nonce), sizeof(m->sig),
		    sizeof(m->serial), sizeof(m->status) };

		if (nl == NULL)
			return -1;
		if (nl == p) {
			m->body = nl + 1;
			m->blen = (size_t)(e - nl - 1);
			return 0;
		}
		if ((colon = memchr(p, ':', (size_t)(nl - p))) == NULL)
			return -1;
		for (v = colon + 1; v < nl && *v == ' '; v++)
			;
		for (ve = nl; ve > v && (ve[-1] == '\r' || ve[-1] == ' '); ve--)
			;
		for (size_t i = 0; i < 5; i++)
			if (strlen(names[i]) == (size_t)(colon - p) &&
			    strncasecmp(p, names[i], (size_t)(colon - p)) == 0 &&
			    hdr_copy(dst[i], sz[i], v, (size_t)(ve - v)) == -1)
				return -1;
		p = nl + 1;
	}
	return -1;
}

/* Base64 B64 decoded into a new buffer (*N bytes), or NULL. */
static unsigned char *
unbase64(const char *b64, size_t len, size_t *n)
{
	unsigned char *out;
	int got;

	if (len == 0 || len % 4 != 0 || len > WX_CIPHER_MAX ||
	    (out = malloc(len)) == NULL)
		return NULL;
	if ((got = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)len)) < 0) {
		free(out);
		return NULL;
	}
	*n = (size_t)got - (b64[len - 1] == '=') - (b64[len - 2] == '=');
	return out;
}

/*
 * The message TEXT opened: its envelope split, its timestamp within
 * WX_SKEW of NOW, its signature over "timestamp\nnonce\nbody\n" by KEY.
 * NULL when it holds, else the outcome with WHY (SZ bytes).
 */
static const char *
wx_open(struct evp_pkey_st *key, const char *text, size_t len, long now,
    struct wxmsg *m, char *why, size_t sz)
{
	char *signed_text;
	long ts;
	int ok;

	if (envelope(text, len, m) == -1) {
		snprintf(why, sz, "headers");
		return PAY_MALFORMED;
	}
	if (m->ts[0] == '\0' || m->nonce[0] == '\0' || m->sig[0] == '\0' ||
	    strspn(m->ts, "0123456789") != strlen(m->ts) || strlen(m->ts) > 12) {
		snprintf(why, sz, "no signature");
		return PAY_BAD_SIGN;
	}
	ts = strtol(m->ts, NULL, 10);
	if (ts < now - WX_SKEW || ts > now + WX_SKEW) {
		snprintf(why, sz, "timestamp %ld s off", ts - now);
		return PAY_BAD_SIGN;
	}
	if (asprintf(&signed_text, "%s\n%s\n%.*s\n", m->ts, m->nonce,
	    (int)m->blen, m->body) == -1)
		return PAY_ERROR;
	ok = pay_rsa_verify(key, signed_text, strlen(m->ts) + strlen(m->nonce) +
	    m->blen + 3, m->sig);
	free(signed_text);
	if (!ok) {
		snprintf(why, sz, "signature");
		return PAY_BAD_SIGN;
	}
	return NULL;
}

/* The resource's CT (base64, the tag its last 16 bytes) decrypted with
 * AEAD_AES_256_GCM: a new string (*N bytes), or NULL (the tag failed). */
static char *
gcm_open(const unsigned char *key, const char *ct, const char *nonce,
    const char *ad, size_t *n)
{
	unsigned char *raw;
	char *out = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	size_t rn = 0;
	int l1 = 0, l2 = 0;

	if ((raw = unbase64(ct, strlen(ct), &rn)) == NULL || rn < 16 ||
	    strlen(nonce) == 0 || (out = malloc(rn)) == NULL ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto bad;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)strlen(nonce),
	    NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key, (const unsigned char *)nonce) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &l1, (const unsigned char *)ad,
	    (int)strlen(ad)) != 1 ||
	    EVP_DecryptUpdate(ctx, (unsigned char *)out, &l1, raw,
	    (int)(rn - 16)) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, raw + rn - 16) != 1 ||
	    EVP_DecryptFinal_ex(ctx, (unsigned char *)out + l1, &l2) != 1)
		goto bad;
	EVP_CIPHER_CTX_free(ctx);
	free(raw);
	out[l1 + l2] = '\0';	/* rn - 16 + 1 <= rn bytes */
	*n = (size_t)(l1 + l2);
	return out;
bad:
	EVP_CIPHER_CTX_free(ctx);
	free(raw);
	free(out);
	return NULL;
}

/* A transaction (a notice's plaintext or a query's answer) into N after
 * its app and merchant are checked: NULL, or the outcome. */
static const char *
transaction(const struct pay_conf *c, struct jv t, struct pay_notice *n)
{
	char v[65];

	if (jtext(t, "appid", v, sizeof(v)) == -1 || strcmp(v, c->app_id) != 0)
		return PAY_BAD_APP;
	if (jtext(t, "mchid", v, sizeof(v)) == -1 || strcmp(v, c->seller_id) != 0)
		return PAY_BAD_SELLER;
	if (jtext(t, "out_trade_no", n->out_trade_no, sizeof(n->out_trade_no)) == -1 ||
	    jtext(t, "trade_state", v, sizeof(v)) == -1)
		return PAY_MALFORMED;
	n->paid = strcmp(v, "SUCCESS") == 0;
	if (jint(t, "amount.total", &n->amount) == -1) {
		if (n->paid)
			return PAY_MALFORMED;
		n->amount = 0;
	}
	if (jtext(t, "transaction_id", n->trade_no, sizeof(n->trade_no)) == -1)
		n->trade_no[0] = '\0';
	if (jtext(t, "payer.openid", n->buyer, sizeof(n->buyer)) == -1)
		n->buyer[0] = '\0';
	return NULL;
}

const char *
pay_wechat_notice(const struct pay_conf *c, const char *body, size_t len,
    struct pay_notice *n)
{
	struct jv doc, r, t;
	char alg[32], nonce[64], ad[256], *ct, *plain;
	const char *out;
	size_t pn = 0;

	if (jdoc(body, len, &doc) == -1 || jpath(doc, "resource", &r) != 1 ||
	    jtext(r, "algorithm", alg, sizeof(alg)) == -1 ||
	    jtext(r, "nonce", nonce, sizeof(nonce)) == -1) {
		snprintf(n->note, sizeof(n->note), "not a notice");
		return PAY_MALFORMED;
	}
	if (jtext(r, "associated_data", ad, sizeof(ad)) == -1)
		ad[0] = '\0';
	if (strcmp(alg, "AEAD_AES_256_GCM") != 0 || !c->has_v3key ||
	    (ct = malloc(WX_CIPHER_MAX + 1)) == NULL)
		return PAY_MALFORMED;
	plain = jtext(r, "ciphertext", ct, WX_CIPHER_MAX + 1) == -1 ? NULL :
	    gcm_open(c->v3key, ct, nonce, ad, &pn);
	free(ct);
	if (plain == NULL) {
		snprintf(n->note, sizeof(n->note), "ciphertext (tag)");
		return PAY_BAD_SIGN;
	}
	n->verified = 1;
	if (jdoc(plain, pn, &t) == -1)
		out = PAY_MALFORMED;
	else
		out = transaction(c, t, n);
	if (out != NULL && n->note[0] == '\0')
		snprintf(n->note, sizeof(n->note), "%s", strcmp(out, PAY_BAD_APP)
		    == 0 ? "appid" : strcmp(out, PAY_BAD_SELLER) == 0 ? "mchid" :
		    "transaction");
	free(plain);
	return out;
}

static const char *
wechat_verify(const struct pay_conf *c, const char *text, size_t len,
    struct pay_notice *n)
{
	struct wxmsg m;
	const char *out;

	if (len > PAY_BODY_MAX)
		return PAY_MALFORMED;
	if ((out = wx_open(c->gw_key, text, len, (long)time(NULL), &m, n->note,
	    sizeof(n->note))) != NULL)
		return out;
	return pay_wechat_notice(c, m.body, m.blen, n);
}

/* H's Authorization: its method, the address's path and query, a
 * timestamp, a nonce and its body signed with the merchant's key. */
static int
wx_authorize(const struct pay_conf *c, struct pay_http *h)
{
	const char *path = strstr(h->url, "://");
	char nonce[33], *msg, *sig;
	long long ts = (long long)time(NULL);
	int rc;

	path = path ? strchr(path + 3, '/') : NULL;
	if (path == NULL || crypto_random_hex(16, nonce) == -1 ||
	    asprintf(&msg, "%s\n%s\n%lld\n%s\n%s\n", h->method, path, ts, nonce,
	    h->body ? h->body : "") == -1)
		return -1;
	sig = pay_rsa_sign(c->app_key, msg);
	free(msg);
	if (sig == NULL)
		return -1;
	rc = asprintf(&h->auth, "WECHATPAY2-SHA256-RSA2048 mchid=\"%s\","
	    "nonce_str=\"%s\",signature=\"%s\",timestamp=\"%lld\",serial_no=\"%s\"",
	    c->seller_id, nonce, sig, ts, c->serial);
	free(sig);
	if (rc == -1) {
		h->auth = NULL;
		return -1;
	}
	return 0;
}

/* S as a JSON string's content (quotes, backslashes, controls escaped). */
static void
json_esc(char *out, size_t sz, const char *s)
{
	size_t o = 0;

	for (; *s && o + 7 < sz; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			o += (size_t)snprintf(out + o, sz - o, "\\%c", ch);
		else if (ch < 0x20)
			o += (size_t)snprintf(out + o, sz - o, "\\u%04x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
}

static int
wechat_call(const struct pay_conf *c, int what, const struct pay_order *o,
    struct pay_http *h)
{
	const char *no = o->out_trade_no;
	char subj[192], ip[64];
	int rc = 0;

	memset(h, 0, sizeof(*h));
	/* an order number goes into the address: letters, digits, _ - only */
	if (no == NULL || *no == '\0' || strlen(no) > 32 ||
	    strspn(no, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-")
	    != strlen(no)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(h->method, sizeof(h->method), "%s", what == PAY_CALL_QUERY ?
	    "GET" : "POST");
	if (what == PAY_CALL_ORDER) {
		json_esc(subj, sizeof(subj), o->subject ? o->subject : "");
		json_esc(ip, sizeof(ip), o->client_ip ? o->client_ip : "127.0.0.1");
		snprintf(h->url, sizeof(h->url), "%s/v3/pay/transactions/h5",
		    c->gateway);
		rc = asprintf(&h->body, "{\"appid\":\"%s\",\"mchid\":\"%s\","
		    "\"description\":\"%s\",\"out_trade_no\":\"%s\",\"notify_url\":"
		    "\"%s\",\"amount\":{\"total\":%lld,\"currency\":\"CNY\"},"
		    "\"scene_info\":{\"payer_client_ip\":\"%s\",\"h5_info\":"
		    "{\"type\":\"Wap\"}}}", c->app_id, c->seller_id, subj, no,
		    c->notify_url, (long long)o->amount, ip);
	} else if (what == PAY_CALL_QUERY)
		snprintf(h->url, sizeof(h->url), "%s/v3/pay/transactions/"
		    "out-trade-no/%s?mchid=%s", c->gateway, no, c->seller_id);
	else {
		snprintf(h->url, sizeof(h->url), "%s/v3/pay/transactions/"
		    "out-trade-no/%s/close", c->gateway, no);
		rc = asprintf(&h->body, "{\"mchid\":\"%s\"}", c->seller_id);
	}
	if (rc == -1) {
		h->body = NULL;
		return -1;
	}
	return wx_authorize(c, h);
}

static int
wechat_answer(const struct pay_conf *c, int what, const struct pay_http *h,
    struct pay_notice *n, char *url, size_t sz)
{
	struct wxmsg m;
	struct jv doc;
	char why[64], v[64];

	if (h->answer == NULL || wx_open(c->gw_key, h->answer, strlen(h->answer),
	    (long)time(NULL), &m, why, sizeof(why)) != NULL)
		return -1;
	if (n != NULL)
		n->verified = 1;
	if (what == PAY_CALL_CLOSE)
		return h->status == 204 ? 0 : -1;
	if (m.blen == 0 || jdoc(m.body, m.blen, &doc) == -1)
		return -1;
	if (what == PAY_CALL_ORDER) {
		if (h->status != 200 || jtext(doc, "h5_url", url, sz) == -1 ||
		    (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0))
			return -1;
		return 0;
	}
	if (h->status == 404)
		return jtext(doc, "code", v, sizeof(v)) == 0 &&
		    strcmp(v, "ORDER_NOT_EXIST") == 0 ? 2 : -1;
	if (h->status != 200 || n == NULL || transaction(c, doc, n) != NULL)
		return -1;
	return n->paid;
}

/* The form calls of Alipay's kind are not WeChat Pay's: none. */
static char *
wechat_none(const struct pay_conf *c, const char *no)
{
	errno = ENOTSUP;
	return NULL;
}

static int
wechat_no_answer(const struct pay_conf *c, const char *body,
    struct pay_notice *n)
{
	return -1;
}

/* A number that goes into an address: letters, digits, _ - only. */
static int
wx_no_ok(const char *no)
{
	return no != NULL && *no != '\0' && strlen(no) <= 64 &&
	    strspn(no, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-") == strlen(no);
}

/* Refunds: POST /v3/refund/domestic/refunds with out_refund_no (the
 * gateway's key of one refund), then GET .../refunds/{out_refund_no}
 * while it is PROCESSING. */
static int
wechat_refund_call(const struct pay_conf *c, int query,
    const struct pay_order *o, const char *rno, int64_t fen,
    struct pay_http *h)
{
	memset(h, 0, sizeof(*h));
	if (!wx_no_ok(o->out_trade_no) || !wx_no_ok(rno) || fen <= 0 ||
	    fen > o->amount) {
		errno = EINVAL;
		return -1;
	}
	if (query) {
		snprintf(h->method, sizeof(h->method), "GET");
		snprintf(h->url, sizeof(h->url), "%s/v3/refund/domestic/refunds/%s",
		    c->gateway, rno);
	} else {
		snprintf(h->method, sizeof(h->method), "POST");
		snprintf(h->url, sizeof(h->url), "%s/v3/refund/domestic/refunds",
		    c->gateway);
		if (asprintf(&h->body, "{\"out_trade_no\":\"%s\",\"out_refund_no\":"
		    "\"%s\",\"amount\":{\"refund\":%lld,\"total\":%lld,"
		    "\"currency\":\"CNY\"}}", o->out_trade_no, rno, (long long)fen,
		    (long long)o->amount) == -1) {
			h->body = NULL;
			return -1;
		}
	}
	return wx_authorize(c, h);
}

static int
wechat_refund_answer(const struct pay_conf *c, const struct pay_http *h,
    const char *no, const char *rno, int64_t fen, char *note, size_t sz)
{
	struct wxmsg m;
	struct jv doc;
	char why[64], v[72];
	int64_t got;

	snprintf(note, sz, "HTTP %ld", h->status);
	if (h->answer == NULL || wx_open(c->gw_key, h->answer,
	    strlen(h->answer), (long)time(NULL), &m, why, sizeof(why)) != NULL) {
		if (h->answer != NULL)
			snprintf(note, sz, "%s", why);
		return -1;
	}
	if (m.blen == 0 || jdoc(m.body, m.blen, &doc) == -1)
		return -1;
	if (h->status != 200) {
		if (jtext(doc, "code", v, sizeof(v)) == 0)
			snprintf(note, sz, "%s", v);
		return -1;
	}
	if (jtext(doc, "out_refund_no", v, sizeof(v)) == -1 || strcmp(v, rno) != 0 ||
	    jtext(doc, "out_trade_no", v, sizeof(v)) == -1 || strcmp(v, no) != 0 ||
	    jint(doc, "amount.refund", &got) == -1 || got != fen ||
	    jtext(doc, "status", v, sizeof(v)) == -1) {
		snprintf(note, sz, "another refund, trade or amount");
		return -1;
	}
	snprintf(note, sz, "%s", v);
	if (strcmp(v, "SUCCESS") == 0)
		return 1;
	return strcmp(v, "PROCESSING") == 0 ? 0 : -1;
}
/* the day's bill (below) */
static int wechat_bill_call(const struct pay_conf *, const char *,
    struct pay_http *);
static int wechat_bill_answer(const struct pay_conf *, const struct pay_http *,
    char *, size_t, char[41]);
static int wechat_bill_get(const struct pay_conf *, const char *,
    struct pay_http *);
static int wechat_bill_parse(const char *, size_t,
    int (*)(void *, const struct pay_bill_line *), void *);

const struct pay_channel pay_wechat = {
	"wechat", NULL, wechat_verify, wechat_none, wechat_none,
	wechat_no_answer, "",
	"{\"code\":\"FAIL\",\"message\":\"失败\"}", wechat_call, wechat_answer,
	wechat_refund_call, wechat_refund_answer,
	.bill_call = wechat_bill_call, .bill_answer = wechat_bill_answer,
	.bill_get = wechat_bill_get, .bill_parse = wechat_bill_parse
};

/* B1 the day's bill: GET /v3/bill/tradebill (bill_type ALL) answers,
 * signed, the file's address and its SHA-1; the file (its request signed,
 * its answer not) is a CSV whose values start with a backtick, the day's
 * totals after the lines. */

static int
wechat_bill_call(const struct pay_conf *c, const char *day,
    struct pay_http *h)
{
	memset(h, 0, sizeof(*h));
	if (strlen(day) != 10 || strspn(day, "0123456789-") != 10) {
		errno = EINVAL;
		return -1;
	}
	snprintf(h->method, sizeof(h->method), "GET");
	snprintf(h->url, sizeof(h->url), "%s/v3/bill/tradebill?bill_date=%s"
	    "&bill_type=ALL", c->gateway, day);
	return wx_authorize(c, h);
}

static int
wechat_bill_answer(const struct pay_conf *c, const struct pay_http *h,
    char *url, size_t sz, char sha1[41])
{
	struct wxmsg m;
	struct jv doc;
	char why[64], v[64];

	sha1[0] = '\0';
	if (h->answer == NULL || wx_open(c->gw_key, h->answer, strlen(h->answer),
	    (long)time(NULL), &m, why, sizeof(why)) != NULL ||
	    m.blen == 0 || jdoc(m.body, m.blen, &doc) == -1)
		return -1;
	if (h->status != 200)	/* no trades that day: no bill */
		return jtext(doc, "code", v, sizeof(v)) == 0 &&
		    strcmp(v, "NO_STATEMENT_EXIST") == 0 ? 1 : -1;
	if (jtext(doc, "hash_type", v, sizeof(v)) == -1 ||
	    strcmp(v, "SHA1") != 0 ||
	    jtext(doc, "hash_value", sha1, 41) == -1 || strlen(sha1) != 40 ||
	    strspn(sha1, "0123456789abcdefABCDEF") != 40 ||
	    jtext(doc, "download_url", url, sz) == -1 ||
	    (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0))
		return -1;
	return 0;
}

static int
wechat_bill_get(const struct pay_conf *c, const char *url, struct pay_http *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->method, sizeof(h->method), "GET");
	if (strlen(url) >= sizeof(h->url))
		return -1;
	snprintf(h->url, sizeof(h->url), "%s", url);
	return wx_authorize(c, h);
}

/* The value S of the bill without its backtick and blanks into OUT. */
static int
bill_value(char *out, size_t sz, const char *s)
{
	size_t n;

	s += strspn(s, " \t");
	if (*s == '`')
		s++;
	for (n = strlen(s); n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'); n--)
		;
	if (n >= sz)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
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

/* Row W of the bill into L with the columns COL: 1 a trade or refund, 0
 * none (a revoked or closed trade), -1 malformed. */
static int
bill_row(const struct csv_row *w, const int *col, struct pay_bill_line *l)
{
	char amt[32], ramt[32];

	memset(l, 0, sizeof(*l));
	for (int k = 0; k < 5; k++)
		if (col[k] >= w->nfields)
			return -1;
	if (bill_value(l->trade_no, sizeof(l->trade_no), w->field[col[0]]) ||
	    bill_value(l->out_trade_no, sizeof(l->out_trade_no),
	    w->field[col[1]]) || bill_value(l->state, sizeof(l->state),
	    w->field[col[2]]) || bill_value(amt, sizeof(amt), w->field[col[3]]) ||
	    bill_value(ramt, sizeof(ramt), w->field[col[4]]))
		return -1;
	if (strcmp(l->state, "REFUND") == 0) {
		l->refund = 1;
		return pay_amount_parse(ramt, &l->amount) == -1 ? -1 : 1;
	}
	if (strcmp(l->state, "SUCCESS") != 0)
		return 0;
	return pay_amount_parse(amt, &l->amount) == -1 ? -1 : 1;
}

static int
wechat_bill_parse(const char *text, size_t len,
    int (*fn)(void *, const struct pay_bill_line *), void *arg)
{
	static const char *const names[5] = { "微信订单号", "商户订单号",
	    "交易状态", "订单金额", "申请退款金额" };
	struct csv csv;
	int col[5], n = 0, head = 0, rc;

	if (csv_parse(text, len, &csv) == -1)
		return -1;
	for (size_t i = 0; i < csv.nrows; i++) {
		const struct csv_row *w = &csv.row[i];
		struct pay_bill_line l;

		if (w->nfields == 0 || (w->nfields == 1 && w->field[0][0] == '\0'))
			continue;
		if (!head) {
			for (int k = 0; k < 5; k++)
				col[k] = bill_col(w, names[k]);
			if (col[3] < 0)	/* the older heading */
				col[3] = bill_col(w, "应结订单金额");
			if (col[4] < 0)
				col[4] = bill_col(w, "退款金额");
			for (int k = 0; k < 5; k++)
				if (col[k] < 0)
					goto bad;
			head = 1;
			continue;
		}
		if (strcmp(w->field[0], "总交易单数") == 0)
			break;	/* the day's totals */
		if ((rc = bill_row(w, col, &l)) == -1)
			goto bad;
		if (rc == 1 && fn(arg, &l) == -1)
			goto bad;
		n += rc;
	}
	csv_free(&csv);
	return head ? n : -1;
bad:
	csv_free(&csv);
	return -1;
}
