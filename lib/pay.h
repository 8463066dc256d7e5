/* pay.h - the one payment interface (M3): orders, notices and a table of functions per gateway channel. */
#ifndef PAY_H
#define PAY_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct db;
struct evp_pkey_st;
struct pay_http;
struct pay_bill_line;

#define PAY_NO_LEN 32	/* an order's number: 16 random bytes in hex */
#define PAY_BODY_MAX (16 * 1024)	/* the largest notice taken */

/* One channel's settings from the configuration (CHANNEL_*: app id,
 * seller, gateway, key files); the keys are loaded, never stored. */
struct pay_conf {
	char channel[16];
	char app_id[64];
	char seller_id[64];
	char gateway[256];	/* the gateway's address (redirect, requests) */
	char notify_url[256];	/* where the gateway sends its notices */
	char return_url[256];	/* where the payer comes back to */
	struct evp_pkey_st *app_key;	/* ours, private: signs */
	struct evp_pkey_st *gw_key;	/* the gateway's, public: verifies */
	char serial[64];	/* our certificate's serial (WeChat Pay) */
	unsigned char v3key[32];	/* the APIv3 key (WeChat Pay): decrypts */
	int has_v3key;
};

/* What a channel needs of its keys when loaded. */
#define PAY_APP_KEY 1	/* signing orders and requests */
#define PAY_GW_KEY 2	/* verifying notices and answers */
#define PAY_V3_KEY 4	/* WeChat Pay's APIv3 key: decrypting notices */

/*
 * The settings of CHANNEL ("alipay") from CF: CHANNEL_app_id,
 * CHANNEL_seller_id, CHANNEL_gateway, pay_site_url (notify and return
 * addresses under it), and the key files CHANNEL_app_key_file (PEM
 * private key) and CHANNEL_public_key_file (PEM public key) that KEYS
 * asks for. WeChat Pay's: wechat_appid, wechat_mchid (the seller),
 * wechat_serial, wechat_gateway, wechat_private_key_file,
 * wechat_platform_key_file and wechat_apiv3_key_file (32 characters). A key file must be mode 0600 or stricter. Returns a new conf
 * (pay_conf_free), NULL with errno ENOENT when the channel is not
 * configured (no app id), EPERM for a key file readable by others, EINVAL
 * for a bad key; the reason is logged.
 */
struct pay_conf *pay_conf_load(const struct config *cf, const char *channel,
    int keys);
void pay_conf_free(struct pay_conf *);

/* An order as a channel needs it to take the payer to the gateway. */
struct pay_order {
	const char *out_trade_no;
	int64_t amount;		/* fen */
	const char *subject;
	const char *when;	/* "YYYY-MM-DD HH:MM:SS", the site's time */
	const char *client_ip;	/* the payer's address (WeChat Pay's H5) */
};

/* A notice as a channel read it. */
struct pay_notice {
	char out_trade_no[65];
	char trade_no[65];
	char buyer[65];
	int64_t amount;		/* fen */
	int paid;		/* the trade is paid (success or finished) */
	int verified;		/* its signature held */
	char note[64];		/* why it was refused, when there is more to say */
};

/* Outcomes of a notice (pay_notices.outcome). */
#define PAY_CREDITED "credited"
#define PAY_DUPLICATE "duplicate"
#define PAY_REFUND "needs_refund"
#define PAY_BAD_SIGN "bad_signature"
#define PAY_BAD_APP "bad_app"
#define PAY_BAD_SELLER "bad_seller"
#define PAY_UNKNOWN "unknown_order"
#define PAY_BAD_AMOUNT "bad_amount"
#define PAY_NOT_PAID "not_paid"
#define PAY_MALFORMED "malformed"
#define PAY_ERROR "error"

/*
 * A gateway: the calls of the one payment interface. Every returned
 * string is the caller's to free; NULL on error.
 */
