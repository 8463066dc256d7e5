/* dbstream.c - db_stream against the test database: values longer than a streamed buffer (exactly it, one over, far over), NULLs, many rows in little memory, and the connection usable after. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"

static int failed;

static void
check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	failed += !cond;
}

int
main(void)
{
	static const char *const sql_long =
	    "SELECT seq, IF(seq = 3, NULL, REPEAT(CHAR(64 + seq % 26), ?))"
	    " FROM (WITH RECURSIVE s (seq) AS (SELECT 1 UNION ALL"
	    " SELECT seq + 1 FROM s WHERE seq < 6) SELECT seq FROM s) t";
	static const char *const sql_many =
	    "WITH RECURSIVE s (seq) AS (SELECT 1 UNION ALL"
	    " SELECT seq + 1 FROM s WHERE seq < 200000)"
	    " SELECT seq, CONCAT('row ', seq) FROM s";
	static const char *const sql_depth =
	    "SET SESSION max_recursive_iterations = 300000";
	static const char *const sql_one = "SELECT 42";
	static const long lens[] = { 4095, 4096, 4097, 100000 };
	const char *conf = getenv("PREPAID_CONF");
	struct config *cf;
	struct db *db;
	struct dbres *res;
	int64_t v = 0;
	long n, sum;

	if (conf == NULL || (cf = config_load(conf)) == NULL ||
	    (db = db_open(cf, "staff")) == NULL) {
		printf("not ok - connect to the test database\n");
		return 1;	/* the process ends: nothing to free */
	}
	check(db_exec(db, sql_depth, "") != -1, "a session may count to 200000");
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		int good = 1, nulls = 0, rows = 0;
		char what[128];

		if ((res = db_stream_if(db, 1, sql_long, "l", (int64_t)lens[k])) ==
		    NULL) {
			check(0, "a stream runs");
			continue;
		}
		check(db_nrows(res) == -1, "a stream does not know its rows");
		while (db_next(res) == 1) {
			const char *s = db_col(res, 1);

			rows++;
			if (db_coll(res, 0) == 3) {
				nulls += s == NULL;
				continue;
			}
			if (s == NULL || (long)strlen(s) != lens[k] ||
			    s[0] != (char)(64 + db_coll(res, 0) % 26) ||
			    s[lens[k] - 1] != s[0])
				good = 0;
		}
		db_res_free(res);
		snprintf(what, sizeof(what), "six rows of %ld characters come"
		    " whole, and the NULL as NULL", lens[k]);
		check(rows == 6 && good && nulls == 1, what);
	}
	if ((res = db_stream_if(db, 1, sql_many, "")) == NULL) {
		check(0, "a stream of many rows runs");
		return 1;
	}
	for (n = 0, sum = 0; db_next(res) == 1; n++)
		sum += (long)db_coll(res, 0) - strtol(db_col(res, 1) + 4, NULL, 10);
	db_res_free(res);
	check(n == 200000 && sum == 0, "200000 rows stream in order, each whole");
	check(db_value(db, &v, sql_one, "") == 1 && v == 42,
	    "the connection answers other statements after the stream");
	if ((res = db_stream_if(db, 1, sql_many, "")) != NULL && db_next(res) == 1)
		db_res_free(res);
	check(db_value(db, &v, sql_one, "") == 1 && v == 42,
	    "and after a stream left before its end");
	db_close(db);
	config_free(cf);
	return failed ? 1 : 0;
}
