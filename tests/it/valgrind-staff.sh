#!/bin/sh
# valgrind-staff.sh - staff.fcgi under valgrind behind the test nginx for a few hundred requests: no leak, no error.
set -eu
. "$TOP/tests/it/vg.sh"
port=$((PREPAID_PORT + 1001))
vg_start staff staff.fcgi "$PREPAID_VAR/prepaid.conf" "$port" /
BASE=http://127.0.0.1:$port /usr/bin/python3 "$TOP/tests/it/vg_load.py"
vg_stop
