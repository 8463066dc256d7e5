/* csvimp.h - CSV reading (UTF-8 with or without BOM, or GBK) and the checks of a meter import. */
#ifndef CSVIMP_H
#define CSVIMP_H

#include <stddef.h>
#include <stdint.h>

struct csv_row {
	int line;		/* 1-based line of the file where the row starts */
	int nfields;
	char **field;
};

struct csv {
	struct csv_row *row;
	size_t nrows;
	char *text;		/* the whole file as UTF-8 */
};

/*
 * Parses DATA (RFC 4180: quotes, CRLF or LF) into rows; a UTF-8 BOM is
 * dropped, and a file that is not UTF-8 is read as GBK (GB18030), as Excel
 * on Chinese Windows writes it. Returns 0, or -1 with errno (EILSEQ when
 * it is neither, EINVAL for an unclosed quote). Free with csv_free.
 */
int csv_parse(const char *data, size_t len, struct csv *out);
void csv_free(struct csv *);

/* What the site holds, loaded from the database by the caller. */
struct imp_bus {
	const char *gateway;
	int port;
	int64_t id;
	int count;		/* meters already on the bus */
	uint8_t used[248];	/* addresses already taken */
};
struct imp_room {
	const char *building;
	const char *number;
	int64_t id;
};
struct imp_site {
	const struct imp_bus *bus;
	size_t nbus;
	const struct imp_room *room;
	size_t nroom;
	const uint32_t *number;	/* meter numbers already there, sorted */
	size_t nnumber;
};

#define IMP_MAX_PER_BUS 32

struct imp_meter {
	int line;
	uint32_t number;
	int profile;		/* 0 ddsy1352nk, 1 energy */
	int64_t bus_id;
	int address;
	int64_t room_id;	/* 0: none */
};

struct imp_error {
	int line;
	const char *column;	/* language key of the column, or NULL */
	const char *reason;	/* language key: Lang.imp.REASON */
	char value[64];
};

struct imp_result {
	struct imp_meter *meter;
	size_t nmeter;
	struct imp_error *err;
	size_t nerr;
};

extern const char *const imp_profiles[];

/*
 * Checks every row of CSV against SITE and the other rows: the first row
 * names the columns (Chinese or English). Fills RES (imp_result_free);
 * returns the number of errors; the meters are to be imported only when
 * it is 0. -1 with errno when out of memory.
 */
int imp_check(const struct csv *, const struct imp_site *, struct imp_result *);
void imp_result_free(struct imp_result *);

#endif
