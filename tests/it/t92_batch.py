"""t92_batch.py - F15 batch operations: live status by state, a confirmation naming count and action, once."""
import io
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)
b1 = db_value("SELECT id FROM buildings WHERE name = '1号楼'")
r = a.get("/batch", building=b1, floor="6")
check(r.status == 200 and r.text.count('name="m"') == 20 and "(20)" in r.text,
      "the status page filters by building and floor: 20 meters")
for s in ["已开户", "一级报警", "二级报警", "欠费", "未开户", "失联"]:
    check(s in r.text, f"the legend shows {s}")
# States come from the last reads against the alarm amounts.
# the meters of rooms 601-605 of building 1, by room
num = {room: db_value(f"SELECT m.number FROM meters m JOIN rooms r ON r.id = m.room_id WHERE r.building_id = {b1}"
                      f" AND r.number = '{room}'") for room in ("601", "602", "603", "604", "605")}
m = {num[k]: db_value(f"SELECT id FROM meters WHERE number = {num[k]}") for k in num}
N = [num[k] for k in ("601", "602", "603", "604", "605")]
db("INSERT INTO meter_state (meter_id, read_at, remaining_fen, lost, relay_closed) VALUES"
   f" ({m[N[0]]}, UTC_TIMESTAMP(3), 100, 0, 1), ({m[N[1]]}, UTC_TIMESTAMP(3), -5, 0, 0),"
   f" ({m[N[2]]}, UTC_TIMESTAMP(3), 1500, 0, NULL), ({m[N[3]]}, UTC_TIMESTAMP(3), 9000, 1, 1)"
   " ON DUPLICATE KEY UPDATE read_at = VALUES(read_at), remaining_fen = VALUES(remaining_fen), lost = VALUES(lost),"
   " relay_closed = VALUES(relay_closed)")
for n, room in zip(N[:3], ("601", "602", "603")):
    if count("account_meters", f"meter_id = {m[n]} AND active = 1"):
        continue
    r = a.get("/account/open")
    idem = re.search(r'name="idem" value="([^"]+)"', r.text).group(1)
    money = int(db_value(f"SELECT remaining_fen FROM meter_state WHERE meter_id = {m[n]}"))
    # the money on the meter carried over into the account (a debt: carried as one)
    r = a.post("/account/open", {"holder": "批量" + str(n), "building_id": b1, "room": room, "meters": str(n), "idem": idem,
                                 f"money_{m[n]}": "carry" if money > 0 else "debt", f"amt_{m[n]}": str(money),
                                 "confirm": "1"})
want = {N[0]: "st-alarm2", N[1]: "st-arrears", N[2]: "st-alarm1", N[3]: "st-lost", N[4]: "st-not_opened"}
r = a.get("/batch", building=b1, floor="6", sort="number")
for n, cls in want.items():
    check(re.search(r'<tr class="%s"><td><input type="checkbox" name="m" value="\d+"></td><td class="number">%s<' % (cls, n), r.text),
          f"meter {n} is coloured {cls[3:]}")
# what the row says: the money left in yuan, the relay and the state in words
# (the relay blank before a meter's first read of it)
row = {n: re.search(r'<td class="number">%s</td>.*?</tr>' % n, r.text).group(0) for n in N}
for n, money, relay, state in ((N[0], "1.00", "合闸", "二级报警"), (N[1], "-0.05", "断开", "欠费"),
                               (N[2], "15.00", "", "一级报警"), (N[3], "90.00", "合闸", "失联")):
    check(f'<td class="money">{money}</td><td>{relay}</td><td class="state">{state}</td>' in row[n],
          f"meter {n}: {money} yuan, relay '{relay}', {state}", row[n])
r = a.get("/batch", building=b1, state="arrears")
check(N[1] in r.text and N[0] not in r.text, "the state filter keeps only meters in arrears")

