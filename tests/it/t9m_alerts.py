"""t9m_alerts.py - M4 the student's alert settings (/m/alerts): defaults, saving, the log, bad input next to each field, the form key, other students, the database account's rights; and M2's tier under a tiered tariff at its boundaries (nothing under a flat one)."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401


def mlogin(c, building, room, password):
    c.get("/m/login")
    return c.post("/m/login", {"building": str(building), "room": room, "password": password})


def checked(r, name):
    m = re.search(r'<input[^>]*name="%s"[^>]*>' % name, r.text)
    return m is not None and " checked" in m.group(0)


def value_of(r, name):
    m = re.search(r'<input[^>]*name="%s"[^>]*value="([^"]*)"' % name, r.text)
    return m.group(1) if m else None


def text_of(r, ident):
    m = re.search(r'id="%s"[^>]*>(.*?)</' % re.escape(ident), r.text, re.S)
    return re.sub(r"<[^>]+>", "", m.group(1)).strip() if m else None


staff = operator(role=1)
B4 = db_value("SELECT id FROM buildings WHERE name = '4号楼'")
free = free_rooms(B4, desc=True)
assert len(free) >= 5, "not enough free rooms in building 4"


def open_account(room, holder):
    r = staff.get("/account/open")
    f = {"holder": holder, "holder_no": "A" + uuid.uuid4().hex[:6], "phone": "13900139001",
         "building_id": B4, "room": room, "meters": "", "first": "", "idem": idem_of(r)}
    r = staff.post("/account/open", f)
    assert r.status == 303 and "/account?id=" in r.location, (r.status, r.text[:300])
    return re.search(r"id=(\d+)", r.location).group(1)


def student(room, account):
    """Signed in with a first password set by staff and changed."""
    r = staff.post(f"/account/student-password?account={account}", {"confirm": "1"})
    pw = re.search(r'id="new-password">([^<]+)<', r.text).group(1)
    db(f"UPDATE student_logins SET privacy_agreed_at = UTC_TIMESTAMP() WHERE account_id = {account}")  # the notice agreed (t78_privacy asks it)
    c = Client()
    mlogin(c, B4, room, pw)
    c.get("/m/password?first=1")
    r = c.post("/m/password", {"old": pw, "new": "Alerts2pass!", "confirm": "Alerts2pass!"})
    assert r.status == 303, r.status
    return c


roomA, roomB = free[0], free[1]
A = open_account(roomA, "提醒甲" + uuid.uuid4().hex[:4])
B = open_account(roomB, "提醒乙" + uuid.uuid4().hex[:4])
meterA = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {A} AND active = 1")

# --- signed out
anon = Client()
r = anon.get("/m/alerts")
check(r.status == 303 and r.location.endswith("/m/login"), "signed out, /m/alerts goes to the sign-in page", r.location)
r = anon.post("/m/alerts", {"alarm1": "1", "csrf": "x" * 64})
check(r.status == 403 and count("student_alerts", f"account_id IN ({A}, {B})") == 0,
      "signed out, a POST is refused and saves nothing", r.status)

# --- the defaults: every level, no quiet period; the links
c = student(roomA, A)
r = c.get("/m/")
check(r.status == 200 and 'href="/m/alerts"' in r.text and "提醒设置" in r.text, "my account links to the alert settings")
r = c.get("/m/alerts")
check(r.status == 200 and "提醒设置" in r.text and "<script" not in r.text, "the alert settings page opens, no script")
check(all(checked(r, n) for n in ("alarm1", "alarm2", "arrears")), "by default every alarm SMS is on")
check(value_of(r, "quiet_from") == "" and value_of(r, "quiet_to") == "", "by default no quiet period")
check('href="/m/phone"' in r.text and "更换接收短信的手机号" in r.text, "the page links to the phone number's page")
check("低额报警" in r.text and "二级报警" in r.text and "欠费停电" in r.text and "夜间免打扰" in r.text,
      "the levels and the quiet period in Chinese")

# --- saving: alarm 1 off, quiet 22:30 to 07:00 (across midnight)
n0 = count("oplog", f"action = 'student.alerts' AND object = 'account:{A}'")
r = c.post("/m/alerts", {"alarm2": "1", "arrears": "1", "quiet_from": "22:30", "quiet_to": "07:00"})
check(r.status == 303 and r.location.endswith("/m/alerts?ok=saved"), "the settings are saved", (r.status, r.location))
row = db(f"SELECT alarm1, alarm2, arrears, quiet_from, quiet_to FROM student_alerts WHERE account_id = {A}")
check(row == [["0", "1", "1", "1350", "420"]], "stored: alarm 1 off, quiet 22:30 (1350) to 07:00 (420)", row)
log = db(f"SELECT login, before_val, after_val FROM oplog WHERE action = 'student.alerts'"
         f" AND object = 'account:{A}' ORDER BY id DESC LIMIT 1")
check(count("oplog", f"action = 'student.alerts' AND object = 'account:{A}'") == n0 + 1 and log
      and log[0][0] == f"student:{A}" and '"alarm1":1' in log[0][1] and '"alarm1":0' in log[0][2]
      and "22:30-07:00" in log[0][2], "the change is in the operation log, before and after", log)
r = c.get("/m/alerts?ok=saved")
check("提醒设置已保存" in r.text and not checked(r, "alarm1") and checked(r, "alarm2") and checked(r, "arrears")
      and value_of(r, "quiet_from") == "22:30" and value_of(r, "quiet_to") == "07:00",
      "the page shows what was saved")
r = c.post("/m/alerts", {"alarm2": "1", "arrears": "1", "quiet_from": "22:30", "quiet_to": "07:00"})
check(r.status == 303 and count("oplog", f"action = 'student.alerts' AND object = 'account:{A}'") == n0 + 1
      and count("student_alerts", f"account_id = {A}") == 1, "the same submission again: one row, nothing new logged")

# --- bad input, each next to its field; nothing saved
for f, field, why in [({"quiet_from": "25:00", "quiet_to": "07:00"}, "quiet_from", "请输入时间"),
                      ({"quiet_from": "22:60", "quiet_to": "07:00"}, "quiet_from", "请输入时间"),
                      ({"quiet_from": "22:30", "quiet_to": "ab"}, "quiet_to", "请输入时间"),
                      ({"quiet_from": "-1:00", "quiet_to": "07:00"}, "quiet_from", "请输入时间"),
                      ({"quiet_from": "2230", "quiet_to": "07:00"}, "quiet_from", "请输入时间"),
                      ({"quiet_from": "22:30:00", "quiet_to": "07:00"}, "quiet_from", "内容过长"),
                      ({"quiet_from": "' OR 1=1 --", "quiet_to": "07:00"}, "quiet_from", "内容过长"),
                      ({"quiet_from": "<b>", "quiet_to": "07:00"}, "quiet_from", "请输入时间"),
                      ({"quiet_from": "", "quiet_to": "07:00"}, "quiet_from", "同时填写"),
                      ({"quiet_from": "22:30", "quiet_to": ""}, "quiet_to", "同时填写"),
                      ({"quiet_from": "07:00", "quiet_to": "07:00"}, "quiet_to", "不能相同")]:
    r = c.post("/m/alerts", dict(f, alarm1="1"))
    check(r.status == 200 and why in (r.field_error(field) or ""), f"{f} refused: {why} next to {field}",
          (r.status, r.field_error(field)))
r = c.post("/m/alerts", {"quiet_from": "<b>x", "quiet_to": "07:00"})
check("<b>x" not in r.text and "&lt;b&gt;x" in r.text, "HTML sent back is shown escaped")
check(db(f"SELECT alarm1, quiet_from, quiet_to FROM student_alerts WHERE account_id = {A}") == [["0", "1350", "420"]],
      "refused forms changed nothing")
r = c.post("/m/alerts", {"alarm1": "1", "quiet_from": "", "quiet_to": ""}, csrf=False)
check(r.status == 403, "a POST without the form key is refused", r.status)
r = c.post("/m/alerts", {"alarm1": "1", "csrf": "0" * 64})
check(r.status == 403 and db_value(f"SELECT alarm1 FROM student_alerts WHERE account_id = {A}") == "0",
      "a POST with a wrong form key is refused, nothing saved")

# --- another student's account: the form has no account field; one sent is ignored
r = c.post("/m/alerts", {"account_id": B, "account": B, "alarm1": "1", "alarm2": "1", "arrears": "1",
                         "quiet_from": "9:05", "quiet_to": "23:59"})
check(r.status == 303 and count("student_alerts", f"account_id = {B}") == 0
      and db(f"SELECT alarm1, quiet_from, quiet_to FROM student_alerts WHERE account_id = {A}") == [["1", "545", "1439"]],
      "an account id in the form changes only the student's own settings (9:05 is read as 09:05)")
cb = student(roomB, B)
r = cb.get("/m/alerts")
check(all(checked(r, n) for n in ("alarm1", "alarm2", "arrears")) and value_of(r, "quiet_from") == "",
      "the other student still has the defaults")
r = c.post("/m/alerts", {"alarm1": "1", "alarm2": "1", "arrears": "1", "quiet_from": "", "quiet_to": ""})
check(db(f"SELECT alarm1, alarm2, arrears, quiet_from, quiet_to FROM student_alerts WHERE account_id = {A}")
      == [["1", "1", "1", "NULL", "NULL"]], "both times empty: no quiet period")
c.get("/m/lang?to=en&back=/m/alerts")
r = c.get("/m/alerts")
check(r.status == 200 and "Alert settings" in r.text and "提醒设置" not in r.text, "the page in English")
c.get("/m/lang?to=zh-CN&back=/m/alerts")

# --- the student site's database account: its own table, no DELETE, still no phones
pw = [l.split("=", 1)[1].strip() for l in open(f"{VAR}/prepaid.conf") if l.startswith("mobile_password")][0]


def as_mobile(sql):
    p = subprocess.run(["mariadb", f"--socket={VAR}/run/mysqld.sock", "-uprepaid_mobile", f"-p{pw}", "-N", "prepaid",
                        "-e", sql], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


rc, out = as_mobile(f"SELECT alarm1 FROM student_alerts WHERE account_id = {A}")
check(rc == 0, "the mobile account reads the alert settings", out)
for sql, what in [(f"DELETE FROM student_alerts WHERE account_id = {A}", "DELETE on the alert settings"),
                  ("SELECT phone FROM accounts LIMIT 1", "SELECT of the holders' phones"),
                  ("SELECT COUNT(*) FROM sms_outbox", "SELECT on the SMS outbox"),
                  ("UPDATE accounts SET phone = '1'", "UPDATE of the phones")]:
    rc, out = as_mobile(sql)
    check(rc != 0 and "denied" in out, f"the mobile account is refused {what}", out.strip())

# --- M2: the tier under a tiered tariff (200 and 400 kWh a month), at its boundaries
today = db_value("SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00'))")
mstart = db_value(f"SELECT DATE_FORMAT('{today}', '%Y-%m-01')")
name = "t9m-tiers-" + uuid.uuid4().hex[:6]
db(f"INSERT INTO tariffs (name) VALUES ('{name}')")
tid = db_value(f"SELECT id FROM tariffs WHERE name = '{name}'")
db(f"INSERT INTO tariff_versions (tariff_id, effective_date, p0, p1, p2, p3, tiers, applied_at) VALUES"
   f" ({tid}, '{today}' - INTERVAL 40 DAY, 5380, 5380, 5380, 5380, '200=0.538,400=0.588,*=0.838', UTC_TIMESTAMP())")
db(f"REPLACE INTO meter_tariffs (meter_id, tariff_id) VALUES ({meterA}, {tid})")


def month_use(e):
    """This month's use E (0.01 kWh) on the month's first day; a big day just before the month."""
    db(f"DELETE FROM daily_energy WHERE meter_id = {meterA}")
    db(f"INSERT INTO daily_energy (meter_id, day, first_energy, last_energy) VALUES"
       f" ({meterA}, '{mstart}' - INTERVAL 1 DAY, 0, 90000), ({meterA}, '{mstart}', 90000, {90000 + e})")
    return c.get("/m/")


for e, want in [(0, "第1档，再用 200.00 度进入第2档"),
                (19999, "第1档，再用 0.01 度进入第2档"),
                (20000, "第2档，再用 200.00 度进入第3档"),
                (20001, "第2档，再用 199.99 度进入第3档"),
                (39999, "第2档，再用 0.01 度进入第3档"),
                (40000, "第3档 （最高一档）")]:
    r = month_use(e)
    check(r.status == 200 and text_of(r, "tier") == want and text_of(r, "month") == "%d.%02d" % (e // 100, e % 100),
          f"this month {e / 100:.2f} kWh: {want}", (text_of(r, "tier"), text_of(r, "month")))
check(text_of(month_use(0), "month") == "0.00", "at the month's start the use before it does not count")
c.get("/m/lang?to=en&back=/m/")
r = month_use(20001)
check(text_of(r, "tier") == "tier 2; 199.99 kWh more to tier 3", "the tier in English", text_of(r, "tier"))
c.get("/m/lang?to=zh-CN&back=/m/")
db(f"UPDATE tariff_versions SET tiers = '' WHERE tariff_id = {tid}")
r = month_use(20001)
check(r.status == 200 and text_of(r, "tier") is None and "本月阶梯" not in r.text, "a flat tariff: no tier shown")
db(f"DELETE FROM meter_tariffs WHERE meter_id = {meterA}")
r = month_use(20001)
check(r.status == 200 and text_of(r, "tier") is None, "no tariff: no tier shown")
done()
