#!/bin/sh
# hardening.sh - every program the site runs is built with Debian's hardening: PIE, full RELRO (BIND_NOW), the stack protector and fortified libc calls.
top=$(cd "$(dirname "$0")/../.." && pwd)
fails=0
for p in staff.fcgi mobile.fcgi prepaid-admin collector; do
	f=$top/build/$p
	h=$(readelf -hd "$f" 2>/dev/null)
	s=$(nm -D "$f" 2>/dev/null)
	if echo "$h" | grep -q 'Position-Independent Executable' && echo "$h" | grep -q 'BIND_NOW' &&
		readelf -l "$f" 2>/dev/null | grep -q GNU_RELRO; then
		echo "ok - $p: PIE with full RELRO"
	else
		echo "not ok - $p: PIE with full RELRO"; fails=1
	fi
	if echo "$s" | grep -q '__stack_chk_fail' && echo "$s" | grep -q '__[a-z]*_chk'; then
		echo "ok - $p: stack protector and fortified calls ($(echo "$s" | grep -c '_chk@') checked functions)"
	else
		echo "not ok - $p: stack protector and fortified calls"; fails=1
	fi
done
exit $fails
