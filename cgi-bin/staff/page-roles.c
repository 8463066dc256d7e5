/* page-roles.c - F3 rights: roles holding a set of rights, one per function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "oplog.h"
#include "pages.h"
#include "roles.h"

enum {
	Q_LIST, Q_GET, Q_RIGHTS, Q_INSERT, Q_UPDATE, Q_CLEAR, Q_GRANT,
	Q_MY_ROLE
};
static const char *const q[] = {
	[Q_LIST] = "SELECT r.id, r.name, r.note,"
	    " (SELECT COUNT(*) FROM operators o WHERE o.role_id = r.id) AS operators,"
	    " (SELECT GROUP_CONCAT(right_code ORDER BY LENGTH(right_code), right_code"
	    "   SEPARATOR ' ') FROM role_rights rr WHERE rr.role_id = r.id) AS rights"
	    " FROM roles r ORDER BY r.id",
	[Q_GET] = "SELECT id, name, note FROM roles WHERE id = ?",
	[Q_RIGHTS] = "SELECT right_code FROM role_rights WHERE role_id = ?",
	[Q_INSERT] = "INSERT INTO roles (name, note) VALUES (?, ?)",
	[Q_UPDATE] = "UPDATE roles SET name = ?, note = ? WHERE id = ?",
	[Q_CLEAR] = "DELETE FROM role_rights WHERE role_id = ?",
	[Q_GRANT] = "INSERT INTO role_rights (role_id, right_code) VALUES (?, ?)",
	[Q_MY_ROLE] = "SELECT role_id FROM operators WHERE id = ?",
};

#define ADMIN_RIGHTS (((uint64_t)1 << 2) | ((uint64_t)1 << 3))

int
page_roles(struct req *r)
{
	struct dbres *res = db_query(r->db, q[Q_LIST], "");

	if (res == NULL)
		return -1;
	if (strcmp(web_query(r, "export", ""), "xlsx") == 0) {
		static const char *const heads[] = { "col.name", "col.note",
		    "col.operators", "col.rights" };
		static const char *const cols[] = { "name", "note",
		    "operators:int", "rights" };
		int rc = web_xlsx(r, "roles", heads, cols, 4, res);

		db_res_free(res);
		return rc;
	}
	web_rows(r, "Rows", res);
	db_res_free(res);
	hdf_set_value(r->hdf, "Page.ok", web_query(r, "ok", ""));
	web_render(r, "roles.cs");
	return 0;
}

static const struct field role_fields[] = {
	{ "name", FT_TEXT, 1, 0, 32, NULL },
	{ "note", FT_TEXT, 0, 0, 100, NULL },
};
enum { R_NAME, R_NOTE, R_N };

/* Marks the rights sent in the form (Query.right, repeated) in *SET. */
static int
sent_rights(struct req *r, uint64_t *set)
{
	HDF *node = hdf_get_obj(r->hdf, "Query.right");
	int bad = 0;

	*set = 0;
	if (node == NULL)
		return 0;
	/* one value arrives as the node's value, several as its children */
	for (HDF *c = hdf_obj_child(node); c; c = hdf_obj_next(c)) {
		const char *v = hdf_obj_value(c);
		int found = 0;

		for (int i = 2; i < NRIGHTS; i++)
			if (v && strcmp(v, right_codes[i]) == 0) {
				*set |= (uint64_t)1 << i;
				found = 1;
			}
		bad |= !found;
	}
	if (hdf_obj_child(node) == NULL) {
		const char *v = hdf_obj_value(node);
		int found = 0;

		for (int i = 2; i < NRIGHTS; i++)
			if (v && strcmp(v, right_codes[i]) == 0) {
				*set |= (uint64_t)1 << i;
				found = 1;
			}
		bad |= !found;
	}
	return bad ? -1 : 0;
}

static void
show_rights(struct req *r, uint64_t set)
{
	for (int i = 2; i < NRIGHTS; i++) {
		char key[64];

		snprintf(key, sizeof(key), "right.%s", right_codes[i]);
		hdf_set_valuef(r->hdf, "Rights.%d.code=%s", i, right_codes[i]);
		hdf_set_valuef(r->hdf, "Rights.%d.name=%s", i, web_lang(r, key));
		hdf_set_valuef(r->hdf, "Rights.%d.on=%d", i, !!(set & ((uint64_t)1 << i)));
	}
}

/* Role ID into Form.* and its rights into *SET; on a POST the before JSON
 * of the log in *BEFORE (the caller frees it). 1, 0 when there is no such
 * role, or -1. */
