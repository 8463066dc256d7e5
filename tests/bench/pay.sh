#!/bin/sh
# tests/bench/pay.sh - pay_notify: verified Alipay notices credited per second through nginx and pay.fcgi (distinct orders, 20 clients) against the same verification and credit alone in a C loop; then every benched order credited exactly once.
# Prints "bench NAME VALUE UNIT limit LIMIT ratio R" lines. Needs TOP, BASE, PREPAID_VAR, ACCOUNTS ("{account,meter},...").
set -eu
cd "$TOP"
var=$PREPAID_VAR
dur=${BENCH_SECONDS:-10}
conns=20
root="mariadb --defaults-file=$var/my.cnf -uroot prepaid"
app=$(sed -n 's/^alipay_app_id = //p' "$var/pay.conf")
seller=$(sed -n 's/^alipay_seller_id = //p' "$var/pay.conf")
acc=$(echo "$ACCOUNTS" | tr -d '{' | sed 's/},\?/ /g; s/,/:/g; s/ $//; s/ /,/g')
d=$var/tmp/pay
mkdir -p "$d"
# the orders and their notices, signed beforehand with the sandbox gateway's
# key: more than either side can take in the time (each notice sent once)
web_n=${BENCH_PAY_WEB:-$((dur * 600))}
lim_n=${BENCH_PAY_LOOP:-$((dur * 1500))}
"$TOP/build/paynotify" gen "$var/pay/alipay-sandbox.key" "$app" "$seller" "$web_n" "$acc" \
	"$d/web.sql" "$d/web.txt"
"$TOP/build/paynotify" gen "$var/pay/alipay-sandbox.key" "$app" "$seller" "$lim_n" "$acc" \
	"$d/loop.sql" "$d/loop.txt"
"$TOP/build/paynotify" gen "$var/pay/alipay-sandbox.key" "$app" "$seller" "$web_n" "$acc" \
	"$d/loop2.sql" "$d/loop2.txt"
for f in web loop loop2; do $root < "$d/$f.sql"; done
# BENCH_PAY_WORKERS=N: pay.fcgi started again with N workers (conf/prepaidctl starts PREPAID_PAY_WORKERS, 8)
w=${PREPAID_PAY_WORKERS:-8}
if [ -n "${BENCH_PAY_WORKERS:-}" ]; then
	w=$BENCH_PAY_WORKERS
	kill "$(cat "$var/run/pay.pid")"
	sleep 1
	rm -f "$var/run/pay.sock"
	PREPAID_CONF=$var/pay.conf spawn-fcgi -s "$var/run/pay.sock" -M 0660 -P "$var/run/pay.pid" -- \
		"$TOP/build/pay.fcgi" -w "$w" > /dev/null
	sleep 1
