"""t97_reconcile.py - B1 reconciliation lists each kind of mismatch between ledger, tokens and meters."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)



def section(text, name):
    i = text.find(f'id="n-{name}"')
    j = text.find("<h2>", i)
    return text[i:j if j > 0 else len(text)]


b3 = db_value("SELECT id FROM buildings WHERE name = '3号楼'")
room, meter, num = db("SELECT r.number, m.id, m.number FROM rooms r JOIN meters m ON m.room_id = r.id WHERE r.building_id = "
                      + b3 + " AND NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
                      " ORDER BY r.number DESC LIMIT 1")[0]
r = a.get("/account/open")
r = a.post("/account/open", {"holder": "对账测试", "building_id": b3, "room": room, "idem": idem_of(r)})
aid = re.search(r"id=(\d+)", r.location).group(1)
r = a.get(f"/sell?account={aid}")
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "10", "idem": idem_of(r), "confirm": "1"})
lid = re.search(r"id=(\d+)", r.location).group(1)
issued = int(db_value(f"SELECT last_count FROM purchase_counts WHERE meter_id = {meter}"))
db(f"UPDATE commands SET status = 'confirmed', done_at = UTC_TIMESTAMP(3) - INTERVAL 2 SECOND WHERE meter_id = {meter}")
db(f"INSERT INTO meter_state (meter_id, read_at, remaining_fen, purchase_count) VALUES ({meter}, UTC_TIMESTAMP(3), 1000,"
   f" {issued}) ON DUPLICATE KEY UPDATE read_at = VALUES(read_at), purchase_count = VALUES(purchase_count)")
r = a.get("/reconcile")
check(r.status == 200 and num not in section(r.text, "counts"), "a meter whose count matches its confirmed tokens is not listed")
db(f"UPDATE meter_state SET purchase_count = {issued + 3}, read_at = UTC_TIMESTAMP(3) WHERE meter_id = {meter}")
r = a.get("/reconcile")
check(num in section(r.text, "counts") and "不一致" in r.text, "a meter charged by other means is listed with what to do")
db(f"UPDATE meter_state SET purchase_count = {issued} WHERE meter_id = {meter}")
n0 = int(re.search(r'id="n-orphans">(\d+)<', r.text).group(1))
db(f"INSERT INTO commands (meter_id, kind, purchase_count, amount_fen) VALUES ({meter}, 'credit', {issued + 1}, 999)")
r = a.get("/reconcile")
check(int(re.search(r'id="n-orphans">(\d+)<', r.text).group(1)) == n0 + 1 and "9.99" in section(r.text, "orphans"),
      "a token command without a ledger entry is listed")
db(f"DELETE FROM commands WHERE meter_id = {meter} AND amount_fen = 999")
# A meter refusing a token: the entry is booked back at once, once.
cmd = db_value(f"SELECT command_id FROM ledger WHERE id = {lid}")
L0 = count("ledger")
db(f"UPDATE commands SET status = 'failed', error = 'refused' WHERE id = {cmd}")
back = db(f"SELECT kind, amount_fen, channel, link_id FROM ledger WHERE link_id = {lid}")
check(back == [["token_failed", "-1000", "system", lid]] and count("ledger") == L0 + 1,
      "a failed token books its entry back with a token_failed entry", back)
db(f"UPDATE commands SET error = 'refused again' WHERE id = {cmd}")
db(f"UPDATE commands SET status = 'queued' WHERE id = {cmd}")
db(f"UPDATE commands SET status = 'failed' WHERE id = {cmd}")
check(count("ledger") == L0 + 1, "however often the command is marked failed, once")
check(db_value(f"SELECT SUM(amount_fen) FROM ledger WHERE account_id = {aid}") == "0", "the account no longer claims the 10.00")
r = a.get("/reconcile")
check(num not in section(r.text, "failed"), "and the reconciliation has nothing left to say about it")

# Account balances: what the ledger put on a meter, less what is left on it,
# is the energy it measured at its prices (the site's 0.5880 until others).
room, meter, num = db("SELECT r.number, m.id, m.number FROM rooms r JOIN meters m ON m.room_id = r.id WHERE r.building_id = "
                      + b3 + " AND NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
                      " ORDER BY r.number DESC LIMIT 1")[0]
T0 = db_value("SELECT UTC_TIMESTAMP() - INTERVAL 30 MINUTE")


def reading(minute, flat, money, pc):
    db(f"INSERT INTO readings (meter_id, read_at, energy, e_spike, e_peak, e_flat, e_valley, remaining_fen, purchase_count)"
       f" VALUES ({meter}, '{T0}' + INTERVAL {minute} MINUTE, {flat}, 0, 0, {flat}, 0, {money}, {pc})")


pc = int(db_value(f"SELECT COALESCE((SELECT purchase_count FROM meter_state WHERE meter_id = {meter}), 0)"))
reading(0, 1000000, 0, pc)
r = a.get("/account/open")
r = a.post("/account/open", {"holder": "余额核对", "building_id": b3, "room": room, "idem": idem_of(r)})
bid = re.search(r"id=(\d+)", r.location).group(1)
r = a.get(f"/sell?account={bid}")
r = a.post("/sell", {"account": bid, "meter": meter, "amount": "50", "idem": idem_of(r), "confirm": "1"})
check(r.status == 303, "50.00 sold to a meter")
db(f"UPDATE commands SET status = 'confirmed', done_at = '{T0}' + INTERVAL 1 MINUTE WHERE meter_id = {meter}")
# 10 kWh at 0.5880: 5.88 taken
reading(5, 1001000, 5000 - 588, pc + 1)
r = a.get("/reconcile")
checked = int(re.search(r'id="n-checked">(\d+)<', r.text).group(1))
check(checked >= 1 and num not in section(r.text, "balances"), "a meter that took what its energy cost is not listed")
# a price download confirmed, then 10 kWh at 0.3000: 3.00
db(f"INSERT INTO commands (meter_id, kind, payload, status, done_at) VALUES ({meter}, 'price',"
   f" 'p0=3000&p1=3000&p2=3000&p3=3000', 'confirmed', '{T0}' + INTERVAL 7 MINUTE)")
reading(8, 1001000, 4412, pc + 1)
reading(10, 1002000, 4412 - 300, pc + 1)
r = a.get("/reconcile")
check(num not in section(r.text, "balances"), "the prices the meter confirmed are the ones counted")
# the meter takes 1.00 for the next 10 kWh: 2.00 short of its price
reading(12, 1003000, 4112 - 100, pc + 1)
r = a.get("/reconcile")
sec = section(r.text, "balances")
check(num in sec and "-2.00" in sec and "不符" in r.text, "a meter that took less than its energy cost is listed with the difference", sec[:600])

# A token the collector holds because the meter's count is elsewhere.
db(f"INSERT INTO commands (meter_id, kind, purchase_count, amount_fen, status, error) VALUES ({meter}, 'credit', 99, 777,"
   f" 'waiting', 'count_mismatch: meter has 5, command 99')")
r = a.get("/reconcile")
check(num in section(r.text, "held") and "7.77" in section(r.text, "held"), "a token held by a count mismatch is listed")

# The daily run records what it finds, fails (for monitoring) and the page shows it.
import subprocess  # noqa: E402
out = subprocess.run([f"{TOP}/build/prepaid-admin", "reconcile"], env=dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf"),
                     capture_output=True, text=True)
check(out.returncode == 1 and "Held=1" in out.stdout and re.search(r"Balances=[1-9]", out.stdout),
      "the daily run finds the held token and the meter out of balance, and says so by its exit status", out.stdout)
check(count("reconcile_runs") >= 1, "and records its run")
r = a.get("/reconcile")
check(re.search(r'id="daily-run">[^<]*Held=1', r.text), "the page shows the last daily run")
db(f"DELETE FROM commands WHERE meter_id = {meter} AND amount_fen = 777")
done()