struct pay_channel {
	const char *name;	/* "alipay": pay_orders.channel, ledger.channel */
	/* The address that takes the payer to pay O (signed). */
	char *(*order_url)(const struct pay_conf *, const struct pay_order *o);
	/* Verifies the notice BODY (LEN bytes as received): its signature by
	 * the gateway's key, then its app and seller against the
	 * configuration; fills N. Returns NULL when it holds, else the
	 * outcome (PAY_BAD_SIGN, PAY_BAD_APP, PAY_BAD_SELLER, PAY_MALFORMED). */
	const char *(*verify)(const struct pay_conf *, const char *body,
	    size_t len, struct pay_notice *n);
	/* Signed request bodies for the gateway (POST to conf->gateway):
	 * the state of an order, closing an unpaid one (refunds and bills
	 * have their calls below). */
	char *(*query)(const struct pay_conf *, const char *out_trade_no);
	char *(*close)(const struct pay_conf *, const char *out_trade_no);
	/* The gateway's answer BODY to a query, its signature checked with
	 * the gateway's key: 1 paid (N filled), 0 not paid (yet or ever),
	 * 2 the gateway knows no such trade, -1 not to be believed. */
	int (*query_answer)(const struct pay_conf *, const char *body,
	    struct pay_notice *n);
	const char *ok;		/* the answer to a notice taken */
	const char *fail;	/* the answer that makes the gateway send it again */
	/* REST channels (WeChat Pay; NULL for Alipay, whose order_url, query
	 * and close above do it): the signed request WHAT (PAY_CALL_*) for
	 * order O (only out_trade_no for a query or close) into H; 0 or -1. */
	int (*call)(const struct pay_conf *, int what, const struct pay_order *o,
	    struct pay_http *h);
	/* The answer H->answer to the call WHAT, its signature checked: for
	 * PAY_CALL_ORDER the address that takes the payer to pay into URL (SZ
	 * bytes); for PAY_CALL_QUERY as query_answer; for PAY_CALL_CLOSE 0
	 * closed. -1 not to be believed. */
	int (*answer)(const struct pay_conf *, int what, const struct pay_http *h,
	    struct pay_notice *n, char *url, size_t sz);
	/* Refunds (lib/pay-refund.c). The signed request into H of the
	 * refund RNO of FEN of the paid order O (O->amount: what was paid),
	 * or with QUERY the state of that refund (a channel whose refund
	 * answers at once sends the same refund again: the gateway makes
	 * one of it by RNO); 0 or -1. */
	int (*refund_call)(const struct pay_conf *, int query,
	    const struct pay_order *o, const char *rno, int64_t fen,
	    struct pay_http *h);
	/* The answer H->answer to it, its signature checked, about order
	 * NO's refund RNO of FEN: 1 the money is back, 0 in progress (ask
	 * again), -1 refused, failed or not to be believed; what the
	 * gateway said into NOTE (SZ bytes). */
	int (*refund_answer)(const struct pay_conf *, const struct pay_http *h,
	    const char *no, const char *rno, int64_t fen, char *note, size_t sz);

	/* B1 the day's bill (the calls made by lib/pay-bill.c): the signed
	 * request for the bill of DAY ("YYYY-MM-DD") into H; its answer H
	 * checked: 0 with the file's address in URL (SZ bytes) and its SHA-1
	 * in hex in SHA1 when the gateway gives one (else ""), 1 the gateway
	 * has no bill that day because there were no trades, -1 not to be
	 * believed (or not ready: asked again later); the request for the
	 * file at URL into H; the file TEXT (LEN bytes, UTF-8 or GBK, read by
	 * csv_parse) read: FN for each trade or refund line, headings and
	 * summaries skipped, the lines counted, or -1 when it is not such a
	 * bill or FN refused a line. */
	int (*bill_call)(const struct pay_conf *, const char *day,
	    struct pay_http *h);
	int (*bill_answer)(const struct pay_conf *, const struct pay_http *h,
	    char *url, size_t sz, char sha1[41]);
	int (*bill_get)(const struct pay_conf *, const char *url,
	    struct pay_http *h);
	int (*bill_parse)(const char *text, size_t len,
	    int (*fn)(void *arg, const struct pay_bill_line *), void *arg);
};

#define PAY_CALL_ORDER 1
#define PAY_CALL_QUERY 2
#define PAY_CALL_CLOSE 3

/*
 * A request to a REST gateway and its answer. The answer is kept as it
 * came: "Status: N", the gateway's Wechatpay-* headers, an empty line and
 * the body (the form a notice is stored and verified in, too).
 */
struct pay_http {
	char method[8];
	char url[512];		/* the whole address */
	char *body;		/* NULL: none; the caller frees */
	char *auth;		/* the Authorization header's value; the caller frees */
	long status;
	char *answer;		/* the caller frees */
};
void pay_http_free(struct pay_http *);

