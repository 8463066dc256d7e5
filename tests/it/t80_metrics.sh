#!/bin/sh
# t80_metrics.sh - /metrics answers Prometheus text to loopback only.
set -u
m=$(curl -s -w '\n%{http_code}' "$BASE/metrics")
code=$(echo "$m" | tail -n 1)
[ "$code" = 200 ] && echo "ok - /metrics answers 200 from 127.0.0.1" || echo "not ok - /metrics gave $code"
echo "$m" | grep -q '^prepaid_db_up 1$' && echo "ok - the database is up in /metrics" || echo "not ok - prepaid_db_up 1 missing"
n1=$(echo "$m" | sed -n 's/^prepaid_web_requests_total{code="2xx"} //p')
curl -s -o /dev/null "$BASE/login"
n2=$(curl -s "$BASE/metrics" | sed -n 's/^prepaid_web_requests_total{code="2xx"} //p')
[ -n "$n1" ] && [ "$n2" -gt "$n1" ] && echo "ok - the request counter counts ($n1 -> $n2) across workers" \
	|| echo "not ok - the request counter did not grow ($n1 -> $n2)"
echo "$m" | grep -q '^# TYPE prepaid_web_errors_total counter$' && echo "ok - metrics carry their TYPE lines" \
	|| echo "not ok - TYPE lines missing"
code=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$BASE/metrics")
[ "$code" = 403 ] && echo "ok - /metrics from another address (127.0.0.2) is refused" \
	|| echo "not ok - /metrics from 127.0.0.2 gave $code"
