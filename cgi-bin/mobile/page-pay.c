/* page-pay.c - M3 online top-up: the amount and channel, the order and the way to the gateway, and the order followed until the meter confirms. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "ledger.h"
#include "log.h"
#include "money.h"
#include "pages.h"
#include "pay.h"
#include "settings.h"

enum { Q_METERS, Q_LIMIT, Q_ORDER, Q_RATE };
static const char *const q[] = {
	[Q_METERS] = "SELECT m.id, m.number FROM account_meters x"
	    " JOIN meters m ON m.id = x.meter_id"
	    " WHERE x.account_id = ? AND x.active = 1 ORDER BY m.number",
	[Q_LIMIT] = "SELECT value FROM student_settings WHERE name = ?",
	/* the student's own order only, with its credit's token */
	[Q_ORDER] = "SELECT o.out_trade_no AS no, o.amount_fen, o.state,"
	    " o.reason, m.number AS meter,"
	    " DATE_FORMAT(CONVERT_TZ(o.created_at, '+00:00', ?), '%Y-%m-%d %H:%i')"
	    "   AS at, COALESCE(c.status, '') AS token"
	    " FROM pay_orders o JOIN meters m ON m.id = o.meter_id"
	    " LEFT JOIN ledger l ON l.id = o.ledger_id"
	    " LEFT JOIN commands c ON c.id = l.command_id"
	    " WHERE o.out_trade_no = ? AND o.account_id = ?",
	/* ASVS 11.1.4: the account's orders left unpaid in 15 minutes, and
	 * all its orders in a day */
	[Q_RATE] = "SELECT COALESCE(SUM(state IN ('created', 'closed')"
	    "   AND created_at > UTC_TIMESTAMP(3) - INTERVAL 15 MINUTE), 0),"
	    " COUNT(*) FROM pay_orders WHERE account_id = ?"
	    " AND created_at > UTC_TIMESTAMP(3) - INTERVAL 1 DAY",
};

/* Orders an account may make (ASVS 11.1.4): unpaid ones in 15 minutes,
 * and any in a day. */
#define PAY_UNPAID_15MIN 5
#define PAY_PER_DAY 20

static const char *const channels[] = { "alipay", "wechat", NULL };
static const struct field pay_fields[] = {
	{ "amount", FT_MONEY, 0, 0, 0, NULL },
	{ "custom", FT_MONEY, 0, 0, 0, NULL },
	{ "meter", FT_ID, 0, 0, 0, NULL },
	{ "channel", FT_CHOICE, 1, 0, 0, channels },
};
enum { P_AMOUNT, P_CUSTOM, P_METER, P_CHANNEL, P_N };

/* The amounts to tap, in yuan. */
static const int taps[] = { 10, 20, 50, 100 };

/* Each channel's settings and our key, read at the start (page_pay_setup);
 * NULL: the channel is not configured. */
static struct pay_conf *alipay, *wechat;

int
page_pay_setup(const struct config *cf)
{
	if ((alipay = pay_conf_load(cf, "alipay", PAY_APP_KEY)) == NULL &&
	    errno != ENOENT)
		return -1;
	/* WeChat Pay's order is a call: its answer is checked with the
	 * platform's key */
	if ((wechat = pay_conf_load(cf, "wechat", PAY_APP_KEY | PAY_GW_KEY)) ==
	    NULL && errno != ENOENT)
		return -1;
	return 0;
}

/* The settings of the channel called NAME, NULL when it is not open. */
static struct pay_conf *
pay_open(const char *name)
{
	if (strcmp(name, "wechat") == 0)
		return wechat;
	return strcmp(name, "alipay") == 0 ? alipay : NULL;
}

/* A limit of the student_settings view, or its default. */
static int64_t
limit(struct req *r, const char *name)
{
	const struct setting *s = settings_find(name);
	int64_t v = s ? strtoll(s->def, NULL, 10) : 0, got;

	if (db_value(r->db, &got, q[Q_LIMIT], "s", name) == 1)
		v = got;
	return v;
}

