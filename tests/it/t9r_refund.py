"""t9r_refund.py - M3 refunds of online payments through the payment sandbox (Alipay and WeChat Pay): a closed account's payment (needs_refund) refunded back to the payer once, with two-person approval (never by the one who asked) and without; repeated submissions, a failed, forged or still-processing gateway answer tried again under the same refund number; one fen over the paid amount refused by the gateway; the right F19 and PAY (403); created, closed, credited orders refused with the Chinese reason; the reconciliation unchanged."""
import json
import os
import re
import secrets
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

from paylib import PAYSIM, http, sandbox  # noqa: E402
from paylib import student as _student  # noqa: E402

sim = sandbox("paysim-t9r.log", wechat=True)


def ctl(what, **q):
    return json.loads(http(f"{PAYSIM}/ctl/{what}?" + urllib.parse.urlencode(q))[1])


def sim_order(channel, no):
    return ctl("wx/orders" if channel == "wechat" else "orders").get(no, {})


def sync():
    p = subprocess.run([f"{TOP}/build/prepaid-admin", "payments-sync"], capture_output=True, text=True,
                       env=dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf"))
    return p.returncode, p.stdout + p.stderr


def refunds_line(out, channel):
    m = re.search(r"payments-sync: %s refunds: (\d+) sent, (\d+) refunded, (\d+) in progress, (\d+) failed"
                  % channel, out)
    return tuple(int(x) for x in m.groups()) if m else None


def reconcile():
    p = subprocess.run([f"{TOP}/build/prepaid-admin", "reconcile"], capture_output=True, text=True,
                       env=dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf"))
    e = re.search(r"PayEntries=(\d+)", p.stdout)
    o = re.search(r"PayOrders=(\d+)", p.stdout)
    return (int(e.group(1)) if e else None, int(o.group(1)) if o else None)


rooms = [x[0] for x in db("SELECT r.id FROM rooms r JOIN meters m ON m.room_id = r.id AND m.profile = 'ddsy1352nk'"
                          " WHERE NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
                          " AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.room_id = r.id)"
                          " ORDER BY r.building_id DESC, r.number LIMIT 3")]
assert len(rooms) == 3, rooms
A, accA, meterA = _student(rooms[0], "退款甲", "R")
B, accB, meterB = _student(rooms[1], "退款乙", "R")
C, accC, meterC = _student(rooms[2], "退款丙", "R")
for m in (meterA, meterB, meterC):
    meter_read(m, 1000, 0)
db("UPDATE settings SET value = '100000' WHERE name = 'hoard_cap_fen'")
db("UPDATE settings SET value = '50000' WHERE name = 'pay_max_fen'")


def order(c, channel, amount):
    c.get("/m/pay")
    r = c.post("/m/pay", {"channel": channel, "custom": amount})
    no = re.search(r'id="go-no">([0-9a-f]{32})<', r.text).group(1)
    if channel == "alipay":     # the payer opens the gateway's page: the sandbox knows the order
        http(re.search(r'id="go" href="([^"]+)"', r.text).group(1).replace("&amp;", "&"))
    return no


def pay(channel, no):
    return ctl("wx/pay" if channel == "wechat" else "pay", no=no)


# --- money received for closed accounts: Alipay (A) and WeChat Pay (B)
noA, noA2, noA3 = order(A, "alipay", "30.00"), order(A, "alipay", "12.34"), order(A, "alipay", "1.00")
noW, noW2 = order(B, "wechat", "25.00"), order(B, "wechat", "8.88")
noC = order(C, "alipay", "5.00")         # credited
noCw = order(C, "wechat", "6.00")        # created, never paid
pay("alipay", noC)
db(f"UPDATE accounts SET status = 'closed' WHERE id IN ({accA}, {accB})")
for ch, no in [("alipay", noA), ("alipay", noA2), ("alipay", noA3), ("wechat", noW), ("wechat", noW2)]:
    pay(ch, no)
check(db_value("SELECT COUNT(*) FROM pay_orders WHERE state = 'needs_refund' AND reason = 'account_closed'"
               f" AND out_trade_no IN ('{noA}', '{noA2}', '{noA3}', '{noW}', '{noW2}')") == "5",
      "five payments for closed accounts: money received, on the list to refund")
check(db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{noC}'") == "credited", "one credited top-up")
noClosed = secrets.token_hex(16)
db(f"INSERT INTO pay_orders (out_trade_no, channel, account_id, meter_id, amount_fen, state) VALUES"
   f" ('{noClosed}', 'alipay', {accC}, {meterC}, 700, 'closed')")
rec0 = reconcile()

op1, op2 = operator(role=1), operator(role=1)
# operators without F19 (everything else), and with F19 but without PAY
for name, drop in [("nof19-t9r", "F19"), ("nopay-t9r", "PAY")]:
    db(f"INSERT INTO roles (name) VALUES ('{name}')")
    rid = db_value(f"SELECT id FROM roles WHERE name = '{name}'")
    codes = [c for c in ["F%d" % i for i in range(2, 31)] + ["SITE", "ADJ", "B9", "PAY"] if c != drop]
    db("INSERT INTO role_rights (role_id, right_code) VALUES " + ",".join(f"({rid}, '{c}')" for c in codes))
nof19 = operator(role=int(db_value("SELECT id FROM roles WHERE name = 'nof19-t9r'")))
nopay = operator(role=int(db_value("SELECT id FROM roles WHERE name = 'nopay-t9r'")))


def idem(r):
    m = re.search(r'name="idem" value="([0-9a-f]+)"', r.text)
    return m.group(1) if m else ""


def why(r):
    m = re.search(r'id="refund-why"[^>]*>([^<]*)<', r.text)
    return m.group(1) if m else None


def ask(c, no, reason="账户已销户，退还学生", confirm="1", key=None):
    r = c.get("/payrefund", no=no)
    f = {"no": no, "reason": reason, "idem": key or idem(r)}
    if confirm:
        f["confirm"] = confirm
    return c.post("/payrefund", f)


# --- the button on the order's page, only with F19 and PAY
r = op1.get("/payment", no=noA)
check('id="o-refund-go"' in r.text and "退款 ¥30.00 到付款人的支付宝" in r.text,
      "the order's page offers 退款 ¥30.00 到付款人的支付宝")
r = op1.get("/payment", no=noW)
check("退款 ¥25.00 到付款人的微信" in r.text, "a WeChat Pay order: 退款 ¥25.00 到付款人的微信")
r = nof19.get("/payment", no=noA)
check(r.status == 200 and 'id="o-refund-go"' not in r.text, "without F19 the order's page shows no refund button")
r = nof19.get("/payrefund", no=noA)
check(r.status == 403, "without F19: /payrefund is 403", r.status)
nof19.get("/payments")
r = nof19.post("/payrefund", {"no": noA, "reason": "x", "confirm": "1", "idem": secrets.token_hex(16)})
check(r.status == 403 and count("pay_refunds") == 0, "without F19: a posted refund is 403, nothing asked", r.status)
r = nopay.get("/payrefund", no=noA)
check(r.status == 403, "F19 without PAY: 403", r.status)
nopay.get("/")
r = nopay.post("/payrefund", {"no": noA, "reason": "x", "confirm": "1", "idem": secrets.token_hex(16)})
check(r.status == 403 and count("pay_refunds") == 0, "F19 without PAY: a posted refund is 403", r.status)

# --- orders that are not to refund this way, each with its reason in Chinese
for no, want, what in [(noC, "柜台办理退电", "credited"), (noCw, "尚未付款", "created"),
                       (noClosed, "已关闭", "closed")]:
    r = op1.get("/payrefund", no=no)
    check(r.status == 200 and want in (why(r) or "") and 'id="refund-go"' not in r.text,
          f"a {what} order: no refund form, the reason says {want}", why(r))
    r = ask(op1, no, key=secrets.token_hex(16))
    check(r.status == 200 and want in (why(r) or "") and count("pay_refunds") == 0,
          f"a {what} order posted anyway: refused with the reason, nothing asked", (r.status, why(r)))
for bad in ["", "x", noA[:31], noA + "0", "' OR 1=1 --", "<b>" + noA[:28] + "</b>", noA.upper(),
            secrets.token_hex(16)]:
    r = op1.get("/payrefund", no=bad)
    check(r.status == 404, f"order number {bad!r}: 404", r.status)

# --- the form: confirmation and reason required, errors next to the field
r = ask(op1, noA, confirm="")
check(r.status == 200 and r.field_error("confirm") == "请先勾选确认" and count("pay_refunds") == 0,
      "not confirmed: the error next to the box, nothing asked", r.field_error("confirm"))
r = ask(op1, noA, reason="")
check(r.status == 200 and r.field_error("reason") and count("pay_refunds") == 0,
      "no reason: the error next to the field, nothing asked", r.field_error("reason"))
r = ask(op1, noA, reason="x" * 101)
check(r.status == 200 and r.field_error("reason") and count("pay_refunds") == 0, "a reason of 101 characters refused")
r = op1.get("/payrefund", no=noA)
r = op1.post("/payrefund", {"no": noA, "reason": "x", "confirm": "1", "idem": "'; DROP TABLE pay_refunds; --"})
check(r.status == 400 and count("pay_refunds") == 0, "a bad idempotency key: 400", r.status)

# --- two-person approval on: the one who asked cannot approve, another operator does
db("UPDATE settings SET value = '1' WHERE name = 'approve_refund'")
reason = "<script>alert(1)</script>退'\"款"
r = op1.get("/payrefund", no=noA)
check("另一位" in r.text, "the form says a second operator approves")
key = idem(r)
f = {"no": noA, "reason": reason, "confirm": "1", "idem": key}
r1 = op1.post("/payrefund", f)
r2 = op1.post("/payrefund", f)
check(r1.status == 303 and r1.location.endswith("/approvals?ok=requested") and r2.status == 303
      and count("pay_refunds") == 1 and count("approvals", "kind = 'pay_refund'") == 1,
      "asked (twice, the same form): one refund, one request waiting on /approvals", (r1.status, r2.status))
rno = db_value(f"SELECT f.out_request_no FROM pay_refunds f JOIN pay_orders o ON o.id = f.order_id"
               f" WHERE o.out_trade_no = '{noA}'")
check(re.fullmatch(r"[0-9a-f]{32}", rno or "") and db_value(
      f"SELECT CONCAT(state, ':', amount_fen) FROM pay_refunds WHERE out_request_no = '{rno}'") == "requested:3000",
      "the refund: the whole 3000 fen, an unguessable number, waiting", rno)
r = ask(op1, noA, key=secrets.token_hex(16))
check(r.status == 200 and "已申请退款" in (why(r) or "") and count("pay_refunds") == 1,
      "another form for the same order: refused, already asked", why(r))
r = op1.get("/payment", no=noA)
check('id="o-refund-go"' not in r.text and "待审批" in r.text, "the order's page shows the refund waiting")
aid = db_value("SELECT id FROM approvals WHERE kind = 'pay_refund'")
r = op1.get("/approvals")
check("在线支付退款" in r.text and "&lt;script&gt;" in r.text and "<script>alert" not in r.text,
      "/approvals lists it (在线支付退款), its reason escaped")
r = op1.post("/approval", {"id": aid, "decision": "approve"})
check(r.status == 403 and db_value(f"SELECT state FROM pay_refunds WHERE out_request_no = '{rno}'") == "requested",
      "the operator who asked cannot approve it (403)", r.status)
rc, out = sync()
check(refunds_line(out, "alipay") == (0, 0, 0, 0) and not sim_order("alipay", noA).get("refund_calls"),
      "payments-sync before the approval: nothing sent", out)
nof19.get("/approvals")
r = nof19.post("/approval", {"id": aid, "decision": "approve"})
check(r.status == 403, "an operator without F19 cannot approve it", r.status)
op2.get("/approvals")
r = op2.post("/approval", {"id": aid, "decision": "approve"})
op2_id = db_value(f"SELECT id FROM operators WHERE login = '{op2.login_name}'")
check(r.status == 303 and db_value(f"SELECT CONCAT(state, ':', approved_by) FROM pay_refunds"
                                   f" WHERE out_request_no = '{rno}'") == f"approved:{op2_id}",
      "a second operator approves: approved, by them", r.status)
check(sim_order("alipay", noA).get("refund_calls") is None, "approving calls no gateway (the job does)")

# --- payments-sync sends it: the money back once
rc, out = sync()
s = sim_order("alipay", noA)
check(refunds_line(out, "alipay") == (1, 1, 0, 0), "payments-sync: alipay refunds: 1 sent, 1 refunded", out)
check(s.get("refunded_fen") == 3000 and list(s.get("refunds", {})) == [rno] and s.get("refund_calls") == 1,
      "the sandbox: 30.00 back to the payer once, under the refund number", s.get("refunds"))
check(db_value(f"SELECT CONCAT(o.state, ':', f.state) FROM pay_refunds f JOIN pay_orders o ON o.id = f.order_id"
               f" WHERE f.out_request_no = '{rno}'") == "refunded:refunded"
      and count("pay_refunds", f"out_request_no = '{rno}' AND answer LIKE '%alipay_trade_refund_response%'") == 1,
      "the order and its refund are refunded, the gateway's answer kept")
r = op1.get("/payment", no=noA)
st = re.search(r'id="o-state">([^<]*)<', r.text)
check(st and st.group(1).startswith("已退款") and 'id="o-refund-go"' not in r.text,
      "the order's page shows 已退款, no button", st and st.group(1))
r = op1.get("/payments", state="needs_refund", per="500")
check(f'data-no="{noA}"' not in r.text and f'data-no="{noA2}"' in r.text, "it left the needs_refund list")
r = op1.get("/payrefund", no=noA)
check("已退款" in (why(r) or ""), "asked again: refused, already refunded", why(r))
rc, out = sync()
check(refunds_line(out, "alipay") == (0, 0, 0, 0) and sim_order("alipay", noA).get("refund_calls") == 1
      and sim_order("alipay", noA).get("refunded_fen") == 3000, "payments-sync again: nothing more refunded", out)
check(count("ledger", f"idem_key = 'alipay:{noA}'") == 0, "no ledger entry for money that never reached a meter")

# --- rejected: the order may be asked for again
r = ask(op1, noA2, reason="先驳回")
aid2 = db_value("SELECT MAX(id) FROM approvals WHERE kind = 'pay_refund'")
op2.get("/approvals")
r = op2.post("/approval", {"id": aid2, "decision": "reject"})
check(r.status == 303 and count("pay_refunds", "state = 'rejected'") == 1, "a second operator rejects it")
r = ask(op1, noA2, reason="再次申请")
check(r.status == 303 and count("pay_refunds", "state = 'requested'") == 1, "after a rejection it may be asked again")
aid3 = db_value("SELECT MAX(id) FROM approvals WHERE kind = 'pay_refund'")
op2.get("/approvals")
op2.post("/approval", {"id": aid3, "decision": "approve"})
rno2 = db_value("SELECT out_request_no FROM pay_refunds WHERE state = 'approved'")

# --- a forged answer (the refund done at the gateway, its answer not to be believed): tried again, same number
db("UPDATE settings SET value = '0' WHERE name = 'approve_refund'")
ctl("refund_fail", mode="forge")
rc, out = sync()
s = sim_order("alipay", noA2)
check(rc != 0 and refunds_line(out, "alipay") == (1, 0, 0, 1)
      and db_value(f"SELECT CONCAT(f.state, ':', o.state) FROM pay_refunds f JOIN pay_orders o ON o.id = f.order_id"
                   f" WHERE f.out_request_no = '{rno2}'") == "failed:needs_refund",
      "a forged answer: the refund failed here, the order still to refund", out)
check(s.get("refunded_fen") == 1234, "(the sandbox did refund it)", s.get("refunds"))
rc, out = sync()
s = sim_order("alipay", noA2)
check(refunds_line(out, "alipay") == (1, 1, 0, 0) and s.get("refunded_fen") == 1234 and list(s["refunds"]) == [rno2]
      and s.get("refund_calls") == 2, "the next run: the same number again, refunded, the money back once", s)
check(db_value(f"SELECT CONCAT(f.state, ':', o.state, ':', f.tries) FROM pay_refunds f JOIN pay_orders o"
               f" ON o.id = f.order_id WHERE f.out_request_no = '{rno2}'") == "refunded:refunded:2",
      "refunded after two tries")

# --- without approval: approved at once; one fen over the paid amount refused by the gateway
r = ask(op1, noA3, reason="一分钱边界")
check(r.status == 303 and "/payrefund?no=" in r.location, "approval off: asked, back to the form", r.location)
r = op1.get(r.location)
check('id="refund-ok"' in r.text and "待办理" in r.text, "the form says it is asked, to send")
rno3 = db_value(f"SELECT f.out_request_no FROM pay_refunds f JOIN pay_orders o ON o.id = f.order_id"
                f" WHERE o.out_trade_no = '{noA3}'")
db(f"UPDATE pay_refunds SET amount_fen = 101 WHERE out_request_no = '{rno3}'")
rc, out = sync()
s = sim_order("alipay", noA3)
check(refunds_line(out, "alipay") == (1, 0, 0, 1) and not s.get("refunded_fen")
      and "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL" in db_value(f"SELECT note FROM pay_refunds WHERE out_request_no = '{rno3}'"),
      "one fen over the paid 1.00: the gateway refuses, nothing back, the refusal kept", out)
db(f"UPDATE pay_refunds SET amount_fen = 100 WHERE out_request_no = '{rno3}'")
rc, out = sync()
s = sim_order("alipay", noA3)
check(refunds_line(out, "alipay") == (1, 1, 0, 0) and s.get("refunded_fen") == 100 and list(s["refunds"]) == [rno3],
      "exactly the paid 1.00: refunded", out)

# --- WeChat Pay: a failed call, then the same number completes; PROCESSING asked again
r = ask(op1, noW, reason="微信退款")
rnoW = db_value(f"SELECT f.out_request_no FROM pay_refunds f JOIN pay_orders o ON o.id = f.order_id"
                f" WHERE o.out_trade_no = '{noW}'")
check(r.status == 303 and db_value(f"SELECT state FROM pay_refunds WHERE out_request_no = '{rnoW}'") == "approved",
      "a WeChat Pay refund asked, approved at once")
ctl("wx/refund_fail", mode="error")
rc, out = sync()
s = sim_order("wechat", noW)
check(rc != 0 and refunds_line(out, "wechat") == (1, 0, 0, 1) and not s.get("refunded_fen")
      and db_value(f"SELECT CONCAT(f.state, ':', o.state) FROM pay_refunds f JOIN pay_orders o ON o.id = f.order_id"
                   f" WHERE f.out_request_no = '{rnoW}'") == "failed:needs_refund"
      and count("pay_refunds", f"out_request_no = '{rnoW}' AND answer LIKE '%\"SYSTEM_ERROR\"%'") == 1,
      "the gateway fails: left pending, its answer kept, nothing refunded",
      (out, s, db(f"SELECT state, note, answer FROM pay_refunds WHERE out_request_no = '{rnoW}'")))
r = op1.get("/payment", no=noW)
check("暂未成功" in r.text, "the order's page says the refund is not done yet and will be tried again")
rc, out = sync()
s = sim_order("wechat", noW)
check(rc == 0 and refunds_line(out, "wechat") == (1, 1, 0, 0) and s.get("refunded_fen") == 2500
      and list(s["refunds"]) == [rnoW], "the next run: the same number, 25.00 back once", out)
check(db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{noW}'") == "refunded", "the order is refunded")
r = op1.get("/payment", no=noW)
check(re.search(r'id="o-state">已退款', r.text) is not None, "the order's page shows 已退款")

ask(op1, noW2, reason="处理中")
rnoW2 = db_value(f"SELECT f.out_request_no FROM pay_refunds f JOIN pay_orders o ON o.id = f.order_id"
                 f" WHERE o.out_trade_no = '{noW2}'")
ctl("wx/refund_fail", mode="processing")
rc, out = sync()
check(refunds_line(out, "wechat") == (1, 0, 1, 0)
      and db_value(f"SELECT state FROM pay_refunds WHERE out_request_no = '{rnoW2}'") == "sent",
      "PROCESSING: in progress, asked again next run", out)
rc, out = sync()
s = sim_order("wechat", noW2)
check(refunds_line(out, "wechat") == (0, 1, 0, 0) and s.get("refunded_fen") == 888 and s.get("refund_calls") == 1,
      "the next run asks (GET by out_refund_no): refunded, one refund call", out)
rc, out = sync()
check(rc == 0 and refunds_line(out, "wechat") == (0, 0, 0, 0) and refunds_line(out, "alipay") == (0, 0, 0, 0),
      "payments-sync again: nothing more", out)

# --- the books
r = op1.get("/payments", state="needs_refund", per="500")
check(all(f'data-no="{n}"' not in r.text for n in (noA, noA2, noA3, noW, noW2)), "none left on the needs_refund list")
check(reconcile() == rec0, "the reconciliation is unchanged by the refunds", (reconcile(), rec0))
check(count("oplog", "action = 'payrefund.request'") == 6 and count("oplog", "action = 'payrefund.done'") == 5,
      "each request and each refund is in the operation log")
done()
