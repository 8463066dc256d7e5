"""t94_close.py - F13 closing an account by steps: trip, a read after the trip, a refund of exactly that read's money, restore if kept, closed when every meter is done; refused refunds, overdraft, retries; F14 records; reconciliation."""
import io
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)
B2 = db_value("SELECT id FROM buildings WHERE name = '2号楼'")
free = [x[0] for x in db("SELECT r.number FROM rooms r JOIN buildings b ON b.id = r.building_id"
                         " JOIN meters m ON m.room_id = r.id WHERE b.name = '2号楼' AND NOT EXISTS"
                         " (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id) AND m.profile = 'ddsy1352nk'"
                         " ORDER BY r.number DESC")]


def cnt(m):
    return int(db_value(f"SELECT purchase_count FROM meter_state WHERE meter_id = {m}"))


def status(aid):
    return db_value(f"SELECT status FROM accounts WHERE id = {aid}")


def step(aid, m):
    return db(f"SELECT state, attempt FROM closing_meters WHERE account_id = {aid} AND meter_id = {m}")[0]


def refunds(aid):
    return db(f"SELECT l.amount_fen, c.status FROM ledger l JOIN commands c ON c.id = l.command_id"
              f" WHERE l.account_id = {aid} AND l.kind = 'closing_refund' ORDER BY l.id")


def opened(room, holder, sell=None):
    r = a.get("/account/open")
    f = {"holder": holder, "building_id": B2, "room": room, "idem": idem_of(r)}
    r = a.post("/account/open", f)
    if "请选择" in (r.field_error("meters") or "") or 'name="money' in r.text:  # money already on the meter: clear it
        mid = db_value(f"SELECT m.id FROM meters m JOIN rooms r ON r.id = m.room_id WHERE r.building_id = {B2}"
                       f" AND r.number = '{room}'")
        r = a.post("/account/open", dict(f, **{f"money{mid}": "clear"}))
        meter_read(mid, 0, cnt(mid) + 1)
    aid = re.search(r"id=(\d+)", r.location).group(1)
    m = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {aid}")
    if sell:
        r = a.get(f"/sell?account={aid}")
        a.post("/sell", {"account": aid, "meter": m, "amount": sell, "idem": idem_of(r), "confirm": "1"})
        meter_read(m, int(float(sell) * 100), cnt(m) + 1)
    return aid, m


# 1. The tester's case: the page offered 78.61, the meter went on drawing power and held 78.54 at the trip.
aid, meter = opened(free[0], "销户测试", sell="80")
meter_read(meter, -20, cnt(meter))
r = a.post("/close", {"id": aid, "confirm": "1"})
check("透支" in r.text and status(aid) == "open", "a meter in overdraft by its last read stops the closing (sell first)")
meter_read(meter, 7861, cnt(meter))
db(f"INSERT INTO commands (meter_id, kind, status, error) VALUES ({meter}, 'keep_power', 'failed', 'meter refused')")
r = a.post("/close", {"id": aid})
check("请先查看" in (r.field_error("seen") or ""), "a failed command of the account must be seen first")
L0, K0 = count("ledger"), count("commands")
r = a.post("/close", {"id": aid, "seen": "1"})
check("请再次确认" in r.text and "78.61" in r.text and count("ledger") == L0, "then a confirmation showing 78.61, nothing done yet")
r = a.post("/close", {"id": aid, "seen": "1", "confirm": "1", f"trip{meter}": "1"})
check(r.status == 303 and status(aid) == "closing", "confirmed: the account is closing")
check(count("ledger") == L0 and count("commands", f"meter_id = {meter} AND kind = 'trip' AND status = 'queued'") == 1,
      "the meter is tripped first: no refund yet, a trip queued")
r = a.get(f"/close?id={aid}")
check("等待拉闸" in r.text and count("ledger") == L0, "the closing page shows it waits for the trip")
r = a.post("/close", {"id": aid, "seen": "1", "confirm": "1"})
check(count("commands", f"meter_id = {meter} AND kind = 'trip'") == 1 and count("ledger") == L0,
      "the form sent again trips once and refunds nothing")
