/* page-batch.c - F15 batch operations: live status of every meter, colour-coded; commands to many at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approvals.h"
#include "batches.h"
#include "oplog.h"
#include "crypto.h"
#include "db.h"
#include "money.h"
#include "pages.h"

#define MAXSEL 5000

/* The state of a meter for colour and filter, in one place. */
#define STATE \
	"CASE WHEN s.lost = 1 THEN 'lost' WHEN a.id IS NULL THEN 'not_opened'" \
	" WHEN s.remaining_fen IS NULL THEN 'opened'" \
	" WHEN s.remaining_fen <= 0 THEN 'arrears'" \
	" WHEN s.remaining_fen < p.a2 THEN 'alarm2'" \
	" WHEN s.remaining_fen < p.a1 THEN 'alarm1' ELSE 'opened' END"
/* A read request's outcome; "done" for one finished before outcomes were recorded. */
#define READ_OUTCOME \
	"CASE WHEN rq.done_at IS NULL THEN 'pending'" \
	" ELSE COALESCE(rq.outcome, 'done') END"
#define FROM \
	" FROM meters m LEFT JOIN rooms r ON r.id = m.room_id" \
	" LEFT JOIN buildings b ON b.id = r.building_id" \
	" LEFT JOIN meter_state s ON s.meter_id = m.id" \
	" LEFT JOIN account_meters x ON x.meter_id = m.id AND x.active = 1" \
	" LEFT JOIN accounts a ON a.id = x.account_id" \
	" JOIN (SELECT ? AS q, ? AS b, ? AS f, ? AS st, ? AS a1, ? AS a2, ? AS s," \
	"   ? AS tz) p" \
	" WHERE (p.q = '' OR INSTR(m.number, p.q) > 0 OR r.number = p.q" \
	"   OR INSTR(a.holder, p.q) > 0)" \
	" AND (p.b = 0 OR r.building_id + 0 = p.b) AND (p.f = 0 OR r.floor + 0 = p.f)"