fi
# wrk: each thread sends its own share of the notices, each once, and
# stops when its share is used up
cat > "$d/notify.lua" <<LUA
local bodies, n, count, threads = {}, 0, 0, {}
function setup(thread) count = count + 1; thread:set("tid", count); table.insert(threads, thread) end
function init(args)
	local i = 0
	bad = 0
	for line in io.lines("$d/web.txt") do
		if i % 2 == tid - 1 then bodies[#bodies + 1] = line end
		i = i + 1
	end
end
function request()
	n = n + 1
	if n > #bodies then
		-- used up (the figure is then too low): a request that is no notice
		wrk.thread:stop()
		return wrk.format("GET", "/m/pay/alipay/notify")
	end
	return wrk.format("POST", "/m/pay/alipay/notify",
		{ ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" }, bodies[n])
end
function response(status, headers, body)
	if status ~= 200 or body ~= "success" then bad = bad + 1 end
end
function done(summary, latency, requests)
	local b = 0
	for _, t in ipairs(threads) do b = b + t:get("bad") end
	io.write(string.format("NOT_SUCCESS %d\n", b))
end
LUA
wrk -t2 -c$conns -d"${dur}s" --latency -s "$d/notify.lua" "$BASE/" > "$d/wrk.out" 2>&1
web=$(awk '/Requests\/sec/ { rps = $2 } / 99%/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
	if (u == "us") v = v / 1000; else if (u == "s") v = v * 1000; p99 = v }
	/^NOT_SUCCESS/ { bad = $2 } / requests in / { n = $1 }
	END { printf "%.0f %.1f %d %d\n", rps, p99, bad, n }' "$d/wrk.out")
# the limit: pay_notice_take over the other orders on as many connections
loop=$("$TOP/build/paynotify" run "$var/pay.conf" $conns "$dur" "$d/loop.txt")
# and on as many connections as pay.fcgi has workers
loop2=$("$TOP/build/paynotify" run "$var/pay.conf" $w "$dur" "$d/loop2.txt")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
set -- $web $loop
bad=$(($3 + $9))
echo "bench pay_notify $1 notice/s limit $5 ratio $(ratio "$1" "$5") ($4 notices on $conns connections, not success $3; limit: pay_notice_take alone on $conns connections, $8 notices, p50 $6 ms)"
echo "bench pay_notify_p99 $2 ms limit $7 ratio $(ratio "$7" "$2")"
set -- $web $loop2
echo "bench pay_notify_vs_workers $1 notice/s limit $5 ratio $(ratio "$1" "$5") (limit: pay_notice_take alone on $w connections, one per pay.fcgi worker, $8 notices, p50 $6 ms)"
bad=$((bad + $9))
# exactly once: every order that had its notice is credited with one entry
# and one token; none twice; no entry without its order; the students'
# money up by exactly the orders credited
sent=$($root -N -e "SELECT COUNT(DISTINCT out_trade_no) FROM pay_notices WHERE channel = 'alipay'")
notices=$($root -N -e "SELECT COUNT(*) FROM pay_notices WHERE channel = 'alipay'")
check=$($root -N -e "SELECT
	(SELECT COUNT(*) FROM pay_orders o WHERE EXISTS (SELECT 1 FROM pay_notices n
		WHERE n.out_trade_no = o.out_trade_no) AND NOT (o.state = 'credited' AND
		(SELECT COUNT(*) FROM ledger l WHERE l.idem_key = CONCAT('alipay:', o.out_trade_no)) = 1
		AND (SELECT COUNT(*) FROM ledger l JOIN commands c ON c.id = l.command_id
		WHERE l.id = o.ledger_id AND c.kind = 'credit' AND c.amount_fen = o.amount_fen) = 1)),
	(SELECT COUNT(*) FROM pay_orders o WHERE o.state <> 'created' AND NOT EXISTS
		(SELECT 1 FROM pay_notices n WHERE n.out_trade_no = o.out_trade_no)),
	(SELECT COUNT(*) FROM ledger l WHERE l.kind = 'online' AND NOT EXISTS (SELECT 1 FROM pay_orders o
		WHERE o.ledger_id = l.id AND o.state = 'credited')),
	(SELECT COUNT(*) FROM pay_notices WHERE outcome IS NULL OR outcome <> 'credited'),
	(SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE kind = 'online'),
	(SELECT COALESCE(SUM(amount_fen), 0) FROM pay_orders WHERE state = 'credited')")
set -- $check
if [ "$1$2$3$4" = 0000 ] && [ "$5" = "$6" ] && [ "$sent" = "$notices" ] && [ "$bad" = 0 ]; then
	echo "bench pay_notify_once $sent orders - limit - ratio - (each credited exactly once: one entry, one token; online entries $5 fen = the orders credited)"
else
	echo "bench pay_notify_once FAILED: $1 orders with a notice not credited exactly once, $2 orders moved without a notice," \
		"$3 online entries without their order, $4 notices not credited, entries $5 fen against orders $6 fen," \
		"$notices notices for $sent orders, $bad answers not success" >&2
	exit 1
fi
