"""t97_alarm_reports.py - F22 live alarms and F30 alarm history: episodes and counts per kind against SQL across a local day boundary, every filter's bad input, sort, .xlsx cells and types, acknowledgement (once, with a note, logged, escaped), rights."""
import io
import os
import sys
import datetime

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)
me = db_value(f"SELECT id FROM operators WHERE login = '{a.login_name}'")
# two meters of different buildings, with rooms
m1, num1, b1, f1 = db("SELECT m.id, m.number, r.building_id, r.floor FROM meters m JOIN rooms r ON r.id = m.room_id"
                      " ORDER BY r.building_id, m.id LIMIT 1")[0]
m2, num2, b2 = db(f"SELECT m.id, m.number, r.building_id FROM meters m JOIN rooms r ON r.id = m.room_id"
                  f" WHERE r.building_id <> {b1} ORDER BY m.id LIMIT 1")[0]
gw = db_value("SELECT id FROM gateways ORDER BY id LIMIT 1")
tag = uuid.uuid4().hex[:8]


def episode(kind, opened, closed=None, meter=None, gateway=None):
    key = "NULL" if closed else f"'t97{tag}{kind}{opened[-8:]}'"
    db(f"INSERT INTO alarms (kind, meter_id, gateway_id, opened_at, closed_at, remaining_fen, open_key) VALUES"
       f" ('{kind}', {meter or 'NULL'}, {gateway or 'NULL'}, '{opened}', {repr(closed) if closed else 'NULL'}, 123, {key})")
    return db_value("SELECT LAST_INSERT_ID()") if False else db_value("SELECT MAX(id) FROM alarms")


# the site's day changes at 16:00 UTC (+08:00)
e1 = episode("alarm1", "2026-03-01 15:59:59", meter=m1)                     # local 03-01 23:59:59
e2 = episode("arrears", "2026-03-01 16:00:00", "2026-03-01 18:00:00", meter=m1)  # local 03-02 00:00:00
e3 = episode("overload", "2026-03-02 10:00:00", meter=m2)
e4 = episode("gateway_lost", "2026-03-02 01:00:00", gateway=gw)
D1 = "'2026-03-01 16:00:00'"
D2 = "'2026-03-02 16:00:00'"


def ids(r):
    return set(re.findall(r'<tr id="alarm-(\d+)"', r.text))


r = a.get("/report/alarms?from=2026-03-02&to=2026-03-02&per=500")
check(r.status == 200 and "实时报警" in r.text, "the live alarms page shows", r.status)
got = ids(r)
check(e3 in got and e4 in got and e1 not in got and e2 not in got,
      "live alarms of the local day 03-02: the open ones opened from 00:00:00 local, not 23:59:59 the day before, not ended ones",
      (e1, e2, e3, e4, sorted(got)[:10]))
n = int(db_value(f"SELECT COUNT(*) FROM alarms WHERE closed_at IS NULL AND opened_at >= {D1} AND opened_at < {D2}"))
tot = re.search(r'<span class="total">(\d+)</span>', r.text)
check(tot and int(tot.group(1)) == n == len(got), "the count of the live list is that of SQL", (tot and tot.group(1), n, len(got)))
for kind, cnt in db(f"SELECT kind, COUNT(*) FROM alarms WHERE closed_at IS NULL AND opened_at >= {D1}"
                    f" AND opened_at < {D2} GROUP BY kind"):
    m = re.search(r'id="count-%s">[^<]* (\d+)</span>' % kind, r.text)
    check(m and m.group(1) == cnt, f"the count of {kind} is that of SQL ({cnt})", m and m.group(1))
row = re.search(r'<tr id="alarm-%s">(.*?)</tr>' % e3, r.text).group(1)
check(str(num2) in row and "2026-03-02 18:00:00" in row and "过载" in row, "an episode shows its meter, local opening time and kind in Chinese", row[:300])

