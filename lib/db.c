/* db.c - MariaDB Connector/C prepared statements with results as text. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#include "config.h"
#include "db.h"
#include "log.h"

#define DB_MAXPARAMS 48

struct stmtcache {
	const char *sql;
	MYSQL_STMT *st;
};

struct db {
	MYSQL *my;
	struct stmtcache *cache;
	size_t ncache, capcache;
	MYSQL_STMT *last;
	const struct config *cf;
	char prefix[32];
	unsigned lasterr;
	char errbuf[512];
	int wsrep;		/* the server is a Galera cluster node */
};

struct dbres {
	MYSQL_STMT *st;
	MYSQL_RES *meta;
	int ncols;
	MYSQL_BIND *bind;
	char **buf;
	unsigned long *len;
	my_bool *isnull;
	long nrows;		/* -1 for a stream: not known */
};

/* A streamed column starts with a buffer of at most this many bytes and
 * grows when a row's value is longer. */
#define DB_STREAM_BUF 4096

static void
seterr(struct db *db, unsigned code, const char *msg)
{
	db->lasterr = code;
	snprintf(db->errbuf, sizeof(db->errbuf), "%s", msg ? msg : "");
}

/*
 * A Galera node (wsrep_on, asked once a connection) commits a transaction
 * on the others only when its write set arrives there, so a read on one
 * node may not see what another node (or this client, through another
 * node after a reconnect) has just committed. wsrep_sync_wait = 1 makes
 * every read of the session wait until the node has applied all the write
 * sets committed in the cluster before it: reads see the last write set.
 * A single server has no such variable set (wsrep_on OFF, or none at all)
 * and nothing changes. 0, or -1 (EIO) when a node refuses the setting.
 */
static int
wsrep_session(struct db *db)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	const char *ask = "SELECT @@wsrep_on";
	const char *set = "SET SESSION wsrep_sync_wait = 1";

	db->wsrep = 0;
	if (mysql_real_query(db->my, ask, strlen(ask)) != 0)
		return 0;	/* a server without Galera at all */
	if ((res = mysql_store_result(db->my)) == NULL)
		return 0;
	if ((row = mysql_fetch_row(res)) != NULL && row[0] != NULL &&
	    strcmp(row[0], "1") == 0)
		db->wsrep = 1;
	mysql_free_result(res);
	if (db->wsrep && mysql_real_query(db->my, set, strlen(set)) != 0) {
		seterr(db, mysql_errno(db->my), mysql_error(db->my));
		log_warnx("database: %s: %s", set, mysql_error(db->my));
		mysql_close(db->my);
		db->my = NULL;
		errno = EIO;
		return -1;
	}
	return 0;
}

static int
db_connect(struct db *db, const struct config *cf, const char *prefix)
{
	char key[64];
	const char *user, *pass, *sock, *host, *name;
	unsigned int timeout = 5;
	my_bool off = 0;

	snprintf(key, sizeof(key), "%s_user", prefix);
	user = config_get(cf, key, NULL);
	snprintf(key, sizeof(key), "%s_password", prefix);
	pass = config_get(cf, key, NULL);
	sock = config_get(cf, "db_socket", NULL);
	host = config_get(cf, "db_host", NULL);
	name = config_get(cf, "db_name", "prepaid");
	if ((db->my = mysql_init(NULL)) == NULL)
		return -1;
	mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->my, MYSQL_OPT_RECONNECT, &off);
	mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->my, MYSQL_INIT_COMMAND,
	    "SET time_zone='+00:00', sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
	if (mysql_real_connect(db->my, host, user, pass, name,
	    (unsigned)config_int(cf, "db_port", 0), sock, 0) == NULL) {
		seterr(db, mysql_errno(db->my), mysql_error(db->my));
		log_warnx("database connect: %s", mysql_error(db->my));
		mysql_close(db->my);
		db->my = NULL;
		errno = ECONNREFUSED;
		return -1;
	}
	return wsrep_session(db);
}

struct db *
db_open(const struct config *cf, const char *prefix)
{
	struct db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->cf = cf;
	snprintf(db->prefix, sizeof(db->prefix), "%s", prefix);
	if (db_connect(db, cf, prefix) == -1) {
		free(db);
		return NULL;
	}
	return db;
}

