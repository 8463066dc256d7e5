/* loop.c - the kit's program: supervised workers and the request loop (check, parse, session, route, render) of a web program. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <ClearSilver.h>
#include <openssl/crypto.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "settings.h"
#include "web.h"

#define LANG_ZH 0
#define LANG_EN 1

/*
 * The worker's HDF: what stays between requests (the configuration, the
 * template path, both languages under Langs.*, read once and again when
 * their file changes) and, added and taken away again, each request's data;
 * Lang is a link to the request's language, so nothing is copied.
 */
static HDF *root;
static const char *const lang_names[2] = { "zh-CN", "en" };
static const char *const kept[] = { "Config", "hdf", "Langs", "Lang", NULL };

/* A file read once and kept while it stays the same. */
struct seen {
	char path[1024];
	struct timespec mtime;
	off_t size;
	ino_t ino;
};
static struct seen langf[2];

/* The templates parsed once: each with the files it was made from. */
#define TPL_FILES 8
struct tpl {
	char name[128];
	CSPARSE *cs;
	struct seen files[TPL_FILES];
	int nfiles;	/* TPL_FILES + 1: too many to check, never kept */
};
static struct tpl **tpls;
static size_t ntpls;

static char tpldir[1024];
static char logname[64];
static const struct site *site;
static volatile sig_atomic_t stopping;

/* cgiwrap callbacks: ClearSilver's CGI parser reads through the FastCGI streams. */
static int
cb_read(void *data, char *buf, int n)
{
	struct req *r = data;

	return FCGX_GetStr(buf, n, r->in);
}

static int
cb_writef(void *data, const char *fmt, va_list ap)
{
	struct req *r = data;

	return FCGX_VFPrintF(r->out, fmt, ap);
}

static int
cb_write(void *data, const char *buf, int n)
{
	struct req *r = data;

	return FCGX_PutStr(buf, n, r->out);
}

/*
 * The request's parameters sorted by name: ClearSilver asks for some fifty names a request, most
 * of them absent, and FCGX_GetParam would compare each with every parameter.
 */
#define MAX_ENV 256
static const char *envs[MAX_ENV];
static int nenv;

/* NAME (up to '=' in E) against K: as strcmp */
static int
env_cmp(const char *k, const char *e)
{
	for (; *k && *e != '=' && *e; k++, e++)
		if (*k != *e)
			return (unsigned char)*k - (unsigned char)*e;
	return (unsigned char)*k - (unsigned char)(*e == '=' ? '\0' : *e);
}

static int
env_sort_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	for (; *x != '=' && *x && *x == *y; x++, y++)
		;
	return (unsigned char)(*x == '=' ? '\0' : *x) -
	    (unsigned char)(*y == '=' ? '\0' : *y);
}

/* sort R's parameters; more than MAX_ENV: no index, FCGX_GetParam instead */
static void
env_index(struct req *r)
{
	nenv = 0;
	for (int i = 0; r->envp[i] != NULL; i++) {
		if (nenv == MAX_ENV) {
			nenv = -1;
			return;
		}
		envs[nenv++] = r->envp[i];
	}
	qsort(envs, nenv, sizeof(envs[0]), env_sort_cmp);
}

