/* import.h - the meter import against the database, shared by the page and prepaid-admin. */
#ifndef IMPORT_H
#define IMPORT_H

#include <stddef.h>

#include "csvimp.h"

struct db;

/*
 * Checks DATA as a meter CSV against the site in the database and, when
 * every row is good, inserts all its meters in one transaction. RES holds
 * the errors (imp_result_free). Returns the number imported, 0 when there
 * were errors (nothing imported), or -1 on a database or file error.
 */
long import_meters(struct db *, const char *data, size_t len,
    struct imp_result *res);

#endif
