"""t94_close.py - F13 closing an account: fresh reads, refunds by token, trip, closed when confirmed; F14 records."""
import io
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)




free = [x[0] for x in db("SELECT r.number FROM rooms r JOIN buildings b ON b.id = r.building_id"
                         " JOIN meters m ON m.room_id = r.id WHERE b.name = '2号楼' AND NOT EXISTS"
                         " (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
                         " ORDER BY r.number DESC")]
r = a.get("/account/open")
r = a.post("/account/open", {"holder": "销户测试", "building_id": db_value("SELECT id FROM buildings WHERE name = '2号楼'"),
                             "room": free[0], "idem": idem_of(r)})
aid = re.search(r"id=(\d+)", r.location).group(1)
meter = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {aid}")
r = a.get(f"/sell?account={aid}")
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "50", "idem": idem_of(r), "confirm": "1"})

r = a.get(f"/close?id={aid}")
check(r.status == 200 and "读数已过期" in r.text, "the closing page shows the meter needs a fresh read")
r = a.post("/close", {"id": aid, "confirm": "1", "seen": "1"})
check("不能销户" in r.text and db_value(f"SELECT status FROM accounts WHERE id = {aid}") == "open",
      "without a fresh read the account cannot be closed")
meter_read(meter, -20, 1)
r = a.post("/close", {"id": aid, "confirm": "1"})
check("透支" in r.text and db_value(f"SELECT status FROM accounts WHERE id = {aid}") == "open",
      "a meter in overdraft stops the closing")
meter_read(meter, 3000, 1)
db(f"INSERT INTO commands (meter_id, kind, status, error) VALUES ({meter}, 'trip', 'failed', 'meter refused')")
r = a.post("/close", {"id": aid})
check("请先查看" in (r.field_error("seen") or ""), "a failed command of the account must be seen first")
L0 = count("ledger")
r = a.post("/close", {"id": aid, "seen": "1"})
check("请再次确认" in r.text and count("ledger") == L0, "then a confirmation, nothing done yet")
r = a.post("/close", {"id": aid, "seen": "1", "confirm": "1", f"trip{meter}": "1"})
check(r.status == 303 and db_value(f"SELECT status FROM accounts WHERE id = {aid}") == "closing",
      "confirmed: the account is closing")
row = db(f"SELECT l.kind, l.amount_fen, c.kind, c.amount_fen, c.status FROM ledger l JOIN commands c ON c.id = l.command_id"
         f" WHERE l.account_id = {aid} AND l.kind = 'closing_refund'")
check(row == [["closing_refund", "-3000", "debit", "3000", "queued"]], "the meter's 30.00 is refunded with a debit token", row)
check(count("commands", f"meter_id = {meter} AND kind = 'trip' AND status = 'queued'") == 1, "the meter is to be tripped")
r = a.post("/close", {"id": aid, "seen": "1", "confirm": "1"})
check(count("ledger", f"account_id = {aid} AND kind = 'closing_refund'") == 1, "closing twice refunds once")
r = a.get(f"/sell?account={aid}")
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "5", "idem": uuid.uuid4().hex, "confirm": "1"})
check("不在使用中" in (r.field_error("amount") or ""), "a closing account cannot buy")
r = a.get(f"/account?id={aid}")
check("销户中" in r.text, "until the token is confirmed the account shows it is closing")
meter_read(meter, 0, 2)
r = a.get("/closings", q="销户测试")
check(db_value(f"SELECT status FROM accounts WHERE id = {aid}") == "closed",
      "once the debit is confirmed the account is closed, seen from the closing records")
r = a.get(f"/account?id={aid}")
check("已销户" in r.text, "and its page says so")
check(count("account_meters", f"meter_id = {meter} AND active = 1") == 0, "and its meter is free again")
check(db_value(f"SELECT SUM(amount_fen) FROM ledger WHERE account_id = {aid}") == "2000",
      "the ledger keeps 50.00 sold minus 30.00 refunded: the 20.00 used")
r = a.get("/closings", q="销户测试")
check("30.00" in r.text and "已销户" in r.text, "the closing records show the refund")
r = a.get("/closings", export="xlsx", q="销户测试")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
check(ws.max_row >= 2 and ws.cell(2, 6).value == 30, "the closing records export")
r = a.get("/account/open")
r = a.post("/account/open", {"holder": "新户", "building_id": db_value("SELECT id FROM buildings WHERE name = '2号楼'"),
                             "room": free[0], "idem": idem_of(r)})
check(r.status == 303, "the freed meter opens a new account")
done()
