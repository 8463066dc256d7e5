/* page-metrics.c - /metrics: the request counters and the collector's figures in Prometheus text (nginx lets only loopback in). */
#include "metrics.h"
#include "pages.h"

int
page_metrics(struct req *r)
{
	metrics_write(r->out, r->db);
	r->done = 1;
	return 0;
}
