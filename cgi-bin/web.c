/* web.c - the kit's forms, lists, rendering and operation log, shared by the pages of both web programs. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "money.h"
#include "oplog.h"
#include "settings.h"
#include "valid.h"
#include "web.h"
#include "xlsx.h"

enum {
	Q_BUILDINGS
};
static const char *const q[] = {
	[Q_BUILDINGS] = "SELECT id, name, floors FROM buildings ORDER BY name",
};

const char *
web_lang(struct req *r, const char *key)
{
	char name[160];

	snprintf(name, sizeof(name), "Lang.%s", key);
	return hdf_get_value(r->hdf, name, key);
}

const char *
web_query(struct req *r, const char *name, const char *def)
{
	char key[128];

	snprintf(key, sizeof(key), "Query.%s", name);
	return hdf_get_value(r->hdf, key, def);
}

int64_t
web_query_id(struct req *r, const char *name)
{
	const char *s = web_query(r, name, NULL);
	long v;

	if (s == NULL || valid_int(s, 1, 2147483647L, &v) != NULL)
		return 0;
	return v;
}

/* Blanks (and the ideographic space) in a search collapse to one space:
 * "1号楼  105" finds building 1号楼, room 105. */
void
web_search(struct req *r, const char *name, char *out, size_t sz)
{
	const char *in = web_query(r, name, "");
	size_t o = 0;
	int blank = 0;

	for (; *in && o + 4 < sz; in++) {
		if (*in == ' ' || *in == '\t' || strncmp(in, "\xe3\x80\x80", 3) == 0) {
			if (*in == '\xe3')
				in += 2;
			blank = o > 0;
			continue;
		}
		if (blank)
			out[o++] = ' ';
		blank = 0;
		out[o++] = *in;
	}
	out[o] = '\0';
}

int
web_error(struct req *r, const char *field, const char *key)
{
	char name[128];

	snprintf(name, sizeof(name), "Form.err.%s", field);
	/* the first error of a field is the one to show */
	if (hdf_get_value(r->hdf, name, NULL) == NULL)
		hdf_set_value(r->hdf, name, web_lang(r, key));
	hdf_set_int_value(r->hdf, "Form.nerrors",
	    hdf_get_int_value(r->hdf, "Form.nerrors", 0) + 1);
	return 1;
}

int
form_error(struct req *r, const char *field, const char *key)
{
	char lkey[128];

	snprintf(lkey, sizeof(lkey), "err.%s", key);
	return web_error(r, field, lkey);
}

/* Query.NAME, kept in Filter.NAME for the form. */
static const char *
filter_text(struct req *r, const char *name)
{
	const char *s = web_query(r, name, "");
	char key[64];

	snprintf(key, sizeof(key), "Filter.%s", name);
	hdf_set_value(r->hdf, key, s);
	return s;
}

/* 1 when S is a whole number in [MIN, MAX], in *V. */
static int
whole(const char *s, int64_t min, int64_t max, int64_t *v)
{
	char *end;

	if (*s == '\0' || strlen(s) > 18)
		return 0;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0' && *v >= min && *v <= max;
}

int64_t
web_filter_int(struct req *r, const char *name, int64_t min, int64_t max,
    int64_t none, const char *errkey)
{
	const char *s = filter_text(r, name);
	int64_t v;

	if (*s == '\0')
		return none;
	if (whole(s, min, max, &v))
		return v;
	web_error(r, name, errkey);
	return none;
}

int64_t
web_filter_id(struct req *r, const char *name, const char *list,
    const char *errkey)
{
	const char *s = filter_text(r, name);
	int64_t v;

	if (*s == '\0')
		return 0;
	if (whole(s, 1, INT64_MAX, &v))
		for (HDF *h = hdf_get_child(r->hdf, list); h;
		    h = hdf_obj_next(h))
			if (hdf_get_int_value(h, "id", 0) == v)
				return v;
	web_error(r, name, errkey);
	return 0;
}

const char *
web_filter_choice(struct req *r, const char *name,
    const char *const *choices, const char *errkey)
{
	const char *s = filter_text(r, name);

	if (*s == '\0')
		return "";
	for (int i = 0; choices[i]; i++)
		if (strcmp(choices[i], s) == 0)
			return choices[i];
	web_error(r, name, errkey);
	return "";
}

