/* students.c - M1 the students' passwords, the lock after wrong ones and the end of their sessions. */
#include <errno.h>
#include <stdlib.h>

#include "crypto.h"
#include "db.h"
#include "students.h"

enum {
	Q_FAILS, Q_FAIL, Q_CLEAR, Q_SETPW, Q_OWNPW, Q_ENDALL, Q_ENDOTHERS, Q_MUST,
	Q_LASTLOGIN, Q_NEWSESS, Q_RENEW
};
static const char *const q[] = {
	/* failures of this login from this address, of the address, and
	 * the minutes until the lock of either ends */
	[Q_FAILS] = "SELECT COALESCE(SUM(login = ?), 0), COUNT(*),"
	    " COALESCE(CEIL(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(),"
	    "   MAX(at) + INTERVAL ? MINUTE) / 60), 0)"
	    " FROM student_login_failures WHERE client_addr = ?"
	    " AND at > UTC_TIMESTAMP() - INTERVAL ? MINUTE",
	[Q_FAIL] = "INSERT INTO student_login_failures (login, client_addr, at)"
	    " VALUES (?, ?, UTC_TIMESTAMP())",
	[Q_CLEAR] = "DELETE FROM student_login_failures"
	    " WHERE login = ? AND client_addr = ?",
	[Q_SETPW] = "INSERT INTO student_logins (account_id, pw_hash,"
	    " must_change, set_at, set_by) VALUES (?, ?, ?, UTC_TIMESTAMP(),"
	    " NULLIF(?, 0)) ON DUPLICATE KEY UPDATE pw_hash = VALUES(pw_hash),"
	    " must_change = VALUES(must_change), set_at = VALUES(set_at),"
	    " set_by = VALUES(set_by)",
	/* the student's own: no new row, nothing to change at the next sign-in */
	[Q_OWNPW] = "UPDATE student_logins SET pw_hash = ?, must_change = 0,"
	    " set_at = UTC_TIMESTAMP(), set_by = NULL WHERE account_id = ?",
	[Q_ENDALL] = "DELETE FROM student_sessions WHERE account_id = ?",
	[Q_ENDOTHERS] = "DELETE FROM student_sessions"
	    " WHERE account_id = ? AND id <> ?",
	/* only an account with a student login has sessions */
	[Q_MUST] = "SELECT must_change FROM student_logins WHERE account_id = ?",
	[Q_LASTLOGIN] = "UPDATE student_logins SET last_login = UTC_TIMESTAMP()"
	    " WHERE account_id = ?",
	[Q_NEWSESS] = "INSERT INTO student_sessions (token_hash, account_id,"
	    " csrf, client_addr, remember, by_code, created_at, last_seen)"
	    " VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())",
	/* the same password, its hash made again (the pepper) */
	[Q_RENEW] = "UPDATE student_logins SET pw_hash = ?"
	    " WHERE account_id = ? AND pw_hash = ?",
};

int
students_locked(struct db *db, const char *login, const char *addr,
    struct student_lock *l)
{
	struct dbres *res = db_query(db, q[Q_FAILS], "sisi", login,
	    LOCKOUT_MINUTES, addr, LOCKOUT_MINUTES);

	l->fails = l->addr_fails = l->minutes = 0;
	if (res == NULL)
		return -1;
	if (db_next(res) == 1) {
		l->fails = (int)db_coll(res, 0);
		l->addr_fails = (int)db_coll(res, 1);
		l->minutes = (int)db_coll(res, 2);
	}
	db_res_free(res);
	return l->fails >= LOCKOUT_MAX_FAILS ||
	    l->addr_fails >= LOCKOUT_MAX_ADDR_FAILS;
}

int
students_failed(struct db *db, const char *login, const char *addr,
    const struct student_lock *l)
{
	if (db_exec(db, q[Q_FAIL], "ss", login, addr) == -1)
		return -1;
	return l->fails + 1 >= LOCKOUT_MAX_FAILS ||
	    l->addr_fails + 1 >= LOCKOUT_MAX_ADDR_FAILS;
}

int
students_cleared(struct db *db, const char *login, const char *addr)
{
	return db_exec(db, q[Q_CLEAR], "ss", login, addr) == -1 ? -1 : 0;
}

struct setpw {
	int64_t account, operator_id, keep;
	const char *hash;
};

/* In one transaction: the new hash, and the sessions it ends. */
static int
setpw_tx(struct db *db, void *arg)
{
	const struct setpw *a = arg;

	if (a->operator_id)
		return db_exec(db, q[Q_SETPW], "lsil", a->account, a->hash, 1,
		    a->operator_id) == -1 ||
		    db_exec(db, q[Q_ENDALL], "l", a->account) == -1 ? -1 : 0;
	return db_exec(db, q[Q_OWNPW], "sl", a->hash, a->account) < 1 ||
	    db_exec(db, q[Q_ENDOTHERS], "ll", a->account, a->keep) == -1 ?
	    -1 : 0;
}

int
students_set_password(struct db *db, int64_t account, const char *pw,
    int64_t operator_id, int64_t keep)
{
	struct setpw a = { account, operator_id, keep, NULL };
	char *hash = crypto_password_hash(pw);
	int rc;

	if (hash == NULL)
		return -1;
	a.hash = hash;
	rc = db_tx(db, setpw_tx, &a);
	free(hash);
	if (rc < 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int
students_password_renew(struct db *db, int64_t account, const char *pw,
    const char *old)
{
	char *hash = crypto_password_hash(pw);
	int rc;

	if (hash == NULL)
		return -1;
	rc = db_exec(db, q[Q_RENEW], "sls", hash, account, old) == -1 ? -1 : 0;
	free(hash);
	return rc;
}

int
students_session_start(struct db *db, int64_t account, int remember,
    int by_code, const char *addr, char token[65], int *must_change)
{
	char hash[65], csrf[65];
	struct dbres *res;

	*must_change = 1;
	if ((res = db_query(db, q[Q_MUST], "l", account)) == NULL)
		return -1;
	if (db_next(res) == 1)
		*must_change = (int)db_coll(res, 0);
	db_res_free(res);
	if (crypto_random_hex(32, token) || crypto_sha256_hex(token, hash) ||
	    crypto_random_hex(32, csrf))
		return -1;
	if (db_exec(db, q[Q_LASTLOGIN], "l", account) == -1 ||
	    db_exec(db, q[Q_NEWSESS], "slssii", hash, account, csrf, addr,
	    remember, by_code) == -1)
		return -1;
	return 0;
}
