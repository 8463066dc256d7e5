/* csvimp.c - parses a CSV file and checks a batch of meters before anything is imported. */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvimp.h"
#include "valid.h"

const char *const imp_profiles[] = { "ddsy1352nk", "energy", NULL };

static char *
to_utf8(const char *data, size_t len)
{
	char *out, *op, *ip = (char *)data;
	size_t ileft = len, oleft = len * 2 + 4;
	iconv_t cd;

	if (memchr(data, '\0', len) != NULL) {
		errno = EILSEQ;
		return NULL;
	}
	if ((out = malloc(oleft + 1)) == NULL)
		return NULL;
	memcpy(out, data, len);
	out[len] = '\0';
	if (utf8_len(out) >= 0)
		return out;
	if ((cd = iconv_open("UTF-8", "GB18030")) == (iconv_t)-1) {
		free(out);
		return NULL;
	}
	op = out;
	if (iconv(cd, &ip, &ileft, &op, &oleft) == (size_t)-1) {
		iconv_close(cd);
		free(out);
		errno = EILSEQ;
		return NULL;
	}
	*op = '\0';
	iconv_close(cd);
	return out;
}

static int
add_field(struct csv_row *row, char *f)
{
	char **nf = realloc(row->field, (row->nfields + 1) * sizeof(*nf));

	if (nf == NULL)
		return -1;
	row->field = nf;
	row->field[row->nfields++] = f;
	return 0;
}

/* The quoted field at *PP (its opening quote) written at *WP, a doubled
 * quote inside as one; *LINE counts the line ends in it. Moves both on:
 * 0, or -1 when the quote is never closed. */
static int
quoted_field(char **pp, char **wp, int *line)
{
	char *p = *pp + 1, *w = *wp;

	for (;;) {
		if (*p == '\0')
			return -1;
		if (*p == '"' && p[1] == '"') {
			*w++ = '"';
			p += 2;
		} else if (*p == '"') {
			p++;
			break;
		} else {
			if (*p == '\n')
				(*line)++;
			*w++ = *p++;
		}
	}
	*pp = p;
	*wp = w;
	return 0;
}

/* The end of row CUR: kept in OUT unless it is blank (one empty field),
 * then CUR starts empty. 0, or -1 out of memory (CUR is left as it is). */
static int
end_row(struct csv *out, struct csv_row *cur)
{
	if (cur->nfields == 1 && cur->field[0][0] == '\0')
		free(cur->field);
	else {
		struct csv_row *nr = realloc(out->row,
		    (out->nrows + 1) * sizeof(*nr));

		if (nr == NULL)
			return -1;
		out->row = nr;
		out->row[out->nrows++] = *cur;
	}
	memset(cur, 0, sizeof(*cur));
	return 0;
}

int
csv_parse(const char *data, size_t len, struct csv *out)
{
	char *p, *w, *start, sep;
	int line = 1;
	struct csv_row cur = { 0 };

	memset(out, 0, sizeof(*out));
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if ((out->text = to_utf8(data, len)) == NULL)
		return -1;
	/* Fields are unquoted in place: W never runs ahead of P. */
	p = w = out->text;
	cur.line = line;
	for (;;) {
		start = w;
		if (*p == '"' && quoted_field(&p, &w, &line) == -1) {
			free(cur.field);
			csv_free(out);
			errno = EINVAL;
			return -1;
		}
		while (*p != '\0' && *p != ',' && *p != '\n' && *p != '\r')
			*w++ = *p++;
		sep = *p;
		/* step over the separator before W may write on it */
		if (sep != '\0')
			p++;
		if (sep == '\r' && *p == '\n')
			p++;
		*w++ = '\0';
		if (add_field(&cur, start) == -1)
			goto nomem;
		if (sep == ',')
			continue;
		if (end_row(out, &cur) == -1)
			goto nomem;
		if (sep != '\0')
			line++;
		cur.line = line;
		if (*p == '\0')
			break;
	}
	free(cur.field);
	return 0;
nomem:
	free(cur.field);
	csv_free(out);
	errno = ENOMEM;
	return -1;
}

