/* main.c - pay.fcgi: the payment gateways' notices (M3) at /m/pay/CHANNEL/notify, verified and credited under its own database account. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "pay.h"
#include "web.h"

/* Nobody signs in here: the gateways' notices are all it takes. */
struct session {
	int none;
};

static struct session nobody;
static struct pay_conf *alipay, *wechat;

/* The answer to a gateway: plain text, as its specification says. */
static void
answer(struct req *r, int status, const char *text)
{
	FCGX_FPrintF(r->out, "Status: %d\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\nContent-Length: %d\r\n\r\n%s", status,
	    (int)strlen(text), text);
	r->done = 1;
}

/* The body of a form POST of at most PAY_BODY_MAX bytes into a new
 * string (*LEN bytes), or NULL with the status to refuse with. */
static char *
body_read(struct req *r, const char *type, size_t *len, int *status)
{
	size_t tl = strlen(type);
	const char *ct = FCGX_GetParam("CONTENT_TYPE", r->envp);
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", r->envp);
	char *end, *buf;
	long n;

	*status = 400;
	if (!r->is_post) {
		*status = 405;
		return NULL;
	}
	if (ct == NULL || strncasecmp(ct, type, tl) != 0 ||
	    (ct[tl] != '\0' && ct[tl] != ';')) {
		*status = 415;
		return NULL;
	}
	if (cl == NULL || *cl == '\0')
		return NULL;
	errno = 0;
	n = strtol(cl, &end, 10);
	if (errno != 0 || *end != '\0' || n <= 0)
		return NULL;
	if (n > PAY_BODY_MAX) {
		*status = 413;
		return NULL;
	}
	if ((buf = malloc((size_t)n + 1)) == NULL) {
		*status = 500;
		return NULL;
	}
	if (FCGX_GetStr(buf, (int)n, r->in) != (int)n) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* POST /m/pay/alipay/notify: Alipay's asynchronous notice. */
static int
page_alipay_notify(struct req *r)
{
	const char *ans = pay_alipay.fail, *out;
	size_t len = 0;
	int status;
	char *body = body_read(r, "application/x-www-form-urlencoded", &len,
	    &status);

	if (body == NULL) {
		answer(r, status, pay_alipay.fail);
		return 0;
	}
	if (db_ping(r->db) == -1) {
		/* not taken: the gateway sends it again */
		answer(r, 503, pay_alipay.fail);
		free(body);
		return 0;
	}
	out = pay_notice_take(r->db, alipay, &pay_alipay, r->addr, body, len,
	    &ans);
	if (strcmp(out, PAY_CREDITED) != 0 && strcmp(out, PAY_DUPLICATE) != 0)
		log_warnx("alipay notice from %s: %s", r->addr, out);
	answer(r, 200, ans);
	free(body);
	return 0;
}

/* WeChat Pay's answer: 204 when taken, else a JSON error (its status
 * by the outcome) that makes it send the notice again. */
static void
wx_answer(struct req *r, int status, const char *code, const char *msg)
{
	if (status == 204) {
		FCGX_FPrintF(r->out, "Status: 204\r\nCache-Control: no-store\r\n\r\n");
		r->done = 1;
		return;
	}
	FCGX_FPrintF(r->out, "Status: %d\r\nContent-Type: application/json;"
	    " charset=utf-8\r\nCache-Control: no-store\r\n\r\n"
	    "{\"code\":\"%s\",\"message\":\"%s\"}", status, code, msg);
	r->done = 1;
}

/*
 * The notice kept as it came: the headers that sign it (Wechatpay-*), an
 * empty line, the body. A new string (*LEN bytes), or NULL.
 */
static char *
wx_envelope(struct req *r, const char *body, size_t blen, size_t *len)
{
	static const char *const h[][2] = {
	    { "Wechatpay-Timestamp", "HTTP_WECHATPAY_TIMESTAMP" },
	    { "Wechatpay-Nonce", "HTTP_WECHATPAY_NONCE" },
	    { "Wechatpay-Signature", "HTTP_WECHATPAY_SIGNATURE" },
	    { "Wechatpay-Serial", "HTTP_WECHATPAY_SERIAL" } };
	char *out, *o;
	size_t n = blen + 2;

	for (size_t i = 0; i < 4; i++) {
		const char *v = FCGX_GetParam(h[i][1], r->envp);

		n += strlen(h[i][0]) + 3 + (v ? strlen(v) : 0);
	}
	if ((out = o = malloc(n)) == NULL)
		return NULL;
	for (size_t i = 0; i < 4; i++) {
		const char *v = FCGX_GetParam(h[i][1], r->envp);

		/* a header holds no line break: none can add a line here */
		o += sprintf(o, "%s: %.*s\n", h[i][0], v ? (int)strcspn(v, "\r\n") :
		    0, v ? v : "");
	}
	*o++ = '\n';
	memcpy(o, body, blen);
	o[blen] = '\0';
	*len = (size_t)(o - out) + blen;
	return out;
}

/* POST /m/pay/wechat/notify: WeChat Pay's notice (API v3). */
static int
page_wechat_notify(struct req *r)
{
	const char *ans, *out;
	size_t len = 0, elen = 0;
	int status;
	char *body, *env;

	if (wechat == NULL) {
		wx_answer(r, 404, "NOT_FOUND", "not configured");
		return 0;
	}
	if ((body = body_read(r, "application/json", &len, &status)) == NULL) {
		wx_answer(r, status, "FAIL", "bad request");
		return 0;
	}
	env = wx_envelope(r, body, len, &elen);
	free(body);
	if (env == NULL || db_ping(r->db) == -1) {
		wx_answer(r, 503, "FAIL", "try again");
		free(env);
		return 0;
	}
	out = pay_notice_take(r->db, wechat, &pay_wechat, r->addr, env, elen,
	    &ans);
	free(env);
	if (ans == pay_wechat.ok)
		wx_answer(r, 204, "", "");
	else if (strcmp(out, PAY_BAD_SIGN) == 0)
		wx_answer(r, 401, "SIGN_ERROR", "signature");
	else if (strcmp(out, PAY_ERROR) == 0)
		wx_answer(r, 500, "FAIL", "try again");
	else
		wx_answer(r, 400, "FAIL", "refused");
	if (strcmp(out, PAY_CREDITED) != 0 && strcmp(out, PAY_DUPLICATE) != 0)
		log_warnx("wechat notice from %s: %s", r->addr, out);
	return 0;
}

static const struct route routes[] = {
	{ "/m/pay/alipay/notify", M_POST | M_RAW, R_PUBLIC, page_alipay_notify },
	{ "/m/pay/wechat/notify", M_POST | M_RAW, R_PUBLIC, page_wechat_notify },
};

static void
session(struct req *r)
{
	r->sess = &nobody;
}

static void
common(struct req *r)
{
}

static const struct site pay = {
	"pay", routes, sizeof(routes) / sizeof(routes[0]), "/", "/", "/",
	session, NULL, common, SETTINGS_TABLE
};

int
main(int argc, char **argv)
{
	const char *conf = getenv("PREPAID_CONF");
	struct config *cf;

	if (conf == NULL)
		conf = "/etc/prepaid/pay.conf";
	log_init("pay.fcgi", 0, 0);
	if ((cf = config_load(conf)) == NULL)
		fatal("%s", conf);
	/* the keys are read once, before the workers: a key file others may
	 * read, or a bad key, stops the program here */
	if ((alipay = pay_conf_load(cf, "alipay", PAY_GW_KEY)) == NULL)
		fatalx("alipay: %s", errno == ENOENT ? "not configured (alipay_app_id)" :
		    "its key cannot be used (see above)");
	/* WeChat Pay: the platform's public key and the APIv3 key */
	if ((wechat = pay_conf_load(cf, "wechat", PAY_GW_KEY | PAY_V3_KEY)) == NULL &&
	    errno != ENOENT)
		fatalx("wechat: its keys cannot be used (see above)");
	config_free(cf);
	return web_main(&pay, argc, argv);
}
