"""t20_faults.py - S3/B4: each fault of meter-bus.md survived and counted, no answer stored for another meter, meters and gateways lost and found."""
import time

from clib import Collector, Sim, check, done, num, read_all, read_meter, setup_db, site, sql, wait

setup_db()
layout = [  # gateway, port, tcp port, addresses
    (1, 1, 16040, range(1, 7)),
    (1, 2, 16041, range(1, 4)),
    (2, 1, 16042, range(1, 3)),
    (2, 2, 16043, range(1, 3)),
]
rows, buses, expect = [], [], {}
for g, p, port, addrs in layout:
    ms = [(a, 2000000 + g * 10000 + p * 100 + a, "ddsy1352nk") for a in addrs]
    buses.append((g, p, f"tcp://127.0.0.1:{port}", ms))
    rows += [(port, a, n, "ddsy1352nk") for a, n, _ in ms]
site(buses, room=False)
sim = Sim("faults", rows, ["--no-load"])
# Every meter gets its own money and count, so a mixed-up answer would show.
for i, (_, _, n, _) in enumerate(rows):
    expect[n] = (10000 + 1111 * i, 1 + i)
    sim.ctl(f"set {n} remaining={expect[n][0]} count={expect[n][1]}")
co = Collector("faults", extra={"lost_probe_s": "3"})
check(wait(lambda: num("SELECT COUNT(DISTINCT meter_id) FROM readings") == len(rows), 15), "first cycle read all 13")


def health(bus=1):
    r = sql(f"SELECT reads_ok, reads_failed, timeouts, exceptions, bad_frames, link_errors FROM bus_health"
            f" WHERE bus_id = {bus}")[0]
    return dict(zip(["ok", "failed", "timeouts", "exceptions", "bad_frames", "link_errors"], map(int, r)))


def mixed():
    """Readings whose money or count is not their own meter's."""
    bad = 0
    for n, rem, cnt in sql("SELECT m.number, r.remaining_fen, r.purchase_count FROM readings r"
                           " JOIN meters m ON m.id = r.meter_id"):
        if (int(rem), int(cnt)) != expect[int(n)]:
            bad += 1
    return bad


victim = 2010103
vid = num(f"SELECT id FROM meters WHERE number = {victim}")
faults = [("silent", "exceptions"), ("slow 400", "exceptions"), ("exception 4", "exceptions"),
          ("wrong-unit", "bad_frames"), ("wrong-tid", "bad_frames"), ("garbage", None),
          ("truncated", None)]
for f, counter in faults:
    h0 = health()
    n0 = num(f"SELECT COUNT(*) FROM readings WHERE meter_id = {vid}")
    sim.ctl(f"fault {victim} {f}")
    t = time.time()
    served = read_all(20)
    took = time.time() - t
    sim.ctl(f"fault {victim} none")
    h1 = health()
    check(served and co.alive(), f"fault {f}: the collector survives and finishes the cycle ({took:.1f} s)")
    check(num(f"SELECT COUNT(*) FROM readings WHERE meter_id = {vid}") == n0,
          f"fault {f}: nothing stored for the faulty meter")
    check(h1["ok"] - h0["ok"] == 5 and h1["failed"] - h0["failed"] == 1,
          f"fault {f}: the 5 other meters of its bus read, 1 failure counted", f"{h0} {h1}")
    faults_now = sum(h1[k] - h0[k] for k in ("timeouts", "exceptions", "bad_frames", "link_errors"))
    if counter:
        check(h1[counter] - h0[counter] >= 1, f"fault {f}: counted as {counter}", f"{h0} {h1}")
    else:
        check(faults_now >= 1, f"fault {f}: counted as a fault", f"{h0} {h1}")
    err = sql(f"SELECT last_error FROM meter_state WHERE meter_id = {vid}")[0][0]
    print(f"# {f}: last_error {err!r}, health {h1}")
    read_meter(vid)  # a good read: the next fault starts from a meter in contact
check(mixed() == 0, "no reading of any meter carries another meter's money or count")

# A silent meter is lost after 3 failed cycles, once, and found at its first good read.
sim.ctl(f"fault {victim} silent")
for i in range(2):
    read_all()
