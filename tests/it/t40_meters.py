"""t40_meters.py - F8 single meters: create, edit, the limits of a bus, list filters, sort and export."""
import io
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)
sfx = uuid.uuid4().hex[:6]
BASE_NO = 1400000000 + random.randint(0, 9999) * 1000


def numbers(r):
    return re.findall(r'<td class="number">([^<]*)</td>', r.text)


def xlsx_rows(body):
    try:
        ws = openpyxl.load_workbook(io.BytesIO(body)).active
        return [[("" if c is None else str(c)) for c in row] for row in ws.iter_rows(values_only=True)]
    except Exception as e:  # noqa: BLE001
        return [[repr(e)]]


def meter(num, bus, addr, **extra):
    f = {"number": str(num), "profile": "ddsy1352nk", "bus_id": str(bus), "address": str(addr),
         "building_id": "", "room": "", "note": ""}
    f.update(extra)
    return f


# My own site: a building with rooms, a gateway with 2 buses.
a.get("/building")
a.post("/building", {"name": "表楼" + sfx, "floors": "2"})
bid = db_value(f"SELECT id FROM buildings WHERE name = '表楼{sfx}'")
for fl, n in [(1, "101"), (1, "102"), (2, "201")]:
    a.post("/room", {"building_id": bid, "floor": str(fl), "number": n})
a.get("/gateway")
a.post("/gateway", {"name": "表网关" + sfx, "host": "127.0.9.9", "ports": "2",
                    "addr1": "tcp://127.0.9.9:502", "baud1": "9600", "parity1": "E", "stop1": "1",
                    "addr2": "tcp://127.0.9.9:503", "baud2": "9600", "parity2": "E", "stop2": "1"})
gid = db_value(f"SELECT id FROM gateways WHERE name = '表网关{sfx}'")
bus1 = db_value(f"SELECT id FROM buses WHERE gateway_id = {gid} AND port = 1") if gid else None
bus2 = db_value(f"SELECT id FROM buses WHERE gateway_id = {gid} AND port = 2") if gid else None
check(bid and gid and bus1 and bus2 and count("rooms", f"building_id = {bid}") == 3, "my building, rooms and gateway exist")

# Create a meter on a bus with an address and a room.
r = a.get("/meter")
check(r.status == 200 and 'name="bus_id"' in r.text and f"表网关{sfx}" in r.text, "the new meter form offers my buses")
n1 = BASE_NO + 1
r = a.post("/meter", meter(n1, bus1, 1, building_id=bid, room="101", note="<i>" + sfx))
check(r.status == 303 and "/meters" in r.location, "a meter is created",
      [(k, r.field_error(k)) for k in ("number", "bus_id", "address", "room")])
row = db(f"SELECT m.profile, m.bus_id, m.address, r.number, m.note FROM meters m LEFT JOIN rooms r ON r.id = m.room_id"
         f" WHERE m.number = {n1}")
check(row == [["ddsy1352nk", bus1, "1", "101", "<i>" + sfx]], "it is stored with its bus, address and room", row)
mid = db_value(f"SELECT id FROM meters WHERE number = {n1}")
log = db(f"SELECT before_val, after_val FROM oplog WHERE action = 'meter.create' AND object = 'meter:{n1}'")
check(len(log) == 1 and log[0][0] == "NULL" and f'"number":"{n1}"' in log[0][1] and '"address":"1"' in log[0][1],
      "the creation is logged", log)

# Bad input: each field's error, nothing stored.
nm = count("meters", f"number BETWEEN {BASE_NO} AND {BASE_NO + 999}")
n2 = BASE_NO + 2
for fields, field, why in [
        (meter(n2, bus1, 0), "address", "超出"),
        (meter(n2, bus1, 248), "address", "超出"),
        (meter(n2, bus1, "x"), "address", "整数"),
        (meter(n2, bus1, ""), "address", "必填"),
        (meter(n2, bus1, "1.5"), "address", "整数"),
        (meter(n2, bus1, 1), "address", "已被其他仪表占用"),
        (meter(n1, bus1, 2), "number", "已存在"),
        (meter(1010101, bus1, 2), "number", "已存在"),
        (meter("abc", bus1, 2), "number", "整数"),
        (meter("0", bus1, 2), "number", "超出"),
        (meter("-5", bus1, 2), "number", "超出"),
        (meter("2147483648", bus1, 2), "number", "超出"),
        (meter("", bus1, 2), "number", "必填"),
        (meter("' OR 1=1 --", bus1, 2), "number", "整数"),
        (meter(n2, bus1, 2, profile="foo"), "profile", "选择"),
        (meter(n2, bus1, 2, profile=""), "profile", "必填"),
        (meter(n2, "99999999", 2), "bus_id", "选择"),
        (meter(n2, "abc", 2), "bus_id", "选择"),
        (meter(n2, "", 2), "bus_id", "必填"),
        (meter(n2, bus1, 2, building_id=bid, room="999"), "room", "找不到"),
        (meter(n2, bus1, 2, building_id=bid, room="' OR 1=1 --"), "room", "找不到"),
        (meter(n2, bus1, 2, building_id="99999999", room="101"), "room", "找不到"),
        (meter(n2, bus1, 2, room="101"), "building_id", "必填"),
        (meter(n2, bus1, 2, building_id=bid), "room", "必填"),
        (meter(n2, bus1, 2, note="x" * 101), "note", "过长")]:
    r = a.post("/meter", fields)
    check(r.status == 200 and why in (r.field_error(field) or ""),
          f"meter: {field}={str(fields[field])[:12]!r} gives err-{field}", (r.status, r.field_error(field)))