enum {
	Q_LIST, Q_IDS, Q_IDEM,
	Q_VIEW, Q_VIEW_CMDS, Q_VIEW_COUNTS, Q_VIEW_READS, Q_VIEW_READ_ROWS
};
static const char *const q[] = {
	/* only what the page and its export show: eleven columns or fewer
	 * keep a row's HDF node without a hash table */
	[Q_LIST] = "SELECT m.id, m.number, COALESCE(b.name, '') AS building,"
	    " COALESCE(r.floor, '') AS floor, COALESCE(r.number, '') AS room,"
	    " COALESCE(a.holder, '') AS holder, s.remaining_fen,"
	    " CASE s.relay_closed WHEN 1 THEN 'relay_on' WHEN 0 THEN 'relay_off'"
	    "   ELSE '' END AS relay,"
	    " DATE_FORMAT(CONVERT_TZ(s.read_at, '+00:00', p.tz), '%Y-%m-%d %H:%i') AS read_at,"
	    " " STATE " AS state, COUNT(*) OVER () AS total" FROM
	    " AND (p.st = '' OR " STATE " = p.st)"
	    " ORDER BY CASE WHEN p.s = 1 THEN m.number END,"
	    " CASE WHEN p.s = -1 THEN m.number END DESC,"
	    " CASE WHEN p.s = 2 THEN s.remaining_fen END,"
	    " CASE WHEN p.s = -2 THEN s.remaining_fen END DESC,"
	    " CASE WHEN p.s = 3 THEN b.name END, CASE WHEN p.s = -3 THEN b.name END DESC,"
	    " CASE WHEN p.s = 3 THEN LPAD(r.number, 16, '0') END,"
	    " CASE WHEN p.s = -3 THEN LPAD(r.number, 16, '0') END DESC,"
	    " m.number LIMIT ? OFFSET ?",
	/* the same filter: the ids of all meters it selects */
	[Q_IDS] = "SELECT m.id, m.profile, " STATE " AS state, p.st AS fst" FROM
	    " HAVING (fst = '' OR state = fst) ORDER BY m.id",
	[Q_IDEM] = "SELECT id FROM batches WHERE idem_key = ?",
	[Q_VIEW] = "SELECT b.id, b.action, b.meters, COALESCE(o.login, '') AS login,"
	    " DATE_FORMAT(CONVERT_TZ(b.created_at, '+00:00', ?), '%Y-%m-%d %H:%i:%s') AS at"
	    " FROM batches b LEFT JOIN operators o ON o.id = b.created_by WHERE b.id = ?",
	[Q_VIEW_CMDS] = "SELECT c.id, m.number, c.status, c.tries, c.error,"
	    " COALESCE(r.number, '') AS room, COALESCE(bd.name, '') AS building"
	    " FROM commands c JOIN meters m ON m.id = c.meter_id"
	    " LEFT JOIN rooms r ON r.id = m.room_id LEFT JOIN buildings bd ON bd.id = r.building_id"
	    " WHERE c.batch_id = ? ORDER BY c.status <> 'failed', m.number LIMIT 1000",
	[Q_VIEW_COUNTS] = "SELECT status, COUNT(*) FROM commands WHERE batch_id = ?"
	    " GROUP BY status",
	/* what the collector found, per outcome (read, failed, unknown, pending) */
	[Q_VIEW_READS] = "SELECT " READ_OUTCOME " AS outcome, COUNT(*)"
	    " FROM read_requests rq WHERE rq.batch_id = ? GROUP BY outcome",
	[Q_VIEW_READ_ROWS] = "SELECT rq.id, COALESCE(m.number, '') AS number,"
	    " " READ_OUTCOME " AS status, rq.reason,"
	    " COALESCE(r.number, '') AS room, COALESCE(bd.name, '') AS building,"
	    " DATE_FORMAT(CONVERT_TZ(rq.done_at, '+00:00', ?), '%Y-%m-%d %H:%i:%s') AS at"
	    " FROM read_requests rq LEFT JOIN meters m ON m.id = rq.meter_id"
	    " LEFT JOIN rooms r ON r.id = m.room_id"
	    " LEFT JOIN buildings bd ON bd.id = r.building_id"
	    " WHERE rq.batch_id = ? ORDER BY FIELD(status, 'failed', 'unknown',"
	    " 'pending', 'done', 'read'), m.number LIMIT 1000",
};

static const char *const sortkeys[] = { "number", "remaining", "room", NULL };
static const char *const actions[] = { "price", "settings", "keep_power",
    "restore", "trip", "read", NULL };
static const char *const states[] = { "opened", "alarm1", "alarm2", "arrears",
    "not_opened", "lost", NULL };

struct filter {
	const char *q, *st;
	int64_t b, f, a1, a2;
};

static void
filter_read(struct req *r, struct filter *fl)
{
	fl->q = web_query(r, "q", "");
	fl->st = web_query(r, "state", "");
	fl->b = web_query_id(r, "building");
	fl->f = web_query_id(r, "floor");
	fl->a1 = web_setting(r, "alarm1_fen");
	fl->a2 = web_setting(r, "alarm2_fen");
	for (int i = 0; states[i]; i++)
		if (strcmp(fl->st, states[i]) == 0)
			goto ok;
	fl->st = "";
ok:
	hdf_set_value(r->hdf, "Filter.q", fl->q);
	hdf_set_value(r->hdf, "Filter.state", fl->st);
	hdf_set_int_value(r->hdf, "Filter.building", (int)fl->b);
	hdf_set_int_value(r->hdf, "Filter.floor", (int)fl->f);
}

static int
choices(struct req *r)
{
	if (web_buildings(r) == -1)
		return -1;
	for (int i = 0; states[i]; i++)
		hdf_set_valuef(r->hdf, "States.%d=%s", i, states[i]);
	for (int i = 0; actions[i]; i++)
		hdf_set_valuef(r->hdf, "Actions.%d=%s", i, actions[i]);
	return 0;
}

