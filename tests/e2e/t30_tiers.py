"""t30_tiers.py - end to end: a tiered tariff on simulated meters drawing power: tier prices reach the meters over Modbus as the account's month grows, and the settlements make the charge exact to the fen."""
import os
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from elib import VAR, Rig, check, count, db, db_value, done, idem_of, loc_id, money_form, open_form, operator, reconcile_clean, wait  # noqa: E402

TIERS = [(100, 5000), (200, 6000), (None, 8000)]  # 0.01 kWh ends, 0.0001 yuan/kWh: 1 kWh, 2 kWh
env = dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf")


def tier_pass():
    out = subprocess.run([f"{os.environ.get('TOP', '.')}/build/prepaid-admin", "apply-tariffs"], env=env,
                         capture_output=True, text=True)
    return out.returncode == 0


def charge(before, delta):
    """The exact tiered charge of DELTA (0.01 kWh) after BEFORE, in fen (a float)."""
    fen, at = 0.0, before
    for end, price in TIERS:
        if delta <= 0:
            break
        if end is not None and at >= end:
            continue
        part = delta if end is None else min(delta, end - at)
        fen += part * price / 10000
        at += part
        delta -= part
    return fen


def prices(m):
    return [x[0] for x in db(f"SELECT payload FROM commands WHERE meter_id = {m['id']} AND kind = 'price'"
                             f" AND status = 'confirmed' ORDER BY done_at, id")]


rig = Rig("t30", [[(0, 3), (0, 5)]])
A, B = rig.meters
stop = threading.Event()
try:
    # the simulated clock 300 times faster: 3.6 kW draws 0.3 kWh a second
    rig.start(sim_args=["--speed", "300"])
    a = operator(role=1)
    check(rig.first_reads(), "the collector reads both simulated meters", rig.collector_log())

    # a tiered tariff on both meters of one account
    name = "阶梯E2E" + uuid.uuid4().hex[:4]
    a.get("/tariffs")
    a.post("/tariff", {"name": name})
    tid = db_value(f"SELECT id FROM tariffs WHERE name = '{name}'")
    today = db_value("SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00'))")
    r = a.post("/tariff/version", {"tariff": tid, "date": today, "tiers": "1=0.5,2=0.6,*=0.8"})
    check(r.status == 303, "a tiered version in force today", r.field_error("tiers"))
    r = a.get("/account/open")
    r = open_form(a, {"holder": "阶梯端到端", "holder_no": "E" + uuid.uuid4().hex[:6], "phone": "",
                      "building_id": str(rig.building), "room": A["room"],
                      "meters": f"{A['number']} {B['number']}", "first": "", "idem": idem_of(r)})
    aid = int(db_value(f"SELECT account_id FROM account_meters WHERE meter_id = {A['id']} AND active = 1"))
    for m in (A, B):
        a.post("/tariff/assign", {"tariff": tid, "meter": m["number"]})
    _, (r,) = money_form(a, "/sell", aid, A["id"], "50.00")
    check(loc_id(r) is not None, "50.00 sold to meter A")
    check(tier_pass(), "the tier pass runs")
    check(rig.tokens_done(timeout=30) and wait(lambda: all(rig.meter(m)["p2"] == 5000 for m in (A, B)), 20, 0.2),
          "tier 1's price (0.5000) reaches both meters over Modbus", [rig.meter(m)["p2"] for m in (A, B)])

    # A draws 3.6 kW while the tier pass runs every half second
    def passes():
        while not stop.is_set():
            tier_pass()
            time.sleep(0.5)
    t = threading.Thread(target=passes)
    t.start()
    rig.sim.ctl(f"load {A['number']} 3600")
    check(wait(lambda: rig.meter(A)["p2"] == 6000, 30, 0.2), "past 1 kWh the meter is sent tier 2's price (0.6000)",
          rig.meter(A)["p2"])
    check(wait(lambda: rig.meter(A)["p2"] == 8000, 30, 0.2), "past 2 kWh, tier 3's price (0.8000)", rig.meter(A)["p2"])
    time.sleep(2)
    rig.sim.ctl(f"load {A['number']} 0")
    check(rig.meter(B)["p2"] == 8000, "meter B, drawing nothing, follows the account's tier too", rig.meter(B)["p2"])
    # the last settlement: once the last price is confirmed and read after
    last = wait(lambda: count("tier_settlements", f"meter_id = {A['id']} AND idem_key LIKE 'tier:%:c%'") >= 3 and
                rig.tokens_done(timeout=1) and count("commands", f"meter_id = {A['id']} AND status <> 'confirmed'") == 0,
                40, 0.5)
    stop.set()
    t.join()
    check(last, "A is settled after each price it confirmed, every token confirmed",
          db(f"SELECT idem_key, adjust_fen FROM tier_settlements WHERE meter_id = {A['id']}"))
    check(prices(A)[-3:] == ["p0=5000&p1=5000&p2=5000&p3=5000", "p0=6000&p1=6000&p2=6000&p3=6000",
                             "p0=8000&p1=8000&p2=8000&p3=8000"], "A's prices went up tier by tier", prices(A))
    check(rig.read_shows(A), "the collector's last read shows the meter as it is")

    # the exact charge from the collector's reads, intervals split at the tier ends
    rows = db(f"SELECT meter_id, energy FROM readings WHERE meter_id IN ({A['id']}, {B['id']}) ORDER BY read_at, meter_id")
    last_e, used, exact = {}, 0, 0.0
    for mid, e in rows:
        e = int(e)
        if mid in last_e and e > last_e[mid]:
            exact += charge(used, e - last_e[mid])
            used += e - last_e[mid]
        last_e[mid] = e
    adj = int(db_value(f"SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE meter_id = {A['id']} AND kind = 'adjustment'"))
    paid = int(db_value(f"SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE meter_id = {A['id']} AND kind <> 'adjustment'"))
    money = rig.meter(A)["remaining"]
    took = paid - money  # what the customer paid for: the meter's deductions less the adjustments
    print(f"# used {used / 100:.2f} kWh, exact {exact:.4f} fen, the meter deducted {paid + adj - money} fen, adjustments {adj}")
    check(used > 200, "A used more than 2 kWh this month", used)
    check(adj < 0, "the meter charged too little while its new price was on its way: an adjustment debits it", adj)
    check(abs(took - exact) <= 2, f"the charge is exact: {took} fen paid for {exact:.2f} fen of tiered energy", took - exact)
    check(rig.meter(A)["count"] - 3 == rig.confirmed_tokens(A["id"]), "every adjustment token was applied once",
          (rig.meter(A)["count"], rig.confirmed_tokens(A["id"])))
    ok, listed = reconcile_clean(a, rig)
    check(ok and listed == [], "the reconciliation lists neither meter (prices, tokens and money tie out)", listed)
finally:
    stop.set()
    rig.stop()
done()