static char *
cb_getenv(void *data, const char *k)
{
	struct req *r = data;
	int lo = 0, hi = nenv - 1;

	if (nenv < 0) {
		const char *v = FCGX_GetParam(k, r->envp);

		return v ? strdup(v) : NULL;
	}
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = env_cmp(k, envs[mid]);

		if (c == 0)
			return strdup(strchr(envs[mid], '=') + 1);
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int
cb_putenv(void *data, const char *k, const char *v)
{
	(void)data;
	(void)k;
	(void)v;
	return 0;
}

static int
cb_iterenv(void *data, int n, char **k, char **v)
{
	struct req *r = data;
	const char *e, *eq;

	for (int i = 0; i < n; i++)
		if (r->envp[i] == NULL)
			return 0;
	if ((e = r->envp[n]) == NULL || (eq = strchr(e, '=')) == NULL)
		return 0;
	*k = strndup(e, eq - e);
	*v = strdup(eq + 1);
	return 0;
}

/* Remembers what PATH is now (ST); a later seen_same tells a change. */
static void
seen_set(struct seen *f, const char *path, const struct stat *st)
{
	if (f->path != path)
		snprintf(f->path, sizeof(f->path), "%s", path);
	f->mtime = st->st_mtim;
	f->size = st->st_size;
	f->ino = st->st_ino;
}

/* 1 when the file is as it was when read (mtime, size, inode), else 0. */
static int
seen_same(const struct seen *f)
{
	struct stat st;

	return f->path[0] != '\0' && stat(f->path, &st) == 0 &&
	    st.st_mtim.tv_sec == f->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == f->mtime.tv_nsec &&
	    st.st_size == f->size && st.st_ino == f->ino;
}

/*
 * Removes PARENT's child NAME. ClearSilver's hdf_remove_tree can leave the
 * parent's last_child on the freed node (the next child added would be
 * linked to it): the parent's list end and lookup cache are set again.
 */
static void
remove_child(HDF *parent, const char *name)
{
	HDF *c;

	if (parent == NULL)
		return;
	hdf_remove_tree(parent, name);
	for (c = parent->child; c != NULL && c->next != NULL; c = c->next)
		;
	parent->last_child = c;
	parent->last_hp = NULL;
	parent->last_hs = NULL;
}

/* Language I into Langs.NAME of the worker's HDF when its file changed
 * (or was never read); a file that does not parse leaves the old texts. */
static void
lang_fresh(int i)
{
	struct stat st;
	char key[32];
	HDF *h = NULL;
	NEOERR *err;

	if (seen_same(&langf[i]) || stat(langf[i].path, &st) == -1)
		return;
	snprintf(key, sizeof(key), "Langs.%s", lang_names[i]);
	if ((err = hdf_init(&h)) == STATUS_OK &&
	    (err = hdf_read_file(h, langf[i].path)) == STATUS_OK) {
		remove_child(hdf_get_obj(root, "Langs"), lang_names[i]);
		err = hdf_copy(root, key, h);
	}
	if (err != STATUS_OK) {
		log_warnx("cannot read %s: the texts stay as they were",
		    langf[i].path);
		nerr_ignore(&err);
	}
	hdf_destroy(&h);
	seen_set(&langf[i], langf[i].path, &st);
}

/* Lang: a link to the texts of the request's language (its cookie), read
 * again first if their file changed. */
static void
lang_link(HDF *hdf)
{
	int i = strcmp(hdf_get_value(hdf, "Cookie.lang", ""), "en") == 0 ?
	    LANG_EN : LANG_ZH;

	lang_fresh(i);
	hdf_set_symlink(hdf, "Lang", i == LANG_EN ? "Langs.en" :
	    "Langs.zh-CN");
	hdf_set_value(hdf, "Page.lang", lang_names[i]);
}

/* The worker's HDF afresh: what stays between requests; 0 or -1. */
static int
root_init(const struct config *cf)
{
	if (hdf_init(&root) != STATUS_OK) {
		root = NULL;
		return -1;
	}
	hdf_set_value(root, "Config.VarEscapeMode", "html");
	hdf_set_value(root, "hdf.loadpaths.0", tpldir);
	hdf_set_value(root, "Config.Upload.TmpDir",
	    config_get(cf, "tmp_dir", "/tmp"));
	for (int i = 0; i < 2; i++) {
		memset(&langf[i].mtime, 0, sizeof(langf[i].mtime));
		langf[i].ino = 0;
		lang_fresh(i);
	}
	return 0;
}

/* After a request: its data goes, what stays stays. */
static void
root_clear(void)
{
	HDF *c = hdf_obj_child(root), *next;

	for (; c != NULL; c = next) {
		const char *name = hdf_obj_name(c);
		int keep = 0;

		next = hdf_obj_next(c);
		for (int i = 0; kept[i] && !keep; i++)
			keep = strcmp(name, kept[i]) == 0;
		if (!keep)
			remove_child(root, name);
	}
}

static void tpl_drop(struct tpl *);

/* The worker's HDF is gone: every template parsed with it goes too. */
static void
root_lost(void)
{
	while (ntpls > 0)
		tpl_drop(tpls[0]);
	root = NULL;
}

static void
tpl_drop(struct tpl *t)
{
	for (size_t i = 0; i < ntpls; i++)
		if (tpls[i] == t) {
			tpls[i] = tpls[--ntpls];
			break;
		}
	if (t->cs != NULL)
		cs_destroy(&t->cs);
	free(t);
}

/* ClearSilver's file loader for a template being parsed (CTX, a struct
 * tpl): the page's file and each it includes, noted to be checked later. */
static NEOERR *
tpl_load(void *ctx, HDF *hdf, const char *name, char **contents)
{
	struct tpl *t = ctx;
	char path[1024];
	struct stat st;
	NEOERR *err;

	if (name[0] != '/') {
		if ((err = hdf_search_path(hdf, name, path)) != STATUS_OK)
			return nerr_pass(err);
	} else
		snprintf(path, sizeof(path), "%s", name);
	if (stat(path, &st) == -1)
		return nerr_raise_errno(NERR_IO, "stat %s", path);
	if (t->nfiles < TPL_FILES)
		seen_set(&t->files[t->nfiles], path, &st);
	t->nfiles++;
	return nerr_pass(ne_load_file(path, contents));
}

/* The template NAME parsed, from the worker's copy while none of its files
 * changed; into *TP (NULL on an error). */
static NEOERR *
tpl_get(const char *name, struct tpl **tp)
{
	struct tpl *t, **more;
	NEOERR *err;
	int fresh;

	*tp = NULL;
	for (size_t i = 0; i < ntpls; i++) {
		if (strcmp(tpls[i]->name, name) != 0)
			continue;
		fresh = 1;
		for (int k = 0; k < tpls[i]->nfiles && fresh; k++)
			fresh = seen_same(&tpls[i]->files[k]);
		if (fresh) {
			*tp = tpls[i];
			return STATUS_OK;
		}
		tpl_drop(tpls[i]);
		break;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (more = realloc(tpls, (ntpls + 1) * sizeof(*tpls))) == NULL) {
		free(t);
		return nerr_raise(NERR_NOMEM, "template %s", name);
	}
	tpls = more;
	snprintf(t->name, sizeof(t->name), "%s", name);
	if ((err = cs_init(&t->cs, root)) == STATUS_OK &&
	    (err = cgi_register_strfuncs(t->cs)) == STATUS_OK) {
		cs_register_fileload(t->cs, t, tpl_load);
		err = cs_parse_file(t->cs, name);
	}
	if (err != STATUS_OK) {
		if (t->cs != NULL)
			cs_destroy(&t->cs);
		free(t);
		return nerr_pass(err);
	}
	*tp = t;
	if (t->nfiles <= TPL_FILES)
		tpls[ntpls++] = t;
	return STATUS_OK;
}

static void
output(struct req *r)
{
	STRING body;
	struct tpl *t = NULL;
	NEOERR *err;

	if (r->done)
		return;
	if (r->status == 303) {
		FCGX_FPrintF(r->out, "Status: 303 See Other\r\nLocation: %s\r\n",
		    r->location);
		for (int i = 0; i < r->ncookies; i++)
			FCGX_FPrintF(r->out, "Set-Cookie: %s\r\n", r->cookies[i]);
		FCGX_FPrintF(r->out, "Content-Length: 0\r\n\r\n");
		return;
	}
	string_init(&body);
	if ((err = tpl_get(r->tpl, &t)) == STATUS_OK)
		err = cs_render(t->cs, &body, (CSOUTFUNC)string_append);
	if (err != STATUS_OK) {
		STRING msg;

		string_init(&msg);
		nerr_error_string(err, &msg);
		log_warnx("template %s: %s", r->tpl, msg.buf ? msg.buf : "");
		string_clear(&msg);
		nerr_ignore(&err);
		string_clear(&body);
		if (t != NULL)
			tpl_drop(t);	/* parsed again, from scratch */
		r->status = 500;
		metrics_count(r->status);
		FCGX_FPrintF(r->out, "Status: 500 Internal Server Error\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
		    "500 内部错误 / internal error\n");
		return;
	}
	if (t->nfiles > TPL_FILES)
		tpl_drop(t);	/* too many files to check: not kept */
	/*
	 * No white-space strip: the templates are written without indents,
	 * so it took some 50 bytes off a page (blank lines of the layout's
	 * macros) for a tenth of a 480-row list's instructions.
	 */
	FCGX_FPrintF(r->out, "Status: %d\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\nContent-Length: %d\r\n",
	    r->status, body.len);
	for (int i = 0; i < r->ncookies; i++)
		FCGX_FPrintF(r->out, "Set-Cookie: %s\r\n", r->cookies[i]);
	FCGX_PutS("\r\n", r->out);
	if (strcmp(r->method, "HEAD") != 0 && body.len > 0)
		FCGX_PutStr(body.buf, body.len, r->out);
	string_clear(&body);
}

static const struct route *
route_find(const char *path)
{
	for (size_t i = 0; i < site->nroutes; i++)
		if (strcmp(site->routes[i].path, path) == 0)
			return &site->routes[i];
	return NULL;
}

int
web_csrf_ok(struct req *r)
{
	const char *sent = web_query(r, "csrf", "");
	size_t n = strlen(r->csrf);

	return n == 64 && strlen(sent) == n &&
	    CRYPTO_memcmp(sent, r->csrf, n) == 0;
}

/*
 * A POST must come from a page of this site: its Origin (or, without one,
 * its Referer) names the host and port the request was sent to (nginx
 * passes the host without its port, and the port apart), or equals the
 * configured site_origin when a proxy in front changes them.
 */
static int
origin_ok(struct req *r)
{
	const char *host = FCGX_GetParam("HTTP_HOST", r->envp);
	const char *port = FCGX_GetParam("SERVER_PORT", r->envp);
	const char *o = FCGX_GetParam("HTTP_ORIGIN", r->envp);
	const char *mine = config_get(r->cf, "site_origin", NULL);
	const char *want_port;
	size_t n, h;

	if (o == NULL || *o == '\0')
		o = FCGX_GetParam("HTTP_REFERER", r->envp);
	if (o == NULL)
		return 0;
	if (mine != NULL && *mine != '\0') {
		n = strlen(mine);
		return strncasecmp(o, mine, n) == 0 &&
		    (o[n] == '\0' || o[n] == '/');
	}
	if (host == NULL || *host == '\0')
		return 0;
	if (strncmp(o, "https://", 8) == 0) {
		o += 8;
		want_port = "443";
	} else if (strncmp(o, "http://", 7) == 0) {
		o += 7;
		want_port = "80";
	} else
		return 0;
	n = strcspn(o, "/?#");
	h = strcspn(o, ":/?#");
	if (h != strlen(host) || strncasecmp(o, host, h) != 0)
		return 0;
	if (o[h] == ':') {
		want_port = o + h + 1;
		n -= h + 1;
	} else
		n = strlen(want_port);
	return port != NULL && strlen(port) == n && strncmp(want_port, port, n) == 0;
}

/*
 * A refused request into the operation log (ASVS 7.2.2, 14.5.1): ACTION
 * for REASON on the request's path, with the right it lacked (or NULL), by
 * whoever is signed in, else by its address; at most one row a minute per
 * operator or address, path and reason, the rest counted (oplog_refusal).
 */
static void
refused(struct req *r, const char *action, const char *reason,
    const char *right)
{
	struct actor a = r->actor;
	char *after;

	if (r->db == NULL)
		return;
	if (a.addr == NULL)
		a.addr = r->addr;
	after = oplog_json("method", r->method, "reason", reason,
	    right ? "right" : NULL, right, NULL);
	oplog_refusal(r->db, &a, action, r->path, reason, after);
	free(after);
}

/* A route that needs a session (struct site): 1 go on, 0 answered. */
static int
guard(struct req *r, const struct route *rt)
{
	if (!r->signed_in) {
		if (r->is_post) {
			web_fail(r, 403, "err.signed_out");
			refused(r, "access.denied", "signed_out", NULL);
		} else
			web_redirect(r, "%s", site->login);
		return 0;
	}
	if (r->must_change && strcmp(r->path, site->password) != 0 &&
	    strcmp(r->path, site->logout) != 0) {
		web_redirect(r, "%s?first=1", site->password);
		return 0;
	}
	if (site->allow != NULL && !site->allow(r, rt)) {
		if (r->status == 403)
			refused(r, "access.denied", "right",
			    hdf_get_value(r->hdf, "Error.right", ""));
		return 0;
	}
	if (r->is_post && !web_csrf_ok(r)) {
		web_fail(r, 403, "err.csrf");
		refused(r, "csrf.refused", "csrf", NULL);
		return 0;
	}
	return 1;
}

static void
dispatch(struct req *r)
{
	const struct route *rt = route_find(r->path);
	unsigned m = r->is_post ? M_POST : M_GET;

	if (rt == NULL) {
		web_fail(r, 404, "err.not_found");
		return;
	}
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 &&
	    strcmp(r->method, "POST") != 0) {
		web_fail(r, 405, "err.bad_method");
		return;
	}
	if (!(rt->methods & m)) {
		web_fail(r, 405, "err.bad_method");
		refused(r, "method.refused", "method", NULL);
		return;
	}
	if (r->is_post && !origin_ok(r)) {
		web_fail(r, 403, "err.csrf");
		refused(r, "csrf.refused", "origin", NULL);
		return;
	}
	if (rt->right != R_PUBLIC && !guard(r, rt))
		return;
	if (rt->fn(r) == -1)
		web_fail(r, 500, "err.internal");
}

