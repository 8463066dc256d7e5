#!/bin/sh
# t70_backup.sh - a dump made with mariadb-dump --single-transaction restores into an empty server with every row.
set -eu
var=$PREPAID_VAR
r=$var/restore
dump=$var/backup.sql
rm -rf "$r"
mkdir -p "$r/db"
mariadb-dump --defaults-file="$var/my.cnf" -uroot --single-transaction --routines --triggers \
	--databases prepaid > "$dump"
echo "ok - mariadb-dump --single-transaction wrote $(wc -c < "$dump") bytes"
cat > "$r/my.cnf" <<CNF
[mysqld]
datadir=$r/db
socket=$r/mysqld.sock
pid-file=$r/mariadb.pid
skip-networking
log-error=$r/mariadb.err
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
default-time-zone=+00:00
[client]
socket=$r/mysqld.sock
CNF
mariadb-install-db --defaults-file="$r/my.cnf" --user="$(id -un)" --auth-root-authentication-method=socket \
	--skip-test-db > "$r/install.log" 2>&1
setsid mariadbd --defaults-file="$r/my.cnf" --user="$(id -un)" > /dev/null 2>&1 < /dev/null &
i=0
until mariadb --defaults-file="$r/my.cnf" -uroot -e 'SELECT 1' > /dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 300 ] && { echo "not ok - the empty server did not start"; exit 1; }
	sleep 0.1
done
n=$(mariadb --defaults-file="$r/my.cnf" -uroot -N -e "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'prepaid'")
[ "$n" = 0 ] && echo "ok - the new server is empty" || echo "not ok - the new server is not empty"
mariadb --defaults-file="$r/my.cnf" -uroot < "$dump"
echo "ok - the dump restores without error"
fails=0
for t in $(mariadb --defaults-file="$var/my.cnf" -uroot -N prepaid -e "SHOW TABLES"); do
	a=$(mariadb --defaults-file="$var/my.cnf" -uroot -N prepaid -e "SELECT COUNT(*) FROM \`$t\`")
	b=$(mariadb --defaults-file="$r/my.cnf" -uroot -N prepaid -e "SELECT COUNT(*) FROM \`$t\`")
	ca=$(mariadb --defaults-file="$var/my.cnf" -uroot -N prepaid -e "CHECKSUM TABLE \`$t\`" | cut -f2)
	cb=$(mariadb --defaults-file="$r/my.cnf" -uroot -N prepaid -e "CHECKSUM TABLE \`$t\`" | cut -f2)
	if [ "$a" = "$b" ] && [ "$ca" = "$cb" ]; then
		echo "ok - table $t: $a rows, same checksum after restore"
	else
		echo "not ok - table $t: $a rows / $ca before, $b rows / $cb after"
		fails=1
	fi
done
# The accounts are not in the dump: migrate.sh makes them again and applies nothing twice.
out=$(sh "$TOP/sql/migrate.sh" prepaid "$var" -- --defaults-file="$r/my.cnf" -uroot 2>&1)
if [ -z "$out" ]; then echo "ok - migrate.sh on the restored server re-creates the accounts and applies no migration again"
else echo "not ok - migrate.sh on the restored server: $out"; fails=1; fi
kill "$(cat "$r/mariadb.pid")"
while [ -f "$r/mariadb.pid" ] && kill -0 "$(cat "$r/mariadb.pid")" 2>/dev/null; do sleep 0.1; done
rm -rf "$r" "$dump"
exit $fails
