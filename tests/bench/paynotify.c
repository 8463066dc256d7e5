/* paynotify.c - make bench's pay_notify: signed Alipay notices for distinct orders made beforehand, and the limit: the same verification and credit (pay_notice_take) in a loop on N connections. */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "pay.h"

/*
 * Usage: paynotify gen KEY APP_ID SELLER_ID COUNT ACCOUNT:METER,... SQL BODIES
 *   COUNT orders of 0.01 yuan on the accounts in turn: their rows as
 *   INSERT statements into SQL (for the database's root), and each one's
 *   TRADE_SUCCESS notice as Alipay sends it, signed with the gateway's
 *   private key KEY (PEM; the sandbox's), one urlencoded body a line into
 *   BODIES.
 * Usage: paynotify run CONFIG THREADS SECONDS BODIES
 *   the notices of BODIES, each once, through pay_notice_take (the
 *   verification and the transaction pay.fcgi runs) on THREADS connections
 *   of the pay account, for at most SECONDS; prints "RPS P50_MS P99_MS
 *   DONE NOT_CREDITED".
 */

#define FEN 1

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* S form-encoded onto O (space as %20, as Python's urlencode quotes it
 * with quote_via=quote). */
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

struct kv {
	const char *k;
	char v[128];
};

/* One order's notice: its parameters sorted by name (the signed string's
 * order), signed, encoded into OUT. 0 or -1. */
static int
notice(EVP_PKEY *key, const char *app, const char *seller, const char *no,
    long i, char *out, size_t sz)
{
	struct kv p[] = {
	    { "app_id", "" }, { "buyer_id", "2088102177846880" },
	    { "buyer_pay_amount", "" }, { "charset", "utf-8" },
	    { "gmt_create", "2026-12-01 12:00:00" },
	    { "gmt_payment", "2026-12-01 12:00:30" }, { "notify_id", "" },
	    { "notify_time", "2026-12-01 12:00:31" },
	    { "notify_type", "trade_status_sync" }, { "out_trade_no", "" },
	    { "receipt_amount", "" }, { "seller_id", "" },
	    { "subject", "电费充值" }, { "total_amount", "" },
	    { "trade_no", "" }, { "trade_status", "TRADE_SUCCESS" },
	    { "version", "1.0" } };
	size_t n = sizeof(p) / sizeof(p[0]);
	char s[2048], *sig, *o = out;
	size_t at = 0;

	snprintf(p[0].v, sizeof(p[0].v), "%s", app);
	snprintf(p[2].v, sizeof(p[2].v), "%d.%02d", FEN / 100, FEN % 100);
	snprintf(p[6].v, sizeof(p[6].v), "bench%ld", i);
	snprintf(p[9].v, sizeof(p[9].v), "%s", no);
	snprintf(p[10].v, sizeof(p[10].v), "%s", p[2].v);
	snprintf(p[11].v, sizeof(p[11].v), "%s", seller);
	snprintf(p[13].v, sizeof(p[13].v), "%s", p[2].v);
	snprintf(p[14].v, sizeof(p[14].v), "2026%028ld", i);
	for (size_t j = 0; j < n; j++)
		at += (size_t)snprintf(s + at, sizeof(s) - at, "%s%s=%s",
		    j ? "&" : "", p[j].k, p[j].v);
	if ((sig = pay_rsa_sign(key, s)) == NULL)
		return -1;
	if (sz < 3 * (strlen(s) + strlen(sig)) + 64) {
		free(sig);
		return -1;
	}
	for (size_t j = 0; j < n; j++) {
		o += sprintf(o, "%s=", p[j].k);
		o = escape(o, p[j].v);
		*o++ = '&';
	}
	o += sprintf(o, "sign_type=RSA2&sign=");
	o = escape(o, sig);
	*o = '\0';
	free(sig);
	return 0;
}