# A batch: selection, confirmation naming count and action, commands once.
ids = [m[N[0]], m[N[1]]]
C0 = count("commands")
r = a.post("/batch/run", [("action", "trip"), ("idem", "-"), ("m", ids[0]), ("m", ids[1])])
check(re.search(r'id="confirm-count">2<', r.text) and "拉闸" in r.text and count("commands") == C0,
      "the confirmation names 2 meters and 拉闸, and sends nothing yet")
idem = re.search(r'name="idem" value="([^"]+)"', r.text).group(1)
f = [("action", "trip"), ("idem", idem), ("confirm", "1"), ("m", ids[0]), ("m", ids[1])]
r = a.post("/batch/run", f)
check(r.status == 303 and "/batch/view?id=" in r.location, "the confirmed batch is queued")
r2 = a.post("/batch/run", f)
check(r2.location == r.location and count("commands") == C0 + 2, "the same confirmation twice queues once")
bid = re.search(r"id=(\d+)", r.location).group(1)
check(db(f"SELECT kind, status FROM commands WHERE batch_id = {bid}") == [["trip", "queued"]] * 2, "two trip commands, queued")
check(db(f"SELECT login, after_val FROM oplog WHERE action = 'batch.create' AND object = 'batch:{bid}'")
      == [[a.login_name, '{"action":"trip","meters":"2","payload":""}']],
      "the batch is in the operation log once, by its operator")
r = a.get(r.location)
check(re.search(r'id="n-queued">2<', r.text), "the batch view shows them queued")
# All filtered: the master meter (energy only) gets no command.
r = a.post("/batch/run", {"building": b1, "floor": "", "state": "", "q": "", "all": "1", "action": "price", "idem": "-"})
n = int(re.search(r'id="confirm-count">(\d+)<', r.text).group(1))
check(n == count("meters m JOIN rooms r ON r.id = m.room_id", f"r.building_id = {b1}"), "all filtered: every meter of the building")
idem = re.search(r'name="idem" value="([^"]+)"', r.text).group(1)
f = [("action", "price"), ("idem", idem), ("confirm", "1")] + [("m", i) for i in re.findall(r'name="m" value="(\d+)"', r.text)]
r = a.post("/batch/run", f)
bid = re.search(r"id=(\d+)", r.location).group(1)
pl = db(f"SELECT DISTINCT payload FROM commands WHERE batch_id = {bid}")
price = db_value("SELECT value FROM settings WHERE name = 'price'")
check(pl == [[f"p0={price}&p1={price}&p2={price}&p3={price}"]], "a price download carries the default price in every slot", pl)
r = a.post("/batch/run", {"action": "read", "idem": "-", "m": str(ids[0])})
idem = re.search(r'name="idem" value="([^"]+)"', r.text).group(1)
r = a.post("/batch/run", {"action": "read", "idem": idem, "confirm": "1", "m": str(ids[0])})
bid = re.search(r"id=(\d+)", r.location).group(1)
check(count("read_requests", f"batch_id = {bid}") == 1, "'read now' for a batch queues read requests")
r = a.post("/batch/run", {"action": "explode", "idem": "-", "m": str(ids[0])})
check(r.status == 400, "an unknown action is refused")
r = a.post("/batch/run", {"action": "trip", "idem": "-"})
check(r.status == 303 and "none_selected" in r.location, "nothing selected: back to the list with a message")
r = a.post("/batch/run", {"action": "trip", "idem": "-", "m": "1"}, csrf=False)
check(r.status == 403, "a batch without the CSRF token is refused")

# Export of the live status.
r = a.get("/batch", building=b1, floor="6", export="xlsx")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
rows = {str(x[0].value): x for x in ws.iter_rows(min_row=2)}
check(ws.max_row == 21 and rows[N[1]][5].value == -0.05 and rows[N[1]][6].value == "断开"
      and rows[N[1]][7].value == "欠费",
      "the status export has the 20 meters with money, relay and state", [c.value for c in rows.get(N[1], [])])
check(rows[N[0]][6].value == "合闸" and rows[N[0]][7].value == "二级报警" and rows[N[2]][6].value in (None, ""),
      "the export's relay and state of the others as on the page", [c.value for c in rows.get(N[0], [])])
done()
