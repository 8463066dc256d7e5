"""t20_concurrency.py - end to end under load: 20 operators selling, refunding and reversing at random on 10 accounts through nginx while the live collector applies the tokens to 10 simulated meters; every meter ends where the ledger says, to the fen."""
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from elib import (Rig, check, count, db, db_value, done, loc_id, money_form, open_account, operator, reconcile_clean,  # noqa: E402
                  reversal, since, wait, yuan)

T0 = time.time()
CLIENTS = 20
SECONDS = 25
# 10 meters on two buses, each with some money and tokens from its past.
rig = Rig("t20", [[(3000 + 111 * i, i) for i in range(5)], [(3000 + 111 * i, i) for i in range(5, 10)]])
try:
    rig.start()
    a = operator(role=1)
    ops = [operator(role=1) for _ in range(CLIENTS)]
    check(rig.first_reads(), "the collector reads our ten simulated meters", rig.collector_log())
    accts = []
    for m in rig.meters:
        r = open_account(a, rig, m["room"], "并发" + m["room"])
        aid = loc_id(r, "/account")
        accts.append((aid, m["id"]))
    check(all(x for x, _ in accts), "ten accounts open, one on each meter")
    L0 = count("ledger")
    CAP = int(db_value("SELECT value FROM settings WHERE name = 'hoard_cap_fen'"))

    lock = threading.Lock()
    forms = []     # (action, idem, [(status, entry id or None, field error)]) of every form sent
    errors = []    # answers that are neither an entry nor a refusal with its reason

    def answer(r, field):
        e = r.field_error(field)
        if r.status == 303 and loc_id(r) is not None:
            return (303, loc_id(r), None)
        if r.status == 200 and e:
            return (200, None, e)
        errors.append((r.status, r.location, e, r.text[:200]))
        return (r.status, None, e)

    def client(k):
        c = ops[k]
        rnd = random.Random(k)
        mine = []  # entries this client wrote: candidates for a reversal
        end = T0_LOAD + SECONDS
        first = True
        while time.time() < end:
            aid, mid = accts[rnd.randrange(len(accts))]
            twice = first or rnd.random() < 0.3   # a double click: the same form again at once
            x = rnd.random()
            try:
                if first:  # more than any meter can hold (the cap and its opening money): refused, twice
                    act, field, first = "refund", "amount", False
                    idem, rs = money_form(c, "/refund", aid, mid, yuan(CAP + 10000), twice=twice)
                elif x < 0.5:
                    act, field = "sale", "amount"
                    idem, rs = money_form(c, "/sell", aid, mid, yuan(rnd.randint(1, 3000)), twice=twice)
                elif x < 0.8:
                    act, field = "refund", "amount"
                    idem, rs = money_form(c, "/refund", aid, mid, yuan(rnd.randint(1, 2500)), twice=twice)
                elif mine:
                    act, field = "reversal", "reason"
                    idem, rs = reversal(c, mine.pop(rnd.randrange(len(mine))), "并发冲正", twice=twice)
                else:
                    continue
            except Exception as e:  # a dropped connection is an error too
                with lock:
                    errors.append(repr(e))
                continue
            res = [answer(r, field) for r in rs]
            if act != "reversal" and res[0][1]:
                mine.append(res[0][1])
            with lock:
                forms.append((act, idem, res))
            time.sleep(rnd.uniform(0.5, 2.0))  # the collector sends a meter about one token a second

    T0_LOAD = time.time()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    written = [f for f in forms if f[2][0][1]]
    by = {act: sum(1 for f in written if f[0] == act) for act in ("sale", "refund", "reversal")}
    refused = [f for f in forms if not f[2][0][1]]
    reasons = sorted({f[2][0][2] for f in refused})
    print(f"# {len(forms)} forms in {since(T0_LOAD)} ({sum(len(f[2]) for f in forms)} posts): written {by},"
          f" refused {len(refused)} {reasons}")
    check(not errors, "every form was answered with an entry or a refusal and its reason", errors[:3])
    check(all(by.values()) and any(len(f[2]) == 2 for f in written) and refused,
          "sales, refunds and reversals were written, some sent twice, some refused", by)

    # Every form once: the entry it was answered with, and nothing for a refused one.
    keys = {r[0]: (int(r[1]), r[2]) for r in db(f"SELECT idem_key, id, kind FROM ledger WHERE id > 0 AND account_id IN"
                                                 f" ({','.join(str(x) for x, _ in accts)}) AND kind <> 'carry_over'")}
    bad = [f for f in written if any(x[1] != f[2][0][1] for x in f[2]) or keys.get(f[1], (None,))[0] != f[2][0][1]]
    check(not bad, f"each of the {len(written)} written forms has exactly its one entry, a repeat answered with it",
          bad[:3])
    bad = [f for f in refused if f[1] in keys or any(x[1] for x in f[2])]
    check(not bad, f"none of the {len(refused)} refused forms wrote anything", bad[:3])
    manual = [k for k, (_, kind) in keys.items() if kind != "token_failed"]
    check(len(manual) == len(written) and count("ledger") - L0 == len(keys),
          "the ledger holds no entry beyond the forms' (and token_failed bookings)", (len(manual), len(written)))

    # The collector works off the queue; then every meter against the ledger.
    t1 = time.time()
    check(rig.tokens_done(timeout=90), "the collector confirmed or failed every token",
          db(f"SELECT meter_id, status, COUNT(*) FROM commands WHERE meter_id IN ({','.join(str(m['id']) for m in rig.meters)})"
             f" GROUP BY meter_id, status"))
    print(f"# the queue drained {since(t1)} after the clients stopped")
    mids = ",".join(str(m["id"]) for m in rig.meters)
    failed = db(f"SELECT c.id, c.error, (SELECT COUNT(*) FROM ledger z WHERE z.idem_key = CONCAT('token_failed:', c.id))"
                f" FROM commands c WHERE c.meter_id IN ({mids}) AND c.kind IN ('credit', 'debit') AND c.status = 'failed'")
    check(all(x[2] == "1" for x in failed), "every failed token has its token_failed entry", failed[:3])
    check(not failed, "no meter refused a token: the ledger never let out more than a meter held", failed[:3])
    for m in rig.meters:
        s = rig.meter(m)
        n = rig.confirmed_tokens(m["id"])
        total = rig.ledger_sum(m["id"])
        check(s["count"] - m["open_count"] == n and s["remaining"] == m["open_fen"] + total,
              f"meter {m['number']}: {n} tokens confirmed and applied, money {yuan(s['remaining'])}"
              f" = opening {yuan(m['open_fen'])} + ledger {yuan(total)}", (s["count"], m["open_count"], s["remaining"]))
    rows = db(f"SELECT meter_id, COUNT(*), COUNT(DISTINCT purchase_count), MIN(purchase_count), MAX(purchase_count)"
              f" FROM commands WHERE meter_id IN ({mids}) AND kind IN ('credit', 'debit') GROUP BY meter_id")
    check(all(r[1] == r[2] and int(r[3]) == rig.by_id[int(r[0])]["open_count"] + 1 and
              int(r[4]) - int(r[3]) + 1 == int(r[1]) for r in rows),
          "every meter's tokens have distinct purchase counts, from its own count on, without gaps", rows[:3])
    st = rig.sim.stats()
    check(st["tokens_refused"] == 0 and st["bad_tokens"] == 0 and st["tokens_repeated"] == 0,
          "the meters saw no refused, bad or repeated token", st)
    ok, listed = reconcile_clean(a, rig)
    check(ok and not listed, "the reconciliation page lists none of our meters", listed)
    print(f"# t20 took {since(T0)}")
finally:
    rig.stop()
done()