static void
cache_clear(struct db *db)
{
	for (size_t i = 0; i < db->ncache; i++)
		mysql_stmt_close(db->cache[i].st);
	db->ncache = 0;
}

struct db *
db_open_lazy(const struct config *cf, const char *prefix)
{
	struct db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->cf = cf;
	snprintf(db->prefix, sizeof(db->prefix), "%s", prefix);
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	cache_clear(db);
	free(db->cache);
	if (db->my)
		mysql_close(db->my);
	free(db);
}

int
db_ping(struct db *db)
{
	if (db->my != NULL && mysql_ping(db->my) == 0)
		return 0;
	/* The server went away: statements die with the connection. */
	cache_clear(db);
	db->last = NULL;
	if (db->my) {
		mysql_close(db->my);
		db->my = NULL;
	}
	if (db_connect(db, db->cf, db->prefix) == -1)
		return -1;
	return 0;
}

static MYSQL_STMT *
stmt_get(struct db *db, const char *sql)
{
	MYSQL_STMT *st;
	size_t i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql)
			return db->cache[i].st;
	if (db->my == NULL && db_ping(db) == -1) {
		seterr(db, 2006, "no database connection");
		return NULL;
	}
	if ((st = mysql_stmt_init(db->my)) == NULL)
		return NULL;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		seterr(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		log_warnx("prepare: %s: %.200s", mysql_stmt_error(st), sql);
		mysql_stmt_close(st);
		return NULL;
	}
	if (db->ncache == db->capcache) {
		size_t cap = db->capcache ? db->capcache * 2 : 64;
		struct stmtcache *c = realloc(db->cache, cap * sizeof(*c));

		if (c == NULL) {
			mysql_stmt_close(st);
			return NULL;
		}
		db->cache = c;
		db->capcache = cap;
	}
	db->cache[db->ncache].sql = sql;
	db->cache[db->ncache].st = st;
	db->ncache++;
	return st;
}

/* The parameters of FMT ('l' int64_t, 'i' int, 's' string or NULL) from
 * AP into B, with their storage in LL, SLEN, ISNULL; 0, or -1 (EINVAL). */
