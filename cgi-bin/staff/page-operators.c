/* page-operators.c - F2 operators: list, create, edit, disable, reset password or TOTP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "pages.h"
#include "roles.h"

enum {
	Q_UNLOCK, Q_LIST, Q_GET, Q_ROLES, Q_INSERT, Q_UPDATE, Q_DISABLE, Q_RESET,
	Q_DROPSESS, Q_ROLE_OK, Q_TOTP_RESET, Q_TOTP_PENDING
};
static const char *const q[] = {
	[Q_LIST] = "SELECT o.id, o.login, o.name, o.phone, r.name AS role,"
	    " o.disabled, o.must_change, (o.locked_until > UTC_TIMESTAMP()) AS locked,"
	    " (o.totp_secret IS NOT NULL) AS totp,"
	    " DATE_FORMAT(CONVERT_TZ(o.last_login, '+00:00', p.tz), '%Y-%m-%d %H:%i') AS last_login,"
	    " DATE_FORMAT(CONVERT_TZ(o.created_at, '+00:00', p.tz), '%Y-%m-%d %H:%i') AS created,"
	    " COUNT(*) OVER () AS total"
	    " FROM operators o JOIN roles r ON r.id = o.role_id"
	    " JOIN (SELECT ? AS q, ? AS role, ? AS st, ? AS s, ? AS tz) p"
	    " WHERE (p.q = '' OR INSTR(o.login, p.q) > 0"
	    "   OR INSTR(o.name, p.q) > 0)"
	    " AND (p.role = 0 OR o.role_id = p.role)"
	    " AND (p.st = '' OR (p.st = 'active' AND o.disabled = 0)"
	    "   OR (p.st = 'disabled' AND o.disabled = 1))"
	    " ORDER BY CASE WHEN p.s = 1 THEN o.login END,"
	    " CASE WHEN p.s = -1 THEN o.login END DESC,"
	    " CASE WHEN p.s = 2 THEN o.name END, CASE WHEN p.s = -2 THEN o.name END DESC,"
	    " CASE WHEN p.s = 3 THEN r.name END, CASE WHEN p.s = -3 THEN r.name END DESC,"
	    " CASE WHEN p.s = 4 THEN o.last_login END,"
	    " CASE WHEN p.s = -4 THEN o.last_login END DESC,"
	    " CASE WHEN p.s = 5 THEN o.created_at END,"
	    " CASE WHEN p.s = -5 THEN o.created_at END DESC, o.id"
	    " LIMIT ? OFFSET ?",
	[Q_GET] = "SELECT id, login, name, phone, role_id, disabled"
	    " FROM operators WHERE id = ?",
	[Q_ROLES] = "SELECT id, name FROM roles ORDER BY id",
	[Q_INSERT] = "INSERT INTO operators (login, name, phone, role_id, pw_hash,"
	    " must_change) VALUES (?, ?, ?, ?, ?, 1)",
	[Q_UPDATE] = "UPDATE operators SET name = ?, phone = ?, role_id = ?"
	    " WHERE id = ?",
	[Q_DISABLE] = "UPDATE operators SET disabled = ? WHERE id = ?",
	[Q_RESET] = "UPDATE operators SET pw_hash = ?, must_change = 1,"
	    " pw_set_at = UTC_TIMESTAMP(),"
	    " failed_logins = 0, locked_until = NULL WHERE id = ?",
	[Q_DROPSESS] = "DELETE FROM sessions WHERE operator_id = ?",
	[Q_ROLE_OK] = "SELECT COUNT(*) FROM roles WHERE id = ?",
	[Q_UNLOCK] = "DELETE FROM login_failures WHERE login = ?",
	/* a lost TOTP device: the operator enrols again */
	[Q_TOTP_RESET] = "UPDATE operators SET totp_secret = NULL, totp_step = 0"
	    " WHERE id = ? AND totp_secret IS NOT NULL",
	[Q_TOTP_PENDING] = "DELETE FROM login_pending WHERE operator_id = ?",
};

static const char *const sortkeys[] = {
	"login", "name", "role", "last_login", "created", NULL
};

