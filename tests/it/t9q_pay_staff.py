"""t9q_pay_staff.py - M3/B1 staff side of online top-up: the payment orders list and each filter against SQL, bad filter input, sort and pages, the right PAY (403, menu, home), one order's page with its notices escaped, the .xlsx export, the payments needing action and their count on the home page, and the reconciliation of paid orders with online credit entries."""
import io
import json
import os
import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

import openpyxl  # noqa: E402

from paylib import PAYCONF, PAYSIM, PAYSIM_PORT, http, sandbox  # noqa: E402,F401
from paylib import student as _student  # noqa: E402

TZ = "+08:00"
sim = sandbox("paysim-t9q.log")


def ctl(what, **q):
    return json.loads(http(f"{PAYSIM}/ctl/{what}?" + urllib.parse.urlencode(q))[1])


def student(room_id, holder):
    return _student(room_id, holder, "Q")


rooms = db("SELECT r.id, r.building_id FROM rooms r JOIN meters m ON m.room_id = r.id AND m.profile = 'ddsy1352nk'"
           " WHERE NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
           " AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.room_id = r.id AND a.status = 'open')"
           " ORDER BY r.building_id, r.number LIMIT 200")
roomA = rooms[0]
roomB = next(x for x in rooms if x[1] != roomA[1])     # another building
A, accA, meterA = student(roomA[0], "支付甲")
B, accB, meterB = student(roomB[0], "支付乙<b>")
for m in (meterA, meterB):
    meter_read(m, 1000, 0)
db("UPDATE settings SET value = '100000' WHERE name = 'hoard_cap_fen'")

# --- one order paid through the sandbox: credited, two notices, then a forged one
A.get("/m/pay")
r = A.post("/m/pay", {"channel": "alipay", "custom": "12.30"})
no1 = re.search(r'id="go-no">([0-9a-f]{32})<', r.text).group(1)
http(re.search(r'id="go" href="([^"]+)"', r.text).group(1).replace("&amp;", "&"))
res = ctl("notice", no=no1, status="TRADE_SUCCESS", times=2)
check(all(x["answer"] == "success" for x in res), "the sandbox's notices credit the order")
ctl("notice", no=no1, status="TRADE_SUCCESS", forge=1)
lid1 = db_value(f"SELECT ledger_id FROM pay_orders WHERE out_trade_no = '{no1}'")
check(lid1 and lid1 != "NULL", "the order points at its entry", lid1)


# --- more orders made by SQL: every state, both channels, other days
def sql_order(acc, meter, fen, state, channel="alipay", created="UTC_TIMESTAMP(3)", paid="NULL", reason=""):
    no = secrets.token_hex(16)
    db(f"INSERT INTO pay_orders (out_trade_no, channel, account_id, meter_id, amount_fen, state, reason, created_at,"
       f" paid_at) VALUES ('{no}', '{channel}', {acc}, {meter}, {fen}, '{state}', '{reason}', {created}, {paid})")
    return no


# 2026-03-01 23:59:59 local is 15:59:59 UTC; 00:00:00 local on the 2nd is 16:00:00 UTC of the 1st
no_created = sql_order(accA, meterA, 2000, "created", created="'2026-03-01 15:59:59'")
no_closed = sql_order(accA, meterA, 5000, "closed", created="'2026-03-01 16:00:00'")
no_wechat = sql_order(accB, meterB, 1, "created", channel="wechat", created="'2026-03-02 15:59:59.999'")
no_refund = sql_order(accB, meterB, 99999, "needs_refund", reason="over_cap", paid="UTC_TIMESTAMP(3)")
no_stuck = sql_order(accB, meterB, 700, "paid", created="UTC_TIMESTAMP(3) - INTERVAL 3 HOUR",
                     paid="UTC_TIMESTAMP(3) - INTERVAL 2 HOUR")
mine = {no1, no_created, no_closed, no_wechat, no_refund, no_stuck}

admin_ = operator(role=1)

# operators without PAY: every right but it
db("INSERT INTO roles (name) VALUES ('nopay-t9q')")
rid = db_value("SELECT id FROM roles WHERE name = 'nopay-t9q'")
codes = ["F%d" % i for i in range(2, 31)] + ["SITE", "ADJ", "B9"]
db(f"INSERT INTO role_rights (role_id, right_code) VALUES " + ",".join(f"({rid}, '{c}')" for c in codes))
nopay = operator(role=int(rid))


