/* page-gateways.c - F7 communication gateways and the bus of each of their ports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pages.h"

#define MAXPORTS 8

enum {
	Q_LIST, Q_GET, Q_BUSES, Q_INSERT, Q_UPDATE, Q_BUS_SET, Q_BUS_DROP,
	Q_BUS_USED, Q_BUILDING_OK
};
static const char *const q[] = {
	[Q_LIST] = "SELECT g.id, g.name, g.host, g.ports, g.note,"
	    " COALESCE(b.name, '') AS building,"
	    " (SELECT COUNT(*) FROM meters m JOIN buses u ON u.id = m.bus_id"
	    "   WHERE u.gateway_id = g.id) AS meters,"
	    " (SELECT GROUP_CONCAT(u.address ORDER BY u.port SEPARATOR ' ')"
	    "   FROM buses u WHERE u.gateway_id = g.id) AS buses,"
	    " COUNT(*) OVER () AS total"
	    " FROM gateways g LEFT JOIN buildings b ON b.id = g.building_id"
	    " JOIN (SELECT ? AS q, ? AS s) p"
	    " WHERE (p.q = '' OR INSTR(g.name, p.q) > 0"
	    "   OR INSTR(g.host, p.q) > 0 OR INSTR(g.note, p.q) > 0)"
	    " ORDER BY CASE WHEN p.s = 1 THEN g.name END,"
	    " CASE WHEN p.s = -1 THEN g.name END DESC,"
	    " CASE WHEN p.s = 2 THEN g.host END, CASE WHEN p.s = -2 THEN g.host END DESC,"
	    " g.id LIMIT ? OFFSET ?",
	[Q_GET] = "SELECT id, name, host, ports, building_id, note FROM gateways"
	    " WHERE id = ?",
	[Q_BUSES] = "SELECT port, address, baud, parity, stop_bits FROM buses"
	    " WHERE gateway_id = ? ORDER BY port",
	[Q_INSERT] = "INSERT INTO gateways (name, host, ports, building_id, note)"
	    " VALUES (?, ?, ?, NULLIF(?, 0), ?)",
	[Q_UPDATE] = "UPDATE gateways SET name = ?, host = ?, ports = ?,"
	    " building_id = NULLIF(?, 0), note = ? WHERE id = ?",
	[Q_BUS_SET] = "INSERT INTO buses (gateway_id, port, address, baud, parity,"
	    " stop_bits) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
	    " address = VALUES(address), baud = VALUES(baud),"
	    " parity = VALUES(parity), stop_bits = VALUES(stop_bits)",
	[Q_BUS_DROP] = "DELETE FROM buses WHERE gateway_id = ? AND port > ?",
	[Q_BUS_USED] = "SELECT COUNT(*) FROM meters m JOIN buses u ON u.id = m.bus_id"
	    " WHERE u.gateway_id = ? AND u.port > ?",
	[Q_BUILDING_OK] = "SELECT COUNT(*) FROM buildings WHERE id = ?",
};

static const char *const sortkeys[] = { "name", "host", NULL };

int
page_gateways(struct req *r)
{
	struct list l;
	struct dbres *res;
	const char *qs = web_query(r, "q", "");
	static const char *const heads[] = { "col.name", "col.host",
	    "col.ports", "col.building", "col.meters", "col.buses", "col.note" };
	static const char *const cols[] = { "name", "host", "ports:int",
	    "building", "meters:int", "buses", "note" };

	web_list(r, sortkeys, "name", &l);
	hdf_set_value(r->hdf, "Filter.q", qs);
	res = db_stream_if(r->db, l.export, q[Q_LIST],
	    "sill", qs, l.sort, (int64_t)l.per,
	    (int64_t)l.offset);
	return web_list_out(r, &l, res, "gateways", heads, cols, 7,
	    "gateways.cs");
}

static const char *const bauds[] = { "1200", "2400", "4800", "9600", "19200",
    "38400", "57600", "115200", NULL };
static const char *const parities[] = { "N", "E", "O", NULL };
static const char *const stops[] = { "1", "2", NULL };

static const struct field fields[] = {
	{ "name", FT_TEXT, 1, 0, 32, NULL },
	{ "host", FT_HOST, 1, 0, 0, NULL },
	{ "ports", FT_INT, 1, 1, MAXPORTS, NULL },
	{ "building_id", FT_ID, 0, 0, 0, NULL },
	{ "note", FT_TEXT, 0, 0, 100, NULL },
};
enum { G_NAME, G_HOST, G_PORTS, G_BUILDING, G_NOTE, G_N };

#define PORT_FIELDS(n) \
	{ "addr" #n, FT_BUSADDR, 1, 0, 0, NULL }, \
	{ "baud" #n, FT_CHOICE, 1, 0, 0, bauds }, \
	{ "parity" #n, FT_CHOICE, 1, 0, 0, parities }, \
	{ "stop" #n, FT_CHOICE, 1, 0, 0, stops }
static const struct field port_fields[] = {
	PORT_FIELDS(1), PORT_FIELDS(2), PORT_FIELDS(3), PORT_FIELDS(4),
	PORT_FIELDS(5), PORT_FIELDS(6), PORT_FIELDS(7), PORT_FIELDS(8),
};

static int
load(struct req *r, int64_t id, char **before)
{
	struct dbres *res;
	int found;

	if ((found = web_edit_load(r, q[Q_GET], id, before)) != 1 || r->is_post)
		return found;
	if ((res = db_query(r->db, q[Q_BUSES], "l", id)) == NULL)
		return -1;
	while (db_next(res) == 1) {
		const char *p = db_col(res, 0);

		hdf_set_valuef(r->hdf, "Form.addr%s=%s", p, db_col(res, 1));
		hdf_set_valuef(r->hdf, "Form.baud%s=%s", p, db_col(res, 2));
		hdf_set_valuef(r->hdf, "Form.parity%s=%s", p, db_col(res, 3));
		hdf_set_valuef(r->hdf, "Form.stop%s=%s", p, db_col(res, 4));
	}
	db_res_free(res);
	return 1;
}

struct gw_tx {
	int64_t edit;		/* the gateway edited, 0 for a new one */
	const struct fval *v, *pv;
	int64_t id;		/* the gateway written */
};

