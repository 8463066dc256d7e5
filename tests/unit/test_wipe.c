/* test_wipe.c - unit test of the web kit's form_wipe (ASVS 8.3.6): a request's password values are zeros in place, other fields kept. */
#include <stdio.h>
#include <string.h>

#include "web.h"

static int passed, failed;

static void
check(int cond, const char *what)
{
	if (cond)
		passed++;
	else
		failed++;
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
}

/* Whether the N bytes at P are all zero. */
static int
zeros(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\0')
			return 0;
	return 1;
}

static const struct field fields[] = {
	{ "login", FT_TEXT, 1, 0, 32, NULL },
	{ "password", FT_PASSWORD, 1, 0, 0, NULL },
	{ "old", FT_PASSWORD, 1, 0, 0, NULL },
	{ "absent", FT_PASSWORD, 0, 0, 0, NULL },
};

int
main(void)
{
	struct req r;
	const char *pw, *c0, *c1, *login;
	size_t npw;

	memset(&r, 0, sizeof(r));
	if (hdf_init(&r.hdf) != STATUS_OK)
		return 2;
	hdf_set_value(r.hdf, "Query.login", "operator1");
	hdf_set_value(r.hdf, "Query.password", "Wipe-Me-1234 密码");
	/* a name sent twice: ClearSilver keeps each value as a child */
	hdf_set_value(r.hdf, "Query.old", "second-Sent-9");
	hdf_set_value(r.hdf, "Query.old.0", "first-Sent-8");
	hdf_set_value(r.hdf, "Query.old.1", "second-Sent-9");
	pw = hdf_get_value(r.hdf, "Query.password", NULL);
	npw = strlen(pw);
	c0 = hdf_get_value(r.hdf, "Query.old.0", NULL);
	c1 = hdf_get_value(r.hdf, "Query.old.1", NULL);
	login = hdf_get_value(r.hdf, "Query.login", NULL);

	form_wipe(&r, fields, sizeof(fields) / sizeof(fields[0]));

	check(zeros(pw, npw), "form_wipe: the password's bytes are zeros where they were");
	check(hdf_get_value(r.hdf, "Query.password", NULL) == pw &&
	    strcmp(hdf_get_value(r.hdf, "Query.password", "x"), "") == 0,
	    "form_wipe: the same HDF value, now empty (not a new copy)");
	check(zeros(c0, strlen("first-Sent-8")) &&
	    zeros(c1, strlen("second-Sent-9")),
	    "form_wipe: each value of a password name sent twice is zeros");
	check(strcmp(hdf_get_value(r.hdf, "Query.old", "x"), "") == 0,
	    "form_wipe: the last value of the name sent twice is empty");
	check(hdf_get_value(r.hdf, "Query.login", NULL) == login &&
	    strcmp(login, "operator1") == 0,
	    "form_wipe: a field that is not a password is kept as typed");
	check(hdf_get_value(r.hdf, "Query.absent", NULL) == NULL,
	    "form_wipe: a password field not sent is left alone");
	hdf_destroy(&r.hdf);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
