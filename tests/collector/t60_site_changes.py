"""t60_site_changes.py - S1: meters added, moved or removed while the collector runs are read (or no longer read) within seconds, without a signal; the other buses keep running; a meter's lost state goes along; "read now" records what really happened."""
import time

from clib import Collector, Sim, check, done, num, setup_db, site, sql, val, wait

setup_db()
# The field: bus 1 has meters at addresses 1-6, bus 2 at 1-3 and 7. The
# database starts with bus 1's addresses 1-4 and bus 2's 1-3, and meter
# 3000207 wrongly on bus 1 at address 9 (nothing answers there).
B1, B2 = 16090, 16091
field = [(B1, a, 3000100 + a) for a in range(1, 7)] + [(B2, a, 3000200 + a) for a in (1, 2, 3, 7)]
rows = [(p, a, n, "ddsy1352nk") for p, a, n in field]
site([(1, 1, f"tcp://127.0.0.1:{B1}", [(a, 3000100 + a, "ddsy1352nk") for a in range(1, 5)] +
       [(9, 3000207, "ddsy1352nk")]),
      (1, 2, f"tcp://127.0.0.1:{B2}", [(a, 3000200 + a, "ddsy1352nk") for a in (1, 2, 3)])], room=False)
sim = Sim("sitechg", rows, ["--no-load"])
for i, (p, a, n) in enumerate(field):
    sim.ctl(f"set {n} remaining={20000 + 111 * i} count={i + 1}")
co = Collector("sitechg", extra={"site_check_s": "2", "lost_probe_s": "600"})


def mid(number):
    return num(f"SELECT id FROM meters WHERE number = {number}")


def reads(number):
    return num(f"SELECT COUNT(*) FROM readings WHERE meter_id = {mid(number)}")


def request(number_or_id, by_id=False):
    m = number_or_id if by_id else mid(number_or_id)
    rid = int(val(f"INSERT INTO read_requests (meter_id) VALUES ({m}) RETURNING id"))
    ok = wait(lambda: num(f"SELECT COUNT(*) FROM read_requests WHERE id = {rid} AND done_at IS NOT NULL"), 15)
    return sql(f"SELECT COALESCE(outcome, 'NULL'), reason FROM read_requests WHERE id = {rid}")[0] if ok else None


def read_all():
    rid = int(val("INSERT INTO read_requests (meter_id) VALUES (NULL) RETURNING id"))
    return wait(lambda: num(f"SELECT COUNT(*) FROM read_requests WHERE id = {rid} AND done_at IS NOT NULL"), 20)


check(wait(lambda: num("SELECT COUNT(DISTINCT meter_id) FROM readings") == 7, 15), "first cycle: the 7 meters in place read")
x = 3000207
for i in range(3):
    read_all()
check(num(f"SELECT lost FROM meter_state WHERE meter_id = {mid(x)}") == 1,
      "the meter recorded on the wrong bus is lost after 3 cycles")
check(wait(lambda: num("SELECT value FROM collector_status WHERE name = 'meters_total'") == 8, 5),
      "the collector counts 8 meters")
bus2_before = num(f"SELECT SUM(reads_ok) FROM bus_health WHERE bus_id = 2")

# Two meters imported (as the console's import does), and at once a "read now" for one of them.
sql(f"INSERT INTO meters (number, profile, bus_id, address) VALUES (3000105, 'ddsy1352nk', 1, 5),"
    f" (3000106, 'ddsy1352nk', 1, 6)")
t = time.time()
r = request(3000105)
took = time.time() - t
check(r == ["read", ""], f"read now for a meter imported a moment ago: read ({took:.1f} s)", str(r))
check(reads(3000105) >= 1 and num(f"SELECT remaining_fen FROM meter_state WHERE meter_id = {mid(3000105)}")
      == sim.get(3000105)["remaining"], "and its reading is stored with the meter's own money")
check(wait(lambda: reads(3000106) >= 1, 10),
      "the other imported meter is read without a request or a signal (poll interval 30 min)")
