"""t91_refunds.py - F19 refunds by a fresh read, F20 refund query, F21 reversals once, "read now"."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)




free = [x[0] for x in db("SELECT r.number FROM rooms r JOIN buildings b ON b.id = r.building_id"
                         " JOIN meters m ON m.room_id = r.id WHERE b.name = '4号楼' AND NOT EXISTS"
                         " (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
                         " ORDER BY r.number DESC")]
r = a.get("/account/open")
r = a.post("/account/open", {"holder": "退电测试", "building_id": "4", "room": free[0], "idem": idem_of(r)})
aid = re.search(r"id=(\d+)", r.location).group(1)
meter = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {aid}")
r = a.get(f"/sell?account={aid}")
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "50", "idem": idem_of(r), "confirm": "1"})
sale = re.search(r"id=(\d+)", r.location).group(1)
L0 = count("ledger")

# A refund needs a fresh read of the meter.
db(f"DELETE FROM meter_state WHERE meter_id = {meter}")
r = a.get(f"/refund?account={aid}")
check(r.status == 200 and "立即读表" in r.text, "the refund page offers to read the meter now")
i = idem_of(r)
r = a.post("/refund", {"account": aid, "meter": meter, "amount": "10", "idem": i, "confirm": "1"})
check("立即读表" in (r.field_error("amount") or ""), "without a fresh read the refund is refused")
r = a.post("/meter/read", {"meter": meter, "back": f"/refund?account={aid}"})
check(r.status == 303 and r.location.endswith(f"/refund?account={aid}") and
      count("read_requests", f"meter_id = {meter} AND done_at IS NULL") == 1, "'read now' queues a read request")
r = a.post("/meter/read", {"meter": meter, "back": "//evil.example/x"})
check(r.status == 303 and r.location.endswith("/") and "evil" not in r.location, "'read now' never redirects off the site")
meter_read(meter, 5000, 1)
for amount, why in [("60", "超过电表当前剩余金额"), ("0", "超出"), ("-5", "超出"), ("abc", "金额"), ("1.001", "两位小数")]:
    r = a.post("/refund", {"account": aid, "meter": meter, "amount": amount, "idem": i, "confirm": "1"})
    check(why in (r.field_error("amount") or ""), f"refund {amount!r} refused: {why}", r.field_error("amount"))
check(count("ledger") == L0, "refused refunds wrote nothing")
r = a.post("/refund", {"account": aid, "meter": meter, "amount": "10", "idem": i, "confirm": "1"})
check(r.status == 303, "a refund within the meter's money is written")
ref = re.search(r"id=(\d+)", r.location).group(1)
r2 = a.post("/refund", {"account": aid, "meter": meter, "amount": "10", "idem": i, "confirm": "1"})
check(r2.location == r.location and count("ledger") == L0 + 1, "the same refund form twice refunds once")
row = db(f"SELECT l.amount_fen, c.kind, c.amount_fen, c.purchase_count FROM ledger l JOIN commands c ON c.id = l.command_id"
         f" WHERE l.id = {ref}")[0]
check(row == ["-1000", "debit", "1000", "2"], "the refund is -10.00 in the ledger and a debit token with the next count", row)
r = a.get(f"/refund?account={aid}")
r = a.post("/refund", {"account": aid, "meter": meter, "amount": "40.01", "idem": idem_of(r), "confirm": "1"})
check("超过" in (r.field_error("amount") or ""), "a pending refund counts: 40.01 more is refused (40.00 left)")
r = a.get(f"/receipt?id={ref}")
check("退电" in r.text and r.text.count("壹拾元整") == 3, "the refund has its receipt")

# Reversals: once, with a reason, refused when the money was used.
r = a.get(f"/sale?id={sale}")
r = a.post("/reversal", {"id": sale, "reason": "", "idem": idem_of(r)})
check("必填" in (r.field_error("reason") or ""), "a reversal needs a reason")
r = a.post("/reversal", {"id": sale, "reason": "金额输错", "idem": idem_of(r)})
check("已被使用" in (r.field_error("reason") or ""), "reversing a sale of 50.00 when the meter holds 40.00 is refused")
r = a.get(f"/sale?id={ref}")
ri = idem_of(r)
r = a.post("/reversal", {"id": ref, "reason": "退错了", "idem": ri})
check(r.status == 303, "a refund is reversed")
rev = re.search(r"id=(\d+)", r.location).group(1)
row = db(f"SELECT l.kind, l.amount_fen, l.reverses_id, l.note, c.kind, c.amount_fen FROM ledger l JOIN commands c"
         f" ON c.id = l.command_id WHERE l.id = {rev}")[0]
check(row == ["reversal", "1000", ref, "退错了", "credit", "1000"],
      "the reversal is +10.00 pointing at the refund, with the reason and a credit token", row)
r = a.post("/reversal", {"id": ref, "reason": "退错了", "idem": ri})
check(r.location.endswith(f"id={rev}"), "the same reversal form twice reverses once")
# (a second tab still showing the form sends its own key)
r = a.post("/reversal", {"id": ref, "reason": "again", "idem": uuid.uuid4().hex})
check("已冲正" in (r.field_error("reason") or ""), "an entry can be reversed only once")
r = a.post("/reversal", {"id": rev, "reason": "x", "idem": uuid.uuid4().hex})
check("只有售电和退电" in (r.field_error("reason") or ""), "a reversal itself cannot be reversed")
r = a.post("/reversal", {"id": "99999999", "reason": "x", "idem": uuid.uuid4().hex})
check(r.status == 404, "reversing an unknown entry is a 404")
meter_read(meter, 5000, 3)
r = a.get(f"/sale?id={sale}")
r = a.post("/reversal", {"id": sale, "reason": "金额输错", "idem": idem_of(r)})
check(r.status == 303, "with the money back on the meter the sale can be reversed")
check(db_value(f"SELECT SUM(amount_fen) FROM ledger WHERE account_id = {aid}") == "0", "the account's ledger sums to zero")

# F20: the refund query.
num = db_value(f"SELECT number FROM meters WHERE id = {meter}")
r = a.get("/refunds", q=num)
check(re.search(r'id="sum-amount">10.00<', r.text) and ">10.00<" in r.text, "the refund query lists the refund as 10.00")
done()
