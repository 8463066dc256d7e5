#!/bin/sh
# run.sh - the browser tests of the staff console and the student site (tests/run calls it with BASE, PREPAID_VAR, TOP).
# Installs playwright-core (no browser download: Debian's /usr/bin/chromium is used) on first use.
set -eu
cd "$(dirname "$0")"
if [ ! -d node_modules/playwright-core ]; then
	if [ -f package-lock.json ]; then
		npm ci --no-audit --no-fund >&2
	else
		npm install --no-audit --no-fund >&2
	fi
fi
# the scripts run, each prints its checks
rc=0
node console.mjs || rc=1
node money.mjs || rc=1
node look.mjs || rc=1
node reports.mjs || rc=1
node mobile.mjs || rc=1
node pay.mjs || rc=1
node mobile-code.mjs || rc=1
node showpw.mjs || rc=1
exit $rc
