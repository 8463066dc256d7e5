"""t78_privacy.py - ASVS 8.3.3 and 8.3.2 on the student site: the notice on personal data linked from the sign-in page and agreed before anything else, and the student's own data as a CSV (only their own, whatever the parameters say)."""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

sfx = uuid.uuid4().hex[:6]
staff = operator(role=1)
B4 = db_value("SELECT id FROM buildings WHERE name = '4号楼'")
free = free_rooms(B4)
assert len(free) >= 2, "not enough free rooms in building 4"


def open_account(room, holder, phone):
    r = staff.get("/account/open")
    r = staff.post("/account/open", {"holder": holder, "holder_no": "P" + uuid.uuid4().hex[:6], "phone": phone,
                                     "building_id": B4, "room": room, "meters": "", "first": "", "idem": idem_of(r)})
    assert r.status == 303 and "/account?id=" in r.location, (r.status, r.text[:300])
    acc = re.search(r"id=(\d+)", r.location).group(1)
    r = staff.post(f"/account/student-password?account={acc}", {"confirm": "1"})
    return acc, re.search(r'id="new-password">([^<]+)<', r.text).group(1)


def signin(room, pw):
    """The first sign-in with its new password; returns the client and the password page's answer."""
    c = Client()
    c.get("/m/login")
    r = c.post("/m/login", {"building": str(B4), "room": room, "password": pw})
    assert r.status == 303 and "/m/password?first=1" in r.location, (r.status, r.location)
    c.get("/m/password?first=1")
    r = c.post("/m/password", {"old": pw, "new": "Privacy2pass" + sfx, "confirm": "Privacy2pass" + sfx})
    assert r.status == 303, (r.status, r.text[:300])
    return c, r


A, pwA = open_account(free[0], "隐私甲" + sfx, "13911112222")
B, pwB = open_account(free[1], "隐私乙" + sfx, "13933334444")
meterA = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {A} AND active = 1")
meterB = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {B} AND active = 1")

# --- 8.3.3 the notice: public, linked from the sign-in page, in plain Chinese
anon = Client()
r = anon.get("/m/login")
check(r.status == 200 and 'href="/m/privacy"' in r.text and "个人信息处理说明" in r.text,
      "the sign-in page links to 个人信息处理说明")
r = anon.get("/m/privacy")
check(r.status == 200 and all(s in r.text for s in ("我们保存哪些信息", "为什么保存", "保存多久", "谁能看到",
                                                   "怎样取得一份副本")),
      "the notice says what is kept, why, for how long, who sees it and how to get a copy")
check("手机号码" in r.text and "操作日志" in r.text and "下载我的数据" in r.text and "一直保存" in r.text,
      "it names the phone, the log of staff reads, the download and today's retention")
check('name="agree"' not in r.text and "<script" not in r.text, "signed out: the notice only, no form, no script")
r = anon.get("/m/export")
check(r.status == 303 and r.location.endswith("/m/login"), "signed out, /m/export goes to the sign-in page", r.location)

# --- the first sign-in: the password, then the notice before anything else
a, r = signin(free[0], pwA)
r = a.get("/m/")
check(r.status == 303 and r.location.endswith("/m/privacy?first=1"), "after the first password the notice comes first",
      r.location)
for path in ("/m/alerts", "/m/pay", "/m/phone", "/m/export", "/m/pay/order?id=1"):
    r = a.get(path)
    check(r.status == 303 and r.location.endswith("/m/privacy?first=1"), f"{path} waits for the agreement", r.location)
r = a.post("/m/alerts", {"alarm1": "1"})
check(r.status == 303 and "/m/privacy" in r.location and count("student_alerts", f"account_id = {A}") == 0,
      "a POST waits too and changes nothing", (r.status, r.location))
r = a.get("/m/privacy?first=1")
check(r.status == 200 and "首次登录请先阅读" in r.text and 'name="agree"' in r.text and 'type="checkbox"' in r.text,
      "the notice asks for the agreement with a checkbox")
r = a.post("/m/privacy/agree", {})
check(r.status == 200 and "请先勾选" in (r.field_error("agree") or ""), "not ticked: said next to the box, in Chinese",
      r.field_error("agree"))
check(db_value(f"SELECT privacy_agreed_at FROM student_logins WHERE account_id = {A}") == "NULL",
      "and nothing is stored")
r = a.post("/m/privacy/agree", {"agree": "0"})
check(r.status == 200 and r.field_error("agree"), "agree=0 is no agreement")
r = a.post("/m/privacy/agree", {"agree": "1"}, csrf=False)
check(r.status == 403 and db_value(f"SELECT privacy_agreed_at FROM student_logins WHERE account_id = {A}") == "NULL",
      "without the form key it is refused", r.status)
r = a.post("/m/privacy/agree", {"agree": "1"})
at = db_value(f"SELECT privacy_agreed_at FROM student_logins WHERE account_id = {A}")
check(r.status == 303 and r.location.endswith("/m/") and at not in (None, "NULL"), "ticked: the date is stored", at)
check(count("oplog", f"action = 'student.privacy.agree' AND object = 'account:{A}' AND login = 'student:{A}'") == 1,
      "the agreement is in the operation log")
