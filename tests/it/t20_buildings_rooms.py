"""t20_buildings_rooms.py - F6 buildings and F9 rooms through the pages: forms, lists, export, log."""
import io
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)
sfx = uuid.uuid4().hex[:6]
BNAME = "测试楼" + sfx


def names(r):
    return re.findall(r'<td class="name">([^<]*)</td>', r.text)


def rooms(r):
    return re.findall(r'<td class="room">([^<]*)</td>', r.text)


def bid_of(name):
    return db_value("SELECT id FROM buildings WHERE name = '%s'" % name.replace("'", "''"))


def mine(where="1"):
    return count("buildings", f"name LIKE '%{sfx}%' AND ({where})")


# F6: create a building; it is listed; the creation is logged.
r = a.get("/building")
check(r.status == 200 and 'name="floors"' in r.text, "the new building form is shown")
r = a.post("/building", {"name": BNAME, "floors": "6", "note": "备注" + sfx})
check(r.status == 303 and "/buildings" in r.location, "a building is created", (r.status, r.field_error("name"), r.field_error("floors")))
row = db(f"SELECT name, floors, note FROM buildings WHERE name = '{BNAME}'")
check(row == [[BNAME, "6", "备注" + sfx]], "the building is stored with its values", row)
bid = bid_of(BNAME)
r = a.get("/buildings", q=sfx)
check(r.status == 200 and names(r) == [BNAME], "the building is listed by a search", names(r))
log = db(f"SELECT before_val, after_val FROM oplog WHERE action = 'building.create' AND object = 'building:{bid}'")
check(len(log) == 1 and log[0][0] == "NULL" and BNAME in log[0][1] and '"floors":"6"' in log[0][1],
      "the creation is logged with its values", log)

# A repeated submission of the same form creates no second building.
r = a.post("/building", {"name": BNAME, "floors": "6", "note": "备注" + sfx})
check(r.status == 200 and "已存在" in (r.field_error("name") or ""), "the same name again gives err-name", r.field_error("name"))
check(mine() == 1, "and no second building exists")

# Bad floors: the Chinese error next to the field, nothing stored.
n0 = mine()
for bad, why in [("0", "超出"), ("201", "超出"), ("abc", "整数"), ("", "必填"), ("1.5", "整数"), ("-3", "超出"),
                 ("99999999999999999999", "超出")]:
    r = a.post("/building", {"name": "坏楼" + sfx + bad[:4], "floors": bad})
    check(r.status == 200 and why in (r.field_error("floors") or ""), f"floors {bad!r} is refused with err-floors",
          r.field_error("floors"))
check(mine() == n0, "refused building forms stored nothing")
for bad, why in [("0", "超出"), ("201", "超出"), ("abc", "整数"), ("", "必填")]:
    r = a.post(f"/building?id={bid}", {"name": BNAME, "floors": bad, "note": "x"})
    check(r.status == 200 and why in (r.field_error("floors") or ""), f"editing floors to {bad!r} is refused with err-floors",
          r.field_error("floors"))
check(db(f"SELECT floors, note FROM buildings WHERE id = {bid}") == [["6", "备注" + sfx]], "refused edits changed nothing")

# Names: required, 32 characters at most (counted as characters), control characters refused.
r = a.post("/building", {"name": "", "floors": "3"})
check(r.status == 200 and "必填" in (r.field_error("name") or ""), "an empty name is refused")
r = a.post("/building", {"name": "   ", "floors": "3"})
check(r.status == 200 and "必填" in (r.field_error("name") or ""), "a blank name is refused")
long33 = "楼" * 27 + sfx
r = a.post("/building", {"name": long33, "floors": "3"})
check(len(long33) == 33 and r.status == 200 and "过长" in (r.field_error("name") or ""), "33 characters are refused (err-name)",
      r.field_error("name"))
r = a.post("/building", {"name": "测" * 33, "floors": "3"})
check(r.status == 200 and "过长" in (r.field_error("name") or ""), "33 Chinese characters are refused")
long32 = "楼" * 26 + sfx
r = a.post("/building", {"name": long32, "floors": "3"})
check(r.status == 303 and bid_of(long32), "32 Chinese characters (96 bytes) are accepted", r.field_error("name"))
r = a.post("/building", {"name": "控\x01制" + sfx, "floors": "3"})
check(r.status == 200 and r.field_error("name"), "a control character in the name is refused")
r = a.post("/building", {"name": "备注长" + sfx, "floors": "3", "note": "x" * 101})
check(r.status == 200 and "过长" in (r.field_error("note") or ""), "a note over 100 characters is refused")
check(mine() == 2, "only the two good buildings exist", mine())

