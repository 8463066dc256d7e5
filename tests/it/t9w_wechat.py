"""t9w_wechat.py - M3 online top-up by WeChat Pay (API v3, H5) through the payment sandbox: the order call signed with the merchant's key, 20 identical notices at once credited once with 204 each, forged, 6 minutes old, tampered (GCM tag), one fen off, another merchant or app, unknown: nothing credited and each recorded, a lost notice credited by payments-sync, and key files others may read refused."""
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

from paylib import PAYCONF, PAYSIM, PAYSIM_PORT, conf, http, sandbox  # noqa: E402,F401
from paylib import student as _student  # noqa: E402

NOTIFY = BASE + "/m/pay/wechat/notify"
APPID, MCHID = PAYCONF["wechat_appid"], PAYCONF["wechat_mchid"]
ALI = conf(f"{VAR}/prepaid.conf")
sim = sandbox("paysim-wechat.log", wechat=True)


def ctl(what, **q):
    st, body = http(f"{PAYSIM}/ctl/wx/{what}?" + urllib.parse.urlencode(q))
    return json.loads(body)


def student(room_id, holder):
    return _student(room_id, holder, "W")


rooms = [x[0] for x in db("SELECT r.id FROM rooms r JOIN buildings b ON b.id = r.building_id"
                          " JOIN meters m ON m.room_id = r.id AND m.profile = 'ddsy1352nk'"
                          " WHERE b.name = '3号楼' AND NOT EXISTS (SELECT 1 FROM account_meters x"
                          "   WHERE x.meter_id = m.id AND x.active = 1)"
                          " AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.room_id = r.id)"
                          " ORDER BY r.number LIMIT 2")]
assert len(rooms) == 2, rooms
A, accA, meterA = student(rooms[0], "微信甲")
B, accB, meterB = student(rooms[1], "微信乙")
for m in (meterA, meterB):
    meter_read(m, 1000, 0)
db("UPDATE settings SET value = '30000' WHERE name = 'pay_max_fen'")
db("UPDATE settings SET value = '100000' WHERE name = 'hoard_cap_fen'")


def order(c, custom):
    c.get("/m/pay")
    return c.post("/m/pay", {"channel": "wechat", "custom": custom})


def order_no(r):
    m = re.search(r'id="go-no">([0-9a-f]{32})<', r.text)
    return m.group(1) if m else None


def h5_url(r):
    m = re.search(r'id="go" href="([^"]+)"', r.text)
    return m.group(1).replace("&amp;", "&") if m else ""


def state_of(c, no):
    r = c.get("/m/pay/order", no=no)
    m = re.search(r'id="order-state"[^>]*>([^<]*)<', r.text)
    return m.group(1) if m else (r.status, r.text[:200])


# --- the form offers WeChat Pay; the order is a signed call returning h5_url
r = A.get("/m/pay")
check(re.search(r'value="wechat" id="ch-wechat">', r.text) and "即将开通" not in r.text,
      "the pay page offers WeChat Pay (not greyed)")
n0 = count("pay_orders")
r = A.post("/m/pay", {"channel": "wechat", "custom": "0.99"})
check(r.field_error("custom") == "每次至少充值 1.00 元" and count("pay_orders") == n0,
      "0.99 yuan by WeChat Pay is refused next to the field, no order")
r = order(A, "12.30")
no = order_no(r)
url = h5_url(r)
check(no and url == f"{PAYSIM}/wx/pay?no={no}" and "前往微信支付付款" in r.text,
      "the order call's h5_url is the way to pay", (no, url))
check(db_value(f"SELECT CONCAT(channel, ':', amount_fen, ':', state) FROM pay_orders WHERE out_trade_no = '{no}'")
      == "wechat:1230:created", "the order: channel wechat, 1230 fen, created")
sims = ctl("orders")
check(sims.get(no, {}).get("fen") == 1230 and sims[no]["notify_url"] == NOTIFY,
      "the sandbox took the order: its Authorization held, 1230 fen, our notify address")
st, page = http(url)
check(st == 200 and "¥12.30" in page, "the sandbox's pay page shows 12.30", st)
log_before = open(f"{TOP}/tests/out/paysim-wechat.log").read()
check("refused" not in log_before, "no call of ours was refused by the sandbox")
check(state_of(A, no) == "待付款", "the order page: 待付款", state_of(A, no))

# --- 20 identical notices at once: one entry, one token, every answer 204
idem = f"wechat:{no}"
res = ctl("notice", no=no, times=20, parallel=1)
check(len(res) == 20 and all(x["status"] == 204 and x["answer"] == "" for x in res),
      "20 notices at once: every answer is 204 with no body", [x["status"] for x in res][:5])
check(count("ledger", f"idem_key = '{idem}'") == 1, "one ledger entry for them", count("ledger", f"idem_key = '{idem}'"))
row = (db(f"SELECT kind, amount_fen, channel, command_id FROM ledger WHERE idem_key = '{idem}'")
       or [["", "", "", "0"]])[0]