/* The bodies the form parser may be given (nginx refuses above 8 MB). */
#define MAX_FORM (256 * 1024)
#define MAX_UPLOAD (8 * 1024 * 1024)

/* 1 when CT (after "multipart/form-data") names a boundary of RFC 2046:
 * 1 to 70 of its characters, quoted or not, and nothing else but other
 * parameters. */
static int
boundary_ok(const char *ct)
{
	static const char bchars[] = "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=?";
	const char *p = ct;
	size_t n;
	int quoted;

	for (;;) {
		p += strspn(p, " \t");
		if (*p != ';')
			return 0;
		p++;
		p += strspn(p, " \t");
		if (strncasecmp(p, "boundary=", 9) == 0)
			break;
		p += strcspn(p, ";");
	}
	p += 9;
	quoted = *p == '"';
	p += quoted;
	n = strspn(p, bchars);
	if (n == 0 || n > 70)
		return 0;
	p += n;
	if (quoted && *p++ != '"')
		return 0;
	p += strspn(p, " \t");
	return *p == '\0' || *p == ';';
}

/*
 * What the form parser may see: GET, HEAD or POST; a POST body of a declared
 * length within bounds, either urlencoded, or multipart with a good boundary
 * on a route that takes a file. Returns 0, or the status to refuse with.
 */
