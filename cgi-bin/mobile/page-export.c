/* page-export.c - ASVS 8.3.2 my data (下载我的数据): the signed-in student's account, entries, online payments and monthly use as one CSV for Excel. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "money.h"
#include "pages.h"

/* Every statement takes the session's account, never a parameter. */
enum { Q_ACCOUNT, Q_ENTRIES, Q_ORDERS, Q_USE };
static const char *const q[] = {
	[Q_ACCOUNT] = "SELECT a.holder, COALESCE(b.name, '') AS building,"
	    " COALESCE(r.number, '') AS room, a.status,"
	    " COALESCE(student_phone_masked(a.id), '') AS phone,"
	    " COALESCE(DATE_FORMAT(CONVERT_TZ(l.privacy_agreed_at, '+00:00', ?),"
	    "   '%Y-%m-%d %H:%i'), '') AS agreed"
	    " FROM accounts a LEFT JOIN rooms r ON r.id = a.room_id"
	    " LEFT JOIN buildings b ON b.id = r.building_id"
	    " LEFT JOIN student_logins l ON l.account_id = a.id WHERE a.id = ?",
	[Q_ENTRIES] = "SELECT DATE_FORMAT(CONVERT_TZ(l.created_at, '+00:00', ?),"
	    " '%Y-%m-%d %H:%i:%s'), l.kind, l.amount_fen, m.number"
	    " FROM ledger l JOIN meters m ON m.id = l.meter_id"
	    " WHERE l.account_id = ? ORDER BY l.id",
	[Q_ORDERS] = "SELECT DATE_FORMAT(CONVERT_TZ(o.created_at, '+00:00', ?),"
	    " '%Y-%m-%d %H:%i:%s'), o.out_trade_no, o.channel, o.amount_fen,"
	    " o.state FROM pay_orders o WHERE o.account_id = ? ORDER BY o.id",
	/* the account's meters from the day each was added */
	[Q_USE] = "SELECT DATE_FORMAT(d.day, '%Y-%m'), m.number,"
	    " SUM(COALESCE(d.used, d.last_energy - d.first_energy))"
	    " FROM account_meters x JOIN daily_energy d ON d.meter_id = x.meter_id"
	    "   AND d.day >= DATE(x.added_at)"
	    " JOIN meters m ON m.id = x.meter_id"
	    " WHERE x.account_id = ? AND x.active = 1"
	    " GROUP BY 1, m.number ORDER BY 1, m.number",
};

/* One CSV cell of text V, quoted; a first character a spreadsheet would
 * take for a formula is made text with a quote (CSV injection). */
static void
cell(STRING *s, const char *v, int text)
{
	if (s->len > 3 && s->buf[s->len - 1] != '\n')
		string_append_char(s, ',');
	string_append_char(s, '"');
	if (text && v[0] != '\0' && strchr("=+-@\t\r", v[0]) != NULL)
		string_append_char(s, '\'');
	for (; *v; v++) {
		if (*v == '"')
			string_append_char(s, '"');
		string_append_char(s, *v);
	}
	string_append_char(s, '"');
}

/* The language text SECTION.KEY, or KEY itself. */
static const char *
word(struct req *r, const char *section, const char *key)
{
	char k[96];

	snprintf(k, sizeof(k), "Lang.%s.%s", section, key);
	return hdf_get_value(r->hdf, k, key);
}

/* A section's title line and its column headings (keys of export.*). */
static void
heading(struct req *r, STRING *s, const char *title, const char *const *cols)
{
	if (s->len > 3)
		string_append(s, "\r\n");
	cell(s, word(r, "export", title), 0);
	string_append(s, "\r\n");
	for (int i = 0; cols[i]; i++)
		cell(s, word(r, "export", cols[i]), 0);
	string_append(s, "\r\n");
}

