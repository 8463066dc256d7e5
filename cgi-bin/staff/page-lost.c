/* page-lost.c - F26 lost meters and F27 lost gateways: since when, the last good read, the bus's health, with filters, sort and export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "health.h"
#include "pages.h"

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
	f->building = web_filter_id(r, "building", "Buildings",
	    "rep.err.building");
	f->gateway = web_filter_id(r, "gateway", "Gateways",
	    "rep.err.gateway");
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
	f.floor = web_filter_int(r, "floor", -9, 999, HEALTH_ANY_FLOOR,
	    "rep.err.floor");
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
