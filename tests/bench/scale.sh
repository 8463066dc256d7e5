#!/bin/sh
# tests/bench/scale.sh - 100,000 meters: collectors on one host read 3,334 simulated buses of 30 meters; cycle, readings/s and rows/s against the bare libmodbus loop and MariaDB's multi-row INSERT, each process's RSS and CPU.
# Prints "bench NAME VALUE UNIT limit LIMIT ratio R" lines. Its own instance under $SCALE_VAR
# (default var/bench-scale), nginx on $SCALE_PORT (default $BENCH_PORT: make bench has stopped its own instance by then). SCALE_COLLECTORS
# collectors (default 4) take disjoint runs of the gateways; SCALE_BUSES (3334) buses from port 20000.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export TOP="$top"
export PREPAID_VAR="${SCALE_VAR:-$top/var/bench-scale}"
export PREPAID_PORT="${SCALE_PORT:-${BENCH_PORT:-18088}}"
export PREPAID_PAYSIM_PORT="${PREPAID_PAYSIM_PORT:-$((PREPAID_PORT + 1))}"
export PREPAID_NO_METERS=1 PREPAID_NO_SITE=1
sh conf/prepaidctl stop > /dev/null 2>&1 || true
sh conf/prepaidctl start > "$PREPAID_VAR.start.log" 2>&1 || { echo "scale: the instance did not start: $PREPAID_VAR.start.log"; exit 1; }
if [ ! -x build/modbus-loop ] || [ tests/bench/modbus-loop.c -nt build/modbus-loop ]; then
	${CC:-cc} -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat-security -Wmissing-prototypes -O2 \
		-o build/modbus-loop tests/bench/modbus-loop.c $(pkg-config --cflags --libs libmodbus) -lpthread
fi
rc=0
/usr/bin/python3 tests/bench/scale.py || rc=$?
sh conf/prepaidctl stop > /dev/null
exit $rc
