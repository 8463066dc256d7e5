/* state.c - the meters' state as a text file, one line a meter, written atomically (tmp + rename). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

static pthread_mutex_t save_lock = PTHREAD_MUTEX_INITIALIZER;

/* Writes the N meters of MS and the clock CLK to PATH through PATH.tmp. */
static int
state_write(const char *path, const struct meter *ms, int n, int64_t clk)
{
	char tmp[4096];
	FILE *f;
	int err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fprintf(f, "# meter-sim state 1\nclock %" PRId64 "\n", clk);
	for (int i = 0; i < n; i++) {
		const struct meter *m = &ms[i];

		fprintf(f, "m %u rem=%" PRId64 " cnt=%u en=%u e0=%u e1=%u "
		    "e2=%u e3=%u wacc=%" PRId64 " facc=%" PRId64 " bad=%u "
		    "a1=%u a2=%u od=%u fe=%u fo=%u p0=%u p1=%u p2=%u p3=%u "
		    "thr=%u dly=%u ovl=%" PRId64 " coff=%" PRId64 " fb=%d tou=",
		    m->number, m->remaining, m->count, m->energy, m->e[0],
		    m->e[1], m->e[2], m->e[3], m->wacc, m->facc,
		    m->bad_tokens, m->alarm1, m->alarm2, m->overdraft,
		    m->force_en, m->force_open, m->price[0], m->price[1],
		    m->price[2], m->price[3], m->threshold, m->restore_delay,
		    m->overload_until, m->clock_off, m->fault_bit);
		for (int j = 0; j < 16; j++)
			fprintf(f, "%s%u", j ? "," : "", m->tou[j]);
		fputc('\n', f);
	}
	if (fflush(f) == EOF || fsync(fileno(f)) == -1) {
		err = errno;
		fclose(f);
		unlink(tmp);
		errno = err;
		return -1;
	}
	if (fclose(f) == EOF || rename(tmp, path) == -1) {
		err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	return 0;
}

/*
 * Saves every meter: a copy taken under sim.mlock (not to be held by the
 * caller), written without it, so the buses do not wait for the disk.
 */
int
state_save(const char *path)
{
	struct meter *snap;
	int64_t clk;
	int n, rc, err;

	pthread_mutex_lock(&save_lock);
	pthread_mutex_lock(&sim.mlock);
	n = sim.nmeter;
	if ((snap = malloc((size_t)(n ? n : 1) * sizeof(*snap))) != NULL)
		memcpy(snap, sim.meters, (size_t)n * sizeof(*snap));
	clk = sim_now_ms();
	pthread_mutex_unlock(&sim.mlock);
	if (snap == NULL)
		rc = -1;
	else
		rc = state_write(path, snap, n, clk);
	err = errno;
	free(snap);
	pthread_mutex_unlock(&save_lock);
	errno = err;
	return rc;
}

static int
state_field(struct meter *m, const char *key, const char *val)
{
	char *end;
	long long v;

	if (strcmp(key, "tou") == 0) {
		const char *p = val;

		for (int j = 0; j < 16; j++) {
			v = strtoll(p, &end, 10);
			if (end == p || v < 0 || v > 0xffff)
				return -1;
			m->tou[j] = (uint16_t)v;
			p = *end == ',' ? end + 1 : end;
		}
		return 0;
	}
	v = strtoll(val, &end, 10);
	if (end == val || *end != '\0')
		return -1;
#define F(name, field, type) \
	if (strcmp(key, name) == 0) { m->field = (type)v; return 0; }
	F("rem", remaining, int64_t)
	F("cnt", count, uint16_t)
	F("en", energy, uint32_t)
	F("e0", e[0], uint32_t)
	F("e1", e[1], uint32_t)
	F("e2", e[2], uint32_t)
	F("e3", e[3], uint32_t)
	F("wacc", wacc, int64_t)
	F("facc", facc, int64_t)
	F("bad", bad_tokens, uint16_t)
	F("a1", alarm1, uint32_t)
	F("a2", alarm2, uint32_t)
	F("od", overdraft, uint32_t)
	F("fe", force_en, uint16_t)
	F("fo", force_open, uint16_t)
	F("p0", price[0], uint32_t)
	F("p1", price[1], uint32_t)
	F("p2", price[2], uint32_t)
	F("p3", price[3], uint32_t)
	F("thr", threshold, uint16_t)
	F("dly", restore_delay, uint16_t)
	F("ovl", overload_until, int64_t)
	F("coff", clock_off, int64_t)
	F("fb", fault_bit, int)
#undef F
	return 0;	/* a later version's field: ignored */
}

/*
 * Loads PATH if it exists (a missing file is a new site). Meters of the
 * file that are not in the site are ignored. Returns 0 or -1 with errno.
 */
int
state_load(const char *path)
{
	char line[1024];
	FILE *f;
	int lineno = 0;

	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *save = NULL, *tok;
		struct meter *m;
		long long clk;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (sscanf(line, "clock %lld", &clk) == 1) {
			/* The simulated clock never runs backwards. */
			if (clk > sim.sim_base_ms)
				sim.sim_base_ms = clk;
			continue;
		}
		if (strncmp(line, "m ", 2) != 0)
			continue;
		tok = strtok_r(line + 2, " ", &save);
		if (tok == NULL ||
		    (m = site_meter((uint32_t)strtoul(tok, NULL, 10))) == NULL)
			continue;
		while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
			char *eq = strchr(tok, '=');

			if (eq == NULL)
				continue;
			*eq = '\0';
			if (state_field(m, tok, eq + 1) == -1) {
				sim_log("%s:%d: bad %s", path, lineno, tok);
				fclose(f);
				errno = EINVAL;
				return -1;
			}
		}
	}
	fclose(f);
	return 0;
}
