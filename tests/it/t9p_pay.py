"""t9p_pay.py - M3 online top-up through the payment sandbox (tests/paysim, Alipay): the amount limits, orders only the student's own, notices credited exactly once (20 at once, again later), forged, wrong amount, app, seller, unknown or replayed notices credit nothing and are recorded, a closed account or the cap keep the money for a refund, and the database accounts' rights."""
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

from paylib import PAYCONF, PAYSIM, PAYSIM_PORT, conf, http, sandbox, student  # noqa: E402,F401

NOTIFY = BASE + "/m/pay/alipay/notify"
APP_ID, SELLER = PAYCONF["alipay_app_id"], PAYCONF["alipay_seller_id"]
sim = sandbox("paysim.log")


def ctl(what, **q):
    st, body = http(f"{PAYSIM}/ctl/{what}?" + urllib.parse.urlencode(q))
    return json.loads(body) if what != "body" else body


rooms = [x[0] for x in db("SELECT r.id FROM rooms r JOIN buildings b ON b.id = r.building_id"
                          " JOIN meters m ON m.room_id = r.id AND m.profile = 'ddsy1352nk'"
                          " WHERE b.name = '3号楼' AND NOT EXISTS (SELECT 1 FROM account_meters x"
                          "   WHERE x.meter_id = m.id AND x.active = 1)"
                          " AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.room_id = r.id AND a.status = 'open')"
                          " ORDER BY r.number DESC LIMIT 4")]
assert len(rooms) == 4, rooms
A, accA, meterA = student(rooms[0], "付款甲")
B, accB, meterB = student(rooms[1], "付款乙")
C, accC, meterC = student(rooms[2], "付款丙")
D, accD, meterD = student(rooms[3], "付款丁")
for m in (meterA, meterB, meterC, meterD):
    meter_read(m, 1000, 0)
db("UPDATE settings SET value = '30000' WHERE name = 'pay_max_fen'")
db("UPDATE settings SET value = '100000' WHERE name = 'hoard_cap_fen'")


def order(c, amount=None, custom=None, meter=None):
    f = {"channel": "alipay"}
    if amount is not None:
        f["amount"] = amount
    if custom is not None:
        f["custom"] = custom
    if meter is not None:
        f["meter"] = meter
    c.get("/m/pay")
    return c.post("/m/pay", f)


def order_no(r):
    m = re.search(r'id="go-no">([0-9a-f]{32})<', r.text)
    return m.group(1) if m else None


def gateway_url(r):
    m = re.search(r'id="go" href="([^"]+)"', r.text)
    return m.group(1).replace("&amp;", "&") if m else ""


def state_of(c, no):
    r = c.get("/m/pay/order", no=no)
    m = re.search(r'id="order-state"[^>]*>([^<]*)<', r.text)
    return m.group(1) if m else (r.status, r.text[:200])


# --- the way in: M2's button, the form
r = A.get("/m/")
check('id="topup" href="/m/pay"' in r.text and "在线充值" in r.text, "my account's top-up button leads to /m/pay")
r = A.get("/m/pay")
check(r.status == 200 and all(f'value="{t}"' in r.text for t in (10, 20, 50, 100)) and 'name="custom"' in r.text,
      "the pay page offers 10, 20, 50, 100 yuan and one's own amount")
check("微信支付" in r.text and re.search(r'value="wechat" id="ch-wechat">', r.text) and "即将开通" not in r.text,
      "WeChat Pay is offered beside Alipay (configured; tests/it/t9w_wechat.py)")
check("¥300.00" in r.text, "the page says the per-order maximum from the settings")

# --- the amount's limits: 1 yuan, the maximum, the cap, bad input
n0 = count("pay_orders")
r = order(A, custom="0.99")
check(r.status == 200 and r.field_error("custom") == "每次至少充值 1.00 元" and count("pay_orders") == n0,
      "0.99 yuan is refused next to the field, no order", r.field_error("custom"))
r = order(A, custom="1.00")
no1 = order_no(r)
check(r.status == 200 and no1 and db_value(f"SELECT amount_fen FROM pay_orders WHERE out_trade_no = '{no1}'") == "100",
      "exactly 1.00 yuan makes an order of 100 fen")
r = order(A, custom="300.01")
check(r.field_error("custom") == "超过每次充值的上限", "one fen over the per-order maximum is refused",
      r.field_error("custom"))
