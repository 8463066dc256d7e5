/* page-tariffs.c - B6 tariffs: versions with an effective date, time of use, assignment to meters. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "money.h"
#include "oplog.h"
#include "pages.h"
#include "tariff.h"
#include "tariffs.h"

enum {
	Q_LIST, Q_VERSIONS, Q_INSERT, Q_TARIFF, Q_VERSION, Q_TODAY, Q_METERS,
	Q_NVERSIONS, Q_ASSIGN
};
static const char *const q[] = {
	[Q_LIST] = "SELECT t.id, t.name, t.note,"
	    " (SELECT COUNT(*) FROM meter_tariffs mt WHERE mt.tariff_id = t.id) AS meters"
	    " FROM tariffs t ORDER BY t.name",
	[Q_VERSIONS] = "SELECT v.id, v.tariff_id, v.effective_date, v.p0, v.p1, v.p2, v.p3,"
	    " v.tou, v.tiers, v.applied_at IS NOT NULL AS applied FROM tariff_versions v"
	    " ORDER BY v.tariff_id, v.effective_date DESC",
	[Q_INSERT] = "INSERT INTO tariffs (name, note) VALUES (?, ?)",
	[Q_TARIFF] = "SELECT id, name FROM tariffs WHERE id = ?",
	[Q_VERSION] = "INSERT INTO tariff_versions (tariff_id, effective_date, p0, p1,"
	    " p2, p3, tou, tiers, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[Q_TODAY] = "SELECT ? >= DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', ?))",
	/* the prepaid meters of a building (and floor), or one by number */
	[Q_METERS] = "SELECT m.id FROM meters m LEFT JOIN rooms r ON r.id = m.room_id"
	    " JOIN (SELECT ? AS b, ? AS f, ? AS n) p WHERE m.profile = 'ddsy1352nk'"
	    " AND ((p.n > 0 AND m.number = p.n) OR (p.n = 0 AND r.building_id + 0 = p.b"
	    "   AND (p.f = 0 OR r.floor + 0 = p.f)))",
	[Q_NVERSIONS] = "SELECT COUNT(*) FROM tariff_versions WHERE tariff_id = ?",
	[Q_ASSIGN] = "INSERT INTO meter_tariffs (meter_id, tariff_id) VALUES (?, ?)"
	    " ON DUPLICATE KEY UPDATE tariff_id = VALUES(tariff_id),"
	    " assigned_at = CURRENT_TIMESTAMP",
};

static int
show(struct req *r)
{
	struct dbres *res;
	HDF *vers;
	char buf[32];

	if (tariff_apply_due(r->db, web_tz(r)) == -1)
		return -1;
	if ((res = db_query(r->db, q[Q_LIST], "")) == NULL)
		return -1;
	web_rows(r, "Tariffs", res);
	db_res_free(res);
	if ((res = db_query(r->db, q[Q_VERSIONS], "")) == NULL)
		return -1;
	web_rows(r, "Versions", res);
	db_res_free(res);
	vers = hdf_get_obj(r->hdf, "Versions");
	for (HDF *v = vers ? hdf_obj_child(vers) : NULL; v; v = hdf_obj_next(v))
		for (int i = 0; i < 4; i++) {
			char k[4] = { 'p', (char)('0' + i), 0, 0 };
			char y[4] = { 'y', (char)('0' + i), 0, 0 };

			hdf_set_value(v, y, decimal_format(strtoll(
			    hdf_get_value(v, k, "0"), NULL, 10), 4, buf, sizeof(buf)));
		}
	/* the day table as staff write it: 00:00=谷,08:00=峰 */
	for (HDF *v = vers ? hdf_obj_child(vers) : NULL; v; v = hdf_obj_next(v)) {
		struct tou t;
		char text[160];

		if (tou_from_payload(hdf_get_value(v, "tou", ""), &t) == 0)
			hdf_set_value(v, "tou_text", tou_text(&t, text, sizeof(text)));
	}
	if (web_buildings(r) == -1)
		return -1;
	hdf_set_value(r->hdf, "Page.ok", web_query(r, "ok", ""));
	web_render(r, "tariffs.cs");
	return 0;
}

int
page_tariffs(struct req *r)
{
	return show(r);
}

static const struct field tfields[] = {
	{ "name", FT_TEXT, 1, 0, 32, NULL },
	{ "note", FT_TEXT, 0, 0, 100, NULL },
};

