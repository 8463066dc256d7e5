"""t40_open_money.py - end to end: opening accounts on meters that already hold money, through the staff console, with the real collector and simulated meters: cleared to 0.00 by a debit token, carried over (the account holds what the meter holds), a debt carried; checked on the meters to the fen."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from elib import (Rig, check, count, db, db_value, done, loc_id, money_form, open_account, operator,  # noqa: E402
                  reconcile_clean, since, wait, yuan)

T0 = time.time()
# A: 150.00 left on it (3 tokens in its past), cleared; B: 264.57, carried over; C: 5.00 in debt, carried;
# D: empty; E: 80.00, cleared and nothing sold after. One bus of our own gateway.
rig = Rig("t40", [[(15000, 3), (26457, 2), (-500, 1), (0, 0), (8000, 0)]])
A, B, C, D, E = rig.meters


def money_of(c, acc):
    m = re.search(r'id="account-money">([^<]*)<', c.get(f"/account?id={acc}").text)
    return m.group(1) if m else None


try:
    rig.start()
    a = operator(role=1)
    check(rig.first_reads(), "the collector reads our simulated meters over Modbus TCP", rig.collector_log())

    # A: cleared. The form shows the money, the confirmation restates it; the meter is brought to 0.00.
    r = a.get("/account/open")
    L0 = count("ledger")
    r = open_account(a, rig, A["room"], "清零户", choice="clear")
    acc = loc_id(r, "/account")
    rows = db(f"SELECT l.account_id IS NULL, l.kind, l.amount_fen, c.purchase_count FROM ledger l"
              f" JOIN commands c ON c.id = l.command_id WHERE l.meter_id = {A['id']}")
    check(acc is not None and rows == [["1", "meter_clear", "-15000", "4"]],
          "cleared: one debit token of exactly 150.00 with the meter's count + 1, booked to nobody (the site's)", rows)
    check(rig.tokens_done([A["id"]]) and rig.meter(A)["remaining"] == 0 and rig.meter(A)["count"] == 4,
          "the collector applies it: the meter holds 0.00, count 4", rig.meter(A))
    check(rig.read_shows(A) and money_of(a, acc) == "0.00" and count("ledger", f"account_id = {acc}") == 0,
          "the new account starts at 0.00 with no entry of the old money", money_of(a, acc))
    _, (r,) = money_form(a, "/sell", acc, A["id"], "30.00")
    check(loc_id(r) is not None and rig.tokens_done([A["id"]]) and rig.meter(A)["remaining"] == 3000,
          "a sale of 30.00 then puts exactly 30.00 on the meter", rig.meter(A))

    # B: carried over. The account's money is what the meter holds; the sales add to it.
    r = open_account(a, rig, B["room"], "结转户", choice="carry")
    bacc = loc_id(r, "/account")
    check(bacc is not None and db(f"SELECT kind, amount_fen, command_id IS NULL FROM ledger WHERE meter_id = {B['id']}")
          == [["carry_over", "26457", "1"]] and count("commands", f"meter_id = {B['id']} AND kind IN ('credit', 'debit')") == 0,
          "carried over: one opening entry of +264.57, no token")
    check(money_of(a, bacc) == yuan(rig.meter(B)["remaining"]) == "264.57",
          "the account's money is what the meter holds: 264.57", (money_of(a, bacc), rig.meter(B)))
    _, (r,) = money_form(a, "/sell", bacc, B["id"], "10.00")
    check(loc_id(r) is not None and rig.tokens_done([B["id"]]) and rig.meter(B)["remaining"] == 27457
          and rig.read_shows(B) and money_of(a, bacc) == "274.57",
          "a sale of 10.00: the meter and the account both hold 274.57", (rig.meter(B), money_of(a, bacc)))

    # C: a debt carried; D: nothing on it, nothing written.
    r = open_account(a, rig, C["room"], "欠费户")
    cacc = loc_id(r, "/account")
    check(cacc is not None and db(f"SELECT kind, amount_fen FROM ledger WHERE meter_id = {C['id']}")
          == [["carry_over", "-500"]] and money_of(a, cacc) == "-5.00" and rig.meter(C)["remaining"] == -500,
          "a debt of 5.00 carried: the account starts owing it, the meter untouched", money_of(a, cacc))
    r = open_account(a, rig, D["room"], "空表户")
    check(loc_id(r, "/account") is not None and count("ledger", f"meter_id = {D['id']}") == 0,
          "an empty meter opens at once, no entry")

    r = open_account(a, rig, E["room"], "清零未购户", choice="clear")
    check(loc_id(r, "/account") is not None and rig.tokens_done([E["id"]]) and rig.meter(E)["remaining"] == 0,
          "E cleared from 80.00 to 0.00, nothing sold after", rig.meter(E))

    # Each meter against its tokens: opening money + what the ledger moved onto or off it.
    for m in rig.meters:
        s = rig.meter(m)
        n = rig.confirmed_tokens(m["id"])
        total = rig.ledger_sum(m["id"])
        check(s["count"] - m["open_count"] == n and s["remaining"] == m["open_fen"] + total,
              f"meter {m['number']}: money {yuan(s['remaining'])} = opening {yuan(m['open_fen'])} + tokens {yuan(total)}")
    r = a.get("/reconcile")
    t = r.text[r.text.find('id="opening-money"'):]
    check(all(re.search(r'<tr data-meter="%d">' % m["number"], t) for m in (A, B, C, E)),
          "the reconciliation page lists the openings' money (cleared, carried over)")
    for m in rig.meters:
        rig.read_shows(m)
    time.sleep(3)
    ok, listed = reconcile_clean(a, rig)
    check(ok and not listed, "and lists none of our meters as a mismatch (a clear is not the new account's money)",
          listed)
    print(f"# t40 took {since(T0)}")
finally:
    rig.stop()
done()