/* The form: amounts, the account's meters, channels, the limits. */
static int
pay_form(struct req *r, int64_t max)
{
	char buf[32];
	long n;

	for (size_t i = 0; i < sizeof(taps) / sizeof(taps[0]); i++)
		hdf_set_valuef(r->hdf, "Taps.%zu=%d", i, taps[i]);
	if ((n = web_query_rows(r, "Meters", q[Q_METERS], "l",
	    r->sess->account_id)) == -1)
		return -1;
	hdf_set_value(r->hdf, "Pay.max", money_format(max, buf, sizeof(buf)));
	hdf_set_int_value(r->hdf, "Pay.open", alipay != NULL || wechat != NULL);
	hdf_set_int_value(r->hdf, "Pay.alipay", alipay != NULL);
	hdf_set_int_value(r->hdf, "Pay.wechat", wechat != NULL);
	if (hdf_get_value(r->hdf, "Form.channel", NULL) == NULL)
		hdf_set_value(r->hdf, "Form.channel", alipay ? "alipay" : "wechat");
	web_render(r, "pay.cs");
	return 0;
}

/* The meter the student chose: one of the account's; 0 when none fits. */
static int64_t
pay_meter(struct req *r, const struct fval *v)
{
	int64_t only = 0;
	int n = 0;

	for (HDF *h = hdf_get_child(r->hdf, "Meters"); h; h = hdf_obj_next(h)) {
		int64_t id = hdf_get_int_value(h, "id", 0);

		if (v->set && id == v->i)
			return id;
		only = id;
		n++;
	}
	return !v->set && n == 1 ? only : 0;
}

/* The amount against its limits; 0, or 1 with the error by its field. */
static int
pay_limits(struct req *r, int64_t fen, int64_t max, const char *field)
{
	int64_t cap = limit(r, "hoard_cap_fen"), money = 0;
	char buf[32];

	if (fen < 100)
		return web_error(r, field, "pay.err.min");
	if (fen > max)
		return web_error(r, field, "pay.err.max");
	if (ledger_account_money(r->db, r->sess->account_id, &money) == -1)
		return -1;
	if (cap > 0 && money + fen > cap) {
		hdf_set_value(r->hdf, "Pay.room", money_format(cap - money > 0 ?
		    cap - money : 0, buf, sizeof(buf)));
		return web_error(r, field, "pay.err.cap");
	}
	return 0;
}

/* The account's recent orders against the limits; 0, 1 with the error
 * by the form, or -1. */
static int
pay_rate(struct req *r)
{
	struct dbres *res = db_query(r->db, q[Q_RATE], "l", r->sess->account_id);
	int64_t unpaid = 0, day = 0;

	if (res == NULL)
		return -1;
	if (db_next(res) == 1) {
		unpaid = db_coll(res, 0);
		day = db_coll(res, 1);
	}
	db_res_free(res);
	if (unpaid < PAY_UNPAID_15MIN && day < PAY_PER_DAY)
		return 0;
	web_log(r, "pay.order.refused", r->sess->actor, NULL,
	    unpaid >= PAY_UNPAID_15MIN ? "{\"reason\":\"unpaid\"}" :
	    "{\"reason\":\"daily\"}");
	return web_error(r, "form", unpaid >= PAY_UNPAID_15MIN ?
	    "paylimit.unpaid" : "paylimit.daily");
}

/* The order made: the page that sends the student to the gateway. */
static int
pay_go(struct req *r, const char *ch, const char *no, int64_t fen)
{
	struct pay_order o = { no, fen, "电费充值", NULL, r->addr };
	/* WeChat Pay's order is a call to the gateway: 3 s at most */
	char *url = pay_order_go(pay_open(ch), pay_channel_find(ch), &o, 3000L),
	    buf[32];

	if (url == NULL) {
		/* the order stays unpaid (the job closes it); the student may
		 * try again or take another channel */
		hdf_set_value(r->hdf, "Form.channel", pay_channel_find(ch)->name);
		web_error(r, "channel", "pay.err.gateway");
		hdf_set_int_value(r->hdf, "Form.failed", 1);
		return pay_form(r, limit(r, "pay_max_fen"));
	}
	hdf_set_value(r->hdf, "Go.url", url);
	hdf_set_value(r->hdf, "Go.no", no);
	hdf_set_value(r->hdf, "Go.channel", pay_channel_find(ch)->name);
	hdf_set_value(r->hdf, "Go.amount", money_format(fen, buf, sizeof(buf)));
	free(url);
	web_render(r, "pay-go.cs");
	return 0;
}

