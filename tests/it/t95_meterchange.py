"""t95_meterchange.py - F11 add a meter to an open account; replace a meter moving its money as linked entries (the meters of other rooms, confirmed as such)."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)




b2 = db_value("SELECT id FROM buildings WHERE name = '2号楼'")
rows = db("SELECT r.number, m.number, m.id FROM rooms r JOIN meters m ON m.room_id = r.id WHERE r.building_id = " + b2 +
          " AND NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1) ORDER BY r.number LIMIT 3")
(room, old_num, old), (_, new_num, new), (_, add_num, add) = rows
r = a.get("/account/open")
r = a.post("/account/open", {"holder": "换表测试", "building_id": b2, "room": room, "idem": idem_of(r)})
aid = re.search(r"id=(\d+)", r.location).group(1)
r = a.get(f"/sell?account={aid}")
r = a.post("/sell", {"account": aid, "meter": old, "amount": "80", "idem": idem_of(r), "confirm": "1"})

# Add a meter later.
r = a.get(f"/account/meter?id={aid}&mode=add")
i = idem_of(r)
r = a.post(f"/account/meter?id={aid}", {"id": aid, "mode": "add", "new": "99999999", "idem": i})
check("找不到" in (r.field_error("new") or ""), "adding an unknown meter is refused")
master = db_value("SELECT number FROM meters WHERE profile = 'energy' LIMIT 1")
r = a.post(f"/account/meter?id={aid}", {"id": aid, "mode": "add", "new": master, "idem": i})
check("预付费" in (r.field_error("new") or ""), "a master meter cannot join an account")
r = a.post(f"/account/meter?id={aid}", {"id": aid, "mode": "add", "new": add_num, "idem": i, "confirm": "1",
                                        f"other_{add}": "1"})
check(r.status == 303 and count("account_meters", f"account_id = {aid} AND meter_id = {add} AND active = 1") == 1,
      "a meter is added to the open account")
r = a.post(f"/account/meter?id={aid}", {"id": aid, "mode": "add", "new": add_num, "idem": i, "confirm": "1",
                                        f"other_{add}": "1"})
check(count("account_meters", f"meter_id = {add} AND active = 1") == 1, "adding it twice adds it once")

# Replace: the old meter's money by a fresh read moves to the new one.
r = a.get(f"/account/meter?id={aid}&mode=replace")
i = idem_of(r)
db(f"DELETE FROM meter_state WHERE meter_id = {old}")
r = a.post(f"/account/meter?id={aid}", {"id": aid, "mode": "replace", "old": old, "new": new_num, "idem": i})
check("立即读表" in (r.field_error("old") or ""), "a replacement needs a fresh read of the old meter")
meter_read(old, 6543, 1)
r = a.post(f"/account/meter?id={aid}", {"id": aid, "mode": "replace", "old": old, "new": old_num, "idem": i})
check("重复" in (r.field_error("new") or ""), "the new meter must differ from the old")
r = a.post(f"/account/meter?id={aid}", {"id": aid, "mode": "replace", "old": old, "new": new_num, "idem": i,
                                        f"other_{new}": "1"})
check('id="move-money">65.43<' in r.text, "the confirmation shows the 65.43 to move")
L0 = count("ledger")
f = {"id": aid, "mode": "replace", "old": old, "new": new_num, "idem": i, "confirm": "1", f"other_{new}": "1"}
r = a.post(f"/account/meter?id={aid}", f)
check(r.status == 303, "the replacement is done")
rows = db(f"SELECT l.id, l.kind, l.meter_id, l.amount_fen, COALESCE(l.link_id, ''), c.kind, c.amount_fen FROM ledger l"
          f" JOIN commands c ON c.id = l.command_id WHERE l.account_id = {aid} AND l.kind LIKE 'transfer%' ORDER BY l.id")
check(len(rows) == 2 and rows[0][1:4] == ["transfer_out", old, "-6543"] and rows[0][5:] == ["debit", "6543"],
      "the old meter is debited 65.43 by token", rows)
check(len(rows) == 2 and rows[1][1:4] == ["transfer_in", new, "6543"] and rows[1][4] == rows[0][0] and rows[1][5:] == ["credit", "6543"],
      "the new meter is credited 65.43, linked to the debit", rows)
r = a.post(f"/account/meter?id={aid}", f)
check(count("ledger") == L0 + 2, "the same replacement form twice moves the money once")
check(count("account_meters", f"account_id = {aid} AND meter_id = {old} AND active = 1") == 0 and
      count("account_meters", f"account_id = {aid} AND meter_id = {new} AND active = 1") == 1,
      "the account now holds the new meter, not the old one")
check(int(db_value(f"SELECT SUM(amount_fen) FROM ledger WHERE account_id = {aid}")) == 8000, "the account's ledger still sums to the 80.00 sold")
done()
