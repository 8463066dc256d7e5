"""t64_day_use.py - the day table's use (027_daily_use.sql) as the collector writes it from the simulator's meters: after a gap, a day of a single read, a meter replaced mid-day, a later day's row put right when an earlier day's reads come late; each against the raw readings."""
import time

from clib import Collector, Sim, check, done, num, read_all, setup_db, site, sql

PORT = 16140
A, B, C = 6410001, 6410002, 6410003
setup_db()
site([(1, 1, f"tcp://127.0.0.1:{PORT}", [(1, A, "ddsy1352nk"), (2, B, "ddsy1352nk"), (3, C, "ddsy1352nk")])])
ids = {n: num(f"SELECT id FROM meters WHERE number = {n}") for n in (A, B, C)}
LOCAL = "'+08:00'"
today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))


def day(k):
    """The local day K days from today."""
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 + k * 86400))


def earlier(m, d, first, last, used="NULL"):
    """A day row and its reads (at 08:00 and 20:00 local) from before this test's collector."""
    sql(f"INSERT INTO readings (meter_id, read_at, energy) VALUES"
        f" ({ids[m]}, CONVERT_TZ('{d} 08:00:00', {LOCAL}, '+00:00'), {first}),"
        f" ({ids[m]}, CONVERT_TZ('{d} 20:00:00', {LOCAL}, '+00:00'), {last})")
    sql(f"INSERT INTO daily_energy (meter_id, day, first_energy, last_energy, used)"
        f" VALUES ({ids[m]}, '{d}', {first}, {last}, {used})")


def stored(m):
    return {d: (None if u == "NULL" else int(u)) for d, u in sql(
        f"SELECT DATE_FORMAT(day, '%Y-%m-%d'), used FROM daily_energy WHERE meter_id = {ids[m]}")}


def raw(m):
    """Independently from the readings: each local day's last read minus the last read before
    the day (or the day's first), never below 0."""
    mid = ids[m]
    return {d: int(u) for d, u in sql(
        "SELECT DATE_FORMAT(y.dd, '%Y-%m-%d'), GREATEST(y.l - COALESCE(y.b, y.f), 0) FROM (SELECT x.dd,"
        f" (SELECT energy FROM readings r WHERE r.meter_id = {mid} AND r.read_at <"
        f" CONVERT_TZ(x.dd + INTERVAL 1 DAY, {LOCAL}, '+00:00') ORDER BY r.read_at DESC, r.id DESC LIMIT 1) AS l,"
        f" (SELECT energy FROM readings r WHERE r.meter_id = {mid} AND r.read_at <"
        f" CONVERT_TZ(x.dd, {LOCAL}, '+00:00') ORDER BY r.read_at DESC, r.id DESC LIMIT 1) AS b,"
        f" (SELECT energy FROM readings r WHERE r.meter_id = {mid} AND r.read_at >="
        f" CONVERT_TZ(x.dd, {LOCAL}, '+00:00') ORDER BY r.read_at, r.id LIMIT 1) AS f"
        f" FROM (SELECT DISTINCT DATE(CONVERT_TZ(read_at, '+00:00', {LOCAL})) AS dd FROM readings"
        f" WHERE meter_id = {mid}) x) y")}


# A: its last day row three days ago (two days without reads since).
earlier(A, day(-3), 800, 1000, 200)
# B: read yesterday; replaced today after its first read.
earlier(B, day(-1), 4000, 5000, 1000)
# C: tomorrow's row is there already (another collector, a clock ahead) with a use of its own:
# today's reads come late for it, and tomorrow's use must follow them.
earlier(C, day(1), 3000, 3100, 9999)

sim = Sim("dayuse", [(PORT, 1, A, "ddsy1352nk"), (PORT, 2, B, "ddsy1352nk"), (PORT, 3, C, "ddsy1352nk")],
          ["--no-load"])
sim.ctl(f"set {A} energy=1500")
sim.ctl(f"set {B} energy=5200")
sim.ctl(f"set {C} energy=2000")
co = Collector("dayuse", extra={"poll_interval_s": "3600"})
try:
    check(read_all() and num(f"SELECT COUNT(*) FROM daily_energy WHERE day = '{today}'") == 3,
          "the collector wrote today's day row of the three meters")
    s = stored(A)
    check(s[today] == 500 == raw(A)[today],
          "after two days without reads, a single read: today's use is from the last read before the gap", s)
    s = stored(C)
    check(s[today] == 0 and s[day(1)] == 1100 == raw(C)[day(1)],
          "today's first read of C: tomorrow's use is put right from today's last (3100 - 2000)", s)
    sim.ctl(f"set {B} energy=100")      # a new meter in B's place, mid-day
    sim.ctl(f"set {A} energy=1700")
    sim.ctl(f"set {C} energy=2100")
    check(read_all(), "a second cycle")
    time.sleep(1.1)
    sim.ctl(f"set {B} energy=250")
    check(read_all(), "a third cycle")
    for m in (A, B, C):
        s, r = stored(m), raw(m)
        check(s == r and None not in s.values(), f"meter {m}: every day's stored use is the readings' (a NULL: not written)",
              (s, r))
    check(stored(B)[today] == 0, "the meter replaced mid-day (set back) uses 0 today", stored(B))
    check(stored(C)[day(1)] == 1000, "tomorrow's use follows today's last read again (3100 - 2100)", stored(C))
    check(stored(A)[day(-3)] == 200, "an older row is left as it was", stored(A))
finally:
    co.stop()
    sim.stop()
done()