r = a.get(f"/sell?account={aid}")
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "5", "idem": uuid.uuid4().hex, "confirm": "1"})
check("不在使用中" in (r.field_error("amount") or ""), "a closing account cannot buy")
# the trip is confirmed; a read after it finds 78.54 (the meter drew power until the trip)
meter_read(meter, 7854, cnt(meter))
# several pages and the minute job at once: one refund
ts = [threading.Thread(target=lambda: a.get("/closings")) for _ in range(4)]
[t.start() for t in ts]
admin("apply-tariffs")
[t.join() for t in ts]
check(refunds(aid) == [["-7854", "queued"]], "the refund is exactly the 78.54 of the read after the trip, once", refunds(aid))
# the meter refuses it (exception 0x03): booked back, the account stays closing
cid = db_value(f"SELECT command_id FROM ledger WHERE account_id = {aid} AND kind = 'closing_refund'")
db(f"UPDATE commands SET status = 'failed', error = 'exception 0x03', done_at = UTC_TIMESTAMP(3) WHERE id = {cid}")
r = a.get(f"/close?id={aid}")
check(status(aid) == "closing" and "电表拒绝了退款扣款" in r.text and "重新读表并重试退款" in r.text,
      "a refused refund leaves the account closing; the page says so and offers to read again and retry")
check(step(aid, meter) == ["refused", "1"], "its meter's step is refused", step(aid, meter))
admin("apply-tariffs")
r = a.get("/closings", q="销户测试")
check(status(aid) == "closing" and "销户中" in r.text and "0.00" in r.text,
      "the closing records show nothing refunded yet (the refund was booked back)")
r = a.post("/close", {"id": aid, "meter": meter, "action": "retry"})
check(r.status == 303 and step(aid, meter) == ["read", "2"] and count("read_requests", f"meter_id = {meter} AND done_at IS NULL") >= 1,
      "retry: a new attempt waits for a new read, which is requested", step(aid, meter))
a.get(f"/close?id={aid}")
check(len(refunds(aid)) == 1, "no refund from the read before the retry")
meter_read(meter, 7854, cnt(meter))
a.get(f"/close?id={aid}")
check(refunds(aid) == [["-7854", "failed"], ["-7854", "queued"]], "after the new read: a second refund of 78.54", refunds(aid))
check(status(aid) == "closing", "still closing until the meter confirms it")
meter_read(meter, 0, cnt(meter) + 1)
r = a.get("/closings", q="销户测试")
check(status(aid) == "closed", "the debit confirmed and a read showing 0.00: the account is closed")
check("78.54" in r.text and "78.61" not in r.text, "the closing records show the 78.54 really refunded")
check(count("commands", f"meter_id = {meter} AND kind = 'restore'") == 0, "tripped as chosen: no restore")
check(count("account_meters", f"meter_id = {meter} AND active = 1") == 0, "the meter is free again")
check(db_value(f"SELECT SUM(amount_fen) FROM ledger WHERE account_id = {aid}") == str(8000 - 7854),
      "the ledger keeps 80.00 sold less 78.54 refunded (the booked-back refusal nets out)")
r = a.get("/closings", export="xlsx", q="销户测试")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
check(ws.max_row >= 2 and ws.cell(2, 6).value == 78.54, "the closing records export 78.54")

# 2. Keep: refunded, then prepaid mode restored; closed once the restore is confirmed. The minute job alone.
k, km = opened(free[1], "保持供电", sell="12.34")
a.get(f"/close?id={k}")
r = a.post("/close", {"id": k, "confirm": "1", f"trip{km}": "0"})
check(status(k) == "closing" and count("commands", f"meter_id = {km} AND kind = 'trip' AND status = 'queued'") == 1,
      "kept meters are tripped too while their money is taken back")
