"""scale.py - the 100,000-meter bench (tests/bench/scale.sh): the scale site, its simulator, collectors with disjoint gateways, and the figures against their limits."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["TOP"], "tests", "collector"))
from clib import Collector, Sim, WORK, DBNAME, VAR, TOP, num, setup_db, sql, val, wait  # noqa: E402

BUSES = int(os.environ.get("SCALE_BUSES", "3334"))
PER = 30
PORT = 20000
NCOLL = int(os.environ.get("SCALE_COLLECTORS", "4"))
TIMEOUT_MS = os.environ.get("SCALE_TIMEOUT_MS", "10000")  # 3,334 buses share 2 cores: a request waits its turn
METERS = BUSES * PER
failed = 0


def ratio(a, b):
    return f"{a / b:.3f}" if b else "0"


def bench(name, value, unit, limit="-", r="-", note=""):
    print(f"bench {name} {value} {unit} limit {limit} ratio {r}" + (f" ({note})" if note else ""), flush=True)


def ticks(pid):
    """User + system CPU seconds of PID so far."""
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def mysql(path):
    with open(path) as f:
        subprocess.run(["mariadb", f"--defaults-file={VAR}/my.cnf", "-uroot", DBNAME], stdin=f, check=True)


# The site: the database by bulk INSERT ... SELECT, the simulator's CSV.
setup_db()
# a connection a bus thread: more than the default 151
sql("SET GLOBAL max_connections = 8000")
site_sql, site_csv = os.path.join(WORK, "scale-site.sql"), os.path.join(WORK, "scale-site.csv")
subprocess.run([sys.executable, os.path.join(TOP, "tests", "bench", "scale_site.py"), "--buses", str(BUSES),
                "--per", str(PER), "--port", str(PORT), "--sql", site_sql, "--csv", site_csv], check=True)
t = time.time()
mysql(site_sql)
load_s = time.time() - t
n = num("SELECT COUNT(*) FROM meters")
accts = num("SELECT COUNT(*) FROM account_meters")
bench("scale_100k_site_load", f"{load_s:.1f}", "s", note=f"{BUSES} gateways and buses, {n} meters, rooms,"
      f" {accts} accounts by INSERT ... SELECT over sequence tables")
if n != METERS or accts != METERS:
    print(f"# not ok - the site has {n} meters and {accts} accounts, not {METERS}")
    failed += 1
rows = []
with open(site_csv) as f:
    rows = [line.strip().split(",") for line in f if not line.startswith("#")]
t = time.time()
sim = Sim("scale", rows, ["--no-load"])
bench("scale_100k_sim_start", f"{time.time() - t:.1f}", "s", note=f"meter-sim: {len(rows)} meters on {BUSES} ports,"
      f" RSS {rss_kb(sim.proc.pid)} kB")



def seed(numbers, fen):
    """Money on every meter (a site where most rooms have paid: no alarm at the first read)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sim.ctlpath)
    f = s.makefile("r")
    ok = 0
    for k in range(0, len(numbers), 500):
        chunk = numbers[k:k + 500]
        s.sendall("".join(f"set {n} remaining={fen} count=1\n" for n in chunk).encode())
        ok += sum(1 for _ in chunk if f.readline().startswith("ok"))
    s.close()
    return ok


seeded = seed([r[2] for r in rows], 50000)
if seeded != len(rows):
    print(f"# not ok - {seeded} of {len(rows)} meters given money")
    failed += 1

# The limits: the bare libmodbus loop over the same buses (2 rounds), then the multi-row INSERT of the same rows.
env = dict(os.environ, MODBUS_LOOP_TIMEOUT_MS=TIMEOUT_MS)
out = subprocess.run([os.path.join(TOP, "build", "modbus-loop"), str(PORT), str(BUSES), str(PER), "2",
                      str(max(NCOLL, 4))], capture_output=True, text=True, env=env).stdout.split()
loop = float(out[0]) if out else 0
if not out or out[2] != "0":
    print(f"# not ok - the bare loop failed: {' '.join(out)}")
    failed += 1
ids = [r[0] for r in sql("SELECT id FROM meters ORDER BY id")]
path = os.path.join(WORK, "scale-bulk.sql")
with open(path, "w") as f:
    for k in range(0, len(ids), 1000):
        vals = ",".join(f"({m},NOW(3),NOW(),{i},1,2,3,4,{5000 + i},1,8192,2200,100,220,950,5000)"
                        for i, m in enumerate(ids[k:k + 1000]))
        f.write("INSERT INTO readings (meter_id, read_at, meter_clock, energy, e_spike, e_peak, e_flat, e_valley,"
                " remaining_fen, purchase_count, status_word, voltage_dv, current_ca, power_w, pf_milli, freq_chz)"
                f" VALUES {vals};\n")
