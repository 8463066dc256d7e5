/* db.h - MariaDB access: prepared statements only, cached per connection. */
#ifndef DB_H
#define DB_H

#include <stdarg.h>
#include <stdint.h>

struct config;
struct db;
struct dbres;

/*
 * Connects with the "db_*" keys of the configuration under the account
 * prefix PREFIX (e.g. "staff" reads staff_user and staff_password).
 * Returns a new handle (db_close) or NULL with errno; the reason is logged.
 */
struct db *db_open(const struct config *, const char *prefix);
/* The same, but connects at the first use (db_ping): never fails for
 * want of a server. Returns NULL only when out of memory. */
struct db *db_open_lazy(const struct config *, const char *prefix);
void db_close(struct db *);
/* 0 when the server answers (reconnecting if need be), -1 otherwise. */
int db_ping(struct db *);

/*
 * Parameters are described by FMT, one character each:
 *   'l' int64_t, 'i' int, 's' const char * (NULL binds SQL NULL).
 * SQL must be a string constant of a module's statement table: the
 * statement is prepared once per connection and found again by address.
 */
/* Runs a statement that returns no rows: affected rows, or -1. */
long db_exec(struct db *, const char *sql, const char *fmt, ...);
/* Runs a query; returns its rows (db_res_free) or NULL on error. */
struct dbres *db_query(struct db *, const char *sql, const char *fmt, ...);
/*
 * With STREAM the same, but the rows come from the server as db_next asks
 * for them, so that a result of any size takes the memory of one row
 * (a list exported whole). Until db_res_free, nothing else may run on this
 * connection; db_nrows is -1.
 */
struct dbres *db_stream_if(struct db *, int stream, const char *sql,
    const char *fmt, ...);
/* db_query or db_stream_if with the parameters in AP. */
struct dbres *db_vquery(struct db *, int stream, const char *sql,
    const char *fmt, va_list ap);
/* Runs a query and returns the first column of its first row as an integer
 * in *OUT: 1 when there was a row, 0 when none, -1 on error. */
int db_value(struct db *, int64_t *out, const char *sql, const char *fmt, ...);

/* Advances to the next row: 1, or 0 at the end. */
int db_next(struct dbres *);
int db_ncols(const struct dbres *);
const char *db_colname(const struct dbres *, int col);
/* The column of the current row as text, borrowed; NULL for SQL NULL. */
const char *db_col(const struct dbres *, int col);
int64_t db_coll(const struct dbres *, int col);
long db_nrows(const struct dbres *);
void db_res_free(struct dbres *);

uint64_t db_last_id(struct db *);
/* The server's error number of the last failure (1213 = deadlock). */
unsigned db_errno(struct db *);
const char *db_error(struct db *);

int db_begin(struct db *);
int db_commit(struct db *);
int db_rollback(struct db *);

/*
 * The one transaction runner: begins, calls FN(DB, ARG), commits when FN
 * returns 0 or more and rolls back when it returns less. A deadlock or a
 * lock wait timeout (1213, 1205), in FN or at the commit, or FN returning
 * DB_TX_AGAIN (it saw a concurrent change) runs it all again after a short
 * pause that doubles, 5 times at most. Returns FN's value after the commit;
 * FN's own negative value (other than -1 and DB_TX_AGAIN) after the
 * rollback; or -1, db_errno() telling the last server error (0 when none).
 * On a Galera cluster node the transaction that loses to another node's
 * conflicting write set is told at its COMMIT (or its next statement) with
 * the same 1213 (MariaDB 10.11, galera-4 26.4), so it runs again too; a
 * lock held on one node never holds anyone on another.
 */
#define DB_TX_AGAIN (-100)
int db_tx(struct db *, int (*fn)(struct db *, void *), void *arg);

#define DB_ER_DUP_ENTRY 1062
#define DB_ER_DEADLOCK 1213
#define DB_ER_LOCK_WAIT 1205

#endif
