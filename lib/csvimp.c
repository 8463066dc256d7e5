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

int
csv_parse(const char *data, size_t len, struct csv *out)
{
	char *p, *w, *start;
	int line = 1, rowline = 1;
	struct csv_row cur = { 0 };

	memset(out, 0, sizeof(*out));
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if ((out->text = to_utf8(data, len)) == NULL)
		return -1;
	/* Fields are unquoted in place: W never runs ahead of P. */
	p = w = start = out->text;
	cur.line = rowline;
	for (;;) {
		int quoted = 0;

		start = w;
		if (*p == '"') {
			quoted = 1;
			p++;
			for (;;) {
				if (*p == '\0') {
					free(cur.field);
					csv_free(out);
					errno = EINVAL;
					return -1;
				}
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					if (*p == '\n')
						line++;
					*w++ = *p++;
				}
			}
		}
		while (*p != '\0' && *p != ',' && *p != '\n' && *p != '\r')
			*w++ = *p++;
		(void)quoted;
		{
			char sep = *p;

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
			/* end of a row: keep it unless it is blank */
			if (!(cur.nfields == 1 && cur.field[0][0] == '\0')) {
				struct csv_row *nr = realloc(out->row,
				    (out->nrows + 1) * sizeof(*nr));

				if (nr == NULL)
					goto nomem;
				out->row = nr;
				out->row[out->nrows++] = cur;
			} else
				free(cur.field);
			memset(&cur, 0, sizeof(cur));
			if (sep != '\0')
				line++;
			rowline = line;
			cur.line = rowline;
			if (*p == '\0')
				break;
		}
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

int
imp_check(const struct csv *c, const struct imp_site *site,
    struct imp_result *res)
{
	int idx[C_N];
	int *count = NULL;
	uint8_t (*used)[248] = NULL;
	uint32_t *seen = NULL;
	size_t nseen = 0;

	memset(res, 0, sizeof(*res));
	if (c->nrows < 2)
		return add_err(res, 1, -1, "empty", NULL) == -1 ? -1 : 1;
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
	if (res->nerr)
		return (int)res->nerr;
	count = calloc(site->nbus + 1, sizeof(*count));
	used = calloc(site->nbus + 1, sizeof(*used));
	seen = calloc(c->nrows, sizeof(*seen));
	res->meter = calloc(c->nrows, sizeof(*res->meter));
	if (!count || !used || !seen || !res->meter)
		goto nomem;
	for (size_t b = 0; b < site->nbus; b++) {
		count[b] = site->bus[b].count;
		memcpy(used[b], site->bus[b].used, sizeof(used[b]));
	}
	for (size_t i = 1; i < c->nrows; i++) {
		const struct csv_row *row = &c->row[i];
		const char *v[C_N];
		struct imp_meter m = { .line = row->line };
		long n, port = 0;
		int bad = 0;
		size_t b = site->nbus;

		int blank = 1;

		for (int f = 0; f < row->nfields; f++)
			if (*trim(row->field[f]) != '\0')
				blank = 0;
		/* Excel writes ",,,,,," for a formatted but empty row */
		if (blank)
			continue;
		for (int k = 0; k < C_N; k++)
			v[k] = idx[k] >= 0 && idx[k] < row->nfields ?
			    trim(row->field[idx[k]]) : "";
#define ERR(col, why, val) do { \
	if (add_err(res, row->line, col, why, val) == -1) goto nomem; \
	bad = 1; } while (0)
		if (valid_int(v[C_NUMBER], 1, 4294967295L, &n) != NULL)
			ERR(C_NUMBER, "bad_number", v[C_NUMBER]);
		else {
			uint32_t num = (uint32_t)n;

			m.number = num;
			if (bsearch(&num, site->number, site->nnumber,
			    sizeof(num), cmp_u32) != NULL)
				ERR(C_NUMBER, "dup_number", v[C_NUMBER]);
			else {
				int dup = 0;

				for (size_t s = 0; s < nseen; s++)
					if (seen[s] == num)
						dup = 1;
				if (dup)
					ERR(C_NUMBER, "dup_number", v[C_NUMBER]);
				seen[nseen++] = num;
			}
		}
		m.profile = -1;
		for (int p = 0; imp_profiles[p]; p++)
			if (strcasecmp(v[C_PROFILE], imp_profiles[p]) == 0)
				m.profile = p;
		if (m.profile == -1)
			ERR(C_PROFILE, "bad_profile", v[C_PROFILE]);
		if (valid_int(v[C_PORT], 1, 255, &port) != NULL)
			ERR(C_PORT, "unknown_bus", v[C_PORT]);
		else {
			for (b = 0; b < site->nbus; b++)
				if (site->bus[b].port == port &&
				    strcmp(site->bus[b].gateway, v[C_GATEWAY]) == 0)
					break;
			if (b == site->nbus)
				ERR(C_GATEWAY, "unknown_bus", v[C_GATEWAY]);
		}
		if (valid_int(v[C_ADDRESS], 1, 247, &n) != NULL)
			ERR(C_ADDRESS, "bad_address", v[C_ADDRESS]);
		else {
			m.address = (int)n;
			if (b < site->nbus) {
				if (used[b][n])
					ERR(C_ADDRESS, "addr_taken", v[C_ADDRESS]);
				else if (count[b] >= IMP_MAX_PER_BUS)
					ERR(C_ADDRESS, "bus_full", v[C_GATEWAY]);
				else {
					used[b][n] = 1;
					count[b]++;
				}
				m.bus_id = site->bus[b].id;
			}
		}
		if (*v[C_ROOM] != '\0' || *v[C_BUILDING] != '\0') {
			size_t r;

			for (r = 0; r < site->nroom; r++)
				if (strcmp(site->room[r].building, v[C_BUILDING]) == 0 &&
				    strcmp(site->room[r].number, v[C_ROOM]) == 0)
					break;
			if (r == site->nroom)
				ERR(C_ROOM, "room_not_found", v[C_ROOM]);
			else
				m.room_id = site->room[r].id;
		}
#undef ERR
		if (!bad)
			res->meter[res->nmeter++] = m;
	}
	free(count);
	free(used);
	free(seen);
	return (int)res->nerr;
nomem:
	free(count);
	free(used);
	free(seen);
	imp_result_free(res);
	errno = ENOMEM;
	return -1;
}

void
imp_result_free(struct imp_result *res)
{
	free(res->meter);
	free(res->err);
	memset(res, 0, sizeof(*res));
}