static int
request_check(struct req *r)
{
	const char *ct = FCGX_GetParam("CONTENT_TYPE", r->envp);
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", r->envp);
	const struct route *rt = route_find(r->path);
	long len = 0;
	char *end;

	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 &&
	    strcmp(r->method, "POST") != 0)
		return 405;
	if (cl != NULL && *cl != '\0') {
		errno = 0;
		len = strtol(cl, &end, 10);
		if (errno != 0 || *end != '\0' || len < 0)
			return 400;
	}
	if (!r->is_post || (len == 0 && (ct == NULL || *ct == '\0')))
		return 0;
	if (ct == NULL)
		return 415;
	if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
	    (ct[33] == '\0' || ct[33] == ';'))
		return len > MAX_FORM ? 413 : 0;
	if (strncasecmp(ct, "multipart/form-data", 19) == 0) {
		if (rt == NULL || !(rt->methods & M_UPLOAD))
			return 415;
		if (len > MAX_UPLOAD)
			return 413;
		return boundary_ok(ct + 19) ? 0 : 400;
	}
	return 415;
}

/* Whether the request's body is multipart (a file). */
static int
multipart(struct req *r)
{
	const char *ct = FCGX_GetParam("CONTENT_TYPE", r->envp);

	return ct != NULL && strncasecmp(ct, "multipart/form-data", 19) == 0;
}