check(count("meters", f"number BETWEEN {BASE_NO} AND {BASE_NO + 999}") == nm, "refused meter forms stored nothing")
r = a.post("/meter", meter(n2, bus1, 2), csrf=False)
check(r.status == 403 and count("meters", f"number = {n2}") == 0, "a POST without the csrf token is refused")

# The same address on the other bus is fine; the same submission twice is not.
r = a.post("/meter", meter(n2, bus2, 1, building_id=bid, room="102"))
check(r.status == 303, "address 1 on another bus is free", r.field_error("address"))
r = a.post("/meter", meter(n2, bus2, 1, building_id=bid, room="102"))
check(r.status == 200 and (r.field_error("address") or r.field_error("number")) and count("meters", f"number = {n2}") == 1,
      "the same form again is refused and stores no second meter")

# A bus holds 32 meters at most: fill bus 2 (1 meter already) with 31 more, then the 33rd is refused.
ok = 0
for i in range(31):
    r = a.post("/meter", meter(BASE_NO + 100 + i, bus2, 2 + i))
    ok += r.status == 303
check(ok == 31 and count("meters", f"bus_id = {bus2}") == 32, "bus 2 takes 32 meters", ok)
r = a.post("/meter", meter(BASE_NO + 200, bus2, 100))
check(r.status == 200 and "32" in (r.field_error("bus_id") or ""), "the 33rd meter on a bus gives err-bus_id", r.field_error("bus_id"))
check(count("meters", f"bus_id = {bus2}") == 32, "and the bus still has 32")
m2 = db_value(f"SELECT id FROM meters WHERE number = {n2}")
r = a.post(f"/meter?id={m2}", meter(n2, bus2, 1, building_id=bid, room="102", note="满" + sfx))
check(r.status == 303 and db_value(f"SELECT note FROM meters WHERE id = {m2}") == "满" + sfx,
      "a meter on a full bus can still be edited")
r = a.post(f"/meter?id={mid}", meter(n1, bus2, 99))
check(r.status == 200 and "32" in (r.field_error("bus_id") or ""), "moving a meter onto the full bus is refused")

# Edit: the values change; an address taken by another meter is refused; logged before and after.
r = a.get(f"/meter?id={mid}")
check(r.status == 200 and f'value="{n1}"' in r.text and f'value="&lt;i&gt;{sfx}"' in r.text, "the edit form shows the meter, escaped")
n3 = BASE_NO + 3
a.post("/meter", meter(n3, bus1, 3))
r = a.post(f"/meter?id={mid}", meter(n1, bus1, 3, building_id=bid, room="101"))
check(r.status == 200 and r.field_error("address"), "moving to another meter's address is refused")
r = a.post(f"/meter?id={mid}", meter(n1, bus1, 1, profile="energy", building_id=bid, room="201", note="改" + sfx))
check(r.status == 303, "a meter is edited keeping its own address", [(k, r.field_error(k)) for k in ("address", "bus_id", "room")])
row = db(f"SELECT m.profile, m.address, r.number, m.note FROM meters m LEFT JOIN rooms r ON r.id = m.room_id WHERE m.id = {mid}")
check(row == [["energy", "1", "201", "改" + sfx]], "the edit is stored", row)
log = db(f"SELECT before_val, after_val FROM oplog WHERE action = 'meter.edit' AND object = 'meter:{n1}'")
check(len(log) == 1 and '"profile":"ddsy1352nk"' in log[0][0] and '"profile":"energy"' in log[0][1] and '"room":"201"' in log[0][1],
      "the edit is logged with before and after", log)