int
page_tariff_new(struct req *r)
{
	struct fval v[2];
	char obj[64], *after;

	if (form_check(r, tfields, 2, v) > 0)
		return show(r);
	if (db_exec(r->db, q[Q_INSERT], "ss", v[0].s, v[1].s) == -1) {
		if (db_errno(r->db) != DB_ER_DUP_ENTRY)
			return -1;
		form_error(r, "name", "name_taken");
		return show(r);
	}
	snprintf(obj, sizeof(obj), "tariff:%llu", (unsigned long long)db_last_id(r->db));
	after = web_json_form(tfields, 2, v);
	web_log(r, "tariff.create", obj, NULL, after);
	free(after);
	web_redirect(r, "/tariffs?ok=saved");
	return 0;
}

static const struct field vfields[] = {
	{ "tariff", FT_ID, 1, 0, 0, NULL },
	{ "date", FT_TEXT, 1, 0, 10, NULL },
	{ "p0", FT_PRICE, 0, 0, 0, NULL },
	{ "p1", FT_PRICE, 0, 0, 0, NULL },
	{ "p2", FT_PRICE, 0, 0, 0, NULL },
	{ "p3", FT_PRICE, 0, 0, 0, NULL },
	{ "tou", FT_TEXT, 0, 0, 200, NULL },
	{ "tiers", FT_TEXT, 0, 0, 200, NULL },
};
enum { V_TARIFF, V_DATE, V_P0, V_P1, V_P2, V_P3, V_TOU, V_TIERS, V_N };

/*
 * Tiered: one price all day, the tier's. Else the prices of the slots the
 * day table uses (the flat one when there is no table) are needed; a slot
 * not used takes the flat price, so that one price is typed once. Fills
 * the prices of V; the number of errors it adds.
 */
static int
version_prices(struct req *r, struct fval *v, const struct tou *t,
    const struct tiers *ti)
{
	int used[4] = { 0, 0, t->n == 0, 0 };
	int64_t fill = -1;
	int nerr = 0;

	for (int i = 0; i < t->n; i++)
		used[t->slot[i] & 3] = 1;
	for (int i = V_P0; i <= V_P3; i++)
		if (ti->n > 0 && !v[i].set) {
			v[i].i = ti->price[0];
			v[i].set = 1;
		} else if (!v[i].set && used[i - V_P0] &&
		    !hdf_get_valuef(r->hdf, "Form.err.%s", vfields[i].name))
			nerr += form_error(r, vfields[i].name, "required");
	if (v[V_P2].set)
		fill = v[V_P2].i;
	for (int i = V_P0; fill < 0 && i <= V_P3; i++)
		if (v[i].set && used[i - V_P0])
			fill = v[i].i;
	for (int i = V_P0; i <= V_P3; i++)
		if (!v[i].set && !used[i - V_P0] && fill >= 0) {
			v[i].i = fill;
			v[i].set = 1;
		}
	return nerr;
}

int
page_tariff_version(struct req *r)
{
	struct fval v[V_N];
	struct tou t;
	struct tiers ti;
	struct dbres *res;
	const char *e;
	char tou[128], tiers[256], obj[64], *after;
	int64_t future = 0;
	int nerr = form_check(r, vfields, V_N, v);

	if (v[V_TARIFF].set) {
		if ((res = db_query(r->db, q[Q_TARIFF], "l", v[V_TARIFF].i)) == NULL)
			return -1;
		if (db_next(res) != 1)
			nerr += form_error(r, "tariff", "bad_choice");
		db_res_free(res);
	}
	if (v[V_DATE].set && (!web_date_ok(v[V_DATE].s) ||
	    db_value(r->db, &future, q[Q_TODAY], "ss", v[V_DATE].s, web_tz(r)) != 1))
		nerr += form_error(r, "date", "bad_date");
	else if (v[V_DATE].set && !future)
		nerr += form_error(r, "date", "date_past");
	if ((e = tou_parse(v[V_TOU].s ? v[V_TOU].s : "", &t)) != NULL)
		nerr += form_error(r, "tou", e);
	if ((e = tier_parse(v[V_TIERS].s ? v[V_TIERS].s : "", &ti)) != NULL)
		nerr += form_error(r, "tiers", e);
	else if (ti.n > 0 && t.n > 0)
		nerr += form_error(r, "tiers", "tier_with_tou");
	nerr += version_prices(r, v, &t, &ti);
	if (nerr)
		return show(r);
	tou_payload(&t, tou, sizeof(tou));
	tier_text(&ti, tiers, sizeof(tiers));
	if (db_exec(r->db, q[Q_VERSION], "lsllllssl", v[V_TARIFF].i, v[V_DATE].s,
	    v[V_P0].i, v[V_P1].i, v[V_P2].i, v[V_P3].i, tou, tiers,
	    r->sess->op_id) == -1) {
		if (db_errno(r->db) != DB_ER_DUP_ENTRY)
			return -1;
		form_error(r, "date", "version_exists");
		return show(r);
	}
	snprintf(obj, sizeof(obj), "tariff:%lld", (long long)v[V_TARIFF].i);
	after = web_json_form(vfields, V_N, v);
	web_log(r, "tariff.version", obj, NULL, after);
	free(after);
	/* a version in force from today goes out at once */
	if (tariff_apply_due(r->db, web_tz(r)) == -1)
		return -1;
	web_redirect(r, "/tariffs?ok=saved");
	return 0;
}

