/* page-oplog.c - F4 the operation log: search by operator, action and dates, refusals with their count a minute; export. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pages.h"
#include "valid.h"

enum { Q_LIST, Q_OPS };
static const char *const q[] = {
	[Q_LIST] = "SELECT l.id,"
	    " DATE_FORMAT(CONVERT_TZ(l.at, '+00:00', p.tz), '%Y-%m-%d %H:%i:%s') AS at,"
	    " l.login, o.name AS op_name, l.client_addr, l.action, l.object,"
	    " l.before_val, l.after_val, COALESCE(f.n, 0) AS repeats,"
	    " COUNT(*) OVER () AS total"
	    " FROM oplog l LEFT JOIN operators o ON o.id = l.operator_id"
	    " LEFT JOIN oplog_refusals f ON f.oplog_id = l.id"
	    " JOIN (SELECT ? AS op, ? AS act, ? AS d1, ? AS d2, ? AS s, ? AS tz) p"
	    " WHERE (p.op = '' OR l.login = p.op)"
	    " AND (p.act = '' OR LEFT(l.action, CHAR_LENGTH(p.act)) = p.act)"
	    " AND (p.d1 = '' OR l.at >= CONVERT_TZ(p.d1, p.tz, '+00:00'))"
	    " AND (p.d2 = '' OR l.at < CONVERT_TZ(p.d2, p.tz, '+00:00') + INTERVAL 1 DAY)"
	    " ORDER BY CASE WHEN p.s = 1 THEN l.id END,"
	    " CASE WHEN p.s = -1 THEN l.id END DESC,"
	    " CASE WHEN p.s = 2 THEN l.login END, CASE WHEN p.s = -2 THEN l.login END DESC,"
	    " CASE WHEN p.s = 3 THEN l.action END, CASE WHEN p.s = -3 THEN l.action END DESC,"
	    " l.id DESC LIMIT ? OFFSET ?",
	[Q_OPS] = "SELECT login, name FROM operators ORDER BY login",
};

static const char *const sortkeys[] = { "at", "login", "action", NULL };

/*
 * Reads the next "key":"value" pair of a flat JSON object written by
 * web_json* (strings only) from *P into K and V; returns 1, or 0 at the end.
 */
static int
json_pair(const char **p, char *k, size_t kn, char *v, size_t vn)
{
	char *out[2] = { k, v };
	size_t lim[2] = { kn, vn };

	for (int f = 0; f < 2; f++) {
		size_t n = 0;

		*p += strcspn(*p, "\"}");
		if (**p != '"')
			return 0;
		for ((*p)++; **p && **p != '"'; (*p)++) {
			char c = **p;

			if (c == '\\' && (*p)[1]) {
				(*p)++;
				c = **p == 'n' ? '\n' : **p == 't' ? '\t' : **p;
				if (**p == 'u') {	/* \u00XX: a control character */
					*p += strspn(*p + 1, "0123456789abcdefABCDEF") > 3 ? 4 : 0;
					c = '?';
				}
			}
			if (n + 1 < lim[f])
				out[f][n++] = c;
		}
		out[f][n] = '\0';
		if (**p == '"')
			(*p)++;
	}
	return 1;
}

/* An export's filter (its query) made readable in place: "+" and %XX. */
static void
url_decode(char *s)
{
	char *o = s;

	for (; *s; s++, o++) {
		if (*s == '+')
			*o = ' ';
		else if (*s == '%' && isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2])) {
			char hex[3] = { s[1], s[2], '\0' };

			*o = (char)strtol(hex, NULL, 16);
			s += 2;
		} else
			*o = *s;
	}
	*o = '\0';
}

/* The label of a form field or column NAME, or NAME itself. */
static const char *
field_label(struct req *r, const char *name)
{
	static const char *const sect[] = { "field", "page", "col", NULL };
	char key[128];

	for (int i = 0; sect[i]; i++) {
		const char *v;

		snprintf(key, sizeof(key), "Lang.%s.%s", sect[i], name);
		if ((v = hdf_get_value(r->hdf, key, NULL)) != NULL)
			return v;
	}
	return name;
}

/*
 * For each row: the action and object in words, and the fields of
 * before/after as "label: before → after" lines, only those that changed.
 */
