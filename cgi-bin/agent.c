/* agent.c - a browser's User-Agent shortened for the lists of one's own sessions. */
#include <stdio.h>
#include <string.h>

#include <ClearSilver.h>

#include "agent.h"

/* The products to look for, most specific first (Edge and WeChat also
 * say Chrome and Safari); the version follows "TOKEN/". */
static const struct { const char *token, *name; } browsers[] = {
	{ "MicroMessenger/", "WeChat" }, { "AlipayClient/", "Alipay" },
	{ "Edg/", "Edge" }, { "OPR/", "Opera" }, { "Firefox/", "Firefox" },
	{ "Chrome/", "Chrome" }, { "CriOS/", "Chrome" }, { "Version/", "Safari" },
	{ "curl/", "curl" }, { "Python-urllib/", "Python" },
};
static const struct { const char *token, *name; } systems[] = {
	{ "Android", "Android" }, { "iPhone", "iPhone" }, { "iPad", "iPad" },
	{ "Windows", "Windows" }, { "Mac OS X", "macOS" }, { "CrOS", "ChromeOS" },
	{ "Linux", "Linux" },
};

const char *
agent_short(const char *ua, char *buf, size_t sz)
{
	const char *b = NULL, *s = NULL, *at = NULL;
	size_t nb = sizeof(browsers) / sizeof(browsers[0]);
	size_t ns = sizeof(systems) / sizeof(systems[0]);
	size_t v = 0;

	buf[0] = '\0';
	if (ua == NULL)
		return buf;
	for (size_t i = 0; i < nb && b == NULL; i++)
		if ((at = strstr(ua, browsers[i].token)) != NULL) {
			b = browsers[i].name;
			at += strlen(browsers[i].token);
			v = strspn(at, "0123456789");	/* the major version */
			if (v > 4)
				v = 4;
		}
	for (size_t i = 0; i < ns && s == NULL; i++)
		if (strstr(ua, systems[i].token) != NULL)
			s = systems[i].name;
	snprintf(buf, sz, "%s%s%.*s%s%s", b ? b : "", b && v ? " " : "",
	    b ? (int)v : 0, b ? at : "", b && s ? " · " : "", s ? s : "");
	return buf;
}

char *
agent_clip(const char *ua, char out[AGENT_MAX + 1])
{
	size_t n = 0;

	for (; ua != NULL && *ua != '\0' && n < AGENT_MAX; ua++)
		if (*ua >= 0x20 && *ua < 0x7f)
			out[n++] = *ua;
	out[n] = '\0';
	return out;
}

void
agent_col(HDF *hdf, const char *prefix, const char *from, const char *to)
{
	char buf[64];

	for (HDF *h = hdf_get_child(hdf, prefix); h; h = hdf_obj_next(h))
		hdf_set_value(h, to, agent_short(hdf_get_value(h, from, ""),
		    buf, sizeof(buf)));
}
