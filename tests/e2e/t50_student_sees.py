"""t50_student_sees.py - end to end: a sale at the counter appears on the student's phone page as waiting for the meter, then as confirmed with the meter's new money once the real collector has applied it to the simulated meter."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from elib import (Client, Rig, check, cmd_of, db, db_value, done, loc_id, money_form, open_account, operator,  # noqa: E402
                  wait, wait_confirmed, yuan)

rig = Rig("t50", [[(1234, 5)]])
(A,) = rig.meters


def text_of(r, ident):
    m = re.search(r'id="%s"[^>]*>(.*?)</li>' % re.escape(ident), r.text, re.S)
    return re.sub(r"<[^>]+>", " ", m.group(1)) if m else ""


def meter_money(r, mid):
    m = re.search(r'id="meter-%s".*?class="m-money">¥([-0-9.]+)<' % mid, r.text, re.S)
    return m.group(1) if m else None


try:
    rig.start()
    staff = operator(role=1)
    check(rig.first_reads(), "the collector reads the simulated meter (12.34, count 5)", rig.collector_log())
    r = open_account(staff, rig, A["room"], "端到端学生")
    aid = db_value(f"SELECT account_id FROM account_meters WHERE meter_id = {A['id']} AND active = 1")
    check(aid is not None, "staff open the room's account, the meter's 12.34 carried over", r.status)
    r = staff.post(f"/account/student-password?account={aid}", {"confirm": "1"})
    m = re.search(r'id="new-password">([^<]+)<', r.text)
    pw = m.group(1) if m else ""
    check(pw != "", "staff set the student's first password")
    db(f"UPDATE student_logins SET privacy_agreed_at = UTC_TIMESTAMP() WHERE account_id = {aid}")  # the notice agreed (t78_privacy asks it)

    s = Client()
    s.get("/m/login")
    r = s.post("/m/login", {"building": str(rig.building), "room": A["room"], "password": pw})
    check(r.status == 303 and "/m/password" in (r.location or ""), "the student signs in (first time)", r.status)
    s.get("/m/password?first=1")
    r = s.post("/m/password", {"old": pw, "new": "Student2pass", "confirm": "Student2pass"})
    check(r.status == 303, "and chooses a new password", r.status)
    r = s.get("/m/")
    check(r.status == 200 and meter_money(r, A["id"]) == "12.34", "the phone page shows the meter's 12.34",
          meter_money(r, A["id"]))

    # The collector away: a sale reaches the ledger but not the meter.
    rig.stop_collector()
    _, (r,) = money_form(staff, "/sell", aid, A["id"], "20.00")
    sale = loc_id(r)
    check(sale is not None, "staff sell 20.00 at the counter", r.status)
    r = s.get("/m/")
    li = text_of(r, f"entry-{sale}")
    check("等待电表确认" in li and "20.00" in li, "the student sees the sale of 20.00 waiting for the meter", li)
    # the money shown counts the sale at once (the console's rule: the last read plus what the meter has
    # not applied yet), while the meter itself still holds 12.34
    check(meter_money(r, A["id"]) == "32.34" and rig.meter(A)["remaining"] == 1234,
          "the page counts the 20.00 at once (32.34) while the meter still holds 12.34",
          (meter_money(r, A["id"]), rig.meter(A)["remaining"]))

    # The collector back: the token applied, the page follows the meter.
    rig.start_collector()
    check(wait_confirmed([sale]), "the collector applies the token", cmd_of(sale))
    check(rig.meter(A)["remaining"] == 1234 + 2000 and rig.meter(A)["count"] == 6,
          "the simulated meter holds 32.34 and count 6", rig.meter(A))
    check(rig.read_shows(A), "the collector's next read shows it")
    r = s.get("/m/")
    li = text_of(r, f"entry-{sale}")
    check("电表已确认" in li and "等待电表确认" not in li, "the student sees the sale confirmed", li)
    check(meter_money(r, A["id"]) == yuan(rig.meter(A)["remaining"]) == "32.34",
          "the phone page shows the meter's own 32.34", meter_money(r, A["id"]))

    # Another student's entry never shows on this page.
    other = db_value(f"SELECT MAX(id) FROM ledger WHERE account_id <> {aid}")
    check(other is None or f'id="entry-{other}"' not in r.text, "no other account's entry on the page")
finally:
    rig.stop()
done()