static void
refuse(struct req *r, int status)
{
	const char *what = status == 403 ? "Forbidden" :
	    status == 405 ? "Method Not Allowed" :
	    status == 413 ? "Payload Too Large" :
	    status == 415 ? "Unsupported Media Type" : "Bad Request";

	FCGX_FPrintF(r->out, "Status: %d %s\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "%d %s / %s\n", status, what, status, status == 403 ?
	    "请先登录再上传文件" : "请求格式错误", what);
	metrics_count(status);
}

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

/*
 * The settings as they are now. A signed-in request brings the version
 * with its session, and a POST asks for it: both see a change at once. A
 * GET without a session (the sign-in pages) asks the database at most once
 * a second: its one round trip cost a third of a sign-in page, and a
 * changed setting shows there within the second. 0, 1 read again, -1.
 */
#define VERSION_AGE_MS 1000
static struct timespec version_at;

static int
settings_fresh(struct req *r, struct db *db)
{
	struct timespec now;
	long ms;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - version_at.tv_sec) * 1000 +
	    (now.tv_nsec - version_at.tv_nsec) / 1000000;
	if (r->settings_version == 0 && !r->is_post && settings_version() != 0 &&
	    ms >= 0 && ms < VERSION_AGE_MS)
		return 0;
	if ((rc = settings_refresh(db, site->settings, r->settings_version)) != -1)
		version_at = now;
	return rc;
}

