"""t9b_open_money.py - F11 opening: the money already on a meter (shown by its last read; read now first when never read or stale; cleared to the previous holder or carried over, after a confirmation in figures; a debt carried), another room's meter asked about, master meters refused, repeats and two operators at once."""
import os
import re
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)
b = operator(role=1)
B2 = db_value("SELECT id FROM buildings WHERE name = '2号楼'")
BNAME = "2号楼"
# rooms of building 2 with one prepaid meter never in an account: (room, meter id, meter number)
free = db("SELECT r.number, MIN(m.id), MIN(m.number) FROM rooms r JOIN meters m ON m.room_id = r.id"
          f" WHERE r.building_id = {B2} AND m.profile = 'ddsy1352nk' AND NOT EXISTS (SELECT 1 FROM"
          " account_meters x WHERE x.meter_id = m.id) GROUP BY r.id HAVING COUNT(*) = 1 ORDER BY r.number LIMIT 16")
assert len(free) >= 16, free


def state(meter, money, age_s, count=0):
    """The meter as last read AGE_S seconds ago with MONEY fen (None: never read)."""
    if money is None:
        db(f"DELETE FROM meter_state WHERE meter_id = {meter}")
        return
    db(f"INSERT INTO meter_state (meter_id, read_at, remaining_fen, purchase_count) VALUES ({meter},"
       f" UTC_TIMESTAMP(3) - INTERVAL {age_s} SECOND, {money}, {count}) ON DUPLICATE KEY UPDATE"
       f" read_at = VALUES(read_at), remaining_fen = VALUES(remaining_fen), purchase_count = VALUES(purchase_count)")


def form(c, room, number, holder="期初测试", **extra):
    r = c.get("/account/open")
    f = {"holder": holder, "building_id": B2, "room": room, "meters": number, "idem": idem_of(r)}
    f.update(extra)
    return f


def post(c, f, **extra):
    g = dict(f)
    g.update({k: str(v) for k, v in extra.items()})
    return c.post("/account/open", g)


def acc_of(meter):
    return db_value(f"SELECT account_id FROM account_meters WHERE meter_id = {meter} AND active = 1")


def money_of(acc):
    t = a.get(f"/account?id={acc}").text
    m = re.search(r'id="account-money">([^<]*)<', t)
    return m.group(1) if m else None


E0 = count("ledger")

# -- a master (energy) meter: refused
room = free[0][0]
energy = db_value("SELECT number FROM meters WHERE profile <> 'ddsy1352nk' ORDER BY number LIMIT 1")
A0, L0 = count("accounts"), count("account_meters")
for twice in range(2):
    r = post(a, form(a, room, energy, holder="总表开户"))
    check(r.status == 200 and "总表" in (r.field_error("meters") or "") and count("accounts") == A0
          and count("account_meters") == L0, "a master (energy) meter is refused next to the field, nothing written",
          r.field_error("meters"))

# -- no money on the meter (a day-old read of 0): opened at once, no entry, the room's meter shown
room, mid, num = free[0]
state(mid, 0, 86400)
r = post(a, form(a, room, num))
acc = acc_of(mid)
check(r.status == 303 and acc is not None and count("ledger") == E0, "a meter without money opens at once, no entry",
      (r.status, r.location))

# -- never read: read now first; the button asks the collector, the form stays
room, mid, num = free[1]
state(mid, None, 0)
f = form(a, room, num)
r = post(a, f)
check(r.status == 200 and "从未读表" in (r.field_error(f"m{mid}") or "") and acc_of(mid) is None
      and f'name="read" value="{mid}"' in r.text, "a meter never read: 'read now' next to it, nothing written",
      r.field_error(f"m{mid}"))
R0 = count("read_requests", f"meter_id = {mid}")
r = post(a, f, read=mid)
check(r.status == 200 and count("read_requests", f"meter_id = {mid}") == R0 + 1 and acc_of(mid) is None
      and 'id="read-asked"' in r.text and f'value="{f["holder"]}"' in r.text,
      "'read now' on the form asks one read and keeps what was typed, opens nothing")