r = order(A, custom="300")
check(order_no(r) is not None, "exactly the per-order maximum is taken")
for bad, why in [("", "此项必填"), ("abc", None), ("-5", None), ("1.001", None), ("9" * 40, None),
                 ("<b>1</b>", None), ("1' OR '1'='1", None)]:
    n = count("pay_orders")
    r = order(A, custom=bad) if bad else order(A)
    field = "custom" if bad else "amount"
    err = r.field_error(field)
    check(r.status == 200 and err and (why is None or err == why) and count("pay_orders") == n
          and "<b>1</b>" not in r.text, f"the amount {bad[:12]!r} is refused next to its field", err)
r = order(A, amount="20")
check(order_no(r) and "¥20.00" in r.text, "a tapped amount (20 yuan) makes an order")
r = order(A, amount="20", meter=meterB)
check(r.field_error("meter") == "请选择电表", "another student's meter is refused", r.field_error("meter"))
r = A.post("/m/pay", {"channel": "paypal", "amount": "20"})
check(r.status == 200 and r.field_error("channel"), "a channel that is none of ours is refused")
r = A.post("/m/pay", {"channel": "alipay", "amount": "20"}, csrf=False)
check(r.status == 403, "an order without the form key is refused", r.status)
# the cap: money now 10.00 of 1000.00: 990.00 is the most (the maximum raised for it)
db("UPDATE settings SET value = '100000' WHERE name = 'pay_max_fen'")
r = order(B, custom="990.01")
check(r.field_error("custom") == "充值后余额将超过账户余额上限" and "¥990.00" in r.text,
      "one fen over the hoarding cap is refused before paying, saying what is left", r.field_error("custom"))
r = order(B, custom="990.00")
check(order_no(r) is not None, "exactly up to the hoarding cap is taken")
db("UPDATE settings SET value = '30000' WHERE name = 'pay_max_fen'")

# --- the order: unguessable number, the student's own only
r = order(A, custom="12.30")
no = order_no(r)
url = gateway_url(r)
check(no and len(set(re.findall(r"out_trade_no\":\"([0-9a-f]{32})", urllib.parse.unquote(url)))) == 1
      and url.startswith(PAYSIM + "/gateway.do?"), "the order goes to the gateway with its number")
nos = [x[0] for x in db("SELECT out_trade_no FROM pay_orders")]
check(len(set(nos)) == len(nos) and all(re.fullmatch(r"[0-9a-f]{32}", x) for x in nos),
      "order numbers are 32 random hex digits, all different")
check(state_of(A, no) == "待付款", "the order page: 待付款", state_of(A, no))
r = B.get("/m/pay/order", no=no)
check(r.status == 404, "another student's order is a 404", r.status)
for bad in ["", "x", no.upper(), no[:-1], no + "0", "' OR '1'='1", "<script>"]:
    r = A.get("/m/pay/order", no=bad)
    check(r.status == 404, f"order number {bad[:10]!r} is a 404", r.status)
r = A.get("/m/pay/return", out_trade_no=no, trade_no="x", total_amount="99999")
check(r.status == 303 and r.location.endswith(f"/m/pay/order?no={no}"), "back from the gateway: the order page")
r = Client().get("/m/pay/order", no=no)
check(r.status == 303 and "/m/login" in r.location, "signed out: no order page")

# --- the gateway: the signed redirect opens the pay page; a changed one does not
st, page = http(url)
check(st == 200 and "¥12.30" in page, "the sandbox checks the order's RSA2 signature and shows 12.30", st)
st, _ = http(url.replace("12.30", "0.01"))
check(st == 400, "an order with its amount changed fails the signature", st)

# --- 20 identical notices at once: one entry, one token, every answer success
idem = f"alipay:{no}"
res = ctl("notice", no=no, status="TRADE_SUCCESS", times=20, parallel=1)
check(len(res) == 20 and all(x["status"] == 200 and x["answer"] == "success" for x in res),
      "20 notices at once: every answer is success", [x["answer"] for x in res][:5])
check(count("ledger", f"idem_key = '{idem}'") == 1, "one ledger entry for them",
      count("ledger", f"idem_key = '{idem}'"))
lid, kind, amt, chan, cmd = (db(f"SELECT id, kind, amount_fen, channel, command_id FROM ledger"
                                f" WHERE idem_key = '{idem}'") or [["0", "", "", "", "0"]])[0]
