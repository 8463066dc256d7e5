"""t98_tariffs.py - B6 tariffs: versions with effective dates, time-of-use tables, assignment, price downloads."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)
name = "峰谷" + uuid.uuid4().hex[:5]
a.get("/tariffs")
r = a.post("/tariff", {"name": name, "note": "宿舍分时"})
check(r.status == 303, "a tariff is created")
tid = db_value(f"SELECT id FROM tariffs WHERE name = '{name}'")
r = a.post("/tariff", {"name": name})
check("已存在" in (r.field_error("name") or ""), "a duplicate tariff name is refused")
today = db_value("SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00'))")
tomorrow = db_value("SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00')) + INTERVAL 1 DAY")
good = {"tariff": tid, "date": today, "p0": "0.9", "p1": "0.7", "p2": "0.588", "p3": "0.3", "tou": "00:00=3,08:00=1,12:00=0,14:00=1,22:00=3"}
V0 = count("tariff_versions")
for field, bad, why in [("date", "2001-01-01", "早于今天"), ("date", "tomorrow", "YYYY"), ("p1", "0.12345", "四位小数"),
                        ("p2", "-1", "超出"), ("p3", "", "必填"), ("tou", "08:00=1", "00:00"), ("tou", "00:00=3,12:00=1,08:00=2", "先后"),
                        ("tou", "00:00=9", "格式"), ("tou", ",".join("%02d:00=1" % h for h in range(0, 18, 2)), "8段"),
                        ("tariff", "99999999", "选择")]:
    r = a.post("/tariff/version", dict(good, **{field: bad}))
    check(why in (r.field_error(field) or ""), f"version with {field} {bad[:20]!r} refused", r.field_error(field))
check(count("tariff_versions") == V0, "refused versions saved nothing")

# Assign a floor of meters, then a version in force today: price downloads go out once.
b2 = db_value("SELECT id FROM buildings WHERE name = '2号楼'")
C0 = count("commands", "kind = 'price'")
r = a.post("/tariff/assign", {"tariff": tid, "building": b2, "floor": "5"})
check(r.status == 200 and "还没有电价版本" in (r.field_error("atariff") or "") and count("meter_tariffs", f"tariff_id = {tid}") == 0,
      "a tariff without any version cannot be assigned, said next to the tariff", r.field_error("atariff"))
r = a.post("/tariff/version", dict(good, date=tomorrow))
check(r.status == 303 and count("commands", "kind = 'price'") == C0, "a version from tomorrow is scheduled, not sent")
r = a.post("/tariff/assign", {"tariff": tid, "building": b2, "floor": "5"})
check(r.status == 303 and "n=20" in r.location and count("meter_tariffs", f"tariff_id = {tid}") == 20,
      "20 meters of a floor get the tariff")
r = a.get(r.location)
check(re.search(r"已将 20 块电表指定为电价方案「" + re.escape(name) + "」", r.text),
      "the page says how many meters got which tariff", re.findall(r'id="n-assigned">([^<]*)<', r.text))
check(count("commands", "kind = 'price'") == C0, "with no version in force yet, nothing is sent")
r = a.post("/tariff/version", good)
check(r.status == 303, "a version in force from today is saved")
pl = db(f"SELECT DISTINCT c.payload FROM commands c JOIN meter_tariffs mt ON mt.meter_id = c.meter_id"
        f" WHERE mt.tariff_id = {tid} AND c.kind = 'price'")
check(count("commands", "kind = 'price'") == C0 + 20 and
      pl == [["p0=9000&p1=7000&p2=5880&p3=3000&tou=0:3,480:1,720:0,840:1,1320:3"]],
      "its prices and day table go to the 20 meters", pl)
r = a.get("/tariffs")
check(count("commands", "kind = 'price'") == C0 + 20, "a version goes out once, however often the page is seen")
check("已下发" in r.text and "待生效" in r.text, "the page shows the sent and the scheduled version")
check("00:00=谷,08:00=峰,12:00=尖,14:00=峰,22:00=谷" in r.text, "the day table is shown with the slots' names")

# One price is typed once; slots by name; unused slots take the flat price.
one = "单一" + uuid.uuid4().hex[:5]
a.post("/tariff", {"name": one})
oid = db_value(f"SELECT id FROM tariffs WHERE name = '{one}'")
r = a.post("/tariff/version", {"tariff": oid, "date": tomorrow, "p2": "0.5880"})
check(r.status == 303, "a one-price version needs only the flat price", [r.field_error(k) for k in ("p0", "p1", "p3")])
check(db(f"SELECT p0, p1, p2, p3, tou FROM tariff_versions WHERE tariff_id = {oid}") == [["5880", "5880", "5880", "5880", ""]],
      "and gives it to every slot")
r = a.post("/tariff/version", {"tariff": oid, "date": db_value(f"SELECT '{tomorrow}' + INTERVAL 1 DAY"),
                               "p1": "0.7", "p3": "0.3", "tou": "00:00=谷，08:00=峰,22:00=谷"})
check(r.status == 303, "a peak/valley table by name needs only the peak and valley prices",
      [r.field_error(k) for k in ("p0", "p2", "tou")])
check(db(f"SELECT p1, p3, tou FROM tariff_versions WHERE tariff_id = {oid} ORDER BY effective_date DESC LIMIT 1")
      == [["7000", "3000", "0:3,480:1,1320:3"]], "its prices and table are stored")
r = a.post("/tariff/version", {"tariff": oid, "date": db_value(f"SELECT '{tomorrow}' + INTERVAL 2 DAY"),
                               "p1": "0.7", "tou": "00:00=谷,08:00=峰"})
check("必填" in (r.field_error("p3") or "") and r.field_error("p0") is None,
      "a slot the table uses needs its price, one it does not use does not", (r.field_error("p3"), r.field_error("p0")))
env = dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf")
out = subprocess.run([f"{TOP}/build/prepaid-admin", "apply-tariffs"], env=env, capture_output=True, text=True).stdout
check("queued 0" in out, "the daily job finds nothing more to send today", out)
# Tomorrow's version, once its day has come.
db(f"UPDATE tariff_versions SET effective_date = effective_date - INTERVAL 2 DAY WHERE tariff_id = {tid}")
out = subprocess.run([f"{TOP}/build/prepaid-admin", "apply-tariffs"], env=env, capture_output=True, text=True).stdout
check("queued 20" in out and count("commands", "kind = 'price'") == C0 + 40, "when tomorrow's version comes into force it goes out", out)
r = a.post("/tariff/assign", {"tariff": tid, "meter": db_value("SELECT number FROM meters WHERE profile = 'ddsy1352nk' LIMIT 1")})
check(r.status == 303 and "n=1" in r.location, "a single meter is assigned by its number and gets the prices")
r = a.post("/tariff/assign", {"tariff": tid})
check("必填" in (r.field_error("building") or ""), "an assignment names a building or a meter")
done()