# HTML and SQL metacharacters: stored verbatim, shown escaped.
XSS = "<script>alert(1)</script>" + sfx
SQLI = "' OR 1=1 --" + sfx
r = a.post("/building", {"name": XSS, "floors": "2", "note": "<u>" + sfx})
check(r.status == 303, "a name with <script> is accepted as text", r.field_error("name"))
r = a.post("/building", {"name": SQLI, "floors": "2", "note": '"quoted" & <b>'})
check(r.status == 303, "a name with ' OR 1=1 -- is accepted as text", r.field_error("name"))
check(bid_of(XSS) is not None and db_value(f"SELECT note FROM buildings WHERE id = {bid_of(XSS)}") == "<u>" + sfx,
      "the <script> name is stored verbatim")
check(db_value(f"SELECT note FROM buildings WHERE id = {bid_of(SQLI)}") == '"quoted" & <b>', "the SQL name is stored verbatim")
r = a.get("/buildings", q=sfx)
check("<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" + sfx in r.text,
      "the list shows the <script> name escaped, never raw")
check("<b>" not in r.text and "&lt;b&gt;" in r.text, "the note's <b> is shown escaped")
r = a.get("/buildings", q=SQLI)
check(len(names(r)) == 1 and "1=1" in names(r)[0], "a search for ' OR 1=1 -- finds just that building", names(r))
r = a.get(f"/building?id={bid_of(XSS)}")
check(r.status == 200 and "<script>alert" not in r.text and 'value="&lt;script&gt;' in r.text, "the edit form shows it escaped")

# Edit: values change, the log keeps before and after.
r = a.get(f"/building?id={bid}")
check(r.status == 200 and f'value="{BNAME}"' in r.text and 'value="6"' in r.text, "the edit form shows the current values")
r = a.post(f"/building?id={bid}", {"name": BNAME, "floors": "8", "note": "改后" + sfx})
check(r.status == 303, "a building is edited")
check(db(f"SELECT floors, note FROM buildings WHERE id = {bid}") == [["8", "改后" + sfx]], "the edit is stored")
log = db(f"SELECT before_val, after_val FROM oplog WHERE action = 'building.edit' AND object = 'building:{bid}'")
check(len(log) == 1 and '"floors":"6"' in log[0][0] and "备注" + sfx in log[0][0] and '"floors":"8"' in log[0][1]
      and "改后" + sfx in log[0][1], "the edit is logged with before and after", log)
r = a.post(f"/building?id={bid}", {"name": SQLI, "floors": "8"})
check(r.status == 200 and r.field_error("name"), "renaming to another building's name gives err-name")
check(db_value(f"SELECT name FROM buildings WHERE id = {bid}") == BNAME, "and keeps the name")
check(a.get("/building?id=99999999").status == 404, "an unknown building is a 404")
check(a.post("/building?id=99999999", {"name": "x" + sfx, "floors": "3"}).status == 404, "posting to an unknown building is a 404")
check(a.get("/building?id=abc").status == 200, "a non-numeric id is the new form, not an error")
r = a.post("/building", {"name": "无令牌" + sfx, "floors": "3"}, csrf=False)
check(r.status == 403 and mine() == 4, "a POST without the csrf token is refused and stores nothing")