check(row[:3] == ["online", "1230", "wechat"], "the entry: online, 1230 fen, channel wechat", row)
check(count("commands", f"id = {row[3]} AND kind = 'credit' AND amount_fen = 1230") == 1
      and count("commands", f"meter_id = {meterA} AND kind = 'credit'") == 1, "one token command of 12.30 for the meter")
check(count("pay_notices", f"out_trade_no = '{no}' AND verified = 1 AND channel = 'wechat'") == 20
      and count("pay_notices", f"out_trade_no = '{no}' AND outcome = 'credited'") == 1
      and count("pay_notices", f"out_trade_no = '{no}' AND outcome = 'duplicate'") == 19,
      "every notice is stored: one credited, 19 duplicates")
kept = db_value("SELECT body LIKE 'Wechatpay-Timestamp: %' AND LOCATE(CONCAT(CHAR(10), 'Wechatpay-Signature: '), body) > 0"
                f" AND LOCATE('\"ciphertext\":\"', body) > 0 FROM pay_notices WHERE out_trade_no = '{no}' ORDER BY id LIMIT 1")
check(kept == "1",
      "a notice is kept as it came: its signing headers and the encrypted body")
check(state_of(A, no) == "表上待确认", "the order page: 表上待确认", state_of(A, no))
res = ctl("notice", no=no, state="NOTPAY")
check(res[0]["status"] == 204 and db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{no}'") == "credited",
      "a late NOTPAY notice: 204, nothing changes")
meter_read(meterA, 1000 + 1230, 1)
check(state_of(A, no) == "已到账", "the meter confirms: 已到账", state_of(A, no))

# --- notices that credit nothing, each recorded
r = order(A, "50.00")
no2 = order_no(r)
n_ledger = count("ledger")


def refused(what, res, outcome, status, verified=1):
    row = db("SELECT verified, outcome, channel FROM pay_notices ORDER BY id DESC LIMIT 1")[0]
    ans = res[0]
    code = json.loads(ans["answer"]).get("code") if ans["answer"].startswith("{") else None
    check(ans["status"] == status and code and count("ledger") == n_ledger
          and db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{no2}'") == "created"
          and row == [str(verified), outcome, "wechat"],
          f"{what}: {status} with a JSON error, nothing credited, recorded as {outcome}", (ans, row))


refused("a forged signature", ctl("notice", no=no2, forge=1), "bad_signature", 401, 0)
refused("a timestamp 6 minutes old", ctl("notice", no=no2, old=360), "bad_signature", 401, 0)
check(db_value("SELECT note FROM pay_notices ORDER BY id DESC LIMIT 1").startswith("timestamp"),
      "the old one's note says the timestamp")
refused("a timestamp 6 minutes ahead", ctl("notice", no=no2, old=-360), "bad_signature", 401, 0)
refused("a tampered ciphertext (the GCM tag fails)", ctl("notice", no=no2, tamper=1), "bad_signature", 401, 0)
refused("the amount one fen short", ctl("notice", no=no2, amount=4999), "bad_amount", 400)
refused("one fen over", ctl("notice", no=no2, amount=5001), "bad_amount", 400)
refused("another merchant (mchid)", ctl("notice", no=no2, mchid="1900009999"), "bad_seller", 400)
refused("another app (appid)", ctl("notice", no=no2, appid="wx00000000000000ff"), "bad_app", 400)
unknown = secrets.token_hex(16)
res = ctl("notice", no=unknown, amount=5000, notify_url=NOTIFY)
row = db("SELECT outcome, out_trade_no FROM pay_notices ORDER BY id DESC LIMIT 1")[0]
check(res[0]["status"] == 400 and row == ["unknown_order", unknown] and count("ledger") == n_ledger,
      "an unknown order: 400, nothing credited, recorded as unknown_order", (res, row))
# a genuine notice of order B with its headers, one byte changed outside the ciphertext
sent = ctl("body", no=no2)
st, ans = http(NOTIFY, sent["body"].replace('"summary":"', '"summary":"x').encode(),
               dict(sent["headers"], **{"Content-Type": "application/json"}))
check(st == 401 and count("ledger") == n_ledger, "a genuine notice changed outside its ciphertext fails its signature",
      st)
for what, data, hd, method, want in [
        ("a GET", None, {}, "GET", 405),
        ("a form body", b"a=1", {"Content-Type": "application/x-www-form-urlencoded"}, "POST", 415),
        ("no signature headers", b'{"resource":{}}', {"Content-Type": "application/json"}, "POST", 401),
        ("a body of 20 kB", b"{" + b" " * 20000 + b"}", {"Content-Type": "application/json"}, "POST", 413),
        ("HTML and SQL", b'{"x":"<script>\'; DROP TABLE ledger;--"}', {"Content-Type": "application/json",
         "Wechatpay-Timestamp": str(int(time.time())), "Wechatpay-Nonce": "n", "Wechatpay-Signature": "AAAA"},
         "POST", 401)]:
    st, ans = http(NOTIFY, data, hd, method)
    check(st == want and ans.startswith('{"code":') and count("ledger") == n_ledger,
          f"{what} to the notify address: {want} with a JSON error", (st, ans[:60]))
