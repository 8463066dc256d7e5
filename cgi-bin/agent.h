/* agent.h - a browser's User-Agent shortened for the lists of one's own sessions ("Chrome 120 · Windows"). */
#ifndef AGENT_H
#define AGENT_H

#include <stddef.h>

/* The browser and system named by UA, as "NAME VERSION · SYSTEM", into
 * BUF of SZ bytes; "" when neither is known. Returns BUF. */
const char *agent_short(const char *ua, char *buf, size_t sz);

#define AGENT_MAX 255	/* the longest stored: sessions.user_agent */
/* UA as stored: its printable ASCII only, at most AGENT_MAX bytes, into
 * OUT; "" for NULL. Returns OUT. */
char *agent_clip(const char *ua, char out[AGENT_MAX + 1]);

/* For each row PREFIX.N of the HDF, sets TO to the shortened FROM. */
struct _hdf;
void agent_col(struct _hdf *hdf, const char *prefix, const char *from,
    const char *to);

#endif
