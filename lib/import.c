/* import.c - loads the site for the import checks and inserts the meters in one transaction. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "import.h"
#include "log.h"

enum { Q_BUSES, Q_USED, Q_ROOMS, Q_NUMBERS, Q_INSERT };
static const char *const q[] = {
	[Q_BUSES] = "SELECT u.id, g.name, u.port FROM buses u"
	    " JOIN gateways g ON g.id = u.gateway_id ORDER BY u.id",
	[Q_USED] = "SELECT bus_id, address FROM meters ORDER BY bus_id",
	[Q_ROOMS] = "SELECT r.id, b.name, r.number FROM rooms r"
	    " JOIN buildings b ON b.id = r.building_id",
	[Q_NUMBERS] = "SELECT number FROM meters ORDER BY number",
	[Q_INSERT] = "INSERT INTO meters (number, profile, bus_id, address, room_id)"
	    " VALUES (?, ?, ?, ?, NULLIF(?, 0))",
};

struct site {
	struct imp_site s;
	struct imp_bus *bus;
	struct imp_room *room;
	uint32_t *number;
	struct dbres *busres, *roomres;
	char **strings;
	size_t nstrings;
};

static const char *
keep(struct site *st, const char *s)
{
	char **n = realloc(st->strings, (st->nstrings + 1) * sizeof(*n));

	if (n == NULL)
		return "";
	st->strings = n;
	if ((n[st->nstrings] = strdup(s ? s : "")) == NULL)
		return "";
	return n[st->nstrings++];
}

static void
site_free(struct site *st)
{
	for (size_t i = 0; i < st->nstrings; i++)
		free(st->strings[i]);
	free(st->strings);
	free(st->bus);
	free(st->room);
	free(st->number);
}

static int
site_load(struct db *db, struct site *st)
{
	struct dbres *res;
	size_t n;

	memset(st, 0, sizeof(*st));
	if ((res = db_query(db, q[Q_BUSES], "")) == NULL)
		return -1;
	st->bus = calloc(db_nrows(res) + 1, sizeof(*st->bus));
	for (n = 0; st->bus && db_next(res) == 1; n++) {
		st->bus[n].id = db_coll(res, 0);
		st->bus[n].gateway = keep(st, db_col(res, 1));
		st->bus[n].port = (int)db_coll(res, 2);
	}
	st->s.nbus = n;
	db_res_free(res);
	if ((res = db_query(db, q[Q_USED], "")) == NULL)
		return -1;
	while (db_next(res) == 1) {
		int64_t bus = db_coll(res, 0), addr = db_coll(res, 1);

		for (size_t b = 0; b < st->s.nbus; b++)
			if (st->bus[b].id == bus) {
				st->bus[b].count++;
				if (addr >= 1 && addr <= 247)
					st->bus[b].used[addr] = 1;
			}
	}
	db_res_free(res);
	if ((res = db_query(db, q[Q_ROOMS], "")) == NULL)
		return -1;
	st->room = calloc(db_nrows(res) + 1, sizeof(*st->room));
	for (n = 0; st->room && db_next(res) == 1; n++) {
		st->room[n].id = db_coll(res, 0);
		st->room[n].building = keep(st, db_col(res, 1));
		st->room[n].number = keep(st, db_col(res, 2));
	}
	st->s.nroom = n;
	db_res_free(res);
	if ((res = db_query(db, q[Q_NUMBERS], "")) == NULL)
		return -1;
	st->number = calloc(db_nrows(res) + 1, sizeof(*st->number));
	for (n = 0; st->number && db_next(res) == 1; n++)
		st->number[n] = (uint32_t)db_coll(res, 0);
	st->s.nnumber = n;
	db_res_free(res);
	if (!st->bus || !st->room || !st->number) {
		errno = ENOMEM;
		return -1;
	}
	st->s.bus = st->bus;
	st->s.room = st->room;
	st->s.number = st->number;
	return 0;
}

struct import_tx {
	const struct csv *csv;
	struct imp_result *res;
};

/* The file checked against the site as it is now and, when every row is
 * good, its meters inserted: their number, 0 when a row is bad, -1, or
 * DB_TX_AGAIN when a concurrent change took a number or an address. */
static int
import_tx(struct db *db, void *arg)
{
	struct import_tx *t = arg;
	struct site st;
	int nerr, done = 0;

	if (site_load(db, &st) == -1) {
		site_free(&st);
		return -1;
	}
	imp_result_free(t->res);
	nerr = imp_check(t->csv, &st.s, t->res);
	site_free(&st);
	if (nerr != 0)
		return nerr < 0 ? -1 : -3;	/* bad rows: nothing written */
	for (size_t i = 0; i < t->res->nmeter; i++) {
		const struct imp_meter *m = &t->res->meter[i];

		if (db_exec(db, q[Q_INSERT], "lslil", (int64_t)m->number,
		    imp_profiles[m->profile], m->bus_id, m->address,
		    m->room_id) == -1)
			return db_errno(db) == DB_ER_DUP_ENTRY ? DB_TX_AGAIN : -1;
		done++;
	}
	return done;
}

long
import_meters(struct db *db, const char *data, size_t len,
    struct imp_result *res)
{
	struct csv csv;
	long done = -1;

	memset(res, 0, sizeof(*res));
	if (csv_parse(data, len, &csv) == -1) {
		struct imp_error *e = calloc(1, sizeof(*e));

		if (e == NULL)
			return -1;
		e->line = 0;
		e->reason = errno == EINVAL ? "bad_quote" : "bad_encoding";
		res->err = e;
		res->nerr = 1;
		return 0;
	}
	/* A concurrent change that takes a number or an address first makes
	 * an insert fail on the unique keys: then the file is checked again. */
	{
		struct import_tx t = { &csv, res };

		done = db_tx(db, import_tx, &t);
		if (done == -3)
			done = 0;	/* the bad rows are in RES */
	}
	csv_free(&csv);
	return done;
}
