/* site.c - the site layout: the reference site of meter-bus.md or a CSV of port,address,number,profile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* Lookups by port and by meter number: a table of ports, a hash of numbers. */
static struct bus *by_port[65536];
static int *by_number;		/* open addressing: index + 1, 0 = empty */
#define NUMBER_SLOTS	(SIM_MAX_METERS * 2)

static uint32_t
number_slot(uint32_t number)
{
	return (uint32_t)(mix64(number) % NUMBER_SLOTS);
}

struct bus *
site_bus(int port)
{
	return port >= 0 && port <= 65535 ? by_port[port] : NULL;
}

struct meter *
site_meter(uint32_t number)
{
	if (by_number == NULL)
		return NULL;
	for (uint32_t h = number_slot(number); by_number[h] != 0;
	    h = (h + 1) % NUMBER_SLOTS)
		if (sim.meters[by_number[h] - 1].number == number)
			return &sim.meters[by_number[h] - 1];
	return NULL;
}

static void
site_index(int i)
{
	uint32_t h = number_slot(sim.meters[i].number);

	while (by_number[h] != 0)
		h = (h + 1) % NUMBER_SLOTS;
	by_number[h] = i + 1;
}

static int
site_alloc(void)
{
	if (sim.buses == NULL) {
		sim.buses = calloc(SIM_MAX_BUSES, sizeof(*sim.buses));
		sim.meters = calloc(SIM_MAX_METERS, sizeof(*sim.meters));
		by_number = calloc(NUMBER_SLOTS, sizeof(*by_number));
		if (sim.buses == NULL || sim.meters == NULL ||
		    by_number == NULL)
			return -1;
	}
	return 0;
}

static int
site_add(int port, int addr, uint32_t number, int profile)
{
	struct bus *b;
	struct meter *m;

	if (port < 1 || port > 65535 || addr < 1 || addr > SIM_MAX_ADDR) {
		errno = EINVAL;
		return -1;
	}
	if (site_meter(number) != NULL) {
		sim_log("meter %u twice in the site", number);
		errno = EINVAL;
		return -1;
	}
	if ((b = site_bus(port)) == NULL) {
		if (sim.nbus == SIM_MAX_BUSES) {
			errno = ENOSPC;
			return -1;
		}
		b = &sim.buses[sim.nbus++];
		b->port = port;
		b->gateway = port >= 15020 ? (port - 15020) / 4 + 1 : 0;
		b->tcp = 1;
		pthread_mutex_init(&b->lock, NULL);
		by_port[port] = b;
	}
	if (b->by_addr[addr] != NULL) {
		sim_log("port %d address %d twice in the site", port, addr);
		errno = EINVAL;
		return -1;
	}
	if (sim.nmeter == SIM_MAX_METERS) {
		errno = ENOSPC;
		return -1;
	}
	m = &sim.meters[sim.nmeter++];
	m->number = number;
	m->profile = profile;
	m->bus = b;
	m->addr = addr;
	meter_init(m);
	b->by_addr[addr] = m;
	site_index(sim.nmeter - 1);
	return 0;
}

int
site_reference(void)
{
	if (site_alloc() == -1)
		return -1;
	sim.reference = 1;
	for (int g = 1; g <= 4; g++) {
		for (int p = 1; p <= 4; p++) {
			int port = 15020 + 4 * (g - 1) + (p - 1);

			for (int a = 1; a <= 30; a++)
				if (site_add(port, a, (uint32_t)(1000000 +
				    g * 10000 + p * 100 + a),
				    PROF_DDSY1352NK) == -1)
					return -1;
			if (p == 1 && site_add(port, 31, (uint32_t)(1000000 +
			    g * 10000 + 100 + 31), PROF_ENERGY) == -1)
				return -1;
		}
	}
	return 0;
}

int
site_load(const char *path)
{
	char line[256], prof[64];
	unsigned long number;
	int port, addr, lineno = 0, rc = 0;
	FILE *f;

	if (site_alloc() == -1)
		return -1;
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
			continue;
		if (sscanf(p, " %d , %d , %lu , %63[A-Za-z0-9_]", &port, &addr,
		    &number, prof) != 4 || number > 0xffffffffUL) {
			sim_log("%s:%d: want tcp_port,address,meter_number,"
			    "profile", path, lineno);
			rc = -1;
			errno = EINVAL;
			break;
		}
		if (strcmp(prof, "ddsy1352nk") != 0 &&
		    strcmp(prof, "energy") != 0) {
			sim_log("%s:%d: unknown profile %s", path, lineno, prof);
			rc = -1;
			errno = EINVAL;
			break;
		}
		if (site_add(port, addr, (uint32_t)number,
		    strcmp(prof, "energy") == 0 ? PROF_ENERGY :
		    PROF_DDSY1352NK) == -1) {
			sim_log("%s:%d: bad meter", path, lineno);
			rc = -1;
			break;
		}
	}
	fclose(f);
	if (rc == 0 && sim.nmeter == 0) {
		sim_log("%s: no meters", path);
		errno = EINVAL;
		rc = -1;
	}
	return rc;
}

void
site_free(void)
{
	free(sim.buses);
	free(sim.meters);
	free(by_number);
	sim.buses = NULL;
	sim.meters = NULL;
	by_number = NULL;
}