static int
role_load(struct req *r, int64_t id, uint64_t *set, char **before)
{
	struct dbres *res;
	STRING codes;

	if ((res = db_query(r->db, q[Q_GET], "l", id)) == NULL)
		return -1;
	if (!web_row(r, "Form", res)) {
		db_res_free(res);
		return 0;
	}
	db_res_free(res);
	if ((res = db_query(r->db, q[Q_RIGHTS], "l", id)) == NULL)
		return -1;
	string_init(&codes);
	while (db_next(res) == 1) {
		for (int i = 2; i < NRIGHTS; i++)
			if (strcmp(db_col(res, 0), right_codes[i]) == 0)
				*set |= (uint64_t)1 << i;
		string_appendf(&codes, "%s%s", codes.len ? " " : "",
		    db_col(res, 0));
	}
	db_res_free(res);
	if (r->is_post)
		*before = oplog_json("name", hdf_get_value(r->hdf, "Form.name", ""),
		    "rights", codes.buf ? codes.buf : "", NULL);
	string_clear(&codes);
	return 1;
}

#define NAME_TAKEN (-2)
#define NO_ADMIN (-3)

struct role_tx {
	const char *name, *note;
	int64_t edit;		/* the role edited, 0 for a new one */
	uint64_t set;
	int64_t id;		/* the role written */
};

/* The role and its rights; NAME_TAKEN, NO_ADMIN when nobody could
 * administer after it, -1, or 0. */
static int
role_tx(struct db *db, void *arg)
{
	struct role_tx *t = arg;
	long n;
	int left;

	t->id = t->edit;
	if (t->edit)
		n = db_exec(db, q[Q_UPDATE], "ssl", t->name, t->note, t->edit);
	else if ((n = db_exec(db, q[Q_INSERT], "ss", t->name, t->note)) != -1)
		t->id = (int64_t)db_last_id(db);
	if (n == -1)
		return db_errno(db) == DB_ER_DUP_ENTRY ? NAME_TAKEN : -1;
	if (db_exec(db, q[Q_CLEAR], "l", t->id) == -1)
		return -1;
	for (int i = 2; i < NRIGHTS; i++)
		if ((t->set & ((uint64_t)1 << i)) &&
		    db_exec(db, q[Q_GRANT], "ls", t->id, right_codes[i]) == -1)
			return -1;
	if ((left = roles_admins_left(db)) == -1)
		return -1;
	return left ? 0 : NO_ADMIN;
}

int
page_role_edit(struct req *r)
{
	int64_t id = web_query_id(r, "id");
	struct fval v[R_N];
	uint64_t set = 0;
	char *before = NULL, *after = NULL, obj[64];
	STRING codes;
	struct role_tx t;
	int nerr;

	web_render(r, "role.cs");
	if (id) {
		int found = role_load(r, id, &set, &before);

		if (found != 1)
			return found == 0 ? web_fail(r, 404, "err.not_found") : -1;
	}
	if (!r->is_post) {
		show_rights(r, set);
		return 0;
	}
	nerr = form_check(r, role_fields, R_N, v);
	if (sent_rights(r, &set) == -1)
		nerr += form_error(r, "right", "bad_choice");
	show_rights(r, set);
	/* nobody takes F2 or F3 from their own role */
	if (id && nerr == 0) {
		int64_t mine = 0;

		if (db_value(r->db, &mine, q[Q_MY_ROLE], "l", r->sess->op_id) == -1)
			goto fail;
		if (mine == id && (r->sess->rights & ADMIN_RIGHTS) & ~set)
			nerr += form_error(r, "right", "own_admin_rights");
	}
	if (nerr) {
		free(before);
		return 0;
	}
	/* the role and its rights change together or not at all */
	t = (struct role_tx){ v[R_NAME].s, v[R_NOTE].s, id, set, 0 };
	switch (db_tx(r->db, role_tx, &t)) {
	case 0:
		id = t.id;
		break;
	case NAME_TAKEN:
		form_error(r, "name", "name_taken");
		free(before);
		return 0;
	case NO_ADMIN:
		form_error(r, "right", "last_admin");
		free(before);
		return 0;
	default:
		goto fail;
	}
	string_init(&codes);
	for (int i = 2; i < NRIGHTS; i++)
		if (set & ((uint64_t)1 << i))
			string_appendf(&codes, "%s%s", codes.len ? " " : "",
			    right_codes[i]);
	after = oplog_json("name", v[R_NAME].s, "rights", codes.buf ? codes.buf : "",
	    NULL);
	string_clear(&codes);
	snprintf(obj, sizeof(obj), "role:%lld", (long long)id);
	web_log(r, before ? "role.edit" : "role.create", obj, before, after);
	free(before);
	free(after);
	web_redirect(r, "/roles?ok=saved");
	return 0;
fail:
	free(before);
	return -1;
}
