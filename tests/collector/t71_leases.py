"""t71_leases.py - two collectors share the buses by leases: each reads its own gateways; one killed -9, the other takes its buses once the lease ran out (tokens in flight applied once, no long reading gap); SIGTERM releases at once; a restart gets its buses back only when the other let go, never two readers on a bus; the health page and /metrics show the leases."""
import re
import subprocess
import threading
import time

from clib import Collector, Sim, check, command, done, meter_id, num, setup_db, site, sql, val, wait
from lib import db, operator  # noqa: E402 (found through clib's path)

LEASE = 5                      # lease_s: renewed every 5/3 s
PERIOD = LEASE / 3
setup_db()
sql(f"INSERT INTO settings (name, value) VALUES ('lease_s', '{LEASE}')")
PA, PB = 16140, 16141
ma = [(a, 7110100 + a, "ddsy1352nk") for a in range(1, 4)]
mb = [(a, 7120100 + a, "ddsy1352nk") for a in range(1, 3)]
site([(1, 1, f"tcp://127.0.0.1:{PA}", ma), (2, 1, f"tcp://127.0.0.1:{PB}", mb)], room=False)
sim = Sim("leases", [(PA, a, n, p) for a, n, p in ma] + [(PB, a, n, p) for a, n, p in mb], ["--no-load"])
fast = {"poll_interval_s": "1", "site_check_s": "1"}
conf_a = dict(fast, collector_name="coll-a", gateways="1")
conf_b = dict(fast, collector_name="coll-b", gateways="2")


class Readers:
    """Samples the established connections to each bus's port every 50 ms: which collector processes read it."""

    def __init__(self):
        self.samples = []          # (time, port, frozenset of pids)
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop:
            out = subprocess.run(["ss", "-Htnp", "state", "established"], capture_output=True, text=True).stdout
            now, seen = time.time(), {PA: set(), PB: set()}
            for line in out.splitlines():
                f = line.split()
                m = re.search(r'"collector",pid=(\d+)', line)
                if len(f) >= 4 and m and f[3].endswith(tuple(f":{p}" for p in seen)):
                    seen[int(f[3].rsplit(":", 1)[1])].add(int(m.group(1)))
            for p, pids in seen.items():
                self.samples.append((now, p, frozenset(pids)))
            time.sleep(0.05)

    def both(self):
        """Samples with two collectors on one bus at once."""
        return [(t, p, sorted(s)) for t, p, s in self.samples if len(s) > 1]

    def first(self, port, pid, after):
        return next((t for t, p, s in self.samples if p == port and pid in s and t >= after), None)

    def last(self, port, pid):
        return max((t for t, p, s in self.samples if p == port and pid in s), default=None)


def owner(bus):
    return val(f"SELECT COALESCE(owner, '') FROM bus_leases WHERE bus_id = {bus}")


def max_gap(meters, since):
    """The longest time in seconds between two readings of one of METERS after SINCE (and up to now)."""
    worst = 0.0
    for n in meters:
        rows = sql(f"SELECT UNIX_TIMESTAMP(read_at) FROM readings WHERE meter_id = {meter_id(n)}"
                   f" AND read_at >= FROM_UNIXTIME({since}) ORDER BY read_at")
        ts = [since] + [float(r[0]) for r in rows] + [time.time()]
        worst = max([worst] + [b - a for a, b in zip(ts, ts[1:])])
    return worst


readers = Readers()
a = Collector("lease-a", extra=conf_a)
b = Collector("lease-b", extra=conf_b)
check(wait(lambda: owner(1) == "coll-a" and owner(2) == "coll-b", 10),
      "each collector takes the leases of its own gateways' buses", str(sql("SELECT * FROM bus_leases")))
time.sleep(LEASE + 2 * PERIOD)  # past the first lease period, when another's free bus could be taken
check(owner(1) == "coll-a" and owner(2) == "coll-b" and
      num("SELECT COUNT(*) FROM bus_leases WHERE lease_until > NOW(3) + INTERVAL 1 SECOND") == 2,
      "after a lease period each still holds its own (renewed), none the other's",
      str(sql("SELECT * FROM bus_leases")))