int
page_batch(struct req *r)
{
	struct list l;
	struct filter fl;
	struct dbres *res;
	static const char *const heads[] = { "col.meter_number", "col.building",
	    "col.floor", "col.room", "col.holder", "page.remaining", "page.relay",
	    "col.state", "page.read_at" };
	/* relay and state in words, as the page shows them */
	static const char *const cols[] = { "number", "building", "floor:int",
	    "room", "holder", "remaining_fen:yuan", "relay:label.page",
	    "state:label.state", "read_at:datetime" };

	filter_read(r, &fl);
	web_list(r, sortkeys, "number", &l);
	if (l.per == 50 && web_query(r, "per", NULL) == NULL)
		l.per = 100;
	hdf_set_int_value(r->hdf, "List.per", (int)l.per);
	l.offset = (l.page - 1) * l.per;
	res = db_stream_if(r->db, l.export, q[Q_LIST], "sllslllsll", fl.q,
	    fl.b, fl.f, fl.st, fl.a1, fl.a2, (int64_t)l.sort, web_tz(r),
	    (int64_t)l.per, (int64_t)l.offset);
	if (web_list_out(r, &l, res, "meter-status", heads, cols, 9,
	    "batch.cs") == -1)
		return -1;
	if (l.export)
		return 0;
	web_money_col(r, "Rows", "remaining_fen", "remaining");
	return choices(r);
}

/* The meter ids the operator chose: Query.m (repeated), or all filtered. */
static int
selection(struct req *r, const struct filter *fl, int64_t *ids, int *n)
{
	*n = 0;
	if (strcmp(web_query(r, "all", ""), "1") == 0) {
		struct dbres *res = db_query(r->db, q[Q_IDS], "sllsllls", fl->q,
		    fl->b, fl->f, fl->st, fl->a1, fl->a2, (int64_t)0, web_tz(r));

		if (res == NULL)
			return -1;
		while (db_next(res) == 1 && *n < MAXSEL)
			ids[(*n)++] = db_coll(res, 0);
		db_res_free(res);
		return 0;
	}
	{
		HDF *node = hdf_get_obj(r->hdf, "Query.m");
		HDF *c = node ? hdf_obj_child(node) : NULL;
		long v;

		if (node && c == NULL) {
			if (hdf_obj_value(node) && (v = atol(hdf_obj_value(node))) > 0)
				ids[(*n)++] = v;
		}
		for (; c && *n < MAXSEL; c = hdf_obj_next(c))
			if (hdf_obj_value(c) && (v = atol(hdf_obj_value(c))) > 0)
				ids[(*n)++] = v;
	}
	return 0;
}

static const struct field fields[] = {
	{ "action", FT_CHOICE, 1, 0, 0, actions },
	{ "idem", FT_TEXT, 1, 0, 64, NULL },
	{ "confirm", FT_BOOL, 0, 0, 0, NULL },
};
enum { B_ACTION, B_IDEM, B_CONFIRM, B_N };

