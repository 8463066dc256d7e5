/* page-read.c - "read now": asks the collector to read one meter at once (S1) and says what it found. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "pages.h"

/* How long the page waits for the collector before going back without an answer. */
#define READ_WAIT_MS	6000

enum { Q_METER, Q_REQUEST, Q_OUTCOME };
static const char *const q[] = {
	[Q_METER] = "SELECT COUNT(*) FROM meters WHERE id = ?",
	[Q_REQUEST] = "INSERT INTO read_requests (meter_id) VALUES (?)",
	[Q_OUTCOME] = "SELECT CASE WHEN done_at IS NULL THEN 'pending'"
	    " ELSE COALESCE(outcome, 'read') END, reason"
	    " FROM read_requests WHERE id = ?",
};

/* The reasons the collector records, each with its words in the language files. */
static const char *const reasons[] = { "timeout", "no_answer", "exception",
    "bad_frame", "link", "not_tried", NULL };

int
page_meter_read(struct req *r)
{
	int64_t id = web_query_id(r, "meter"), n = 0, rid;
	const char *back = web_query(r, "back", "/");
	struct timespec pause = { 0, 200000000 };
	char outcome[16] = "pending", reason[40] = "";

	if (id == 0 || db_value(r->db, &n, q[Q_METER], "l", id) != 1 || n == 0)
		return web_fail(r, 404, "err.not_found");
	if (db_exec(r->db, q[Q_REQUEST], "l", id) == -1)
		return -1;
	rid = (int64_t)db_last_id(r->db);
	/* The collector serves a request within a second or two: wait for its answer. */
	for (int waited = 0; waited < READ_WAIT_MS; waited += 200) {
		struct dbres *res;

		nanosleep(&pause, NULL);
		if ((res = db_query(r->db, q[Q_OUTCOME], "l", rid)) == NULL)
			return -1;
		if (db_next(res) == 1) {
			snprintf(outcome, sizeof(outcome), "%s", db_col(res, 0));
			snprintf(reason, sizeof(reason), "%s", db_col(res, 1));
		}
		db_res_free(res);
		if (strcmp(outcome, "pending") != 0)
			break;
	}
	if (strcmp(outcome, "unknown") == 0)
		return web_fail(r, 404, "readreason.unknown");
	if (strcmp(outcome, "failed") == 0) {
		char key[64];

		snprintf(key, sizeof(key), "readreason.not_tried");
		for (int i = 0; reasons[i]; i++)
			if (strcmp(reason, reasons[i]) == 0)
				snprintf(key, sizeof(key), "readreason.%s", reasons[i]);
		return web_fail(r, 504, key);
	}
	/* read (the page shows it), or still waiting (the page says so) */
	/* only a path of this site: never an open redirect */
	if (back[0] != '/' || back[1] == '/' || strchr(back, '\\') ||
	    strpbrk(back, "\r\n"))
		back = "/";
	web_redirect(r, "%s", back);
	return 0;
}
