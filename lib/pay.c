/* pay.c - payment orders and notices in the database, and the credit of a paid order exactly once. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "ledger.h"
#include "log.h"
#include "pay.h"
#include "settings.h"

enum {
	Q_ORDER_NEW, Q_NOTICE_NEW, Q_NOTICE_SET, Q_ORDER_FIND, Q_PAID,
	Q_CREDITED, Q_REFUND, Q_IDEM
};
static const char *const q[] = {
	[Q_ORDER_NEW] = "INSERT INTO pay_orders (out_trade_no, channel, account_id,"
	    " meter_id, amount_fen) VALUES (?, ?, ?, ?, ?)",
	[Q_NOTICE_NEW] = "INSERT INTO pay_notices (channel, client_addr, body)"
	    " VALUES (?, ?, ?)",
	[Q_NOTICE_SET] = "UPDATE pay_notices SET verified = ?, out_trade_no = ?,"
	    " order_id = NULLIF(?, 0), outcome = ?, note = ? WHERE id = ?",
	[Q_ORDER_FIND] = "SELECT id, account_id, meter_id, amount_fen, state"
	    " FROM pay_orders WHERE out_trade_no = ? AND channel = ?",
	/* money received: said before the credit, so that a crash between
	 * leaves a paid order the next notice (or the job) credits */
	[Q_PAID] = "UPDATE pay_orders SET state = 'paid', trade_no = ?, buyer = ?,"
	    " paid_at = COALESCE(paid_at, UTC_TIMESTAMP(3))"
	    " WHERE id = ? AND state IN ('created', 'closed')",
	[Q_CREDITED] = "UPDATE pay_orders SET state = 'credited', ledger_id = ?"
	    " WHERE id = ? AND ledger_id IS NULL",
	[Q_REFUND] = "UPDATE pay_orders SET state = 'needs_refund', reason = ?"
	    " WHERE id = ? AND state = 'paid'",
	[Q_IDEM] = "SELECT id FROM ledger WHERE idem_key = ?",
};

const struct pay_channel *
pay_channel_find(const char *name)
{
	if (name != NULL && strcmp(name, pay_alipay.name) == 0)
		return &pay_alipay;
	if (name != NULL && strcmp(name, pay_wechat.name) == 0)
		return &pay_wechat;
	return NULL;
}