static void
explain(struct req *r)
{
	HDF *row;
	char key[200], k[64], v[512], bv[512];

	for (row = hdf_obj_child(hdf_get_obj(r->hdf, "Rows")); row;
	    row = hdf_obj_next(row)) {
		const char *act = hdf_get_value(row, "action", "");
		const char *obj = hdf_get_value(row, "object", "");
		const char *before = hdf_get_value(row, "before_val", "");
		const char *after = hdf_get_value(row, "after_val", "");
		const char *p, *c;
		STRING text;
		int n = 0;

		snprintf(key, sizeof(key), "Lang.act.%s", act);
		hdf_set_value(row, "action_label", hdf_get_value(r->hdf, key, act));
		if ((c = strchr(obj, ':')) != NULL && (size_t)(c - obj) < 32) {
			snprintf(key, sizeof(key), "Lang.obj.%.*s", (int)(c - obj), obj);
			if (hdf_get_value(r->hdf, key, NULL) != NULL)
				hdf_set_valuef(row, "object_label=%s %s",
				    hdf_get_value(r->hdf, key, ""), c + 1);
		}
		if (hdf_get_value(row, "object_label", NULL) == NULL)
			hdf_set_value(row, "object_label", obj);
		string_init(&text);
		/* the fields of after, with their value before when it differs */
		p = *after ? after : before;
		while (json_pair(&p, k, sizeof(k), v, sizeof(v))) {
			const char *q2 = before;
			int found = 0;

			bv[0] = '\0';
			if (*after) {
				char k2[64];

				while (json_pair(&q2, k2, sizeof(k2), bv, sizeof(bv)))
					if (strcmp(k2, k) == 0) {
						found = 1;
						break;
					}
				if (found && strcmp(bv, v) == 0)
					continue;
				if (!found)
					bv[0] = '\0';
			}
			/* a refusal's reason in words */
			snprintf(key, sizeof(key), "Lang.refusal.%.32s", v);
			if (strcmp(k, "reason") == 0 &&
			    hdf_get_value(r->hdf, key, NULL) != NULL)
				snprintf(v, sizeof(v), "%s",
				    hdf_get_value(r->hdf, key, ""));
			if (strcmp(k, "filter") == 0)
				url_decode(v);
			snprintf(key, sizeof(key), "change.%d.label", n);
			hdf_set_value(row, key, field_label(r, k));
			snprintf(key, sizeof(key), "change.%d.before", n);
			hdf_set_value(row, key, *after ? bv : v);
			snprintf(key, sizeof(key), "change.%d.after", n);
			hdf_set_value(row, key, *after ? v : "");
			string_appendf(&text, "%s%s: %s%s%s", text.len ? "; " : "",
			    field_label(r, k), *after ? bv : v, *after ? " → " : "",
			    *after ? v : "");
			n++;
		}
		hdf_set_value(row, "changes", text.buf ? text.buf : "");
		string_clear(&text);
	}
}

int
page_oplog(struct req *r)
{
	struct list l;
	struct dbres *res;
	const char *op = web_query(r, "op", "");
	const char *act = web_query(r, "action", "");
	const char *d1, *d2;
	static const char *const heads[] = { "col.time", "col.login",
	    "col.addr", "col.action", "col.object", "col.changes" };
	static const char *const cols[] = { "at:datetime", "login",
	    "client_addr", "action_label", "object_label", "changes" };

	web_list(r, sortkeys, "-at", &l);
	hdf_set_value(r->hdf, "Filter.op", op);
	hdf_set_value(r->hdf, "Filter.action", act);
	web_dates(r, &d1, &d2);
	if (valid_text(act, 64) != NULL || valid_text(op, 32) != NULL)
		return web_fail(r, 400, "err.bad_request");
	res = db_stream_if(r->db, l.export, q[Q_LIST],
	    "ssssisll", op, act, d1, d2, l.sort,
	    web_tz(r), (int64_t)l.per, (int64_t)l.offset);
	if (res == NULL)
		return -1;
	web_rows(r, "Rows", res);
	db_res_free(res);
	web_list_done(r, &l, hdf_get_int_value(r->hdf, "Rows.0.total", 0));
	explain(r);
	if (l.export)
		return web_xlsx_hdf(r, "oplog", heads, cols, 6, "Rows");
	if ((res = db_query(r->db, q[Q_OPS], "")) == NULL)
		return -1;
	web_rows(r, "Ops", res);
	db_res_free(res);
	/* the actions to filter by, in words */
	{
		HDF *a = hdf_get_obj(r->hdf, "Lang.act");
		int n = 0;

		for (a = a ? hdf_obj_child(a) : NULL; a; a = hdf_obj_next(a)) {
			HDF *sub = hdf_obj_child(a);

			if (hdf_obj_value(a) != NULL) {
				hdf_set_valuef(r->hdf, "Acts.%d.code=%s", n,
				    hdf_obj_name(a));
				hdf_set_valuef(r->hdf, "Acts.%d.label=%s", n++,
				    hdf_obj_value(a));
			}
			for (; sub; sub = hdf_obj_next(sub)) {
				hdf_set_valuef(r->hdf, "Acts.%d.code=%s.%s", n,
				    hdf_obj_name(a), hdf_obj_name(sub));
				hdf_set_valuef(r->hdf, "Acts.%d.label=%s", n++,
				    hdf_obj_value(sub));
			}
		}
	}
	web_render(r, "oplog.cs");
	return 0;
}