def rows(r):
    t = re.search(r'<table class="list" id="payments">(.*?)</table>', r.text, re.S)
    return re.findall(r'<tr data-no="([^"]*)">', t.group(1)) if t else None


def listed(**f):
    f.setdefault("per", "500")
    r = admin_.get("/payments", **f)
    return r, rows(r)




def sql_nos(where="1", order="o.id DESC"):
    return [x[0] for x in db("SELECT o.out_trade_no FROM pay_orders o JOIN accounts a ON a.id = o.account_id"
                             " LEFT JOIN rooms r ON r.id = a.room_id"
                             f" WHERE {where} ORDER BY {order}")]


# --- the list and each filter against SQL
r, got = listed()
check(r.status == 200 and got == sql_nos(), "all orders, newest first, as the table has them", (got or [])[:3])
check(mine <= set(got), "the orders made here are all listed")
for st in ["created", "paid", "credited", "needs_refund", "closed", "refunded"]:
    r, got = listed(state=st)
    check(got == sql_nos(f"o.state = '{st}'"), f"state={st}: the orders of that state", len(got or []))
for ch in ["alipay", "wechat"]:
    r, got = listed(channel=ch)
    check(got == sql_nos(f"o.channel = '{ch}'"), f"channel={ch}: that channel's orders", len(got or []))
r, got = listed(building=roomB[1])
check(got == sql_nos(f"r.building_id = {roomB[1]}") and no_refund in got and no1 not in got,
      "building: the orders of that building's rooms")
r, got = listed(q="支付甲")
check(got == sql_nos("INSTR(a.holder, '支付甲') > 0") and no1 in got, "holder: the holder's orders")
bname, rnum = db(f"SELECT b.name, r.number FROM rooms r JOIN buildings b ON b.id = r.building_id"
                 f" WHERE r.id = {roomB[0]}")[0]
r, got = listed(q=f"{bname} {rnum}")
check(got == sql_nos(f"a.room_id = {roomB[0]}") and no_wechat in got, "room (building and number): its orders")
r, got = listed(no=no_closed)
check(got == [no_closed], "order number: that order only", got)
r, got = listed(**{"from": "2026-03-01", "to": "2026-03-01"})
check(got == sql_nos("o.created_at >= CONVERT_TZ('2026-03-01', '+08:00', '+00:00')"
                     " AND o.created_at < CONVERT_TZ('2026-03-02', '+08:00', '+00:00')")
      and no_created in got and no_closed not in got,
      "one local day: 23:59:59 in, midnight of the next day out", got)
r, got = listed(**{"from": "2026-03-02", "to": "2026-03-02"})
check(no_closed in got and no_wechat in got and no_created not in got,
      "the next local day: from 16:00 UTC to 15:59:59.999 UTC the day after")
r, got = listed(**{"from": "2026-03-01", "to": "2026-03-02"}, state="created", channel="wechat")
check(got == [no_wechat], "filters add up: dates, state and channel", got)
r, got = listed(**{"from": "2026-03-01", "to": "2026-03-02"}, state="created", channel="wechat", building=roomA[1])
check(got == [], "and a building where there is none", got)
r, got = listed(**{"from": "2026-03-02", "to": "2026-03-03"}, channel="wechat")
check(got == sql_nos("o.channel = 'wechat' AND o.created_at >= '2026-03-01 16:00:00'"
                     " AND o.created_at < '2026-03-03 16:00:00'") and no_wechat in got, "a date range and a channel")

# --- what a row shows
r, _ = listed(no=no1)
row = re.search(r'<tr data-no="%s">(.*?)</tr>' % no1, r.text, re.S).group(1)
check(">12.30<" in row and "支付宝" in row and "已到账" in row and f'href="/sale?id={lid1}"' in row
      and f'href="/payment?no={no1}"' in row, "a row: yuan, the channel and state in Chinese, the entry linked")
n1 = count("pay_notices", f"out_trade_no = '{no1}'")
check(re.search(r'class="notices">(\d+)<', row).group(1) == str(n1) and n1 == 3,
      "a row counts the notices received (two genuine, one forged)", n1)
r, _ = listed(no=no_refund)
check("待退款" in r.text and "超过囤积上限" in r.text and ">999.99<" in r.text,
      "an order to refund: its state and why, in Chinese")