# F9 rooms: create; floor above the building's floors; unknown building; duplicate number.
r = a.get(f"/room?building={bid}")
check(r.status == 200 and f'<option value="{bid}" selected>' in r.text, "the new room form preselects the building")
nr = count("rooms", f"building_id = {bid}")
r = a.post("/room", {"building_id": bid, "floor": "3", "number": "303", "note": "<i>" + sfx})
check(r.status == 303, "a room is created on floor 3", (r.field_error("floor"), r.field_error("number")))
rid = db_value(f"SELECT id FROM rooms WHERE building_id = {bid} AND number = '303'")
check(db(f"SELECT floor, note FROM rooms WHERE id = {rid}") == [["3", "<i>" + sfx]], "the room is stored")
log = db(f"SELECT after_val FROM oplog WHERE action = 'room.create' AND object = 'room:{rid}'")
check(len(log) == 1 and '"number":"303"' in log[0][0] and '"floor":"3"' in log[0][0], "the room creation is logged", log)
for fields, field, why in [
        ({"building_id": bid, "floor": "9", "number": "901"}, "floor", "楼层超出"),
        ({"building_id": bid, "floor": "0", "number": "001"}, "floor", "超出"),
        ({"building_id": bid, "floor": "x", "number": "x01"}, "floor", "整数"),
        ({"building_id": bid, "floor": "", "number": "e01"}, "floor", "必填"),
        ({"building_id": "99999999", "floor": "1", "number": "101"}, "building_id", "选择"),
        ({"building_id": "abc", "floor": "1", "number": "101"}, "building_id", "选择"),
        ({"building_id": "", "floor": "1", "number": "101"}, "building_id", "必填"),
        ({"building_id": bid, "floor": "1", "number": ""}, "number", "必填"),
        ({"building_id": bid, "floor": "1", "number": "1" * 17}, "number", "过长"),
        ({"building_id": bid, "floor": "2", "number": "303"}, "number", "已有此房间号")]:
    r = a.post("/room", fields)
    check(r.status == 200 and why in (r.field_error(field) or ""), f"room: {field}={fields[field][:8]!r} is refused with err-{field}",
          (r.status, r.field_error(field)))
check(count("rooms", f"building_id = {bid}") == nr + 1, "refused room forms stored nothing")
# The same number in another building is fine.
r = a.post("/room", {"building_id": bid_of(long32), "floor": "1", "number": "303"})
check(r.status == 303, "the same room number in another building is allowed", r.field_error("number"))
check(count("rooms", f"building_id = {bid_of(long32)} AND number = '303'") == 1, "and stored there")

# Fewer floors than an existing room's floor is refused.
r = a.post(f"/building?id={bid}", {"name": BNAME, "floors": "2", "note": "改后" + sfx})
check(r.status == 200 and "更高楼层" in (r.field_error("floors") or ""), "reducing floors below a room's floor gives err-floors",
      r.field_error("floors"))
check(db_value(f"SELECT floors FROM buildings WHERE id = {bid}") == "8", "and the floors stay")
r = a.post(f"/building?id={bid}", {"name": BNAME, "floors": "3", "note": "改后" + sfx})
check(r.status == 303 and db_value(f"SELECT floors FROM buildings WHERE id = {bid}") == "3", "reducing to the highest room's floor is fine")

# Edit a room: move it; a floor above the building's is refused; logged with before and after.
r = a.get(f"/room?id={rid}")
check(r.status == 200 and 'value="303"' in r.text, "the room edit form shows the room")
r = a.post(f"/room?id={rid}", {"building_id": bid, "floor": "4", "number": "303"})
check(r.status == 200 and r.field_error("floor"), "moving a room above the building's floors is refused")
r = a.post(f"/room?id={rid}", {"building_id": bid, "floor": "3", "number": "303", "note": "改" + sfx})
check(r.status == 303 and db_value(f"SELECT note FROM rooms WHERE id = {rid}") == "改" + sfx, "a room is edited")
log = db(f"SELECT before_val, after_val FROM oplog WHERE action = 'room.edit' AND object = 'room:{rid}'")
check(len(log) == 1 and "<i>" + sfx in log[0][0] and "改" + sfx in log[0][1], "the room edit is logged with before and after", log)
check(a.get("/room?id=99999999").status == 404, "an unknown room is a 404")
check(a.post("/room?id=99999999", {"building_id": bid, "floor": "1", "number": "x"}).status == 404,
      "posting to an unknown room is a 404")

# List: filters by building, floor, keyword; sorting by number both ways.
for fl, num in [(1, "301"), (2, "102"), (3, "205"), (1, "9"), (2, "1010")]:
    r = a.post("/room", {"building_id": bid, "floor": str(fl), "number": num})
    check(r.status == 303, f"room {num} on floor {fl} is created")
mine_rooms = {"303": 3, "301": 1, "102": 2, "205": 3, "9": 1, "1010": 2}
by_num = sorted(mine_rooms, key=lambda n: n.zfill(16))
r = a.get("/rooms", building=bid)
check(r.status == 200 and rooms(r) == sorted(mine_rooms, key=lambda n: (mine_rooms[n], n.zfill(16))),
      "filtered by building: its rooms by floor and number", rooms(r))