static const char *
check_one(const struct field *f, const char *s, struct fval *v)
{
	long n = 0;
	const char *e;

	switch (f->type) {
	case FT_TEXT:
		return valid_text(s, f->max ? (size_t)f->max : 255);
	case FT_INT:
		e = valid_int(s, f->min, f->max, &n);
		v->i = n;
		return e;
	case FT_ID:
		e = valid_int(s, 1, 2147483647L, &n);
		v->i = n;
		return e ? "bad_choice" : NULL;
	case FT_MONEY:
		return valid_money(s, f->min, f->max ? f->max : MONEY_MAX, &v->i);
	case FT_PRICE:
		return valid_price(s, &v->i);
	case FT_LOGIN:
		return valid_login(s);
	case FT_PHONE:
		return valid_phone(s);
	case FT_PASSWORD:	/* characters, not bytes: 128 Chinese ones fit */
		return utf8_len(s) < 0 ? "pw_bad_utf8" :
		    utf8_len(s) > PW_MAX_CHARS ? "pw_long" : NULL;
	case FT_HOST:
		return valid_host(s);
	case FT_BUSADDR:
		return valid_bus_address(s);
	case FT_BOOL:
		v->i = strcmp(s, "0") != 0;
		return NULL;
	case FT_CHOICE:
		for (size_t i = 0; f->choices && f->choices[i]; i++)
			if (strcmp(s, f->choices[i]) == 0) {
				v->i = (int64_t)i;
				return NULL;
			}
		return "bad_choice";
	}
	return "bad_choice";
}

int
form_check(struct req *r, const struct field *fields, size_t n,
    struct fval *vals)
{
	int nerr = 0;

	for (size_t i = 0; i < n; i++) {
		const struct field *f = &fields[i];
		struct fval *v = &vals[i];
		const char *s = web_query(r, f->name, "");
		const char *e = NULL;
		char key[128];
		char *trimmed = NULL;

		memset(v, 0, sizeof(*v));
		/* Keep what the user typed, passwords excepted. */
		if (f->type != FT_PASSWORD) {
			/* surrounding blanks are never meant */
			size_t a = 0, b = strlen(s);

			while (s[a] == ' ' || s[a] == '\t')
				a++;
			while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
				b--;
			if (a > 0 || b < strlen(s)) {
				trimmed = strndup(s + a, b - a);
				snprintf(key, sizeof(key), "Query.%s", f->name);
				hdf_set_value(r->hdf, key, trimmed);
				free(trimmed);
				s = web_query(r, f->name, "");
			}
			/* numbers typed in full width are meant as numbers */
			if (f->type == FT_INT || f->type == FT_MONEY ||
			    f->type == FT_PRICE || f->type == FT_ID) {
				char half[128];

				if (valid_halfwidth(s, half, sizeof(half)) == 1) {
					snprintf(key, sizeof(key), "Query.%s",
					    f->name);
					hdf_set_value(r->hdf, key, half);
					s = web_query(r, f->name, "");
				}
			}
			snprintf(key, sizeof(key), "Form.%s", f->name);
			hdf_set_value(r->hdf, key, s);
		}
		v->s = s;
		if (*s == '\0') {
			if (f->type == FT_BOOL) {
				v->i = 0;
				continue;
			}
			if (f->required)
				nerr += form_error(r, f->name, "required");
			continue;
		}
		v->set = 1;
		if ((e = check_one(f, s, v)) != NULL) {
			/* a bad value is not set: later checks leave it alone */
			v->set = 0;
			v->i = 0;
			nerr += form_error(r, f->name, e);
		}
	}
	return nerr;
}

static void
wipe_value(const char *s)
{
	if (s != NULL)
		OPENSSL_cleanse((char *)s, strlen(s));
}

void
form_wipe(struct req *r, const struct field *fields, size_t n)
{
	char key[128];
	HDF *o;

	for (size_t i = 0; i < n; i++) {
		if (fields[i].type != FT_PASSWORD)
			continue;
		snprintf(key, sizeof(key), "Query.%s", fields[i].name);
		if ((o = hdf_get_obj(r->hdf, key)) == NULL)
			continue;
		/* the HDF's own copies: the value, and each one of a name
		 * sent more than once (its children) */
		wipe_value(hdf_obj_value(o));
		for (HDF *c = hdf_obj_child(o); c != NULL; c = hdf_obj_next(c))
			wipe_value(hdf_obj_value(c));
	}
}