check(readers.last(PA, a.proc.pid) and readers.last(PB, b.proc.pid) and
      not any(b.proc.pid in s for t, p, s in readers.samples if p == PA) and
      not any(a.proc.pid in s for t, p, s in readers.samples if p == PB),
      "each reads only its own bus (the simulator's client connections)")

# Tokens in flight on coll-a's bus (each exchange slowed to 100 ms), then coll-a is killed -9.
before = {n: sim.get(n) for _, n, _ in ma}
applied0 = sim.stats()["tokens_applied"]
for _, n, _ in ma:
    sim.ctl(f"fault {n} slow 100")
cmds = []
for k in range(1, 4):
    for _, n, _ in ma:
        cmds.append((n, command(meter_id(n), "credit", before[n]["count"] + k, 1000 * k)))
# killed while a token is claimed by it (sent, or claimed and about to be): its claim still runs
check(wait(lambda: num("SELECT COUNT(*) FROM commands WHERE status = 'confirmed'") >= 1 and
           num("SELECT COUNT(*) FROM commands WHERE status = 'sent'"
               " OR (status = 'queued' AND claimed_by IS NOT NULL)") >= 1, 20, 0.02),
      "coll-a is carrying out the tokens")
a.kill()
t_kill = time.time()
inflight = sql("SELECT id, status, claimed_by FROM commands WHERE status <> 'confirmed' ORDER BY id")
check(any(r[1] == "sent" or r[2] == "coll-a" for r in inflight), "a token was in flight when coll-a was killed",
      str(inflight))
took = wait(lambda: owner(1) == "coll-b", 3 * LEASE, 0.05)
t_take = time.time()
check(took and t_take - t_kill <= 2 * LEASE,
      f"coll-b takes the killed one's bus within 2 lease periods ({t_take - t_kill:.1f} s, lease {LEASE} s)")
check(num("SELECT taken_over FROM bus_leases WHERE bus_id = 1") == 1, "the lease counts the takeover")
check(wait(lambda: readers.first(PA, b.proc.pid, t_kill), 2 * LEASE) and
      readers.first(PA, b.proc.pid, t_kill) - t_kill <= 2 * LEASE,
      "coll-b reads the bus within 2 lease periods of the kill")
# the commands coll-a had claimed go out at the takeover, not when their claim (command_lease_s 30) runs out
check(wait(lambda: num("SELECT COUNT(*) FROM commands WHERE status = 'confirmed'") == len(cmds), 2 * LEASE + 8),
      f"every token is confirmed soon after the takeover ({time.time() - t_kill:.1f} s after the kill;"
      f" open then: {inflight})",
      str(sql("SELECT id, status, tries, error, claimed_by FROM commands")))
for _, n, _ in ma:
    sim.ctl(f"fault {n} none")
after = {n: sim.get(n) for _, n, _ in ma}
check(all(after[n]["count"] == before[n]["count"] + 3 and after[n]["remaining"] == before[n]["remaining"] + 6000
          for _, n, _ in ma),
      "each meter took each token once: purchase count +3, remaining +60.00",
      str({n: (before[n]["count"], after[n]["count"], before[n]["remaining"], after[n]["remaining"]) for n in after}))
check(sim.stats()["tokens_applied"] - applied0 == len(cmds), "the simulator accepted exactly as many tokens as queued")
check(num("SELECT COUNT(*) FROM events WHERE kind = 'count_mismatch'") == 0, "no purchase count mismatch")
gap = max_gap([n for _, n, _ in ma], t_kill - 3)
check(gap <= 2 * LEASE, f"no reading gap longer than 2 lease periods on the bus taken over ({gap:.1f} s)")