static int
account_part(struct req *r, STRING *s, int64_t id)
{
	static const char *const cols[] = { "holder", "building", "room",
	    "status", "phone", "agreed", NULL };
	struct dbres *res = db_query(r->db, q[Q_ACCOUNT], "sl", web_tz(r), id);

	if (res == NULL)
		return -1;
	heading(r, s, "account", cols);
	if (db_next(res) == 1) {
		for (int i = 0; i < 6; i++)
			cell(s, i == 3 ? word(r, "export.status", db_col(res, i)) :
			    db_col(res, i), 1);
		string_append(s, "\r\n");
	}
	db_res_free(res);
	return 1;
}

/* The entries (LEDGER) or the online orders: time, then the columns. */
static long
money_part(struct req *r, STRING *s, int64_t id, int ledger)
{
	static const char *const ecols[] = { "at", "kind", "amount", "meter",
	    NULL };
	static const char *const ocols[] = { "at", "order", "channel", "amount",
	    "state", NULL };
	struct dbres *res = db_query(r->db, q[ledger ? Q_ENTRIES : Q_ORDERS],
	    "sl", web_tz(r), id);
	char buf[32];
	long n = 0;

	if (res == NULL)
		return -1;
	heading(r, s, ledger ? "entries" : "orders", ledger ? ecols : ocols);
	for (; db_next(res) == 1; n++) {
		cell(s, db_col(res, 0), 0);
		if (ledger) {
			cell(s, word(r, "kind", db_col(res, 1)), 0);
			cell(s, money_format(db_coll(res, 2), buf, sizeof(buf)), 0);
			cell(s, db_col(res, 3), 1);
		} else {
			cell(s, db_col(res, 1), 1);
			cell(s, word(r, "pay", db_col(res, 2)), 0);
			cell(s, money_format(db_coll(res, 3), buf, sizeof(buf)), 0);
			cell(s, word(r, "export.state", db_col(res, 4)), 0);
		}
		string_append(s, "\r\n");
	}
	db_res_free(res);
	return n;
}

static long
use_part(struct req *r, STRING *s, int64_t id)
{
	static const char *const cols[] = { "month", "meter", "kwh", NULL };
	struct dbres *res = db_query(r->db, q[Q_USE], "l", id);
	char buf[32];
	long n = 0;

	if (res == NULL)
		return -1;
	heading(r, s, "use", cols);
	for (; db_next(res) == 1; n++) {
		cell(s, db_col(res, 0), 0);
		cell(s, db_col(res, 1), 1);
		cell(s, decimal_format(db_coll(res, 2), 2, buf, sizeof(buf)), 0);
		string_append(s, "\r\n");
	}
	db_res_free(res);
	return n;
}

int
page_export(struct req *r)
{
	int64_t id = r->sess->account_id;
	long n[4];
	STRING s;

	string_init(&s);
	string_append(&s, "\xef\xbb\xbf");	/* UTF-8's BOM: Excel reads it so */
	n[0] = account_part(r, &s, id);
	n[1] = n[0] < 0 ? -1 : money_part(r, &s, id, 1);
	n[2] = n[1] < 0 ? -1 : money_part(r, &s, id, 0);
	n[3] = n[2] < 0 ? -1 : use_part(r, &s, id);
	if (n[3] < 0 || s.buf == NULL) {
		string_clear(&s);
		return -1;
	}
	web_log_export(r, "csv", n[0] + n[1] + n[2] + n[3]);
	FCGX_FPrintF(r->out, "Status: 200 OK\r\n"
	    "Content-Type: text/csv; charset=utf-8\r\n"
	    "Content-Disposition: attachment; filename=\"my-data.csv\"\r\n"
	    "Cache-Control: no-store\r\nContent-Length: %d\r\n\r\n", s.len);
	if (strcmp(r->method, "HEAD") != 0)
		FCGX_PutStr(s.buf, s.len, r->out);
	string_clear(&s);
	r->done = 1;
	return 0;
}