/*
 * The request's query and cookies, its language, its session (and the
 * settings' version with it: the settings are read again only when it
 * moved; see settings_fresh), then its body. A file's body is parsed for
 * someone signed in only: the multipart parser is the largest part of
 * ClearSilver a stranger could reach. 0, or the status to refuse with.
 */
static int
parse(struct req *r)
{
	NEOERR *err;

	if ((err = cgi_init(&r->cgi, r->hdf)) != STATUS_OK) {
		nerr_ignore(&err);
		if (r->cgi == NULL)
			root_lost();	/* a failed cgi_init destroyed it */
		return 400;
	}
	lang_link(r->hdf);
	site->session(r);
	if (r->is_post && !r->signed_in && multipart(r))
		return r->db_lost ? 503 : 403;
	if ((err = cgi_parse(r->cgi)) != STATUS_OK) {
		nerr_ignore(&err);
		return 400;
	}
	return 0;
}

static void
handle(FCGX_Request *fr, struct db *db, const struct config *cf)
{
	struct req r;
	const struct route *rt;
	const char *uri;
	int status;

	memset(&r, 0, sizeof(r));
	r.in = fr->in;
	r.out = fr->out;
	r.err = fr->err;
	r.envp = fr->envp;
	r.db = db;
	r.cf = cf;
	r.status = 200;
	r.method = FCGX_GetParam("REQUEST_METHOD", r.envp);
	if (r.method == NULL)
		r.method = "GET";
	r.is_post = strcmp(r.method, "POST") == 0;
	r.addr = FCGX_GetParam("REMOTE_ADDR", r.envp);
	if (r.addr == NULL)
		r.addr = "";
	r.https = FCGX_GetParam("HTTPS", r.envp) != NULL;
	uri = FCGX_GetParam("DOCUMENT_URI", r.envp);
	snprintf(r.path, sizeof(r.path), "%s", uri ? uri : "/");

	if ((rt = route_find(r.path)) != NULL && (rt->methods & M_RAW)) {
		if (rt->fn(&r) == -1)
			refuse(&r, 500);
		return;
	}
	if ((status = request_check(&r)) != 0) {
		refuse(&r, status);
		if (status == 405)	/* before any session: by its address */
			refused(&r, "method.refused", "method", NULL);
		return;
	}
	if (root == NULL && root_init(cf) == -1) {
		refuse(&r, 500);
		return;
	}
	r.hdf = root;
	env_index(&r);
	cgiwrap_init_emu(&r, cb_read, cb_writef, cb_write, cb_getenv,
	    cb_putenv, cb_iterenv);
	if ((status = parse(&r)) != 0) {
		refuse(&r, status);
		goto done;
	}
	if (r.db_lost || settings_fresh(&r, db) == -1) {
		r.signed_in = 0;
		web_fail(&r, 503, "err.db_down");
	} else
		dispatch(&r);
	if (r.status != 303 && !r.done) {
		hdf_set_value(r.hdf, "Page.path", r.path);
		site->common(&r);
	}
	output(&r);
	metrics_count(r.done ? 200 : r.status);
done:
	if (r.cgi) {
		/* cgi_destroy frees the HDF it was given: not the worker's */
		r.cgi->hdf = NULL;
		cgi_destroy(&r.cgi);
	}
	if (root != NULL)
		root_clear();
}

