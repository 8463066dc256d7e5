/* request.c - fuzzes the web programs' request path up to the page (cgi-bin/loop.c, web.c): the request's checks, ClearSilver's CGI parser fed as the workers feed it, and the kit's declared-input checks of a form and a list. */
#include <libgen.h>
#include <limits.h>

/*
 * loop.c itself, so that its static request functions are the ones run:
 * the FastCGI streams are made from the input instead of a socket.
 */
#include "../../cgi-bin/loop.c"

/* the language files, read once (loop.c keeps its own in the worker HDF) */
static HDF *flangs[2];

#include "money.h"
#include "valid.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "property failed: %s " \
	"(line %d)\n", #c, __LINE__); abort(); } } while (0)

static int
page(struct req *r)
{
	return 0;
}

static const struct route routes[] = {
	{ "/login", M_GET | M_POST, R_PUBLIC, page },
	{ "/sell", M_GET | M_POST, 1, page },
	{ "/gateway", M_GET | M_POST, 1, page },
	{ "/meters/import", M_GET | M_POST | M_UPLOAD, 1, page },
	{ "/report/sales", M_GET, 1, page },
	{ "/metrics", M_GET | M_RAW, R_PUBLIC, page },
};
static const struct site fuzz_site = {
	.name = "staff", .routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.login = "/login", .password = "/password", .logout = "/logout",
};

/* The sample form: the sale's fields (page-sell.c), a gateway's, and one
 * of each other kind. */
static const char *const kinds[] = { "credit", "debit", NULL };
static const struct field fields[] = {
	{ "account", FT_ID, 1, 0, 0, NULL },
	{ "meter", FT_ID, 1, 0, 0, NULL },
	{ "amount", FT_MONEY, 1, 1, 0, NULL },
	{ "idem", FT_TEXT, 1, 0, 64, NULL },
	{ "confirm", FT_BOOL, 0, 0, 0, NULL },
	{ "name", FT_TEXT, 0, 0, 32, NULL },
	{ "host", FT_HOST, 0, 0, 0, NULL },
	{ "ports", FT_INT, 0, 1, 8, NULL },
	{ "phone", FT_PHONE, 0, 0, 0, NULL },
	{ "login", FT_LOGIN, 0, 0, 0, NULL },
	{ "password", FT_PASSWORD, 0, 0, 0, NULL },
	{ "price", FT_PRICE, 0, 0, 0, NULL },
	{ "addr1", FT_BUSADDR, 0, 0, 0, NULL },
	{ "kind", FT_CHOICE, 0, 0, 0, kinds },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))
static const char *const sortkeys[] = { "at", "amount", "meter", NULL };
static const char *const methods[] = { "cash", "wechat", "alipay", NULL };
static const char csrf[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* The FastCGI streams over memory: the body to read, a sink to write. */
static void
no_more(FCGX_Stream *s)
{
	s->isClosed = 1;
}

static unsigned char sink[4096];

static void
drain(FCGX_Stream *s, int doclose)
{
	s->wrNext = sink;
}

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char self[PATH_MAX], path[PATH_MAX + 64], *top;

	site = &fuzz_site;
	/* build/fuzz/request: the tree is two up */
	if (realpath((*argv)[0], self) == NULL)
		abort();
	top = dirname(dirname(dirname(self)));
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/templates/lang/staff.%s.hdf",
		    top, i == LANG_ZH ? "zh-CN" : "en");
		if (hdf_init(&flangs[i]) != STATUS_OK ||
		    hdf_read_file(flangs[i], path) != STATUS_OK) {
			fprintf(stderr, "cannot read %s\n", path);
			abort();
		}
	}
	/* uploads go to a directory of the fuzz build */
	snprintf(tpldir, sizeof(tpldir), "%s/build/fuzz/tmp", top);
	return 0;
}

