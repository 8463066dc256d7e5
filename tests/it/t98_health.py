"""t98_health.py - F26 lost meters, F27 lost gateways (since, last good read, bus health against SQL, bad filters, .xlsx) and B9 the health page (collectors, buses, queues, database, the backup's stamp, reconciliation, rights)."""
import io
import os
import sys
import datetime

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)
m1, num1, bus, gw, b1 = db("SELECT m.id, m.number, m.bus_id, bu.gateway_id, r.building_id FROM meters m"
                           " JOIN buses bu ON bu.id = m.bus_id JOIN rooms r ON r.id = m.room_id ORDER BY m.id LIMIT 1")[0]
m2 = db_value(f"SELECT id FROM meters WHERE bus_id = {bus} AND id <> {m1} ORDER BY id LIMIT 1")
for m, since in ((m1, "2026-03-01 15:59:00"), (m2, "2026-03-01 16:00:00")):
    db(f"INSERT INTO meter_state (meter_id, read_at, lost, lost_since, fail_streak, last_error) VALUES ({m},"
       f" '2026-03-01 15:00:00', 1, '{since}', 7, 'timeout') ON DUPLICATE KEY UPDATE read_at = VALUES(read_at),"
       f" lost = 1, lost_since = VALUES(lost_since), fail_streak = 7")
db(f"INSERT INTO bus_health (bus_id, reads_ok, reads_failed, timeouts, exceptions, bad_frames, link_errors,"
   f" latency_ms_sum, last_cycle_at, last_cycle_ms) VALUES ({bus}, 970, 30, 10, 5, 3, 12, 97000, '2026-03-01 16:30:00', 2345)"
   f" ON DUPLICATE KEY UPDATE reads_ok = 970, reads_failed = 30, timeouts = 10, exceptions = 5, bad_frames = 3,"
   f" link_errors = 12, latency_ms_sum = 97000, last_cycle_at = VALUES(last_cycle_at), last_cycle_ms = 2345")
db(f"INSERT INTO gateway_state (gateway_id, lost, lost_since) VALUES ({gw}, 1, '2026-03-01 16:00:00')"
   f" ON DUPLICATE KEY UPDATE lost = 1, lost_since = VALUES(lost_since)")

r = a.get("/report/lost-meters?per=500")
check(r.status == 200 and "失联表" in r.text, "the lost meters page shows", r.status)
n = int(db_value("SELECT COUNT(*) FROM meter_state WHERE lost = 1"))
tot = re.search(r'<span class="total">(\d+)</span>', r.text)
check(tot and int(tot.group(1)) == n, "its count is that of SQL", (tot and tot.group(1), n))
row = re.search(r'<tr id="meter-%s">(.*?)</tr>' % m1, r.text, re.S)
row = row.group(1) if row else ""
check('class="since">2026-03-01 23:59:00<' in row and 'class="last-read">2026-03-01 23:00:00<' in row,
      "since when and the last good read, in local time", row[:400])
check('class="rate">97.00<' in row and 'class="latency">100<' in row and 'class="timeouts">10<' in row
      and 'class="exceptions">5<' in row and 'class="bad-frames">3<' in row and 'class="link-errors">12<' in row
      and 'class="fails">7<' in row, "the bus's success rate, latency and faults by kind", row[-600:])
got = set(re.findall(r'<tr id="meter-(\d+)"', a.get("/report/lost-meters?from=2026-03-02&to=2026-03-02&per=500").text))
check(m2 in got and m1 not in got, "the date filter is the site's local day (00:00 in, 23:59 of the day before out)")
got = set(re.findall(r'<tr id="meter-(\d+)"', a.get(f"/report/lost-meters?gateway={gw}&building={b1}&per=500").text))
n = int(db_value(f"SELECT COUNT(*) FROM meter_state s JOIN meters m ON m.id = s.meter_id JOIN buses bu ON bu.id = m.bus_id"
                 f" JOIN rooms r ON r.id = m.room_id WHERE s.lost = 1 AND bu.gateway_id = {gw} AND r.building_id = {b1}"))
check(m1 in got and len(got) == n, "gateway and building filters against SQL", (len(got), n))
for path in ("/report/lost-meters", "/report/lost-gateways"):
    for field, value in (("building", "x"), ("building", "0"), ("gateway", "99999999"), ("gateway", "<b>"),
                         ("from", "2026-02-30x"), ("to", "'; DROP TABLE meters; --")):
        r = a.get(path, **{field: value})
        check(r.status == 200 and r.field_error(field) and "<b>" not in r.text.split("<main>")[-1].replace("<b>", "", 0) or
              (r.status == 200 and r.field_error(field)), f"{path}: {field}={value!r} is an error next to it", r.status)