check(re.search(r'<span class="total">6</span>', r.text), "and the total is 6")
r = a.get("/rooms", building=bid, floor=2)
check(rooms(r) == ["102", "1010"], "filtered by floor 2", rooms(r))
# The default order must not depend on the filters of earlier requests to the same worker.
bad_orders = []
for i in range(6):
    a.get("/rooms", building=bid, floor=2)
    r = a.get("/rooms", building=bid)
    if rooms(r) != sorted(mine_rooms, key=lambda n: (mine_rooms[n], n.zfill(16))):
        bad_orders.append(rooms(r))
check(not bad_orders, "after a floor filter the default order is still by floor, then number", bad_orders[:1])
r = a.get("/rooms", building=bid, q="30")
check(rooms(r) == ["301", "303"], "filtered by keyword 30", rooms(r))
r = a.get("/rooms", building=bid, sort="number")
check(rooms(r) == by_num, "sort=number orders the numbers numerically", rooms(r))
r = a.get("/rooms", building=bid, sort="-number")
check(rooms(r) == by_num[::-1], "sort=-number the other way", rooms(r))
r = a.get("/rooms", building=bid, sort="-floor")
check([mine_rooms[n] for n in rooms(r)] == [3, 3, 2, 2, 1, 1], "sort=-floor puts the top floor first", rooms(r))
r = a.get("/rooms", building=bid, sort="nonsense;DROP")
check(r.status == 200 and len(rooms(r)) == 6, "an unknown sort key falls back to the default")
r = a.get("/rooms", building=bid, q="' OR 1=1 --")
check(r.status == 200 and rooms(r) == [], "a keyword with SQL finds nothing")

# Page 2 of 50 of the reference building 1号楼.
b1 = bid_of("1号楼")
ref = sorted(db(f"SELECT floor, number FROM rooms WHERE building_id = {b1}"), key=lambda x: (int(x[0]), x[1].zfill(16)))
r = a.get("/rooms", building=b1, per=50, page=2)
check(rooms(r) == [x[1] for x in ref[50:100]], "page 2 of 50 holds the 51st to 100th room", rooms(r)[:3])
if len(ref) == 120:
    check(rooms(r)[:10] == [str(311 + i) for i in range(10)] and rooms(r)[-1] == "520", "that is 311..320, 401..420, 501..520")
check(f'<span class="total">{len(ref)}</span>' in r.text and "页 2/" in r.text, "with the total and the page number")
check("page=3" in r.text and "page=1" in r.text, "and links to the pages before and after")
r = a.get("/rooms", building=b1, per=50, page=999)
check(r.status == 200 and rooms(r) == [], "a page past the end is empty, not an error")

# Export .xlsx of the filtered list.
r = a.get("/rooms", building=bid, sort="-number", export="xlsx")
check(r.status == 200 and "spreadsheetml" in r.headers.get("Content-Type", ""), "the rooms export is an .xlsx file",
      r.headers.get("Content-Type"))
try:
    ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
    rows = [[("" if c is None else str(c)) for c in row] for row in ws.iter_rows(values_only=True)]
except Exception as e:  # noqa: BLE001
    rows = [[str(e)]]
check(rows and rows[0] == ["楼栋", "楼层", "房间", "仪表", "备注"], "it has the header row", rows[:1])
check([x[2] for x in rows[1:]] == by_num[::-1] and all(x[0] == BNAME for x in rows[1:]),
      "and exactly the filtered rows in the chosen order", rows[1:])
r = a.get("/buildings", q=sfx, export="xlsx")
try:
    ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
    rows = [[("" if c is None else str(c)) for c in row] for row in ws.iter_rows(values_only=True)]
except Exception as e:  # noqa: BLE001
    rows = [[str(e)]]
check(rows and rows[0][:2] == ["名称", "楼层数"] and sorted(x[0] for x in rows[1:]) == sorted([BNAME, long32, XSS, SQLI]),
      "the buildings export has the header and the searched buildings, verbatim", rows)
check(a.get("/rooms", building=bid, floor=99, export="xlsx").status == 200, "an export of no rows still works")

done()