check(kind == "online" and amt == "1230" and chan == "alipay", "the entry: online, 1230 fen, channel alipay",
      (kind, amt, chan))
check(count("commands", f"id = {cmd} AND kind = 'credit' AND amount_fen = 1230") == 1
      and count("commands", f"meter_id = {meterA} AND kind = 'credit'") == 1, "one token command of 12.30 for the meter")
check(db_value(f"SELECT CONCAT(state, ':', ledger_id) FROM pay_orders WHERE out_trade_no = '{no}'") == f"credited:{lid}",
      "the order is credited, pointing at its entry")
check(count("pay_notices", f"out_trade_no = '{no}' AND verified = 1") == 20
      and count("pay_notices", f"out_trade_no = '{no}' AND outcome = 'credited'") == 1
      and count("pay_notices", f"out_trade_no = '{no}' AND outcome = 'duplicate'") == 19,
      "every notice is stored: one credited, 19 duplicates")
check(state_of(A, no) == "表上待确认", "the order page: 表上待确认", state_of(A, no))
# the same notice again later (Alipay repeats for 25 hours)
db(f"UPDATE pay_notices SET received_at = received_at - INTERVAL 1 HOUR WHERE out_trade_no = '{no}'")
res = ctl("notice", no=no, status="TRADE_SUCCESS", times=2)
check(all(x["answer"] == "success" for x in res) and count("ledger", f"idem_key = '{idem}'") == 1
      and count("commands", f"meter_id = {meterA} AND kind = 'credit'") == 1,
      "the same notice an hour later: success, nothing new")
# TRADE_FINISHED after TRADE_SUCCESS, and WAIT_BUYER_PAY out of order
res = ctl("notice", no=no, status="TRADE_FINISHED") + ctl("notice", no=no, status="WAIT_BUYER_PAY")
check(all(x["answer"] == "success" for x in res) and count("ledger", f"idem_key = '{idem}'") == 1
      and db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{no}'") == "credited",
      "TRADE_FINISHED and a late WAIT_BUYER_PAY change nothing")
staff = operator(role=1)
r = staff.get(f"/account?id={accA}")
check(r.status == 200 and "支付宝" in r.text and ">alipay<" not in r.text,
      "the staff's account page names the channel 支付宝")
meter_read(meterA, 1000 + 1230, 1)
check(state_of(A, no) == "已到账", "the meter confirms: 已到账", state_of(A, no))
r = A.get("/m/")
check("¥22.30" in r.text, "my account shows the money", re.findall(r'id="money">([^<]*)<', r.text))

# --- notices that credit nothing, each recorded
r = order(A, custom="50.00")
no2 = order_no(r)
http(gateway_url(r))
n_ledger = count("ledger")


def refused(what, res, outcome, verified=1):
    row = db(f"SELECT verified, outcome FROM pay_notices ORDER BY id DESC LIMIT 1")[0]
    check(all(x["answer"] != "success" for x in res) and count("ledger") == n_ledger
          and db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{no2}'") == "created"
          and row == [str(verified), outcome], f"{what}: nothing credited, recorded as {outcome}",
          (res[:1], row))


refused("a forged signature", ctl("notice", no=no2, status="TRADE_SUCCESS", forge=1), "bad_signature", 0)
refused("the amount one fen off", ctl("notice", no=no2, status="TRADE_SUCCESS", amount="49.99"), "bad_amount")
refused("one fen over", ctl("notice", no=no2, status="TRADE_SUCCESS", amount="50.01"), "bad_amount")
refused("another app id", ctl("notice", no=no2, status="TRADE_SUCCESS", app_id="2021000000009999"), "bad_app")
refused("another seller", ctl("notice", no=no2, status="TRADE_SUCCESS", seller_id="2088000000009999"), "bad_seller")
refused("an amount with three decimals", ctl("notice", no=no2, status="TRADE_SUCCESS", amount="50.001"), "malformed")
unknown = secrets.token_hex(16)
refused("an unknown order", ctl("notice", no=unknown, status="TRADE_SUCCESS", amount="50.00", notify_url=NOTIFY),
        "unknown_order")
