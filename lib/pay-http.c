/* pay-http.c - the calls to a REST payment gateway over HTTPS (libcurl, with timeouts), their answers kept with the headers that sign them; linked into the programs that call a gateway. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "log.h"
#include "pay.h"

#define ANSWER_MAX (64 * 1024)

struct buf {
	char *p;
	size_t n, max;
};

static int
buf_add(struct buf *b, const char *data, size_t n)
{
	char *p;

	if (b->n + n > b->max || (p = realloc(b->p, b->n + n + 1)) == NULL)
		return -1;
	memcpy(p + b->n, data, n);
	b->p = p;
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	return buf_add(arg, data, size * nmemb) == -1 ? 0 : size * nmemb;
}

/* The headers that sign an answer (Wechatpay-*) kept, the others not. */
static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	size_t n = size * nmemb;

	if (n > 10 && strncasecmp(data, "Wechatpay-", 10) == 0 &&
	    buf_add(arg, data, n) == -1)
		return 0;
	return n;
}

int
pay_http_get(struct pay_http *h, long connect_ms, long total_ms, size_t max,
    char **file, size_t *len, char *why, size_t wsz)
{
	struct buf hd = { NULL, 0, ANSWER_MAX }, body = { NULL, 0, max };
	struct curl_slist *hl = NULL;
	CURL *curl = curl_easy_init();
	char auth[2048], st[32];
	CURLcode rc;
	int ret = -1;

	if (curl == NULL)
		return -1;
	snprintf(auth, sizeof(auth), "Authorization: %s", h->auth ? h->auth : "");
	hl = curl_slist_append(hl, file ? "Accept: application/json, text/csv" :
	    "Accept: application/json");
	/* a body that is no JSON object is a form (Alipay's requests) */
	hl = curl_slist_append(hl, h->body && h->body[0] != '{' && h->body[0] ?
	    "Content-Type: application/x-www-form-urlencoded; charset=utf-8" :
	    "Content-Type: application/json");
	hl = curl_slist_append(hl, "User-Agent: prepaid");
	if (h->auth)
		hl = curl_slist_append(hl, auth);
	curl_easy_setopt(curl, CURLOPT_URL, h->url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
	if (strcmp(h->method, "POST") == 0)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, h->body ? h->body : "");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &hd);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, total_ms);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
	if ((rc = curl_easy_perform(curl)) != CURLE_OK) {
		if (why != NULL)
			snprintf(why, wsz, "%s", curl_easy_strerror(rc));
		log_warnx("%s %s: %s", h->method, h->url, curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &h->status);
	if (file != NULL) {
		*file = body.p ? body.p : strdup("");
		*len = body.n;
		body.p = NULL;
		ret = *file ? 0 : -1;
		goto out;
	}
	snprintf(st, sizeof(st), "Status: %ld\n", h->status);
	free(h->answer);
	if ((h->answer = malloc(strlen(st) + hd.n + body.n + 2)) != NULL) {
		/* the headers as received end in CRLF: the envelope takes
		 * them as they are */
		sprintf(h->answer, "%s%s\n%s", st, hd.p ? hd.p : "",
		    body.p ? body.p : "");
		ret = 0;
	}
out:
	free(hd.p);
	free(body.p);
	curl_slist_free_all(hl);
	curl_easy_cleanup(curl);
	return ret;
}

int
pay_http(struct pay_http *h, long connect_ms, long total_ms)
{
	return pay_http_get(h, connect_ms, total_ms, ANSWER_MAX, NULL, NULL,
	    NULL, 0);
}

char *
pay_order_go(const struct pay_conf *c, const struct pay_channel *ch,
    const struct pay_order *o, long total_ms)
{
	struct pay_http h;
	char url[1024];
	char *out = NULL;

	if (ch->order_url != NULL)
		return ch->order_url(c, o);
	if (ch->call(c, PAY_CALL_ORDER, o, &h) == -1)
		return NULL;
	if (pay_http(&h, total_ms < 2000 ? total_ms : 2000, total_ms) == 0 &&
	    ch->answer(c, PAY_CALL_ORDER, &h, NULL, url, sizeof(url)) == 0)
		out = strdup(url);
	else
		log_warnx("%s order %s: no payment address from the gateway"
		    " (HTTP %ld)", ch->name, o->out_trade_no, h.status);
	pay_http_free(&h);
	return out;
}