int
page_operators(struct req *r)
{
	struct list l;
	struct dbres *res;
	const char *qs = web_query(r, "q", "");
	const char *st = web_query(r, "status", "");
	static const char *const heads[] = { "col.login", "col.name",
	    "col.phone", "col.role", "col.status", "col.last_login", "col.created" };
	static const char *const cols[] = { "login", "name", "phone", "role",
	    "disabled:label.disabled", "last_login:datetime",
	    "created:datetime" };

	web_list(r, sortkeys, "login", &l);
	hdf_set_value(r->hdf, "Filter.q", qs);
	hdf_set_value(r->hdf, "Filter.status", st);
	hdf_set_int_value(r->hdf, "Filter.role", (int)web_query_id(r, "role"));
	res = db_stream_if(r->db, l.export, q[Q_LIST],
	    "slsisll", qs, web_query_id(r, "role"),
	    st, l.sort, web_tz(r), (int64_t)l.per, (int64_t)l.offset);
	if (web_list_out(r, &l, res, "operators", heads, cols, 7,
	    "operators.cs") == -1)
		return -1;
	if (l.export)
		return 0;
	if ((res = db_query(r->db, q[Q_ROLES], "")) == NULL)
		return -1;
	web_rows(r, "Roles", res);
	db_res_free(res);
	return 0;
}

static const struct field op_fields[] = {
	{ "login", FT_LOGIN, 1, 0, 0, NULL },
	{ "name", FT_TEXT, 1, 0, 32, NULL },
	{ "phone", FT_PHONE, 0, 0, 0, NULL },
	{ "role_id", FT_ID, 1, 0, 0, NULL },
};
enum { O_LOGIN, O_NAME, O_PHONE, O_ROLE, O_N };

static int
show_password(struct req *r, const char *login, const char *pw)
{
	hdf_set_value(r->hdf, "Done.login", login);
	hdf_set_value(r->hdf, "Done.password", pw);
	web_render(r, "operator-password.cs");
	return 0;
}

int
page_operator_edit(struct req *r)
{
	int64_t id = web_query_id(r, "id");
	struct fval v[O_N];
	struct dbres *res;
	char *before = NULL, *after = NULL, *hash;
	char pw[13], obj[64];
	int64_t n;
	int nerr;

	if ((res = db_query(r->db, q[Q_ROLES], "")) == NULL)
		return -1;
	web_rows(r, "Roles", res);
	db_res_free(res);
	web_render(r, "operator.cs");
	if (id && (nerr = web_edit_load(r, q[Q_GET], id, &before)) != 1)
		return nerr;
	if (!r->is_post)
		return 0;
	/* the login of an existing operator never changes */
	nerr = form_check(r, id ? op_fields + 1 : op_fields, id ? O_N - 1 : O_N,
	    id ? v + 1 : v);
	if (v[O_ROLE].set && db_value(r->db, &n, q[Q_ROLE_OK], "l",
	    v[O_ROLE].i) == 1 && n == 0)
		nerr += form_error(r, "role_id", "bad_choice");
	if (nerr) {
		free(before);
		return 0;
	}
	after = web_json_form(id ? op_fields + 1 : op_fields, id ? O_N - 1 : O_N,
	    id ? v + 1 : v);
	if (id) {
		int left;

		/* a change of role must leave someone to administer */
		if (db_begin(r->db) == -1 || db_exec(r->db, q[Q_UPDATE], "ssll",
		    v[O_NAME].s, v[O_PHONE].s, v[O_ROLE].i, id) == -1 ||
		    (left = roles_admins_left(r->db)) == -1) {
			db_rollback(r->db);
			goto fail;
		}
		if (left == 0) {
			db_rollback(r->db);
			form_error(r, "role_id", "last_admin");
			free(before);
			free(after);
			return 0;
		}
		if (db_commit(r->db) == -1)
			goto fail;
		snprintf(obj, sizeof(obj), "operator:%lld", (long long)id);
		web_log(r, "operator.edit", obj, before, after);
		web_redirect(r, "/operators?ok=saved");
	} else {
		if (crypto_password_random(pw, 12) == -1 ||
		    (hash = crypto_password_hash(pw)) == NULL)
			goto fail;
		n = db_exec(r->db, q[Q_INSERT], "sssls", v[O_LOGIN].s,
		    v[O_NAME].s, v[O_PHONE].s, v[O_ROLE].i, hash);
		free(hash);
		if (n == -1 && db_errno(r->db) == DB_ER_DUP_ENTRY) {
			form_error(r, "login", "login_taken");
			free(after);
			return 0;
		}
		if (n == -1)
			goto fail;
		snprintf(obj, sizeof(obj), "operator:%llu",
		    (unsigned long long)db_last_id(r->db));
		web_log(r, "operator.create", obj, NULL, after);
		show_password(r, v[O_LOGIN].s, pw);
	}
	free(before);
	free(after);
	return 0;
fail:
	free(before);
	free(after);
	return -1;
}

