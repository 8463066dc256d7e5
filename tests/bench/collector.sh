#!/bin/sh
# tests/bench/collector.sh - collector benches: a full wire-timed cycle vs the physical limit, readings/s vs a bare libmodbus loop, stored rows/s vs MariaDB's bulk insert.
# Prints "bench NAME VALUE UNIT limit LIMIT ratio R" lines. Uses the instance of $PREPAID_VAR if it runs, else its own.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export TOP="$top"
own=""
if [ -z "${PREPAID_VAR:-}" ] || [ ! -S "$PREPAID_VAR/run/mysqld.sock" ]; then
	export PREPAID_VAR="$top/var/bench-collector" PREPAID_PORT=18089
	export PREPAID_NO_METERS=1 PREPAID_NO_SITE=1
	sh conf/prepaidctl start > /dev/null
	own=1
fi
if [ ! -x build/modbus-loop ] || [ tests/bench/modbus-loop.c -nt build/modbus-loop ]; then
	${CC:-cc} -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat-security -Wmissing-prototypes -O2 \
		-o build/modbus-loop tests/bench/modbus-loop.c $(pkg-config --cflags --libs libmodbus) -lpthread
fi
rc=0
/usr/bin/python3 - <<'PY' || rc=$?
import os, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["TOP"], "tests", "collector"))
from clib import Collector, Sim, WORK, num, read_all, setup_db, site, sql, wait, VAR, DBNAME

BASE = 16100
setup_db()
rows, buses = [], []
for g in range(1, 5):
    for p in range(1, 5):
        port = BASE + 4 * (g - 1) + (p - 1)
        ms = [(a, 1000000 + g * 10000 + p * 100 + a, "ddsy1352nk") for a in range(1, 31)]
        if p == 1:
            ms.append((31, 1000000 + g * 10000 + p * 100 + 31, "energy"))
        buses.append((g, p, f"tcp://127.0.0.1:{port}", ms))
        rows += [(port, a, n, prof) for a, n, prof in ms]
site(buses, room=False)


def ratio(a, b):
    return f"{a / b:.3f}" if b else "0"


def cycle_ms():
    """A full cycle on request; the collector's own figure (reads and database writes)."""
    read_all(60)
    time.sleep(2.6)  # the figures are refreshed every 2 s
    return num("SELECT value FROM collector_status WHERE name = 'cycle_ms'")


# 1. Wire time at 9600 8E1: the slowest bus (30 realtime reads and a master meter) is the limit.
sim = Sim("bench-wire", rows, ["--no-load", "--wire"])
co = Collector("bench")
wait(lambda: num("SELECT COUNT(DISTINCT meter_id) FROM readings") == 484, 60)
ms = min(cycle_ms() for _ in range(2))
char = 11 / 9600.0
limit = 30 * ((8 + 101) * char + 7 * char + 0.020) + ((8 + 41) * char + 7 * char + 0.020)
print(f"bench collector_cycle_wire {ms / 1000:.3f} s limit {limit:.3f} ratio {ratio(ms / 1000, limit)}"
      f" (484 meters, 16 buses, 9600 8E1)", flush=True)
co.stop()
sim.stop()

# 2. Without emulation: readings per second through the collector vs a bare libmodbus loop.
sim = Sim("bench-fast", rows, ["--no-load"])
co = Collector("bench")
read_all(30)
best = min(cycle_ms() for _ in range(3))
coll = 484 * 1000.0 / max(best, 1)
out = subprocess.run([os.path.join(os.environ["TOP"], "build", "modbus-loop"), str(BASE), "16", "30", "20"],
                     capture_output=True, text=True).stdout.split()
loop = float(out[0]) if out else 0
print(f"bench collector_readings {coll:.0f} readings/s limit {loop:.0f} ratio {ratio(coll, loop)}"
      f" (a full cycle in {best} ms incl. database writes; bare loop: 16 threads, no database)", flush=True)

# 3. Stored rows per second: the collector's batch writes vs MariaDB's own multi-row INSERT.
us = num("SELECT value FROM collector_status WHERE name = 'store_us'")
n = num("SELECT value FROM collector_status WHERE name = 'store_rows'")
stored = n / (us / 1e6) if us else 0
co.stop()
sim.stop()
ids = [r[0] for r in sql("SELECT id FROM meters ORDER BY id")]
path = os.path.join(WORK, "bulk.sql")
with open(path, "w") as f:
    for k in range(20):
        vals = ",".join(f"({m},NOW(3),NOW(),{k * 100 + i},1,2,3,4,{5000 + i},{k},8192,2200,100,220,950,5000)"
                        for i, m in enumerate(ids))
        f.write("INSERT INTO readings (meter_id, read_at, meter_clock, energy, e_spike, e_peak, e_flat, e_valley,"
                " remaining_fen, purchase_count, status_word, voltage_dv, current_ca, power_w, pf_milli, freq_chz)"
                f" VALUES {vals};\n")
t = time.time()
subprocess.run(["mariadb", f"--defaults-file={VAR}/my.cnf", "-uroot", DBNAME], stdin=open(path), check=True)
bulk = 20 * len(ids) / (time.time() - t)
print(f"bench collector_store {stored:.0f} rows/s limit {bulk:.0f} ratio {ratio(stored, bulk)}"
      f" (the collector: readings + meter state + daily energy + bus health per bus, 16 buses at once;"
      f" limit: 484-row INSERTs into readings)", flush=True)
PY
[ -n "$own" ] && sh conf/prepaidctl stop > /dev/null
exit $rc
