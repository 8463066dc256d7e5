/* web.h - the FastCGI kit both web programs use: the request, its loop, forms, lists, rendering and the log by actor. */
#ifndef WEB_H
#define WEB_H

#include <stddef.h>
#include <stdint.h>

#include <fcgiapp.h>
#include <ClearSilver.h>

#include "oplog.h"
#include "settings.h"

struct config;
struct db;
struct dbres;
struct session;		/* each program's own: who is signed in */

#define R_PUBLIC 0	/* a route anyone may use; other values are the program's */
/* A column a session query adds for r->settings_version. */
#define SETTINGS_VERSION_COL "(SELECT version FROM settings_version WHERE id = 1)"

struct req {
	FCGX_Stream *in, *out, *err;
	FCGX_ParamArray envp;
	HDF *hdf;
	CGI *cgi;
	struct db *db;
	const struct config *cf;
	const char *method;
	char path[256];
	const char *addr;
	int is_post;
	int https;

	/* the session (the program's; never NULL once loaded), its form
	 * key, and who acts for the operation log */
	struct session *sess;
	char csrf[65];
	struct actor actor;
	int signed_in;		/* set by the program's session hook */
	int must_change;	/* signed in, but the first password first */
	/* the session hook could not ask the database: the request is
	 * answered 503, never taken for a stranger's */
	int db_lost;
	/* the settings version when the session hook's query read it
	 * (SETTINGS_VERSION_COL), saving the kit a query; else 0 */
	uint64_t settings_version;

	/* the response */
	int status;
	const char *tpl;
	char location[512];
	char cookies[2][256];
	int ncookies;
	int done;		/* the page wrote its own response */
};

/* A page: fills r->hdf and names a template; returns 0, or -1 for a 500. */
typedef int (*page_fn)(struct req *);

struct route {
	const char *path;
	unsigned methods;	/* M_GET | M_POST */
	int right;		/* R_PUBLIC, or what the program's allow() checks */
	page_fn fn;
};
#define M_GET 1u
#define M_POST 2u
#define M_UPLOAD 4u	/* a POST may be multipart/form-data (a file) */
#define M_RAW 8u	/* the page writes its whole answer before the form is
			 * parsed or a session looked up (no template, not
			 * counted), e.g. /metrics */

/*
 * A web program: what the kit's loop needs of it. A route that is not
 * R_PUBLIC needs a session: signed out, a GET goes to LOGIN and a POST is
 * refused; while the first password is due, every page but PASSWORD and
 * LOGOUT goes to PASSWORD?first=1; then ALLOW (the program's rights) and,
 * for a POST, the session's form key.
 */
struct site {
	const char *name;	/* its log, templates/NAME/, lang/NAME.LANG.hdf */
	const struct route *routes;
	size_t nroutes;
	const char *login, *password, *logout;	/* its paths */
	/* Sets r->sess, and r->signed_in, r->must_change, r->csrf and
	 * r->actor when signed in; r->settings_version when its query read
	 * it. Called before the settings are brought up to date. */
	void (*session)(struct req *);
	/* The program's own check of a route (its rights), or NULL: 1 go
	 * on, 0 answered. */
	int (*allow)(struct req *, const struct route *);
	/* What every rendered page shows (the site's name, who is in). */
	void (*common)(struct req *);
	/* Where its settings come from (its account may read only a view);
	 * the kit keeps a copy per worker, read again when they change. */
	enum settings_from settings;
};

/*
 * The program: -w N supervised workers (restarted when they die, with a
 * pause that doubles while they die young), or one process; each checks,
 * parses, finds the session, routes and renders requests until TERM.
 */
int web_main(const struct site *, int argc, char **argv);
/* 1 when the request's csrf field is its session's form key. */
int web_csrf_ok(struct req *);

/* Field kinds of a declared input table. */
enum ftype {
	FT_TEXT, FT_INT, FT_MONEY, FT_PRICE, FT_LOGIN, FT_PHONE,
	FT_PASSWORD, FT_HOST, FT_BUSADDR, FT_BOOL, FT_ID, FT_CHOICE
};

struct field {
	const char *name;
	enum ftype type;
	int required;
	long min, max;		/* FT_INT/FT_MONEY range; FT_TEXT max chars */
	const char *const *choices;	/* FT_CHOICE: NULL-terminated */
};