void
web_render(struct req *r, const char *tpl)
{
	r->tpl = tpl;
}

void
web_redirect(struct req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->location, sizeof(r->location), fmt, ap);
	va_end(ap);
	r->status = 303;
}

int
web_fail(struct req *r, int status, const char *key)
{
	r->status = status;
	hdf_set_int_value(r->hdf, "Error.status", status);
	hdf_set_value(r->hdf, "Error.message", web_lang(r, key));
	r->tpl = "error.cs";
	return 0;
}

/* The cookies that carry a session: behind HTTPS they are __Host-NAME
 * (ASVS 3.4.4: Secure, Path=/, no Domain, so no other host may set them). */
static const char *const session_cookies[] = { "sid", "msid", NULL };

int
web_cookie_host(const struct req *r, const char *name)
{
	if (!r->https)
		return 0;
	for (int i = 0; session_cookies[i]; i++)
		if (strcmp(name, session_cookies[i]) == 0)
			return 1;
	return 0;
}

void
web_cookie(struct req *r, const char *name, const char *value, int maxage)
{
	if (r->ncookies >= 2)
		return;
	snprintf(r->cookies[r->ncookies++], sizeof(r->cookies[0]),
	    "%s%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
	    web_cookie_host(r, name) ? WEB_HOST_PREFIX : "", name, value,
	    r->https ? "; Secure" : "", maxage == 0 ? "; Max-Age=0" : "");
}

const char *
web_cookie_get(struct req *r, const char *name)
{
	char key[64];
	const char *v;

	snprintf(key, sizeof(key), "Cookie." WEB_HOST_PREFIX "%s", name);
	if ((v = hdf_get_value(r->hdf, key, NULL)) != NULL)
		return v;
	snprintf(key, sizeof(key), "Cookie.%s", name);
	return hdf_get_value(r->hdf, key, NULL);
}

/* N (>= 0) in decimal into KEY: a row's name, without printf's cost a row */
static void
ltoa10(char key[24], long n)
{
	char t[24];
	int i = 0, j = 0;

	do
		t[i++] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	while (i > 0)
		key[j++] = t[--i];
	key[j] = '\0';
}

long
web_rows(struct req *r, const char *prefix, struct dbres *res)
{
	long n = 0;
	char key[24];
	HDF *list = NULL, *row;
	NEOERR *err;

	if (res == NULL)
		return 0;
	while (db_next(res) == 1) {
		/* the list's node at the first row, each row's once, its
		 * columns under it */
		ltoa10(key, n);
		if ((list == NULL && (err = hdf_get_node(r->hdf, prefix,
		    &list)) != STATUS_OK) ||
		    (err = hdf_get_node(list, key, &row)) != STATUS_OK) {
			nerr_ignore(&err);
			return n;
		}
		for (int c = 0; c < db_ncols(res); c++) {
			const char *v = db_col(res, c);
			const char *name = db_colname(res, c);

			/*
			 * A list's total (COUNT(*) OVER ()) is read from its first row
			 * only: without it on the others, a row of eleven columns stays
			 * under ClearSilver's FORCE_HASH_AT and gets no hash table.
			 */
			if (n > 0 && strcmp(name, "total") == 0)
				continue;
			hdf_set_value(row, name, v ? v : "");
		}
		n++;
	}
	return n;
}

int
web_row(struct req *r, const char *prefix, struct dbres *res)
{
	char key[160];

	if (res == NULL || db_next(res) != 1)
		return 0;
	for (int c = 0; c < db_ncols(res); c++) {
		const char *v = db_col(res, c);

		snprintf(key, sizeof(key), "%s.%s", prefix, db_colname(res, c));
		hdf_set_value(r->hdf, key, v ? v : "");
	}
	return 1;
}

/* The rows (ONE: the first row) of SQL into PREFIX: see web_query_rows. */
static long
vfill(struct req *r, const char *prefix, int one, const char *sql,
    const char *fmt, va_list ap)
{
	struct dbres *res = db_vquery(r->db, 0, sql, fmt, ap);
	long n;

	if (res == NULL)
		return -1;
	n = one ? web_row(r, prefix, res) : web_rows(r, prefix, res);
	db_res_free(res);
	return n;
}

