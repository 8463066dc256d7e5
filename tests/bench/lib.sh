# tests/bench/lib.sh - sourced by make bench's scripts: a page against its
# limit in turns, and the statements of one logged request.

# A page against its limit in turns, so that a noisy machine's slow minute
# falls on both.
# pair LIMIT_URL PAGE_URL [HEADER]: three turns of limit then page, each a
# third of $dur on 20 connections; prints "limit_rps limit_p99 page_rps
# page_p99 page_non2xx", the rates over all turns and the median turn's p99
pair() {
	t=$(( (${dur:-10} + 2) / 3 ))
	for turn in 1 2 3; do
		for u in "$1" "$2"; do
			if [ -n "${3:-}" ]; then
				wrk -t2 -c20 -d"${t}s" --latency -H "$3" "$u"
			else
				wrk -t2 -c20 -d"${t}s" --latency "$u"
			fi | awk -v u="$u" -v lim="$1" '/requests in/ { n = $1; s = $4; sub(/s,?$/, "", s) }
				/ 99%/ { v = $2; x = v; sub(/[0-9.]+/, "", x); sub(/[a-z]+$/, "", v)
					if (x == "us") v = v / 1000; else if (x == "s") v = v * 1000; p = v }
				/Non-2xx/ { bad = $NF }
				END { printf "%s %d %s %s %d\n", (u == lim ? "L" : "P"), n, s, p, bad }'
		done
	done | awk '{ n[$1] += $2; s[$1] += $3; bad[$1] += $5; p[$1, ++k[$1]] = $4 }
		function med(w,  a, b, c) { a = p[w, 1]; b = p[w, 2]; c = p[w, 3]
			if ((a <= b && b <= c) || (c <= b && b <= a)) return b
			if ((b <= a && a <= c) || (c <= a && a <= b)) return a
			return c }
		END { printf "%.0f %.1f %.0f %.1f %d\n", n["L"] / s["L"], med("L"), n["P"] / s["P"], med("P"), bad["P"] }'
}

# logged_request PIDFILE SESSION_LIKE URL HEADER: the statements one request
# to URL runs, as MariaDB's general log shows them, from its session's
# look-up (a statement LIKE SESSION_LIKE) on. The workers of PIDFILE start
# again with the log on, as the server writes a statement's values into the
# log only when it was prepared while the log was on (the supervisor brings
# them back); twelve requests, so that the last worker's first reads are
# done, and only the last is kept (wrk's queued requests of a run just
# ended may still come first)
logged_request() {
	my="mariadb --defaults-file=$PREPAID_VAR/my.cnf -uroot"
	$my -e "SET GLOBAL log_output = 'TABLE'; TRUNCATE mysql.general_log; SET GLOBAL general_log = 1"
	pkill -TERM -P "$(cat "$1")" 2>/dev/null || true
	sleep 2
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do curl -s -o /dev/null -H "$4" "$3"; done
	$my -e "SET GLOBAL general_log = 0"
	$my -N -B -e "SELECT g.argument FROM mysql.general_log g,
		(SELECT thread_id AS t, MAX(event_time) AS at FROM mysql.general_log WHERE command_type = 'Execute'
		AND argument LIKE '$2' GROUP BY thread_id ORDER BY at DESC LIMIT 1) l
		WHERE g.command_type = 'Execute' AND g.thread_id = l.t AND g.event_time >= l.at ORDER BY g.event_time"
}