check("needs_refund" not in re.search(r'<table class="list" id="payments">(.*?)</table>', r.text, re.S).group(1)
      .replace('value="needs_refund"', ""), "no raw state codes in the table")
no_moved = sql_order(accB, meterB, 300, "needs_refund", reason="meter_not_in_account", paid="UTC_TIMESTAMP(3)")
no_odd = sql_order(accB, meterB, 300, "needs_refund", reason="x_unheard_of", paid="UTC_TIMESTAMP(3)")
r, _ = listed(no=no_moved)
check("电表已不属于该账户" in r.text, "a meter moved out of the account meanwhile: said in Chinese")
r, _ = listed(no=no_odd)
check("其他原因" in r.text and "x_unheard_of" not in r.text, "a reason without words: 其他原因, never the code")
r, _ = listed(no=no_wechat)
check("微信支付" in r.text and ">0.01<" in r.text and "待付款" in r.text, "one fen, WeChat Pay, 待付款")
r, _ = listed(q="支付乙")
check("支付乙&lt;b&gt;" in r.text and "支付乙<b>" not in r.text, "a holder's HTML is shown escaped")

# --- sort and pages
r, got = listed(sort="amount")
check(got == sql_nos(order="o.amount_fen, o.id DESC"), "sorted by amount, smallest first")
r, got = listed(sort="-amount")
check(got == sql_nos(order="o.amount_fen DESC, o.id DESC"), "sorted by amount, largest first")
r, got = listed(sort="-paid")
check(got == sql_nos(order="o.paid_at DESC, o.id DESC"), "sorted by the time paid")
r, got = listed(sort="1; DROP TABLE pay_orders")
check(got == sql_nos(), "an unknown sort key: newest first")
allnos = sql_nos()
r, got = listed(per="2", page="2")
check(got == allnos[2:4] and re.search(r'class="total">(\d+)<', r.text).group(1) == str(len(allnos)),
      "page 2 of 2 a page: the 3rd and 4th, the total of all")

# --- bad filter input: said next to the field, the filter not applied
r, got = listed(**{"from": "2026-03-05", "to": "2026-03-01"})
check(r.status == 200 and r.field_error("to") == "结束日期不能早于开始日期"
      and got == sql_nos("o.created_at >= CONVERT_TZ('2026-03-05', '+08:00', '+00:00')"),
      "dates reversed: said at 'to', which is then not applied",
      r.field_error("to"))
r, got = listed(**{"from": "2026-13-01"})
check(r.field_error("from") and got == allnos, "a bad date: said at 'from'")
r, got = listed(state="paid_twice")
check(r.field_error("state") == "请选择列表中的状态" and got == allnos, "an unknown state: said at the field",
      r.field_error("state"))
r, got = listed(channel="bitcoin")
check(r.field_error("channel") and got == allnos, "an unknown channel: said at the field")
r, got = listed(building="99999999")
check(r.field_error("building") and got == allnos, "another site's building: said at the field")
r, got = listed(building="1 OR 1=1")
check(r.field_error("building") and got == allnos, "a building that is no number: said at the field")
for bad in ["' OR '1'='1", "<script>alert(1)</script>", "x" * 65]:
    r, got = listed(no=bad)
    check(r.status == 200 and r.field_error("no") and got == allnos and "<script>alert(1)" not in r.text,
          f"order number {bad[:12]!r}: said at the field, shown escaped", r.field_error("no"))
for bad in ["' OR '1'='1", "<script>alert(1)</script>", "支" * 300, "%", "_"]:
    r, got = listed(q=bad)
    check(r.status == 200 and got == [] and "<script>alert(1)" not in r.text,
          f"search {bad[:12]!r}: nothing found, nothing run, escaped", (r.status, len(got or [])))

# --- the right: PAY
for path in ["/payments", f"/payment?no={no1}", "/payments?export=xlsx", "/payments?state=needs_refund"]:
    r = nopay.get(path)
    check(r.status == 403 and "PAY" in r.text and "没有执行此功能的权限" in r.text, f"without PAY, {path} is a 403",
          r.status)
r = nopay.get("/")
check('href="/payments"' not in r.text and "在线支付" not in r.text and 'id="dash-pay"' not in r.text,
      "without PAY: no menu group 在线支付, no figure on the home page")