r = a.get("/report/lost-meters?floor=abc")
check(r.status == 200 and r.field_error("floor") == "楼层应为整数", "a bad floor is an error next to it")
for s in ("-rate", "room", "last_read", "bogus"):
    check(a.get("/report/lost-meters", sort=s).status == 200, f"lost meters sorted by {s}")
r = a.get(f"/report/lost-meters?gateway={gw}&export=xlsx")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
rows = list(ws.iter_rows(values_only=True))
mine = [x for x in rows[1:] if x[0] == int(num1)]
check(rows[0][0] == "表号" and len(mine) == 1, "lost meters export with Chinese headings, the meter a number", rows[:2])
if mine:
    x = mine[0]
    check(x[7] == datetime.datetime(2026, 3, 1, 23, 59) and abs(x[11] - 97.0) < 1e-9 and x[12] == 100 and x[13] == 10,
          "the export's since is a local date-time, the rate and faults numbers", x)

r = a.get("/report/lost-gateways?per=500")
row = re.search(r'<tr id="gw-%s">(.*?)</tr>' % gw, r.text, re.S)
row = row.group(1) if row else ""
meters = db_value(f"SELECT COUNT(*) FROM meters m JOIN buses bu ON bu.id = m.bus_id WHERE bu.gateway_id = {gw}")
lostn = db_value(f"SELECT COUNT(*) FROM meters m JOIN buses bu ON bu.id = m.bus_id JOIN meter_state s ON s.meter_id = m.id"
                 f" WHERE bu.gateway_id = {gw} AND s.lost = 1")
ok, failed = db(f"SELECT SUM(h.reads_ok), SUM(h.reads_failed) FROM buses bu JOIN bus_health h ON h.bus_id = bu.id"
                f" WHERE bu.gateway_id = {gw}")[0]
rate = round(10000 * int(ok) / (int(ok) + int(failed)))
check(r.status == 200 and 'class="since">2026-03-02 00:00:00<' in row and f'class="meters">{meters}<' in row
      and f'class="meters-lost">{lostn}<' in row, "a lost gateway: since, its meters and lost meters as SQL counts them", row[:500])
check(f'class="rate">{rate // 100}.{rate % 100:02d}<' in row, "its buses' success rate as SQL adds it up", (rate, row[-500:]))
r = a.get("/report/lost-gateways?export=xlsx")
rows = list(openpyxl.load_workbook(io.BytesIO(r.body)).active.iter_rows(values_only=True))
check(rows[0][0] == "通讯管理机" and len(rows) - 1 == int(db_value("SELECT COUNT(*) FROM gateway_state WHERE lost = 1")),
      "lost gateways export a row each", len(rows))

# B9
db("DELETE FROM collector_status WHERE collector IN ('t98-live', 't98-gone')")
db("INSERT INTO collector_status (collector, name, value, updated_at) VALUES"
   " ('t98-live', 'heartbeat_unix', 1, UTC_TIMESTAMP(3) - INTERVAL 5 SECOND), ('t98-live', 'meters_read', 478, UTC_TIMESTAMP(3)),"
   " ('t98-live', 'meters_lost', 2, UTC_TIMESTAMP(3)), ('t98-live', 'cycle_ms', 1234, UTC_TIMESTAMP(3)),"
   " ('t98-live', 'modem_rssi', 21, UTC_TIMESTAMP(3)), ('t98-gone', 'heartbeat_unix', 1, UTC_TIMESTAMP(3) - INTERVAL 600 SECOND)")
db("INSERT INTO reconcile_runs (run_at, total, detail) VALUES ('2026-03-01 16:05:00', 3, 't98')")
# a holder's SMS held by a quiet period overnight is not a backlog; one withdrawn is not sent at all
db("INSERT INTO sms_outbox (phone, body, status, held, created_at) VALUES"
   " ('13900000098', 't98 held', 'queued', 1, UTC_TIMESTAMP(3) - INTERVAL 20 YEAR),"
   " ('13900000098', 't98 withdrawn', 'withdrawn', 0, UTC_TIMESTAMP(3)),"
   " ('13900000098', 't98 queued', 'queued', 0, UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE)")
r = a.get("/health")
check(r.status == 200 and "系统状态" in r.text, "the health page shows", r.status)
live = re.search(r'<td class="name">t98-live</td>(.*?)</tr>', r.text, re.S)
gone = re.search(r'<td class="name">t98-gone</td>(.*?)</tr>', r.text, re.S)
check(live and 'class="read">478<' in live.group(1) and 'class="rssi">21<' in live.group(1) and "stale" not in live.group(1),
      "a live collector: its meters read and the modem's signal", live and live.group(1)[:300])