long
web_query_rows(struct req *r, const char *prefix, const char *sql,
    const char *fmt, ...)
{
	va_list ap;
	long n;

	va_start(ap, fmt);
	n = vfill(r, prefix, 0, sql, fmt, ap);
	va_end(ap);
	return n;
}

int
web_query_row(struct req *r, const char *prefix, const char *sql,
    const char *fmt, ...)
{
	va_list ap;
	long n;

	va_start(ap, fmt);
	n = vfill(r, prefix, 1, sql, fmt, ap);
	va_end(ap);
	return (int)n;
}

void
web_list(struct req *r, const char *const *keys, const char *def,
    struct list *l)
{
	const char *s = web_query(r, "sort", def);
	const char *p = web_query(r, "page", "1");
	const char *per = web_query(r, "per", "50");
	int desc = 0;
	long v;

	memset(l, 0, sizeof(*l));
	if (*s == '-') {
		desc = 1;
		s++;
	}
	for (int i = 0; keys[i]; i++)
		if (strcmp(keys[i], s) == 0)
			l->sort = desc ? -(i + 1) : i + 1;
	if (l->sort == 0) {
		s = def;
		desc = *s == '-';
		s += desc;
		for (int i = 0; keys[i]; i++)
			if (strcmp(keys[i], s) == 0)
				l->sort = desc ? -(i + 1) : i + 1;
	}
	l->page = valid_int(p, 1, 1000000, &v) == NULL ? v : 1;
	l->per = valid_int(per, 1, 500, &v) == NULL ? v : 50;
	if (strcmp(web_query(r, "export", ""), "xlsx") == 0) {
		l->export = 1;
		l->page = 1;
		l->per = 1000000;
	}
	l->offset = (l->page - 1) * l->per;
	/* the filters as sent, for the sort, page and export links */
	{
		const char *qs = hdf_get_value(r->hdf, "CGI.QueryString", "");
		STRING base;

		string_init(&base);
		while (*qs) {
			size_t n = strcspn(qs, "&");

			if (strncmp(qs, "sort=", 5) && strncmp(qs, "page=", 5) &&
			    strncmp(qs, "export=", 7) && strncmp(qs, "ok=", 3) &&
			    n > 0) {
				if (base.len)
					string_append_char(&base, '&');
				string_appendn(&base, qs, (int)n);
			}
			qs += n + (qs[n] == '&');
		}
		hdf_set_value(r->hdf, "List.base", base.buf ? base.buf : "");
		string_clear(&base);
	}
	hdf_set_valuef(r->hdf, "List.sort=%s%s", desc ? "-" : "",
	    keys[abs(l->sort) - 1]);
	hdf_set_valuef(r->hdf, "List.sortkey=%s", keys[abs(l->sort) - 1]);
	hdf_set_int_value(r->hdf, "List.desc", desc);
	hdf_set_int_value(r->hdf, "List.page", (int)l->page);
	hdf_set_int_value(r->hdf, "List.per", (int)l->per);
}

void
web_list_done(struct req *r, struct list *l, long total)
{
	long pages = (total + l->per - 1) / l->per;

	hdf_set_int_value(r->hdf, "List.total", (int)total);
	hdf_set_int_value(r->hdf, "List.pages", (int)(pages ? pages : 1));
	if (l->page > 1)
		hdf_set_int_value(r->hdf, "List.prev", (int)l->page - 1);
	if (l->page < pages)
		hdf_set_int_value(r->hdf, "List.next", (int)l->page + 1);
}

/* An export of ROWS rows as FORMAT into the operation log (ASVS 8.3.5):
 * the page, its filter (the query) and the count. */
void
web_log_export(struct req *r, const char *format, long rows)
{
	const char *query = FCGX_GetParam("QUERY_STRING", r->envp);
	char n[24], *after;

	snprintf(n, sizeof(n), "%ld", rows);
	after = oplog_json("format", format, "filter", query ? query : "",
	    "rows", n, NULL);
	web_log(r, "export", r->path, NULL, after);
	free(after);
}

/* Streams the finished workbook X of ROWS rows as NAME.xlsx, logged as an
 * export; frees X. */
