/* config.c - reads "key = value" lines; '#' starts a comment. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

struct config {
	size_t n;
	char **key;
	char **val;
};

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

struct config *
config_load(const char *file)
{
	struct config *c;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	if ((f = fopen(file, "r")) == NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		fclose(f);
		return NULL;
	}
	/* a whole line however long: a fixed buffer would read the rest of a
	 * long line (a comment too) as a line of its own */
	while (getline(&line, &cap, f) != -1) {
		char *p = trim(line), *eq, *k, *v;
		char **nk, **nv;

		if (*p == '#' || *p == '\0')
			continue;
		if ((eq = strchr(p, '=')) == NULL)
			continue;
		*eq = '\0';
		k = trim(p);
		v = trim(eq + 1);
		nk = realloc(c->key, (c->n + 1) * sizeof(*nk));
		if (nk == NULL)
			goto fail;
		c->key = nk;
		nv = realloc(c->val, (c->n + 1) * sizeof(*nv));
		if (nv == NULL)
			goto fail;
		c->val = nv;
		c->key[c->n] = strdup(k);
		c->val[c->n] = strdup(v);
		c->n++;
		if (c->key[c->n - 1] == NULL || c->val[c->n - 1] == NULL)
			goto fail;
	}
	free(line);
	fclose(f);
	return c;
fail:
	free(line);
	fclose(f);
	config_free(c);
	errno = ENOMEM;
	return NULL;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->key[i]);
		free(c->val[i]);
	}
	free(c->key);
	free(c->val);
	free(c);
}

const char *
config_get(const struct config *c, const char *key, const char *def)
{
	/* The last line wins, so a site file can override the defaults above it. */
	for (size_t i = c ? c->n : 0; i > 0; i--)
		if (strcmp(c->key[i - 1], key) == 0)
			return c->val[i - 1];
	return def;
}

long
config_int(const struct config *c, const char *key, long def)
{
	const char *v = config_get(c, key, NULL);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end != '\0')
		return def;
	return n;
}
