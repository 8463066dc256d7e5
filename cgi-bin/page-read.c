/* page-read.c - "read now": asks the collector to read one meter at once (S1). */
#include <string.h>

#include "db.h"
#include "pages.h"

enum { Q_METER, Q_REQUEST };
static const char *const q[] = {
	[Q_METER] = "SELECT COUNT(*) FROM meters WHERE id = ?",
	[Q_REQUEST] = "INSERT INTO read_requests (meter_id) VALUES (?)",
};

int
page_meter_read(struct req *r)
{
	int64_t id = web_query_id(r, "meter"), n = 0;
	const char *back = web_query(r, "back", "/");

	if (id == 0 || db_value(r->db, &n, q[Q_METER], "l", id) != 1 || n == 0)
		return web_fail(r, 404, "err.not_found");
	if (db_exec(r->db, q[Q_REQUEST], "l", id) == -1)
		return -1;
	/* only a path of this site: never an open redirect */
	if (back[0] != '/' || back[1] == '/' || strchr(back, '\\') ||
	    strpbrk(back, "\r\n"))
		back = "/";
	web_redirect(r, "%s", back);
	return 0;
}