/* What the worker is doing, for the log line of a crash (written by the
 * signal handler with write(2) only). */
static char doing[320];
static size_t doing_len;

/* Appends S (N bytes) to the crash line; async-signal-safe. */
static size_t
put(char *buf, size_t at, size_t size, const char *s, size_t n)
{
	if (at + n > size)
		n = size - at;
	memcpy(buf + at, s, n);
	return at + n;
}

static void
on_crash(int sig)
{
	char msg[400], num[8];
	size_t n = 0, k = sizeof(num);
	int v = sig;

	do
		num[--k] = (char)('0' + v % 10);
	while ((v /= 10) > 0 && k > 0);
	n = put(msg, n, sizeof(msg) - 1, site->name, strlen(site->name));
	n = put(msg, n, sizeof(msg) - 1, ": a worker crashed with signal ", 31);
	n = put(msg, n, sizeof(msg) - 1, num + k, sizeof(num) - k);
	if (doing_len > 0) {
		n = put(msg, n, sizeof(msg) - 1, " during ", 8);
		n = put(msg, n, sizeof(msg) - 1, doing, doing_len);
	}
	msg[n++] = '\n';
	if (write(STDERR_FILENO, msg, n) < 0)
		_exit(1);
	raise(sig);	/* SA_RESETHAND: the default action now */
}

/* One worker: its own database connection, requests until told to stop. */
static int
serve(const struct config *cf)
{
	struct db *db;
	FCGX_Request fr;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	/*
	 * No fast bins: a request builds and frees thousands of small HDF
	 * nodes, and with fast bins glibc spent a tenth of a list page's
	 * time in malloc_consolidate merging them back.
	 */
	mallopt(M_MXFAST, 0);
	/* The database may come up later: each request pings it. */
	if ((db = db_open_lazy(cf, site->name)) == NULL)
		fatal("db_open_lazy");
	FCGX_Init();
	FCGX_InitRequest(&fr, 0, 0);
	while (!stopping && FCGX_Accept_r(&fr) >= 0) {
		const char *m = FCGX_GetParam("REQUEST_METHOD", fr.envp);
		const char *u = FCGX_GetParam("REQUEST_URI", fr.envp);
		const char *a = FCGX_GetParam("REMOTE_ADDR", fr.envp);
		int n = snprintf(doing, sizeof(doing), "%s %s from %s",
		    m ? m : "?", u ? u : "?", a ? a : "?");

		doing_len = n < 0 ? 0 : (size_t)n < sizeof(doing) ?
		    (size_t)n : sizeof(doing) - 1;
		handle(&fr, db, cf);
		FCGX_Finish_r(&fr);
		doing_len = 0;
	}
	FCGX_Free(&fr, 1);
	db_close(db);
	return 0;
}

/*
 * -w N: N workers on the inherited socket, each restarted when it dies,
 * with the reason in the log, after a pause that doubles while it keeps
 * dying young (0.1 s up to 10 s) and never giving up.
 */
#define MAXW 64
#define YOUNG 10	/* seconds: a worker that lived longer starts afresh */

