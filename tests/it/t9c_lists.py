"""t9c_lists.py - F18/F20 queries and 冲正查询: gross, reversed and net totals; typed .xlsx exports with totals rows."""
import io
import os
import sys
import datetime

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)
tag = "列表" + uuid.uuid4().hex[:6]

free = [x[0] for x in db("SELECT r.number FROM rooms r JOIN buildings b ON b.id = r.building_id"
                         " JOIN meters m ON m.room_id = r.id WHERE b.name = '1号楼' AND NOT EXISTS"
                         " (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
                         " ORDER BY r.number DESC")]
room = free[0]
r = a.get("/account/open")
r = a.post("/account/open", {"holder": tag, "building_id": "1", "room": room, "idem": idem_of(r)})
aid = re.search(r"id=(\d+)", r.location).group(1)
meter = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {aid}")


def sell(amount):
    r = a.get(f"/sell?account={aid}")
    r = a.post("/sell", {"account": aid, "meter": meter, "amount": amount, "idem": idem_of(r), "confirm": "1"})
    return re.search(r"id=(\d+)", r.location).group(1)


s1, s2, s3 = sell("100"), sell("120"), sell("470")
meter_read(meter, 69000, int(db_value(f"SELECT MAX(purchase_count) FROM commands WHERE meter_id = {meter}")))
r = a.get(f"/sale?id={s2}")
r = a.post("/reversal", {"id": s2, "reason": "输错金额", "idem": idem_of(r)})
check(r.status == 303, "the 120.00 sale is reversed")
rev = re.search(r"id=(\d+)", r.location).group(1)


def span(text, id_):
    m = re.search(r'id="%s">([^<]*)<' % id_, text)
    return m.group(1) if m else None


# Item 10: gross, reversed and net.
r = a.get("/sales", q=tag)
check(span(r.text, "sum-amount") == "690.00" and span(r.text, "sum-reversed") == "120.00"
      and span(r.text, "sum-net") == "570.00" and span(r.text, "sum-rcount") == "1",
      "the sales query shows gross 690.00, reversed 120.00, net 570.00",
      (span(r.text, "sum-amount"), span(r.text, "sum-reversed"), span(r.text, "sum-net")))
check("(已冲正)" in r.text and r.text.count("(已冲正)") == 1, "the reversed sale is marked on the page")

# Item 12: the export's cells are typed, labelled and totalled.
r = a.get("/sales", q=tag, export="xlsx")
wb = openpyxl.load_workbook(io.BytesIO(r.body))
ws = wb.active
head = [c.value for c in ws[1]]
rows = list(ws.iter_rows(min_row=2))
check(r.status == 200 and len(rows) == 4, "the sales export has 3 sales and a totals row", len(rows))
col = {h: i for i, h in enumerate(head)}
amounts = sorted(row[col["金额（元）"]].value for row in rows[:3])
check(amounts == [100, 120, 470] and all(isinstance(row[col["金额（元）"]].value, (int, float)) for row in rows[:3]),
      "amounts are numbers", amounts)
check(all(row[col["金额（元）"]].number_format == "0.00" for row in rows), "amounts have the format 0.00",
      [row[col["金额（元）"]].number_format for row in rows])
check(all(isinstance(row[col["时间"]].value, datetime.datetime) for row in rows[:3])
      and "yyyy" in rows[0][col["时间"]].number_format, "times are dates with a date format",
      rows[0][col["时间"]].value)
sts = {row[col["状态"]].value for row in rows[:3]}
check(sts <= {"排队中", "电表已确认", "已下发"} and sts, "states are their labels, not codes", sts)
marks = [row[col["冲正"]].value for row in rows[:3]]
check(marks.count("已冲正") == 1 and marks.count(None) == 2, "the reversed sale keeps its mark in the export", marks)
tot = rows[3]
check(tot[0].value == "合计" and tot[col["金额（元）"]].value == 690 and tot[col["净额（元）"]].value == 570
      and tot[col["金额（元）"]].font.b, "a bold totals row: 合计 690.00 gross, 570.00 net",
      [c.value for c in tot])
check(ws.cell(2, col["表号"] + 1).data_type == "s", "meter numbers stay text")

# 冲正查询: the list of reversals.
r = a.get("/reversals", q=tag)
check(r.status == 200 and span(r.text, "sum-count") == "1" and span(r.text, "sum-amount") == "120.00"
      and "输错金额" in r.text and f"/sale?id={s2}" in r.text, "the reversals query lists the reversal with its reason")
r = a.get("/reversals", q=tag, export="xlsx")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
vals = [c.value for c in ws[2]]
check(ws.max_row == 3 and 120 in vals and "售电" in vals and "输错金额" in vals, "the reversals export", vals)
check(a.get("/").text.count('href="/reversals"') == 1, "the menu links to 冲正查询")