static int
gen(char **argv)
{
	long count = atol(argv[3]), nacc = 0;
	int64_t acc[64], meter[64];
	char *list = argv[4], *tok, *save = NULL, no[PAY_NO_LEN + 1];
	char body[8192];
	FILE *f, *sql, *out;
	EVP_PKEY *key;

	if ((f = fopen(argv[0], "r")) == NULL ||
	    (key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "paynotify: %s: not a private key\n", argv[0]);
		return 1;
	}
	fclose(f);
	for (tok = strtok_r(list, ",", &save); tok && nacc < 64;
	    tok = strtok_r(NULL, ",", &save)) {
		if (sscanf(tok, "%" SCNd64 ":%" SCNd64, &acc[nacc], &meter[nacc]) == 2)
			nacc++;
	}
	if (nacc == 0 || count < 1 || (sql = fopen(argv[5], "w")) == NULL ||
	    (out = fopen(argv[6], "w")) == NULL) {
		fprintf(stderr, "paynotify: gen: bad arguments\n");
		return 1;
	}
	for (long i = 0; i < count; i++) {
		if (crypto_random_hex(PAY_NO_LEN / 2, no) == -1 ||
		    notice(key, argv[1], argv[2], no, i, body, sizeof(body)) == -1) {
			fprintf(stderr, "paynotify: gen: cannot sign\n");
			return 1;
		}
		fprintf(sql, "%s('%s', 'alipay', %" PRId64 ", %" PRId64 ", %d)%s\n",
		    i % 500 == 0 ? "INSERT INTO pay_orders (out_trade_no, channel,"
		    " account_id, meter_id, amount_fen) VALUES " : "", no,
		    acc[i % nacc], meter[i % nacc], FEN,
		    i % 500 == 499 || i == count - 1 ? ";" : ",");
		fprintf(out, "%s\n", body);
	}
	EVP_PKEY_free(key);
	fclose(sql);
	return fclose(out) == 0 ? 0 : 1;
}

static const struct config *cf;
static struct pay_conf *conf;
static char **bodies;
static long nbodies, next, bad;
static double *lat, seconds;
static long nlat;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *
worker(void *arg)
{
	struct db *db = db_open(cf, "pay");
	double end = now() + seconds, t;
	const char *ans, *out;
	long i;

	(void)arg;
	if (db == NULL)
		exit(1);
	while ((t = now()) < end) {
		pthread_mutex_lock(&mu);
		i = next < nbodies ? next++ : -1;
		pthread_mutex_unlock(&mu);
		if (i == -1)
			break;
		out = pay_notice_take(db, conf, &pay_alipay, "127.0.0.1", bodies[i],
		    strlen(bodies[i]), &ans);
		t = now() - t;
		pthread_mutex_lock(&mu);
		if (strcmp(out, PAY_CREDITED) != 0 || ans != pay_alipay.ok)
			bad++;
		lat[nlat++] = t;
		pthread_mutex_unlock(&mu);
	}
	db_close(db);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
run(char **argv)
{
	int n = atoi(argv[1]);
	pthread_t th[64];
	struct config *c;
	char line[8192];
	long cap = 1024;
	double t0, el;
	FILE *f;

	seconds = atof(argv[2]);
	if ((c = config_load(argv[0])) == NULL || n < 1 || n > 64 ||
	    (conf = pay_conf_load(c, "alipay", PAY_GW_KEY)) == NULL ||
	    (f = fopen(argv[3], "r")) == NULL) {
		fprintf(stderr, "paynotify: run: bad arguments\n");
		return 1;
	}
	cf = c;
	bodies = malloc(cap * sizeof(*bodies));
	while (bodies && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (nbodies == cap)
			bodies = realloc(bodies, (size_t)(cap *= 2) * sizeof(*bodies));
		if (bodies == NULL || (bodies[nbodies++] = strdup(line)) == NULL)
			return 1;
	}
	fclose(f);
	if ((lat = calloc((size_t)nbodies + 1, sizeof(*lat))) == NULL)
		return 1;
	t0 = now();
	for (long i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	el = now() - t0;
	if (nlat == 0)
		return 1;
	qsort(lat, (size_t)nlat, sizeof(*lat), cmp);
	printf("%.1f %.1f %.1f %ld %ld\n", nlat / el, lat[nlat / 2] * 1000,
	    lat[(long)(0.99 * nlat) < nlat ? (long)(0.99 * nlat) : nlat - 1] * 1000,
	    nlat, bad);
	for (long i = 0; i < nbodies; i++)
		free(bodies[i]);
	free(bodies);
	free(lat);
	pay_conf_free(conf);
	config_free(c);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 9 && strcmp(argv[1], "gen") == 0)
		return gen(argv + 2);
	if (argc == 6 && strcmp(argv[1], "run") == 0)
		return run(argv + 2);
	fprintf(stderr, "usage: paynotify gen KEY APP_ID SELLER_ID COUNT ACCOUNT:METER,..."
	    " SQL BODIES\n       paynotify run CONFIG THREADS SECONDS BODIES\n");
	return 2;
}
