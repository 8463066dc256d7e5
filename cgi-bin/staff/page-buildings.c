/* page-buildings.c - F6 buildings with their floors: list, search, create, edit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pages.h"

enum { Q_LIST, Q_GET, Q_INSERT, Q_UPDATE, Q_MAXFLOOR };
static const char *const q[] = {
	[Q_LIST] = "SELECT b.id, b.name, b.floors, b.note,"
	    " (SELECT COUNT(*) FROM rooms r WHERE r.building_id = b.id) AS rooms,"
	    " (SELECT COUNT(*) FROM meters m JOIN rooms r ON r.id = m.room_id"
	    "   WHERE r.building_id = b.id) AS meters,"
	    " COUNT(*) OVER () AS total"
	    " FROM buildings b JOIN (SELECT ? AS q, ? AS s) p"
	    " WHERE (p.q = '' OR INSTR(b.name, p.q) > 0"
	    "   OR INSTR(b.note, p.q) > 0)"
	    " ORDER BY CASE WHEN p.s = 1 THEN b.name END,"
	    " CASE WHEN p.s = -1 THEN b.name END DESC,"
	    " CASE WHEN p.s = 2 THEN b.floors END, CASE WHEN p.s = -2 THEN b.floors END DESC,"
	    " b.id LIMIT ? OFFSET ?",
	[Q_GET] = "SELECT id, name, floors, note FROM buildings WHERE id = ?",
	[Q_INSERT] = "INSERT INTO buildings (name, floors, note) VALUES (?, ?, ?)",
	[Q_UPDATE] = "UPDATE buildings SET name = ?, floors = ?, note = ? WHERE id = ?",
	[Q_MAXFLOOR] = "SELECT COALESCE(MAX(floor), 0) FROM rooms WHERE building_id = ?",
};

static const char *const sortkeys[] = { "name", "floors", NULL };

int
page_buildings(struct req *r)
{
	struct list l;
	struct dbres *res;
	const char *qs = web_query(r, "q", "");
	static const char *const heads[] = { "col.name", "col.floors",
	    "col.rooms", "col.meters", "col.note" };
	static const char *const cols[] = { "name", "floors:int", "rooms:int",
	    "meters:int", "note" };

	web_list(r, sortkeys, "name", &l);
	hdf_set_value(r->hdf, "Filter.q", qs);
	res = db_stream_if(r->db, l.export, q[Q_LIST],
	    "sill", qs, l.sort, (int64_t)l.per,
	    (int64_t)l.offset);
	return web_list_out(r, &l, res, "buildings", heads, cols, 5,
	    "buildings.cs");
}

static const struct field fields[] = {
	{ "name", FT_TEXT, 1, 0, 32, NULL },
	{ "floors", FT_INT, 1, 1, 200, NULL },
	{ "note", FT_TEXT, 0, 0, 100, NULL },
};
enum { B_NAME, B_FLOORS, B_NOTE, B_N };

int
page_building_edit(struct req *r)
{
	int64_t id = web_query_id(r, "id"), maxfloor = 0;
	struct fval v[B_N];
	char *before = NULL;
	long n;

	web_render(r, "building.cs");
	if (id && (n = web_edit_load(r, q[Q_GET], id, &before)) != 1)
		return (int)n;
	if (!r->is_post)
		return 0;
	n = form_check(r, fields, B_N, v);
	if (id && v[B_FLOORS].set && db_value(r->db, &maxfloor, q[Q_MAXFLOOR],
	    "l", id) == 1 && v[B_FLOORS].i < maxfloor)
		n += form_error(r, "floors", "floors_in_use");
	if (n) {
		free(before);
		return 0;
	}
	if (id)
		n = db_exec(r->db, q[Q_UPDATE], "slsl", v[B_NAME].s,
		    v[B_FLOORS].i, v[B_NOTE].s, id);
	else
		n = db_exec(r->db, q[Q_INSERT], "sls", v[B_NAME].s,
		    v[B_FLOORS].i, v[B_NOTE].s);
	{
		struct saved sv = { "building", id ? id : (int64_t)db_last_id(r->db),
		    id == 0, fields, B_N, v, before };

		return web_edit_saved(r, n, &sv, "name", "name_taken", "/buildings");
	}
}