check(gone and "超过3分钟无心跳" in gone.group(1), "a collector silent for 10 minutes is marked", gone and gone.group(1)[:300])
for st, cnt in db("SELECT status, COUNT(*) FROM commands GROUP BY status"):
    check(re.search(r'id="cmd-%s">[^<]*<b>%s</b>' % (st, cnt), r.text) is not None, f"commands {st}: {cnt} as SQL counts them")
q = db_value("SELECT COUNT(*) FROM sms_outbox WHERE status = 'queued' AND held = 0")
h = db_value("SELECT COUNT(*) FROM sms_outbox WHERE status = 'queued' AND held = 1")
w = db_value("SELECT COUNT(*) FROM sms_outbox WHERE status = 'withdrawn'")
check(f'id="sms-queued">{q}<' in r.text and int(h) >= 1, "the SMS outbox backlog as SQL counts it, without the held ones")
check(f'id="sms-held">{h}<' in r.text and f'id="sms-withdrawn">{w}<' in r.text, "held and withdrawn SMS counted apart",
      (h, w))
oldest = db_value("SELECT MIN(created_at) FROM sms_outbox WHERE status = 'queued' AND held = 0")
check(oldest is not None and re.search(r'id="sms-oldest">[^<]+<', r.text) is not None
      and db_value("SELECT MIN(created_at) FROM sms_outbox WHERE status = 'queued'") != oldest,
      "the oldest waiting SMS is not the one held overnight")
bus_row = re.search(r'<tr id="bus-%s">(.*?)</tr>' % bus, r.text, re.S)
check(bus_row and 'class="rate">97.00<' in bus_row.group(1) and "2026-03-02 00:30:00 (2345 ms)" in bus_row.group(1),
      "each bus's health and last cycle", bus_row and bus_row.group(1)[-300:])
check(re.search(r'id="db-mb">\d+\.\d<', r.text) and re.search(r'id="db-tables">[1-9]\d*<', r.text), "the database's size")
check('id="reconcile-at">2026-03-02 00:05:00<' in r.text and 'id="reconcile-total">3<' in r.text
      or int(db_value("SELECT MAX(id) FROM reconcile_runs")) != int(db_value("SELECT id FROM reconcile_runs WHERE detail = 't98'")),
      "the last reconciliation, local time and its mismatches")
stamp = os.path.join(VAR, "last-backup")
if os.path.exists(stamp):
    os.unlink(stamp)
r = a.get("/health")
check('id="backup-none"' in r.text, "no backup yet: said so")
open(stamp, "w").write("garbage\n")
check('id="backup-bad"' in a.get("/health").text, "a stamp that is not one: said so, no 500")
out = subprocess.run(["sh", os.path.join(TOP, "conf", "prepaidctl"), "backup", os.path.join(VAR, "t98.sql")],
                     capture_output=True, text=True)
size = os.path.getsize(os.path.join(VAR, "t98.sql")) if os.path.exists(os.path.join(VAR, "t98.sql")) else 0
check(out.returncode == 0 and size > 10000, "prepaidctl backup dumps the database", out.stderr[-300:])
r = a.get("/health")
m = re.search(r'id="backup-at">([^<]+)<', r.text)
now = datetime.datetime.utcnow() + datetime.timedelta(hours=8)
check(m and abs((datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S") - now).total_seconds()) < 120,
      "the health page shows the backup's time in local time", m and m.group(1))
check(f'id="backup-mb">{size / 1048576:.1f}<' in r.text and "t98.sql" in r.text, "and its size and file")
os.unlink(os.path.join(VAR, "t98.sql"))
name = f"noB9{uuid.uuid4().hex[:6]}"
db(f"INSERT INTO roles (name) VALUES ('{name}')")
rid = db_value(f"SELECT id FROM roles WHERE name = '{name}'")
db("INSERT INTO role_rights (role_id, right_code) VALUES " + ",".join(f"({rid}, 'F{i}')" for i in range(1, 31)))
check(operator(role=int(rid)).get("/health").status == 403, "an operator with F1-F30 but without B9 gets 403 on /health")
for code, path in (("F26", "/report/lost-meters"), ("F27", "/report/lost-gateways")):
    name = f"no{code}{uuid.uuid4().hex[:6]}"
    db(f"INSERT INTO roles (name) VALUES ('{name}')")
    rid = db_value(f"SELECT id FROM roles WHERE name = '{name}'")
    db("INSERT INTO role_rights (role_id, right_code) VALUES " + ",".join(
        f"({rid}, 'F{i}')" for i in range(1, 31) if f"F{i}" != code))
    check(operator(role=int(rid)).get(path).status == 403, f"an operator without {code} gets 403 on {path}")
done()
