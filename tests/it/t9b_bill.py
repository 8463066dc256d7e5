"""t9b_bill.py - B1 the gateways' daily bills through the payment sandbox, for Alipay and WeChat Pay: a day of paid orders matches its bill and reconciles clean; a trade not ours, an order left off the bill and a line one fen off are each reported (prepaid-admin reconcile exits 1 naming them, the staff page shows each with its Chinese advice); fetching a day twice stores each line once; a WeChat Pay bill whose SHA-1 does not hold is refused with nothing stored; a GBK bill and Alipay's zip archive are read (one cut short refused); a day without orders is clean; payments-sync fetches yesterday's bill once; bad days refused."""
import io
import json
import os
import random
import re
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

import openpyxl  # noqa: E402

from paylib import PAYSIM, http, sandbox  # noqa: E402
from paylib import student as _student  # noqa: E402

sim = sandbox("paysim-t9b.log", wechat=True)
PRE = {"alipay": "/ctl/", "wechat": "/ctl/wx/"}
NAME = {"alipay": "支付宝", "wechat": "微信支付"}


def ctl(ch, what, **q):
    return json.loads(http(f"{PAYSIM}{PRE[ch]}{what}?" + urllib.parse.urlencode(q))[1])


def run_admin(*args):
    env = dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf")
    p = subprocess.run([f"{TOP}/build/prepaid-admin", *args], env=env, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def fetch(day):
    return run_admin("payments-sync", "--bill", day)


def paybill_count(out):
    m = re.search(r"PayBill=(\d+)", out)
    return int(m.group(1)) if m else None


# days of their own, far from today and from other runs' days
base = random.randint(0, 300)
DAYS = {}
for i, k in enumerate(("alipay", "wechat", "empty", "hash", "gbk")):
    DAYS[k] = db_value(f"SELECT DATE_FORMAT('2024-01-01' + INTERVAL {base + 2 * i} DAY, '%Y-%m-%d')")
rooms = db("SELECT r.id FROM rooms r JOIN meters m ON m.room_id = r.id AND m.profile = 'ddsy1352nk'"
           " WHERE NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
           " AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.room_id = r.id)"
           " ORDER BY r.building_id DESC, r.number LIMIT 2")
A, accA, meterA = _student(rooms[0][0], "账单甲", "B")
W, accW, meterW = _student(rooms[1][0], "账单乙<i>", "B")
for m in (meterA, meterW):
    meter_read(m, 1000, 0)
db("UPDATE settings SET value = '100000' WHERE name = 'hoard_cap_fen'")
staff = operator(role=1)


def paid_order(c, ch, custom, day):
    """An order of CUSTOM yuan paid through the sandbox, its notice credited, moved to DAY (here and there)."""
    c.get("/m/pay")
    r = c.post("/m/pay", {"channel": ch, "custom": custom})
    no = re.search(r'id="go-no">([0-9a-f]{32})<', r.text).group(1)
    if ch == "alipay":
        http(re.search(r'id="go" href="([^"]+)"', r.text).group(1).replace("&amp;", "&"))
    ctl(ch, "pay", no=no)
    # noon of DAY in the site's time (+08:00)
    db(f"UPDATE pay_orders SET paid_at = '{day} 04:00:00' WHERE out_trade_no = '{no}'")
    ctl(ch, "bill", no=no, day=day)
    return no


def page_rows(c, day, ch, **q):
    r = c.get("/payments/bill", day=day, channel=ch, **q)
    rows = re.findall(r'<tr data-no="([^"]*)" data-kind="([^"]*)" data-channel="[^"]*">'
                      r'<td class="kind">([^<]*)</td><td class="todo">([^<]*)</td>', r.text)
    return r, {no: (kind, label, todo) for no, kind, label, todo in rows}


for ch, c, acc in (("alipay", A, accA), ("wechat", W, accW)):
    day = DAYS[ch]
    n1 = paid_order(c, ch, "12.30", day)
    n2 = paid_order(c, ch, "20.00", day)
    check(db_value(f"SELECT GROUP_CONCAT(state ORDER BY id) FROM pay_orders WHERE out_trade_no IN ('{n1}', '{n2}')")
          == "credited,credited", f"{ch}: two orders paid and credited")

    # --- the day's bill matches: stored, clean
    rc, out = fetch(day)
    check(rc == 0 and f"{ch} bill {day}: 2 lines, 0 mismatches" in out, f"{ch}: the day's bill: 2 lines, no mismatch",
          out)
    check(db_value(f"SELECT CONCAT(state, ':', line_count) FROM pay_bills WHERE channel = '{ch}' AND day = '{day}'")
          == "ok:2", f"{ch}: the bill is kept as taken with 2 lines")
    lines = db(f"SELECT out_trade_no, amount_fen, kind FROM pay_bill_lines WHERE channel = '{ch}' AND day = '{day}'"
               " ORDER BY amount_fen")
    check(lines == [[n1, "1230", "trade"], [n2, "2000", "trade"]], f"{ch}: its lines: our two orders, in fen", lines)
    rc, out = run_admin("reconcile")
    check(paybill_count(out) == 0 and "PayBill:" not in out, f"{ch}: reconcile: PayBill=0", out[-300:])
    r, rows = page_rows(staff, day, ch)
    check(r.status == 200 and set(rows) == {n1, n2} and all(v[0] == "ok" and v[1] == "一致" for v in rows.values())
          and 'id="bill-ok"' in r.text, f"{ch}: the staff page shows both lines matched (一致)", rows)

    # --- fetched again: each line stored once
    rc, out = fetch(day)
    check(rc == 0 and count("pay_bill_lines", f"out_trade_no IN ('{n1}', '{n2}')") == 2,
          f"{ch}: the same day fetched twice: each line stored once")

    # --- a trade not ours, an order left off, a line one fen off
    foreign = ctl(ch, "bill", foreign=1, date=day, amount="3.00")["no"]
    ctl(ch, "bill", no=n2, off=1)
    ctl(ch, "bill", no=n1, amount="12.31")
    rc, out = fetch(day)
    check(rc == 0 and f"{ch} bill {day}: 2 lines, 3 mismatches" in out, f"{ch}: the changed bill: 3 mismatches", out)
    rc, out = run_admin("reconcile")
    check(rc == 1 and paybill_count(out) == 3, f"{ch}: reconcile exits 1 with PayBill=3", out[-400:])
    check(f"PayBill: no_order {ch} {day} trade order {foreign} " in out, f"{ch}: reconcile names the trade not ours",
          out[-600:])
    check(re.search(rf"PayBill: missing {ch} {day} trade order {n2} trade \S+ bill - order 20\.00 credited", out),
          f"{ch}: reconcile names the order missing from the bill", out[-600:])
    check(f"PayBill: amount {ch} {day} trade order {n1} " in out and " bill 12.31 order 12.30 credited" in out,
          f"{ch}: reconcile names the line of another amount (12.31 against 12.30)", out[-600:])
    r, rows = page_rows(staff, day, ch)
    check(rows.get(foreign, ("",))[0] == "no_order" and rows[foreign][1] == "账单有、系统无此订单"
          and "退款给付款人" in rows[foreign][2], f"{ch}: the page: the trade not ours with its advice", rows.get(foreign))
    check(rows.get(n2, ("",))[0] == "missing" and rows[n2][1] == "账单中没有" and "联系技术人员" in rows[n2][2],
          f"{ch}: the page: the order missing from the bill with its advice", rows.get(n2))
    check(rows.get(n1, ("",))[0] == "amount" and rows[n1][1] == "金额不符" and "以支付平台为准" in rows[n1][2],
          f"{ch}: the page: the amount differing with its advice", rows.get(n1))
    check('id="n-bad">3<' in r.text and "Amounts differ" not in r.text and "no_order" not in
          re.sub(r'data-kind="[^"]*"|value="[^"]*"', "", r.text), f"{ch}: 3 mismatches shown, no code or English", "")
    r, rows = page_rows(staff, day, ch, match="bad")
    check(set(rows) == {foreign, n1, n2}, f"{ch}: the filter 'every mismatch' lists the three", rows)
    r, rows = page_rows(staff, day, ch, match="missing")
    check(set(rows) == {n2}, f"{ch}: the filter 'not on the bill' lists the one order", rows)
    r = staff.get("/reconcile")
    check(re.search(r'id="n-pay-bill">3<', r.text) and f'data-no="{n2}" data-kind="missing"' in r.text
          and "请点击日期查看当天账单" in r.text, f"{ch}: the reconciliation page lists the 3 with the check's advice")

    # --- the bill corrected at the gateway: clean again
    ctl(ch, "bill", reset=1)
    ctl(ch, "bill", no=n1, day=day)
    ctl(ch, "bill", no=n2, day=day)
    rc, out = fetch(day)
    check(rc == 0 and f"{ch} bill {day}: 2 lines, 0 mismatches" in out
          and count("pay_bill_lines", f"channel = '{ch}' AND day = '{day}'") == 2
          and count("pay_bill_lines", f"out_trade_no = '{foreign}'") == 0,
          f"{ch}: fetched again after the gateway's correction: its lines replaced, clean", out)
    rc, out = run_admin("reconcile")
    check(paybill_count(out) == 0, f"{ch}: reconcile: PayBill=0 again", out[-300:])

# --- a day without orders: clean (WeChat Pay has no bill for it, Alipay an empty one)
rc, out = fetch(DAYS["empty"])
check(rc == 0 and f"alipay bill {DAYS['empty']}: 0 lines, 0 mismatches" in out
      and f"wechat bill {DAYS['empty']}: 0 lines, 0 mismatches" in out, "a day without orders: both bills clean", out)
check(count("pay_bills", f"day = '{DAYS['empty']}' AND state = 'ok' AND line_count = 0") == 2,
      "a day without orders: kept as taken, 0 lines")

# --- a WeChat Pay bill whose SHA-1 does not hold: refused, nothing stored
ctl("wechat", "bill", foreign=1, date=DAYS["hash"], amount="5.00")
ctl("wechat", "bill", badhash=1)
rc, out = fetch(DAYS["hash"])
check(rc == 1 and f"wechat bill {DAYS['hash']} not taken: the file's SHA-1" in out,
      "a WeChat Pay bill whose SHA-1 does not hold is refused (exit 1)", out)
check(db_value(f"SELECT state FROM pay_bills WHERE channel = 'wechat' AND day = '{DAYS['hash']}'") == "failed"
      and count("pay_bill_lines", f"channel = 'wechat' AND day = '{DAYS['hash']}'") == 0,
      "nothing of it stored; the day kept as failed")
rc, out = fetch(DAYS["wechat"])
check(rc == 1 and count("pay_bill_lines", f"channel = 'wechat' AND day = '{DAYS['wechat']}'") == 2
      and db_value(f"SELECT state FROM pay_bills WHERE channel = 'wechat' AND day = '{DAYS['wechat']}'") == "ok",
      "a bad hash for a day taken before leaves its bill as it was")
r = staff.get("/payments/bill", day=DAYS["hash"])
check(re.search(r'data-channel="wechat"><td>微信支付</td><td class="bill-state">获取失败', r.text),
      "the staff page shows the day's WeChat Pay bill as not fetched")
ctl("wechat", "bill", badhash=0)
rc, out = fetch(DAYS["hash"])
check(rc == 0 and f"wechat bill {DAYS['hash']}: 1 lines, 1 mismatches" in out,
      "with the right hash it is taken (its trade not ours reported)", out)
ctl("wechat", "bill", reset=1)
rc, out = fetch(DAYS["hash"])

# --- Alipay's bill in GBK, as Alipay writes it
g1 = paid_order(A, "alipay", "7.70", DAYS["gbk"])
ctl("alipay", "bill", gbk=1)
rc, out = fetch(DAYS["gbk"])
check(rc == 0 and f"alipay bill {DAYS['gbk']}: 1 lines, 0 mismatches" in out
      and count("pay_bill_lines", f"out_trade_no = '{g1}' AND amount_fen = 770") == 1, "a GBK bill is read", out)
ctl("alipay", "bill", gbk=0)
ctl("alipay", "bill", zip=1)
rc, out = fetch(DAYS["gbk"])
check(rc == 0 and f"alipay bill {DAYS['gbk']}: 1 lines, 0 mismatches" in out
      and count("pay_bill_lines", f"out_trade_no = '{g1}'") == 1,
      "a zip archive of the lines and the totals (GBK) as Alipay serves it is read: its lines, not its totals", out)
ctl("alipay", "bill", zip="cut")
rc, out = fetch(DAYS["gbk"])
check(rc == 1 and f"alipay bill {DAYS['gbk']} not taken: the file is not a bill" in out
      and count("pay_bill_lines", f"out_trade_no = '{g1}'") == 1
      and db_value(f"SELECT state FROM pay_bills WHERE channel = 'alipay' AND day = '{DAYS['gbk']}'") == "ok",
      "an archive cut short is refused, the day's bill taken before left as it was", out)
ctl("alipay", "bill", zip=0)

# --- the export
r = staff.get("/payments/bill", day=DAYS["alipay"], export="xlsx")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active if r.status == 200 else None
vals = [[c.value for c in row] for row in ws.iter_rows()] if ws else []
check(len(vals) >= 3 and vals[0][0] == "核对结果" and {v[0] for v in vals[1:3]} == {"一致"}
      and {v[6] for v in vals[1:3]} == {12.3, 20.0}, "the .xlsx export: results in Chinese, amounts in yuan",
      vals[:3])

# --- bad input: the page and the command
for bad in ("2024-02-30", "x' OR 1=1 --", "<b>", "9" * 300):
    r = staff.get("/payments/bill", day=bad)
    check(r.status == 200 and r.field_error("day") == "请输入正确的日期，如 2026-03-01" and "<b>" not in r.text,
          f"the page refuses the day {bad[:20]!r} next to the field")
    rc, out = fetch(bad)
    check(rc == 2 and count("pay_bills", "day = '0000-00-00'") == 0, f"payments-sync --bill {bad[:20]!r} is refused")
r = staff.get("/payments/bill", day=DAYS["alipay"], match="x<y")
check(r.field_error("match") == "请选择列表中的核对结果", "an unknown result filter is refused next to the field")
nopay = db_value("SELECT id FROM roles WHERE id <> 1 ORDER BY id LIMIT 1")
if nopay:
    other = operator(role=int(nopay))
    if "PAY" not in [x[0] for x in db(f"SELECT right_code FROM role_rights WHERE role_id = {nopay}")]:
        check(other.get("/payments/bill", day=DAYS["alipay"]).status == 403, "without the right PAY: 403")

# --- payments-sync: yesterday's bill once
y = db_value("SELECT DATE_FORMAT(DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00')) - INTERVAL 1 DAY, '%Y-%m-%d')")
db(f"DELETE FROM pay_bills WHERE day = '{y}'")
rc, out = run_admin("payments-sync")
check(f"alipay bill {y}:" in out and f"wechat bill {y}:" in out, "payments-sync fetches yesterday's bills", out)
rc, out = run_admin("payments-sync")
check(" bill " not in out, "and not again once taken", out)
db(f"UPDATE pay_bills SET state = 'failed', fetched_at = UTC_TIMESTAMP(3) - INTERVAL 1 HOUR WHERE day = '{y}'"
   " AND channel = 'wechat'")
rc, out = run_admin("payments-sync")
check(f"wechat bill {y}:" in out and "alipay bill" not in out, "a failed day is fetched again", out)
db(f"DELETE FROM pay_bills WHERE day = '{y}' AND channel = 'wechat'")
ctl("wechat", "bill", foreign=1, date=y, amount="1.00")
ctl("wechat", "bill", badhash=1)
rc, out = run_admin("payments-sync")
check(rc == 0 and f"wechat bill {y} not taken" in out
      and db_value(f"SELECT state FROM pay_bills WHERE channel = 'wechat' AND day = '{y}'") == "failed",
      "a bill not taken by the periodic job is kept as failed, the job itself does not fail", out)
rc, out = run_admin("payments-sync")
check(" bill " not in out, "and it is not asked again at once (only after pay_bill_retry_s)", out)
ctl("wechat", "bill", reset=1)
done()