meter_read(km, 1200, cnt(km))
admin("apply-tariffs")
check(refunds(k) == [["-1200", "queued"]], "the minute job refunds the 12.00 of the read after the trip", refunds(k))
meter_read(km, 0, cnt(km) + 1)
admin("apply-tariffs")
check(status(k) == "closing" and count("commands", f"meter_id = {km} AND kind = 'restore' AND status = 'queued'") == 1,
      "then prepaid mode is restored (the relay closed again), the account still closing")
meter_read(km, 0, cnt(km))
admin("apply-tariffs")
check(status(k) == "closed", "closed once the restore is confirmed, nobody opening a page")
check(db(f"SELECT login FROM oplog WHERE action = 'account.closed' AND object = 'account:{k}'") == [["prepaid-admin"]],
      "the operation log says once that the periodic job closed it")

# 3. Overdraft after the trip: said, the debt collected, then closed at 0.00.
o, om = opened(free[2], "透支销户", sell="1")
a.get(f"/close?id={o}")
a.post("/close", {"id": o, "confirm": "1", f"trip{om}": "1"})
meter_read(om, -120, cnt(om))
r = a.get(f"/close?id={o}")
check(status(o) == "closing" and "透支" in r.text and "1.20" in r.text and "收取欠费" in r.text and refunds(o) == [],
      "a debt found after the trip is said with what to do (collect 1.20), no refund, still closing")
r = a.post("/close", {"id": o, "meter": om, "action": "pay", "confirm": "1"})
r2 = a.post("/close", {"id": o, "meter": om, "action": "pay", "confirm": "1"})
rows = db(f"SELECT l.kind, l.amount_fen, c.kind FROM ledger l JOIN commands c ON c.id = l.command_id"
          f" WHERE l.account_id = {o} AND l.note = '销户补交欠费'")
check(rows == [["sale", "120", "credit"]], "the debt is paid by one sale of 1.20 with its credit token (sent twice)", rows)
meter_read(om, 0, cnt(om) + 1)
a.get(f"/close?id={o}")
check(status(o) == "closed" and refunds(o) == [], "a read showing 0.00 after it: closed with nothing to refund")

# 4. Reconciliation: a closed account whose meter still holds money is flagged.
db(f"UPDATE meter_state SET remaining_fen = 4321 WHERE meter_id = {meter}")
r = a.get("/reconcile")
num = db_value(f"SELECT number FROM meters WHERE id = {meter}")
i = r.text.find('id="n-closings"')
check(i > 0 and num in r.text[i:r.text.find('id="n-balances"')] and "43.21" in r.text,
      "the reconciliation lists the closed account whose meter holds 43.21")
env = dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf")
p = subprocess.run([f"{TOP}/build/prepaid-admin", "reconcile"], env=env, capture_output=True, text=True)
check(p.returncode == 1 and "Closings=" in p.stdout and "Closings=0" not in p.stdout,
      "prepaid-admin reconcile counts it and fails", p.stdout)
db(f"UPDATE meter_state SET remaining_fen = 0 WHERE meter_id = {meter}")
db(f"UPDATE accounts SET closing_at = UTC_TIMESTAMP() - INTERVAL 2 DAY WHERE id = {aid}")
c2, cm2 = opened(free[3], "久未销户", sell="2")
a.get(f"/close?id={c2}")
a.post("/close", {"id": c2, "confirm": "1"})
db(f"UPDATE accounts SET closing_at = UTC_TIMESTAMP() - INTERVAL 2 DAY WHERE id = {c2}")
r = a.get("/reconcile")
i = r.text.find('id="n-closings"')
check(i > 0 and "久未销户" in r.text[i:] and "等待拉闸" in r.text[i:], "a closing unfinished after a day is listed with its step")

r = a.get("/account/open")
r = a.post("/account/open", {"holder": "新户", "building_id": B2, "room": free[0], "idem": idem_of(r)})
check(r.status == 303, "the freed meter opens a new account")
done()