# 4 minutes old is still in time: the genuine notice credits once
res = ctl("notice", no=no2, old=240)
check(res[0]["status"] == 204 and count("ledger", f"idem_key = 'wechat:{no2}' AND amount_fen = 5000") == 1,
      "the genuine notice 4 minutes old credits once after all of them")

# --- a lost notice: payments-sync asks the gateway; unpaid orders are closed there too
noE = order_no(order(B, "15.00"))
noF = order_no(order(B, "16.00"))
ctl("pay", no=noE, silent=1)
db(f"UPDATE pay_orders SET created_at = created_at - INTERVAL 10 MINUTE WHERE out_trade_no = '{noE}'")
db(f"UPDATE pay_orders SET created_at = created_at - INTERVAL 1 HOUR WHERE out_trade_no = '{noF}'")


def sync(cfile=f"{VAR}/prepaid.conf"):
    p = subprocess.run([f"{TOP}/build/prepaid-admin", "payments-sync"], capture_output=True, text=True,
                       env=dict(os.environ, PREPAID_CONF=cfile))
    return p.returncode, p.stdout + p.stderr


rc, out = sync()
line = "".join(x for x in out.splitlines() if x.startswith("payments-sync: wechat:"))
# other tests' old unpaid WeChat orders in the same instance are closed by the same run: at least ours
closed = re.search(r"(\d+) closed", line)
check("1 credited" in line and closed is not None and int(closed.group(1)) >= 1 and "0 failed" in line,
      "payments-sync: WeChat Pay's lost notice credited, the unpaid order closed", out)
check(count("ledger", f"idem_key = 'wechat:{noE}' AND amount_fen = 1500 AND channel = 'wechat'") == 1
      and db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{noE}'") == "credited",
      "the order whose notice was lost is credited by the gateway's signed answer")
check(count("pay_notices", f"out_trade_no = '{noE}' AND client_addr = 'payments-sync' AND verified = 1"
            " AND outcome = 'credited'") == 1, "the gateway's answer is kept as a verified notice")
check(db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{noF}'") == "closed"
      and ctl("orders")[noF]["state"] == "CLOSED", "the unpaid order an hour old is closed, at the gateway too")
rc, out = sync()
check(count("ledger", f"idem_key = 'wechat:{noE}'") == 1, "payments-sync again: nothing new", out)
res = ctl("notice", no=noE)
check(res[0]["status"] == 204 and count("ledger", f"idem_key = 'wechat:{noE}'") == 1,
      "the lost notice arriving late: 204, nothing more")

# --- key files others may read: refused
tmp = f"{VAR}/tmp/t9w"
os.makedirs(tmp, exist_ok=True)
for prog, cfile, key in [("pay", "pay.conf", "wechat_platform_key_file"), ("pay", "pay.conf", "wechat_apiv3_key_file"),
                         ("mobile", "mobile.conf", "wechat_private_key_file")]:
    src = conf(f"{VAR}/{cfile}")[key]
    shutil.copy(src, f"{tmp}/{key}")
    os.chmod(f"{tmp}/{key}", 0o644)
    text = open(f"{VAR}/{cfile}").read().replace(src, f"{tmp}/{key}")
    text = re.sub(r"(?m)^\w+_log = .*$", "", text)
    open(f"{tmp}/{cfile}", "w").write(text)
    p = subprocess.run([f"{TOP}/build/{prog}.fcgi"], env=dict(os.environ, PREPAID_CONF=f"{tmp}/{cfile}"),
                       capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
    check(p.returncode != 0 and "0600" in p.stderr, f"{prog}.fcgi refuses {key} of mode 0644", p.stderr[-200:])
src = ALI["wechat_private_key_file"]
shutil.copy(src, f"{tmp}/admin.pem")
os.chmod(f"{tmp}/admin.pem", 0o644)
text = open(f"{VAR}/prepaid.conf").read().replace(src, f"{tmp}/admin.pem")
open(f"{tmp}/prepaid.conf", "w").write(text)
os.chmod(f"{tmp}/prepaid.conf", 0o600)
rc, out = sync(f"{tmp}/prepaid.conf")
check(rc != 0 and "wechat is refused" in out and "0600" in out, "payments-sync refuses a merchant key of mode 0644",
      out[-300:])
shutil.rmtree(tmp)

# --- the gateway cannot be reached: the student is told next to the channel, within the call's 3 s
sim.terminate()
sim.wait()
t0 = time.time()
r = order(B, "10.00")
check(r.status == 200 and r.field_error("channel") == "暂时无法连接付款平台，请稍后再试或换一种付款方式"
      and time.time() - t0 < 5 and 'id="go"' not in r.text,
      "WeChat Pay's gateway down: an error by the channel, no way to pay, within 5 s", r.field_error("channel"))

done()