/* The declared form, as a page checks it, and what it must leave. */
static void
form(struct req *r)
{
	struct fval v[NFIELDS];
	int nerr = form_check(r, fields, NFIELDS, v);
	char key[64];

	CHECK(nerr >= 0 && nerr <= (int)NFIELDS);
	CHECK(hdf_get_int_value(r->hdf, "Form.nerrors", 0) == nerr);
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		const char *s = web_query(r, f->name, "");
		const char *err;

		snprintf(key, sizeof(key), "Form.err.%s", f->name);
		err = hdf_get_value(r->hdf, key, NULL);
		if (f->required && *s == '\0')
			CHECK(err != NULL && !v[i].set);
		snprintf(key, sizeof(key), "Form.%s", f->name);
		if (f->type == FT_PASSWORD) {
			CHECK(hdf_get_value(r->hdf, key, NULL) == NULL);
			continue;
		}
		/* what the user typed is shown again, without blanks around */
		CHECK(strcmp(hdf_get_value(r->hdf, key, ""), s) == 0);
		CHECK(*s != ' ' && *s != '\t');
		if (!v[i].set)
			continue;
		CHECK(err == NULL);
		switch (f->type) {
		case FT_MONEY: {
			fen_t fen;
			char buf[32];

			CHECK(money_parse(s, &fen) == 0 && fen == v[i].i);
			CHECK(v[i].i >= f->min && v[i].i <= MONEY_MAX);
			money_format(v[i].i, buf, sizeof(buf));
			CHECK(money_parse(buf, &fen) == 0 && fen == v[i].i);
			break;
		}
		case FT_ID:
			CHECK(v[i].i >= 1 && v[i].i <= INT32_MAX);
			break;
		case FT_INT:
			CHECK(v[i].i >= f->min && v[i].i <= f->max);
			break;
		case FT_TEXT:
			CHECK(utf8_len(s) >= 0 && utf8_len(s) <= f->max);
			break;
		case FT_PHONE:
			CHECK(strlen(s) == 11 && strspn(s, "0123456789") == 11);
			break;
		case FT_BOOL:
			CHECK(v[i].i == 0 || v[i].i == 1);
			break;
		case FT_CHOICE:
			CHECK(v[i].i >= 0 && v[i].i < 2 &&
			    strcmp(s, kinds[v[i].i]) == 0);
			break;
		default:
			break;
		}
	}
}