/*
 * H made (lib/pay-http.c, libcurl; linked into the programs that call a
 * gateway): connect within CONNECT_MS, all within TOTAL_MS. 0 with
 * H->status and H->answer, or -1 (the reason logged).
 */
int pay_http(struct pay_http *h, long connect_ms, long total_ms);

/* The same with the answer's body at most MAX bytes; with FILE the body
 * alone into *FILE (*LEN bytes, the caller frees) instead of H->answer; a
 * failed request's reason into WHY (WSZ bytes) when not NULL. */
int pay_http_get(struct pay_http *h, long connect_ms, long total_ms,
    size_t max, char **file, size_t *len, char *why, size_t wsz);

/*
 * The address that takes the payer to pay O on channel CH: Alipay's signed
 * redirect, or WeChat Pay's h5_url from its order call (pay_http, within
 * TOTAL_MS). A new string or NULL.
 */
char *pay_order_go(const struct pay_conf *, const struct pay_channel *ch,
    const struct pay_order *o, long total_ms);

/*
 * A WeChat Pay notice's BODY (LEN bytes, its signature checked before):
 * the resource decrypted with AEAD_AES_256_GCM and the APIv3 key, then
 * its appid, mchid, order, amount and state into N. NULL when it holds,
 * else the outcome (PAY_BAD_SIGN for a failed tag, PAY_BAD_APP,
 * PAY_BAD_SELLER, PAY_MALFORMED) with N->note.
 */
const char *pay_wechat_notice(const struct pay_conf *, const char *body,
    size_t len, struct pay_notice *n);

extern const struct pay_channel pay_alipay;
extern const struct pay_channel pay_wechat;

/* The channel called NAME, or NULL. */
const struct pay_channel *pay_channel_find(const char *name);

/*
 * A new order of AMOUNT fen for METER of ACCOUNT on channel CH, with a new
 * unguessable number into NO (PAY_NO_LEN + 1 bytes). Returns 0 with *ID,
 * or -1.
 */
int pay_order_new(struct db *, const char *ch, int64_t account_id,
    int64_t meter_id, int64_t amount, char *no, int64_t *id);

/*
 * A notice of channel CH as received from ADDR: stored first as it came,
 * then verified and checked against its order (ours, the amount to the
 * fen), then credited exactly once (pay_credit). Sets *ANSWER to what the
 * gateway is told (CH->ok only when the credit is committed, or was
 * already, or there is nothing to credit). Returns the outcome (PAY_*).
 */
const char *pay_notice_take(struct db *, const struct pay_conf *,
    const struct pay_channel *ch, const char *addr, const char *body,
    size_t len, const char **answer);

/*
 * The credit of the paid order NO of channel CH (trade TRADE_NO of the
 * gateway, BUYER) that the gateway says was paid AMOUNT fen (another
 * amount than the order's credits nothing: PAY_BAD_AMOUNT): the ledger entry (kind online, the channel) and its
 * token in one transaction with "CH:NO" as the idempotency key, under the
 * hoarding cap. A closed account or the cap refusing it leaves the order
 * needs_refund: money received, never dropped. Returns PAY_CREDITED,
 * PAY_DUPLICATE (credited, or set for refund, before), PAY_REFUND,
 * PAY_UNKNOWN, or NULL on error.
 */
const char *pay_credit(struct db *, const char *ch, const char *no,
    int64_t amount, const char *trade_no, const char *buyer);

/* What payments-sync did. */
struct pay_sync_result {
	int asked, credited, refund, closed, failed;
};

/*
 * payments-sync (lib/pay-sync.c, libcurl; linked into prepaid-admin only):
 * every order of channel CH still unpaid or uncredited AFTER_S seconds
 * after it was made is asked of the gateway (HTTPS, conf->gateway, with
 * timeouts); a paid one is credited by pay_credit, the answer stored as
 * a notice; one unpaid EXPIRE_S seconds after it was made is closed at
 * the gateway and here. Returns 0 with *R, or -1 (the database).
 */
int pay_sync(struct db *, const struct pay_conf *, const struct pay_channel *ch,
    long after_s, long expire_s, struct pay_sync_result *r);