void
csv_free(struct csv *c)
{
	for (size_t i = 0; i < c->nrows; i++)
		free(c->row[i].field);
	free(c->row);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

enum { C_NUMBER, C_PROFILE, C_GATEWAY, C_PORT, C_ADDRESS, C_BUILDING,
    C_ROOM, C_N };
static const char *const colnames[C_N][3] = {
	{ "表号", "number", "imp.col_number" },
	{ "型号", "profile", "imp.col_profile" },
	{ "通讯管理机", "gateway", "imp.col_gateway" },
	{ "端口", "port", "imp.col_port" },
	{ "地址", "address", "imp.col_address" },
	{ "楼栋", "building", "imp.col_building" },
	{ "房间", "room", "imp.col_room" },
};

static int
add_err(struct imp_result *res, int line, int col, const char *reason,
    const char *value)
{
	struct imp_error *ne = realloc(res->err, (res->nerr + 1) * sizeof(*ne));

	if (ne == NULL)
		return -1;
	res->err = ne;
	ne = &res->err[res->nerr++];
	ne->line = line;
	ne->column = col >= 0 ? colnames[col][2] : NULL;
	ne->reason = reason;
	snprintf(ne->value, sizeof(ne->value), "%s", value ? value : "");
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* What the checks of a file keep from row to row, and of the row. */
struct imp_state {
	const struct imp_site *site;
	struct imp_result *res;
	int *count;			/* meters on each bus */
	uint8_t (*used)[248];		/* addresses taken on each bus */
	uint32_t *seen;			/* numbers of the rows before */
	size_t nseen;
	size_t bus;			/* the row's bus, or site->nbus: none */
};

/* Each check of a row: 0 good, 1 bad (its error added), -1 out of memory. */
typedef int imp_check_fn(struct imp_state *, const char *const *v,
    struct imp_meter *);

/* The error of M's row on COL: 1, or -1 out of memory. */
static int
row_err(struct imp_state *st, const struct imp_meter *m, int col,
    const char *reason, const char *value)
{
	return add_err(st->res, m->line, col, reason, value) == -1 ? -1 : 1;
}

static int
check_number(struct imp_state *st, const char *const *v, struct imp_meter *m)
{
	const struct imp_site *site = st->site;
	uint32_t num;
	long n;
	int dup = 0;

	if (valid_int(v[C_NUMBER], 1, 4294967295L, &n) != NULL)
		return row_err(st, m, C_NUMBER, "bad_number", v[C_NUMBER]);
	num = (uint32_t)n;
	m->number = num;
	if (bsearch(&num, site->number, site->nnumber, sizeof(num),
	    cmp_u32) != NULL)
		return row_err(st, m, C_NUMBER, "dup_number", v[C_NUMBER]);
	for (size_t s = 0; s < st->nseen; s++)
		if (st->seen[s] == num)
			dup = 1;
	if (dup && row_err(st, m, C_NUMBER, "dup_number", v[C_NUMBER]) == -1)
		return -1;
	st->seen[st->nseen++] = num;
	return dup;
}

static int
check_profile(struct imp_state *st, const char *const *v, struct imp_meter *m)
{
	m->profile = -1;
	for (int p = 0; imp_profiles[p]; p++)
		if (strcasecmp(v[C_PROFILE], imp_profiles[p]) == 0)
			m->profile = p;
	if (m->profile == -1)
		return row_err(st, m, C_PROFILE, "bad_profile", v[C_PROFILE]);
	return 0;
}

/* The bus by gateway and port: its index into st->bus. */
static int
check_bus(struct imp_state *st, const char *const *v, struct imp_meter *m)
{
	const struct imp_site *site = st->site;
	long port = 0;
	size_t b;

	st->bus = site->nbus;
	if (valid_int(v[C_PORT], 1, 255, &port) != NULL)
		return row_err(st, m, C_PORT, "unknown_bus", v[C_PORT]);
	for (b = 0; b < site->nbus; b++)
		if (site->bus[b].port == port &&
		    strcmp(site->bus[b].gateway, v[C_GATEWAY]) == 0)
			break;
	st->bus = b;
	if (b == site->nbus)
		return row_err(st, m, C_GATEWAY, "unknown_bus", v[C_GATEWAY]);
	return 0;
}

/* The address on the row's bus: free there, and room on the bus. */
static int
check_address(struct imp_state *st, const char *const *v, struct imp_meter *m)
{
	size_t b = st->bus;
	long n;
	int rc = 0;

	if (valid_int(v[C_ADDRESS], 1, 247, &n) != NULL)
		return row_err(st, m, C_ADDRESS, "bad_address", v[C_ADDRESS]);
	m->address = (int)n;
	if (b >= st->site->nbus)
		return 0;
	if (st->used[b][n])
		rc = row_err(st, m, C_ADDRESS, "addr_taken", v[C_ADDRESS]);
	else if (st->count[b] >= IMP_MAX_PER_BUS)
		rc = row_err(st, m, C_ADDRESS, "bus_full", v[C_GATEWAY]);
	else {
		st->used[b][n] = 1;
		st->count[b]++;
	}
	m->bus_id = st->site->bus[b].id;
	return rc;
}

/* The room by building and number, when the row names one. */
static int
check_room(struct imp_state *st, const char *const *v, struct imp_meter *m)
{
	const struct imp_site *site = st->site;
	size_t r;

	if (*v[C_ROOM] == '\0' && *v[C_BUILDING] == '\0')
		return 0;
	for (r = 0; r < site->nroom; r++)
		if (strcmp(site->room[r].building, v[C_BUILDING]) == 0 &&
		    strcmp(site->room[r].number, v[C_ROOM]) == 0)
			break;
	if (r == site->nroom)
		return row_err(st, m, C_ROOM, "room_not_found", v[C_ROOM]);
	m->room_id = site->room[r].id;
	return 0;
}

static imp_check_fn *const row_checks[] = {
	check_number, check_profile, check_bus, check_address, check_room,
};

/* ROW checked (its columns at IDX); a good one joins the meters to
 * import. 0, or -1 out of memory. */
static int
check_row(struct imp_state *st, const struct csv_row *row, const int *idx)
{
	const char *v[C_N];
	struct imp_meter m = { .line = row->line };
	int blank = 1, bad = 0, rc;

	for (int f = 0; f < row->nfields; f++)
		if (*trim(row->field[f]) != '\0')
			blank = 0;
	/* Excel writes ",,,,,," for a formatted but empty row */
	if (blank)
		return 0;
	for (int k = 0; k < C_N; k++)
		v[k] = idx[k] >= 0 && idx[k] < row->nfields ?
		    trim(row->field[idx[k]]) : "";
	for (size_t k = 0; k < sizeof(row_checks) / sizeof(row_checks[0]);
	    k++) {
		if ((rc = row_checks[k](st, v, &m)) == -1)
			return -1;
		bad |= rc;
	}
	if (!bad)
		st->res->meter[st->res->nmeter++] = m;
	return 0;
}

/* The column of each name in the first row into IDX (-1: none); a
 * column that must be there and is not is an error in RES. 0 or -1. */
static int
find_columns(const struct csv *c, int *idx, struct imp_result *res)
{
	for (int k = 0; k < C_N; k++) {
		idx[k] = -1;
		for (int f = 0; f < c->row[0].nfields; f++) {
			const char *h = trim(c->row[0].field[f]);

			if (strcmp(h, colnames[k][0]) == 0 ||
			    strcasecmp(h, colnames[k][1]) == 0)
				idx[k] = f;
		}
		/* building and room may be left out for meters without a room */
		if (idx[k] == -1 && k != C_BUILDING && k != C_ROOM &&
		    add_err(res, 1, k, "missing_column", colnames[k][0]) == -1)
			return -1;
	}
	return 0;
}

int
imp_check(const struct csv *c, const struct imp_site *site,
    struct imp_result *res)
{
	struct imp_state st = { .site = site, .res = res };
	int idx[C_N], rc = -1;

	memset(res, 0, sizeof(*res));
	if (c->nrows < 2)
		return add_err(res, 1, -1, "empty", NULL) == -1 ? -1 : 1;
	if (find_columns(c, idx, res) == -1)
		return -1;
	if (res->nerr)
		return (int)res->nerr;
	st.count = calloc(site->nbus + 1, sizeof(*st.count));
	st.used = calloc(site->nbus + 1, sizeof(*st.used));
	st.seen = calloc(c->nrows, sizeof(*st.seen));
	res->meter = calloc(c->nrows, sizeof(*res->meter));
	if (!st.count || !st.used || !st.seen || !res->meter)
		goto out;
	for (size_t b = 0; b < site->nbus; b++) {
		st.count[b] = site->bus[b].count;
		memcpy(st.used[b], site->bus[b].used, sizeof(st.used[b]));
	}
	for (size_t i = 1; i < c->nrows; i++)
		if (check_row(&st, &c->row[i], idx) == -1)
			goto out;
	rc = (int)res->nerr;
out:
	free(st.count);
	free(st.used);
	free(st.seen);
	if (rc == -1) {
		imp_result_free(res);
		errno = ENOMEM;
	}
	return rc;
}

void
imp_result_free(struct imp_result *res)
{
	free(res->meter);
	free(res->err);
	memset(res, 0, sizeof(*res));
}