/* The gateway and a bus per port; 0, or -1 (a name taken: db_errno). */
static int
gw_tx(struct db *db, void *arg)
{
	struct gw_tx *t = arg;
	const struct fval *v = t->v, *pv = t->pv;
	long n;

	t->id = t->edit;
	if (t->edit)
		n = db_exec(db, q[Q_UPDATE], "sslssl", v[G_NAME].s, v[G_HOST].s,
		    v[G_PORTS].i, v[G_BUILDING].i, v[G_NOTE].s, t->edit);
	else if ((n = db_exec(db, q[Q_INSERT], "sslls", v[G_NAME].s,
	    v[G_HOST].s, v[G_PORTS].i, v[G_BUILDING].i, v[G_NOTE].s)) != -1)
		t->id = (int64_t)db_last_id(db);
	if (n == -1)
		return -1;
	for (int p = 0; p < v[G_PORTS].i; p++)
		if (db_exec(db, q[Q_BUS_SET], "lisiss", t->id, p + 1,
		    pv[4 * p].s, atoi(pv[4 * p + 1].s), pv[4 * p + 2].s,
		    pv[4 * p + 3].s) == -1)
			return -1;
	return db_exec(db, q[Q_BUS_DROP], "ll", t->id, v[G_PORTS].i) == -1 ?
	    -1 : 0;
}

int
page_gateway_edit(struct req *r)
{
	int64_t id = web_query_id(r, "id"), used, ok;
	struct fval v[G_N], pv[4 * MAXPORTS];
	char *before = NULL;
	struct gw_tx t;
	int nerr, found;

	web_render(r, "gateway.cs");
	for (int i = 1; i <= MAXPORTS; i++)
		hdf_set_valuef(r->hdf, "Ports.%d=%d", i, i);
	hdf_set_value(r->hdf, "Bauds.0", "");
	for (int i = 0; bauds[i]; i++)
		hdf_set_valuef(r->hdf, "Bauds.%d=%s", i, bauds[i]);
	if (web_buildings(r) == -1)
		return -1;
	if (id) {
		if ((found = load(r, id, &before)) != 1)
			return found;
	} else if (!r->is_post)
		hdf_set_value(r->hdf, "Form.ports", "4");
	if (!r->is_post)
		return 0;
	nerr = form_check(r, fields, G_N, v);
	if (v[G_PORTS].set && v[G_PORTS].i >= 1 && v[G_PORTS].i <= MAXPORTS)
		nerr += form_check(r, port_fields, 4 * (size_t)v[G_PORTS].i, pv);
	if (v[G_BUILDING].set && db_value(r->db, &ok, q[Q_BUILDING_OK], "l",
	    v[G_BUILDING].i) == 1 && ok == 0)
		nerr += form_error(r, "building_id", "bad_choice");
	if (id && v[G_PORTS].set && db_value(r->db, &used, q[Q_BUS_USED], "ll",
	    id, v[G_PORTS].i) == 1 && used > 0)
		nerr += form_error(r, "ports", "ports_in_use");
	if (nerr) {
		free(before);
		return 0;
	}
	/* the gateway and its buses change together; a name taken is said
	 * next to it */
	t = (struct gw_tx){ id, v, pv, 0 };
	{
		long n = db_tx(r->db, gw_tx, &t);
		struct saved sv = { "gateway", t.id, id == 0, fields, G_N, v,
		    before };

		return web_edit_saved(r, n, &sv, "name", "name_taken", "/gateways");
	}
}
