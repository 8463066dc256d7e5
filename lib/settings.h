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
/* 1 when S may be the site's logo: an image path of this site, else 0. */
int settings_logo_ok(const char *s);

#endif