# -- stale read with money: 10 minutes is the limit
room, mid, num = free[2]
state(mid, 15000, 610)
f = form(a, room, num)
r = post(a, f, **{f"money_{mid}": "carry"})
check(r.status == 200 and "10分钟" in (r.field_error(f"m{mid}") or "") and acc_of(mid) is None
      and f'name="read" value="{mid}"' in r.text, "money by a read over 10 minutes old: read now first",
      r.field_error(f"m{mid}"))
state(mid, 15000, 590)
r = post(a, f, **{f"money_{mid}": "carry"})
check(r.status == 200 and 'id="restate"' in r.text and acc_of(mid) is None,
      "the same money by a read under 10 minutes old goes on to the confirmation")

# -- money, no choice: the choice is required, next to the meter
room, mid, num = free[3]
state(mid, 15000, 5)
f = form(a, room, num)
r = post(a, f)
row = re.search(r'<tr id="found-%s".*?</tr>' % mid, r.text, re.S)
row = row.group(0) if row else ""
check(r.status == 200 and "清零" in (r.field_error(f"m{mid}") or "") and "150.00" in row
      and "分钟前" in row and 'value="clear"' in row and 'value="carry"' in row and acc_of(mid) is None,
      "money on the meter: 150.00 and the read's age shown, clear / carry over required", r.field_error(f"m{mid}"))
r = post(a, f, **{f"money_{mid}": "steal"})
check(r.status == 200 and r.field_error(f"m{mid}") and acc_of(mid) is None, "an unknown choice is refused")

# -- clear, no previous holder: confirmation in figures, then a debit token booked to nobody
r = post(a, f, **{f"money_{mid}": "clear"})
rs = re.search(r'id="restate-%s">(.*?)</span>' % mid, r.text, re.S)
rs = rs.group(1) if rs else ""
check(r.status == 200 and "清零" in rs and "150.00" in rs and "无前一户" in rs and acc_of(mid) is None
      and count("ledger") == E0, "the confirmation restates: clear 150.00, no previous holder; nothing written", rs)
conf = {f"money_{mid}": "clear", f"amt_{mid}": 15000, "confirm": 1}
r = post(a, f, **conf)
acc = acc_of(mid)
rows = db(f"SELECT l.account_id IS NULL, l.amount_fen, c.kind, c.amount_fen FROM ledger l JOIN commands c"
          f" ON c.id = l.command_id WHERE l.kind = 'meter_clear' AND l.meter_id = {mid}")
check(r.status == 303 and acc is not None and rows == [["1", "-15000", "debit", "15000"]],
      "clear: one debit token of exactly 150.00, booked to no account (the site's)", rows)
check(count("ledger", f"account_id = {acc}") == 0 and money_of(acc) == "0.00",
      "the new account has no entry of it and its money is 0.00 (the meter is cleared)", money_of(acc))
r2 = post(a, f, **conf)
check(r2.status == 303 and f"id={acc}" in r2.location and count("ledger", f"meter_id = {mid}") == 1
      and count("accounts", f"idem_key = '{f['idem']}'") == 1, "the same confirmation again: one account, one entry")
t = a.get("/reconcile").text
om = re.search(r'<tr data-meter="%s">(.*?)</tr>' % num, t[t.find('id="opening-money"'):] if 'id="opening-money"' in t else "", re.S)
check(om is not None and "-150.00" in om.group(1) and "无前户" in om.group(1),
      "the reconciliation page lists it as the site's money (no previous holder)", om.group(1) if om else t[-400:])