db(f"UPDATE student_logins SET privacy_agreed_at = privacy_agreed_at - INTERVAL 1 DAY WHERE account_id = {A}")
at = db_value(f"SELECT privacy_agreed_at FROM student_logins WHERE account_id = {A}")
a.post("/m/privacy/agree", {"agree": "1"})
check(db_value(f"SELECT privacy_agreed_at FROM student_logins WHERE account_id = {A}") == at,
      "agreeing again keeps the first date")
r = a.get("/m/")
check(r.status == 200 and 'href="/m/export"' in r.text and 'href="/m/privacy"' in r.text,
      "then my account opens, with the download and the notice")
r = a.get("/m/privacy")
check("您已同意本说明" in r.text and 'name="agree"' not in r.text, "the notice says when it was agreed")
check(db_value(f"SELECT privacy_agreed_at FROM student_logins WHERE account_id = {B}") == "NULL",
      "the other account has not agreed by A's agreement")

# --- 8.3.2 my data: the account, entries, online orders and monthly use, only mine
db(f"UPDATE accounts SET holder = '=HYPERLINK(\"x\")甲{sfx}' WHERE id = {A}")
db(f"INSERT INTO ledger (account_id, meter_id, kind, amount_fen, idem_key, channel) VALUES"
   f" ({A}, {meterA}, 'sale', 12345, 't78a{sfx}', 'counter'), ({B}, {meterB}, 'sale', 67891, 't78b{sfx}', 'counter')")
db(f"INSERT INTO pay_orders (out_trade_no, channel, account_id, meter_id, amount_fen, state) VALUES"
   f" ('T78A{sfx}', 'alipay', {A}, {meterA}, 5000, 'credited'), ('T78B{sfx}', 'wechat', {B}, {meterB}, 7000, 'paid')")
db(f"INSERT INTO daily_energy (meter_id, day, first_energy, last_energy, used) VALUES"
   f" ({meterA}, UTC_DATE(), 1000, 1250, 250), ({meterB}, UTC_DATE(), 1000, 1999, 999)"
   " ON DUPLICATE KEY UPDATE used = VALUES(used)")
r = a.get("/m/export")
check(r.status == 200 and r.headers.get("Content-Type", "").startswith("text/csv")
      and "charset=utf-8" in r.headers.get("Content-Type", "") and "attachment" in r.headers.get("Content-Disposition", "")
      and r.headers.get("Cache-Control") == "no-store", "/m/export is a CSV attachment, UTF-8, not stored",
      dict(r.headers))
check(r.body.startswith(b"\xef\xbb\xbf"), "with the BOM Excel needs for UTF-8")
rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
flat = [c for row in rows for c in row]
check(["账户信息"] in rows and ["账目"] in rows and ["在线充值订单"] in rows and ["每月用电量"] in rows,
      "its sections: account, entries, online orders, monthly use", rows[:3])
check(f"'=HYPERLINK(\"x\")甲{sfx}" in flat, "the holder, a formula made text", [c for c in flat if sfx in c][:3])
check("4号楼" in flat and free[0] in flat and "139****2222" in flat and "使用中" in flat,
      "building, room, the phone masked as on the site, the state in words")
check("123.45" in flat and "购电" in flat and f"T78A{sfx}" in flat and "50.00" in flat and "已到账" in flat
      and "支付宝" in flat and "2.50" in flat, "my entry, my order and my use are there in yuan and kWh")
check(not any(s in r.text for s in (f"隐私乙{sfx}", "678.91", f"T78B{sfx}", "70.00", "9.99", "139****4444")),
      "nothing of the other account")
log = db(f"SELECT login, object, after_val FROM oplog WHERE action = 'export' AND login = 'student:{A}'")
check(len(log) == 1 and log[0][1] == "/m/export" and '"format":"csv"' in log[0][2] and '"rows":"4"' in log[0][2],
      "the download is in the operation log as an export with its rows", log)
body = r.body
for params in ({"account": B}, {"id": B}, {"account_id": B, "meter": meterB}, {"account": f"{B}' OR '1'='1"},
               {"account": "<script>", "id": "-1"}, {"account": "9" * 40}):
    r = a.get("/m/export", **params)
    check(r.status == 200 and r.body == body, f"another account's id in the query changes nothing: {params}")
r = a.post("/m/export", {"account": B})
check(r.status == 405 and f"T78B{sfx}" not in r.text, "a POST is refused", r.status)

# --- the other student: the notice first, then only their own data
b, r = signin(free[1], pwB)
r = b.get("/m/export")
check(r.status == 303 and "/m/privacy" in r.location, "B's export waits for B's agreement")
b.get("/m/privacy?first=1")
b.post("/m/privacy/agree", {"agree": "1"})
r = b.get("/m/export", account=A)
check(r.status == 200 and "678.91" in r.text and f"T78B{sfx}" in r.text and sfx in r.text
      and "123.45" not in r.text and f"T78A{sfx}" not in r.text and "HYPERLINK" not in r.text,
      "B, asking for A's, gets B's own")
# the two orders made up above (one paid, one credited, without entries) would be
# mismatches of the reconciliation for the tests after this one
db(f"DELETE FROM pay_orders WHERE out_trade_no IN ('T78A{sfx}', 'T78B{sfx}')")
done()
