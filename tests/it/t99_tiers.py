"""t99_tiers.py - B6 tiered (阶梯) tariffs: tier prices as an account's month grows, the exact charge, adjustment tokens, the month's reset."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)
env = dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf")


def run():
    out = subprocess.run([f"{TOP}/build/prepaid-admin", "apply-tariffs"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


# The collector's part, written by hand so that every interval is known: a
# read of the meter at a time (minutes from T0), the tokens it confirmed.
def read(meter, minute, energy, remaining, pc):
    at = f"'{T0}' + INTERVAL {minute} MINUTE"
    db(f"INSERT INTO readings (meter_id, read_at, energy, remaining_fen, purchase_count)"
       f" VALUES ({meter}, {at}, {energy}, {remaining}, {pc})")
    db(f"INSERT INTO meter_state (meter_id, read_at, energy, remaining_fen, purchase_count)"
       f" VALUES ({meter}, {at}, {energy}, {remaining}, {pc}) ON DUPLICATE KEY UPDATE read_at = VALUES(read_at),"
       f" energy = VALUES(energy), remaining_fen = VALUES(remaining_fen), purchase_count = VALUES(purchase_count)")


def confirm(meter, minute, kind=None):
    k = f" AND kind = '{kind}'" if kind else ""
    db(f"UPDATE commands SET status = 'confirmed', done_at = '{T0}' + INTERVAL {minute} MINUTE"
       f" WHERE meter_id = {meter} AND status IN ('queued', 'sent'){k}")


def prices(meter):
    return [x[0] for x in db(f"SELECT payload FROM commands WHERE meter_id = {meter} AND kind = 'price' ORDER BY id")]


# A month's first 50 minutes would cross into the month before: nothing to test then.
if db_value("SELECT DAY(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00')) = 1 AND"
            " HOUR(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00')) = 0") == "1":
    check(True, "skipped in the first hour of a month")
    done()
T0 = db_value("SELECT UTC_TIMESTAMP() - INTERVAL 50 MINUTE")

# The tariff: tiers only, the slot prices left empty.
name = "阶梯" + uuid.uuid4().hex[:5]
a.get("/tariffs")
r = a.post("/tariff", {"name": name})
tid = db_value(f"SELECT id FROM tariffs WHERE name = '{name}'")
today = db_value("SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00'))")
good = {"tariff": tid, "date": today, "p0": "", "p1": "", "p2": "", "p3": "", "tou": "", "tiers": "100=0.5, 200=0.6,*=0.8"}
V0 = count("tariff_versions")
for bad, why in [("100=0.5", "至少2档"), ("200=0.5,100=0.6,*=0.8", "从小到大"), ("100=0.5,200=0.6", "*=电价"),
                 ("100=0.5,*=0.6,300=0.7", "*=电价"), ("100=0.12345,*=0.6", "格式"), ("100=abc,*=1", "格式"),
                 ("<b>=1,*=1", "格式"), ("1=1,2=1,3=1,4=1,5=1,6=1,*=1", "最多6档")]:
    r = a.post("/tariff/version", dict(good, tiers=bad))
    check(why in (r.field_error("tiers") or ""), f"tiers {bad!r} refused: {why}", r.field_error("tiers"))
r = a.post("/tariff/version", dict(good, tou="00:00=3,08:00=1"))
check("不能同时" in (r.field_error("tiers") or ""), "tiers and a time-of-use table together are refused")
r = a.post("/tariff/version", dict(good, tiers=""))
check("必填" in (r.field_error("p2") or "") and r.field_error("p0") is None,
      "without tiers (and no day table) the flat price is required, the slots it does not use are not")
check(count("tariff_versions") == V0, "refused versions saved nothing")
r = a.post("/tariff/version", good)
check(r.status == 303, "a tiered version in force today is saved", r.field_error("tiers"))
row = db(f"SELECT p0, p1, p2, p3, tou, tiers FROM tariff_versions WHERE tariff_id = {tid}")
check(row == [["5000", "5000", "5000", "5000", "", "100=0.5000,200=0.6000,*=0.8000"]],
      "its tiers are kept, and the first tier's price stands for the slots", row)
r = a.get("/tariffs")
check("100=0.5000,200=0.6000,*=0.8000" in r.text, "the tariffs page shows the tiers")

# Two accounts of building 4: A with one meter, Y with two.
free = db("SELECT r.number, m.number, m.id FROM rooms r JOIN buildings b ON b.id = r.building_id"
          " JOIN meters m ON m.room_id = r.id WHERE b.name = '4号楼' AND m.profile = 'ddsy1352nk' AND NOT EXISTS"
          " (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
          " AND NOT EXISTS (SELECT 1 FROM meter_tariffs t WHERE t.meter_id = m.id) ORDER BY r.number DESC LIMIT 3")
assert len(free) == 3, "not enough free meters in building 4"
(roomA, numA, A), (roomY, numB, B), (_, numC, C) = free
accounts = []
for room, meters in [(roomA, numA), (roomY, f"{numB} {numC}")]:
    r = a.get("/account/open")
    r = a.post("/account/open", {"holder": "阶梯户", "holder_no": "T" + uuid.uuid4().hex[:6], "phone": "13900139000",
                                 "building_id": db_value("SELECT id FROM buildings WHERE name = '4号楼'"),
                                 "room": room, "meters": meters, "first": "", "idem": idem_of(r),
                                 # meter C is another room's: confirmed as such
                                 f"other_{C}": "1", "confirm": "1"})
    check(r.status == 303, f"account opened on room {room} with meters {meters}", r.field_error("meters"))
    accounts.append(int(re.search(r"id=(\d+)", r.location).group(1)))
X, Y = accounts
for number in (numA, numB, numC):
    r = a.post("/tariff/assign", {"tariff": tid, "meter": number})
    check(r.status == 303 and "n=1" in r.location, f"meter {number} gets the tiered tariff")

# T0: the meters as read when they joined (100 yuan each, 10000.00 kWh on the register).
for m in (A, B, C):
    read(m, 0, 1000000, 10000, 0)
run()
for m in (A, B, C):
    check(prices(m)[-1] == "p0=5000&p1=5000&p2=5000&p3=5000", f"meter {m} is sent tier 1's price")
check(db(f"SELECT tier, base_energy FROM tier_state WHERE meter_id = {A}") == [["0", "1000000"]],
      "the month counts from the register as read")
# let the month count from T0 (as if the meters had joined then)
db(f"UPDATE tier_state SET since = '{T0}' + INTERVAL 1 SECOND WHERE meter_id IN ({A}, {B}, {C})")
n = len(prices(A))
run()
check(len(prices(A)) == n, "a second pass sends nothing new")

# A: 50 kWh at 0.5 (the meter took 25.00 yuan); its price confirmed first.
confirm(A, 1)
read(A, 2, 1005000, 7500, 0)
L0 = count("ledger")
run()
st = db(f"SELECT exact_fen, deducted_fen, adjust_fen, ledger_id FROM tier_settlements WHERE meter_id = {A}")
check(st == [["2500", "2500", "0", "NULL"]], "after its price was confirmed, A is settled: nothing to even out", st)
check(count("ledger") == L0, "an exact meter gets no adjustment")

# A: 70 kWh more (120 in the month) still at 0.5: the tier end is crossed.
read(A, 10, 1012000, 4000, 0)
run()
check(prices(A)[-1] == "p0=6000&p1=6000&p2=6000&p3=6000", "crossing 100 kWh queues tier 2's price", prices(A))
check(db_value(f"SELECT tier FROM tier_state WHERE meter_id = {A}") == "1", "the tier sent is recorded")
r = a.get(f"/account?id={X}")
m = re.search(r'id="account-tier">([^<]*)<', r.text)
check(m and "120.00 kWh" in m.group(1) and "档位 2" in m.group(1), "the account page shows the month's use and tier",
      m and m.group(1))
check(count("ledger") == L0, "no settlement before the meter confirmed its new price")
n = len(prices(A))
run()
check(len(prices(A)) == n, "the same tier is not sent twice")
# confirmed; 10 kWh at 0.6 (6.00 yuan). Exact so far: 50*0.5 + 50*0.5 + 20*0.6 + 10*0.6 = 68.00; taken 66.00.
confirm(A, 11)
read(A, 12, 1013000, 3400, 0)
run()
e = db(f"SELECT l.kind, l.amount_fen, l.channel, c.kind, c.amount_fen, c.purchase_count, l.id FROM ledger l"
       f" JOIN commands c ON c.id = l.command_id WHERE l.meter_id = {A} AND l.kind = 'adjustment'")
check(len(e) == 1 and e[0][:6] == ["adjustment", "-200", "system", "debit", "200", "1"],
      "the 2.00 yuan the meter took too little is debited by an adjustment token", e)
st = db(f"SELECT exact_fen, deducted_fen, adjust_fen FROM tier_settlements WHERE meter_id = {A} ORDER BY id")
check(st[-1] == ["6800", "6600", "-200"], "the settlement records the exact charge, the meter's and the difference", st)
run()
check(count("ledger", f"meter_id = {A} AND kind = 'adjustment'") == 1, "a settlement is booked once")

# A sale between reads is money in, not consumption: the adjustment token and
# a 100.00 yuan sale confirmed, then 100 kWh at 0.6 while 200 kWh is crossed.
aid = X
r = a.get(f"/sell?account={aid}")
r = a.post("/sell", {"account": aid, "meter": A, "amount": "100.00", "idem": idem_of(r), "confirm": "1"})
check(r.status == 303, "a sale on the tiered meter")
confirm(A, 13)
# 3400 - 200 + 10000 - 100 kWh * 0.6 = 7200
read(A, 20, 1023000, 7200, 2)
run()
check(prices(A)[-1] == "p0=8000&p1=8000&p2=8000&p3=8000", "crossing 200 kWh queues tier 3's price")

# Account Y: B uses 80 kWh, then C 30 kWh: 110 in the account, C's read crosses 100.
confirm(B, 1)
confirm(C, 1)
read(B, 3, 1008000, 6000, 0)
read(C, 4, 1003000, 8500, 0)
run()
check(prices(B)[-1] == prices(C)[-1] == "p0=6000&p1=6000&p2=6000&p3=6000",
      "the account's consumption sets the tier of both its meters")
confirm(B, 5)
confirm(C, 5)
read(B, 6, 1008000, 6000, 0)
read(C, 6, 1003000, 8500, 0)
run()
adj = db(f"SELECT meter_id, amount_fen FROM ledger WHERE account_id = {Y} AND kind = 'adjustment' ORDER BY meter_id")
# C: 20 kWh at 0.5 + 10 kWh at 0.6 = 16.00, the meter took 15.00
check(adj == [[str(C), "-100"]], "the interval across the tier end is split: C pays 1.00 more, B nothing", adj)

# The month ends: everything moves back a month, as if read then.
for m in (A, B, C):
    db(f"UPDATE readings SET read_at = read_at - INTERVAL 1 MONTH WHERE meter_id = {m}")
    db(f"UPDATE meter_state SET read_at = read_at - INTERVAL 1 MONTH WHERE meter_id = {m}")
    db(f"UPDATE commands SET done_at = done_at - INTERVAL 1 MONTH WHERE meter_id = {m} AND done_at IS NOT NULL")
    db(f"UPDATE tier_state SET month = month - INTERVAL 1 MONTH, since = since - INTERVAL 1 MONTH WHERE meter_id = {m}")
    db(f"UPDATE tier_settlements SET month = month - INTERVAL 1 MONTH, through_at = through_at - INTERVAL 1 MONTH"
       f" WHERE meter_id = {m}")
run()
# A's month: 50+50 at 0.5, 100 at 0.6, 30 at 0.8 = 134.00 exact; the meter took 25+35+6+60 = 126.00;
# 2.00 was settled: 6.00 more.
fin = db(f"SELECT amount_fen FROM ledger WHERE meter_id = {A} AND kind = 'adjustment' AND idem_key LIKE '%final'")
check(fin == [["-600"]], "the month's last settlement evens out the rest: 6.00 yuan", fin)
check(count("ledger", f"meter_id IN ({B}, {C}) AND kind = 'adjustment' AND idem_key LIKE '%final'") == 0,
      "meters already even get nothing at the month's end")
for m in (A, B, C):
    check(prices(m)[-1] == "p0=5000&p1=5000&p2=5000&p3=5000", f"meter {m} starts the new month at tier 1")
ts = db(f"SELECT tier, base_energy, month = DATE_FORMAT(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00'), '%Y-%m-01')"
        f" FROM tier_state WHERE meter_id = {A}")
check(ts == [["0", "1023000", "1"]], "the new month counts from the last read of the old one", ts)
n = count("ledger")
run()
check(count("ledger") == n, "the month's end is settled once")
# the ledger still ties out per meter: entries = tokens
bad = db("SELECT l.id FROM ledger l JOIN commands c ON c.id = l.command_id WHERE l.kind = 'adjustment'"
         " AND (c.amount_fen <> ABS(l.amount_fen) OR c.kind <> IF(l.amount_fen > 0, 'credit', 'debit'))")
check(bad == [], "every adjustment entry has its token of the same amount", bad)

# Closing Y this month: B used 110 kWh at tier 1's price (55.00); the exact
# charge is 56.00, settled before the refund of what is left (C holds 85.00
# less last month's 1.00, still pending).
read(B, 50, 1019000, 500, 0)
read(C, 50, 1003000, 8500, 0)
a.get(f"/close?id={Y}")
r = a.post("/close", {"id": Y, "confirm": "1", "seen": "1"})
check(r.status in (200, 303), "the account closes", r.field_error("form"))
# the meters are tripped first; after the trip (and the tier adjustment,
# and C's pending 1.00) a read of each gives the money refunded
for m, rem in ((B, 400), (C, 8400)):
    confirm(m, 51)
    read(m, 52, int(db_value(f"SELECT energy FROM meter_state WHERE meter_id = {m}")), rem,
         int(db_value(f"SELECT last_count FROM purchase_counts WHERE meter_id = {m}")))
a.get(f"/close?id={Y}")
rows = db(f"SELECT meter_id, kind, amount_fen FROM ledger WHERE account_id = {Y} AND (kind = 'closing_refund'"
          f" OR idem_key LIKE 'tier:%:close') ORDER BY id")
check(sorted(rows) == sorted([[str(B), "adjustment", "-100"], [str(B), "closing_refund", "-400"],
                               [str(C), "closing_refund", "-8400"]]),
      "closing settles the tiers first, then refunds what is left", rows)

r = a.get("/reconcile")
i = r.text.find('id="n-balances"')
check(i > 0 and numA not in r.text[i:], "meter A's money ties out with its tier prices and adjustments")
done()
