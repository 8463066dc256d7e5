"""t9a_adjust.py - adjustment entries by hand: their own right, a reason, a confirmation, a token, exactly once; bad input changes nothing."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)
fin = operator(role=2)  # finance: sells and refunds, but no adjustments

b3 = db_value("SELECT id FROM buildings WHERE name = '3号楼'")
room, meter, num = db("SELECT r.number, m.id, m.number FROM rooms r JOIN meters m ON m.room_id = r.id WHERE r.building_id = "
                      + b3 + " AND NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
                      " ORDER BY r.number LIMIT 1")[0]
r = a.get("/account/open")
r = a.post("/account/open", {"holder": "调整测试", "building_id": b3, "room": room, "idem": idem_of(r)})
aid = re.search(r"id=(\d+)", r.location).group(1)
other = db_value("SELECT m.id FROM meters m WHERE m.profile = 'ddsy1352nk' AND m.id <> " + meter + " LIMIT 1")

r = a.get(f"/account?id={aid}")
check(f'href="/adjust?account={aid}"' in r.text, "the account page offers an adjustment to an operator with the right")
r = fin.get(f"/account?id={aid}")
check(r.status == 200 and "/adjust?" not in r.text, "and not to finance staff without it")
r = fin.get(f"/adjust?account={aid}")
check(r.status == 403 and "ADJ" in r.text, "finance staff get a 403 naming the right", r.status)

r = a.get(f"/adjust?account={aid}")
idem = idem_of(r)
check(r.status == 200 and idem and num in r.text, "the adjustment form shows the account's meters")
good = {"account": aid, "meter": meter, "direction": "credit", "amount": "12.34", "reason": "抄表差错更正", "idem": idem}
L0, C0 = count("ledger"), count("commands")
for field, bad, why in [("reason", "", "必填"), ("reason", "长" * 101, "过长"), ("direction", "", "必填"),
                        ("direction", "sideways", "选择"), ("amount", "0", "超出"), ("amount", "-5", "超出"),
                        ("amount", "1.234", "两位小数"), ("amount", "abc", "金额"), ("amount", "", "必填")]:
    r = a.post("/adjust", dict(good, **{field: bad}, confirm="1"))
    check(why in (r.field_error(field) or ""), f"{field} {bad[:12]!r} refused: {why}", r.field_error(field))
r = a.post("/adjust", dict(good, meter=other, confirm="1"))
check("不属于" in (r.field_error("meter") or "") or "不是" in (r.field_error("meter") or ""),
      "another account's meter is refused", r.field_error("meter"))
check(count("ledger") == L0 and count("commands") == C0, "refused adjustments wrote nothing")

r = a.post("/adjust", good)
check(r.status == 303 and "/adjust?review=1" in r.location, "a valid form is answered with a redirect to its confirmation")
r = a.get(r.location)
check('id="confirm-direction">退给用户' in r.text and "12.34 元 (壹拾贰元叁角肆分)" in r.text and count("ledger") == L0,
      "the confirmation says which way and how much, in figures and capitals, and writes nothing")
r = a.get("/adjust?review=1&" + urllib.parse.urlencode(dict(good, confirm="1")))
check(r.status == 200 and "抄表差错更正" in r.text and count("ledger") == L0, "a GET of the confirmation never writes")
r = a.post("/adjust", dict(good, confirm="1"))
check(r.status == 303 and "/sale?id=" in r.location, "the confirmed adjustment is written")
lid = re.search(r"id=(\d+)", r.location).group(1)
r2 = a.post("/adjust", dict(good, confirm="1"))
check(r2.location == r.location and count("ledger") == L0 + 1, "the same form twice makes one entry")
row = db(f"SELECT l.kind, l.amount_fen, l.note, l.channel, c.kind, c.amount_fen FROM ledger l JOIN commands c"
         f" ON c.id = l.command_id WHERE l.id = {lid}")
check(row == [["adjustment", "1234", "抄表差错更正", "counter", "credit", "1234"]],
      "an adjustment entry with its reason and its credit token", row)
check(count("oplog", f"action = 'adjust.create' AND object = 'ledger:{lid}'") == 1, "the operation log has it")

# A debit: at most what the meter holds, by a fresh read.
bad = {"account": aid, "meter": meter, "direction": "debit", "amount": "5.00", "reason": "<script>x</script>",
       "idem": uuid.uuid4().hex, "confirm": "1"}
r = a.post("/adjust", bad)
check("过期" in (r.field_error("amount") or "") or "读" in (r.field_error("amount") or ""),
      "a debit needs a fresh read", r.field_error("amount"))
meter_read(meter, 1234, int(db_value(f"SELECT last_count FROM purchase_counts WHERE meter_id = {meter}")))
r = a.post("/adjust", dict(bad, amount="12.35"))
check("超过" in (r.field_error("amount") or ""), "a debit above the meter's money is refused", r.field_error("amount"))
r = a.post("/adjust", bad)
check(r.status == 303, "a debit of 5.00 is written")
did = re.search(r"id=(\d+)", r.location).group(1)
check(db(f"SELECT l.amount_fen, c.kind, c.amount_fen FROM ledger l JOIN commands c ON c.id = l.command_id WHERE l.id = {did}")
      == [["-500", "debit", "500"]], "with its debit token")
r = a.get(f"/sale?id={did}")
check("&lt;script&gt;" in r.text and "<script>x" not in r.text, "the reason is shown escaped")
db(f"UPDATE accounts SET status = 'closed' WHERE id = {aid}")
r = a.post("/adjust", dict(good, idem=uuid.uuid4().hex, confirm="1"))
check("不在使用中" in (r.field_error("amount") or ""), "a closed account takes no adjustment", r.field_error("amount"))
db(f"UPDATE accounts SET status = 'open' WHERE id = {aid}")
done()