struct fval {
	const char *s;		/* the text as sent (borrowed from the HDF) */
	int64_t i;		/* the typed value: int, fen, price, bool, id */
	int set;		/* a non-empty value was sent */
};

/* Validates the declared fields from Query.*; keeps every value in Form.*,
 * writes each error's text to Form.err.NAME; returns the number of errors. */
int form_check(struct req *, const struct field *, size_t n, struct fval *);
/* Sets one field's error by its language key under err; returns 1 for
 * counting. web_error takes the whole key ("rep.err.floor"). */
int form_error(struct req *, const char *field, const char *key);
int web_error(struct req *, const char *field, const char *key);

/*
 * GET filters, kept in Filter.NAME for the form. Empty is no filter (NONE,
 * 0 or ""); anything else must be a whole number in [MIN, MAX], the id of
 * a row LIST.N.id of the HDF (e.g. Buildings from web_buildings), or one of
 * CHOICES; if not, ERRKEY's text goes next to the field and the filter is
 * not applied.
 */
int64_t web_filter_int(struct req *, const char *name, int64_t min,
    int64_t max, int64_t none, const char *errkey);
int64_t web_filter_id(struct req *, const char *name, const char *list,
    const char *errkey);
const char *web_filter_choice(struct req *, const char *name,
    const char *const *choices, const char *errkey);

/* The value of Query.NAME or DEF. */
const char *web_query(struct req *, const char *name, const char *def);
/* Query.NAME as a search: blanks (and the ideographic space) collapse to
 * one space and are trimmed, into OUT of SZ bytes. */
void web_search(struct req *, const char *name, char *out, size_t sz);
/* Query.NAME as a positive id, or 0. */
int64_t web_query_id(struct req *, const char *name);

