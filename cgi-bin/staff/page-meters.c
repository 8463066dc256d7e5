/* page-meters.c - F8 meters: list with filters and export, create, edit, batch import. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvimp.h"
#include "db.h"
#include "import.h"
#include "pages.h"

#define IMPORT_MAX (4 * 1024 * 1024)

/* The list's filter and order: q, building, gateway, profile, sort, per, offset. */
#define LIST_FROM \
	" FROM meters m JOIN buses u ON u.id = m.bus_id" \
	" JOIN gateways g ON g.id = u.gateway_id" \
	" LEFT JOIN rooms r ON r.id = m.room_id" \
	" LEFT JOIN buildings b ON b.id = r.building_id" \
	" JOIN (SELECT ? AS q, ? AS b, ? AS g, ? AS pr, ? AS s) p" \
	" WHERE (p.q = '' OR INSTR(m.number, p.q) > 0" \
	"   OR INSTR(r.number, p.q) > 0)" \
	" AND (p.b = 0 OR r.building_id + 0 = p.b) AND (p.g = 0 OR u.gateway_id + 0 = p.g)" \
	" AND (p.pr = '' OR CONCAT(m.profile) = p.pr)" \
	" ORDER BY CASE WHEN p.s = 1 THEN m.number END," \
	" CASE WHEN p.s = -1 THEN m.number END DESC," \
	" CASE WHEN p.s = 2 THEN b.name END, CASE WHEN p.s = -2 THEN b.name END DESC," \
	" CASE WHEN p.s = 2 THEN LPAD(r.number, 16, '0') END," \
	" CASE WHEN p.s = -2 THEN LPAD(r.number, 16, '0') END DESC," \
	" CASE WHEN p.s = 3 THEN g.name END, CASE WHEN p.s = -3 THEN g.name END DESC," \
	" CASE WHEN p.s = 3 THEN u.port END, CASE WHEN p.s = -3 THEN u.port END DESC," \
	" CASE WHEN p.s = 3 THEN m.address END, CASE WHEN p.s = -3 THEN m.address END DESC," \
	" m.number LIMIT ? OFFSET ?"

enum {
	Q_LIST, Q_EXPORT, Q_GET, Q_BUSES, Q_GATEWAYS, Q_INSERT, Q_UPDATE,
	Q_ROOM, Q_ADDR_TAKEN, Q_BUS_COUNT, Q_BUS_OK
};
static const char *const q[] = {
	/* the page's columns only; the export's have the bus, floor and note */
	[Q_LIST] = "SELECT m.id, m.number, m.profile, g.name AS gateway, u.port,"
	    " m.address, COALESCE(b.name, '') AS building,"
	    " COALESCE(r.number, '') AS room, COUNT(*) OVER () AS total"
	    LIST_FROM,
	[Q_EXPORT] = "SELECT m.number, m.profile, g.name AS gateway, u.port,"
	    " m.address, u.address AS bus, COALESCE(b.name, '') AS building,"
	    " COALESCE(r.floor, '') AS floor, COALESCE(r.number, '') AS room, m.note"
	    LIST_FROM,
	[Q_GET] = "SELECT m.id, m.number, m.profile, m.bus_id, m.address,"
	    " COALESCE(r.building_id, '') AS building_id, COALESCE(r.number, '') AS room,"
	    " m.note FROM meters m LEFT JOIN rooms r ON r.id = m.room_id WHERE m.id = ?",
	[Q_BUSES] = "SELECT u.id, g.name AS gateway, u.port, u.address FROM buses u"
	    " JOIN gateways g ON g.id = u.gateway_id ORDER BY g.name, u.port",
	[Q_GATEWAYS] = "SELECT id, name FROM gateways ORDER BY name",
	[Q_INSERT] = "INSERT INTO meters (number, profile, bus_id, address, room_id,"
	    " note) VALUES (?, ?, ?, ?, NULLIF(?, 0), ?)",
	[Q_UPDATE] = "UPDATE meters SET number = ?, profile = ?, bus_id = ?,"
	    " address = ?, room_id = NULLIF(?, 0), note = ? WHERE id = ?",
	[Q_ROOM] = "SELECT id FROM rooms WHERE building_id = ? AND number = ?",
	[Q_ADDR_TAKEN] = "SELECT COUNT(*) FROM meters WHERE bus_id = ?"
	    " AND address = ? AND id <> ?",
	[Q_BUS_COUNT] = "SELECT COUNT(*) FROM meters WHERE bus_id = ? AND id <> ?",
	[Q_BUS_OK] = "SELECT COUNT(*) FROM buses WHERE id = ?",
};