static int
xlsx_send(struct req *r, const char *name, struct xlsx *x, long rows)
{
	char buf[8192];
	ssize_t n;
	int fd;

	if ((fd = xlsx_close_fd(x)) == -1)
		return -1;
	web_log_export(r, "xlsx", rows);
	FCGX_FPrintF(r->out, "Status: 200 OK\r\n"
	    "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
	    "Content-Disposition: attachment; filename=\"%s.xlsx\"\r\n"
	    "Cache-Control: no-store\r\n\r\n", name);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		FCGX_PutStr(buf, (int)n, r->out);
	close(fd);
	r->done = 1;
	return 0;
}

/* An export column parsed from its declaration (see web.h). */
struct xcol {
	char name[64];
	enum xlsx_fmt fmt;
	char section[48];	/* label: the language section, or "" */
	int sum;		/* add it up into the totals row */
	int64_t total;
};

static void
xcol_parse(const char *spec, struct xcol *c)
{
	size_t n = strcspn(spec, ":");
	const char *t = spec[n] == ':' ? spec + n + 1 : "";
	size_t tl = strlen(t);

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%.*s", (int)n, spec);
	if (tl > 0 && t[tl - 1] == '+') {
		c->sum = 1;
		tl--;
	}
	c->fmt = XF_TEXT;
	if (tl == 3 && strncmp(t, "int", 3) == 0)
		c->fmt = XF_INT;
	else if (tl == 4 && strncmp(t, "yuan", 4) == 0)
		c->fmt = XF_YUAN;
	else if (tl == 3 && strncmp(t, "kwh", 3) == 0)
		c->fmt = XF_KWH;
	else if (tl == 4 && strncmp(t, "date", 4) == 0)
		c->fmt = XF_DATE;
	else if (tl == 8 && strncmp(t, "datetime", 8) == 0)
		c->fmt = XF_DATETIME;
	else if (tl > 6 && strncmp(t, "label.", 6) == 0)
		snprintf(c->section, sizeof(c->section), "%.*s", (int)(tl - 6),
		    t + 6);
}

/* Writes one value V of column C as its declared type. */
static void
xcol_put(struct req *r, struct xlsx *x, uint32_t row, uint16_t col,
    struct xcol *c, const char *v)
{
	char key[160], *end;
	long long n;

	if (v == NULL || *v == '\0')
		return;
	switch (c->fmt) {
	case XF_INT:
	case XF_YUAN:
	case XF_KWH:
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno || *end != '\0') {
			xlsx_cell(x, row, col, v);
			return;
		}
		c->total += n;
		/* fen and 0.01 kWh: the nearest double to the decimal */
		xlsx_number(x, row, col, c->fmt == XF_INT ? (double)n :
		    (double)n / 100.0, c->fmt, 0);
		return;
	case XF_DATE:
	case XF_DATETIME:
		xlsx_date(x, row, col, v, c->fmt);
		return;
	default:
		if (c->section[0]) {
			snprintf(key, sizeof(key), "Lang.%s.%s", c->section, v);
			v = hdf_get_value(r->hdf, key, v);
		}
		xlsx_cell(x, row, col, v);
	}
}

/* The totals row after the last row ROW, when a column is summed. */
static void
xcol_totals(struct req *r, struct xlsx *x, uint32_t row, struct xcol *c,
    size_t ncols)
{
	int any = 0;

	for (size_t i = 0; i < ncols; i++)
		any |= c[i].sum;
	if (!any)
		return;
	if (!c[0].sum)
		xlsx_bold(x, row, 0, web_lang(r, "page.sum"));
	for (size_t i = 0; i < ncols; i++)
		if (c[i].sum)
			xlsx_number(x, row, (uint16_t)i, c[i].fmt == XF_INT ?
			    (double)c[i].total : (double)c[i].total / 100.0,
			    c[i].fmt, 1);
}

static struct xlsx *
xlsx_start(struct req *r, const char *const *headkeys, size_t ncols)
{
	const char *heads[64];
	struct xlsx *x;

	if (ncols > 64)
		return NULL;
	for (size_t i = 0; i < ncols; i++) {
		char key[128];

		snprintf(key, sizeof(key), "Lang.%s", headkeys[i]);
		heads[i] = hdf_get_value(r->hdf, key, headkeys[i]);
	}
	if ((x = xlsx_new(config_get(r->cf, "tmp_dir", "/tmp"), "Sheet1")) != NULL)
		xlsx_header(x, heads, ncols);
	return x;
}