/* A list page's filters, paging and search. */
static void
list(struct req *r)
{
	struct list l;
	const char *from, *to, *m;
	char q[64];
	int64_t n;

	web_list(r, sortkeys, "-at", &l);
	CHECK(l.sort != 0 && abs(l.sort) <= 3);
	CHECK(l.page >= 1 && l.per >= 1 && (l.export || l.per <= 500));
	CHECK(l.offset == (l.page - 1) * l.per);
	{
		const char *base = hdf_get_value(r->hdf, "List.base", "");

		CHECK(strncmp(base, "sort=", 5) != 0 && strstr(base, "&sort=") == NULL);
		CHECK(strncmp(base, "page=", 5) != 0 && strstr(base, "&page=") == NULL);
	}
	web_dates(r, &from, &to);
	CHECK(web_date_ok(from) && web_date_ok(to));
	CHECK(!*from || !*to || strcmp(from, to) <= 0);
	n = web_filter_int(r, "floor", 1, 99, 0, "err.bad_floor");
	CHECK(n == 0 || (n >= 1 && n <= 99));
	m = web_filter_choice(r, "method", methods, "err.bad_choice");
	CHECK(*m == '\0' || strcmp(m, "cash") == 0 || strcmp(m, "wechat") == 0 ||
	    strcmp(m, "alipay") == 0);
	hdf_set_value(r->hdf, "Buildings.0.id", "3");
	hdf_set_value(r->hdf, "Buildings.1.id", "12");
	n = web_filter_id(r, "building_id", "Buildings", "err.bad_choice");
	CHECK(n == 0 || n == 3 || n == 12);
	CHECK(web_query_id(r, "id") >= 0);
	web_search(r, "q", q, sizeof(q));
	CHECK(strlen(q) < sizeof(q) && q[0] != ' ' && strstr(q, "  ") == NULL);
	CHECK(*q == '\0' || q[strlen(q) - 1] != ' ');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *envp[40], cl[32], *body, *hdrs;
	size_t nbody;
	int nenv = 0, has_cl = 0, status;
	FCGX_Stream in, out;
	struct req r;
	NEOERR *err;

	if (size > 65536)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* The parameters nginx passes, one NAME=VALUE a line, a blank line,
	 * then the body. */
	hdrs = text;
	if ((body = strstr(text, "\n\n")) != NULL) {
		*body = '\0';
		body += 2;
		nbody = size - (size_t)(body - text);
	} else {
		body = text + size;
		nbody = 0;
	}
	for (char *line = strtok(hdrs, "\n"); line && nenv < 38;
	    line = strtok(NULL, "\n"))
		if (strchr(line, '=') != NULL) {
			has_cl |= strncmp(line, "CONTENT_LENGTH=", 15) == 0;
			envp[nenv++] = line;
		}
	if (!has_cl) {
		snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%zu", nbody);
		envp[nenv++] = cl;
	}
	envp[nenv] = NULL;

	memset(&in, 0, sizeof(in));
	in.rdNext = in.stopUnget = (unsigned char *)body;
	in.stop = (unsigned char *)body + nbody;
	in.isReader = 1;
	in.fillBuffProc = no_more;
	memset(&out, 0, sizeof(out));
	out.wrNext = sink;
	out.stop = sink + sizeof(sink);
	out.emptyBuffProc = drain;

	/* handle(), up to the session: the same steps on the same functions */
	memset(&r, 0, sizeof(r));
	r.in = &in;
	r.out = r.err = &out;
	r.envp = envp;
	r.status = 200;
	r.method = FCGX_GetParam("REQUEST_METHOD", r.envp);
	if (r.method == NULL)
		r.method = "GET";
	r.is_post = strcmp(r.method, "POST") == 0;
	r.addr = "127.0.0.1";
	{
		const char *uri = FCGX_GetParam("DOCUMENT_URI", r.envp);

		snprintf(r.path, sizeof(r.path), "%s", uri ? uri : "/");
	}
	{
		const struct route *rt = route_find(r.path);

		if (rt != NULL && (rt->methods & M_RAW))
			goto out;
	}
	if ((status = request_check(&r)) != 0) {
		const char *ct = FCGX_GetParam("CONTENT_TYPE", r.envp);

		CHECK(status == 400 || status == 405 || status == 413 ||
		    status == 415);
		/* only a POST's body is ever refused for its type or size */
		CHECK((status != 415 && status != 413) || r.is_post);
		CHECK(status != 413 || ct != NULL);
		refuse(&r, status);
		goto out;
	}
	hdf_init(&r.hdf);
	hdf_set_value(r.hdf, "Config.VarEscapeMode", "html");
	hdf_set_value(r.hdf, "hdf.loadpaths.0", tpldir);
	hdf_set_value(r.hdf, "Config.Upload.TmpDir", tpldir);
	cgiwrap_init_emu(&r, cb_read, cb_writef, cb_write, cb_getenv,
	    cb_putenv, cb_iterenv);
	if ((err = cgi_init(&r.cgi, r.hdf)) != STATUS_OK ||
	    (err = cgi_parse(r.cgi)) != STATUS_OK) {
		nerr_ignore(&err);
		if (r.cgi == NULL)
			r.hdf = NULL;
		refuse(&r, 400);
		goto done;
	}
	{
		/* the language as handle() picks it; only its error texts are
		 * copied (the whole file per run would be most of the time) */
		const char *lang = hdf_get_value(r.hdf, "Cookie.lang", "zh-CN");

		hdf_copy(r.hdf, "Lang.err", hdf_get_obj(flangs[strcmp(lang, "en")
		    == 0 ? LANG_EN : LANG_ZH], "err"));
	}
	/* the signed-in operator's form key, and who may post */
	snprintf(r.csrf, sizeof(r.csrf), "%s", csrf);
	CHECK(web_csrf_ok(&r) == (strcmp(web_query(&r, "csrf", ""), csrf) == 0));
	if (r.is_post && origin_ok(&r)) {
		const char *o = FCGX_GetParam("HTTP_ORIGIN", r.envp);
		const char *host = FCGX_GetParam("HTTP_HOST", r.envp);

		if (o == NULL || *o == '\0')
			o = FCGX_GetParam("HTTP_REFERER", r.envp);
		CHECK(o != NULL && host != NULL && *host != '\0');
		o += strncmp(o, "https://", 8) == 0 ? 8 : 7;
		CHECK(strncasecmp(o, host, strlen(host)) == 0);
		o += strlen(host);
		CHECK(*o == '\0' || *o == ':' || *o == '/' || *o == '?' || *o == '#');
	}
	if (strcmp(r.path, "/meters/import") == 0) {
		FILE *f = cgi_filehandle(r.cgi, "file");
		char buf[4096];

		if (f != NULL) {
			rewind(f);
			while (fread(buf, 1, sizeof(buf), f) > 0)
				;
		}
	}
	form(&r);
	list(&r);
done:
	if (r.cgi)
		cgi_destroy(&r.cgi);
	else if (r.hdf)
		hdf_destroy(&r.hdf);
out:
	free(text);
	return 0;
}