um = re.search(r'id="unclaimed">([^<]*)<', t)
U = -int(db_value("SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE kind = 'meter_clear' AND account_id IS NULL"))
check(um and um.group(1) == "%d.%02d" % (U // 100, U % 100) and U >= 15000,
      "and the site's unclaimed money includes the 150.00", um.group(1) if um else "")

# -- a previous, closed account: carry over 264.57 into the new one; the receipt and the account page show it
room, mid, num = free[4]
state(mid, 0, 5)
r = post(a, form(a, room, num, holder="前一户"))
prev = acc_of(mid)
db(f"UPDATE accounts SET status = 'closed', closed_at = UTC_TIMESTAMP() WHERE id = {prev}")
db(f"UPDATE account_meters SET active = 0, open_meter_id = NULL WHERE account_id = {prev}")
state(mid, 26457, 5, 3)
f = form(a, room, num, holder="新户")
r = post(a, f, **{f"money_{mid}": "carry"})
rs = re.search(r'id="restate-%s">(.*?)</span>' % mid, r.text, re.S)
check(r.status == 200 and rs and "期初结转" in rs.group(1) and "264.57" in rs.group(1),
      "the confirmation restates: carry over 264.57", rs.group(1) if rs else r.text[-300:])
r = post(a, f, **{f"money_{mid}": "carry", f"amt_{mid}": 26457, "confirm": 1})
acc = acc_of(mid)
rows = db(f"SELECT kind, amount_fen, command_id IS NULL, account_id FROM ledger WHERE meter_id = {mid}")
check(r.status == 303 and acc != prev and rows == [["carry_over", "26457", "1", acc]],
      "carry over: one entry +264.57 on the new account, no token", rows)
cid = rows[0][0] and db_value(f"SELECT id FROM ledger WHERE meter_id = {mid}")
t = a.get(f"/account?id={acc}").text
check(money_of(acc) == "264.57" and "期初结转" in t and "264.57" in t,
      "the account's money is what the meter holds (264.57), the entry listed as 期初结转", money_of(acc))
check(a.get(f"/sale?id={cid}").status == 200, "the entry's page opens")
t = a.get(f"/receipt?id={cid}").text
check("期初结转" in t and "264.57" in t, "the opening receipt prints the carry-over")
t = a.get("/reconcile").text
om = re.search(r'<tr data-meter="%s">(.*?)</tr>' % num, t[t.find('id="opening-money"'):], re.S)
check(om is not None and "264.57" in om.group(1) and "期初结转" in om.group(1), "the reconciliation page lists it")

# -- a previous, closed account: clear is booked to it (the one kind of entry a closed account takes)
room, mid, num = free[5]
state(mid, 0, 5)
post(a, form(a, room, num, holder="老住户"))
prev = acc_of(mid)
db(f"UPDATE accounts SET status = 'closed', closed_at = UTC_TIMESTAMP() WHERE id = {prev}")
db(f"UPDATE account_meters SET active = 0, open_meter_id = NULL WHERE account_id = {prev}")
state(mid, 20000, 5, 2)
f = form(a, room, num, holder="接手户")
r = post(a, f, **{f"money_{mid}": "clear"})
rs = re.search(r'id="restate-%s">(.*?)</span>' % mid, r.text, re.S)
check(rs and "200.00" in rs.group(1) and "老住户" in rs.group(1), "the confirmation names the previous holder",
      rs.group(1) if rs else "")
r = post(a, f, **{f"money_{mid}": "clear", f"amt_{mid}": 20000, "confirm": 1})
acc = acc_of(mid)
rows = db(f"SELECT account_id, amount_fen, kind FROM ledger WHERE meter_id = {mid}")
check(rows == [[prev, "-20000", "meter_clear"]] and money_of(acc) == "0.00",
      "clear: booked to the previous (closed) account, the new account starts at 0.00", rows)
check(db_value(f"SELECT status FROM accounts WHERE id = {prev}") == "closed", "the previous account stays closed")
t = a.get(f"/account?id={prev}").text
check("开户清零" in t and "-200.00" in t, "the previous holder's account page lists the clear")

# -- the money changed between the confirmation and the click: shown again, nothing written
room, mid, num = free[6]
state(mid, 15000, 5)
f = form(a, room, num)
post(a, f, **{f"money_{mid}": "carry"})
state(mid, 14000, 3)
r = post(a, f, **{f"money_{mid}": "carry", f"amt_{mid}": 15000, "confirm": 1})
check(r.status == 200 and r.field_error(f"m{mid}") and "变化" in r.field_error(f"m{mid}") and acc_of(mid) is None
      and count("ledger", f"meter_id = {mid}") == 0, "money changed since the confirmation: asked again, nothing written")
r = post(a, f, **{f"money_{mid}": "carry", f"amt_{mid}": 14000, "confirm": 1})
check(r.status == 303 and db(f"SELECT amount_fen FROM ledger WHERE meter_id = {mid}") == [["14000"]],
      "confirmed with the new figure: carried over 140.00")

# -- overdraft: carry the debt, or nothing
room, mid, num = free[7]
state(mid, -1234, 5)
f = form(a, room, num)
r = post(a, f)
check(r.status == 200 and "透支" in (r.field_error(f"m{mid}") or "") and "-12.34" in r.text
      and f'value="debt"' in r.text and acc_of(mid) is None, "overdraft -12.34 shown; the debt must be carried",
      r.field_error(f"m{mid}"))
r = post(a, f, **{f"money_{mid}": "carry"})
check(r.status == 200 and r.field_error(f"m{mid}") and acc_of(mid) is None, "'carry' is not a choice for a debt")
r = post(a, f, **{f"money_{mid}": "debt"})
r2 = post(a, f, **{f"money_{mid}": "debt", f"amt_{mid}": -1234, "confirm": 1, "edit": 1})
check(r2.status == 200 and 'name="confirm"' not in r2.text and 'value="debt" checked' in r2.text and acc_of(mid) is None,
      "'edit' on the confirmation goes back to the choice, nothing written")
rs = re.search(r'id="restate-%s">(.*?)</span>' % mid, r.text, re.S)
check(rs and "欠费" in rs.group(1) and "12.34" in rs.group(1), "the confirmation restates the debt")
r = post(a, f, **{f"money_{mid}": "debt", f"amt_{mid}": -1234, "confirm": 1})
acc = acc_of(mid)
rows = db(f"SELECT kind, amount_fen, command_id IS NULL FROM ledger WHERE meter_id = {mid}")
check(r.status == 303 and rows == [["carry_over", "-1234", "1"]] and money_of(acc) == "-12.34",
      "debt carried: an opening entry -12.34, no token, the account owes it", rows)

# -- another room's meter: asked by name, the meter's room unchanged
room, mid, num = free[8]
other_room, omid, onum = free[9]
state(omid, 0, 5)
mroom = db_value(f"SELECT room_id FROM meters WHERE id = {omid}")
f = form(a, room, onum)
r = post(a, f)
q = f"该电表属于 {BNAME} {other_room} 室，确定用于本账户吗？"
check(r.status == 200 and q in r.text and r.field_error(f"m{omid}") and acc_of(omid) is None,
      "another room's meter: the form asks naming the room, nothing written", r.field_error(f"m{omid}"))
r = post(a, f, **{f"other_{omid}": 1})
check(r.status == 200 and 'id="restate"' in r.text and f"{BNAME} {other_room} 室" in r.text and acc_of(omid) is None,
      "ticked: the confirmation restates the other room")
r = post(a, f, **{f"other_{omid}": 1, "confirm": 1})
check(r.status == 303 and acc_of(omid) is not None and db_value(f"SELECT room_id FROM meters WHERE id = {omid}") == mroom,
      "confirmed: opened, the meter's room not changed")

# -- two operators on the same meter with money at once: one wins, the other is told
room, mid, num = free[10]
state(mid, 5000, 5)
fa, fb = form(a, room, num, holder="甲"), form(b, room, num, holder="乙")
post(a, fa, **{f"money_{mid}": "carry"})
post(b, fb, **{f"money_{mid}": "clear"})
res = {}
ta = threading.Thread(target=lambda: res.__setitem__("a", post(a, fa, **{f"money_{mid}": "carry", f"amt_{mid}": 5000, "confirm": 1})))
tb = threading.Thread(target=lambda: res.__setitem__("b", post(b, fb, **{f"money_{mid}": "clear", f"amt_{mid}": 5000, "confirm": 1})))
ta.start(); tb.start(); ta.join(); tb.join()
st = sorted([res["a"].status, res["b"].status])
loser = res["a"] if res["a"].status == 200 else res["b"]
check(st == [200, 303] and (loser.field_error("meters") or loser.field_error(f"m{mid}"))
      and count("account_meters", f"meter_id = {mid}") == 1 and count("ledger", f"meter_id = {mid}") == 1,
      "two operators at once: one account, one entry; the other is told next to the meters",
      (st, loser.field_error("meters"), count("ledger", f"meter_id = {mid}")))

# -- SQL and HTML in the holder's name: kept exactly, shown escaped on the confirmation and the account page
room, mid, num = free[11]
bad = "<b>x</b>' OR 1=1 -- \"&"
state(mid, 3000, 5)
if acc_of(mid) is None:
    f = form(a, room, num, holder=bad)
    r = post(a, f, **{f"money_{mid}": "carry"})
    check(r.status == 200 and "<b>x</b>" not in r.text and "&lt;b&gt;x&lt;/b&gt;" in r.text,
          "metacharacters in the holder's name are escaped on the confirmation")
    r = post(a, f, **{f"money_{mid}": "carry", f"amt_{mid}": 3000, "confirm": 1})
    acc = acc_of(mid)
    t = a.get(f"/account?id={acc}").text
    check(r.status == 303 and db_value(f"SELECT holder FROM accounts WHERE id = {acc}") == bad
          and "<b>x</b>" not in t and count("ledger", f"meter_id = {mid}") == 1,
          "opened with the name kept exactly, shown escaped, one carry-over")

# -- a meter added later to an open account: the same money choice, the other room asked about
room, mid, num = free[12]
_, amid, anum = free[13]
state(mid, 0, 5)
post(a, form(a, room, num, holder="加表户"))
acc = acc_of(mid)
state(amid, 7000, 5, 4)
r = a.get(f"/account/meter?id={acc}&mode=add")
g = {"id": acc, "mode": "add", "new": anum, "idem": idem_of(r)}
r = a.post(f"/account/meter?id={acc}", g)
check(r.status == 200 and "70.00" in r.text and f"该电表属于 {BNAME} {free[13][0]} 室" in r.text
      and r.field_error(f"m{amid}") and acc_of(amid) is None,
      "adding a meter with 70.00 of another room: its money and its room are asked about", r.field_error(f"m{amid}"))
r = a.post(f"/account/meter?id={acc}", dict(g, **{f"money_{amid}": "carry", f"other_{amid}": "1"}))
check(r.status == 200 and 'id="restate-%s"' % amid in r.text and acc_of(amid) is None,
      "chosen: the confirmation restates it, nothing written")
cf = dict(g, **{f"money_{amid}": "carry", f"other_{amid}": "1", f"amt_{amid}": "7000", "confirm": "1"})
r = a.post(f"/account/meter?id={acc}", cf)
r2 = a.post(f"/account/meter?id={acc}", cf)
check(r.status == 303 and acc_of(amid) == acc and db(f"SELECT kind, amount_fen, account_id FROM ledger WHERE meter_id = {amid}")
      == [["carry_over", "7000", acc]] and money_of(acc) == "70.00",
      "added: 70.00 carried over once (the form sent twice), the account holds it")

# -- a replacement whose new meter holds 12.00: cleared first, then the old meter's 65.43 moved onto it
room, xid, xnum = free[14]
_, yid, ynum = free[15]
state(xid, 0, 5)
post(a, form(a, room, xnum, holder="换表户"))
acc = acc_of(xid)
state(xid, 6543, 5, 1)
state(yid, 1200, 5, 6)
r = a.get(f"/account/meter?id={acc}&mode=replace")
g = {"id": acc, "mode": "replace", "old": xid, "new": ynum, "idem": idem_of(r), f"other_{yid}": "1",
     f"money_{yid}": "clear"}
r = a.post(f"/account/meter?id={acc}", g)
rs = re.search(r'id="restate-%s">(.*?)</span>' % yid, r.text, re.S)
check(r.status == 200 and 'id="move-money">65.43<' in r.text and rs and "12.00" in rs.group(1)
      and count("ledger", f"meter_id IN ({xid}, {yid})") == 0,
      "replacing onto a meter holding 12.00: the confirmation shows both figures, nothing written")
r = a.post(f"/account/meter?id={acc}", dict(g, **{f"amt_{yid}": "1200", "confirm": "1"}))
rows = db(f"SELECT l.kind, l.meter_id, l.amount_fen, c.purchase_count FROM ledger l JOIN commands c ON c.id = l.command_id"
          f" WHERE l.meter_id IN ({xid}, {yid}) ORDER BY l.id")
check(r.status == 303 and rows == [["meter_clear", yid, "-1200", "7"], ["transfer_out", xid, "-6543", "2"],
                                   ["transfer_in", yid, "6543", "8"]],
      "cleared 12.00 off the new meter, then 65.43 moved onto it, its tokens in order", rows)
check(acc_of(yid) == acc and acc_of(xid) is None and money_of(acc) == "65.43",
      "the account holds the new meter and its 65.43", money_of(acc))
done()