static const struct field afields[] = {
	{ "tariff", FT_ID, 1, 0, 0, NULL },
	{ "building", FT_ID, 0, 0, 0, NULL },
	{ "floor", FT_INT, 0, 1, 200, NULL },
	{ "meter", FT_INT, 0, 1, 4294967295L, NULL },
};
enum { A_TARIFF, A_BUILDING, A_FLOOR, A_METER, A_N };

int
page_tariff_assign(struct req *r)
{
	struct fval v[A_N];
	struct dbres *res;
	int64_t ids[5000];
	int n = 0, nerr = form_check(r, afields, A_N, v);
	char obj[64], cnt[16], tname[80] = "", *after;
	STRING loc;

	if (!v[A_BUILDING].set && !v[A_METER].set)
		nerr += form_error(r, "building", "required");
	if (v[A_TARIFF].set) {
		int64_t nv = 0;

		if ((res = db_query(r->db, q[Q_TARIFF], "l", v[A_TARIFF].i)) == NULL)
			return -1;
		if (db_next(res) != 1)
			nerr += form_error(r, "atariff", "bad_choice");
		else
			snprintf(tname, sizeof(tname), "%s", db_col(res, 1));
		db_res_free(res);
		/* a plan without a price is nothing to give a meter */
		if (db_value(r->db, &nv, q[Q_NVERSIONS], "l", v[A_TARIFF].i) == -1)
			return -1;
		if (nerr == 0 && nv == 0)
			nerr += form_error(r, "atariff", "tariff_no_version");
	}
	if (nerr)
		return show(r);
	if ((res = db_query(r->db, q[Q_METERS], "lll", v[A_BUILDING].i,
	    v[A_FLOOR].i, v[A_METER].i)) == NULL)
		return -1;
	while (db_next(res) == 1 && n < 5000)
		ids[n++] = db_coll(res, 0);
	db_res_free(res);
	if (n == 0) {
		form_error(r, "meter", "meter_not_found");
		return show(r);
	}
	for (int i = 0; i < n; i++)
		if (db_exec(r->db, q[Q_ASSIGN], "ll", ids[i], v[A_TARIFF].i) == -1 ||
		    tariff_apply_meter(r->db, ids[i], web_tz(r)) == -1)
			return -1;
	snprintf(obj, sizeof(obj), "tariff:%lld", (long long)v[A_TARIFF].i);
	snprintf(cnt, sizeof(cnt), "%d", n);
	after = oplog_json("meters", cnt, NULL);
	web_log(r, "tariff.assign", obj, NULL, after);
	free(after);
	/* the page after says how many meters got which plan */
	string_init(&loc);
	string_appendf(&loc, "/tariffs?ok=assigned&n=%d&t=", n);
	for (const unsigned char *c = (const unsigned char *)tname; *c; c++)
		if (isalnum(*c) || *c == '-' || *c == '_' || *c == '.')
			string_append_char(&loc, (char)*c);
		else
			string_appendf(&loc, "%%%02X", *c);
	web_redirect(r, "%s", loc.buf);
	string_clear(&loc);
	return 0;
}