# Search by building and room in one box.
for qs in [f"1号楼 {room}", f"1号楼  {room}", f"1号楼\u3000{room}", f"1号楼{room}"]:
    r = a.get("/sales", q=qs)
    check(span(r.text, "sum-count") == "3", f"searching {qs!r} finds the sales", span(r.text, "sum-count"))
r = a.get("/sell", q=f"1号楼 {room}")
check(r.status == 200 and tag in r.text, "the sell page finds the account by building and room")

# Refunds: totals and a reversed refund.
meter_read(meter, 57000, int(db_value(f"SELECT MAX(purchase_count) FROM commands WHERE meter_id = {meter}")))
r = a.get(f"/refund?account={aid}")
r = a.post("/refund", {"account": aid, "meter": meter, "amount": "10", "idem": idem_of(r), "confirm": "1"})
ref = re.search(r"id=(\d+)", r.location).group(1)
r = a.get(f"/refund?account={aid}")
r = a.post("/refund", {"account": aid, "meter": meter, "amount": "5.5", "idem": idem_of(r), "confirm": "1"})
r = a.get(f"/sale?id={ref}")
r = a.post("/reversal", {"id": ref, "reason": "退错", "idem": idem_of(r)})
r = a.get("/refunds", q=tag)
check(span(r.text, "sum-amount") == "15.50" and span(r.text, "sum-reversed") == "10.00"
      and span(r.text, "sum-net") == "5.50", "the refund query: gross 15.50, reversed 10.00, net 5.50",
      (span(r.text, "sum-amount"), span(r.text, "sum-reversed"), span(r.text, "sum-net")))
r = a.get("/refunds", q=tag, export="xlsx")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
last = [c.value for c in ws[ws.max_row]]
check(last[0] == "合计" and 15.5 in last and 5.5 in last, "the refunds export ends with its totals", last)
r = a.get("/reversals", q=tag)
check(span(r.text, "sum-count") == "2", "the reversals query lists both reversals")
# Every list's export: counts and floors as numbers, states as labels, times as dates.
def sheet(path, **params):
    r = a.get(path, export="xlsx", **params)
    ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
    head = [c.value for c in ws[1]]
    return ws, {h: i + 1 for i, h in enumerate(head)}


ws, c = sheet("/buildings", q="1号楼")
check(isinstance(ws.cell(2, c["楼层数"]).value, int) and ws.cell(2, c["楼层数"]).data_type == "n",
      "buildings: floors are numbers", ws.cell(2, c["楼层数"]).value)
ws, c = sheet("/accounts", q=tag)
check(ws.cell(2, c["状态"]).value == "正常" and isinstance(ws.cell(2, c["开户时间"]).value, datetime.datetime),
      "accounts: the state as its label, the opening time as a date",
      (ws.cell(2, c["状态"]).value, ws.cell(2, c["开户时间"]).value))
ws, c = sheet("/operators", q=a.login_name)
check(ws.cell(2, c["状态"]).value == "正常" and isinstance(ws.cell(2, c["创建时间"]).value, datetime.datetime),
      "operators: 正常, not 0; created as a date", [x.value for x in ws[2]])
ws, c = sheet("/meters", q=db_value(f"SELECT number FROM meters WHERE id = {meter}"))
check(ws.cell(2, c["型号"]).value.startswith("DDSY1352-NK") and isinstance(ws.cell(2, c["通讯地址"]).value, int)
      and isinstance(ws.cell(2, c["楼层"]).value, int), "meters: the model's name, address and floor as numbers",
      [x.value for x in ws[2]])
ws, c = sheet("/oplog", op=a.login_name)
check(isinstance(ws.cell(2, 1).value, datetime.datetime), "the operation log: times as dates")
# A date range that ends before it starts is said so next to the field.
r = a.get("/sales", q=tag, **{"from": "2026-03-05", "to": "2026-03-01"})
check("早于" in (r.field_error("to") or ""), "the sales query says the range ends before it starts", r.field_error("to"))
r = a.get("/sales", q=tag, **{"from": "2026-03-05", "to": "2026-03-05"})
check(r.field_error("to") is None, "a range of one day is fine")

# An entry without an operator names its channel in words, on the page and in the export.
db(f"INSERT INTO ledger (account_id, meter_id, kind, amount_fen, channel, idem_key)"
   f" VALUES ({aid}, {meter}, 'online', 500, 'online', '{tag}-online')")
r = a.get("/sales", q=tag)
body = r.text.split("<tbody>")[1]
check("在线支付" in body and ">online<" not in body, "an online payment's operator reads 在线支付")
ws, c = sheet("/sales", q=tag)
whos = {ws.cell(i, c["操作员"]).value for i in range(2, ws.max_row)}
check("在线支付" in whos and "online" not in whos and a.login_name in whos, "and so in the export", whos)
done()
