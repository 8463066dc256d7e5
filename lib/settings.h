/* settings.h - every site setting (F10 and the others of the settings table): its name, kind and default in one table. */
#ifndef SETTINGS_H
#define SETTINGS_H

#include <stdint.h>

struct db;

enum setting_kind {
	SK_TEXT,	/* a text */
	SK_INT,		/* a whole number */
	SK_FEN,		/* money in fen */
	SK_PRICE,	/* a price in 0.0001 yuan/kWh */
	SK_BOOL		/* "0" or "1" */
};

struct setting {
	const char *name;
	enum setting_kind kind;
	const char *def;	/* the default, as stored */
};

/* The table of every setting, ending with a NULL name. */
extern const struct setting settings[];

/* The setting NAME, or NULL when there is none. */
const struct setting *settings_find(const char *name);
/*
 * The integer value of NAME as stored, or its default when it is not
 * stored or empty; -1 on a database error (errno set) or for a name the
 * table does not know (errno EINVAL; a mistake in the caller).
 */
int64_t settings_int(struct db *, const char *name);
/*
 * A process's copy of the settings (the web workers'): the rows of the
 * settings table, or of its student_settings view for FROM
 * SETTINGS_STUDENT, kept while the database's settings version (moved by
 * every write of the table, 026_settings_version.sql) stays the same.
 * settings_refresh reads the version (one query; VERSION instead when not
 * 0, as another query of the same request read it just before) and the
 * rows again only when it moved: 1 read again, 0 kept, -1 on a database
 * error.
 */
enum settings_from { SETTINGS_TABLE, SETTINGS_STUDENT };
int settings_refresh(struct db *, enum settings_from from, uint64_t version);
/* NAME's stored value in the copy, or NULL when it is not stored. */
const char *settings_cached(const char *name);
/* NAME's integer value in the copy as settings_int gives it (the default
 * when not stored or empty); -1 with errno EINVAL for an unknown name. */
int64_t settings_cached_int(const char *name);
/* The settings version the copy was read at (0: none read). The buildings
 * move it too, so a copy of them kept under it is as fresh. */
uint64_t settings_version(void);
/* Drops the copy: the next settings_refresh reads the rows again. */
void settings_forget(void);
/* 1 when S may be the site's logo: an image path of this site, else 0. */
int settings_logo_ok(const char *s);

#endif