static const char *const sortkeys[] = { "number", "room", "bus", NULL };

static int
choices(struct req *r)
{
	struct dbres *res;

	if (web_buildings(r) == -1)
		return -1;
	if ((res = db_query(r->db, q[Q_GATEWAYS], "")) == NULL)
		return -1;
	web_rows(r, "Gateways", res);
	db_res_free(res);
	if ((res = db_query(r->db, q[Q_BUSES], "")) == NULL)
		return -1;
	web_rows(r, "Buses", res);
	db_res_free(res);
	return 0;
}

int
page_meters(struct req *r)
{
	struct list l;
	struct dbres *res;
	const char *qs = web_query(r, "q", "");
	const char *pr = web_query(r, "profile", "");
	int64_t b = web_query_id(r, "building"), g = web_query_id(r, "gateway");
	static const char *const heads[] = { "col.meter_number", "col.profile",
	    "col.gateway", "col.port", "col.address", "col.bus", "col.building",
	    "col.floor", "col.room", "col.note" };
	static const char *const cols[] = { "number", "profile:label.profile",
	    "gateway", "port:int", "address:int", "bus", "building",
	    "floor:int", "room", "note" };

	if (strcmp(pr, "ddsy1352nk") != 0 && strcmp(pr, "energy") != 0)
		pr = "";
	web_list(r, sortkeys, "number", &l);
	hdf_set_value(r->hdf, "Filter.q", qs);
	hdf_set_value(r->hdf, "Filter.profile", pr);
	hdf_set_int_value(r->hdf, "Filter.building", (int)b);
	hdf_set_int_value(r->hdf, "Filter.gateway", (int)g);
	res = db_stream_if(r->db, l.export, q[l.export ? Q_EXPORT : Q_LIST],
	    "sllsill", qs, b, g, pr, l.sort,
	    (int64_t)l.per, (int64_t)l.offset);
	if (web_list_out(r, &l, res, "meters", heads, cols, 10, "meters.cs") == -1)
		return -1;
	hdf_set_value(r->hdf, "Page.imported", web_query(r, "n", ""));
	return l.export ? 0 : choices(r);
}

static const struct field fields[] = {
	{ "number", FT_INT, 1, 1, 2147483647L, NULL },
	{ "profile", FT_CHOICE, 1, 0, 0, imp_profiles },
	{ "bus_id", FT_ID, 1, 0, 0, NULL },
	{ "address", FT_INT, 1, 1, 247, NULL },
	{ "building_id", FT_ID, 0, 0, 0, NULL },
	{ "room", FT_TEXT, 0, 0, 16, NULL },
	{ "note", FT_TEXT, 0, 0, 100, NULL },
};
enum { M_NUMBER, M_PROFILE, M_BUS, M_ADDRESS, M_BUILDING, M_ROOM, M_NOTE, M_N };

