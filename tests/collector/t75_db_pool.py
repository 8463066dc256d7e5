"""t75_db_pool.py - the bus threads share a pool of database connections (bus_db_connections): 16 buses on 2 connections read every meter, store every cycle, carry out tokens exactly once, and close the pool on SIGTERM."""
from clib import Collector, Sim, check, command, done, meter_id, num, read_all, setup_db, site, sql, wait, wait_cmd

BASE = 16020
setup_db()
rows, buses = [], []
for g in range(1, 5):
    for p in range(1, 5):
        port = BASE + 4 * (g - 1) + (p - 1)
        meters = [(a, 1000000 + g * 10000 + p * 100 + a, "ddsy1352nk") for a in range(1, 31)]
        buses.append((g, p, f"tcp://127.0.0.1:{port}", meters))
        rows += [(port, a, n, prof) for a, n, prof in meters]
site(buses, room=False)
sim = Sim("pool", rows, ["--no-load"])
A = 1010101
sim.ctl(f"set {A} remaining=10000 count=5")


def conns():
    return num("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'prepaid_collector'"
               " AND DB = 'prepaid_ct'")


co = Collector("pool", extra={"bus_db_connections": "2"})
ok = wait(lambda: num("SELECT COUNT(DISTINCT meter_id) FROM readings") == 480, 30)
check(ok, "16 buses on 2 pooled connections: all 480 meters read and stored in the first cycle")
check(num("SELECT COUNT(*) FROM meter_state WHERE reads_ok = 1 AND lost = 0") == 480,
      "meter_state has every meter once, read, not lost")
check(num("SELECT COUNT(*) FROM bus_health WHERE reads_ok = 30") == 16, "bus health of every bus: 30 good reads")
most = max(conns() for _ in range(20))
# the bus threads' 2, the main thread's, and the SMS thread's
check(most <= 4, f"the collector holds at most 4 server connections, not one a bus ({most})")

check(read_all(30), "a read request for every meter is served with the pool")
check(num("SELECT COUNT(*) FROM readings") == 960, "every meter read once more, none twice")

# Tokens go through the pool too: exactly once.
c1 = command(meter_id(A), "credit", 6, 2500)
st = wait_cmd(c1)
check(st and st[0] == "confirmed", f"a credit through a pooled connection is confirmed ({st})")
s = sim.get(A)
check((s["count"], s["remaining"]) == (6, 12500) and sim.stats()["tokens_applied"] == 1,
      f"one token applied: count 6, 125.00 yuan ({s['count']}, {s['remaining']})")

rc, took = co.stop()
check(rc == 0, f"SIGTERM: clean exit {rc} in {took:.1f} s")
left = wait(lambda: conns() == 0, 5)
check(left is not None, "the pool's connections are closed on exit")
check(sql("SELECT COUNT(*) FROM commands WHERE status NOT IN ('confirmed')")[0][0] == "0", "no command left open")
sim.stop()
done()
