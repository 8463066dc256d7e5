/* page-rooms.c - F9 rooms (户号) of each building and floor: list, search, create, edit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pages.h"

enum { Q_LIST, Q_GET, Q_INSERT, Q_UPDATE, Q_FLOORS };
static const char *const q[] = {
	[Q_LIST] = "SELECT r.id, b.name AS building, r.floor, r.number, r.note,"
	    " (SELECT GROUP_CONCAT(m.number SEPARATOR ' ') FROM meters m"
	    "   WHERE m.room_id = r.id) AS meters,"
	    " COUNT(*) OVER () AS total"
	    " FROM rooms r JOIN buildings b ON b.id = r.building_id"
	    " JOIN (SELECT ? AS q, ? AS b, ? AS f, ? AS s) p"
	    " WHERE (p.q = '' OR INSTR(r.number, p.q) > 0"
	    "   OR INSTR(r.note, p.q) > 0)"
	    " AND (p.b = 0 OR r.building_id + 0 = p.b) AND (p.f = 0 OR r.floor + 0 = p.f)"
	    " ORDER BY CASE WHEN p.s = 1 THEN b.name END,"
	    " CASE WHEN p.s = -1 THEN b.name END DESC,"
	    " CASE WHEN p.s = 2 THEN r.floor END, CASE WHEN p.s = -2 THEN r.floor END DESC,"
	    " CASE WHEN p.s = 3 THEN LPAD(r.number, 16, '0') END,"
	    " CASE WHEN p.s = -3 THEN LPAD(r.number, 16, '0') END DESC,"
	    " b.name, r.floor, LPAD(r.number, 16, '0') LIMIT ? OFFSET ?",
	[Q_GET] = "SELECT id, building_id, floor, number, note FROM rooms WHERE id = ?",
	[Q_INSERT] = "INSERT INTO rooms (building_id, floor, number, note)"
	    " VALUES (?, ?, ?, ?)",
	[Q_UPDATE] = "UPDATE rooms SET building_id = ?, floor = ?, number = ?,"
	    " note = ? WHERE id = ?",
	[Q_FLOORS] = "SELECT floors FROM buildings WHERE id = ?",
};

static const char *const sortkeys[] = { "building", "floor", "number", NULL };

int
page_rooms(struct req *r)
{
	struct list l;
	struct dbres *res;
	const char *qs = web_query(r, "q", "");
	int64_t b = web_query_id(r, "building"), f = web_query_id(r, "floor");
	static const char *const heads[] = { "col.building", "col.floor",
	    "col.room", "col.meters", "col.note" };
	static const char *const cols[] = { "building", "floor:int", "number",
	    "meters", "note" };

	web_list(r, sortkeys, "building", &l);
	hdf_set_value(r->hdf, "Filter.q", qs);
	hdf_set_int_value(r->hdf, "Filter.building", (int)b);
	hdf_set_int_value(r->hdf, "Filter.floor", (int)f);
	res = db_stream_if(r->db, l.export, q[Q_LIST],
	    "sllill", qs, b, f, l.sort,
	    (int64_t)l.per, (int64_t)l.offset);
	if (web_list_out(r, &l, res, "rooms", heads, cols, 5, "rooms.cs") == -1)
		return -1;
	return l.export ? 0 : web_buildings(r);
}

static const struct field fields[] = {
	{ "building_id", FT_ID, 1, 0, 0, NULL },
	{ "floor", FT_INT, 1, 1, 200, NULL },
	{ "number", FT_TEXT, 1, 0, 16, NULL },
	{ "note", FT_TEXT, 0, 0, 100, NULL },
};
enum { R_BUILDING, R_FLOOR, R_NUMBER, R_NOTE, R_N };

int
page_room_edit(struct req *r)
{
	int64_t id = web_query_id(r, "id"), floors = 0;
	struct fval v[R_N];
	char *before = NULL;
	long n;

	web_render(r, "room.cs");
	if (web_buildings(r) == -1)
		return -1;
	if (id) {
		if ((n = web_edit_load(r, q[Q_GET], id, &before)) != 1)
			return (int)n;
	} else if (!r->is_post)
		hdf_set_value(r->hdf, "Form.building_id",
		    web_query(r, "building", ""));
	if (!r->is_post)
		return 0;
	n = form_check(r, fields, R_N, v);
	if (v[R_BUILDING].set) {
		if (db_value(r->db, &floors, q[Q_FLOORS], "l",
		    v[R_BUILDING].i) != 1)
			n += form_error(r, "building_id", "bad_choice");
		else if (v[R_FLOOR].set && v[R_FLOOR].i > floors)
			n += form_error(r, "floor", "floor_too_high");
	}
	if (n) {
		free(before);
		return 0;
	}
	if (id)
		n = db_exec(r->db, q[Q_UPDATE], "llssl", v[R_BUILDING].i,
		    v[R_FLOOR].i, v[R_NUMBER].s, v[R_NOTE].s, id);
	else
		n = db_exec(r->db, q[Q_INSERT], "llss", v[R_BUILDING].i,
		    v[R_FLOOR].i, v[R_NUMBER].s, v[R_NOTE].s);
	{
		struct saved sv = { "room", id ? id : (int64_t)db_last_id(r->db),
		    id == 0, fields, R_N, v, before };

		return web_edit_saved(r, n, &sv, "number", "room_taken", "/rooms");
	}
}