void web_render(struct req *, const char *tpl);
void web_redirect(struct req *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* An error page with STATUS and the language text KEY; returns 0. */
int web_fail(struct req *, int status, const char *key);
/* A cookie on the path /: MAXAGE 0 deletes it, else the browser's session.
 * A session's cookie ("sid", "msid") is named __Host-NAME behind HTTPS. */
void web_cookie(struct req *, const char *name, const char *value, int maxage);
#define WEB_HOST_PREFIX "__Host-"
/* 1 when NAME is a session's cookie and the request came over HTTPS. */
int web_cookie_host(const struct req *, const char *name);
/* The value of the cookie NAME as __Host-NAME, else as NAME; NULL if none
 * (borrowed from the HDF). */
const char *web_cookie_get(struct req *, const char *name);
/* The language text of KEY (e.g. "err.required"), borrowed. */
const char *web_lang(struct req *, const char *key);

/* Copies every row of RES into PREFIX.N.COLUMN; returns the row count. */
long web_rows(struct req *, const char *prefix, struct dbres *res);
/* Copies the first row of RES into PREFIX.COLUMN; returns 1, or 0 if none. */
int web_row(struct req *, const char *prefix, struct dbres *res);
/* Runs the query SQL and copies its rows (web_rows; the count, or -1) or
 * its first row (web_row; 1, 0 none, or -1) into PREFIX. */
long web_query_rows(struct req *, const char *prefix, const char *sql,
    const char *fmt, ...);
int web_query_row(struct req *, const char *prefix, const char *sql,
    const char *fmt, ...);

/* Lists: a whitelist of sort keys, the page and its size from the query. */
struct list {
	int sort;		/* 1-based index of the key, negative: descending */
	long page, per, offset;
	int export;		/* ?export=xlsx: all rows, as a spreadsheet */
};
void web_list(struct req *, const char *const *sortkeys, const char *def,
    struct list *);
/* After the query: List.total and List.pages from the rows' "total". */
void web_list_done(struct req *, struct list *, long total);

/*
 * Ends a list page: with ?export=xlsx the rows of RES go out as NAME.xlsx
 * (headings HEADKEYS for the columns COLS); otherwise they go to Rows.N and
 * the page renders TPL. Frees RES; returns 0, or -1 when RES is NULL or the
 * export fails.
 */
int web_list_out(struct req *, struct list *, struct dbres *res,
    const char *name, const char *const *headkeys, const char *const *cols,
    size_t ncols, const char *tpl);

/*
 * Loads the object ID of an edit page with SQL (one "l" parameter): on a
 * GET into Form.*, on a POST as the "before" JSON of the log (the caller
 * frees *BEFORE). Returns 1, 0 when there is no such object (the page is
 * then a 404), or -1.
 */
int web_edit_load(struct req *, const char *sql, int64_t id, char **before);

/* What an edit page saved: its kind ("building"), the object's id, whether
 * it was new, and the form and the before JSON (web_edit_load) for the log. */
struct saved {
	const char *kind;
	int64_t id;
	int created;
	const struct field *fields;
	size_t nfields;
	const struct fval *v;
	char *before;		/* freed by web_edit_saved */
};

/*
 * The end of an edit page's save: with N the insert's or update's result,
 * -1 with a duplicate key sets the error DUPKEY next to DUPFIELD; any other
 * -1 is an error; otherwise the change is logged (KIND.create or KIND.edit
 * on KIND:ID, before and after) and the page goes back to LIST?ok=saved.
 * Frees S->before. Returns 0, or -1 for a 500.
 */
int web_edit_saved(struct req *, long n, const struct saved *s,
    const char *dupfield, const char *dupkey, const char *list);

/*
 * Sends the rows of RES as an .xlsx file named NAME with the language
 * headers of HEADKEYS (Lang.KEY) for the columns COLS of RES. A column is
 * declared as "name" (text) or "name:TYPE": int; yuan (fen in the row,
 * written as yuan, 0.00); kwh (0.01 kWh in the row, 0.00); date
 * (YYYY-MM-DD); datetime (YYYY-MM-DD HH:MM[:SS]); label.SECTION (the text
 * Lang.SECTION.VALUE, or the value itself). A "+" after the type adds the
 * column up into a last, bold totals row (合计).
 */
int web_xlsx(struct req *, const char *name, const char *const *headkeys,
    const char *const *cols, size_t ncols, struct dbres *res);

/* The same from the rows PREFIX.N.COLUMN of the HDF. */
int web_xlsx_hdf(struct req *, const char *name, const char *const *headkeys,
    const char *const *cols, size_t ncols, const char *prefix);

/* Who acts in the request (r->actor) for the operation log, copied to A. */
const struct actor *web_actor(struct req *, struct actor *a);
/* The operation log: ACTION, OBJECT, before and after as JSON or NULL. */
void web_log(struct req *, const char *action, const char *object,
    const char *before, const char *after);
/* The fields of a declared form as a JSON object (passwords left out);
 * returns a string the caller frees. */
char *web_json_form(const struct field *, size_t n, const struct fval *);
/* The first row of RES as a JSON object; returns a string the caller frees. */
char *web_json_row(struct dbres *res);

/* The site's offset from UTC for display, e.g. "+08:00". */
const char *web_tz(struct req *);

/* A command's error as the collector recorded it (English, for the log)
 * in the staff's language, into BUF of SZ; returns BUF ("" for none). */
const char *web_cmd_error(struct req *, const char *err, char *buf,
    size_t sz);
/* For each row PREFIX.N, sets TO to the words of the command error FROM. */
void web_cmd_error_col(struct req *, const char *prefix, const char *from,
    const char *to);

/* For each row PREFIX.N, sets TO to the yuan text of the fen column FROM. */
void web_money_col(struct req *, const char *prefix, const char *from,
    const char *to);

/* The buildings for a page's choices, into Buildings.N; 0 or -1. */
int web_buildings(struct req *);
/* The date filter ?from=&to= into Filter.*: a bad date, or an end before
 * the start, is an error next to its field and counts as no limit. */
void web_dates(struct req *, const char **from, const char **to);

/* 1 when S is empty or a date YYYY-MM-DD, else 0. */
int web_date_ok(const char *s);

/* A site setting as a number, its default when not stored (settings.h),
 * from the worker's copy as of the start of the request; -1 for a name the
 * settings table does not know. */
int64_t web_setting(struct req *, const char *name);
/* A site setting's stored text from the same copy, or NULL when it is not
 * stored (the student site sees only its view's settings). */
const char *web_setting_text(struct req *, const char *name);

#endif
