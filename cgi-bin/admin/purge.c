/* purge.c - prepaid-admin purge: expired sessions, old sign-in failures and SMS codes, readings and SMS past their retention deleted, closed accounts' names and phones anonymised (8.3.8; prepaid-purge.timer). */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "purge.h"
#include "students.h"

enum { Q_PURGE, Q_LOG };
static const char *const q[] = {
	/* the definer function: the staff account has no DELETE on these */
	[Q_PURGE] = "SELECT prepaid_purge(?, ?, ?)",
	[Q_LOG] = "INSERT INTO oplog (login, client_addr, action, object, after_val)"
	    " VALUES ('prepaid-admin', 'local', 'data.purge', 'retention', ?)",
};

/* The steps; a batched one is called again while it deletes a full batch. */
static const struct step {
	const char *what;
	int batched;
} steps[] = {
	{ "sessions", 0 },
	{ "student_sessions", 0 },
	{ "failures", 0 },
	{ "codes", 0 },
	{ "readings", 1 },
	{ "sms", 1 },
	{ "accounts", 0 },
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))
#define BATCH 10000

/* One step: the rows it took into *N; 0 or -1. */
static int
purge_step(struct db *db, const struct step *s, int64_t a, int64_t b,
    int64_t *n)
{
	int64_t got;

	*n = 0;
	do {
		if (db_value(db, &got, q[Q_PURGE], "sll", s->what, a, b) != 1 ||
		    got < 0)
			return -1;
		*n += got;
	} while (s->batched && got >= BATCH);
	return 0;
}

int
cmd_purge(struct db *db, const struct config *cf)
{
	int64_t idle = config_int(cf, "session_idle_min", 30);
	int64_t n[NSTEPS];
	char json[512];
	size_t k = 0;
	int bad = 0;

	for (size_t i = 0; i < NSTEPS; i++) {
		int64_t b = strcmp(steps[i].what, "sessions") == 0 ?
		    config_int(cf, "session_max_hours", 12) : STUDENT_REMEMBER_DAYS;

		if (purge_step(db, &steps[i], idle, b, &n[i]) == -1) {
			log_warnx("purge: %s: %s", steps[i].what, db_error(db));
			n[i] = -1;
			bad = 1;
		}
		printf("purge: %s %lld\n", steps[i].what, (long long)n[i]);
		k += snprintf(json + k, sizeof(json) - k, "%s\"%s\":\"%lld\"",
		    i ? "," : "{", steps[i].what, (long long)n[i]);
	}
	snprintf(json + k, sizeof(json) - k, "}");
	if (db_exec(db, q[Q_LOG], "s", json) == -1) {
		log_warnx("purge: the operation log: %s", db_error(db));
		bad = 1;
	}
	return bad;
}
