"""t10_money.py - end to end: sales, refunds, reversals, meter replacement and closing through the staff console, applied by the real collector to simulated meters over Modbus TCP, checked against the meters."""
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from elib import (Rig, check, cmd_of, count, db, db_value, done, idem_of, ledger_fault, loc_id, money_form, open_account, operator,  # noqa: E402
                  reconcile_clean, reversal, since, wait, wait_confirmed, yuan)

T0 = time.time()
# A: the account's first meter (10.00 and 7 tokens from its past), B: its replacement (count 2, empty),
# C: added later (8.88, count 4); D (20.00) and E (empty) for actions interrupted half way;
# all on one bus of our own gateway.
rig = Rig("t10", [[(1000, 7), (0, 2), (888, 4), (2000, 1), (0, 0)]])
A, B, C, D, E = rig.meters
try:
    rig.start()
    a = operator(role=1)
    check(rig.first_reads(), "the collector reads our three simulated meters over Modbus TCP", rig.collector_log())
    L = lambda: count("ledger")  # noqa: E731
    K = lambda: count("commands")  # noqa: E731

    # 1. Open with a first purchase of 50.00, sell 123.45: two credit tokens, applied once each.
    r = open_account(a, rig, A["room"], "端到端测试", first="50.00")
    s1 = loc_id(r)
    check(s1 is not None, "the account opens with a first purchase of 50.00", r.status)
    aid = db_value(f"SELECT account_id FROM ledger WHERE id = {s1}")
    _, (r,) = money_form(a, "/sell", aid, A["id"], "123.45")
    s2 = loc_id(r)
    check(s2 is not None, "a sale of 123.45 is written", r.status)
    check(wait_confirmed([s1, s2]), "the collector confirms both credit tokens", [cmd_of(s1), cmd_of(s2)])
    m = rig.meter(A)
    check(m["remaining"] == 1000 + 5000 + 12345, "the meter's money rose by exactly 50.00 + 123.45 (to 183.45)",
          yuan(m["remaining"]))
    check(m["count"] == 7 + 2, "the meter's purchase count rose by one per token (7 -> 9)", m["count"])
    r = a.get(f"/sale?id={s2}")
    check('id="cmd-status">电表已确认' in r.text and "123.45 元" in r.text, "the sale page shows the meter confirmed it")
    check(rig.read_shows(A), "the collector's next read shows the meter's new money and count")
    r = a.get(f"/account?id={aid}")
    check('id="account-money">183.45<' in r.text and '<td class="money">183.45</td><td>9</td>' in r.text,
          "the account page shows 183.45 and count 9, as read from the meter")

    # 2. Refunds: "read now", too much refused, 33.45 refunded by a debit token.
    rq = count("read_requests")
    r = a.post("/meter/read", {"meter": A["id"], "back": f"/refund?account={aid}"})
    rid = db_value("SELECT MAX(id) FROM read_requests")
    check(r.status == 303 and count("read_requests") == rq + 1, "'read now' asks the collector for a read")
    check(wait(lambda: count("read_requests", f"id = {rid} AND done_at IS NOT NULL"), 10, 0.2),
          "the collector serves the 'read now' request")
    check(int(db_value(f"SELECT TIMESTAMPDIFF(SECOND, read_at, UTC_TIMESTAMP(3)) FROM meter_state"
                       f" WHERE meter_id = {A['id']}")) <= 10, "the meter's last read is fresh")
    L0, K0 = L(), K()
    _, (r,) = money_form(a, "/refund", aid, A["id"], "183.46")
    check("超过电表当前剩余金额" in (r.field_error("amount") or ""), "a refund of 183.46 from a meter holding 183.45 is refused",
          r.field_error("amount"))
    check(L() == L0 and K() == K0, "the refused refund wrote no entry and no command")
    _, (r, r2) = money_form(a, "/refund", aid, A["id"], "33.45", twice=True)
    f1 = loc_id(r)
    check(f1 is not None and loc_id(r2) == f1 and L() == L0 + 1, "a refund of 33.45, sent twice, is written once")
    check(db(f"SELECT l.amount_fen, c.kind, c.amount_fen FROM ledger l JOIN commands c ON c.id = l.command_id"
             f" WHERE l.id = {f1}") == [["-3345", "debit", "3345"]], "the refund is -33.45 with a debit token")
    check(wait_confirmed([f1]), "the collector confirms the debit token", cmd_of(f1))
    m = rig.meter(A)
    check(m["remaining"] == 15000 and m["count"] == 10, "the meter's money fell by exactly 33.45 (to 150.00), count 10",
          (m["remaining"], m["count"]))

    # 3. Reversals: the 123.45 sale (its money is still there), once; the 50.00 no longer can be.
    check(rig.read_shows(A), "the collector has read the meter after the refund")
    L0 = L()
    _, (r,) = reversal(a, s2, "金额输错")
    v1 = loc_id(r)
    check(v1 is not None, "the sale of 123.45 is reversed", r.field_error("reason"))
    check(db(f"SELECT l.kind, l.amount_fen, l.reverses_id, c.kind, c.amount_fen FROM ledger l JOIN commands c"
             f" ON c.id = l.command_id WHERE l.id = {v1}") == [["reversal", "-12345", str(s2), "debit", "12345"]],
          "the reversal is -123.45 pointing at the sale, with a debit token")
    check(wait_confirmed([v1]), "the collector confirms the reversal's token", cmd_of(v1))
    m = rig.meter(A)
    check(m["remaining"] == 2655 and m["count"] == 11, "the meter's money fell by exactly 123.45 (to 26.55), count 11",
          (m["remaining"], m["count"]))
    r = a.get(f"/sale?id={s2}")
    check('class="warn reversed"' in r.text and 'action="/reversal"' not in r.text,
          "the sale's page says it was reversed and offers no second reversal")
    _, (r,) = reversal(a, s2, "再冲一次", idem=uuid.uuid4().hex)  # a second tab still showing the form
    check("已冲正" in (r.field_error("reason") or "") and L() == L0 + 1, "a second reversal of the sale is refused",
          r.field_error("reason"))
    check(rig.read_shows(A), "the collector has read the meter after the reversal")
    _, (r,) = reversal(a, s1, "金额输错")
    check("已被使用" in (r.field_error("reason") or "") and L() == L0 + 1,
          "reversing the 50.00 first purchase while the meter holds 26.55 is refused", r.field_error("reason"))

    # 4. Meter replacement: A's 26.55 moves to B by a debit and a credit token.
    r = a.get(f"/account/meter?id={aid}&mode=replace")
    f = {"id": aid, "mode": "replace", "old": A["id"], "new": B["number"], "idem": idem_of(r),
         f"other_{B['id']}": "1"}  # B is another room's meter: confirmed as such
    r = a.post(f"/account/meter?id={aid}", f)
    check('id="move-money">26.55<' in r.text, "the replacement's confirmation shows the 26.55 to move")
    L0 = L()
    r = a.post(f"/account/meter?id={aid}", dict(f, confirm="1"))
    check(r.status == 303 and L() == L0 + 2, "the replacement is done: two entries")
    rows = db(f"SELECT l.id, l.kind, l.meter_id, l.amount_fen, COALESCE(l.link_id, ''), c.kind, c.amount_fen"
              f" FROM ledger l JOIN commands c ON c.id = l.command_id WHERE l.account_id = {aid}"
              f" AND l.kind LIKE 'transfer%' ORDER BY l.id")
    check(len(rows) == 2 and rows[0][1:4] == ["transfer_out", str(A["id"]), "-2655"] and rows[0][5:] == ["debit", "2655"]
          and rows[1][1:4] == ["transfer_in", str(B["id"]), "2655"] and rows[1][4] == rows[0][0]
          and rows[1][5:] == ["credit", "2655"], "transfer_out -26.55 from A and transfer_in +26.55 to B, linked", rows)
    check(wait_confirmed([int(x[0]) for x in rows]), "the collector confirms both transfer tokens",
          [cmd_of(x[0]) for x in rows])
    ma, mb = rig.meter(A), rig.meter(B)
    check(ma["remaining"] == 0 and ma["count"] == 12, "the old meter was debited to exactly 0.00 (count 12)",
          (ma["remaining"], ma["count"]))
    check(mb["remaining"] == 2655 and mb["count"] == 3, "the new meter was credited exactly 26.55 (count 3)",
          (mb["remaining"], mb["count"]))
    check(count("account_meters", f"account_id = {aid} AND active = 1 AND meter_id = {B['id']}") == 1 and
          count("account_meters", f"account_id = {aid} AND active = 1 AND meter_id = {A['id']}") == 0,
          "the account holds B instead of A")

    # 5. Closing: C joins the account, then every meter is debited to zero; B tripped, C kept.
    r = a.get(f"/account/meter?id={aid}&mode=add")
    # its 8.88 carried over into the account, another room's meter confirmed as such
    r = a.post(f"/account/meter?id={aid}", {"id": aid, "mode": "add", "new": C["number"], "idem": idem_of(r),
                                           "confirm": "1", f"money_{C['id']}": "carry", f"amt_{C['id']}": "888",
                                           f"other_{C['id']}": "1"})
    check(r.status == 303 and count("account_meters", f"account_id = {aid} AND active = 1") == 2,
          "meter C (holding 8.88) joins the account")
    check(rig.read_shows(B) and rig.read_shows(C), "the collector's reads of B and C are current")
    L0 = L()
    r = a.post("/close", {"id": aid, "seen": "1"})
    check("请再次确认" in r.text and L() == L0, "closing asks for a confirmation first, nothing done yet")
    r = a.post("/close", {"id": aid, "seen": "1", "confirm": "1", f"trip{B['id']}": "1", f"trip{C['id']}": "0"})
    check(r.status == 303 and db_value(f"SELECT status FROM accounts WHERE id = {aid}") == "closing",
          "confirmed: the account is closing", r.field_error("form"))
    # the steps move on (pages or the minute job): trip, a read after it, the refund of that read's money
    wait(lambda: (a.get(f"/close?id={aid}"), db_value(f"SELECT status FROM accounts WHERE id = {aid}"))[1] == "closed",
         60, 1)
    rows = db(f"SELECT l.id, l.meter_id, l.amount_fen, c.kind, c.amount_fen FROM ledger l JOIN commands c"
              f" ON c.id = l.command_id WHERE l.account_id = {aid} AND l.kind = 'closing_refund' ORDER BY l.meter_id")
    check(sorted(x[1:] for x in rows) == sorted([[str(B["id"]), "-2655", "debit", "2655"],
                                                 [str(C["id"]), "-888", "debit", "888"]]),
          "a closing refund with a debit token for each meter's money at the trip (26.55 and 8.88)", rows)
    check(count("commands", f"meter_id = {B['id']} AND kind = 'trip'") == 1 and
          count("commands", f"meter_id = {C['id']} AND kind = 'trip'") == 1 and
          count("commands", f"meter_id = {C['id']} AND kind = 'restore' AND status = 'confirmed'") == 1,
          "both tripped first; C restored to prepaid mode after its refund")
    mb, mc = rig.meter(B), rig.meter(C)
    check(mb["remaining"] == 0 and mb["count"] == 4 and mc["remaining"] == 0 and mc["count"] == 5,
          "both meters hold exactly 0.00 (counts 4 and 5)", (mb, mc))
    check(mb["force_en"] == 1 and mb["force_open"] == 1 and mb["relay"] == 0, "B's relay is open by the trip", mb)
    check(mc["force_en"] == 0, "C is back in prepaid mode as chosen", mc)
    r = a.get(f"/account?id={aid}")
    check("已销户" in r.text and db_value(f"SELECT status FROM accounts WHERE id = {aid}") == "closed",
          "with every token confirmed the account is closed")
    check(count("account_meters", f"account_id = {aid} AND active = 1") == 0, "and its meters are free")

    # 6. Interrupted half way (the database fails on the second step), then the same form again.
    r = open_account(a, rig, D["room"], "中断测试")
    did = loc_id(r, "/account")
    check(rig.read_shows(D), "a second account holds meter D (20.00), read by the collector")
    check(db(f"SELECT kind, amount_fen, command_id IS NULL FROM ledger WHERE account_id = {did}")
          == [["carry_over", "2000", "1"]], "D's 20.00 was carried over at the opening (期初结转, no token)",
          db(f"SELECT kind, amount_fen, command_id IS NULL FROM ledger WHERE account_id = {did}"))
    r = a.get(f"/account/meter?id={did}&mode=replace")
    f = {"id": did, "mode": "replace", "old": D["id"], "new": E["number"], "idem": idem_of(r), "confirm": "1",
         f"other_{E['id']}": "1"}
    with ledger_fault("transfer_in"):
        r = a.post(f"/account/meter?id={did}", f)
    check(r.status == 500 and count("ledger", f"account_id = {did} AND kind <> 'carry_over'") == 1,
          "a replacement failing after its transfer_out answers an error, the transfer_in missing", r.status)
    r = a.post(f"/account/meter?id={did}", f)
    rows = db(f"SELECT l.id, l.kind, l.meter_id, l.amount_fen, COALESCE(l.link_id, '') FROM ledger l"
              f" WHERE l.account_id = {did} AND l.kind <> 'carry_over' ORDER BY l.id")
    check(r.status == 303 and [x[1:4] for x in rows] == [["transfer_out", str(D["id"]), "-2000"],
                                                        ["transfer_in", str(E["id"]), "2000"]] and rows[1][4] == rows[0][0],
          "the same form again finishes it: transfer_in +20.00 to E, linked to the transfer_out", rows)
    check(db(f"SELECT meter_id FROM account_meters WHERE account_id = {did} AND active = 1") == [[str(E["id"])]],
          "and the account holds E instead of D", db(f"SELECT meter_id, active FROM account_meters WHERE account_id = {did}"))
    check(rig.tokens_done([D["id"], E["id"]]) and rig.meter(D)["remaining"] == 0 and rig.meter(E)["remaining"] == 2000,
          "D was debited to 0.00 and E credited exactly 20.00", (rig.meter(D)["remaining"], rig.meter(E)["remaining"]))
    check(rig.read_shows(E), "the collector's read of E is current")
    r = a.post("/close", {"id": did, "confirm": "1", f"trip{E['id']}": "0"})
    check(r.status == 303 and db_value(f"SELECT status FROM accounts WHERE id = {did}") == "closing", "E's account is closing")
    wait(lambda: (a.get(f"/close?id={did}"), db_value(f"SELECT status FROM accounts WHERE id = {did}"))[1] == "closed",
         60, 1)
    check(db(f"SELECT meter_id, amount_fen FROM ledger WHERE account_id = {did} AND kind = 'closing_refund'")
          == [[str(E["id"]), "-2000"]], "the closing refund is the 20.00 E held at its trip")
    check(rig.meter(E)["remaining"] == 0 and rig.meter(E)["force_en"] == 0, "E holds 0.00, back in prepaid mode", rig.meter(E))
    check(db_value(f"SELECT status FROM accounts WHERE id = {did}") == "closed", "and the account is closed")

    # 7. Every meter against the ledger and the tokens: the meter is the truth.
    for m in rig.meters:
        s = rig.meter(m)
        n = rig.confirmed_tokens(m["id"])
        check(s["count"] - m["open_count"] == n, f"meter {m['number']}: {n} confirmed tokens, and as many applied", s["count"])
        total = rig.ledger_sum(m["id"])
        check(s["remaining"] == m["open_fen"] + total,
              f"meter {m['number']}: money {yuan(s['remaining'])} = opening {yuan(m['open_fen'])} + ledger {yuan(total)}")
    st = rig.sim.stats()
    check(st["tokens_refused"] == 0 and st["bad_tokens"] == 0 and st["tokens_repeated"] == 0,
          "no token was refused, bad or sent twice", st)
    ok, listed = reconcile_clean(a, rig)
    check(ok and not listed, "the reconciliation page lists none of our meters", listed)
    print(f"# t10 took {since(T0)}")
finally:
    rig.stop()
done()