int
web_xlsx(struct req *r, const char *name, const char *const *headkeys,
    const char *const *cols, size_t ncols, struct dbres *res)
{
	struct xlsx *x = xlsx_start(r, headkeys, ncols);
	struct xcol xc[64];
	int idx[64];
	uint32_t row = 1;

	if (x == NULL)
		return -1;
	for (size_t i = 0; i < ncols; i++) {
		xcol_parse(cols[i], &xc[i]);
		idx[i] = -1;
		for (int c = 0; c < db_ncols(res); c++)
			if (strcmp(db_colname(res, c), xc[i].name) == 0)
				idx[i] = c;
	}
	while (db_next(res) == 1) {
		for (size_t i = 0; i < ncols; i++)
			xcol_put(r, x, row, (uint16_t)i, &xc[i], idx[i] >= 0 ?
			    db_col(res, idx[i]) : NULL);
		row++;
	}
	xcol_totals(r, x, row, xc, ncols);
	return xlsx_send(r, name, x, (long)row - 1);
}

int
web_xlsx_hdf(struct req *r, const char *name, const char *const *headkeys,
    const char *const *cols, size_t ncols, const char *prefix)
{
	struct xlsx *x = xlsx_start(r, headkeys, ncols);
	HDF *rows = hdf_get_obj(r->hdf, prefix);
	struct xcol xc[64];
	uint32_t n = 1;

	if (x == NULL)
		return -1;
	for (size_t i = 0; i < ncols; i++)
		xcol_parse(cols[i], &xc[i]);
	for (HDF *row = rows ? hdf_obj_child(rows) : NULL; row;
	    row = hdf_obj_next(row), n++)
		for (size_t i = 0; i < ncols; i++)
			xcol_put(r, x, n, (uint16_t)i, &xc[i],
			    hdf_get_value(row, xc[i].name, ""));
	xcol_totals(r, x, n, xc, ncols);
	return xlsx_send(r, name, x, (long)n - 1);
}

int
web_list_out(struct req *r, struct list *l, struct dbres *res,
    const char *name, const char *const *headkeys, const char *const *cols,
    size_t ncols, const char *tpl)
{
	int rc = 0;

	if (res == NULL)
		return -1;
	if (l->export)
		rc = web_xlsx(r, name, headkeys, cols, ncols, res);
	else {
		web_rows(r, "Rows", res);
		web_list_done(r, l, hdf_get_int_value(r->hdf, "Rows.0.total", 0));
		hdf_set_value(r->hdf, "Page.ok", web_query(r, "ok", ""));
		web_render(r, tpl);
	}
	db_res_free(res);
	return rc;
}

int
web_edit_load(struct req *r, const char *sql, int64_t id, char **before)
{
	struct dbres *res = db_query(r->db, sql, "l", id);
	int found;

	*before = NULL;
	if (res == NULL)
		return -1;
	if (r->is_post)
		found = (*before = web_json_row(res)) != NULL;
	else
		found = web_row(r, "Form", res);
	db_res_free(res);
	if (found)
		hdf_set_valuef(r->hdf, "Form.id=%lld", (long long)id);
	else
		web_fail(r, 404, "err.not_found");
	return found;
}

int
web_edit_saved(struct req *r, long n, const struct saved *s,
    const char *dupfield, const char *dupkey, const char *list)
{
	char obj[64], action[64], *after;

	if (n == -1) {
		free(s->before);
		if (db_errno(r->db) != DB_ER_DUP_ENTRY)
			return -1;
		form_error(r, dupfield, dupkey);
		return 0;
	}
	snprintf(obj, sizeof(obj), "%s:%lld", s->kind, (long long)s->id);
	snprintf(action, sizeof(action), "%s.%s", s->kind, s->created ?
	    "create" : "edit");
	after = web_json_form(s->fields, s->nfields, s->v);
	web_log(r, action, obj, s->before, after);
	free(s->before);
	free(after);
	web_redirect(r, "%s?ok=saved", list);
	return 0;
}

char *
web_json_form(const struct field *f, size_t n, const struct fval *v)
{
	struct json j;

	oplog_json_open(&j);
	for (size_t i = 0; i < n; i++)
		if (f[i].type != FT_PASSWORD && strcmp(f[i].name, "csrf") != 0)
			oplog_json_pair(&j, f[i].name, v[i].s ? v[i].s : "");
	return oplog_json_close(&j);
}

