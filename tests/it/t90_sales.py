"""t90_sales.py - F11/F17/F18 and B1/B2: accounts, sales exactly once, the append-only ledger, receipts."""
import io
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)



def open_account(building, room, holder="测试户", first="", meters=""):
    r = a.get("/account/open")
    f = {"holder": holder, "holder_no": "S" + uuid.uuid4().hex[:6], "phone": "13900139000",
         "building_id": str(building), "room": room, "meters": meters, "first": first, "idem": idem_of(r)}
    r = a.post("/account/open", f)
    return r, f


# Rooms of building 3 whose meters no account holds yet (the test may run again).
free = [x[0] for x in db("SELECT r.number FROM rooms r JOIN buildings b ON b.id = r.building_id"
                         " JOIN meters m ON m.room_id = r.id WHERE b.name = '3号楼' AND NOT EXISTS"
                         " (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
                         " ORDER BY r.number")]
assert len(free) >= 14, "not enough free rooms in building 3"
num = {room: db_value(f"SELECT m.number FROM meters m JOIN rooms r ON r.id = m.room_id JOIN buildings b"
                      f" ON b.id = r.building_id WHERE b.name = '3号楼' AND r.number = '{room}'") for room in free}
r, f = open_account(3, free[0])
check(r.status == 303 and "/account?id=" in r.location, "an account opens with the meters of its room", r.field_error("meters"))
aid = re.search(r"id=(\d+)", r.location).group(1)
n = count("accounts")
r2 = a.post("/account/open", f)
check(r2.status == 303 and r2.location.endswith(f"id={aid}") and count("accounts") == n,
      "the same opening form twice opens one account")
meter = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {aid}")
check(db_value(f"SELECT m.number FROM meters m WHERE m.id = {meter}") == num[free[0]], "the account holds its room's meter")
r, f2 = open_account(3, free[1], meters=num[free[0]])
check("其他在用账户" in (r.field_error("meters") or ""), "a meter of an open account cannot join another")
for bad, why in [("9999999", "找不到"), ("abc", "找不到"), (f"{num[free[2]]} {num[free[2]]}", "重复")]:
    r, _ = open_account(3, free[2], meters=bad)
    check(why in (r.field_error("meters") or ""), f"meters {bad!r} refused", r.field_error("meters"))
r, _ = open_account(3, "999")
check("找不到" in (r.field_error("room") or ""), "an unknown room is refused")
check(count("accounts") == n, "refused openings opened nothing")

# The sell form: find by room, confirm, one entry and one credit token.
r = a.get("/sell", q=free[2])
check(r.status == 200, "the sell page searches")
r = a.get(f"/sell?account={aid}")
idem = idem_of(r)
check("account-money" in r.text and idem, "the sell page shows the account's money and a form")
L0 = count("ledger")
cases = [("", "必填"), ("-5", "超出"), ("0", "超出"), ("1.234", "两位小数"), ("abc", "金额"), ("1e3", "金额"),
         ("99999999999", "超出"), ("<script>", "金额"), ("' OR 1=1 --", "金额")]
for amount, why in cases:
    r = a.post("/sell", {"account": aid, "meter": meter, "amount": amount, "idem": idem, "confirm": "1"})
    check(r.status == 200 and why in (r.field_error("amount") or ""), f"amount {amount!r} refused: {why}",
          r.field_error("amount"))
check(count("ledger") == L0, "refused amounts wrote nothing to the ledger")
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "12.30", "idem": idem})
check(r.status == 303 and "review=1" in r.location, "the confirmation is a page of its own (a redirect after the POST)")
r = a.get(r.location)
check("12.30 元" in r.text and "壹拾贰元叁角整" in r.text and count("ledger") == L0,
      "the confirmation names the amount in figures and capitals and writes nothing")
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "12.30", "idem": idem, "confirm": "1"})
check(r.status == 303 and "/sale?id=" in r.location, "the confirmed sale is written")
lid = re.search(r"id=(\d+)", r.location).group(1)
r2 = a.post("/sell", {"account": aid, "meter": meter, "amount": "12.30", "idem": idem, "confirm": "1"})
check(r2.location == r.location and count("ledger") == L0 + 1, "the same sale form twice makes one sale")
row = db(f"SELECT l.kind, l.amount_fen, c.kind, c.amount_fen, c.status, c.purchase_count, c.meter_id"
         f" FROM ledger l JOIN commands c ON c.id = l.command_id WHERE l.id = {lid}")[0]