r = a.get("/report/alarm-history?from=2026-03-01&to=2026-03-01&per=500")
got = ids(r)
check(e1 in got and e2 not in got, "history of the local day 03-01: 23:59:59 in, 00:00:00 of the next day out", sorted(got)[:5])
r = a.get("/report/alarm-history?from=2026-03-02&to=2026-03-02&state=closed&per=500")
got = ids(r)
check(e2 in got and e3 not in got and e4 not in got, "history: ended episodes only", sorted(got)[:5])
row = re.search(r'<tr id="alarm-%s">(.*?)</tr>' % e2, r.text).group(1)
check("2026-03-02 02:00:00" in row and "2小时0分钟" in row, "an ended episode shows its end and its duration", row[:400])
n = int(db_value(f"SELECT COUNT(*) FROM alarms WHERE closed_at IS NOT NULL AND opened_at >= {D1} AND opened_at < {D2}"))
check(len(got) == n, "the count of ended episodes that day is that of SQL", (len(got), n))
r = a.get(f"/report/alarm-history?building={b1}&from=2026-03-01&to=2026-03-02&per=500")
got = ids(r)
check(e1 in got and e2 in got and e3 not in got, "the building filter keeps the building's episodes", sorted(got)[:5])
r = a.get(f"/report/alarm-history?building={b1}&floor={f1}&kind=arrears&from=2026-03-01&to=2026-03-02")
got = ids(r)
check(got == {e2} or (e2 in got and e1 not in got), "building, floor and kind together", sorted(got)[:5])
r = a.get("/report/alarm-history?kind=gateway_lost&from=2026-03-02&to=2026-03-02")
check(e4 in ids(r) and "网关失联" in r.text, "a gateway's episode is found by its kind")

# bad input: an error next to the field, in Chinese, never a 500
bad = [("building", "abc", "请从列表中选择建筑"), ("building", "99999999", "请从列表中选择建筑"),
       ("building", "-1", "请从列表中选择建筑"), ("floor", "x", "楼层应为整数"), ("floor", "1" * 20, "楼层应为整数"),
       ("kind", "bogus", "请从列表中选择报警类型"), ("kind", "<script>alert(1)</script>", "请从列表中选择报警类型"),
       ("kind", "alarm1' OR '1'='1", "请从列表中选择报警类型"), ("from", "2026-13-01", None), ("to", "yesterday", None)]
for path in ("/report/alarms", "/report/alarm-history"):
    for field, value, msg in bad:
        r = a.get(path, **{field: value})
        e = r.field_error(field)
        check(r.status == 200 and e and (msg is None or e == msg) and "<script>alert" not in r.text,
              f"{path}: {field}={value[:20]!r} is an error next to the field in Chinese", (r.status, e))
r = a.get("/report/alarm-history?state=maybe")
check(r.status == 200 and r.field_error("state") == "请从列表中选择状态", "history: a bad state is an error next to it")
r = a.get("/report/alarm-history?from=2026-03-05&to=2026-03-01")
check(r.status == 200 and r.field_error("to"), "an end before the start is an error next to the end")
for s in ("-duration", "kind", "-room", "meter", "closed", "bogus", "'"):
    r = a.get("/report/alarm-history", sort=s, page="abc", per="-5")
    check(r.status == 200, f"sort {s!r} with a bad page and size still shows", r.status)
r = a.get("/report/alarm-history?from=2026-03-01&to=2026-03-02&sort=-duration&per=500")
order = [x for x in re.findall(r'<tr id="alarm-(\d+)"', r.text) if x in (e1, e2, e3, e4)]
durs = {x: int(db_value(f"SELECT TIMESTAMPDIFF(SECOND, opened_at, COALESCE(closed_at, UTC_TIMESTAMP())) FROM alarms WHERE id = {x}")) for x in order}
check(order == sorted(order, key=lambda x: -durs[x]), "sorted by duration, longest first", order)

# .xlsx
r = a.get("/report/alarm-history?from=2026-03-01&to=2026-03-02&export=xlsx")
check(r.status == 200 and r.body[:2] == b"PK", "the history exports as .xlsx", r.status)
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
rows = list(ws.iter_rows(values_only=True))
check(rows[0][0] == "报警类型" and rows[0][1] == "表号" and "持续时间（分钟）" in rows[0], "the headings are in Chinese", rows[0])
n = int(db_value(f"SELECT COUNT(*) FROM alarms WHERE opened_at >= '2026-02-28 16:00:00' AND opened_at < {D2}"))
check(len(rows) - 1 == n, "every episode of the dates is a row", (len(rows) - 1, n))
mine = [x for x in rows[1:] if x[0] == "欠费" and x[1] == int(num1)]
check(len(mine) >= 1, "the kind is its Chinese name, the meter a number", rows[1:3])
if mine:
    x = mine[0]
    check(isinstance(x[7], datetime.datetime) and x[7] == datetime.datetime(2026, 3, 2, 0, 0, 0), "the opening is a date-time cell, local", x[7])
    check(isinstance(x[9], int) and x[9] == 120, "the duration is a number of minutes", x[9])
    check(x[10] == "已结束", "the state is in Chinese", x[10])

