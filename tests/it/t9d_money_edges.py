"""t9d_money_edges.py - money at its edges through the forms: amounts with no exact binary value stored to the fen, full-width input, the hoarding cap exactly and one fen over (sale, opening with a first purchase), refunds and closings refused on a read older than 10 minutes."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)
B1 = db_value("SELECT id FROM buildings WHERE name = '1号楼'")
# rooms of building 1 with one prepaid meter never in an account, from the top floor down
free = db("SELECT r.number, MIN(m.id), MIN(m.number) FROM rooms r JOIN meters m ON m.room_id = r.id"
          f" WHERE r.building_id = {B1} AND m.profile = 'ddsy1352nk' AND NOT EXISTS (SELECT 1 FROM"
          " account_meters x WHERE x.meter_id = m.id) GROUP BY r.id HAVING COUNT(*) = 1 ORDER BY r.number DESC LIMIT 10")
assert len(free) >= 8, free
CAP = int(db_value("SELECT value FROM settings WHERE name = 'hoard_cap_fen'"))


def yuan(fen):
    return "%d.%02d" % (fen // 100, fen % 100)


def state(meter, money, age_s, count=None):
    """The meter as last read AGE_S seconds ago holding MONEY fen."""
    count = db_value(f"SELECT purchase_count FROM meter_state WHERE meter_id = {meter}") if count is None else count
    db(f"UPDATE commands SET status = 'confirmed', done_at = UTC_TIMESTAMP(3) - INTERVAL {age_s + 1} SECOND"
       f" WHERE meter_id = {meter} AND status IN ('queued', 'sent')")
    db(f"UPDATE meter_state SET read_at = UTC_TIMESTAMP(3) - INTERVAL {age_s} SECOND, remaining_fen = {money},"
       f" purchase_count = {count} WHERE meter_id = {meter}")


def open_account(room, number, holder="边界测试", **extra):
    r = a.get("/account/open")
    f = {"holder": holder, "building_id": B1, "room": room, "meters": number, "idem": idem_of(r)}
    f.update({k: str(v) for k, v in extra.items()})
    return a.post("/account/open", f)


def account_of(r, meter=None):
    """The account just opened: by the redirect, or (to its first sale) by its meter."""
    m = re.search(r"/account\?id=(\d+)", r.location)
    if m or meter is None:
        return m.group(1) if m else None
    return db_value(f"SELECT account_id FROM account_meters WHERE meter_id = {meter} AND active = 1")


def sell(aid, meter, amount):
    """The sale form: the confirmation page, then the confirmed form."""
    r = a.get(f"/sell?account={aid}")
    f = {"account": aid, "meter": meter, "amount": amount, "idem": idem_of(r)}
    r = a.post("/sell", f)
    review = a.get(r.location) if r.status == 303 else r
    return review, a.post("/sell", dict(f, confirm="1"))


def entry_of(r):
    m = re.search(r"/sale\?id=(\d+)", r.location)
    return m.group(1) if m else None


def stored(lid):
    return db(f"SELECT l.amount_fen, c.amount_fen FROM ledger l JOIN commands c ON c.id = l.command_id"
              f" WHERE l.id = {lid}")[0]


# -- amounts whose decimal value has no exact binary one, typed into the sale form
room, meter, _ = free[0]
aid = account_of(open_account(room, free[0][2]))
for amount, fen in [("0.29", 29), ("1.15", 115), ("0.57", 57), ("8.20", 820), ("19.99", 1999), ("4.35", 435),
                    ("\uff10.\uff12\uff18", 28)]:      # full-width 0.28
    review, r = sell(aid, meter, amount)
    lid = entry_of(r)
    check(yuan(fen) + " 元" in review.text and lid and stored(lid) == [str(fen), str(fen)],
          f"a sale of {amount} yuan is {fen} fen in the ledger and on the token", lid and stored(lid))
L0 = count("ledger")
review, r = sell(aid, meter, "\uff11\uff19\uff0e\uff19\uff19")      # full-width 19.99, full-width point
lid = entry_of(r)
check("19.99 元" in review.text and "壹拾玖元玖角玖分" in review.text and lid and stored(lid) == ["1999", "1999"],
      "full-width 19.99 (as a Chinese input method types it) is confirmed and stored as 1999 fen",
      lid and stored(lid))
for bad in ["19.99\u5143", "\uff11\uff19\uff0f\uff19\uff19", "19.999"]:
    _, r = sell(aid, meter, bad)
    check(r.status == 200 and r.field_error("amount") and count("ledger") == L0 + 1,
          f"{bad!r} is refused next to the amount, nothing written", r.field_error("amount"))
# a large amount: the cap raised for it, then put back
db("UPDATE settings SET value = '200000000' WHERE name = 'hoard_cap_fen'")
try:
    review, r = sell(aid, meter, "1234567.89")
    lid = entry_of(r)
    check("1234567.89 元" in review.text and lid and stored(lid) == ["123456789", "123456789"],
          "a sale of 1234567.89 yuan is 123456789 fen", lid and stored(lid))
finally:
    db(f"UPDATE settings SET value = '{CAP}' WHERE name = 'hoard_cap_fen'")
check(count("ledger", f"account_id = {aid}") == 9, "one entry per accepted sale, none for the refused ones")

# -- the hoarding cap through the sale form: the account holds 300.00 by the meter's read
room, meter, number = free[1]
aid = account_of(open_account(room, number))
state(meter, 30000, 5)
L0 = count("ledger")
_, r = sell(aid, meter, yuan(CAP - 30000 + 1))
check(r.status == 200 and "囤积金额上限" in (r.field_error("amount") or "") and count("ledger") == L0,
      "a sale one fen over the cap is refused next to the amount, nothing written", r.field_error("amount"))
_, r = sell(aid, meter, yuan(CAP - 30000))
check(r.status == 303 and entry_of(r) and count("ledger") == L0 + 1, "a sale up to exactly the cap is accepted")
_, r = sell(aid, meter, "0.01")
check(r.status == 200 and "囤积金额上限" in (r.field_error("amount") or "") and count("ledger") == L0 + 1,
      "at the cap (the token not yet on the meter) one fen more is refused", r.field_error("amount"))
state(meter, CAP, 5)
_, r = sell(aid, meter, "0.01")
check("囤积金额上限" in (r.field_error("amount") or "") and count("ledger") == L0 + 1,
      "and still when the meter has taken it")

# -- a refund reversed brings money back like a sale: the ledger holds it to the cap too
room, meter, number = free[7]
aid = account_of(open_account(room, number, first="500"), meter)
state(meter, 50000, 5)
r = a.get(f"/refund?account={aid}")
r = a.post("/refund", {"account": aid, "meter": meter, "amount": "100", "idem": idem_of(r), "confirm": "1"})
ref = entry_of(r)
state(meter, 40000, 5)
_, r = sell(aid, meter, yuan(CAP - 40000 - 10000 + 1))      # 100.00 below the cap, one fen over after the reversal
L0 = count("ledger")
r = a.get(f"/sale?id={ref}")
r = a.post("/reversal", {"id": ref, "reason": "误退", "idem": idem_of(r)})
check(r.status == 200 and "囤积金额上限" in (r.field_error("reason") or "") and count("ledger") == L0,
      "reversing a refund that would put the account one fen over the cap is refused, nothing written",
      r.field_error("reason"))
state(meter, CAP - 10000 + 1, 5)
r = a.get(f"/refund?account={aid}")
a.post("/refund", {"account": aid, "meter": meter, "amount": "0.01", "idem": idem_of(r), "confirm": "1"})
state(meter, CAP - 10000, 5)
L0 = count("ledger")
r = a.get(f"/sale?id={ref}")
r = a.post("/reversal", {"id": ref, "reason": "误退", "idem": idem_of(r)})
check(r.status == 303 and count("ledger", f"reverses_id = {ref}") == 1 and count("ledger") == L0 + 1,
      "reversing it up to exactly the cap is written", r.field_error("reason"))

# -- opening with a first purchase: exactly the cap, one fen over
A0, L0 = count("accounts"), count("ledger")
r = open_account(free[2][0], free[2][2], first=yuan(CAP + 1))
check(r.status == 200 and "囤积金额上限" in (r.field_error("first") or "") and count("accounts") == A0
      and count("ledger") == L0, "an opening whose first purchase is one fen over the cap is refused next to it",
      r.field_error("first"))
r = open_account(free[2][0], free[2][2], first=yuan(CAP))
lid = entry_of(r)
check(r.status == 303 and lid and stored(lid) == [str(CAP), str(CAP)] and count("accounts") == A0 + 1,
      "a first purchase of exactly the cap opens the account and sells it", r.location)
# money carried over from the meter counts: 300.00 on it, a first purchase up to the cap and one fen over
for k, (first, ok) in enumerate([(CAP - 30000 + 1, False), (CAP - 30000, True)]):
    room, meter, number = free[3 + k]
    state(meter, 30000, 5)
    r = open_account(room, number, first=yuan(first), **{f"money_{meter}": "carry", f"amt_{meter}": 30000,
                                                         "confirm": 1})
    aid = account_of(r, meter)
    sales = count("ledger", f"account_id = {aid} AND kind = 'sale'") if aid else 0
    carried = count("ledger", f"account_id = {aid} AND kind = 'carry_over' AND amount_fen = 30000") if aid else 0
    if ok:
        check(r.status == 303 and entry_of(r) and sales == 1 and carried == 1,
              "300.00 carried over and a first purchase up to exactly the cap: both written", r.location)
    else:
        page = a.get(r.location).text if r.status == 303 else ""
        check(aid and carried == 1 and sales == 0 and "囤积金额上限" in page and 'id="first-refused"' in page,
              "300.00 carried over and a first purchase one fen over the cap: the account opens, the purchase is"
              " refused and the account page says why", r.location)

# -- a refund needs a read at most 10 minutes old
room, meter, number = free[5]
aid = account_of(open_account(room, number, first="80"), meter)
L0 = count("ledger")
for age, ok in [(660, False), (601, False), (540, True)]:
    state(meter, 8000, age)
    r = a.get(f"/refund?account={aid}")
    r = a.post("/refund", {"account": aid, "meter": meter, "amount": "10", "idem": idem_of(r), "confirm": "1"})
    if ok:
        check(r.status == 303 and count("ledger") == L0 + 1, f"a refund by a read {age} s old is written")
    else:
        check(r.status == 200 and "立即读表" in (r.field_error("amount") or "") and count("ledger") == L0,
              f"a refund by a read {age} s old is refused: read the meter now", r.field_error("amount"))

# -- a closing refunds only the money of a read after its trip, never an older read
room, meter, number = free[6]
aid = account_of(open_account(room, number, first="60"), meter)
state(meter, 6000, 5)
r = a.post("/close", {"id": aid, "confirm": "1", "seen": "1"})
check(r.status == 303 and db_value(f"SELECT status FROM accounts WHERE id = {aid}") == "closing",
      "the closing begins with the trip")
db(f"UPDATE commands SET status = 'confirmed', done_at = UTC_TIMESTAMP(3) WHERE meter_id = {meter} AND kind = 'trip'")
a.get(f"/close?id={aid}")
db(f"UPDATE meter_state SET read_at = UTC_TIMESTAMP(3) - INTERVAL 20 MINUTE, remaining_fen = 6000 WHERE meter_id = {meter}")
for _ in range(2):
    a.get(f"/close?id={aid}")
check(count("ledger", f"account_id = {aid} AND kind = 'closing_refund'") == 0
      and db_value(f"SELECT status FROM accounts WHERE id = {aid}") == "closing",
      "a read older than the trip refunds nothing: the closing waits for a new read")
state(meter, 5990, 0)
a.get(f"/close?id={aid}")
rows = db(f"SELECT amount_fen FROM ledger WHERE account_id = {aid} AND kind = 'closing_refund'")
check(rows == [["-5990"]], "a read after the trip refunds exactly its money", rows)
done()