char *
web_json_row(struct dbres *res)
{
	struct json j;

	if (res == NULL || db_next(res) != 1)
		return NULL;
	oplog_json_open(&j);
	for (int c = 0; c < db_ncols(res); c++)
		oplog_json_pair(&j, db_colname(res, c), db_col(res, c));
	return oplog_json_close(&j);
}

const struct actor *
web_actor(struct req *r, struct actor *a)
{
	*a = r->actor;
	return a;
}

void
web_log(struct req *r, const char *action, const char *object,
    const char *before, const char *after)
{
	struct actor a;

	web_actor(r, &a);
	oplog_write(r->db, &a, action, object, before, after);
}

int64_t
web_setting(struct req *r, const char *name)
{
	(void)r;
	return settings_cached_int(name);
}

const char *
web_setting_text(struct req *r, const char *name)
{
	(void)r;
	return settings_cached(name);
}

const char *
web_tz(struct req *r)
{
	return config_get(r->cf, "tz_offset", "+08:00");
}

int
web_date_ok(const char *s)
{
	static const int mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int y, m, d;

	if (*s == '\0')
		return 1;
	/* exactly YYYY-MM-DD, digits only: no sign, space or short field */
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1])
		return 0;
	/* 29 February of a year that has none */
	return !(m == 2 && d == 29 && (y % 4 != 0 ||
	    (y % 100 == 0 && y % 400 != 0)));
}

/* Appends the language text KEY with {1} and {2} replaced by A and B. */
static void
cmderr_fill(struct req *r, const char *key, const char *a, const char *b,
    char *buf, size_t sz)
{
	const char *t = web_lang(r, key);
	size_t o = strlen(buf);

	for (; *t && o + 1 < sz; t++) {
		const char *v = NULL;

		if (strncmp(t, "{1}", 3) == 0)
			v = a;
		else if (strncmp(t, "{2}", 3) == 0)
			v = b;
		if (v) {
			o += (size_t)snprintf(buf + o, sz - o, "%s", v);
			if (o >= sz)
				o = sz - 1;
			t += 2;
			continue;
		}
		buf[o++] = *t;
	}
	buf[o] = '\0';
}

/* A link or protocol fault as the collector names it, in words. */
static void
cmderr_fault(struct req *r, const char *f, char *buf, size_t sz)
{
	unsigned exc;
	char x[8];

	if (sscanf(f, "exception 0x%2X", &exc) == 1) {
		snprintf(x, sizeof(x), "%02X", exc);
		cmderr_fill(r, "cmderr.exception", x, "", buf, sz);
	} else if (strcmp(f, "timeout") == 0)
		cmderr_fill(r, "cmderr.timeout", "", "", buf, sz);
	else if (strcmp(f, "bad frame") == 0)
		cmderr_fill(r, "cmderr.bad_frame", "", "", buf, sz);
	else
		cmderr_fill(r, "cmderr.link", "", "", buf, sz);
}

const char *
web_cmd_error(struct req *r, const char *err, char *buf, size_t sz)
{
	int n1, n2;
	unsigned exc;
	char a[16], b[16];

	buf[0] = '\0';
	if (err == NULL || *err == '\0')
		return buf;
	if (sscanf(err, "refused by the meter (exception 0x03, count %d,"
	    " bad tokens %d)", &n1, &n2) == 2) {
		snprintf(a, sizeof(a), "%d", n1);
		snprintf(b, sizeof(b), "%d", n2);
		cmderr_fill(r, "cmderr.token_refused", a, b, buf, sz);
	} else if (sscanf(err, "refused by the meter (exception 0x%2X)",
	    &exc) == 1) {
		snprintf(a, sizeof(a), "%02X", exc);
		cmderr_fill(r, "cmderr.refused", a, "", buf, sz);
	} else if (strcmp(err, "refused, count check failed") == 0)
		cmderr_fill(r, "cmderr.count_check", "", "", buf, sz);
	else if (sscanf(err, "read-back: count %d", &n1) == 1) {
		snprintf(a, sizeof(a), "%d", n1);
		cmderr_fill(r, "cmderr.readback_count", a, "", buf, sz);
	} else if (strncmp(err, "token write: ", 13) == 0 ||
	    strncmp(err, "read-back: ", 11) == 0) {
		char fault[128] = "";
		int w = err[0] == 't';

		cmderr_fault(r, err + (w ? 13 : 11), fault, sizeof(fault));
		cmderr_fill(r, w ? "cmderr.write" : "cmderr.readback", fault, "",
		    buf, sz);
	} else
		cmderr_fill(r, "cmderr.other", "", "", buf, sz);
	return buf;
}