/* "12.30" (yuan, at most two decimals, nothing else) into fen; 0 or -1. */
int pay_amount_parse(const char *s, int64_t *fen);

/* For the channels: SHA256withRSA of S by KEY, base64 (a new string, or
 * NULL); and 1 when B64 is that signature of the N bytes at S, else 0. */
char *pay_rsa_sign(struct evp_pkey_st *key, const char *s);
int pay_rsa_verify(struct evp_pkey_st *key, const char *s, size_t n,
    const char *b64);

/* Refunds through the gateway (lib/pay-refund.c): a paid order never
 * credited (needs_refund), its whole amount, back to the payer. */
#define PAY_RNO_LEN 32	/* a refund's number: 16 random bytes in hex */

struct actor;

/*
 * A refund of the order NO asked by WHO with REASON; IDEM is the form's
 * idempotency key. With APPROVE it waits for a second operator (an
 * approvals request of kind pay_refund), else it is approved at once for
 * payments-sync to send. Returns 1 asked (*ID), 0 a repeat of the form
 * (*ID the first), 2 refused with *WHY: "none" (no such order), the
 * order's state ("created", "paid", "credited", "closed", "refunded"), or
 * "pending" (a refund of it is asked already); -1 on error.
 */
int pay_refund_request(struct db *, const struct actor *who, const char *no,
    const char *reason, const char *idem, int approve, int64_t *id,
    const char **why);

/* The refund waiting on the approvals request APPROVAL approved by WHO (to
 * send) or rejected (the order may be asked for again): 1 done, 0 it was
 * not waiting, -1 on error. */
int pay_refund_decide(struct db *, const struct actor *who, int64_t approval,
    int approve);

/* What payments-sync did of refunds. */
struct pay_refund_result {
	int sent, refunded, pending, failed;
};

/*
 * payments-sync's refunds of channel CH: each approved refund sent to the
 * gateway (HTTPS, with timeouts), one in progress asked again, a failed
 * one sent again with the same number; the refund and its order are
 * refunded only when the gateway's signed answer says so, every answer
 * kept. HTTP makes the calls (pay_http: only a program that may call a
 * gateway has it, never a page). Returns 0 with *R, or -1 (the database).
 */
int pay_refund_sync(struct db *, const struct pay_conf *,
    const struct pay_channel *ch,
    int (*http)(struct pay_http *, long, long), struct pay_refund_result *r);

/*
 * B1: the gateways' daily bills (lib/pay-bill.c, libcurl; linked into
 * prepaid-admin only), matched line by line with the orders by the
 * reconciliation (rc_pay_bill in reconcile.h).
 */

/* A line of a bill as a channel read it. */
struct pay_bill_line {
	char trade_no[65];	/* the gateway's */
	char out_trade_no[65];	/* ours, or a number that is not */
	char state[33];		/* the gateway's word for it */
	int64_t amount;		/* fen, the trade's or the refund's */
	int refund;		/* a refund, not a trade */
};

/* What fetching a bill did. */
struct pay_bill_result {
	int lines;		/* stored */
	int mismatches;		/* of the channel's day, after matching */
	char why[128];		/* why the bill was not taken */
};

/*
 * The bill of DAY ("YYYY-MM-DD", the site's day) of channel CH fetched
 * from the gateway over HTTPS (with timeouts), its signature or hash
 * checked, unzipped when it is a zip archive (Alipay's), its lines stored in one transaction replacing the day's
 * (pay_bill_lines, pay_bills ok), then counted against the orders of the
 * site in the time zone TZ. Returns 0 with *R; 1 when the bill was not
 * taken (R->why; the day kept as failed, nothing of it stored, a bill
 * taken before left as it was); -1 on a database error.
 */
int pay_bill_fetch(struct db *, const struct pay_conf *,
    const struct pay_channel *ch, const char *day, const char *tz,
    struct pay_bill_result *r);

/*
 * The day whose bill payments-sync fetches for channel CH: yesterday in
 * the time zone TZ, into DAY (11 bytes), unless taken already or failed
 * less than RETRY_S seconds ago. 1 due, 0 not, -1 on error.
 */
int pay_bill_due(struct db *, const char *ch, const char *tz, long retry_s,
    char *day);

/* 1 when DAY is a date "YYYY-MM-DD", else 0. */
int pay_bill_day_ok(const char *day);

#endif