# coll-a comes back: it asks for its bus; coll-b lets go (stops, then releases); never both at once.
a = Collector("lease-a", extra=conf_a)
t_back = time.time()
check(wait(lambda: owner(1) == "coll-a", 4 * LEASE, 0.05),
      f"the restarted coll-a gets its own bus back ({time.time() - t_back:.1f} s)", str(sql("SELECT * FROM bus_leases")))
check(wait(lambda: readers.first(PA, a.proc.pid, t_back), 5), "coll-a reads its bus again")
time.sleep(0.5)
last_b, first_a = readers.last(PA, b.proc.pid), readers.first(PA, a.proc.pid, t_back)
check(last_b is not None and first_a is not None and last_b < first_a,
      "coll-a reads it only after coll-b stopped reading it", f"{last_b} {first_a}")
check("bus 1: lease handed back" in open(b.logpath).read(), "coll-b's log says it handed the bus back")
check(num("SELECT taken_over FROM bus_leases WHERE bus_id = 1") == 1, "a hand-back is not a takeover")

# SIGTERM: coll-b releases its lease at once; coll-a (past its first lease period) takes the bus within a round.
time.sleep(max(0, t_back + LEASE + PERIOD - time.time()))
rc, _ = b.stop()
t_stop = time.time()
check(rc == 0 and val("SELECT COALESCE(owner, 'free') FROM bus_leases WHERE bus_id = 2") in ("free", "coll-a"),
      "coll-b stopped and released its lease")
check(wait(lambda: owner(2) == "coll-a", 3 * LEASE, 0.05) and time.time() - t_stop <= PERIOD + 0.6,
      f"coll-a takes the released bus within a renewal period ({time.time() - t_stop:.1f} s)")
check(num("SELECT taken_over FROM bus_leases WHERE bus_id = 2") == 0, "a released bus is not counted as taken over")
check(wait(lambda: readers.first(PB, a.proc.pid, t_stop), 5), "coll-a reads coll-b's bus now")
check(not readers.both(), "no bus was ever read by two collectors at once", str(readers.both()[:5]))
check(wait(lambda: num("SELECT value FROM collector_status WHERE collector = 'coll-a' AND name = 'buses'") == 2, 5),
      "coll-a alone reads both buses (its figures)")

# What the console shows: the leases as the collectors wrote them, copied into the instance's own database
# on two buses of its own, with a stale lease of a collector with markup in its name.
gw = 9710
db(f"INSERT INTO gateways (id, name, host, ports) VALUES ({gw}, 'GW-L', '127.0.0.1', 4)")
db(f"INSERT INTO buses (id, gateway_id, port, address) VALUES ({gw}, {gw}, 1, 'tcp://127.0.0.1:1'),"
   f" ({gw + 1}, {gw}, 2, 'tcp://127.0.0.1:2')")
db(f"INSERT INTO bus_leases (bus_id, owner, lease_until, renewed_at, taken_over)"
   f" VALUES ({gw}, 'coll-a', UTC_TIMESTAMP(3) + INTERVAL 3 SECOND, UTC_TIMESTAMP(3), 1),"
   f" ({gw + 1}, 'x<b>\"y', UTC_TIMESTAMP(3) - INTERVAL 50 SECOND, UTC_TIMESTAMP(3) - INTERVAL 54 SECOND, 0)")
db("DELETE FROM collector_status WHERE collector IN ('coll-a', 'x<b>\"y')")
db("INSERT INTO collector_status (collector, name, value, updated_at) VALUES"
   " ('coll-a', 'heartbeat_unix', UNIX_TIMESTAMP(), UTC_TIMESTAMP(3)), ('coll-a', 'buses', 1, UTC_TIMESTAMP(3))")
web = operator()
h = web.get("/health").text
t = re.search(r'<table class="list" id="leases">(.*?)</table>', h, re.S)
rows = re.findall(r'<tr id="lease-(\d+)" class="lease (\w+)"><td>([^<]*)</td><td>(\d+)</td><td class="owner">([^<]*)</td>'
                  r'<td class="state[^"]*">([^<]*)</td><td class="until">([^<]*)</td><td class="left">(-?\d*)</td>',
                  t.group(1) if t else "")
