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
static struct pay_conf *alipay;

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
body_read(struct req *r, size_t *len, int *status)
{
	const char *ct = FCGX_GetParam("CONTENT_TYPE", r->envp);
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", r->envp);
	char *end, *buf;
	long n;

	*status = 400;
	if (!r->is_post) {
		*status = 405;
		return NULL;
	}
	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded",
	    33) != 0 || (ct[33] != '\0' && ct[33] != ';')) {
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
	char *body = body_read(r, &len, &status);

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

static const struct route routes[] = {
	{ "/m/pay/alipay/notify", M_POST | M_RAW, R_PUBLIC, page_alipay_notify },
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
	config_free(cf);
	return web_main(&pay, argc, argv);
}