static int
bind_params(MYSQL_BIND *b, long long *ll, unsigned long *slen,
    my_bool *isnull, const char *fmt, va_list ap)
{
	for (size_t i = 0; fmt[i] != '\0'; i++) {
		const char *s;

		isnull[i] = 0;
		b[i].is_null = &isnull[i];
		switch (fmt[i]) {
		case 'l':
			ll[i] = va_arg(ap, int64_t);
			goto integer;
		case 'i':
			ll[i] = va_arg(ap, int);
		integer:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &ll[i];
			break;
		case 's':
			s = va_arg(ap, const char *);
			b[i].buffer_type = MYSQL_TYPE_STRING;
			if (s == NULL) {
				isnull[i] = 1;
				b[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			b[i].buffer = (char *)s;
			slen[i] = strlen(s);
			b[i].buffer_length = slen[i];
			b[i].length = &slen[i];
			break;
		default:
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}

/* 1 when the last error means the connection was lost. */
static int
lost(const struct db *db)
{
	return db->lasterr == 2006 || db->lasterr == 2013 ||
	    db->lasterr == 1243;
}

/* Binds the parameters and executes; returns the statement or NULL. */
static MYSQL_STMT *
run(struct db *db, const char *sql, const char *fmt, va_list ap)
{
	MYSQL_STMT *st;
	MYSQL_BIND b[DB_MAXPARAMS];
	long long ll[DB_MAXPARAMS];
	unsigned long slen[DB_MAXPARAMS];
	my_bool isnull[DB_MAXPARAMS];
	size_t n = strlen(fmt);

	if (n > DB_MAXPARAMS) {
		errno = E2BIG;
		return NULL;
	}
	memset(b, 0, sizeof(b));
	if (bind_params(b, ll, slen, isnull, fmt, ap) == -1)
		return NULL;
	/* One retry when the connection was lost between two requests. */
	for (int attempt = 0; attempt < 2; attempt++) {
		if ((st = stmt_get(db, sql)) != NULL) {
			if (mysql_stmt_param_count(st) != n) {
				log_warnx("statement wants %lu parameters, given"
				    " %zu: %.200s", mysql_stmt_param_count(st),
				    n, sql);
				errno = EINVAL;
				return NULL;
			}
			if (n > 0 && mysql_stmt_bind_param(st, b) != 0) {
				seterr(db, mysql_stmt_errno(st),
				    mysql_stmt_error(st));
				errno = EIO;
				return NULL;
			}
			if (mysql_stmt_execute(st) == 0) {
				db->last = st;
				return st;
			}
			seterr(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		}
		if (!lost(db) || db_ping(db) == -1)
			break;
	}
	if (db->lasterr != DB_ER_DUP_ENTRY && db->lasterr != DB_ER_DEADLOCK)
		log_warnx("sql error %u: %s: %.120s", db->lasterr, db->errbuf,
		    sql);
	errno = EIO;
	return NULL;
}

long
db_exec(struct db *db, const char *sql, const char *fmt, ...)
{
	MYSQL_STMT *st;
	va_list ap;

	va_start(ap, fmt);
	st = run(db, sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	return (long)mysql_stmt_affected_rows(st);
}

/* The rows of ST: all of them read now, or with STREAM as db_next asks. */
static struct dbres *
result(struct db *db, MYSQL_STMT *st, int stream)
{
	struct dbres *r;
	MYSQL_FIELD *f;
	my_bool on = 1;

	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
	if (!stream && mysql_stmt_store_result(st) != 0) {
		seterr(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		errno = EIO;
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto fail;
	r->st = st;
	if ((r->meta = mysql_stmt_result_metadata(st)) == NULL) {
		r->ncols = 0;
		return r;
	}
	r->ncols = (int)mysql_num_fields(r->meta);
	f = mysql_fetch_fields(r->meta);
	r->bind = calloc(r->ncols, sizeof(*r->bind));
	r->buf = calloc(r->ncols, sizeof(*r->buf));
	r->len = calloc(r->ncols, sizeof(*r->len));
	r->isnull = calloc(r->ncols, sizeof(*r->isnull));
	if (!r->bind || !r->buf || !r->len || !r->isnull)
		goto fail;
	for (int i = 0; i < r->ncols; i++) {
		/* Numbers become text too; 32 covers any of them. */
		unsigned long size = (stream ? f[i].length : f[i].max_length) + 1;

		if (stream && size > DB_STREAM_BUF)
			size = DB_STREAM_BUF;
		if (size < 32)
			size = 32;
		if ((r->buf[i] = malloc(size)) == NULL)
			goto fail;
		r->bind[i].buffer_type = MYSQL_TYPE_STRING;
		r->bind[i].buffer = r->buf[i];
		r->bind[i].buffer_length = size;
		r->bind[i].length = &r->len[i];
		r->bind[i].is_null = &r->isnull[i];
	}
	if (mysql_stmt_bind_result(st, r->bind) != 0) {
		seterr(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		goto fail;
	}
	r->nrows = stream ? -1 : (long)mysql_stmt_num_rows(st);
	return r;
fail:
	if (r)
		r->st = NULL;
	db_res_free(r);
	mysql_stmt_free_result(st);
	errno = ENOMEM;
	return NULL;
}

struct dbres *
db_vquery(struct db *db, int stream, const char *sql, const char *fmt,
    va_list ap)
{
	MYSQL_STMT *st = run(db, sql, fmt, ap);

	return st == NULL ? NULL : result(db, st, stream);
}

struct dbres *
db_query(struct db *db, const char *sql, const char *fmt, ...)
{
	struct dbres *r;
	va_list ap;

	va_start(ap, fmt);
	r = db_vquery(db, 0, sql, fmt, ap);
	va_end(ap);
	return r;
}

struct dbres *
db_stream_if(struct db *db, int stream, const char *sql, const char *fmt, ...)
{
	struct dbres *r;
	va_list ap;

	va_start(ap, fmt);
	r = db_vquery(db, stream, sql, fmt, ap);
	va_end(ap);
	return r;
}

int
db_value(struct db *db, int64_t *out, const char *sql, const char *fmt, ...)
{
	MYSQL_STMT *st;
	struct dbres *r;
	va_list ap;
	int rc = 0;

	va_start(ap, fmt);
	st = run(db, sql, fmt, ap);
	va_end(ap);
	if (st == NULL || (r = result(db, st, 0)) == NULL)
		return -1;
	if (db_next(r) == 1) {
		*out = db_coll(r, 0);
		rc = 1;
	}
	db_res_free(r);
	return rc;
}

/* A streamed row longer than its buffers: each truncated column is read
 * again into a buffer of its length, kept for the rows that follow. */
static int
grow(struct dbres *r)
{
	int rebind = 0;

	for (int i = 0; i < r->ncols; i++) {
		char *b;

		if (r->isnull[i] || r->len[i] < r->bind[i].buffer_length)
			continue;
		if ((b = realloc(r->buf[i], r->len[i] + 1)) == NULL)
			return -1;
		r->buf[i] = b;
		r->bind[i].buffer = b;
		r->bind[i].buffer_length = r->len[i] + 1;
		if (mysql_stmt_fetch_column(r->st, &r->bind[i], i, 0) != 0)
			return -1;
		rebind = 1;
	}
	return rebind && mysql_stmt_bind_result(r->st, r->bind) != 0 ? -1 : 0;
}

int
db_next(struct dbres *r)
{
	int rc;

	if (r == NULL || r->ncols == 0)
		return 0;
	rc = mysql_stmt_fetch(r->st);
	/* a value of the buffer's length has no room for its '\0' either */
	if ((rc == 0 || rc == MYSQL_DATA_TRUNCATED) && grow(r) == -1)
		return 0;
	if (rc == 0 || rc == MYSQL_DATA_TRUNCATED) {
		for (int i = 0; i < r->ncols; i++)
			r->buf[i][r->isnull[i] ? 0 :
			    (r->len[i] < r->bind[i].buffer_length ? r->len[i] :
			    r->bind[i].buffer_length - 1)] = '\0';
		return 1;
	}
	return 0;
}

int
db_ncols(const struct dbres *r)
{
	return r->ncols;
}

const char *
db_colname(const struct dbres *r, int col)
{
	MYSQL_FIELD *f = mysql_fetch_fields(r->meta);

	return f[col].name;
}

const char *
db_col(const struct dbres *r, int col)
{
	if (col < 0 || col >= r->ncols || r->isnull[col])
		return NULL;
	return r->buf[col];
}

int64_t
db_coll(const struct dbres *r, int col)
{
	const char *s = db_col(r, col);

	return s ? strtoll(s, NULL, 10) : 0;
}

long
db_nrows(const struct dbres *r)
{
	return r->nrows;
}

void
db_res_free(struct dbres *r)
{
	if (r == NULL)
		return;
	if (r->st)
		mysql_stmt_free_result(r->st);
	if (r->meta)
		mysql_free_result(r->meta);
	for (int i = 0; r->buf && i < r->ncols; i++)
		free(r->buf[i]);
	free(r->buf);
	free(r->bind);
	free(r->len);
	free(r->isnull);
	free(r);
}

uint64_t
db_last_id(struct db *db)
{
	return db->last ? mysql_stmt_insert_id(db->last) : 0;
}

unsigned
db_errno(struct db *db)
{
	return db->lasterr;
}

const char *
db_error(struct db *db)
{
	return db->errbuf;
}

static int
simple(struct db *db, const char *what)
{
	if (db->my == NULL && db_ping(db) == -1)
		return -1;
	if (mysql_real_query(db->my, what, strlen(what)) != 0) {
		seterr(db, mysql_errno(db->my), mysql_error(db->my));
		errno = EIO;
		return -1;
	}
	return 0;
}

int
db_begin(struct db *db)
{
	return simple(db, "START TRANSACTION");
}

int
db_commit(struct db *db)
{
	return simple(db, "COMMIT");
}

int
db_rollback(struct db *db)
{
	return simple(db, "ROLLBACK");
}

int
db_tx(struct db *db, int (*fn)(struct db *, void *), void *arg)
{
	for (int i = 0; i < 5; i++) {
		struct timespec pause = { 0, (10L << i) * 1000000L };
		unsigned e;
		int rc;

		db->lasterr = 0;
		if (db_begin(db) == -1)
			return -1;
		rc = fn(db, arg);
		if (rc >= 0 && db_commit(db) == 0)
			return rc;
		e = db->lasterr;
		db_rollback(db);
		db->lasterr = e;
		if (rc < -1 && rc != DB_TX_AGAIN)
			return rc;
		if (rc != DB_TX_AGAIN && e != DB_ER_DEADLOCK && e != DB_ER_LOCK_WAIT)
			return -1;
		nanosleep(&pause, NULL);
	}
	return -1;
}
