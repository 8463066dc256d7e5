"""t10_poll.py - S1/B9: every meter of a reference-sized site (484 meters, 16 buses) read in one cycle over Modbus TCP; stored values match the simulator."""
import random
import time

from clib import Collector, Sim, check, done, num, read_all, setup_db, site, sql, val, wait

BASE = 16020
setup_db()
rows, buses = [], []
for g in range(1, 5):
    for p in range(1, 5):
        port = BASE + 4 * (g - 1) + (p - 1)
        meters = [(a, 1000000 + g * 10000 + p * 100 + a, "ddsy1352nk") for a in range(1, 31)]
        if p == 1:
            meters.append((31, 1000000 + g * 10000 + p * 100 + 31, "energy"))
        buses.append((g, p, f"tcp://127.0.0.1:{port}", meters))
        rows += [(port, a, n, prof) for a, n, prof in meters]
site(buses, room=False)
sim = Sim("poll", rows, ["--no-load"])
rnd = random.Random(3)
sample = [n for _, _, n, prof in rnd.sample(rows, 24) if prof == "ddsy1352nk"]
for i, n in enumerate(sample):
    sim.ctl(f"set {n} remaining={12345 + i * 1001 - 9000} count={i + 1} energy={500000 + i} "
            f"e0={i} e1={1000 + i} e2={2000 + i} e3={3000 + i} power={100 + i}")
sim.ctl("set 1040131 energy=987654 power=4321")

t0 = time.time()
co = Collector("poll")
ok = wait(lambda: num("SELECT COUNT(DISTINCT meter_id) FROM readings") == 484, 30)
took = time.time() - t0
check(ok, f"all 484 meters read in the first cycle ({took:.1f} s from start)")
cyc = wait(lambda: num("SELECT value FROM collector_status WHERE name = 'cycle_ms'"), 10)
print(f"# cycle of 484 meters over 16 buses: {cyc} ms")
check(num("SELECT COUNT(*) FROM readings") == 484, "one reading per meter, none twice")
check(num("SELECT COUNT(*) FROM meter_state WHERE reads_ok = 1 AND lost = 0") == 484,
      "meter_state has every meter once, read, not lost")

for n in sample:
    s = sim.get(n)
    r = sql("SELECT r.energy, r.e_spike, r.e_peak, r.e_flat, r.e_valley, r.remaining_fen, r.purchase_count,"
            " r.status_word, r.power_w, r.voltage_dv > 0, UNIX_TIMESTAMP(r.meter_clock)"
            f" FROM readings r JOIN meters m ON m.id = r.meter_id WHERE m.number = {n}")[0]
    want = [s["energy"], s["e0"], s["e1"], s["e2"], s["e3"], s["remaining"], s["count"], s["status"]]
    got = [int(x) for x in r[:8]]
    check(got == want, f"meter {n}: energy, slots, remaining, count and status match the simulator",
          f"db {got} sim {want}")
    check(abs(int(r[8]) - s["power"]) <= 1 and r[9] == "1" and abs(int(r[10]) - s["clock"]) < 120,
          f"meter {n}: power, voltage and the meter's clock stored", f"{r} {s}")
m = sql("SELECT r.energy, r.power_w, r.remaining_fen, r.purchase_count FROM readings r"
        " JOIN meters m ON m.id = r.meter_id WHERE m.number = 1040131")[0]
check(m[0] == "987654" and m[2] == "NULL" and m[3] == "NULL",
      "the master meter (energy profile) stores energy, no money fields", str(m))
check(abs(int(m[1]) - 4321) <= 1, "the master meter's power", str(m))

check(num("SELECT COUNT(*) FROM daily_energy") == 484, "a daily energy row per meter")
d = val("SELECT DATE_FORMAT(day, '%Y-%m-%d') FROM daily_energy LIMIT 1")
local = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
check(d == local, f"the day is the site's local day (UTC+8): {d}")
check(num("SELECT SUM(reads_ok) FROM bus_health") == 484 and num("SELECT COUNT(*) FROM bus_health") == 16,
      "bus health: 16 buses, 484 good reads")
check(num("SELECT SUM(reads_failed + timeouts + exceptions + bad_frames + link_errors) FROM bus_health") == 0,
      "no faults counted on a healthy site")

# B9 figures
hb = wait(lambda: num("SELECT value FROM collector_status WHERE name = 'heartbeat_unix'"), 10)
check(hb and abs(hb - time.time()) < 5, "heartbeat_unix is fresh")
names = {r[0] for r in sql("SELECT name FROM collector_status")}
want = {"heartbeat_unix", "cycle_seconds", "meters_read", "meters_lost", "commands_pending",
        "commands_failed", "sms_outbox", "modem_rssi"}
check(want <= names, "collector_status has the figures of B9", str(want - names))
check(wait(lambda: num("SELECT value FROM collector_status WHERE name = 'meters_read'") == 484, 5),
      "meters_read = 484")

# make bench's figures: a cycle's reads alone take part of the whole cycle
rd = wait(lambda: num("SELECT value FROM collector_status WHERE name = 'read_us'"), 10)
cyc = num("SELECT value FROM collector_status WHERE name = 'cycle_ms'")
check(rd and cyc and 0 < rd <= cyc * 1000 + 1000, f"read_us {rd} is within the cycle's {cyc} ms")

# The look for site changes (every 5 s) stays cheap on a site this size.
us = wait(lambda: num("SELECT value FROM collector_status WHERE name = 'site_check_us'"), 10)
print(f"# site check of 484 meters: {us} us")
check(us and us < 50000, f"the site check takes {us} us (under 50 ms)")

# S1 on demand: a read request makes a new cycle at once; a settings change too.
sim.ctl("set 1010101 remaining=777")
check(read_all(20), "a read request for every meter is served and marked done")
check(num("SELECT COUNT(*) FROM readings") == 968, "the request read every meter once more")
check(num("SELECT remaining_fen FROM meter_state s JOIN meters m ON m.id = s.meter_id WHERE m.number = 1010101")
      == 777, "meter_state shows the new value")
mid = num("SELECT id FROM meters WHERE number = 1010102")
n0 = num(f"SELECT COUNT(*) FROM readings WHERE meter_id = {mid}")
rid = int(val(f"INSERT INTO read_requests (meter_id) VALUES ({mid}) RETURNING id"))
check(wait(lambda: num(f"SELECT COUNT(*) FROM read_requests WHERE id = {rid} AND done_at IS NOT NULL"), 10),
      "a request for one meter is served")
check(num(f"SELECT COUNT(*) FROM readings WHERE meter_id = {mid}") == n0 + 1 and
      num("SELECT COUNT(*) FROM readings") == 969, "and reads that meter only")

# The interval from the settings table (minutes, decimals allowed), noticed without a signal.
before = num("SELECT COUNT(*) FROM readings")
sql("UPDATE settings SET value = '0.05' WHERE name = 'poll_interval_min'")
check(wait(lambda: num("SELECT COUNT(*) FROM readings") >= before + 2 * 484, 20),
      "a settings change (poll every 3 s) is noticed and cycles follow on the interval")

rc, took = co.stop()
check(rc == 0 and took < 5, f"SIGTERM: clean exit {rc} in {took:.1f} s")
check(num("SELECT COUNT(*) FROM events WHERE kind = 'collector_stop'") == 1, "a collector_stop event")
sim.stop()
done()