/* The file mode of PATH is 0600 or less: 0, or -1 (EPERM) logged. */
static int
mode_ok(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		log_warn("%s", path);
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		log_warnx("%s: mode %03o, must be 0600 (readable by its owner only)",
		    path, (unsigned)(st.st_mode & 0777));
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* WeChat Pay's APIv3 key: 32 characters in PATH (a newline may follow). */
static int
v3key_load(const char *path, unsigned char *key)
{
	char buf[40];
	size_t n;
	FILE *f;

	if (mode_ok(path) == -1)
		return -1;
	if ((f = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n != 32) {
		log_warnx("%s: an APIv3 key is 32 characters", path);
		errno = EINVAL;
		return -1;
	}
	memcpy(key, buf, 32);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* A PEM key from PATH (private or public), the file mode 0600 or less. */
static EVP_PKEY *
key_load(const char *path, int private)
{
	EVP_PKEY *k;
	FILE *f;

	if (mode_ok(path) == -1)
		return NULL;
	if ((f = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		return NULL;
	}
	k = private ? PEM_read_PrivateKey(f, NULL, NULL, NULL) :
	    PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		log_warnx("%s: not a PEM RSA %s key", path, private ? "private" :
		    "public");
		EVP_PKEY_free(k);
		errno = EINVAL;
		return NULL;
	}
	return k;
}

static void
conf_str(const struct config *cf, const char *ch, const char *name,
    char *out, size_t sz)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_%s", ch, name);
	snprintf(out, sz, "%s", config_get(cf, key, ""));
}

struct pay_conf *
pay_conf_load(const struct config *cf, const char *channel, int keys)
{
	struct pay_conf *c = calloc(1, sizeof(*c));
	const char *site = config_get(cf, "pay_site_url", "");
	int wx = strcmp(channel, "wechat") == 0;
	char key[64];
	const char *path;

	if (c == NULL)
		return NULL;
	snprintf(c->channel, sizeof(c->channel), "%s", channel);
	conf_str(cf, channel, wx ? "appid" : "app_id", c->app_id, sizeof(c->app_id));
	conf_str(cf, channel, wx ? "mchid" : "seller_id", c->seller_id,
	    sizeof(c->seller_id));
	conf_str(cf, channel, "gateway", c->gateway, sizeof(c->gateway));
	conf_str(cf, channel, "serial", c->serial, sizeof(c->serial));
	snprintf(c->notify_url, sizeof(c->notify_url), "%s/m/pay/%s/notify",
	    site, channel);
	snprintf(c->return_url, sizeof(c->return_url), "%s/m/pay/return", site);
	if (c->app_id[0] == '\0') {
		free(c);
		errno = ENOENT;
		return NULL;
	}
	for (int k = PAY_APP_KEY; k <= PAY_V3_KEY; k <<= 1) {
		if (!(keys & k))
			continue;
		snprintf(key, sizeof(key), "%s_%s", channel, k == PAY_V3_KEY ?
		    "apiv3_key_file" : k == PAY_APP_KEY ? (wx ? "private_key_file" :
		    "app_key_file") : (wx ? "platform_key_file" : "public_key_file"));
		if ((path = config_get(cf, key, NULL)) == NULL || *path == '\0') {
			log_warnx("%s: no %s in the configuration", channel, key);
			pay_conf_free(c);
			errno = EINVAL;
			return NULL;
		}
		if (k == PAY_V3_KEY)
			c->has_v3key = v3key_load(path, c->v3key) == 0;
		else if (k == PAY_APP_KEY)
			c->app_key = key_load(path, 1);
		else
			c->gw_key = key_load(path, 0);
		if (k == PAY_V3_KEY ? !c->has_v3key :
		    (k == PAY_APP_KEY ? c->app_key : c->gw_key) == NULL) {
			int e = errno;

			pay_conf_free(c);
			errno = e;
			return NULL;
		}
	}
	return c;
}

void
pay_conf_free(struct pay_conf *c)
{
	if (c == NULL)
		return;
	EVP_PKEY_free(c->app_key);
	EVP_PKEY_free(c->gw_key);
	OPENSSL_cleanse(c->v3key, sizeof(c->v3key));
	free(c);
}

void
pay_http_free(struct pay_http *h)
{
	free(h->body);
	free(h->auth);
	free(h->answer);
	h->body = h->auth = h->answer = NULL;
}

int
pay_amount_parse(const char *s, int64_t *fen)
{
	int64_t v = 0;
	size_t n = 0, frac = 0;

	for (; isdigit((unsigned char)s[n]); n++) {
		if (n >= 10)	/* 10^10 yuan: no top-up is that large */
			return -1;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0)
		return -1;
	v *= 100;
	if (s[n] == '.') {
		const char *d = s + n + 1;

		if (!isdigit((unsigned char)d[0]))
			return -1;
		v += (d[0] - '0') * 10;
		frac = 1;
		if (isdigit((unsigned char)d[1])) {
			v += d[1] - '0';
			frac = 2;
		}
		n += 1 + frac;
	}
	if (s[n] != '\0')
		return -1;
	*fen = v;
	return 0;
}

int
pay_order_new(struct db *db, const char *ch, int64_t account_id,
    int64_t meter_id, int64_t amount, char *no, int64_t *id)
{
	if (amount <= 0 || crypto_random_hex(PAY_NO_LEN / 2, no) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (db_exec(db, q[Q_ORDER_NEW], "ssll" "l", no, ch, account_id, meter_id,
	    amount) != 1)
		return -1;
	*id = (int64_t)db_last_id(db);
	return 0;
}

struct order {
	int64_t id, account, meter, amount;
	char state[16];
};

/* The order NO of channel CH: 1, 0 none, -1. */
static int
order_find(struct db *db, const char *ch, const char *no, struct order *o)
{
	struct dbres *res = db_query(db, q[Q_ORDER_FIND], "ss", no, ch);
	int found = 0;

	if (res == NULL)
		return -1;
	if (db_next(res) == 1) {
		o->id = db_coll(res, 0);
		o->account = db_coll(res, 1);
		o->meter = db_coll(res, 2);
		o->amount = db_coll(res, 3);
		snprintf(o->state, sizeof(o->state), "%s", db_col(res, 4));
		found = 1;
	}
	db_res_free(res);
	return found;
}

const char *
pay_credit(struct db *db, const char *ch, const char *no, int64_t amount,
    const char *trade_no, const char *buyer)
{
	struct order o;
	char idem[64];
	const char *why = NULL;
	int64_t lid = 0, cap;
	int rc;

	if ((rc = order_find(db, ch, no, &o)) != 1)
		return rc == 0 ? PAY_UNKNOWN : NULL;
	if (amount != o.amount)
		return PAY_BAD_AMOUNT;
	if (strcmp(o.state, "needs_refund") == 0 ||
	    strcmp(o.state, "refunded") == 0)
		return PAY_DUPLICATE;
	if (db_exec(db, q[Q_PAID], "ssl", trade_no, buyer, o.id) == -1 ||
	    (cap = settings_int(db, "hoard_cap_fen")) == -1)
		return NULL;
	snprintf(idem, sizeof(idem), "%s:%s", ch, no);
	{
		struct entry e = { .account_id = o.account, .meter_id = o.meter,
		    .kind = "online", .amount = o.amount, .idem_key = idem,
		    .cap = cap, .channel = ch, .note = trade_no };

		rc = ledger_issue(db, &e, &lid, &why);
	}
	if (rc == -1)
		return NULL;
	/* refused by the cap while a repeat of this notice was committing
	 * its entry: that entry stands */
	if (rc == 2 && db_value(db, &lid, q[Q_IDEM], "s", idem) == 1)
		rc = 0;
	if (rc == 2) {
		if (db_exec(db, q[Q_REFUND], "sl", why, o.id) == -1)
			return NULL;
		log_warnx("%s order %s paid but not credited (%s): to refund",
		    ch, no, why);
		return PAY_REFUND;
	}
	if (db_exec(db, q[Q_CREDITED], "ll", lid, o.id) == -1)
		return NULL;
	return rc == 1 ? PAY_CREDITED : PAY_DUPLICATE;
}

/* The notice's row: what came of it. */
static void
notice_set(struct db *db, int64_t nid, int verified, const char *no,
    int64_t order, const char *outcome, const char *note)
{
	if (db_exec(db, q[Q_NOTICE_SET], "isls" "sl", verified, no, order,
	    outcome, note, nid) == -1)
		log_warnx("notice %lld: outcome %s not stored: %s", (long long)nid,
		    outcome, db_error(db));
}

const char *
pay_notice_take(struct db *db, const struct pay_conf *conf,
    const struct pay_channel *ch, const char *addr, const char *body,
    size_t len, const char **answer)
{
	struct pay_notice n;
	struct order o = { 0 };
	const char *out;
	char note[128] = "";
	int64_t nid;
	int rc;

	*answer = ch->fail;
	/* stored as it came, before anything is done with it */
	if (db_exec(db, q[Q_NOTICE_NEW], "sss", ch->name, addr, body) != 1)
		return PAY_ERROR;
	nid = (int64_t)db_last_id(db);
	memset(&n, 0, sizeof(n));
	if ((out = ch->verify(conf, body, len, &n)) != NULL) {
		notice_set(db, nid, n.verified, n.out_trade_no, 0, out, n.note);
		return out;
	}
	if ((rc = order_find(db, ch->name, n.out_trade_no, &o)) != 1) {
		out = rc == 0 ? PAY_UNKNOWN : PAY_ERROR;
		notice_set(db, nid, 1, n.out_trade_no, 0, out, "");
		return out;
	}
	if (n.amount != o.amount) {
		snprintf(note, sizeof(note), "notice %lld fen, order %lld fen",
		    (long long)n.amount, (long long)o.amount);
		notice_set(db, nid, 1, n.out_trade_no, o.id, PAY_BAD_AMOUNT, note);
		log_warnx("%s notice %lld: %s", ch->name, (long long)nid, note);
		return PAY_BAD_AMOUNT;
	}
	if (!n.paid) {
		/* a state that is no payment (waiting, closed): taken, kept */
		*answer = ch->ok;
		notice_set(db, nid, 1, n.out_trade_no, o.id, PAY_NOT_PAID, "");
		return PAY_NOT_PAID;
	}
	if ((out = pay_credit(db, ch->name, n.out_trade_no, n.amount,
	    n.trade_no, n.buyer)) == NULL)
		out = PAY_ERROR;
	else
		*answer = ch->ok;
	notice_set(db, nid, 1, n.out_trade_no, o.id, out, n.trade_no);
	return out;
}

char *
pay_rsa_sign(struct evp_pkey_st *key, const char *s)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *sig = NULL;
	char *b64 = NULL;
	size_t n = 0;

	if (ctx == NULL || key == NULL ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, (const unsigned char *)s, strlen(s)) != 1 ||
	    (sig = malloc(n)) == NULL ||
	    EVP_DigestSign(ctx, sig, &n, (const unsigned char *)s, strlen(s)) != 1 ||
	    (b64 = malloc(4 * ((n + 2) / 3) + 1)) == NULL)
		goto out;
	EVP_EncodeBlock((unsigned char *)b64, sig, (int)n);
out:
	free(sig);
	EVP_MD_CTX_free(ctx);
	return b64;
}

int
pay_rsa_verify(struct evp_pkey_st *key, const char *s, size_t n,
    const char *b64)
{
	size_t len = b64 ? strlen(b64) : 0;
	unsigned char *sig;
	EVP_MD_CTX *ctx;
	int got, ok;

	if (key == NULL || len == 0 || len % 4 != 0 || len > 4096)
		return 0;
	if ((sig = malloc(len)) == NULL)
		return 0;
	if ((got = EVP_DecodeBlock(sig, (const unsigned char *)b64, (int)len)) < 0 ||
	    (ctx = EVP_MD_CTX_new()) == NULL) {
		free(sig);
		return 0;
	}
	got -= (b64[len - 1] == '=') + (b64[len - 2] == '=');
	ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, sig, (size_t)got, (const unsigned char *)s, n) == 1;
	EVP_MD_CTX_free(ctx);
	free(sig);
	return ok;
}
