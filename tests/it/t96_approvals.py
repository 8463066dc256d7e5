"""t96_approvals.py - B8 two-person approval: refunds, reversals and keep power wait; nothing reaches a meter before."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)
b = operator(role=1)




try:
    a.get("/settings")
    r = a.post("/settings", {"approve_refund": "1", "approve_reversal": "1", "approve_keep_power": "1"})
    check(r.status == 303 and db_value("SELECT GROUP_CONCAT(value) FROM settings WHERE name LIKE 'approve_%'") == "1,1,1",
          "the settings page turns two-person approval on")
    b4 = db_value("SELECT id FROM buildings WHERE name = '4号楼'")
    rows = db("SELECT r.number, m.id FROM rooms r JOIN meters m ON m.room_id = r.id WHERE r.building_id = " + b4 +
              " AND NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1) ORDER BY r.number LIMIT 1")
    room, meter = rows[0]
    r = a.get("/account/open")
    r = a.post("/account/open", {"holder": "审批测试", "building_id": b4, "room": room, "idem": idem_of(r)})
    aid = re.search(r"id=(\d+)", r.location).group(1)
    r = a.get(f"/sell?account={aid}")
    r = a.post("/sell", {"account": aid, "meter": meter, "amount": "30", "idem": idem_of(r), "confirm": "1"})
    sale = re.search(r"id=(\d+)", r.location).group(1)
    meter_read(meter, 3000, 1)

    # A refund waits for a second operator.
    L0, C0 = count("ledger"), count("commands")
    r = a.get(f"/refund?account={aid}")
    i = idem_of(r)
    r = a.post("/refund", {"account": aid, "meter": meter, "amount": "40", "idem": i, "confirm": "1"})
    check("超过" in (r.field_error("amount") or ""), "a refund above the meter's money is refused before any approval")
    r = a.post("/refund", {"account": aid, "meter": meter, "amount": "12", "idem": i, "confirm": "1"})
    check(r.status == 303 and "requested" in r.location, "the refund is sent for approval")
    a.post("/refund", {"account": aid, "meter": meter, "amount": "12", "idem": i, "confirm": "1"})
    ap = db_value(f"SELECT id FROM approvals WHERE idem_key = '{i}'")
    check(count("approvals", f"idem_key = '{i}'") == 1 and count("ledger") == L0 and count("commands") == C0,
          "once, and nothing is in the ledger or sent to the meter yet")
    r = a.get("/approvals")
    check("审批测试" in r.text and "待审批" in r.text, "the approvals page lists it as pending")
    row = r.text[r.text.find("审批测试"):]
    row = row[:row.find("</tr>")]
    check('value="approve"' not in row and "需由另一名操作员审批" in row,
          "the requester sees no approve button on their own request, and why", row[-300:])
    r = a.post("/approval", {"id": ap, "decision": "approve"})
    check(r.status == 403 and "另一位操作员" in r.text and count("ledger") == L0, "the requester cannot approve it")
    low = operator(role=3)
    r = low.get("/approvals")
    row = r.text[r.text.find("审批测试"):]
    row = row[:row.find("</tr>")]
    check(r.status == 200 and 'value="approve"' not in row and "需由有此权限的操作员审批" in row,
          "an operator without the refund right sees no buttons but who may decide", row[-300:])
    r = low.post("/approval", {"id": ap, "decision": "approve"})
    check(r.status == 403 and count("ledger") == L0, "an operator without the refund right cannot approve it")
    r = b.get("/approvals")
    row = r.text[r.text.find("审批测试"):]
    check('value="approve"' in row[:row.find("</tr>")] and "确定批准该申请吗" in row[:row.find("</tr>")],
          "a second operator with the right sees the buttons, with a Chinese confirmation")
    r = b.post("/approval", {"id": ap, "decision": "approve"})
    check(r.status == 303 and count("ledger") == L0 + 1, "a second operator approves: the refund is written")
    row = db(f"SELECT l.kind, l.amount_fen, c.kind, c.amount_fen, p.status, p.result_id = l.id FROM approvals p"
             f" JOIN ledger l ON l.id = p.result_id JOIN commands c ON c.id = l.command_id WHERE p.id = {ap}")
    check(row == [["refund", "-1200", "debit", "1200", "approved", "1"]], "with its debit token, linked to the approval", row)
    r = b.post("/approval", {"id": ap, "decision": "approve"})
    check(count("ledger") == L0 + 1, "approving twice refunds once")

    # A reversal waits too; a rejection sends nothing.
    r = a.get(f"/sale?id={sale}")
    r = a.post("/reversal", {"id": sale, "reason": "测试驳回", "idem": idem_of(r)})
    check(r.status == 303 and "requested" in r.location, "a reversal is sent for approval")
    ap2 = db_value("SELECT id FROM approvals WHERE kind = 'reversal' ORDER BY id DESC LIMIT 1")
    b.get("/approvals")
    r = b.post("/approval", {"id": ap2, "decision": "reject", "reason": "不同意"})
    check(db_value(f"SELECT status FROM approvals WHERE id = {ap2}") == "rejected" and count("ledger") == L0 + 1,
          "a rejected reversal writes nothing")

    # Keep power for a batch waits as well.
    C1 = count("commands")
    r = a.post("/batch/run", {"action": "keep_power", "idem": "-", "m": meter})
    i = re.search(r'name="idem" value="([^"]+)"', r.text).group(1)
    r = a.post("/batch/run", {"action": "keep_power", "idem": i, "confirm": "1", "m": meter})
    check("requested" in r.location and count("commands") == C1, "keep power is sent for approval, no command yet")
    ap3 = db_value(f"SELECT id FROM approvals WHERE idem_key = '{i}'")
    b.get("/approvals")
    r = b.post("/approval", {"id": ap3, "decision": "approve"})
    check(count("commands", f"meter_id = {meter} AND kind = 'keep_power'") == 1, "approved: the keep power command is queued")
finally:
    db("UPDATE settings SET value = '0' WHERE name LIKE 'approve_%'")
done()