# a valid notice of order A pointed at order B
body = ctl("body", no=no, status="TRADE_SUCCESS").replace(no, no2)
st, ans = http(NOTIFY, body.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
refused("order A's notice replayed against order B", [{"answer": ans}], "bad_signature", 0)
body = ctl("body", no=no2, status="TRADE_SUCCESS")
st, ans = http(NOTIFY, (body + "&total_amount=0.01").encode(), {"Content-Type": "application/x-www-form-urlencoded"})
refused("a second total_amount appended", [{"answer": ans}], "malformed", 0)
# bad requests never reach the ledger
for what, data, ctype, method, want in [
        ("a GET", None, None, "GET", 405),
        ("a JSON body", b"{}", "application/json", "POST", 415),
        ("an empty body", b"", "application/x-www-form-urlencoded", "POST", 400),
        ("a body of 20 kB", b"a=" + b"x" * 20000, "application/x-www-form-urlencoded", "POST", 413)]:
    st, ans = http(NOTIFY, data, {"Content-Type": ctype} if ctype else {}, method)
    check(st == want and ans == "fail" and count("ledger") == n_ledger, f"{what} to the notify address: {want}", st)
st, ans = http(NOTIFY, b"sign=%zz&x=1", {"Content-Type": "application/x-www-form-urlencoded"})
check(ans == "fail" and db_value("SELECT outcome FROM pay_notices ORDER BY id DESC LIMIT 1") == "malformed",
      "a body with a bad escape is recorded as malformed")
b = "out_trade_no=<script>&sign_type=RSA2&sign=AAAA&x='%3B DROP TABLE ledger;--"
st, ans = http(NOTIFY, b.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
check(ans == "fail" and db_value("SELECT body FROM pay_notices ORDER BY id DESC LIMIT 1") == b
      and count("ledger") == n_ledger, "HTML and SQL in a notice are stored as sent and do nothing")
# then the real one credits
res = ctl("pay", no=no2)
check(res["answer"] == "success" and count("ledger", f"idem_key = 'alipay:{no2}'") == 1,
      "the genuine notice after them credits once")

# --- money received that cannot be credited: kept for a refund
r = order(C, custom="30.00")
noC = order_no(r)
http(gateway_url(r))
db(f"UPDATE accounts SET status = 'closed' WHERE id = {accC}")
res = ctl("pay", no=noC)
check(res["answer"] == "success" and count("ledger", f"idem_key = 'alipay:{noC}'") == 0
      and db_value(f"SELECT CONCAT(state, ':', reason) FROM pay_orders WHERE out_trade_no = '{noC}'")
      == "needs_refund:account_closed", "a closed account: success, no entry, the order needs a refund")
res = ctl("notice", no=noC, times=3)
check(all(x["answer"] == "success" for x in res) and count("ledger", f"idem_key = 'alipay:{noC}'") == 0
      and count("pay_notices", f"out_trade_no = '{noC}' AND outcome = 'needs_refund'") == 1,
      "repeats of it: success, still kept for the refund")
r = order(D, custom="200.00")
noD = order_no(r)
http(gateway_url(r))
meter_read(meterD, 90000, 0)   # money rose meanwhile: 900 + 200 > 1000
res = ctl("pay", no=noD)
check(res["answer"] == "success" and count("ledger", f"idem_key = 'alipay:{noD}'") == 0
      and db_value(f"SELECT CONCAT(state, ':', reason) FROM pay_orders WHERE out_trade_no = '{noD}'")
      == "needs_refund:over_cap", "the cap now refuses it: success, kept for a refund")
check(state_of(D, noD) == "失败/待退款", "the student sees 失败/待退款", state_of(D, noD))
refund = {x[0] for x in db("SELECT out_trade_no FROM pay_orders WHERE state = 'needs_refund'")}
check({noC, noD} <= refund and no not in refund, "both are on the list of payments to refund")

# --- a lost notice: payments-sync asks the gateway; unpaid orders expire and are closed
def made(c, amount, opened=True):
    r = order(c, custom=amount)
    no_ = order_no(r)
    if opened:
        http(gateway_url(r))
    return no_


noE, noF, noG, noY = made(B, "15.00"), made(B, "16.00"), made(B, "17.00", opened=False), made(B, "18.00")
ctl("pay", no=noE, silent=1)
db(f"UPDATE pay_orders SET created_at = created_at - INTERVAL 10 MINUTE WHERE out_trade_no = '{noE}'")
db(f"UPDATE pay_orders SET created_at = created_at - INTERVAL 1 HOUR WHERE out_trade_no IN ('{noF}', '{noG}')")


def sync():
    p = subprocess.run([f"{TOP}/build/prepaid-admin", "payments-sync"], capture_output=True, text=True,
                       env=dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf"))
    return p.returncode, p.stdout + p.stderr


rc, out = sync()
check(rc == 0 and "1 credited" in out and "2 closed" in out, "payments-sync: one credited, two closed", out)
check(count("ledger", f"idem_key = 'alipay:{noE}' AND amount_fen = 1500 AND channel = 'alipay'") == 1
      and db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{noE}'") == "credited",
      "the order whose notice was lost is credited by the gateway's answer")
check(count("pay_notices", f"out_trade_no = '{noE}' AND client_addr = 'payments-sync' AND verified = 1"
            " AND outcome = 'credited'") == 1, "the gateway's answer is kept as a verified notice")
sims = ctl("orders")
check(db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{noF}'") == "closed"
      and sims[noF]["status"] == "TRADE_CLOSED", "an unpaid order an hour old is closed, at the gateway too")
check(db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{noG}'") == "closed",
      "an order the gateway never saw is closed")
check(db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{noY}'") == "created",
      "a young unpaid order is left alone")
rc, out = sync()
check(rc == 0 and count("ledger", f"idem_key = 'alipay:{noE}'") == 1, "payments-sync again: nothing new", out)
res = ctl("notice", no=noE)
check(res[0]["answer"] == "success" and count("ledger", f"idem_key = 'alipay:{noE}'") == 1,
      "the lost notice arriving late credits nothing more")
res = ctl("notice", no=noF, status="TRADE_SUCCESS")
check(res[0]["answer"] == "success" and count("ledger", f"idem_key = 'alipay:{noF}' AND amount_fen = 1600") == 1,
      "a closed order paid after all is credited (money received)")

# --- the database accounts
def as_account(acct, sql):
    pw = open(f"{VAR}/{acct}.password").read().strip()
    p = subprocess.run(["mariadb", f"--socket={VAR}/run/mysqld.sock", f"-uprepaid_{acct}", f"-p{pw}", "prepaid",
                        "-e", sql], capture_output=True, text=True)
    return p.returncode == 0, p.stderr


for sql in [f"INSERT INTO ledger (account_id, meter_id, kind, amount_fen, idem_key) VALUES ({accA}, {meterA},"
            " 'online', 100, 'x')", "UPDATE ledger SET amount_fen = 0 WHERE id = 1", "DELETE FROM ledger",
            f"UPDATE pay_orders SET state = 'credited'", "INSERT INTO pay_notices (channel, body) VALUES ('alipay', '')",
            f"INSERT INTO commands (meter_id, kind) VALUES ({meterA}, 'credit')"]:
    ok, err = as_account("mobile", sql)
    check(not ok and "denied" in err, f"the student site's account cannot: {sql[:40]}", err[:80])
for sql in ["UPDATE ledger SET amount_fen = 0 WHERE id = 1", "DELETE FROM ledger", "DELETE FROM pay_notices",
            "UPDATE pay_notices SET body = ''", "UPDATE pay_orders SET amount_fen = 1", "SELECT * FROM operators",
            "UPDATE accounts SET status = 'open'"]:
    ok, err = as_account("pay", sql)
    check(not ok and "denied" in err, f"pay.fcgi's account cannot: {sql[:40]}", err[:80])

# --- a key file others may read: the programs do not start
tmp = f"{VAR}/tmp/t9p"
os.makedirs(tmp, exist_ok=True)
for prog, cfile, key in [("pay", "pay.conf", "alipay_public_key_file"), ("mobile", "mobile.conf", "alipay_app_key_file")]:
    src = conf(f"{VAR}/{cfile}")[key]
    shutil.copy(src, f"{tmp}/{prog}.pem")
    os.chmod(f"{tmp}/{prog}.pem", 0o644)
    text = open(f"{VAR}/{cfile}").read().replace(src, f"{tmp}/{prog}.pem")
    text = re.sub(r"(?m)^\w+_log = .*$", "", text)
    open(f"{tmp}/{cfile}", "w").write(text)
    p = subprocess.run([f"{TOP}/build/{prog}.fcgi"], env=dict(os.environ, PREPAID_CONF=f"{tmp}/{cfile}"),
                       capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
    check(p.returncode != 0 and "0600" in p.stderr, f"{prog}.fcgi refuses a key file of mode 0644", p.stderr[-200:])
shutil.rmtree(tmp)

done()