# acknowledgement
r = a.get(f"/report/alarm/ack?id={e3}")
check(r.status == 200 and 'name="note"' in r.text and r.field_error("note") is None, "the acknowledgement form shows, without errors")
r = a.post("/report/alarm/ack", {"id": e3, "note": ""})
check(r.status == 200 and r.field_error("note"), "a missing note is an error next to it", r.field_error("note"))
r = a.post("/report/alarm/ack", {"id": e3, "note": "x" * 201})
check(r.status == 200 and r.field_error("note"), "a note of 201 characters is an error next to it")
note = "<b>检修</b> & 'q' \"z\""
r = a.post("/report/alarm/ack", {"id": e3, "note": note})
check(r.status == 200 and 'name="confirm"' in r.text and "&lt;b&gt;检修&lt;/b&gt;" in r.text and "<b>检修" not in r.text,
      "a note goes to a confirmation first, escaped")
check(db_value(f"SELECT acked_at IS NULL FROM alarms WHERE id = {e3}") == "1", "nothing is stored before the confirmation")
r = a.post("/report/alarm/ack", {"id": e3, "note": note, "confirm": "1"}, csrf=False)
check(r.status in (400, 403) and db_value(f"SELECT acked_at IS NULL FROM alarms WHERE id = {e3}") == "1",
      "without the form key nothing is stored", r.status)
a.get(f"/report/alarm/ack?id={e3}")
r = a.post("/report/alarm/ack", {"id": e3, "note": note, "confirm": "1"})
check(r.status == 303 and "done=acked" in r.location, "the confirmation goes back to the live alarms", (r.status, r.location))
st = db(f"SELECT acked_by, ack_note, acked_at FROM alarms WHERE id = {e3}")[0]
check(st[0] == me and st[1] == note, "who and the note are stored exactly", st)
check(count("oplog", f"action = 'alarm.ack' AND object = 'alarm:{e3}' AND operator_id = {me}") == 1,
      "the acknowledgement is in the operation log with the operator")
r = a.get("/report/alarms?done=acked&from=2026-03-02&to=2026-03-02&per=500")
row = re.search(r'<tr id="alarm-%s">(.*?)</tr>' % e3, r.text).group(1)
check("报警已确认" in r.text and a.login_name in row and "&lt;b&gt;检修&lt;/b&gt; &amp; " in row and "<b>" not in row,
      "the list shows who acknowledged and the note, escaped", row[-300:])
b = operator(role=1)
b.get(f"/report/alarm/ack?id={e3}")
r = b.post("/report/alarm/ack", {"id": e3, "note": "again", "confirm": "1"})
st2 = db(f"SELECT acked_by, ack_note, acked_at FROM alarms WHERE id = {e3}")[0]
check(r.status == 409 and "已由其他操作员确认" in r.text and st2 == st, "a second acknowledgement changes nothing and says so", r.status)
check(count("oplog", f"action = 'alarm.ack' AND object = 'alarm:{e3}'") == 1, "the log has one acknowledgement")
r = a.post("/report/alarm/ack", {"id": e2, "note": "late", "confirm": "1"})
check(r.status == 409 and "该报警已结束" in r.text and db_value(f"SELECT acked_at IS NULL FROM alarms WHERE id = {e2}") == "1",
      "an ended episode is not acknowledged, said so", r.status)
for bad_id in ("99999999", "abc", "", "-3", f"{e4} OR 1=1"):
    r = a.post("/report/alarm/ack", {"id": bad_id, "note": "n", "confirm": "1"})
    check(r.status == 404, f"acknowledging id {bad_id!r} is a 404", r.status)
check(db_value(f"SELECT acked_at IS NULL FROM alarms WHERE id = {e4}") == "1", "other episodes stay unacknowledged")

# rights
rid = None
for code, path in (("F22", "/report/alarms"), ("F30", "/report/alarm-history"), ("F22", f"/report/alarm/ack?id={e4}")):
    name = f"no{code}{uuid.uuid4().hex[:6]}"
    db(f"INSERT INTO roles (name) VALUES ('{name}')")
    rid = db_value(f"SELECT id FROM roles WHERE name = '{name}'")
    others = [f"F{i}" for i in range(1, 31) if f"F{i}" != code]
    db("INSERT INTO role_rights (role_id, right_code) VALUES " + ",".join(f"({rid}, '{c}')" for c in others))
    c = operator(role=int(rid))
    r = c.get(path)
    check(r.status == 403, f"an operator without {code} gets 403 on {path}", r.status)
done()
