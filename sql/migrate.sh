#!/bin/sh
# migrate.sh - applies sql/NNN_*.sql not yet recorded in schema_version, then grants.sql.
# Usage: migrate.sh DATABASE SECRETS_DIR -- MARIADB-CLIENT-ARGS...
# SECRETS_DIR holds staff.password (and later other accounts' passwords).
set -eu
db=$1; secrets=$2; shift 3
dir=$(cd "$(dirname "$0")" && pwd)
mariadb "$@" -e "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
mariadb "$@" "$db" -e "CREATE TABLE IF NOT EXISTS schema_version (
  version INT NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL,
  applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB"
for f in "$dir"/[0-9][0-9][0-9]_*.sql; do
	base=$(basename "$f" .sql)
	v=$(echo "$base" | sed 's/_.*//; s/^0*//')
	done_=$(mariadb "$@" -N "$db" -e "SELECT COUNT(*) FROM schema_version WHERE version=$v")
	[ "$done_" = 1 ] && continue
	echo "migrate: applying $base"
	mariadb "$@" "$db" < "$f"
	mariadb "$@" "$db" -e "INSERT INTO schema_version (version, name) VALUES ($v, '$base')"
done
for acct in staff collector mobile pay; do
	if [ -f "$secrets/$acct.password" ]; then
		eval "pw_$acct=\$(cat \"\$secrets/\$acct.password\")"
	else
		eval "pw_$acct=''"
	fi
done
# shellcheck disable=SC2154
sed -e "s/@STAFF_PASSWORD@/$pw_staff/g" -e "s/@COLLECTOR_PASSWORD@/$pw_collector/g" \
    -e "s/@MOBILE_PASSWORD@/$pw_mobile/g" -e "s/@PAY_PASSWORD@/$pw_pay/g" "$dir/grants.sql" | mariadb "$@" "$db"