int
page_batch_run(struct req *r)
{
	struct filter fl;
	struct fval v[B_N];
	struct actor who;
	int64_t *ids, id = 0;
	int n;
	char tok[65];

	filter_read(r, &fl);
	if (form_check(r, fields, B_N, v) > 0)
		return web_fail(r, 400, "err.bad_request");
	if ((ids = calloc(MAXSEL, sizeof(*ids))) == NULL)
		return -1;
	if (selection(r, &fl, ids, &n) == -1) {
		free(ids);
		return -1;
	}
	if (n == 0) {
		free(ids);
		web_redirect(r, "/batch?ok=none_selected");
		return 0;
	}
	if (!v[B_CONFIRM].i) {
		/* the confirmation names the action and how many meters */
		char key[64];

		snprintf(key, sizeof(key), "action.%s", v[B_ACTION].s);
		hdf_set_int_value(r->hdf, "Confirm.count", n);
		hdf_set_value(r->hdf, "Confirm.action", v[B_ACTION].s);
		hdf_set_value(r->hdf, "Confirm.action_name", web_lang(r, key));
		for (int i = 0; i < n; i++)
			hdf_set_valuef(r->hdf, "Confirm.ids.%d=%lld", i,
			    (long long)ids[i]);
		if (crypto_random_hex(16, tok) == 0)
			hdf_set_value(r->hdf, "Confirm.idem", tok);
		free(ids);
		web_render(r, "batch-confirm.cs");
		return 0;
	}
	if (db_value(r->db, &id, q[Q_IDEM], "s", v[B_IDEM].s) == 1) {
		free(ids);
		web_redirect(r, "/batch/view?id=%lld", (long long)id);
		return 0;
	}
	if (strcmp(v[B_ACTION].s, "keep_power") == 0 &&
	    approvals_needed(r->db, "keep_power")) {
		/* B8: keep power waits for a second operator */
		STRING list;
		int64_t aid;

		string_init(&list);
		for (int i = 0; i < n; i++)
			string_appendf(&list, "%s%lld", i ? "," : "", (long long)ids[i]);
		aid = approvals_request(r->db, web_actor(r, &who), "keep_power",
		    0, 0, 0, 0, list.buf, "", v[B_IDEM].s);
		string_clear(&list);
		free(ids);
		if (aid == -1)
			return -1;
		web_redirect(r, "/approvals?ok=requested");
		return 0;
	}
	id = batches_create(r->db, web_actor(r, &who), v[B_ACTION].s, ids, n,
	    v[B_IDEM].s);
	free(ids);
	if (id == -1)
		return -1;
	web_redirect(r, "/batch/view?id=%lld", (long long)id);
	return 0;
}

int
page_batch_view(struct req *r)
{
	int64_t id = web_query_id(r, "id");
	struct dbres *res;
	int pending = 0;

	if (id == 0 || (res = db_query(r->db, q[Q_VIEW], "sl", web_tz(r), id)) == NULL)
		return id ? -1 : web_fail(r, 404, "err.not_found");
	if (!web_row(r, "Batch", res)) {
		db_res_free(res);
		return web_fail(r, 404, "err.not_found");
	}
	db_res_free(res);
	if ((res = db_query(r->db, q[Q_VIEW_COUNTS], "l", id)) == NULL)
		return -1;
	while (db_next(res) == 1) {
		hdf_set_valuef(r->hdf, "Count.%s=%s", db_col(res, 0), db_col(res, 1));
		if (strcmp(db_col(res, 0), "confirmed") && strcmp(db_col(res, 0), "failed"))
			pending += (int)db_coll(res, 1);
	}
	db_res_free(res);
	if ((res = db_query(r->db, q[Q_VIEW_READS], "l", id)) == NULL)
		return -1;
	while (db_next(res) == 1) {
		hdf_set_valuef(r->hdf, "Reads.%s=%s", db_col(res, 0), db_col(res, 1));
		if (strcmp(db_col(res, 0), "pending") == 0)
			pending += (int)db_coll(res, 1);
	}
	db_res_free(res);
	if (strcmp(hdf_get_value(r->hdf, "Batch.action", ""), "read") == 0) {
		/* each meter: read, or why not, as the collector recorded it */
		if ((res = db_query(r->db, q[Q_VIEW_READ_ROWS], "sl", web_tz(r),
		    id)) == NULL)
			return -1;
		web_rows(r, "ReadRows", res);
		db_res_free(res);
	}
	hdf_set_int_value(r->hdf, "Count.pending", pending);
	if ((res = db_query(r->db, q[Q_VIEW_CMDS], "l", id)) == NULL)
		return -1;
	web_rows(r, "Rows", res);
	db_res_free(res);
	web_cmd_error_col(r, "Rows", "error", "error_text");
	web_render(r, "batch-view.cs");
	return 0;
}