static pid_t
spawn(const struct config *cf)
{
	pid_t p = fork();

	/* the worker keeps main's TERM handler: it ends its request first */
	if (p == 0)
		_exit(serve(cf));
	if (p == -1)
		log_warn("fork");
	return p;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
supervise(const struct config *cf, int n)
{
	pid_t pid[MAXW];
	long born[MAXW], due[MAXW];
	int young[MAXW];
	struct timespec tick = { 0, 50 * 1000000L };

	for (int i = 0; i < n; i++) {
		pid[i] = 0;
		due[i] = 0;
		young[i] = 0;
	}
	log_info("starting %d workers", n);
	while (!stopping) {
		int st;
		pid_t p;

		/* the dead: why, and when to start each again */
		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			int i;

			for (i = 0; i < n && pid[i] != p; i++)
				;
			if (i == n)
				continue;
			pid[i] = 0;
			if (WIFSIGNALED(st))
				log_warnx("worker %d killed by signal %d (%s)",
				    (int)p, WTERMSIG(st), strsignal(WTERMSIG(st)));
			else
				log_warnx("worker %d exited with status %d",
				    (int)p, WEXITSTATUS(st));
			young[i] = now_ms() - born[i] < YOUNG * 1000L ?
			    young[i] + 1 : 0;
			due[i] = young[i] == 0 ? 0 : 100L << (young[i] < 7 ?
			    young[i] - 1 : 7);
			if (due[i] > 10000)
				due[i] = 10000;
			if (due[i] > 0)
				log_warnx("restarting it in %ld ms (%d quick deaths"
				    " in a row)", due[i], young[i]);
			due[i] += now_ms();
		}
		for (int i = 0; i < n && !stopping; i++) {
			if (pid[i] > 0 || now_ms() < due[i])
				continue;
			born[i] = now_ms();
			if ((pid[i] = spawn(cf)) == -1) {
				pid[i] = 0;
				due[i] = now_ms() + 1000;
			}
		}
		nanosleep(&tick, NULL);
	}
	/* stop: every worker ends its request and exits */
	for (int i = 0; i < n; i++)
		if (pid[i] > 0)
			kill(pid[i], SIGTERM);
	for (int i = 0; i < n; i++)
		if (pid[i] > 0)
			waitpid(pid[i], NULL, 0);
	log_info("stopped");
}

int
web_main(const struct site *program, int argc, char **argv)
{
	struct config *cf;
	const char *conf = getenv("PREPAID_CONF");
	char path[1024];
	char key[64];
	int ch, workers = 0;

	site = program;

	while ((ch = getopt(argc, argv, "w:")) != -1) {
		if (ch != 'w' || (workers = atoi(optarg)) < 1 ||
		    workers > MAXW) {
			fprintf(stderr, "usage: %s.fcgi [-w workers (1-%d)]\n",
			    site->name, MAXW);
			return 2;
		}
	}
	snprintf(logname, sizeof(logname), "%s.fcgi", site->name);
	log_init(logname, 0, 0);
	if (conf == NULL)
		conf = "/etc/prepaid/prepaid.conf";
	if ((cf = config_load(conf)) == NULL)
		fatal("%s", conf);
	/* spawn-fcgi points stderr at /dev/null: the log goes to a file */
	snprintf(key, sizeof(key), "%s_log", site->name);
	if (config_get(cf, key, NULL) != NULL &&
	    freopen(config_get(cf, key, NULL), "a", stderr) != NULL)
		setvbuf(stderr, NULL, _IOLBF, 0);
	snprintf(tpldir, sizeof(tpldir), "%s/%s",
	    config_get(cf, "templates", "templates"), site->name);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/lang/%s.%s.hdf",
		    config_get(cf, "templates", "templates"), site->name,
		    lang_names[i]);
		if (access(path, R_OK) == -1)
			fatal("%s", path);
		snprintf(langf[i].path, sizeof(langf[i].path), "%s", path);
	}
	if (root_init(cf) == -1)
		fatalx("cannot set up the templates' data");
	metrics_open(config_get(cf, "metrics_file", NULL));
	{
		/* no SA_RESTART: a TERM must end the wait in accept() */
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	if (workers > 0)
		supervise(cf, workers);
	else
		serve(cf);
	while (ntpls > 0)
		tpl_drop(tpls[0]);
	free(tpls);
	hdf_destroy(&root);
	settings_forget();
	metrics_close();
	config_free(cf);
	return 0;
}
