/* page-lost.c - F26 lost meters and F27 lost gateways: since when, the last good read, the bus's health, with filters, sort and export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "health.h"
#include "pages.h"

/* An error of a filter next to its field, in the report's own words. */
static void
rep_error(struct req *r, const char *field, const char *key)
{
	char name[64], lkey[64];

	snprintf(name, sizeof(name), "Form.err.%s", field);
	snprintf(lkey, sizeof(lkey), "rep.err.%s", key);
	if (hdf_get_value(r->hdf, name, NULL) == NULL)
		hdf_set_value(r->hdf, name, web_lang(r, lkey));
	hdf_set_int_value(r->hdf, "Form.nerrors",
	    hdf_get_int_value(r->hdf, "Form.nerrors", 0) + 1);
}

/* Query.NAME: "" (0), or the id of a row of LIST.N.id (else an error). */
static int64_t
id_filter(struct req *r, const char *name, const char *list)
{
	const char *s = web_query(r, name, "");
	char key[64], *end;
	long v;
	HDF *h;

	snprintf(key, sizeof(key), "Filter.%s", name);
	hdf_set_value(r->hdf, key, s);
	if (*s == '\0')
		return 0;
	v = strlen(s) <= 9 ? strtol(s, &end, 10) : 0;
	if (v > 0 && *end == '\0')
		for (h = hdf_get_child(r->hdf, list); h; h = hdf_obj_next(h))
			if (hdf_get_int_value(h, "id", 0) == v)
				return v;
	rep_error(r, name, name);
	return 0;
}

/* The floor filter: "" or a floor number. */
static int
floor_filter(struct req *r)
{
	const char *s = web_query(r, "floor", "");
	char *end;
	long v;

	hdf_set_value(r->hdf, "Filter.floor", s);
	if (*s == '\0')
		return HEALTH_ANY_FLOOR;
	v = strlen(s) <= 4 ? strtol(s, &end, 10) : -1000;
	if (v >= -9 && v <= 999 && *end == '\0')
		return (int)v;
	rep_error(r, "floor", "floor");
	return HEALTH_ANY_FLOOR;
}

enum { Q_GATEWAYS };
static const char *const q[] = {
	[Q_GATEWAYS] = "SELECT id, name FROM gateways ORDER BY name",
};

/* The filters both reports share into F; 0 or -1. */
static int
filters(struct req *r, struct lost_filter *f, struct list *l,
    const char *const *sortkeys)
{
	struct dbres *res;

	memset(f, 0, sizeof(*f));
	if (web_buildings(r) == -1 ||
	    (res = db_query(r->db, q[Q_GATEWAYS], "")) == NULL)
		return -1;
	web_rows(r, "Gateways", res);
	db_res_free(res);
	f->building = id_filter(r, "building", "Buildings");
	f->gateway = id_filter(r, "gateway", "Gateways");
	web_dates(r, &f->from, &f->to);
	f->tz = web_tz(r);
	web_list(r, sortkeys, "-since", l);
	f->sort = l->sort;
	f->limit = l->per;
	f->offset = l->offset;
	return 0;
}

/* F26 */
int
page_lost_meters(struct req *r)
{
	struct lost_filter f;
	struct list l;
	static const char *const heads[] = { "rep.col.meter",
	    "rep.col.building", "rep.col.floor", "rep.col.room",
	    "rep.col.holder", "rep.col.gateway", "rep.col.port",
	    "rep.col.since", "rep.col.lost_min", "rep.col.last_read",
	    "rep.col.fail_streak", "rep.col.rate", "rep.col.latency",
	    "rep.col.timeouts", "rep.col.exceptions", "rep.col.bad_frames",
	    "rep.col.link_errors" };
	static const char *const cols[] = { "meter:int", "building",
	    "floor:int", "room", "holder", "gateway", "port:int",
	    "since:datetime", "lost_min:int", "last_read:datetime",
	    "fail_streak:int", "rate_bp:kwh", "latency_ms:int", "timeouts:int",
	    "exceptions:int", "bad_frames:int", "link_errors:int" };

	if (filters(r, &f, &l, health_meter_sortkeys) == -1)
		return -1;
	f.floor = floor_filter(r);
	return web_list_out(r, &l, health_lost_meters(r->db, &f),
	    "lost-meters", heads, cols, 17, "lost-meters.cs");
}

/* F27 */
int
page_lost_gateways(struct req *r)
{
	struct lost_filter f;
	struct list l;
	static const char *const heads[] = { "rep.col.gateway",
	    "rep.col.host", "rep.col.building", "rep.col.since",
	    "rep.col.lost_min", "rep.col.meters", "rep.col.meters_lost",
	    "rep.col.last_read", "rep.col.rate", "rep.col.latency",
	    "rep.col.timeouts", "rep.col.exceptions", "rep.col.bad_frames",
	    "rep.col.link_errors" };
	static const char *const cols[] = { "gateway", "host", "building",
	    "since:datetime", "lost_min:int", "meters:int", "meters_lost:int",
	    "last_read:datetime", "rate_bp:kwh", "latency_ms:int",
	    "timeouts:int", "exceptions:int", "bad_frames:int",
	    "link_errors:int" };

	if (filters(r, &f, &l, health_gateway_sortkeys) == -1)
		return -1;
	f.floor = HEALTH_ANY_FLOOR;
	return web_list_out(r, &l, health_lost_gateways(r->db, &f),
	    "lost-gateways", heads, cols, 14, "lost-gateways.cs");
}
