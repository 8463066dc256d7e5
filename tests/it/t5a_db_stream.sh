#!/bin/sh
# t5a_db_stream.sh - lib's streamed query (db_stream) against the real server, run under valgrind: no leak, rows of any length whole.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -std=c11 -D_GNU_SOURCE -g -I"$TOP/lib" -o "$tmp/dbstream" "$TOP/tests/it/dbstream.c" "$TOP/build/libprepaid.a" \
	$(pkg-config --cflags --libs libmariadb libcrypto) || { echo "not ok - dbstream.c builds"; exit 1; }
PREPAID_CONF="$PREPAID_VAR/prepaid.conf" valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--error-exitcode=3 "$tmp/dbstream"