int
page_operator_disable(struct req *r)
{
	int64_t id = web_query_id(r, "id");
	int on = strcmp(web_query(r, "disabled", "1"), "0") != 0;
	char obj[64];
	long n;
	int left;

	if (id == 0)
		return web_fail(r, 404, "err.not_found");
	if (id == r->sess->op_id)
		return web_fail(r, 400, "err.self_disable");
	if (db_begin(r->db) == -1)
		return -1;
	if ((n = db_exec(r->db, q[Q_DISABLE], "il", on, id)) == -1 ||
	    (left = roles_admins_left(r->db)) == -1) {
		db_rollback(r->db);
		return -1;
	}
	/* the last one who can administer operators and rights stays */
	if (left == 0) {
		db_rollback(r->db);
		return web_fail(r, 409, "err.last_admin");
	}
	if (db_commit(r->db) == -1)
		return -1;
	if (n == 0 && db_value(r->db, &id, q[Q_GET], "l", id) != 1)
		return web_fail(r, 404, "err.not_found");
	if (on)
		db_exec(r->db, q[Q_DROPSESS], "l", id);
	snprintf(obj, sizeof(obj), "operator:%lld", (long long)id);
	web_log(r, on ? "operator.disable" : "operator.enable", obj,
	    on ? "{\"disabled\":\"0\"}" : "{\"disabled\":\"1\"}",
	    on ? "{\"disabled\":\"1\"}" : "{\"disabled\":\"0\"}");
	web_redirect(r, "/operators?ok=saved");
	return 0;
}

int
page_operator_reset(struct req *r)
{
	int64_t id = web_query_id(r, "id");
	struct dbres *res;
	char pw[13], obj[64], login[40];
	char *hash;
	long n;

	if (id == 0 || (res = db_query(r->db, q[Q_GET], "l", id)) == NULL)
		return web_fail(r, 404, "err.not_found");
	if (db_next(res) != 1) {
		db_res_free(res);
		return web_fail(r, 404, "err.not_found");
	}
	snprintf(login, sizeof(login), "%s", db_col(res, 1));
	db_res_free(res);
	if (crypto_password_random(pw, 12) == -1 || (hash = crypto_password_hash(pw)) == NULL)
		return -1;
	n = db_exec(r->db, q[Q_RESET], "sl", hash, id);
	free(hash);
	if (n == -1)
		return -1;
	db_exec(r->db, q[Q_DROPSESS], "l", id);
	/* a new password also ends the lock of wrong passwords */
	db_exec(r->db, q[Q_UNLOCK], "s", login);
	snprintf(obj, sizeof(obj), "operator:%lld", (long long)id);
	web_log(r, "operator.reset_password", obj, NULL, NULL);
	return show_password(r, login, pw);
}

/* 2.5.7: an operator who lost the TOTP device has it reset by an
 * administrator (who has checked who asks), and enrols again; not one's
 * own, which /totp turns off with the password and a code. */
int
page_operator_totp_reset(struct req *r)
{
	int64_t id = web_query_id(r, "id");
	char obj[64];
	long n;

	if (id == 0)
		return web_fail(r, 404, "err.not_found");
	if (id == r->sess->op_id)
		return web_fail(r, 400, "Totp.err_self_reset");
	if ((n = db_exec(r->db, q[Q_TOTP_RESET], "l", id)) == -1)
		return -1;
	if (n == 0) {
		if (db_value(r->db, &id, q[Q_GET], "l", id) != 1)
			return web_fail(r, 404, "err.not_found");
		web_redirect(r, "/operators?ok=saved");
		return 0;
	}
	/* signed in with the lost device: those sessions end too */
	db_exec(r->db, q[Q_DROPSESS], "l", id);
	db_exec(r->db, q[Q_TOTP_PENDING], "l", id);
	snprintf(obj, sizeof(obj), "operator:%lld", (long long)id);
	web_log(r, "operator.reset_totp", obj, "{\"totp\":\"1\"}",
	    "{\"totp\":\"0\"}");
	web_redirect(r, "/operators?ok=totp_reset");
	return 0;
}