check(wait(lambda: num("SELECT value FROM collector_status WHERE name = 'meters_total'") == 10, 5),
      "the collector counts 10 meters")
time.sleep(1)
check(num(f"SELECT SUM(reads_ok) FROM bus_health WHERE bus_id = 2") == bus2_before,
      "bus 2, which did not change, kept running (no extra cycle)")
check(num(f"SELECT lost FROM meter_state WHERE meter_id = {mid(x)}") == 1 and
      num(f"SELECT COUNT(*) FROM events WHERE kind = 'meter_lost' AND meter_id = {mid(x)}") == 1 and
      num(f"SELECT COUNT(*) FROM alarms WHERE kind = 'meter_lost' AND meter_id = {mid(x)}") == 1,
      "the lost meter on the reloaded bus stays lost: one event, one episode")
fs = num(f"SELECT fail_streak FROM meter_state WHERE meter_id = {mid(x)}")
read_all()
check(num(f"SELECT COUNT(*) FROM events WHERE kind = 'meter_lost' AND meter_id = {mid(x)}") == 1 and
      num(f"SELECT COUNT(*) FROM alarms WHERE kind = 'meter_lost'") == 1,
      "a cycle after the reload opens no second episode", f"fail_streak {fs}")

# The lost meter moved to the bus it is really on: read there, found, its episode closed.
sql(f"UPDATE meters SET bus_id = 2, address = 7 WHERE number = {x}")
check(wait(lambda: num(f"SELECT lost FROM meter_state WHERE meter_id = {mid(x)}") == 0, 10),
      "the meter moved to bus 2 is read there and found, without a signal")
check(num(f"SELECT remaining_fen FROM meter_state WHERE meter_id = {mid(x)}") == sim.get(x)["remaining"],
      "with its own money")
check(num(f"SELECT COUNT(*) FROM events WHERE kind = 'meter_found' AND meter_id = {mid(x)}") == 1 and
      num(f"SELECT COUNT(*) FROM alarms WHERE kind = 'meter_lost' AND closed_at IS NOT NULL") == 1,
      "one meter_found event, the episode closed")

# A meter removed: no longer read; "read now" for it says that no collector reads it.
gone = mid(3000104)
for t_ in ("readings", "meter_state", "daily_energy"):
    sql(f"DELETE FROM {t_} WHERE meter_id = {gone}")
sql(f"DELETE FROM meters WHERE id = {gone}")
check(wait(lambda: num("SELECT value FROM collector_status WHERE name = 'meters_total'") == 9, 10),
      "a removed meter: the collector counts 9")
h0 = num("SELECT reads_ok + reads_failed FROM bus_health WHERE bus_id = 1")
read_all()
h1 = num("SELECT reads_ok + reads_failed FROM bus_health WHERE bus_id = 1")
check(h1 - h0 == 5, f"bus 1 reads its 5 meters, not the removed one ({h1 - h0})")
r = request(gone, by_id=True)
check(r == ["unknown", ""], "read now for the removed meter: unknown to the collector", str(r))

# What "read now" found: read, or failed with the reason.
r = request(3000101)
check(r == ["read", ""], "read now for a meter that answers: read", str(r))
sim.ctl("fault 3000102 silent")
n0 = reads(3000102)
r = request(3000102)
check(r == ["failed", "no_answer"], "read now for a silent meter: failed, no answer", str(r))
check(reads(3000102) == n0, "and nothing stored for it")
sim.ctl("fault 3000102 none")
sim.ctl(f"bus {B2} down-refuse")
time.sleep(0.5)
r = request(3000201)
check(r == ["failed", "link"], "read now for a meter behind a gateway that refuses: failed, link", str(r))
sim.ctl(f"bus {B2} up")
check(num("SELECT COUNT(*) FROM read_requests WHERE done_at IS NULL") == 0, "no request left open")

rc, took = co.stop()
check(rc == 0, f"stopped cleanly ({took:.1f} s)")
check(val("SELECT COUNT(*) FROM meters") == "9", "the site as the database has it")
sim.stop()
done()
