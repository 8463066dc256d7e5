# vg.sh - sourced by the valgrind tests: a FastCGI program under valgrind behind the test nginx on a port
# of its own, then stopped by SIGTERM and its valgrind log judged. Needs PREPAID_VAR and TOP.

# vg_start NAME PROGRAM CONF PORT LOCATION: NAME.fcgi (build/PROGRAM) with CONF, served at
# http://127.0.0.1:PORT under LOCATION; its log in tests/out/valgrind-NAME.txt.
vg_start() {
	vg_name=$1
	vg_sock=$PREPAID_VAR/run/vg-$1.sock
	vg_log=$TOP/tests/out/valgrind-$1.txt
	mkdir -p "$TOP/tests/out"
	rm -f "$vg_sock" "$vg_log"
	PREPAID_CONF=$3 spawn-fcgi -s "$vg_sock" -P "$PREPAID_VAR/run/vg-$1.pid" -- \
		/usr/bin/valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=3 --log-file="$vg_log" \
		"$TOP/build/$2" > /dev/null
	cat > "$PREPAID_VAR/nginx-extra-vg-$1.conf" <<CONF
server { listen 127.0.0.1:$4; location $5 { include /etc/nginx/fastcgi_params; fastcgi_pass unix:$vg_sock; fastcgi_read_timeout 120s; } }
CONF
	nginx -p "$PREPAID_VAR/nginx" -c "$PREPAID_VAR/nginx.conf" -s reload
	sleep 1
}

# vg_stop: SIGTERM, wait for the end, take the server away, and say whether valgrind found anything.
vg_stop() {
	pid=$(cat "$PREPAID_VAR/run/vg-$vg_name.pid")
	kill -TERM "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 600 ] && { echo "not ok - $vg_name.fcgi did not stop on SIGTERM"; exit 1; }
		sleep 0.1
	done
	rm -f "$PREPAID_VAR/nginx-extra-vg-$vg_name.conf"
	nginx -p "$PREPAID_VAR/nginx" -c "$PREPAID_VAR/nginx.conf" -s reload
	if [ -s "$vg_log" ]; then
		echo "not ok - valgrind found errors or leaks in $vg_name.fcgi (tests/out/valgrind-$vg_name.txt)"
		head -60 "$vg_log"
		exit 1
	fi
	echo "ok - $vg_name.fcgi under valgrind: no error and no leak after the requests, and it stopped on SIGTERM"
}