r = a.post(f"/meter?id={mid}", meter(n3, bus1, 1))
check(r.status == 200 and r.field_error("number"), "changing the number to another meter's is refused")
check(a.get("/meter?id=99999999").status == 404, "an unknown meter is a 404")
check(a.post("/meter?id=99999999", meter(BASE_NO + 300, bus1, 200)).status == 404, "posting to an unknown meter is a 404")

# List filters and sort.
mine_all = sorted(int(x[0]) for x in db(f"SELECT number FROM meters WHERE bus_id IN ({bus1}, {bus2})"))
r = a.get("/meters", gateway=gid, sort="number")
check(r.status == 200 and numbers(r) == [str(x) for x in mine_all], "gateway= lists exactly my gateway's meters by number",
      (len(numbers(r)), len(mine_all)))
check(f'<span class="total">{len(mine_all)}</span>' in r.text, "with the total")
# a row as the list shows it: its profile in words, its place, its edit link
row = re.search(r'<td class="number">%d</td>.*?</tr>' % n1, r.text)
check(row and f'<td>计量电能表（总表）</td><td>表网关{sfx}</td><td>1</td><td>1</td><td>表楼{sfx}</td>'
      f'<td class="room">201</td><td><a href="/meter?id={mid}">编辑</a></td>' in row.group(0),
      "a row: the profile in words, gateway, port, address, building, room and its edit link", row and row.group(0))
r = a.get("/meters", gateway=gid, sort="-number")
check(numbers(r) == [str(x) for x in mine_all[::-1]], "sort=-number the other way")
r = a.get("/meters", building=bid)
check(numbers(r) == [str(n1), str(n2)], "building= lists the meters of my building's rooms", numbers(r))
r = a.get("/meters", building=bid, sort="-room")
check(numbers(r) == [str(n1), str(n2)], "sort=-room: room 201 before 102", numbers(r))
r = a.get("/meters", building=bid, sort="room")
check(numbers(r) == [str(n2), str(n1)], "sort=room: room 102 before 201", numbers(r))
r = a.get("/meters", profile="energy", per=500)
e = numbers(r)
check({"1010131", "1020131", "1030131", "1040131"} <= set(e) and str(n1) in e, "profile=energy gives the 4 master meters and mine",
      e[:10])
check(str(n2) not in e and "1010101" not in e, "and no DDSY1352 meter")
r = a.get("/meters", profile="energy", gateway=gid)
check(numbers(r) == [str(n1)], "profile and gateway filters combine", numbers(r))
r = a.get("/meters", q=str(n1))
check(numbers(r) == [str(n1)], "q= finds a meter by number", numbers(r))
r = a.get("/meters", gateway=gid, q="102")
check(numbers(r) == sorted([str(n2)] + [str(x) for x in mine_all if "102" in str(x) and x != n2]),
      "q= finds a meter by room number (or number)", numbers(r))
r = a.get("/meters", q="' OR 1=1 --")
check(r.status == 200 and numbers(r) == [], "q= with SQL finds nothing")
r = a.get("/meters", gateway=gid, sort="number", per=10, page=4)
check(numbers(r) == [str(x) for x in mine_all[30:40]], "page 4 of 10", numbers(r))
r = a.get("/meters", profile="<script>")
check(r.status == 200 and "<script>" not in r.text, "an unknown profile filter is ignored, not echoed")

# Export: exactly the filtered rows.
r = a.get("/meters", gateway=gid, sort="number", export="xlsx")
check(r.status == 200 and "spreadsheetml" in r.headers.get("Content-Type", ""), "the meters export is an .xlsx file")
rows = xlsx_rows(r.body)
check(rows and rows[0] == ["表号", "型号", "通讯管理机", "端口", "通讯地址", "总线", "楼栋", "楼层", "房间", "备注"],
      "with the header row", rows[:1])
check([x[0] for x in rows[1:]] == [str(x) for x in mine_all], "and exactly my gateway's meters", len(rows))
first = [x for x in rows[1:] if x[0] == str(n1)]
check(first and first[0][1:] == ["计量电能表（总表）", "表网关" + sfx, "1", "1", "tcp://127.0.9.9:502", "表楼" + sfx, "2", "201", "改" + sfx],
      "each row with its values", first)
r = a.get("/meters", profile="energy", export="xlsx")
rows = xlsx_rows(r.body)
want = sorted(x[0] for x in db("SELECT number FROM meters WHERE profile = 'energy'"))
check(sorted(x[0] for x in rows[1:]) == want and all(x[1] == "计量电能表（总表）" for x in rows[1:]),
      "the export of profile=energy has just the energy meters", (len(rows) - 1, len(want)))
r = a.get("/meters", building=bid, export="xlsx")
rows = xlsx_rows(r.body)
check(sorted(x[0] for x in rows[1:]) == sorted([str(n1), str(n2)]), "the export of building= has just its meters")

done()
