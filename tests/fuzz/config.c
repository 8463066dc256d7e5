/* config.c - fuzzes the configuration file reader (lib/config.c): every "key = value" line, and only those, is a setting, the last one winning. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

#define MAXKEYS 256

static void
fail(const char *what, const char *key)
{
	fprintf(stderr, "property failed: %s (key \"%s\")\n", what, key);
	abort();
}

/* The span [A, B) without the blanks around it. */
static void
trim(const char **a, const char **b)
{
	while (*a < *b && isspace((unsigned char)**a))
		(*a)++;
	while (*b > *a && isspace((unsigned char)(*b)[-1]))
		(*b)--;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *key[MAXKEYS], *val[MAXKEYS], path[64];
	const char *p = (const char *)data, *end = p + size;
	struct config *c;
	int n = 0, fd;

	if (size > 65536)
		return 0;
	/* The model: lines end at "\n" only, a NUL ends a line's text. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *z = memchr(p, '\0', (size_t)(le - p));
		const char *a = p, *b = z ? z : le, *eq;

		p = nl ? nl + 1 : end;
		trim(&a, &b);
		if (a == b || *a == '#' || (eq = memchr(a, '=', (size_t)(b - a))) == NULL)
			continue;
		if (n == MAXKEYS)
			goto out;
		{
			const char *ka = a, *kb = eq, *va = eq + 1, *vb = b;

			trim(&ka, &kb);
			trim(&va, &vb);
			key[n] = strndup(ka, (size_t)(kb - ka));
			val[n] = strndup(va, (size_t)(vb - va));
			n++;
		}
	}
	if ((fd = memfd_create("conf", 0)) == -1)
		goto out;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		goto out;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	c = config_load(path);
	close(fd);
	if (c == NULL)
		fail("the file could not be read", "");
	for (int i = 0; i < n; i++) {
		const char *want = val[i], *got = config_get(c, key[i], NULL);

		for (int j = i + 1; j < n; j++)
			if (strcmp(key[j], key[i]) == 0)
				want = val[j];
		if (got == NULL || strcmp(got, want) != 0)
			fail("a setting of the file is missing or wrong", key[i]);
		if (config_int(c, key[i], -7) != -7) {
			char *e;
			long v = strtol(want, &e, 10);

			if (*want == '\0' || *e != '\0' || v != config_int(c, key[i], -7))
				fail("config_int is not the number written", key[i]);
		}
	}
	/* no setting that no line of the file makes: any text before an "="
	 * (e.g. from inside a long comment) is no key unless a line says so */
	for (const char *e = (const char *)data; e < end &&
	    (e = memchr(e, '=', (size_t)(end - e))) != NULL; e++)
		for (const char *a = e - 1; a >= (const char *)data &&
		    e - a <= 48 && *a != '\n' && *a != '\0'; a--) {
			const char *ka = a, *kb = e;
			char probe[64];
			int there = 0;

			trim(&ka, &kb);
			snprintf(probe, sizeof(probe), "%.*s", (int)(kb - ka), ka);
			for (int i = 0; i < n; i++)
				there |= strcmp(key[i], probe) == 0;
			if (!there && config_get(c, probe, NULL) != NULL)
				fail("a setting no line of the file makes", probe);
		}
	config_free(c);
out:
	for (int i = 0; i < n; i++) {
		free(key[i]);
		free(val[i]);
	}
	return 0;
}
