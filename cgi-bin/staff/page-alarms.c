/* page-alarms.c - F22 live alarms and F30 alarm history: episodes by place, kind, state and date, counts per kind, export, and acknowledgement with a note. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarms.h"
#include "db.h"
#include "money.h"
#include "pages.h"

/* For each row PREFIX.N, DURATION in days, hours and minutes from SECS. */
static void
duration_col(struct req *r, const char *prefix)
{
	HDF *h;

	for (h = hdf_get_child(r->hdf, prefix); h; h = hdf_obj_next(h)) {
		long long s = strtoll(hdf_get_value(h, "duration_s", "0"), NULL, 10);
		char buf[96];

		if (s >= 86400)
			snprintf(buf, sizeof(buf), "%lld%s%lld%s", s / 86400,
			    web_lang(r, "rep.days"), s % 86400 / 3600,
			    web_lang(r, "rep.hours"));
		else if (s >= 3600)
			snprintf(buf, sizeof(buf), "%lld%s%lld%s", s / 3600,
			    web_lang(r, "rep.hours"), s % 3600 / 60,
			    web_lang(r, "rep.minutes"));
		else
			snprintf(buf, sizeof(buf), "%lld%s", s / 60,
			    web_lang(r, "rep.minutes"));
		hdf_set_value(h, "duration", buf);
	}
}

static const char *const states[] = { "open", "closed", NULL };

/* F22 and F30: the episodes of the filters, counted per kind. */
static int
alarm_list(struct req *r, int history)
{
	struct alarm_filter f;
	struct list l;
	struct dbres *res;
	static const char *const heads[] = { "rep.col.kind", "rep.col.meter",
	    "rep.col.building", "rep.col.floor", "rep.col.room",
	    "rep.col.holder", "rep.col.gateway", "rep.col.opened",
	    "rep.col.closed", "rep.col.duration_min", "rep.col.state",
	    "rep.col.acked_at", "rep.col.acked_by", "rep.col.note" };
	static const char *const cols[] = { "kind:label.alarm", "meter:int",
	    "building", "floor:int", "room", "holder", "gateway",
	    "opened:datetime", "closed:datetime", "duration_min:int",
	    "state:label.rep.state", "acked_at:datetime", "acked_by",
	    "ack_note" };

	memset(&f, 0, sizeof(f));
	if (web_buildings(r) == -1)
		return -1;
	f.history = history;
	f.building = web_filter_id(r, "building", "Buildings",
	    "rep.err.building");
	f.floor = web_filter_int(r, "floor", -9, 999, ALARMS_ANY_FLOOR,
	    "rep.err.floor");
	f.kind = web_filter_choice(r, "kind", alarms_kinds, "rep.err.kind");
	f.state = history ? web_filter_choice(r, "state", states,
	    "rep.err.state") : "";
	web_dates(r, &f.from, &f.to);
	f.tz = web_tz(r);
	web_list(r, alarms_sortkeys, "-opened", &l);
	f.sort = l.sort;
	f.limit = l.per;
	f.offset = l.offset;
	for (int i = 0; alarms_kinds[i]; i++)
		hdf_set_valuef(r->hdf, "Kinds.%d=%s", i, alarms_kinds[i]);
	if (strcmp(web_query(r, "done", ""), "acked") == 0)
		hdf_set_value(r->hdf, "Rep.done", "acked");
	if ((res = alarms_counts(r->db, &f)) == NULL)
		return -1;
	while (db_next(res) == 1)
		hdf_set_valuef(r->hdf, "Counts.%s=%s", db_col(res, 0),
		    db_col(res, 1));
	db_res_free(res);
	if (web_list_out(r, &l, alarms_list(r->db, &f),
	    history ? "alarm-history" : "alarms", heads, cols, 14,
	    history ? "alarm-history.cs" : "alarms.cs") == -1)
		return -1;
	if (!l.export) {
		duration_col(r, "Rows");
		web_money_col(r, "Rows", "remaining_fen", "remaining");
	}
	return 0;
}

int
page_alarms(struct req *r)
{
	return alarm_list(r, 0);
}

int
page_alarm_history(struct req *r)
{
	return alarm_list(r, 1);
}

static const struct field ack_fields[] = {
	{ "id", FT_ID, 1, 0, 0, NULL },
	{ "note", FT_TEXT, 1, 0, 200, NULL },
	{ "confirm", FT_BOOL, 0, 0, 0, NULL },
};
enum { A_ID, A_NOTE, A_CONFIRM, A_N };

/* F22: an open episode acknowledged with a note, after a confirmation. */
int
page_alarm_ack(struct req *r)
{
	struct fval v[A_N];
	struct dbres *res;
	int nerr = form_check(r, ack_fields, A_N, v), rc, found;

	if (!v[A_ID].set || (res = alarms_get(r->db, v[A_ID].i,
	    web_tz(r))) == NULL)
		return v[A_ID].set ? -1 : web_fail(r, 404, "err.not_found");
	found = web_row(r, "Ack", res);
	db_res_free(res);
	if (!found)
		return web_fail(r, 404, "err.not_found");
	hdf_set_value(r->hdf, "Mode.ack", "1");
	if (!r->is_post) {
		/* the form's first view: no errors for what was not sent */
		hdf_remove_tree(r->hdf, "Form.err");
		hdf_set_value(r->hdf, "Form.nerrors", "0");
		web_render(r, "alarms.cs");
		return 0;
	}
	if (nerr > 0 || !v[A_CONFIRM].i) {
		hdf_set_value(r->hdf, "Mode.confirm", nerr || *web_query(r,
		    "edit", "") ? "0" : "1");
		web_render(r, "alarms.cs");
		return 0;
	}
	rc = alarms_ack(r->db, &r->actor, v[A_ID].i, v[A_NOTE].s);
	if (rc == -1)
		return -1;
	if (rc == ALARM_NONE)
		return web_fail(r, 404, "err.not_found");
	if (rc == ALARM_ACKED) {
		web_redirect(r, "/report/alarms?done=acked");
		return 0;
	}
	/* a second acknowledgement, or an episode closed meanwhile: said so */
	if ((res = alarms_get(r->db, v[A_ID].i, web_tz(r))) == NULL)
		return -1;
	web_row(r, "Ack", res);
	db_res_free(res);
	hdf_set_value(r->hdf, "Mode.refused", rc == ALARM_ALREADY ? "already" :
	    "closed");
	r->status = 409;
	web_render(r, "alarms.cs");
	return 0;
}
