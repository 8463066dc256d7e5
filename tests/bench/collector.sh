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
#    The reads of a cycle (the slowest bus's) against the loop's, which
#    writes nothing; the cycle's database writes are the next figure's.
sim = Sim("bench-fast", rows, ["--no-load"])
co = Collector("bench")
read_all(30)
samples = []
for _ in range(3):
    full = cycle_ms()
    samples.append((num("SELECT value FROM collector_status WHERE name = 'read_us'"), full,
                    num("SELECT value FROM collector_status WHERE name = 'store_us'"),
                    num("SELECT value FROM collector_status WHERE name = 'store_rows'")))
read_us, full, us, n = min(samples)
coll = 484 * 1e6 / max(read_us, 1)
out = subprocess.run([os.path.join(os.environ["TOP"], "build", "modbus-loop"), str(BASE), "16", "30", "20"],
                     capture_output=True, text=True).stdout.split()
loop = float(out[0]) if out else 0
print(f"bench collector_readings {coll:.0f} readings/s limit {loop:.0f} ratio {ratio(coll, loop)}"
      f" (a cycle's reads in {read_us / 1000:.1f} ms, the slowest of 16 buses; with its database writes"
      f" the cycle took {full} ms; bare loop: 16 threads, no database)", flush=True)

# 3. Stored rows per second: the collector's writes of a cycle (16 buses at
#    once, one transaction each: readings, meter state, day rows and their
#    use, bus health) vs the same rows written by MariaDB's own multi-row
#    INSERTs, one transaction per bus, 16 clients at once.
stored = n / (us / 1e6) if us else 0
co.stop()
sim.stop()
by_bus = {}
for bus, m in sql("SELECT bus_id, id FROM meters ORDER BY bus_id, id"):
    by_bus.setdefault(bus, []).append(m)
K = 20
t0 = int(time.time()) - 86400
files = []
for bus, ms in by_bus.items():
    path = os.path.join(WORK, f"bulk-{bus}.sql")
    with open(path, "w") as f:
        for k in range(K):
            at = f"FROM_UNIXTIME({t0 + k})"
            f.write("START TRANSACTION;\n")
            f.write("INSERT INTO readings (meter_id, read_at, meter_clock, energy, e_spike, e_peak, e_flat,"
                    " e_valley, remaining_fen, purchase_count, status_word, voltage_dv, current_ca, power_w,"
                    " pf_milli, freq_chz, bad_tokens) VALUES "
                    + ",".join(f"({m},{at},{at},{k * 100 + i},1,2,3,4,{5000 + i},{k},8192,2200,100,220,950,5000,0)"
                               for i, m in enumerate(ms)) + ";\n")
            f.write("INSERT INTO meter_state (meter_id, read_at, energy, remaining_fen, purchase_count,"
                    " status_word, relay_closed, power_w, lost, lost_since, fail_streak, reads_ok,"
                    " latency_ms_sum, last_error, bad_tokens) VALUES "
                    + ",".join(f"({m},{at},{k * 100 + i},{5000 + i},{k},8192,0,220,0,NULL,0,1,5,'',0)"
                               for i, m in enumerate(ms))
                    + " ON DUPLICATE KEY UPDATE read_at = VALUES(read_at), energy = VALUES(energy),"
                    " remaining_fen = VALUES(remaining_fen), purchase_count = VALUES(purchase_count),"
                    " status_word = VALUES(status_word), relay_closed = VALUES(relay_closed),"
                    " power_w = VALUES(power_w), lost = 0, lost_since = NULL, fail_streak = 0,"
                    " reads_ok = reads_ok + 1, latency_ms_sum = latency_ms_sum + VALUES(latency_ms_sum),"
                    " last_error = '', bad_tokens = VALUES(bad_tokens);\n")
            f.write("INSERT INTO daily_energy (meter_id, day, first_energy, last_energy, used) VALUES "
                    + ",".join(f"({m},CURDATE(),{i},{k * 100 + i},{k * 100})" for i, m in enumerate(ms))
                    + " ON DUPLICATE KEY UPDATE last_energy = VALUES(last_energy), used = VALUES(used);\n")
            f.write(f"INSERT INTO bus_health (bus_id, reads_ok, latency_ms_sum, last_cycle_at, last_cycle_ms)"
                    f" VALUES ({bus},{len(ms)},{5 * len(ms)},NOW(3),5) ON DUPLICATE KEY UPDATE"
                    f" reads_ok = reads_ok + VALUES(reads_ok), latency_ms_sum = latency_ms_sum +"
                    f" VALUES(latency_ms_sum), last_cycle_at = VALUES(last_cycle_at),"
                    f" last_cycle_ms = VALUES(last_cycle_ms);\n")
            f.write("COMMIT;\n")
    files.append(path)
t = time.time()
procs = [subprocess.Popen(["mariadb", f"--defaults-file={VAR}/my.cnf", "-uroot", DBNAME], stdin=open(p))
         for p in files]
bad = sum(p.wait() != 0 for p in procs)
bulk = K * sum(len(ms) for ms in by_bus.values()) / (time.time() - t) if not bad else 0
print(f"bench collector_store {stored:.0f} rows/s limit {bulk:.0f} ratio {ratio(stored, bulk)}"
      f" (the collector: {n} readings with their meter state, day rows and their use, and bus health,"
      f" 16 buses at once, in {us / 1000:.1f} ms; limit: the same rows by multi-row INSERTs, one"
      f" transaction per bus, 16 clients at once)", flush=True)
PY
[ -n "$own" ] && sh conf/prepaidctl stop > /dev/null
exit $rc
