#!/bin/sh
# tests/bench/mobile.sh - the student site's figures (called by tests/bench/run while its hello-world program runs):
# the sign-in page against hello-world, and M2 for a signed-in student on 200 connections.
# Prints "bench NAME VALUE UNIT limit LIMIT ratio R" lines. Needs TOP, BASE, PREPAID_VAR, HELLO_URL (the hello-world program, measured in turns with the sign-in page).
set -eu
cd "$TOP"
dur=${BENCH_SECONDS:-10}
conns=${BENCH_MOBILE_CONNS:-200}
msid=$(/usr/bin/python3 - <<'PY'
import os, re, sys
sys.path.insert(0, os.path.join(os.environ["TOP"], "tests", "it"))
from lib import Client, operator, db, db_value
c = operator(role=1)
# the first bench account (room 101 of building 1, opened by tests/bench/run), its student signed in
aid = db_value("SELECT a.id FROM accounts a JOIN rooms r ON r.id = a.room_id"
               " WHERE r.building_id = 1 AND r.number = '101' AND a.status = 'open'")
r = c.post(f"/account/student-password?account={aid}", {"confirm": "1"})
pw = re.search(r'id="new-password">([^<]+)<', r.text).group(1)
db(f"UPDATE student_logins SET privacy_agreed_at = UTC_TIMESTAMP() WHERE account_id = {aid}")  # the notice agreed
s = Client()
s.get("/m/login")
s.post("/m/login", {"building": "1", "room": "101", "password": pw})
s.get("/m/password?first=1")
s.post("/m/password", {"old": pw, "new": "Bench2pass!!", "confirm": "Bench2pass!!"})
r = s.get("/m/")
assert r.status == 200 and 'id="money"' in r.text, r.status
print([k.value for k in s.jar if k.name == "msid"][0])
PY
)
# wrk URL CONNS [header]: prints "rps p99ms non2xx"
measure() {
	if [ -n "${3:-}" ]; then
		wrk -t2 -c"$2" -d"${dur}s" --latency -H "$3" "$1"
	else
		wrk -t2 -c"$2" -d"${dur}s" --latency "$1"
	fi |
	awk '/Requests\/sec/ { rps = $2 } / 99%/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
		if (u == "us") v = v / 1000; else if (u == "s") v = v * 1000; p99 = v }
		/Non-2xx/ { bad = $NF }
		END { printf "%.0f %.1f %d\n", rps, p99, bad }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
# the sign-in page against hello-world in turns
. tests/bench/lib.sh
set -- $(pair "$HELLO_URL" "$BASE/m/login")
echo "bench mobile_login_page $3 req/s limit $1 ratio $(ratio "$3" "$1")"
echo "bench mobile_login_page_p99 $4 ms limit $2 ratio $(ratio "$4" "$2")"
home=$(measure "$BASE/m/" "$conns" "Cookie: msid=$msid")
set -- $home
# its limit: the statements one request of M2 runs (the session's included),
# with their values (tests/bench/lib.sh), each prepared once, on as many
# connections as the student site has workers
sleep 3
logged_request "$PREPAID_VAR/run/mobile.pid" '%FROM student_sessions s %' "$BASE/m/" "Cookie: msid=$msid" |
	# the log keeps the session's key as "?": it is the cookie's SHA-256
	awk -v h="$(printf '%s' "$msid" | sha256sum | cut -d' ' -f1)" '
		/^SELECT name, value FROM student_settings$/ { next }	# a new worker'"'"'s first read: kept after
		/token_hash = \?/ { print $0 "\ts:" h; next } { print }' \
	> "$PREPAID_VAR/tmp/mobile_home.sql"
if grep -v 'token_hash = ?' "$PREPAID_VAR/tmp/mobile_home.sql" | grep -q '?'; then
	echo "mobile.sh: a statement of M2 kept a parameter the bench cannot fill" >&2
	exit 1
fi
n=$(wc -l < "$PREPAID_VAR/tmp/mobile_home.sql")
w=${PREPAID_MOBILE_WORKERS:-2}
lim=$(REPORTLOOP_ACCOUNT=mobile "$TOP/build/reportloop" "$PREPAID_VAR/mobile.conf" sql "$w" "$dur" \
	"$PREPAID_VAR/tmp/mobile_home.sql")
set -- $home $lim
echo "bench mobile_home $1 req/s limit $4 ratio $(ratio "$1" "$4") ($conns connections, non-2xx $3; limit: its $n statements on $w connections, one per worker)"
echo "bench mobile_home_p99 $2 ms limit 50 ratio $(ratio 50 "$2") (goal < 50 ms; its statements alone: p99 $6 ms)"