check(row[:5] == ["sale", "1230", "credit", "1230", "queued"] and row[6] == meter,
      "the entry and its credit token command were written together", row)
first_count = int(row[5])

# Another account's meter, a closed account, the cap.
other = db_value(f"SELECT id FROM meters WHERE number = {num[free[3]]}")
r = a.post("/sell", {"account": aid, "meter": other, "amount": "5", "idem": uuid.uuid4().hex, "confirm": "1"})
check("不属于" in (r.field_error("meter") or ""), "a meter of another account is refused")
r = a.post("/sell", {"account": "99999999", "meter": meter, "amount": "5", "idem": uuid.uuid4().hex, "confirm": "1"})
check(r.status == 404, "an unknown account is a 404")
cap = int(db_value("SELECT value FROM settings WHERE name = 'hoard_cap_fen'"))
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "%d.00" % (cap // 100), "idem": uuid.uuid4().hex, "confirm": "1"})
check("囤积金额上限" in (r.field_error("amount") or ""), "a sale above the hoarding cap is refused")
r, _ = open_account(3, free[3])
closed = re.search(r"id=(\d+)", r.location).group(1)
db(f"UPDATE accounts SET status = 'closed' WHERE id = {closed}")
cm = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {closed}")
r = a.post("/sell", {"account": closed, "meter": cm, "amount": "5", "idem": uuid.uuid4().hex, "confirm": "1"})
check("不在使用中" in (r.field_error("amount") or ""), "a closed account cannot buy")
check(count("ledger") == L0 + 1, "refused sales wrote nothing to the ledger")

# The ledger is append-only for the programs' accounts.
pw = open(f"{VAR}/staff.password").read().strip()
for stmt in [f"UPDATE ledger SET amount_fen = 1 WHERE id = {lid}", f"DELETE FROM ledger WHERE id = {lid}"]:
    p = subprocess.run(["mariadb", f"--socket={VAR}/run/mysqld.sock", "-uprepaid_staff", f"-p{pw}", "prepaid", "-e", stmt],
                       capture_output=True, text=True)
    check(p.returncode != 0 and "denied" in p.stderr, f"the staff account cannot {stmt.split()[0]} the ledger", p.stderr.strip())
cpw = open(f"{VAR}/collector.password").read().strip()
p = subprocess.run(["mariadb", f"--socket={VAR}/run/mysqld.sock", "-uprepaid_collector", f"-p{cpw}", "prepaid", "-e",
                    f"UPDATE ledger SET amount_fen = 1 WHERE id = {lid}"], capture_output=True, text=True)
check(p.returncode != 0 and "denied" in p.stderr, "nor can the collector's account")
check(db_value(f"SELECT amount_fen FROM ledger WHERE id = {lid}") == "1230", "the entry is unchanged")

# The receipt: three parts, capitals, reprints marked as copies.
r = a.get(f"/receipt?id={lid}")
check(r.status == 200 and r.text.count("壹拾贰元叁角整") == 3 and "存根联" in r.text and "客户联" in r.text
      and "财务联" in r.text and "补打" not in r.text, "the receipt has its three parts and the amount in capitals")
r = a.post(f"/receipt?id={lid}", {"csrf": a.csrf_token})
check(r.status == 303 and "print=" in r.location, "the print button records the print")
r = a.get(r.location)
check("补打" not in r.text and "receipt.js" in r.text, "the first print is the original")
r = a.post(f"/receipt?id={lid}", {"csrf": a.csrf_token})
r = a.get(r.location)
check(r.text.count("补打") == 3, "a reprint is marked as a copy on every part")

# Concurrency: 20 clients selling on 10 accounts at once, every sale once, counts in order.
accts = []
for room in free[4:14]:
    r, _ = open_account(3, room)
    x = re.search(r"id=(\d+)", r.location).group(1)
    accts.append((x, db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {x}")))
errors = []


def seller(k):
    c = operator(role=1)
    for i in range(6):
        acc, m = accts[(k + i) % 10]
        key = uuid.uuid4().hex
        for _ in range(2):      # each form twice, as a double click
            c.get(f"/sell?account={acc}")
            r = c.post("/sell", {"account": acc, "meter": m, "amount": "1.00", "idem": key, "confirm": "1"})
            if r.status != 303:
                errors.append(r.status)


threads = [threading.Thread(target=seller, args=(k,)) for k in range(20)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check(not errors, "120 sales from 20 clients, each sent twice, all answered", errors[:5])
ids = ",".join(x for x, _ in accts)
check(count("ledger", f"account_id IN ({ids})") == 120, "exactly 120 entries: no double sale, none lost")
bad = db(f"SELECT c.meter_id, COUNT(*), COUNT(DISTINCT c.purchase_count), MIN(c.purchase_count), MAX(c.purchase_count)"
         f" FROM ledger l JOIN commands c ON c.id = l.command_id WHERE l.account_id IN ({ids}) GROUP BY c.meter_id")
check(all(row[1] == row[2] and int(row[4]) - int(row[3]) + 1 == int(row[1]) for row in bad) and len(bad) == 10,
      "every meter's tokens have distinct purchase counts without gaps", bad[:3])
check(int(db_value(f"SELECT SUM(amount_fen) FROM ledger WHERE account_id IN ({ids})")) == 12000, "they add up to 120.00 yuan")

# F18: the sales query with totals and export.
r = a.get("/sales", q=num[free[0]])
check("12.30" in r.text and re.search(r'id="sum-amount">12.30<', r.text), "the sales query finds the sale with its total")
r = a.get("/sales", q=num[free[0]], export="xlsx")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
check(ws.max_row == 3 and ws.cell(2, 7).value == 12.3 and ws.cell(2, 7).number_format == "0.00"
      and ws.cell(3, 7).value == 12.3, "the sales export has the sale as a number, and its total",
      [c.value for c in ws[2]] if ws.max_row > 1 else "")
r = a.get("/accounts", q=num[free[0]])
check("测试户" in r.text, "the opening records find the account by meter number")
r = a.get("/accounts", export="xlsx", status="open")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
check(ws.max_row - 1 == count("accounts", "status = 'open'"), "the opening records export every open account")

# A meter never read has no purchase count to start from: no token for it.
nr_room = free[-1]
nr = db_value(f"SELECT m.id FROM meters m JOIN rooms r ON r.id = m.room_id JOIN buildings b ON b.id = r.building_id"
              f" WHERE b.name = '3号楼' AND r.number = '{nr_room}'")
db(f"DELETE FROM meter_state WHERE meter_id = {nr}")
check(count("purchase_counts", f"meter_id = {nr}") == 0, "a meter that never had a token")
L0 = count("ledger")
A0 = count("accounts")
r, f = open_account(3, nr_room, holder="未读表户", first="20")
check(r.status == 200 and "立即读表" in (r.field_error(f"m{nr}") or "") and 'name="read"' in r.text,
      "opening with a first purchase on a meter never read: read it first", r.field_error(f"m{nr}"))
check(count("accounts") == A0 and count("ledger") == L0 and count("commands", f"meter_id = {nr} AND kind = 'credit'") == 0,
      "nothing was written")
meter_read(nr, 0, 17)
r = a.post("/account/open", f)
acc = db_value(f"SELECT account_id FROM account_meters WHERE meter_id = {nr} AND active = 1")
check(r.status == 303 and acc and db_value(f"SELECT MAX(purchase_count) FROM commands WHERE meter_id = {nr}") == "18",
      "once read, the opening's first token takes the meter's own count + 1", r.location)
done()