r = admin_.get("/")
check('id="g-pay"' in r.text and 'href="/payments"' in r.text and 'href="/payments?state=needs_refund"' in r.text,
      "with PAY: the menu group 在线支付 with the orders and the payments needing action")
r = Client().get("/payments")
check(r.status == 303 and r.location.endswith("/login"), "signed out: the sign-in page")

# --- one order's page
r = admin_.get("/payment", no=no1)
check(r.status == 200 and f'id="o-no">{no1}<' in r.text and ">12.30<" in r.text and "已到账" in r.text
      and f'href="/sale?id={lid1}"' in r.text, "the order: number, amount, state, its entry linked")
t = re.search(r'<table class="list" id="notices">(.*?)</table>', r.text, re.S).group(1)
outcomes = re.findall(r'class="outcome">([^<]*)<', t)
check(re.search(r'id="n-notices">(\d+)<', r.text).group(1) == "3" and outcomes == ["已充值", "重复通知（已处理）",
      "签名不符（疑似伪造）"], "every notice with its outcome in Chinese", outcomes)
check(t.count("<td>是</td>") == 2 and t.count("<td>否</td>") == 1, "verified: yes twice, no for the forged one")
check("trade_status=TRADE_SUCCESS" in t, "the raw notice is shown")
# a notice holding HTML and SQL is shown escaped
raw = f"out_trade_no={no_refund}&x=<script>alert('pay')</script>&y=' OR 1=1 --"
db("INSERT INTO pay_notices (channel, client_addr, body, verified, out_trade_no, outcome) VALUES"
   f" ('alipay', '127.0.0.1', '{raw.replace(chr(39), chr(39) * 2)}', 0, '{no_refund}', 'bad_signature')")
r = admin_.get("/payment", no=no_refund)
check(r.status == 200 and "<script>alert('pay')" not in r.text and "&lt;script&gt;alert(" in r.text,
      "a raw notice holding <script> is shown escaped")
check("待退款" in r.text and 'id="o-refund"' in r.text and "无（未充值）" in r.text,
      "an order to refund says so, with no entry")
for bad in ["", "x", no1.upper(), no1[:-1], no1 + "0", secrets.token_hex(16), "<script>", "' OR '1'='1"]:
    r = admin_.get("/payment", no=bad)
    check(r.status == 404, f"order number {bad[:10]!r}: a 404", r.status)

# --- the export
r = admin_.get("/payments", state="credited", export="xlsx")
wb = openpyxl.load_workbook(io.BytesIO(r.body))
ws = wb.active
vals = [list(x) for x in ws.iter_rows(values_only=True)]
head = vals[0]
data = [x for x in vals[1:] if x[2]]
check(r.status == 200 and head[:4] == ["下单时间", "付款时间", "订单号", "支付方式"] and "金额（元）" in head,
      "the export's headings are Chinese", head[:5])
check([x[2] for x in data] == sql_nos("o.state = 'credited'"), "the export has the listed orders, all of them")
x = next(x for x in data if x[2] == no1)
check(abs(x[head.index("金额（元）")] - 12.30) < 1e-9 and x[head.index("状态")] == "已到账"
      and x[3] == "支付宝" and str(x[head.index("通知次数")]) == "3" and str(x[head.index("账目记录")]) == lid1,
      "a row read back: 12.30 yuan, 已到账, 支付宝, 3 notices, its entry", x)
total = int(db_value("SELECT SUM(amount_fen) FROM pay_orders WHERE state = 'credited'"))
check(abs(vals[-1][head.index("金额（元）")] - total / 100) < 1e-6, "a totals row adds the amounts up", vals[-1])

# --- the payments needing action, and their count on the home page
BAD = "('bad_signature', 'bad_app', 'bad_seller', 'unknown_order', 'bad_amount', 'malformed')"
db("INSERT INTO pay_notices (channel, body, outcome, received_at) VALUES"
   " ('alipay', 'old', 'bad_amount', UTC_TIMESTAMP(3) - INTERVAL 31 DAY)")
r, got = listed(state="needs_refund")
nbad = count("pay_notices", f"outcome IN {BAD} AND received_at >= UTC_TIMESTAMP(3) - INTERVAL 30 DAY")
bad_ids = re.findall(r'<tr data-id="(\d+)">', re.search(r'id="bad-notices">(.*?)</table>', r.text, re.S).group(1))
check(got == sql_nos("o.state = 'needs_refund'") and no_refund in got and 'id="action-note"' in r.text,
      "needs_refund: the money received and not credited")
