/* alarms.h - F22/F30 alarm episodes for the reports: filtered lists, counts per kind, and an operator's acknowledgement with a note. */
#ifndef ALARMS_H
#define ALARMS_H

#include <stdint.h>

struct actor;
struct db;
struct dbres;

#define ALARMS_ANY_FLOOR (-1000)

/* The kinds of episode the collector opens, NULL-terminated. */
extern const char *const alarms_kinds[];

/* What a report asks for; strings are never NULL ("" for any). */
struct alarm_filter {
	int history;		/* 0: open episodes only (F22); 1: all (F30) */
	int64_t building;	/* 0: any */
	int floor;		/* ALARMS_ANY_FLOOR: any */
	const char *kind;
	const char *state;	/* "open", "closed" or "" */
	const char *from, *to;	/* local dates of the opening, YYYY-MM-DD */
	const char *tz;		/* the site's offset, "+08:00" */
	int sort;		/* 1-based in alarms_sortkeys, negative: descending */
	int64_t limit, offset;
};

/* The sort keys of the lists, NULL-terminated. */
extern const char *const alarms_sortkeys[];

/*
 * The episodes of F: id, kind, meter, building, floor, room, holder,
 * gateway, opened, closed (local times), duration_s, duration_min,
 * remaining_fen, state (open/closed), acked (0/1), acked_at, acked_by,
 * ack_note, total (all the rows of F). Returns rows (db_res_free) or NULL.
 */
struct dbres *alarms_list(struct db *, const struct alarm_filter *f);
/* kind, n: the episodes of F per kind, F's kind left out. NULL on error. */
struct dbres *alarms_counts(struct db *, const struct alarm_filter *f);
/* One episode as alarms_list shows it (open or not); NULL on error. */
struct dbres *alarms_get(struct db *, int64_t id, const char *tz);

/* What alarms_ack did. */
enum alarm_ack { ALARM_ACKED, ALARM_ALREADY, ALARM_CLOSED, ALARM_NONE };

/*
 * WHO acknowledges the open episode ID with NOTE, once: the operation log
 * gets alarm.ack. A second acknowledgement changes nothing. Returns what
 * happened (enum alarm_ack), or -1.
 */
int alarms_ack(struct db *, const struct actor *who, int64_t id,
    const char *note);

#endif