check(num(f"SELECT lost FROM meter_state WHERE meter_id = {vid}") == 0, "not lost after 2 failed cycles")
read_all()
check(num(f"SELECT lost FROM meter_state WHERE meter_id = {vid}") == 1, "lost after the 3rd failed cycle")
for i in range(3):
    read_all()
check(num(f"SELECT COUNT(*) FROM events WHERE kind = 'meter_lost' AND meter_id = {vid}") == 1,
      "one meter_lost event")
check(num(f"SELECT COUNT(*) FROM alarms WHERE kind = 'meter_lost' AND meter_id = {vid} AND closed_at IS NULL")
      == 1, "one open meter_lost alarm episode")
check(wait(lambda: num("SELECT value FROM collector_status WHERE name = 'meters_lost'") == 1, 5),
      "meters_lost figure = 1")
h0 = health()
t = time.time()
for i in range(4):
    read_all()
took = time.time() - t
h1 = health()
check(h1["failed"] - h0["failed"] <= 1, f"a lost meter is left to its probe timer (3 s), not tried each cycle"
      f" ({h1['failed'] - h0['failed']} tries in 4 cycles, {took:.1f} s)")
sim.ctl(f"fault {victim} none")
read_meter(vid)
check(num(f"SELECT lost FROM meter_state WHERE meter_id = {vid}") == 0, "found again at its first good read")
check(num(f"SELECT COUNT(*) FROM events WHERE kind = 'meter_found' AND meter_id = {vid}") == 1,
      "one meter_found event")
check(num(f"SELECT COUNT(*) FROM alarms WHERE kind = 'meter_lost' AND meter_id = {vid}") == 1 and
      num(f"SELECT COUNT(*) FROM alarms WHERE kind = 'meter_lost' AND meter_id = {vid} AND closed_at IS NOT NULL"
          " AND open_key IS NULL") == 1, "the episode is closed once")

# A gateway down: its buses' meters lost, the gateway lost; back up: found.
for port in (16042, 16043):
    sim.ctl(f"bus {port} down-refuse")
for i in range(3):
    read_all()
check(num("SELECT COUNT(*) FROM meter_state s JOIN meters m ON m.id = s.meter_id JOIN buses b ON b.id = m.bus_id"
          " WHERE b.gateway_id = 2 AND s.lost = 1") == 4, "gateway 2 refusing: its 4 meters lost after 3 cycles")
check(wait(lambda: num("SELECT COUNT(*) FROM events WHERE kind = 'gateway_lost' AND gateway_id = 2") == 1, 5),
      "a gateway_lost event for gateway 2")
check(num("SELECT COUNT(*) FROM events WHERE kind = 'gateway_lost' AND gateway_id = 1") == 0,
      "gateway 1 is not lost")
check(num("SELECT lost FROM gateway_state WHERE gateway_id = 2") == 1 and
      num("SELECT COUNT(*) FROM alarms WHERE kind = 'gateway_lost' AND gateway_id = 2 AND open_key IS NOT NULL") == 1,
      "gateway_state and an open gateway_lost alarm")
check(health(3)["link_errors"] >= 1, "refused connections counted as link errors", str(health(3)))
for port in (16042, 16043):
    sim.ctl(f"bus {port} up")
check(wait(lambda: read_all() and num("SELECT lost FROM gateway_state WHERE gateway_id = 2") == 0, 30),
      "gateway up: found again")
check(wait(lambda: read_all() and num("SELECT COUNT(*) FROM meter_state WHERE lost = 1") == 0, 30),
      "and its meters are found")
check(num("SELECT COUNT(*) FROM events WHERE kind = 'gateway_found' AND gateway_id = 2") == 1,
      "one gateway_found event")

# A silent gateway (connections accepted, never answered) does not stall the collector.
sim.ctl("bus 16041 down-silent")
t = time.time()
ok = read_all(20)
took = time.time() - t
h = health(2)
check(ok and took < 4, f"a silent bus: the cycle ends in {took:.1f} s (two timeouts, then the bus is skipped)")
check(h["timeouts"] >= 1, "a silent bus counts timeouts", str(h))
sim.ctl("bus 16041 up")
check(read_all() and co.alive(), "the bus answers again")
check(mixed() == 0, "still no reading carries another meter's values")
rc, took = co.stop()
check(rc == 0, f"stopped cleanly ({took:.1f} s)")
sim.stop()
done()
