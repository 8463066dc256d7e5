"""t9m_mobile.py - M1, M2, B5 on the student site (/m/): staff set the first password, sign-in by room (good, bad, locked), the first change, remember-me, other students' ids, bad input, the account's figures against SQL, and the grants of its database account."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401



def mlogin(c, building, room, password, remember=False):
    c.get("/m/login")
    f = {"building": str(building), "room": room, "password": password}
    if remember:
        f["remember"] = "1"
    return c.post("/m/login", f)


def set_cookies(r):
    return r.headers.get_all("Set-Cookie") or []


def cookie_of(r, name):
    for c in set_cookies(r):
        if c.startswith(name + "="):
            return c
    return ""


def text_of(r, ident):
    m = re.search(r'id="%s"[^>]*>(.*?)</' % re.escape(ident), r.text, re.S)
    return re.sub(r"<[^>]+>", "", m.group(1)).strip() if m else None


def yuan(fen):
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)


staff = operator(role=1)
B4 = db_value("SELECT id FROM buildings WHERE name = '4号楼'")
free = free_rooms(B4)
assert len(free) >= 3, "not enough free rooms in building 4"


def open_account(room, holder):
    r = staff.get("/account/open")
    f = {"holder": holder, "holder_no": "M" + uuid.uuid4().hex[:6], "phone": "13900139000",
         "building_id": B4, "room": room, "meters": "", "first": "", "idem": idem_of(r)}
    r = staff.post("/account/open", f)
    assert r.status == 303 and "/account?id=" in r.location, (r.status, r.text[:300])
    return re.search(r"id=(\d+)", r.location).group(1)


roomA, roomB = free[0], free[1]
A = open_account(roomA, "学生甲" + uuid.uuid4().hex[:4])
B = open_account(roomB, "学生乙<b>" + uuid.uuid4().hex[:4])
holderB = db_value(f"SELECT holder FROM accounts WHERE id = {B}")
meterA = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {A} AND active = 1")
meterB = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {B} AND active = 1")

# --- staff set the first password (F11), shown once, after a confirmation
r = staff.get(f"/account/student-password?account={A}")
check(r.status == 200 and 'name="confirm"' in r.text and count("student_logins", f"account_id = {A}") == 0,
      "the staff page asks for a confirmation and sets nothing on a GET")
r = staff.post(f"/account/student-password?account={A}", {})
check(r.status == 200 and count("student_logins", f"account_id = {A}") == 0,
      "a POST without the confirmation sets nothing")
r = staff.post(f"/account/student-password?account={A}", {"confirm": "1"})
m = re.search(r'id="new-password">([^<]+)<', r.text)
check(r.status == 200 and m is not None, "the confirmed POST shows the new password")
pwA = m.group(1) if m else ""
check(db_value(f"SELECT must_change FROM student_logins WHERE account_id = {A}") == "1"
      and pwA not in (db_value(f"SELECT pw_hash FROM student_logins WHERE account_id = {A}") or "")
      and (db_value(f"SELECT pw_hash FROM student_logins WHERE account_id = {A}") or "").startswith("scrypt-hmac$"),
      "the password is stored as scrypt, to be changed at the first sign-in")
check(count("oplog", f"action = 'student.set_password' AND object = 'account:{A}'") == 1,
      "the operation log has the setting")
r = staff.get(f"/account/student-password?account={A}")
check(pwA not in r.text, "the password is never shown again")
r = staff.post(f"/account/student-password?account={B}", {"confirm": "1"})
pwB = re.search(r'id="new-password">([^<]+)<', r.text).group(1)
db(f"UPDATE student_logins SET privacy_agreed_at = UTC_TIMESTAMP() WHERE account_id IN ({A}, {B})")  # the notice agreed (t78_privacy asks it)
for bad in ["999999", "abc", "", "-1", "1' OR '1'='1"]:
    r = staff.get("/account/student-password", account=bad)
    check(r.status == 404, f"the staff page: account {bad!r} is a 404", r.status)
# a role of its own with every right but F11 (another test's role may lack F5 too)
rname = "t9m-no-f11-" + uuid.uuid4().hex[:6]
db(f"INSERT INTO roles (name) VALUES ('{rname}')")
nr = db_value(f"SELECT id FROM roles WHERE name = '{rname}'")
db("INSERT INTO role_rights (role_id, right_code) VALUES "
   + ",".join(f"({nr}, 'F{i}')" for i in range(1, 31) if i != 11))
weak = operator(role=int(nr))
r = weak.post(f"/account/student-password?account={A}", {"confirm": "1"})
check(r.status == 403 and db_value(f"SELECT set_by FROM student_logins WHERE account_id = {A}") != weak.login_name,
      "an operator without F11 cannot set a student's password", r.status)

# --- signed out: the sign-in page; POSTs refused
anon = Client()
r = anon.get("/m/")
check(r.status == 303 and r.location.endswith("/m/login"), "signed out, /m/ goes to the sign-in page", r.location)
r = anon.get("/m/password")
check(r.status == 303 and r.location.endswith("/m/login"), "signed out, /m/password goes to the sign-in page")
r = anon.post("/m/logout", {"csrf": "x" * 64})
check(r.status == 403, "signed out, a POST to /m/logout is refused", r.status)
r = anon.get("/m/nothing")
check(r.status == 404 and "页面或记录不存在" in r.text, "an unknown path is a 404 in Chinese")
r = anon.get("/m/login")
check(r.status == 200 and 'name="building"' in r.text and 'name="room"' in r.text
      and re.findall(r"<script[^>]*>", r.text) == ['<script src="/static/showpw.js" defer>'],
      "the sign-in page has building and room and no script but the 显示密码 box's")
check('name="viewport"' in r.text and "/static/mobile.css" in r.text, "the page is made for a phone")

# --- bad input on the sign-in form
c = Client()
c.get("/m/login")
r = c.post("/m/login", {"building": "", "room": "", "password": ""})
check(r.field_error("building") == "此项必填" and r.field_error("room") == "此项必填"
      and r.field_error("password") == "此项必填", "empty fields: 此项必填 next to each")
r = c.post("/m/login", {"building": "abc", "room": roomA, "password": pwA})
check(r.field_error("building") == "请从列表中选择", "a building that is no number is refused", r.field_error("building"))
r = c.post("/m/login", {"building": B4, "room": "1" * 17, "password": pwA})
check(r.field_error("room") == "内容过长", "a room number of 17 characters is too long", r.field_error("room"))
r = c.post("/m/login", {"building": B4, "room": roomA, "password": "x" * 129})
check(r.field_error("password") == "密码最多128个字符", "a password of 129 characters is too long")
r = c.post("/m/login", {"building": B4, "room": "<script>alert(1)</script>", "password": "x"})
check("<script>alert(1)" not in r.text and "&lt;script&gt;" in r.text, "HTML in the room is shown escaped")
r = c.post("/m/login", {"building": B4, "room": "101' OR '1'='1", "password": "' OR '1'='1"})
check(r.status == 200 and "楼栋、房间号或密码不正确" in r.text and not cookie_of(r, "msid"),
      "SQL in the room and password signs nobody in")
r = c.post("/m/login", {"building": B4, "room": roomA, "password": pwA, "csrf": "0" * 64})
check(r.status == 200 and "页面已过期" in r.text and not cookie_of(r, "msid"), "a sign-in without its form key is refused")
db("DELETE FROM student_login_failures")

# --- wrong password, unknown room: the same answer
c = Client()
r = mlogin(c, B4, roomA, "Wrong-pass1")
check(r.status == 200 and "楼栋、房间号或密码不正确" in r.text, "a wrong password: the same words as an unknown room")
r = mlogin(c, B4, "9999", "Wrong-pass1")
check(r.status == 200 and "楼栋、房间号或密码不正确" in r.text, "an unknown room is refused")
check(count("oplog", "action = 'student.login.fail'") >= 2, "failed sign-ins are logged")
db("DELETE FROM student_login_failures")

# --- the first sign-in: the new password first
c = Client()
r = mlogin(c, B4, roomA, pwA)
sid = cookie_of(r, "msid")
check(r.status == 303 and r.location.endswith("/m/password?first=1"), "the first sign-in asks for a new password", r.location)
check("Path=/m/" in sid and "HttpOnly" in sid and "SameSite=Strict" in sid and "Max-Age" not in sid
      and "Expires" not in sid, "without 'remember me' the cookie lives as long as the browser", sid)
r = c.get("/m/")
check(r.status == 303 and "/m/password?first=1" in r.location, "nothing else before the new password")
r = c.get("/m/password?first=1")
check("首次登录" in r.text, "the page says why")
NEW = "Mobile2pass!"
for f, field, why in [({"old": pwA, "new": NEW, "confirm": NEW + "x"}, "confirm", "不一致"),
                      ({"old": pwA, "new": "short1", "confirm": "short1"}, "new", "至少12个字符"),
                      ({"old": pwA, "new": "woaini1314520", "confirm": "woaini1314520"}, "new", "太常见"),
                      ({"old": pwA, "new": pwA, "confirm": pwA}, "new", "不能是当前密码"),
                      ({"old": "Wrong-pass1", "new": NEW, "confirm": NEW}, "old", "不正确"),
                      ({"old": "", "new": "", "confirm": ""}, "old", "必填")]:
    r = c.post("/m/password", f)
    check(r.status == 200 and why in (r.field_error(field) or ""), f"password change refused: {why}", r.field_error(field))
check(db_value(f"SELECT must_change FROM student_logins WHERE account_id = {A}") == "1", "refused changes changed nothing")
r = c.post("/m/password", {"old": pwA, "new": NEW, "confirm": NEW}, csrf=False)
check(r.status == 403, "a password change without the form key is refused", r.status)
r = c.post("/m/password", {"old": pwA, "new": NEW, "confirm": NEW})
check(r.status == 303 and "/m/?ok=password_changed" in r.location, "the new password is set", r.status)
check(db_value(f"SELECT must_change FROM student_logins WHERE account_id = {A}") == "0", "the first change is done")
r = c.get("/m/?ok=password_changed")
check(r.status == 200 and "密码已修改" in r.text, "my account opens after it")

# --- remember me: a cookie of 7 days, and a session that outlives the idle timeout
c2 = Client()
r = mlogin(c2, B4, roomA, NEW, remember=True)
sid = cookie_of(r, "msid")
check(r.status == 303 and r.location.endswith("/m/") and "Max-Age=604800" in sid and "Path=/m/" in sid,
      "'remember me' ticked: the cookie lives 7 days", sid)
check(db_value(f"SELECT remember FROM student_sessions WHERE account_id = {A} ORDER BY id DESC LIMIT 1") == "1",
      "the session is a remembered one")
db(f"UPDATE student_sessions SET last_seen = UTC_TIMESTAMP() - INTERVAL 2 DAY,"
   f" created_at = UTC_TIMESTAMP() - INTERVAL 2 DAY WHERE account_id = {A} AND remember = 1")
db(f"UPDATE student_sessions SET last_seen = UTC_TIMESTAMP() - INTERVAL 31 MINUTE WHERE account_id = {A} AND remember = 0")
r = c2.get("/m/")
check(r.status == 200, "a remembered session outlives the idle timeout", r.status)
r = c.get("/m/")
check(r.status == 303 and "/m/login" in r.location, "a browser session ends after 30 idle minutes", r.location)
db(f"UPDATE student_sessions SET created_at = UTC_TIMESTAMP() - INTERVAL 7 DAY - INTERVAL 1 MINUTE"
   f" WHERE account_id = {A} AND remember = 1")
r = c2.get("/m/")
check(r.status == 303 and "/m/login" in r.location, "a remembered session ends after 7 days")

# --- M2 figures against SQL: a sale pending at the meter, then confirmed
c = Client()
r = mlogin(c, B4, roomA, NEW)
meter_read(meterA, 5000, 0)
r = staff.get(f"/sell?account={A}")
r = staff.post("/sell", {"account": A, "meter": meterA, "amount": "12.30", "idem": idem_of(r), "confirm": "1"})
lid = re.search(r"id=(\d+)", r.location).group(1)
MONEY_SQL = (f"SELECT COALESCE(s.remaining_fen, 0) + COALESCE((SELECT SUM(c.amount_fen) FROM commands c"
             f" WHERE c.meter_id = {meterA} AND c.kind = 'credit' AND c.status NOT IN ('failed', 'confirmed')), 0)"
             f" FROM meter_state s WHERE s.meter_id = {meterA}")
want = int(db_value(MONEY_SQL))
r = c.get("/m/")
check(r.status == 200 and want == 6230 and text_of(r, "money") == "¥" + yuan(want),
      "the account's money counts the sale pending at the meter", (text_of(r, "money"), want))
check(re.search(r'id="entry-%s">.*?等待电表确认' % lid, r.text) is not None, "the sale shows as pending at the meter")
check(f"¥{yuan(want)}" in (re.search(r'id="meter-%s".*?</section>' % meterA, r.text, re.S) or [""])[0],
      "the meter's own money shows the same")
meter_read(meterA, 6230, 1)
want = int(db_value(MONEY_SQL))
r = c.get("/m/")
check(want == 6230 and text_of(r, "money") == "¥62.30" and
      re.search(r'id="entry-%s">.*?电表已确认' % lid, r.text) is not None,
      "after the meter applied it: the same money, the sale confirmed")
check(holderB not in r.text and "学生乙" not in r.text, "nothing of the other student's account")

# use per day: 5 kWh on each of the last 7 days (site days, +08:00), 3 kWh 20 days ago
today = db_value("SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00'))")
for ago in range(1, 8):
    db(f"REPLACE INTO daily_energy (meter_id, day, first_energy, last_energy) VALUES"
       f" ({meterA}, '{today}' - INTERVAL {ago} DAY, 1000, 1500)")
db(f"REPLACE INTO daily_energy (meter_id, day, first_energy, last_energy) VALUES ({meterA}, '{today}' - INTERVAL 20 DAY, 0, 300)")
db(f"REPLACE INTO daily_energy (meter_id, day, first_energy, last_energy) VALUES ({meterB}, '{today}' - INTERVAL 1 DAY, 0, 99900)")
month = int(db_value(f"SELECT COALESCE(SUM(last_energy - first_energy), 0) FROM daily_energy WHERE meter_id = {meterA}"
                     f" AND day >= DATE_FORMAT('{today}', '%Y-%m-01') AND day <= '{today}'"))
price = int(db_value("SELECT COALESCE((SELECT value FROM settings WHERE name = 'price'), 5880)"))
per_day = (500 * price + 9999) // 10000
r = c.get("/m/")
check(text_of(r, "month") == yuan(month), "this month's use is the day table's sum", (text_of(r, "month"), month))
check(re.search(r"<strong>%d</strong>" % (6230 // per_day), r.text) is not None
      and "预计还可用约" in r.text, "the forecast: the money over the last week's daily cost", (6230 // per_day, per_day))
bars = re.findall(r'<rect x="(\d+)" y="(\d+)" width="8" height="(\d+)"', r.text)
check(len(bars) == 30, "the chart has 30 days", len(bars))
check(len(bars) == 30 and [int(h) for _, _, h in bars[22:29]] == [100] * 7 and int(bars[9][2]) == 60
      and int(bars[29][2]) == 0, "the bars: the 7 days full height, 20 days ago at 3/5, today empty",
      [h for _, _, h in bars])
check("<svg" in r.text and "<script" not in r.text, "the chart is inline SVG, no script")
# a day whose reads show nothing but the collector stored 2.5 kWh of use (the night before its first read)
db(f"REPLACE INTO daily_energy (meter_id, day, first_energy, last_energy, used) VALUES"
   f" ({meterA}, '{today}' - INTERVAL 10 DAY, 2000, 2000, 250)")
bars = re.findall(r'<rect x="(\d+)" y="(\d+)" width="8" height="(\d+)"', c.get("/m/").text)
check(len(bars) == 30 and int(bars[19][2]) == 50, "a day's bar is the use the collector stored for it (2.5 of 5 kWh)",
      bars[19] if len(bars) == 30 else len(bars))
db(f"DELETE FROM daily_energy WHERE meter_id = {meterA} AND day = '{today}' - INTERVAL 10 DAY")
check('id="topup" href="/m/pay"' in r.text and "在线充值" in r.text, "the online top-up button leads to /m/pay (M3)")

# relay state and why; open alarms
db(f"UPDATE meter_state SET relay_closed = 0, remaining_fen = -100 WHERE meter_id = {meterA}")
db(f"INSERT INTO alarms (kind, meter_id, opened_at, remaining_fen, open_key) VALUES"
   f" ('arrears', {meterA}, UTC_TIMESTAMP(3), -100, 'arrears:{meterA}:t9m')")
db(f"INSERT INTO alarms (kind, meter_id, opened_at, remaining_fen, open_key) VALUES"
   f" ('alarm1', {meterB}, UTC_TIMESTAMP(3), 100, 'alarm1:{meterB}:t9m')")
r = c.get("/m/")
check("断电（欠费，请充值）" in r.text, "a meter off in arrears says so")
check("已欠费" in r.text and "余额不足（一级提醒）" not in r.text, "its open alarm shows, the other student's does not")
check(re.search(r"预计还可用约 <strong>0</strong>", r.text) is not None, "no money left: 0 days")
db(f"INSERT INTO alarms (kind, meter_id, opened_at, open_key) VALUES ('overload', {meterA}, UTC_TIMESTAMP(3), 'overload:{meterA}:t9m')")
r = c.get("/m/")
check("断电（用电超过功率上限）" in r.text, "a meter off for overload says so")
db(f"UPDATE alarms SET closed_at = UTC_TIMESTAMP(3), open_key = NULL WHERE open_key LIKE '%:t9m'")
db(f"UPDATE meter_state SET remaining_fen = 6230 WHERE meter_id = {meterA}")
db(f"INSERT INTO commands (meter_id, kind, status, done_at) VALUES ({meterA}, 'trip', 'confirmed', UTC_TIMESTAMP(3))")
r = c.get("/m/")
check("断电（管理处已拉闸）" in r.text, "a meter tripped by staff says so")
db(f"INSERT INTO commands (meter_id, kind, status, done_at) VALUES ({meterA}, 'restore', 'confirmed', UTC_TIMESTAMP(3))")
db(f"UPDATE meter_state SET relay_closed = 1, remaining_fen = 6230 WHERE meter_id = {meterA}")
r = c.get("/m/")
check("通电" in r.text and "没有未处理的提醒" in r.text, "power on and no open alarm after they closed")

c.get("/m/lang?to=en&back=/m/")
r = c.get("/m/")
check(r.status == 200 and "My account" in r.text and "Power" in r.text and "我的电表" not in r.text,
      "my account in English")
c.get("/m/lang?to=zh-CN&back=/m/")

# --- another student's ids: 404, logged
n0 = count("oplog", "action = 'student.refused'")
for bad in [meterB, "999999", "abc", "-1", "1 OR 1=1", "<b>"]:
    r = c.get("/m/", meter=bad)
    check(r.status == 404 and "页面或记录不存在" in r.text, f"meter={bad!r} of the chart is a 404", r.status)
check(count("oplog", "action = 'student.refused'") == n0 + 6, "each refusal is logged")
r = c.get("/m/", meter=meterA)
check(r.status == 200 and len(re.findall(r"<rect ", r.text)) == 30, "its own meter's chart opens")

# --- lockout: per room and address, and per address
db("DELETE FROM student_login_failures")
stranger = From("127.0.0.3")
for i in range(5):
    r = mlogin(stranger, B4, roomA, f"Guess-{i}-pass")
check("已暂时锁定" in r.text, "five wrong passwords from one address lock that room there")
r = mlogin(stranger, B4, roomA, NEW)
check(r.status == 200 and "已暂时锁定" in r.text and not cookie_of(r, "msid"), "locked: even the right password is refused")
r = mlogin(Client(), B4, roomA, NEW)
check(r.status == 303, "the student on another address still signs in")
many = From("127.0.0.4")
for i in range(20):
    r = mlogin(many, B4, f"9{i:03d}", "Guess-pass1")
r = mlogin(many, B4, roomB, pwB)
check(r.status == 200 and "已暂时锁定" in r.text, "twenty wrong passwords lock the address for every room")
check(count("oplog", "action = 'student.login.lock'") >= 1, "the lock is logged")
db("DELETE FROM student_login_failures")

# --- a staff reset ends the student's sessions
r = staff.post(f"/account/student-password?account={A}", {"confirm": "1"})
check(count("student_sessions", f"account_id = {A}") == 0 and c.get("/m/").status == 303,
      "a reset by staff signs the student out")
check(db_value(f"SELECT must_change FROM student_logins WHERE account_id = {A}") == "1", "and asks for a new password again")

# --- sign out
c = Client()
r = mlogin(c, B4, roomB, pwB)
r = c.get("/m/password?first=1")
r = c.post("/m/logout", {})
check(r.status == 303 and r.location.endswith("/m/login?ok=signed_out") and "Max-Age=0" in cookie_of(r, "msid"),
      "sign-out ends the session and the cookie")
check(count("student_sessions", f"account_id = {B}") == 0, "no session is left")

# --- the language, and where it goes back to
r = anon.get("/m/lang?to=en&back=/m/login")
check(r.status == 303 and r.location.endswith("/m/login") and "Path=/m/" in cookie_of(r, "lang"), "the language switches")
r = anon.get("/m/login")
check("Sign in" in r.text and "Building" in r.text, "the sign-in page in English")
for back in ["//evil.example/", "http://evil.example/", "/login", "/m/\r\nX: y"]:
    r = anon.get("/m/lang", to="zh-CN", back=back)
    check(r.status == 303 and r.location.endswith("/m/"), f"back={back!r} goes to /m/", r.location)

# --- the grants of the student site's database account
pw = [l.split("=", 1)[1].strip() for l in open(f"{VAR}/prepaid.conf") if l.startswith("mobile_password")][0]


def as_mobile(sql):
    p = subprocess.run(["mariadb", f"--socket={VAR}/run/mysqld.sock", "-uprepaid_mobile", f"-p{pw}", "-N", "prepaid",
                        "-e", sql], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


conf = open(f"{VAR}/mobile.conf").read()
check("mobile_password" in conf and not re.search(r"staff_password|collector_password|vending|initial-admin", conf),
      "the student site's configuration holds its own database password and no other secret")
rc, out = as_mobile("SELECT COUNT(*) FROM student_settings")
check(rc == 0, "the mobile account reads its settings view", out)
for sql, what in [("SELECT login FROM operators LIMIT 1", "SELECT on operators"),
                  ("SELECT COUNT(*) FROM sessions", "SELECT on the staff's sessions"),
                  ("SELECT COUNT(*) FROM settings", "SELECT on the settings table"),
                  ("SELECT phone FROM accounts LIMIT 1", "SELECT of the holders' phones"),
                  ("SELECT COUNT(*) FROM sms_outbox", "SELECT on the SMS outbox"),
                  (f"UPDATE ledger SET amount_fen = amount_fen + 100 WHERE id = {lid}", "UPDATE on the ledger"),
                  (f"DELETE FROM ledger WHERE id = {lid}", "DELETE on the ledger"),
                  (f"INSERT INTO ledger (account_id, meter_id, kind, amount_fen, idem_key) VALUES ({A}, {meterA}, 'sale', 1, 'x')",
                   "INSERT on the ledger"),
                  ("UPDATE commands SET status = 'confirmed'", "UPDATE on commands"),
                  ("DELETE FROM commands", "DELETE on commands"),
                  ("INSERT INTO commands (meter_id, kind) VALUES (1, 'restore')", "INSERT on commands"),
                  ("UPDATE accounts SET status = 'open'", "UPDATE on accounts")]:
    rc, out = as_mobile(sql)
    check(rc != 0 and ("denied" in out or "command denied" in out), f"the mobile account is refused {what}", out.strip())
check(db_value(f"SELECT amount_fen FROM ledger WHERE id = {lid}") == "1230", "the ledger entry is untouched")
done()
