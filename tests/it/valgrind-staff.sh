#!/bin/sh
# valgrind-staff.sh - staff.fcgi under valgrind behind the test nginx for a few hundred requests: no leak, no error.
set -eu
var=$PREPAID_VAR
sock=$var/run/vg.sock
vlog=$TOP/tests/out/valgrind-staff.txt
mkdir -p "$TOP/tests/out"
rm -f "$sock" "$vlog"
PREPAID_CONF=$var/prepaid.conf spawn-fcgi -s "$sock" -P "$var/run/vg.pid" -- \
	/usr/bin/valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=3 --log-file="$vlog" \
	"$TOP/build/staff.fcgi" > /dev/null
cat > "$var/nginx-extra-vg.conf" <<CONF
server { listen 127.0.0.1:18089; location / { include /etc/nginx/fastcgi_params; fastcgi_pass unix:$sock; fastcgi_read_timeout 120s; } }
CONF
nginx -p "$var/nginx" -c "$var/nginx.conf" -s reload
sleep 1
BASE=http://127.0.0.1:18089 /usr/bin/python3 "$TOP/tests/it/vg_load.py"
pid=$(cat "$var/run/vg.pid")
kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 600 ] && { echo "not ok - staff.fcgi did not stop on SIGTERM"; exit 1; }
	sleep 0.1
done
rm -f "$var/nginx-extra-vg.conf"
nginx -p "$var/nginx" -c "$var/nginx.conf" -s reload
if [ -s "$vlog" ]; then
	echo "not ok - valgrind found errors or leaks in staff.fcgi (tests/out/valgrind-staff.txt)"
	head -60 "$vlog"
	exit 1
fi
echo "ok - staff.fcgi under valgrind: no error and no leak after the requests, and it stopped on SIGTERM"