t = time.time()
mysql(path)
bulk = len(ids) / (time.time() - t)
sql("TRUNCATE readings")

# The collectors: disjoint runs of the gateways, the first cycle on start.
gws = [int(r[0]) for r in sql("SELECT id FROM gateways ORDER BY id")]
per = (len(gws) + NCOLL - 1) // NCOLL
cos = []
t = time.time()
for k in range(NCOLL):
    mine = gws[k * per:(k + 1) * per]
    if not mine:
        break
    cos.append(Collector(f"scale{k + 1}", extra={
        "collector_name": f"scale{k + 1}", "gateways": ",".join(str(g) for g in mine),
        "modbus_timeout_ms": TIMEOUT_MS, "poll_interval_s": "1"}))


def all_alive():
    dead = [c for c in cos if not c.alive()]
    if dead:
        raise SystemExit(f"# not ok - a collector exited: see {dead[0].logpath}")
    return True


first = wait(lambda: all_alive() and num(f"SELECT COUNT(*) FROM meter_state WHERE reads_ok > 0") == METERS,
             900, 1)
first_s = time.time() - t
if not first:
    print(f"# not ok - after {first_s:.0f} s {num('SELECT COUNT(*) FROM meter_state WHERE reads_ok > 0')}"
          f" of {METERS} meters read")
    failed += 1
bench("scale_100k_first_cycle", f"{first_s:.1f}", "s", note=f"{len(cos)} collectors from their start:"
      " the site loaded, every bus connected, every meter read once")

# A full cycle, measured: the buses cycle without a pause (poll_interval_s = 1), so from any moment
# every meter is read again and stored within one cycle. (A read request reaches 64 buses at most.)
procs = {f"collector{k + 1}": c.proc.pid for k, c in enumerate(cos)}
procs["meter-sim"] = sim.proc.pid
procs["mariadbd"] = int(open(os.path.join(VAR, "run", "mariadb.pid")).read())
cpu0 = {k: ticks(p) for k, p in procs.items()}
r0 = num("SELECT COUNT(*) FROM readings")
since = val("SELECT NOW(3)")
t = time.time()
done = wait(lambda: all_alive() and num(f"SELECT COUNT(*) FROM meter_state WHERE read_at >= '{since}'") == METERS,
            900, 0.5)
cycle_s = time.time() - t
cpu1 = {k: ticks(p) for k, p in procs.items()}
r1 = num("SELECT COUNT(*) FROM readings")
if not done:
    print(f"# not ok - the cycle on request did not read every meter in {cycle_s:.0f} s")
    failed += 1
readings_s = (r1 - r0) / cycle_s
limit_cycle = METERS / loop if loop else 0
bench("scale_100k_cycle_s", f"{cycle_s:.1f}", "s", f"{limit_cycle:.1f}", ratio(limit_cycle, cycle_s),
      f"{METERS} meters on {BUSES} buses, {len(cos)} collectors; limit: the bare loop's rate; ratio limit/value")
bench("scale_100k_readings_s", f"{readings_s:.0f}", "readings/s", f"{loop:.0f}", ratio(readings_s, loop),
      f"{r1 - r0} readings stored in the cycle; limit: modbus-loop over the same {BUSES} buses, no database")
# each reading is a readings row, its meter_state row and its daily_energy row (and that day's use)
rows_s = 3 * (r1 - r0) / cycle_s
bench("scale_100k_rows_s", f"{rows_s:.0f}", "rows/s", f"{bulk:.0f}", ratio(rows_s, bulk),
      "readings + meter state + daily energy; limit: 1,000-row INSERTs of the same meters into readings")
for k, p in procs.items():
    cpu = cpu1[k] - cpu0[k]
    bench(f"scale_100k_rss_{k}", rss_kb(p), "kB")
    bench(f"scale_100k_cpu_{k}", f"{cpu:.1f}", "s", note=f"{100 * cpu / cycle_s:.0f} % of a core over the cycle")
lags = [int(x[0]) for x in sql("SELECT value FROM collector_status WHERE name = 'cycle_ms'")]
if lags:
    bench("scale_100k_bus_cycle_max", max(lags), "ms", note="the slowest bus of the collectors' own figures")
for c in cos:
    rc, secs = c.stop(60)
    if rc != 0:
        print(f"# not ok - a collector stopped with {rc} after {secs:.1f} s")
        failed += 1
sim.stop()
sys.exit(1 if failed else 0)
