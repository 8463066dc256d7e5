/* loop.c - the kit's program: supervised workers and the request loop (check, parse, session, route, render) of a web program. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
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
#include "web.h"

#define LANG_ZH 0
#define LANG_EN 1

static HDF *langs[2];
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

static char *
cb_getenv(void *data, const char *k)
{
	struct req *r = data;
	const char *v = FCGX_GetParam(k, r->envp);

	return v ? strdup(v) : NULL;
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

static void
output(struct req *r)
{
	STRING body;
	CSPARSE *cs = NULL;
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
	if ((err = cs_init(&cs, r->hdf)) == STATUS_OK &&
	    (err = cgi_register_strfuncs(cs)) == STATUS_OK &&
	    (err = cs_parse_file(cs, r->tpl)) == STATUS_OK)
		err = cs_render(cs, &body, (CSOUTFUNC)string_append);
	if (err != STATUS_OK) {
		STRING msg;

		string_init(&msg);
		nerr_error_string(err, &msg);
		log_warnx("template %s: %s", r->tpl, msg.buf ? msg.buf : "");
		string_clear(&msg);
		nerr_ignore(&err);
		string_clear(&body);
		cs_destroy(&cs);
		r->status = 500;
		metrics_count(r->status);
		FCGX_FPrintF(r->out, "Status: 500 Internal Server Error\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
		    "500 内部错误 / internal error\n");
		return;
	}
	cs_destroy(&cs);
	cgi_html_ws_strip(&body, 1);
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

/* A route that needs a session (struct site): 1 go on, 0 answered. */
static int
guard(struct req *r, const struct route *rt)
{
	if (!r->signed_in) {
		if (r->is_post)
			web_fail(r, 403, "err.signed_out");
		else
			web_redirect(r, "%s", site->login);
		return 0;
	}
	if (r->must_change && strcmp(r->path, site->password) != 0 &&
	    strcmp(r->path, site->logout) != 0) {
		web_redirect(r, "%s?first=1", site->password);
		return 0;
	}
	if (site->allow != NULL && !site->allow(r, rt))
		return 0;
	if (r->is_post && !web_csrf_ok(r)) {
		web_fail(r, 403, "err.csrf");
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
		return;
	}
	if (r->is_post && !origin_ok(r)) {
		web_fail(r, 403, "err.csrf");
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

static void
refuse(struct req *r, int status)
{
	const char *what = status == 405 ? "Method Not Allowed" :
	    status == 413 ? "Payload Too Large" :
	    status == 415 ? "Unsupported Media Type" : "Bad Request";

	FCGX_FPrintF(r->out, "Status: %d %s\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "%d 请求格式错误 / %s\n", status, what, status, what);
	metrics_count(status);
}

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static void
handle(FCGX_Request *fr, struct db *db, const struct config *cf)
{
	struct req r;
	const struct route *rt;
	const char *lang, *uri;
	NEOERR *err;
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
		return;
	}
	hdf_init(&r.hdf);
	hdf_set_value(r.hdf, "Config.VarEscapeMode", "html");
	hdf_set_value(r.hdf, "hdf.loadpaths.0", tpldir);
	hdf_set_value(r.hdf, "Config.Upload.TmpDir",
	    config_get(cf, "tmp_dir", "/tmp"));
	cgiwrap_init_emu(&r, cb_read, cb_writef, cb_write, cb_getenv,
	    cb_putenv, cb_iterenv);
	if ((err = cgi_init(&r.cgi, r.hdf)) != STATUS_OK ||
	    (err = cgi_parse(r.cgi)) != STATUS_OK) {
		nerr_ignore(&err);
		if (r.cgi == NULL)
			r.hdf = NULL;	/* a failed cgi_init destroyed it */
		refuse(&r, 400);
		goto done;
	}
	lang = hdf_get_value(r.hdf, "Cookie.lang", "zh-CN");
	hdf_copy(r.hdf, "Lang", langs[strcmp(lang, "en") == 0 ? LANG_EN :
	    LANG_ZH]);
	hdf_set_value(r.hdf, "Page.lang", strcmp(lang, "en") == 0 ? "en" :
	    "zh-CN");
	if (db_ping(db) == -1) {
		web_fail(&r, 503, "err.db_down");
	} else {
		site->session(&r);
		dispatch(&r);
	}
	if (r.status != 303 && !r.done) {
		hdf_set_value(r.hdf, "Page.path", r.path);
		site->common(&r);
	}
	output(&r);
	metrics_count(r.done ? 200 : r.status);
done:
	if (r.cgi) {
		/* cgi_destroy frees the HDF it was given */
		cgi_destroy(&r.cgi);
	} else if (r.hdf)
		hdf_destroy(&r.hdf);
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
	NEOERR *err;
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
		    i == LANG_ZH ? "zh-CN" : "en");
		if ((err = hdf_init(&langs[i])) != STATUS_OK ||
		    (err = hdf_read_file(langs[i], path)) != STATUS_OK)
			fatalx("cannot read %s", path);
	}
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
	for (int i = 0; i < 2; i++)
		hdf_destroy(&langs[i]);
	metrics_close();
	config_free(cf);
	return 0;
}
