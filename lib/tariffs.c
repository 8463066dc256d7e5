/* tariffs.c - when a tariff version comes into force, its prices go to the meters as commands. */
#include <stdio.h>
#include <string.h>

#include "cmdq.h"
#include "db.h"
#include "tariffs.h"

enum { Q_DUE, Q_MARK, Q_METER };
static const char *const q[] = {
	/* per tariff, the newest version in force, if not applied yet */
	[Q_DUE] = "SELECT v.id, v.tariff_id, v.p0, v.p1, v.p2, v.p3, v.tou"
	    " FROM tariff_versions v JOIN (SELECT ? AS tz) p"
	    " WHERE v.applied_at IS NULL"
	    " AND v.effective_date <= DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', p.tz))"
	    " AND v.effective_date = (SELECT MAX(w.effective_date) FROM tariff_versions w"
	    "   WHERE w.tariff_id = v.tariff_id"
	    "   AND w.effective_date <= DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', p.tz)))",
	/* this version and any older one not applied are done */
	[Q_MARK] = "UPDATE tariff_versions SET applied_at = UTC_TIMESTAMP()"
	    " WHERE tariff_id = ? AND applied_at IS NULL AND effective_date <="
	    " (SELECT effective_date FROM (SELECT effective_date FROM tariff_versions"
	    "   WHERE id = ?) x)",
	[Q_METER] = "SELECT v.p0, v.p1, v.p2, v.p3, v.tou FROM meter_tariffs mt"
	    " JOIN tariff_versions v ON v.tariff_id = mt.tariff_id"
	    " JOIN (SELECT ? AS tz) p WHERE mt.meter_id = ?"
	    " AND v.effective_date <= DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', p.tz))"
	    " ORDER BY v.effective_date DESC LIMIT 1",
};

/* The prices and day table of a version, in columns COL.. of RES. */
static int
version_price(struct dbres *res, int col, struct cmdq_price *p)
{
	for (int k = 0; k < 4; k++)
		p->p[k] = db_coll(res, col + k);
	return cmdq_tou_decode(db_col(res, col + 4), &p->tou);
}

/* A tariff's version due: its price commands and its mark together, so a
 * version goes out once (db_tx: run again on a deadlock or a cluster's
 * certification failure). */
struct due {
	int64_t tariff, version;
	struct cmdq_price p;
	long n;
};

static int
due_tx(struct db *db, void *arg)
{
	struct due *d = arg;

	if ((d->n = cmdq_price_tariff(db, d->tariff, &d->p)) == -1 ||
	    db_exec(db, q[Q_MARK], "ll", d->tariff, d->version) == -1)
		return -1;
	return 0;
}

long
tariff_apply_due(struct db *db, const char *tz)
{
	struct dbres *res = db_query(db, q[Q_DUE], "s", tz);
	long total = 0;

	if (res == NULL)
		return -1;
	while (db_next(res) == 1) {
		struct due d = { .tariff = db_coll(res, 1),
		    .version = db_coll(res, 0) };

		if (version_price(res, 2, &d.p) == -1 ||
		    db_tx(db, due_tx, &d) < 0) {
			db_res_free(res);
			return -1;
		}
		total += d.n;
	}
	db_res_free(res);
	return total;
}

int
tariff_apply_meter(struct db *db, int64_t meter_id, const char *tz)
{
	struct dbres *res = db_query(db, q[Q_METER], "sl", tz, meter_id);
	struct cmdq_price p;
	int rc = 0;

	if (res == NULL)
		return -1;
	if (db_next(res) == 1)
		rc = version_price(res, 0, &p) == -1 ||
		    cmdq_price(db, meter_id, &p) == -1 ? -1 : 1;
	db_res_free(res);
	return rc;
}
