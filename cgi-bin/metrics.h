/* metrics.h - request counters shared by all worker processes, for /metrics. */
#ifndef METRICS_H
#define METRICS_H

#include <fcgiapp.h>

/* Maps FILE (created if need be) so that every worker adds to one set of
 * counters; with FILE NULL the counters are this process's own. */
int metrics_open(const char *file);
void metrics_close(void);
/* Counts one request answered with STATUS. */
void metrics_count(int status);
struct db;

/* Writes the whole /metrics response in Prometheus text format, with the
 * collector's figures from the database. */
void metrics_write(FCGX_Stream *out, struct db *);

#endif