/* For each row PREFIX.N with a value in FROM, TO = FN(FROM). */
static void
col_map(struct req *r, const char *prefix, const char *from, const char *to,
    const char *(*fn)(struct req *, const char *, char *, size_t))
{
	HDF *rows = hdf_get_obj(r->hdf, prefix);
	char buf[256];

	for (HDF *row = rows ? hdf_obj_child(rows) : NULL; row;
	    row = hdf_obj_next(row)) {
		const char *v = hdf_get_value(row, from, "");

		if (*v != '\0')
			hdf_set_value(row, to, fn(r, v, buf, sizeof(buf)));
	}
}

static const char *
yuan(struct req *r, const char *fen, char *buf, size_t sz)
{
	return money_format(strtoll(fen, NULL, 10), buf, sz);
}

void
web_cmd_error_col(struct req *r, const char *prefix, const char *from,
    const char *to)
{
	col_map(r, prefix, from, to, web_cmd_error);
}

void
web_money_col(struct req *r, const char *prefix, const char *from,
    const char *to)
{
	col_map(r, prefix, from, to, yuan);
}

/* The buildings as last read, kept while the settings version (which a
 * change of the buildings moves) stays; the version they were read at. */
#define BUILDINGS_MAX 256
static struct {
	char id[24], name[160], floors[24];
} bcache[BUILDINGS_MAX];
static int nbcache;
static uint64_t bversion;

static int
buildings_load(struct req *r)
{
	struct dbres *res = db_query(r->db, q[Q_BUILDINGS], "");
	int rc;

	nbcache = 0;
	bversion = 0;
	if (res == NULL)
		return -1;
	while ((rc = db_next(res)) == 1 && nbcache < BUILDINGS_MAX) {
		snprintf(bcache[nbcache].id, sizeof(bcache[0].id), "%s",
		    db_col(res, 0));
		snprintf(bcache[nbcache].name, sizeof(bcache[0].name), "%s",
		    db_col(res, 1) ? db_col(res, 1) : "");
		snprintf(bcache[nbcache].floors, sizeof(bcache[0].floors), "%s",
		    db_col(res, 2) ? db_col(res, 2) : "");
		nbcache++;
	}
	db_res_free(res);
	if (rc == -1 || rc == 1) {	/* an error, or more than kept */
		nbcache = 0;
		return -1;
	}
	bversion = settings_version();
	return 0;
}

int
web_buildings(struct req *r)
{
	uint64_t v = settings_version();

	if ((v == 0 || v != bversion) && buildings_load(r) == -1) {
		/* too many to keep, or an error: straight from the query */
		struct dbres *res = db_query(r->db, q[Q_BUILDINGS], "");

		if (res == NULL)
			return -1;
		web_rows(r, "Buildings", res);
		db_res_free(res);
		return 0;
	}
	for (int i = 0; i < nbcache; i++) {
		hdf_set_valuef(r->hdf, "Buildings.%d.id=%s", i, bcache[i].id);
		hdf_set_valuef(r->hdf, "Buildings.%d.name=%s", i,
		    bcache[i].name);
		hdf_set_valuef(r->hdf, "Buildings.%d.floors=%s", i,
		    bcache[i].floors);
	}
	return 0;
}

void
web_dates(struct req *r, const char **from, const char **to)
{
	*from = web_query(r, "from", "");
	*to = web_query(r, "to", "");
	hdf_set_value(r->hdf, "Filter.from", *from);
	hdf_set_value(r->hdf, "Filter.to", *to);
	if (!web_date_ok(*from)) {
		form_error(r, "from", "bad_date");
		*from = "";
	}
	if (!web_date_ok(*to)) {
		form_error(r, "to", "bad_date");
		*to = "";
	}
	/* a range that ends before it begins is said so, not shown empty */
	if (**from && **to && strcmp(*from, *to) > 0) {
		form_error(r, "to", "date_order");
		*to = "";
	}
}