int
page_meter_edit(struct req *r)
{
	int64_t id = web_query_id(r, "id"), room = 0, n64;
	struct fval v[M_N];
	char *before = NULL;
	long n;

	web_render(r, "meter.cs");
	if (choices(r) == -1)
		return -1;
	if (id && (n = web_edit_load(r, q[Q_GET], id, &before)) != 1)
		return (int)n;
	if (!r->is_post)
		return 0;
	n = form_check(r, fields, M_N, v);
	if (v[M_BUS].set && db_value(r->db, &n64, q[Q_BUS_OK], "l",
	    v[M_BUS].i) == 1 && n64 == 0)
		n += form_error(r, "bus_id", "bad_choice");
	else if (v[M_BUS].set && v[M_ADDRESS].set) {
		if (db_value(r->db, &n64, q[Q_ADDR_TAKEN], "lll", v[M_BUS].i,
		    v[M_ADDRESS].i, id) == 1 && n64 > 0)
			n += form_error(r, "address", "addr_taken");
		else if (db_value(r->db, &n64, q[Q_BUS_COUNT], "ll", v[M_BUS].i,
		    id) == 1 && n64 >= IMP_MAX_PER_BUS)
			n += form_error(r, "bus_id", "bus_full");
	}
	if (v[M_ROOM].set || v[M_BUILDING].set) {
		if (!v[M_BUILDING].set)
			n += form_error(r, "building_id", "required");
		else if (!v[M_ROOM].set)
			n += form_error(r, "room", "required");
		else if (db_value(r->db, &room, q[Q_ROOM], "ls",
		    v[M_BUILDING].i, v[M_ROOM].s) != 1)
			n += form_error(r, "room", "room_not_found");
	}
	if (n) {
		free(before);
		return 0;
	}
	if (id)
		n = db_exec(r->db, q[Q_UPDATE], "lslilsl", v[M_NUMBER].i,
		    v[M_PROFILE].s, v[M_BUS].i, (int)v[M_ADDRESS].i, room,
		    v[M_NOTE].s, id);
	else
		n = db_exec(r->db, q[Q_INSERT], "lslils", v[M_NUMBER].i,
		    v[M_PROFILE].s, v[M_BUS].i, (int)v[M_ADDRESS].i, room,
		    v[M_NOTE].s);
	{
		/* a meter is named by its number in the log */
		struct saved sv = { "meter", v[M_NUMBER].i, id == 0, fields, M_N,
		    v, before };

		/* a duplicate: the number, or an address taken meanwhile */
		return web_edit_saved(r, n, &sv, "number", "number_taken", "/meters");
	}
}

int
page_meter_import(struct req *r)
{
	FILE *f;
	char *data = NULL;
	size_t len = 0, cap = 0, got;
	struct imp_result res;
	long n;
	char obj[64], after[64];

	web_render(r, "import.cs");
	if (!r->is_post)
		return 0;
	if ((f = cgi_filehandle(r->cgi, "file")) == NULL) {
		form_error(r, "file", "no_file");
		return 0;
	}
	rewind(f);
	do {
		if (len + 65536 > cap) {
			char *nd;

			cap = cap ? cap * 2 : 65536;
			if ((nd = realloc(data, cap + 1)) == NULL) {
				free(data);
				return -1;
			}
			data = nd;
		}
		got = fread(data + len, 1, cap - len, f);
		len += got;
	} while (got > 0 && len <= IMPORT_MAX);
	if (len > IMPORT_MAX) {
		free(data);
		form_error(r, "file", "file_too_big");
		return 0;
	}
	if (len == 0) {
		free(data);
		form_error(r, "file", "no_file");
		return 0;
	}
	n = import_meters(r->db, data, len, &res);
	free(data);
	if (n == -1) {
		imp_result_free(&res);
		return -1;
	}
	if (res.nerr > 0) {
		for (size_t i = 0; i < res.nerr && i < 1000; i++) {
			char key[64];

			hdf_set_valuef(r->hdf, "Errors.%zu.line=%d", i, res.err[i].line);
			if (res.err[i].column)
				hdf_set_valuef(r->hdf, "Errors.%zu.column=%s", i,
				    web_lang(r, res.err[i].column));
			snprintf(key, sizeof(key), "imp.%s", res.err[i].reason);
			hdf_set_valuef(r->hdf, "Errors.%zu.reason=%s", i,
			    web_lang(r, key));
			hdf_set_valuef(r->hdf, "Errors.%zu.value=%s", i,
			    res.err[i].value);
		}
		hdf_set_int_value(r->hdf, "Import.nerr", (int)res.nerr);
		imp_result_free(&res);
		return 0;
	}
	imp_result_free(&res);
	snprintf(obj, sizeof(obj), "meters:%s", web_query(r, "file", ""));
	snprintf(after, sizeof(after), "{\"imported\":\"%ld\"}", n);
	web_log(r, "meter.import", obj, NULL, after);
	web_redirect(r, "/meters?ok=imported&n=%ld", n);
	return 0;
}