mine = {r[0]: r for r in rows}
check(str(gw) in mine and mine[str(gw)][1:6] == ("ok", "GW-L", "1", "coll-a", "正常") and
      re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", mine[str(gw)][6]) and 0 <= int(mine[str(gw)][7]) <= 3,
      "the health page lists a held lease: gateway, port, owner, 正常, until, seconds left", str(rows))
check(str(gw + 1) in mine and mine[str(gw + 1)][1] == "stale" and mine[str(gw + 1)][4] == "x&lt;b&gt;&quot;y" and
      mine[str(gw + 1)][5] == "已过期，等待接管" and int(mine[str(gw + 1)][7]) <= -49,
      "a lease not renewed shows as stale, its owner's name escaped", str(rows))
c = re.search(r'<tr class="collector"><td class="name">coll-a</td>.*?<td class="held">([^<]*)</td>', h, re.S)
check(c and c.group(1) == "GW-L 1", "the collector's row lists the buses it holds", c.group(0)[:400] if c else h[:300])
check(re.search(r'<tr id="bus-%d">.*?<td class="owner">coll-a</td></tr>' % gw, h, re.S) and
      re.search(r'<tr id="bus-%d">.*?<td class="owner"></td></tr>' % (gw + 1), h, re.S),
      "the buses table names the collector reading each bus (none for a stale lease)")
check("总线租约" in h and "Bus leases" not in h, "the section is in Chinese")
m = web.get("/metrics").text
check(re.search(r'^prepaid_bus_lease_seconds_left\{bus="%d",gateway="%d",port="1",owner="coll-a"\} [0-3]\.\d$'
                % (gw, gw), m, re.M) and
      re.search(r'^prepaid_bus_lease_stale\{bus="%d",gateway="%d",port="2",owner="x_b__y"\} 1$' % (gw + 1, gw), m, re.M)
      and re.search(r'^prepaid_bus_lease_stale\{bus="%d",[^}]*\} 0$' % gw, m, re.M) and
      re.search(r'^prepaid_bus_lease_taken_over_total\{bus="%d",[^}]*\} 1$' % gw, m, re.M) and
      re.search(r'^prepaid_collector_buses\{collector="coll-a"\} 1$', m, re.M),
      "/metrics: each lease's seconds left, stale flag and takeovers, and each collector's buses",
      "\n".join(x for x in m.splitlines() if "lease" in x or "buses" in x))
db(f"DELETE FROM buses WHERE gateway_id = {gw}")
db(f"DELETE FROM gateways WHERE id = {gw}")
db("DELETE FROM collector_status WHERE collector = 'coll-a'")

readers.stop = True
rc, took_s = a.stop()
check(rc == 0 and num("SELECT COUNT(*) FROM bus_leases WHERE owner IS NOT NULL") == 0,
      f"the last collector stops and releases every lease ({took_s:.1f} s)")

# a collector takes no more buses than it can hold (max_buses): the rest wait for another
c = Collector("lease-c", extra=dict(fast, collector_name="coll-c", gateways="1,2", max_buses="1"))
time.sleep(3 * PERIOD + 1)
held = num("SELECT COUNT(*) FROM bus_leases WHERE owner = 'coll-c'")
free = num(f"SELECT COUNT(*) FROM bus_leases l JOIN buses b ON b.id = l.bus_id WHERE b.gateway_id IN (1, 2)"
           f" AND (l.owner IS NULL OR l.lease_until < NOW(3))")
check(held == 1 and free == 1, "max_buses 1 with two buses preferred: one held, the other left free", (held, free))
log = open(c.logpath, errors="replace").read() if hasattr(c, "logpath") else ""
check(log.count("not taken: this collector holds max_buses (1) buses") == 1,
      "and the log says why, once", log[-400:])
rc, _ = c.stop()
check(rc == 0, "that collector stops cleanly")
sim.stop()
done()