check(len(bad_ids) == nbad and re.search(r'id="n-bad">(\d+)<', r.text).group(1) == str(nbad) and nbad >= 2,
      "and the notices refused in the last 30 days, not older", (len(bad_ids), nbad))


def dash(c):
    r = c.get("/")
    m1 = re.search(r'id="d-pay-refund" href="([^"]*)">(\d+)<', r.text)
    m2 = re.search(r'id="d-pay-bad" href="([^"]*)">(\d+)<', r.text)
    return (m1.group(1), int(m1.group(2)), int(m2.group(2))) if m1 and m2 else None


d = dash(admin_)
check(d and d[0] == "/payments?state=needs_refund" and d[1] == count("pay_orders", "state = 'needs_refund'")
      and d[2] == nbad, "the home page counts them, linking to the list", d)
no_refund2 = sql_order(accA, meterA, 100, "needs_refund", reason="account_closed", paid="UTC_TIMESTAMP(3)")
check(dash(admin_)[1] == d[1] + 1, "one more to refund: the figure rises by one")

# --- the reconciliation: paid orders and online credit entries


def reconcile_page():
    r = admin_.get("/reconcile")
    return (int(re.search(r'id="n-pay-entries">(\d+)<', r.text).group(1)),
            int(re.search(r'id="n-pay-orders">(\d+)<', r.text).group(1)), r)


def reconcile_run():
    env = dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf")
    p = subprocess.run([f"{TOP}/build/prepaid-admin", "reconcile"], env=env, capture_output=True, text=True)
    e = re.search(r"PayEntries=(\d+)", p.stdout)
    o = re.search(r"PayOrders=(\d+)", p.stdout)
    return p.returncode, int(e.group(1)) if e else None, int(o.group(1)) if o else None


e0, o0, r = reconcile_page()
check(e0 == 1 and o0 == 0 and f'data-no="{no_stuck}"' in r.text,
      "an order left paid two hours without its credit is listed; the rest tie out", (e0, o0))
# a credited order whose entry is gone from it (made by SQL as root)
sql_order(accA, meterA, 4200, "credited", paid="UTC_TIMESTAMP(3)")
no_noentry = db_value("SELECT out_trade_no FROM pay_orders ORDER BY id DESC LIMIT 1")
# an online credit entry no order points at
db(f"INSERT INTO ledger (account_id, meter_id, kind, amount_fen, channel, idem_key, note) VALUES"
   f" ({accA}, {meterA}, 'online', 300, 'alipay', 'alipay:{secrets.token_hex(16)}', 't9q')")
lid_orphan = db_value("SELECT id FROM ledger WHERE note = 't9q' ORDER BY id DESC LIMIT 1")
# an entry one fen off its order
db(f"INSERT INTO ledger (account_id, meter_id, kind, amount_fen, channel, idem_key, note) VALUES"
   f" ({accA}, {meterA}, 'online', 1999, 'alipay', 'alipay:{no_created}', 't9q-fen')")
lid_fen = db_value("SELECT id FROM ledger WHERE note = 't9q-fen'")
db(f"UPDATE pay_orders SET state = 'credited', ledger_id = {lid_fen} WHERE out_trade_no = '{no_created}'")
e1, o1, r = reconcile_page()
check(e1 == e0 + 2 and f'data-no="{no_noentry}"' in r.text and f'data-no="{no_created}"' in r.text,
      "a paid order without its entry, and one whose entry is one fen off, are listed", (e1, e0))
check(o1 == o0 + 1 and f'data-entry="{lid_orphan}"' in r.text and "无对应订单" in r.text,
      "an online entry without an order is listed", (o1, o0))
check(f'data-no="{no1}"' not in r.text, "the order credited by its notices ties out")
rc, e2, o2 = reconcile_run()
check(rc == 1 and e2 == e1 and o2 == o1, "prepaid-admin reconcile counts both", (rc, e2, o2))
last = db_value("SELECT detail FROM reconcile_runs ORDER BY id DESC LIMIT 1")
check(f"PayEntries={e1}" in last and f"PayOrders={o1}" in last, "the daily run records them", last)
r = admin_.get("/")
check(re.search(r'id="d-reconcile"[^>]*>[^<]*处不符', r.text) is not None, "the home page shows the mismatches")
done()
