"""t61_recovery.py - S3/B4: a gateway is lost after as many failed cycles as a meter (a short outage opens nothing); after an outage lost meters are found on their own probe timer, and at once when their bus answers again, at a 30-minute poll interval."""
import time

from clib import Collector, Sim, check, done, num, read_all, read_meter, setup_db, site, sql, wait

setup_db()
layout = [  # gateway, tcp port, addresses
    (1, 16092, range(1, 5)),
    (1, 16093, range(1, 3)),
    (2, 16094, range(1, 3)),
]
rows, buses = [], []
for g, port, addrs in layout:
    ms = [(a, 4000000 + port % 100 * 100 + a, "ddsy1352nk") for a in addrs]
    buses.append((g, port - 16091, f"tcp://127.0.0.1:{port}", ms))
    rows += [(port, a, n, "ddsy1352nk") for a, n, _ in ms]
site(buses, room=False)
sim = Sim("recovery", rows, ["--no-load"])
co = Collector("recovery", extra={"lost_probe_s": "3"})
check(wait(lambda: num("SELECT COUNT(DISTINCT meter_id) FROM readings") == len(rows), 15), "first cycle read all 8")


def gw_alarms(g):
    return num(f"SELECT COUNT(*) FROM alarms WHERE kind = 'gateway_lost' AND gateway_id = {g}")


def lost(g=None):
    w = f" AND b.gateway_id = {g}" if g else ""
    return num("SELECT COUNT(*) FROM meter_state s JOIN meters m ON m.id = s.meter_id"
               f" JOIN buses b ON b.id = m.bus_id WHERE s.lost = 1{w}")


def down(g, how="down-refuse"):
    for _, port, _ in [x for x in layout if x[0] == g]:
        sim.ctl(f"bus {port} {how}")
    time.sleep(0.4)  # the simulator's buses take up to 0.1 s to notice


# A short outage of gateway 1 (one failed cycle): no gateway episode, no meter lost.
down(1)
read_all()
down(1, "up")
for i in range(3):
    read_all()
time.sleep(1)
check(gw_alarms(1) == 0 and num("SELECT COUNT(*) FROM events WHERE kind = 'gateway_lost'") == 0,
      "an outage of one cycle opens no gateway_lost episode")
check(lost() == 0, "and loses no meter")

# A real outage: the gateway is lost after 3 failed cycles, like its meters, not before.
down(1)
read_all()
read_all()
time.sleep(1)
check(gw_alarms(1) == 0 and lost(1) == 0, "after 2 failed cycles: neither the gateway nor its meters lost")
read_all()
check(wait(lambda: gw_alarms(1) == 1, 5) and lost(1) == 6, "after the 3rd: gateway 1 and its 6 meters lost")
check(gw_alarms(2) == 0 and lost(2) == 0, "gateway 2 is not lost")
for i in range(2):
    read_all()
check(gw_alarms(1) == 1, "one episode however long the outage")

# Back up: with a 30-minute poll interval and no request, the probes (every 3 s) find them.
down(1, "up")
t = time.time()
ok = wait(lambda: lost(1) == 0 and num("SELECT lost FROM gateway_state WHERE gateway_id = 1") == 0, 15)
took = time.time() - t
check(ok and took < 8, f"gateway 1 up: its meters and the gateway found by the probes in {took:.1f} s")
check(num("SELECT COUNT(*) FROM alarms WHERE kind IN ('gateway_lost', 'meter_lost') AND closed_at IS NULL") == 0,
      "every episode closed")
rc, _ = co.stop()
check(rc == 0, "stopped")

# A bus answering again: its lost meters are tried at once, without waiting for their probe (600 s here).
co = Collector("recovery2", extra={"lost_probe_s": "600"})
time.sleep(2)
down(2)
for i in range(3):
    read_all()
check(lost(2) == 2 and wait(lambda: gw_alarms(2) == 1, 5), "gateway 2 down: its 2 meters and the gateway lost")
down(2, "up")
a, b = (num(f"SELECT id FROM meters WHERE number = {n}") for n in (4009401, 4009402))
read_all()
check(lost(2) == 2, "a cycle leaves lost meters to their probe")
check(read_meter(a), "read now for one meter of the bus")
check(lost(2) == 0, "it answers: the other lost meter of its bus is tried at once and found too")
check(wait(lambda: num("SELECT lost FROM gateway_state WHERE gateway_id = 2") == 0, 5), "gateway 2 found")
rc, _ = co.stop()
check(rc == 0, "stopped")
sim.stop()
done()
