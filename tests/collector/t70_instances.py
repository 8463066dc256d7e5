"""t70_instances.py - two collectors on one site, each with its own name and gateways: separate heartbeats, and one's restart leaves the other's command claims alone."""
import re
import time

from clib import Collector, Sim, check, command, done, meter_id, num, read_all, setup_db, site, sql, wait
from lib import db, operator  # noqa: E402 (found through clib's path)

setup_db()
PA, PB = 16130, 16131
ma = [(a, 7010100 + a, "ddsy1352nk") for a in range(1, 4)]
mb = [(a, 7020100 + a, "ddsy1352nk") for a in range(1, 3)]
site([(1, 1, f"tcp://127.0.0.1:{PA}", ma), (2, 1, f"tcp://127.0.0.1:{PB}", mb)], room=False)
sim = Sim("instances", [(PA, a, n, p) for a, n, p in ma] + [(PB, a, n, p) for a, n, p in mb], ["--no-load"])
# a retry waits 300 s: a claim released by a restart shows as an early try
slow = {"command_retry_s": "300", "command_retry_max_s": "600", "command_max_tries": "9"}
conf_a = dict(slow, collector_name="coll-a", gateways="1")
conf_b = dict(slow, collector_name="coll-b", gateways="2")
a = Collector("inst-a", extra=conf_a)
b = Collector("inst-b", extra=conf_b)
check(read_all(), "both collectors read their gateways")


def figure(who, name):
    return num(f"SELECT value FROM collector_status WHERE collector = '{who}' AND name = '{name}'")


check(wait(lambda: figure("coll-a", "meters_total") == 3 and figure("coll-b", "meters_total") == 2, 10),
      "each collector's heartbeat rows carry its own figures (3 and 2 meters)",
      str(sql("SELECT collector, name, value FROM collector_status WHERE name = 'meters_total'")))
now = int(time.time())
check(all(abs((figure(w, "heartbeat_unix") or 0) - now) <= 5 for w in ("coll-a", "coll-b")),
      "both heartbeats are current", str(sql("SELECT collector, value FROM collector_status"
                                               " WHERE name = 'heartbeat_unix'")))
check(num("SELECT COUNT(*) FROM collector_status WHERE collector NOT IN ('coll-a', 'coll-b')") == 0,
      "no heartbeat row without a collector's name")

# What the console shows: the instance's own database gets the rows the two collectors wrote (and a name
# with markup in it), then /metrics and the start page list each collector's heartbeat.
db("DELETE FROM collector_status")
for row in sql("SELECT collector, name, value, updated_at FROM collector_status"):
    db("INSERT INTO collector_status (collector, name, value, updated_at) VALUES ('%s', '%s', %s, '%s')" % tuple(row))
db("INSERT INTO collector_status (collector, name, value, updated_at)"
   " VALUES ('x<b>\"y', 'heartbeat_unix', UNIX_TIMESTAMP() - 100, UTC_TIMESTAMP(3) - INTERVAL 100 SECOND)")
web = operator()
m = web.get("/metrics").text
for who, total in (("coll-a", 3), ("coll-b", 2)):
    check(re.search(r'^prepaid_collector_heartbeat_unix\{collector="%s"\} \d{10}$' % who, m, re.M) and
          re.search(r'^prepaid_collector_heartbeat_age_seconds\{collector="%s"\} \d+$' % who, m, re.M) and
          re.search(r'^prepaid_collector_meters_total\{collector="%s"\} %d$' % (who, total), m, re.M),
          f"/metrics: {who}'s heartbeat, its age and its meters", m[-1500:])
check(m.count("# TYPE prepaid_collector_heartbeat_unix gauge") == 1 and
      re.search(r'^prepaid_collector_heartbeat_age_seconds\{collector="x_b__y"\} (9\d|1[01]\d)$', m, re.M),
      "/metrics: one family per figure; a name with markup becomes a plain label; its heartbeat 100 s old")
h = web.get("/").text
t = re.search(r'<table class="list" id="collectors">(.*?)</table>', h, re.S)
rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>(\d+)秒前</td></tr>", t.group(1) if t else "")
check([r[0] for r in rows] == ["coll-a", "coll-b", "x&lt;b&gt;&quot;y"] and int(rows[2][2]) >= 99,
      "the start page lists each collector's last heartbeat and its age, names escaped", str(rows))
db("DELETE FROM collector_status")

# A trip for a meter of each that does not answer: each is claimed, tried and put back for 300 s.
va, vb = ma[1][1], mb[0][1]
sim.ctl(f"fault {va} silent")
sim.ctl(f"fault {vb} silent")
ca, cb = command(meter_id(va), "trip"), command(meter_id(vb), "trip")


def tries(c):
    return num(f"SELECT tries FROM commands WHERE id = {c}")


def put_back(c):
    """Tried once and put back with its reason (past the claim's lease)."""
    return num(f"SELECT tries = 1 AND error LIKE 'write:%' FROM commands WHERE id = {c}") == 1


check(wait(lambda: put_back(ca) and put_back(cb), 20), "each command tried once and put back",
      str(sql(f"SELECT id, status, tries, error, claimed_by FROM commands WHERE id IN ({ca}, {cb})")))
check(sql(f"SELECT claimed_by FROM commands WHERE id IN ({ca}, {cb}) ORDER BY id") == [["coll-a"], ["coll-b"]],
      "each claim names its collector")
due_b = sql(f"SELECT next_try_at FROM commands WHERE id = {cb}")[0][0]
check(num(f"SELECT next_try_at > NOW(3) + INTERVAL 200 SECOND FROM commands WHERE id = {cb}") == 1,
      "coll-b's command waits out its back-off", due_b)

# coll-a restarts: it releases its own claim (tried again at once), not coll-b's.
rc, _ = a.stop()
check(rc == 0, "coll-a stopped")
a = Collector("inst-a", extra=conf_a)
check(wait(lambda: tries(ca) == 2, 15), "coll-a's restart released its own claim: tried again at once",
      str(sql(f"SELECT status, tries, next_try_at, claimed_by FROM commands WHERE id = {ca}")))
time.sleep(2)
check(tries(cb) == 1 and sql(f"SELECT next_try_at FROM commands WHERE id = {cb}")[0][0] == due_b,
      "coll-b's claim is left alone by coll-a's restart (not tried again, same back-off)",
      str(sql(f"SELECT status, tries, next_try_at, claimed_by FROM commands WHERE id = {cb}")))
check(b.alive() and figure("coll-b", "meters_total") == 2 and figure("coll-a", "meters_total") == 3,
      "after the restart each heartbeat still has its own figures")

# coll-b restarts too: now its own claim goes out again, and coll-a's stays put.
sim.ctl(f"fault {vb} none")
due_a = sql(f"SELECT next_try_at FROM commands WHERE id = {ca}")[0][0]
rc, _ = b.stop()
b = Collector("inst-b", extra=conf_b)
check(wait(lambda: sql(f"SELECT status FROM commands WHERE id = {cb}")[0][0] == "confirmed", 15),
      "coll-b's restart released its claim: its trip is confirmed", str(sql(f"SELECT * FROM commands WHERE id = {cb}")))
check(sim.get(vb)["force_open"] == 1, "the meter of coll-b is tripped")
check(tries(ca) == 2 and sql(f"SELECT next_try_at FROM commands WHERE id = {ca}")[0][0] == due_a,
      "coll-a's claim is left alone by coll-b's restart")
for c in (a, b):
    rc, took = c.stop()
    check(rc == 0, f"stopped cleanly ({took:.1f} s)")
sim.stop()
done()
