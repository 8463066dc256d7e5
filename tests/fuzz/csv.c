/* csv.c - fuzzes the meter import's CSV reading and checks (lib/csvimp.c): UTF-8 with or without BOM, GBK, quotes; rows written back read the same, and no meter passes that breaks a rule of the site. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvimp.h"
#include "valid.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "property failed: %s " \
	"(line %d)\n", #c, __LINE__); abort(); } } while (0)

/* A small site like the reference one: two gateways, three buses, rooms. */
static struct imp_bus buses[3] = {
	{ .gateway = "GW1", .port = 1, .id = 11, .count = 2 },
	{ .gateway = "GW1", .port = 2, .id = 12, .count = 31 },
	{ .gateway = "网关2", .port = 1, .id = 21, .count = 0 },
};
static const struct imp_room rooms[] = {
	{ "1号楼", "101", 101 }, { "1号楼", "102", 102 }, { "2号楼", "101", 201 },
};
static const uint32_t numbers[] = { 1010105, 1010201, 20240480 };
static const struct imp_site site = {
	.bus = buses, .nbus = 3, .room = rooms, .nroom = 3,
	.number = numbers, .nnumber = 3,
};

/* The rows written back as CSV: every field quoted, quotes doubled. */
static char *
write_back(const struct csv *c, size_t *len)
{
	size_t n = 1, o = 0;
	char *s;

	for (size_t r = 0; r < c->nrows; r++)
		for (int f = 0; f < c->row[r].nfields; f++)
			n += 2 * strlen(c->row[r].field[f]) + 4;
	if ((s = malloc(n)) == NULL)
		return NULL;
	for (size_t r = 0; r < c->nrows; r++) {
		for (int f = 0; f < c->row[r].nfields; f++) {
			if (f > 0)
				s[o++] = ',';
			s[o++] = '"';
			for (const char *p = c->row[r].field[f]; *p; p++) {
				if (*p == '"')
					s[o++] = '"';
				s[o++] = *p;
			}
			s[o++] = '"';
		}
		s[o++] = '\n';
	}
	s[o] = '\0';
	*len = o;
	return s;
}

static void
check_import(const struct csv *c)
{
	struct imp_result res;
	int rc = imp_check(c, &site, &res);
	int per_bus[3] = { 0 };
	uint8_t used[3][248];

	CHECK(rc >= 0 && (size_t)rc == res.nerr);
	memset(used, 0, sizeof(used));
	used[0][1] = used[0][2] = 1;
	for (size_t i = 0; i < res.nmeter; i++) {
		const struct imp_meter *m = &res.meter[i];
		size_t b;

		for (b = 0; b < 3 && buses[b].id != m->bus_id; b++)
			;
		CHECK(b < 3);
		CHECK(m->address >= 1 && m->address <= 247);
		CHECK(!used[b][m->address]);
		used[b][m->address] = 1;
		CHECK(buses[b].count + ++per_bus[b] <= IMP_MAX_PER_BUS);
		CHECK(m->number >= 1);
		for (size_t k = 0; k < 3; k++)
			CHECK(m->number != numbers[k]);
		for (size_t j = 0; j < i; j++)
			CHECK(res.meter[j].number != m->number);
		CHECK(m->room_id == 0 || m->room_id == 101 ||
		    m->room_id == 102 || m->room_id == 201);
		CHECK(m->profile == 0 || m->profile == 1);
		CHECK(m->line >= 2);
	}
	for (size_t i = 0; i < res.nerr; i++) {
		CHECK(res.err[i].reason != NULL);
		CHECK(strlen(res.err[i].value) < sizeof(res.err[i].value));
	}
	imp_result_free(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv c, again;
	char *text;
	size_t len;
	int prev = 0;

	if (size > 256 * 1024)
		return 0;
	buses[0].used[1] = buses[0].used[2] = 1;
	if (csv_parse((const char *)data, size, &c) == -1)
		return 0;
	CHECK(utf8_len(c.text) >= 0);
	for (size_t r = 0; r < c.nrows; r++) {
		CHECK(c.row[r].nfields >= 1);
		CHECK(c.row[r].line > prev);
		prev = c.row[r].line;
		CHECK(c.row[r].nfields > 1 || c.row[r].field[0][0] != '\0');
		for (int f = 0; f < c.row[r].nfields; f++)
			CHECK(utf8_len(c.row[r].field[f]) >= 0);
	}
	/* written back and read again: the same rows and fields */
	if ((text = write_back(&c, &len)) != NULL) {
		CHECK(csv_parse(text, len, &again) == 0);
		CHECK(again.nrows == c.nrows);
		for (size_t r = 0; r < c.nrows; r++) {
			CHECK(again.row[r].nfields == c.row[r].nfields);
			for (int f = 0; f < c.row[r].nfields; f++)
				CHECK(strcmp(again.row[r].field[f],
				    c.row[r].field[f]) == 0);
		}
		csv_free(&again);
		free(text);
	}
	check_import(&c);
	csv_free(&c);
	return 0;
}