int
page_pay(struct req *r)
{
	struct fval v[P_N];
	const char *field = "custom", *ch;
	int64_t max = limit(r, "pay_max_fen"), fen, meter, id;
	char no[PAY_NO_LEN + 1], obj[64];
	int bad, authed;

	/* a remembered sign-in over 12 hours old gives its password again */
	if ((authed = mobile_reauth(r)) == -1)
		return -1;
	if (!r->is_post)
		return pay_form(r, max);
	bad = (authed == 0) + form_check(r, pay_fields, P_N, v);
	if (web_query_rows(r, "Meters", q[Q_METERS], "l",
	    r->sess->account_id) == -1)
		return -1;
	ch = v[P_CHANNEL].set ? v[P_CHANNEL].s : "alipay";
	if (pay_open(ch) == NULL)
		bad += web_error(r, "channel", "pay.err.closed");
	if ((meter = pay_meter(r, &v[P_METER])) == 0)
		bad += web_error(r, "meter", "pay.err.meter");
	if (v[P_CUSTOM].set)
		fen = v[P_CUSTOM].i;
	else {
		fen = v[P_AMOUNT].i;
		field = "amount";
		if (!v[P_AMOUNT].set)
			bad += web_error(r, field, "err.required");
	}
	if (!bad) {
		int rc = pay_limits(r, fen, max, field);

		if (rc == 0)
			rc = pay_rate(r);
		if (rc == -1)
			return -1;
		bad += rc;
	}
	if (bad) {
		hdf_set_int_value(r->hdf, "Form.failed", 1);
		return pay_form(r, max);
	}
	if (pay_order_new(r->db, ch, r->sess->account_id, meter, fen, no,
	    &id) == -1)
		return -1;
	snprintf(obj, sizeof(obj), "pay_order:%lld", (long long)id);
	web_log(r, "pay.order", obj, NULL, NULL);
	return pay_go(r, ch, no, fen);
}

/* 1 when S is an order number: PAY_NO_LEN lowercase hex digits. */
static int
no_ok(const char *s)
{
	return strlen(s) == PAY_NO_LEN &&
	    strspn(s, "0123456789abcdef") == PAY_NO_LEN;
}

/* GET /m/pay/return: back from the gateway; the order page says the rest
 * (nothing the gateway added to the address is believed). */
int
page_pay_return(struct req *r)
{
	const char *no = web_query(r, "out_trade_no", "");

	if (!no_ok(no))
		return web_fail(r, 404, "err.not_found");
	web_redirect(r, "/m/pay/order?no=%s", no);
	return 0;
}

/* The order's state as the student sees it (Lang.pay.state.KEY). */
static const char *
order_state(const char *state, const char *token)
{
	if (strcmp(state, "credited") == 0) {
		if (strcmp(token, "confirmed") == 0)
			return "done";
		if (strcmp(token, "failed") == 0)
			return "failed";
		return "meter";
	}
	if (strcmp(state, "needs_refund") == 0)
		return "failed";
	if (strcmp(state, "created") == 0)
		return "unpaid";
	return state;	/* paid, closed, refunded */
}

/* GET /m/pay/order?no=: one of the student's own orders. */
int
page_pay_order(struct req *r)
{
	const char *no = web_query(r, "no", "");
	struct dbres *res;
	char state[16], token[16];
	int found;

	if (!no_ok(no)) {
		web_log(r, "student.refused", "pay_order", NULL, NULL);
		return web_fail(r, 404, "err.not_found");
	}
	if ((res = db_query(r->db, q[Q_ORDER], "ssl", web_tz(r), no,
	    r->sess->account_id)) == NULL)
		return -1;
	found = web_row(r, "Order", res);
	db_res_free(res);
	if (!found) {
		web_log(r, "student.refused", "pay_order", NULL, NULL);
		log_warnx("%s asked for order \"%.40s\", not its own", r->sess->actor,
		    no);
		return web_fail(r, 404, "err.not_found");
	}
	snprintf(state, sizeof(state), "%s", hdf_get_value(r->hdf, "Order.state", ""));
	snprintf(token, sizeof(token), "%s", hdf_get_value(r->hdf, "Order.token", ""));
	hdf_set_value(r->hdf, "Order.show", order_state(state, token));
	{
		char buf[32];

		hdf_set_value(r->hdf, "Order.amount", money_format(strtoll(
		    hdf_get_value(r->hdf, "Order.amount_fen", "0"), NULL, 10), buf,
		    sizeof(buf)));
	}
	web_render(r, "pay-order.cs");
	return 0;
}
