"""t75_sessions.py - 我的登录 on both sites (one's own sessions listed with time, address and browser, 本机 marked, one or all others ended, another user's session never), the notice of a password changed or reset shown once at the next sign-in, the password asked again on a remembered student sign-in over 12 hours old before paying or changing the phone, and the limits on payment orders per account."""
import hashlib
import os
import re
import secrets
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
          " Chrome/120.0.0.0 Safari/537.36")
WECHAT = ("Mozilla/5.0 (Linux; Android 13; V2148A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0"
          " Mobile Safari/537.36 MicroMessenger/8.0.47")


class Browser(Client):
    """A client that names its browser."""

    def __init__(self, ua):
        super().__init__()
        self.ua = ua

    def request(self, method, path, data=None, headers=None):
        headers = dict(headers or {})
        headers.setdefault("User-Agent", self.ua)
        return super().request(method, path, data, headers)


def cookie_names(r):
    return [c.split("=", 1)[0] for c in (r.headers.get_all("Set-Cookie") or [])]


def sessions_of(sql_where):
    return [x[0] for x in db(f"SELECT id FROM sessions WHERE {sql_where} ORDER BY id")]


def sign_in(login, pw, ua=CHROME):
    c = Browser(ua)
    c.get("/login")
    r = c.post("/login", {"login": login, "password": pw})
    assert r.status == 303, (r.status, r.text[:300])
    c.get("/")
    return c, r


# ------------------------------------------------------------------ staff
x = operator(role=1)
X = x.login_name
xid = db_value(f"SELECT id FROM operators WHERE login = '{X}'")
time.sleep(1.1)
c1, r = sign_in(X, NEW_PASSWORD)
check("sid" in cookie_names(r) and "__Host-sid" not in cookie_names(r),
      "staff: over plain HTTP (the demo) the cookie keeps the name sid", cookie_names(r))
c2, _ = sign_in(X, NEW_PASSWORD, WECHAT)
r = c1.get("/")
check('href="/sessions"' in r.text, "staff: the menu links to 我的登录")
r = c1.get("/sessions")
rows = re.findall(r'<tr id="session-(\d+)"', r.text)
mine = db_value(f"SELECT id FROM sessions WHERE operator_id = {xid} ORDER BY id DESC LIMIT 1 OFFSET 1")
other = db_value(f"SELECT MAX(id) FROM sessions WHERE operator_id = {xid}")
check(r.status == 200 and "我的登录" in r.text and mine in rows and other in rows,
      "staff: 我的登录 lists the operator's sessions", rows)
row_mine = re.search(r'<tr id="session-%s".*?</tr>' % mine, r.text, re.S)
row_other = re.search(r'<tr id="session-%s".*?</tr>' % other, r.text, re.S)
check(row_mine and "本机" in row_mine.group(0) and 'name="id"' not in row_mine.group(0),
      "staff: the session in use is marked 本机, with no end button")
check(row_other and "WeChat 8 · Android" in row_other.group(0) and "127.0.0.1" in row_other.group(0)
      and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", row_other.group(0)),
      "staff: another session shows its time, address and browser (WeChat 8 · Android)",
      row_other.group(0) if row_other else "")
check(row_mine and "Chrome 120 · Windows" in row_mine.group(0), "staff: Chrome 120 · Windows for the session in use")

y = operator(role=1)
yid = db_value(f"SELECT id FROM operators WHERE login = '{y.login_name}'")
ysess = sessions_of(f"operator_id = {yid}")[-1]
n_before = count("sessions")
r = c1.post("/sessions", {"end": "one", "id": ysess})
check(r.status == 200 and r.field_error("id") == "没有这个登录，或它已经结束" and ysess in sessions_of(f"operator_id = {yid}")
      and y.get("/").status == 200, "staff: another operator's session id is refused and that session lives on")
check(count("oplog", f"action = 'session.end.refused' AND object = 'session:{ysess}'") == 1,
      "staff: the refusal is in the operation log")
for bad in ["", "abc", "-1", "0", "1' OR '1'='1", "<b>1</b>", "9" * 30]:
    r = c1.post("/sessions", {"end": "one", "id": bad})
    check(r.status == 200 and r.field_error("id") and count("sessions") == n_before and "<b>1</b>" not in r.text,
          f"staff: id {bad!r} ends nothing, an error by the list", r.field_error("id"))
r = c1.post("/sessions", {"end": "all", "id": other})
check(r.status == 200 and r.field_error("end") and other in sessions_of(f"operator_id = {xid}"),
      "staff: an unknown action ends nothing")
r = c1.post("/sessions", {"end": "one", "id": mine})
check(r.status == 200 and r.field_error("id") and c1.get("/").status == 200,
      "staff: the session in use cannot be ended here (sign-out does that)")
r = c1.post("/sessions", {"end": "one", "id": other}, csrf=False)
check(r.status == 403 and other in sessions_of(f"operator_id = {xid}"), "staff: without the form key nothing ends")
r = c1.post("/sessions", {"end": "one", "id": other})
check(r.status == 303 and other not in sessions_of(f"operator_id = {xid}"), "staff: ending the other session deletes it")
r = c2.get("/")
check(r.status == 303 and "/login" in r.location, "staff: the ended browser is signed out")
r = c1.get("/sessions?ok=one")
check("已结束该登录" in r.text and 'id="session-%s"' % other not in r.text, "staff: the page says so and lists it no more")
c3, _ = sign_in(X, NEW_PASSWORD)
c4, _ = sign_in(X, NEW_PASSWORD)
r = c1.get("/sessions")
check('id="end-others"' in r.text, "staff: with other sessions the page offers 退出其他所有登录")
r = c1.post("/sessions", {"end": "others"})
check(r.status == 303 and sessions_of(f"operator_id = {xid}") == [mine] and c3.get("/").status == 303
      and c4.get("/").status == 303 and c1.get("/").status == 200,
      "staff: 退出其他所有登录 ends every other session, not this one")
check(count("oplog", f"action = 'session.end_others' AND object = 'operator:{xid}'") == 1,
      "staff: ending the others is in the operation log")

# the notice: a reset by an administrator, then one's own change
r = y.get("/operators")
r = y.post("/operator/reset", {"id": xid})
newpw = re.search(r'id="new-password">([^<]+)<', r.text).group(1)
time.sleep(1.1)
c5 = Browser(CHROME)
c5.get("/login")
r = c5.post("/login", {"login": X, "password": newpw})
c5.get("/password?first=1")
r = c5.post("/password?first=1", {"old": newpw, "new": "Other5678pw!", "confirm": "Other5678pw!"})
r = c5.get("/")
note = re.search(r'id="pw-notice">(.*?)</p>', r.text, re.S)
check(note and "重置" in note.group(1) and y.login_name in note.group(1)
      and "如非本人操作请立即联系管理员" in note.group(1) and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", note.group(1)),
      "staff: after a reset the next sign-in shows 密码已于…由 (the administrator) 重置", note.group(1) if note else "")
r = c5.get("/")
check('id="pw-notice"' not in r.text, "staff: the notice is shown once")
time.sleep(1.1)
c5.get("/password")
r = c5.post("/password", {"old": "Other5678pw!", "new": "Third9012pw!", "confirm": "Third9012pw!"})
assert r.status == 303, r.text[:300]
time.sleep(1.1)
c6 = Browser(CHROME)
c6.get("/login")
c6.post("/login", {"login": X, "password": "Third9012pw!"})
r = c6.get("/")
note = re.search(r'id="pw-notice">(.*?)</p>', r.text, re.S)
check(note and "修改" in note.group(1) and X in note.group(1),
      "staff: a change of one's own shows at the next sign-in as 修改", note.group(1) if note else "")
c7, _ = sign_in(X, "Third9012pw!")
r = c7.get("/")
check('id="pw-notice"' not in r.text, "staff: and not at the sign-in after that")


# ---------------------------------------------------------------- students
def new_student(room_id, holder):
    db(f"INSERT INTO accounts (holder, holder_no, room_id) VALUES ('{holder}', 'S{secrets.token_hex(3)}', {room_id})")
    acc = db_value(f"SELECT MAX(id) FROM accounts WHERE room_id = {room_id}")
    db(f"INSERT INTO account_meters (account_id, meter_id, active, open_meter_id) SELECT {acc}, id, 1, id"
       f" FROM meters WHERE room_id = {room_id} AND profile = 'ddsy1352nk'")
    pw = "Sx" + secrets.token_hex(5) + "9"
    salt = secrets.token_bytes(16)
    h = hashlib.scrypt(pw.encode(), salt=salt, n=16384, r=8, p=1, dklen=32, maxmem=64 * 1024 * 1024)
    # the notice on personal data agreed (t78_privacy asks it)
    db(f"INSERT INTO student_logins (account_id, pw_hash, must_change, privacy_agreed_at) VALUES"
       f" ({acc}, 'scrypt$16384$8$1${salt.hex()}${h.hex()}', 0, UTC_TIMESTAMP())")
    b, n = db(f"SELECT building_id, number FROM rooms WHERE id = {room_id}")[0]
    return acc, b, n, pw


def mlogin(b, n, pw, remember=False, ua=WECHAT):
    c = Browser(ua)
    c.get("/m/login")
    f = {"building": b, "room": n, "password": pw}
    if remember:
        f["remember"] = "1"
    r = c.post("/m/login", f)
    assert r.status == 303, (r.status, r.location, r.text[:300])
    c.last = r
    c.page = c.get(r.location.replace(BASE, ""))
    return c


rooms = [x[0] for x in db("SELECT r.id FROM rooms r JOIN buildings b ON b.id = r.building_id"
                          " JOIN meters m ON m.room_id = r.id AND m.profile = 'ddsy1352nk'"
                          " WHERE b.name = '2号楼' AND NOT EXISTS (SELECT 1 FROM account_meters x"
                          "   WHERE x.meter_id = m.id AND x.active = 1)"
                          " AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.room_id = r.id AND a.status = 'open')"
                          " ORDER BY r.number LIMIT 4")]
assert len(rooms) == 4, rooms
S, sb, sn, spw = new_student(rooms[0], "登录甲")
T, tb, tn, tpw = new_student(rooms[1], "登录乙")
p1 = mlogin(sb, sn, spw, remember=True)
check("msid" in cookie_names(p1.last) and "Path=/m/" in "".join(p1.last.headers.get_all("Set-Cookie")),
      "students: over plain HTTP the cookie stays msid on /m/")
p2 = mlogin(sb, sn, spw, ua=CHROME)
t1 = mlogin(tb, tn, tpw)
r = p1.get("/m/")
check('href="/m/sessions"' in r.text, "students: my account links to 我的登录")
r = p1.get("/m/sessions")
ids = re.findall(r'id="session-(\d+)"', r.text)
smine, sother = db_value(f"SELECT MIN(id) FROM student_sessions WHERE account_id = {S}"), \
    db_value(f"SELECT MAX(id) FROM student_sessions WHERE account_id = {S}")
tsess = db_value(f"SELECT MAX(id) FROM student_sessions WHERE account_id = {T}")
item_mine = re.search(r'id="session-%s".*?</li>' % smine, r.text, re.S)
item_other = re.search(r'id="session-%s".*?</li>' % sother, r.text, re.S)
check(r.status == 200 and sorted(ids) == sorted([smine, sother]) and tsess not in ids,
      "students: 我的登录 lists the account's two sessions, no other account's", ids)
check(item_mine and "本机" in item_mine.group(0) and "WeChat 8 · Android" in item_mine.group(0)
      and "记住我" in item_mine.group(0) and 'name="id"' not in item_mine.group(0),
      "students: this phone is 本机 (WeChat 8 · Android, 记住我), with no end button")
check(item_other and "Chrome 120 · Windows" in item_other.group(0) and "127.0.0.1" in item_other.group(0),
      "students: the other session shows its browser and address")
r = p1.post("/m/sessions", {"end": "one", "id": tsess})
check(r.status == 200 and r.field_error("id") == "没有这个登录，或它已经结束" and t1.get("/m/").status == 200
      and count("student_sessions", f"id = {tsess}") == 1,
      "students: another student's session id is refused and that session lives on")
check(count("oplog", f"action = 'student.refused' AND object = 'student_session:{tsess}'") == 1,
      "students: the refusal is in the operation log")
for bad in ["", "x", "-5", "1 OR 1=1", "<script>"]:
    r = p1.post("/m/sessions", {"end": "one", "id": bad})
    check(r.status == 200 and r.field_error("id") and count("student_sessions", f"account_id = {S}") == 2
          and "<script>" not in r.text, f"students: id {bad!r} ends nothing", r.field_error("id"))
r = p1.post("/m/sessions", {"end": "one", "id": sother}, csrf=False)
check(r.status == 403 and count("student_sessions", f"id = {sother}") == 1, "students: without the form key nothing ends")
r = p1.post("/m/sessions", {"end": "one", "id": sother})
check(r.status == 303 and count("student_sessions", f"id = {sother}") == 0 and p2.get("/m/").status == 303,
      "students: ending the other session signs that browser out")
p3 = mlogin(sb, sn, spw)
p4 = mlogin(sb, sn, spw)
r = p1.post("/m/sessions", {"end": "others"})
check(r.status == 303 and count("student_sessions", f"account_id = {S}") == 1 and p3.get("/m/").status == 303
      and p4.get("/m/").status == 303 and p1.get("/m/").status == 200,
      "students: 退出其他所有登录 ends every other session, not this phone's")

# the notice: a reset by staff, then the student's own change
staff = operator(role=1)
staff.get(f"/account/student-password?account={S}")
r = staff.post(f"/account/student-password?account={S}", {"confirm": "1"})
spw2 = re.search(r'id="new-password">([^<]+)<', r.text).group(1)
time.sleep(1.1)
q1 = mlogin(sb, sn, spw2)
r = q1.page
note = re.search(r'id="pw-notice">(.*?)</p>', r.text, re.S)
check(note and "由管理处工作人员重置" in note.group(1) and "如非本人操作请立即联系管理员" in note.group(1),
      "students: after a reset by staff the next sign-in shows the notice", note.group(1) if note else r.text[:300])
spw3 = "Nw" + secrets.token_hex(5) + "7"
time.sleep(1.1)  # the notice's times are whole seconds
r = q1.post("/m/password", {"old": spw2, "new": spw3, "confirm": spw3})
r = q1.get("/m/")
check(r.status == 200 and 'id="pw-notice"' not in r.text, "students: the notice is shown once")
time.sleep(1.1)
q2 = mlogin(sb, sn, spw3)
r = q2.page
note = re.search(r'id="pw-notice">(.*?)</p>', r.text, re.S)
check(note and "由本人修改" in note.group(1), "students: one's own change shows at the next sign-in as 由本人修改")
r = q2.get("/m/")
check('id="pw-notice"' not in r.text, "students: and only once")

# ASVS 3.3.2: a remembered sign-in over 12 hours old gives its password again
U, ub, un, upw = new_student(rooms[2], "登录丙")
db(f"INSERT INTO meter_state (meter_id, read_at, remaining_fen, purchase_count) SELECT meter_id,"
   f" UTC_TIMESTAMP(), 1000, 0 FROM account_meters WHERE account_id = {U}"
   " ON DUPLICATE KEY UPDATE read_at = VALUES(read_at), remaining_fen = 1000")
u = mlogin(ub, un, upw, remember=True)
r = u.get("/m/pay")
check('name="reauth"' not in r.text, "reauth: a fresh remembered sign-in pays without the password again")
db(f"UPDATE student_sessions SET created_at = created_at - INTERVAL 11 HOUR WHERE account_id = {U}")
r = u.get("/m/pay")
check('name="reauth"' not in r.text, "reauth: 11 hours after the sign-in it is not asked")
db(f"UPDATE student_sessions SET created_at = created_at - INTERVAL 2 HOUR WHERE account_id = {U}")
r = u.get("/m/pay")
check('name="reauth"' in r.text and "请再输入一次登录密码" in r.text, "reauth: 13 hours after, the payment form asks for it")
orders = count("pay_orders", f"account_id = {U}")
r = u.post("/m/pay", {"channel": "alipay", "custom": "23.50"})
check(r.field_error("reauth") == "请输入登录密码" and 'value="23.50"' in r.text
      and count("pay_orders", f"account_id = {U}") == orders,
      "reauth: without it no order, 请输入登录密码, the amount typed kept")
r = u.post("/m/pay", {"channel": "alipay", "custom": "23.50", "reauth": "wrong-" + upw})
check(r.field_error("reauth") == "登录密码不正确" and 'value="23.50"' in r.text
      and count("pay_orders", f"account_id = {U}") == orders,
      "reauth: a wrong password makes no order, 登录密码不正确, the amount kept")
check(count("oplog", f"action = 'student.reauth.fail' AND login = 'student:{U}'") >= 1,
      "reauth: the wrong password is logged")
r = u.post("/m/pay", {"channel": "alipay", "custom": "23.50", "reauth": upw})
check(r.status == 200 and 'id="go-no"' in r.text and count("pay_orders", f"account_id = {U} AND amount_fen = 2350") == 1,
      "reauth: with the right password the order for what was typed is made")
r = u.get("/m/pay")
check('name="reauth"' not in r.text, "reauth: then it is not asked again")
db(f"UPDATE student_sessions SET created_at = created_at - INTERVAL 13 HOUR,"
   f" auth_at = UTC_TIMESTAMP() - INTERVAL 13 HOUR WHERE account_id = {U}")
r = u.post("/m/phone", {"step": "send", "phone": "13812345678"})
check(r.field_error("reauth") == "请输入登录密码" and 'value="13812345678"' in r.text and 'name="step" value="send"' in r.text,
      "reauth: the phone change asks for it too, the number typed kept")
v = mlogin(ub, un, upw)
db(f"UPDATE student_sessions SET created_at = created_at - INTERVAL 20 HOUR WHERE account_id = {U} AND remember = 0")
r = v.get("/m/pay")
check('name="reauth"' not in r.text, "reauth: a browser session (not remembered) ends by idling instead")

# ASVS 11.1.4: 5 unpaid orders in 15 minutes, 20 a day
W, wb, wn, wpw = new_student(rooms[3], "登录丁")
db(f"INSERT INTO meter_state (meter_id, read_at, remaining_fen, purchase_count) SELECT meter_id,"
   f" UTC_TIMESTAMP(), 1000, 0 FROM account_meters WHERE account_id = {W}"
   " ON DUPLICATE KEY UPDATE read_at = VALUES(read_at), remaining_fen = 1000")
w = mlogin(wb, wn, wpw)
w.get("/m/pay")
made = 0
for i in range(5):
    r = w.post("/m/pay", {"channel": "alipay", "amount": "10"})
    made += 'id="go-no"' in r.text
check(made == 5 and count("pay_orders", f"account_id = {W}") == 5, "orders: five unpaid orders are made", made)
r = w.post("/m/pay", {"channel": "alipay", "custom": "12.00"})
check(r.status == 200 and "15分钟内未支付的订单已有5笔" in (r.field_error("form") or "") and 'value="12.00"' in r.text
      and count("pay_orders", f"account_id = {W}") == 5,
      "orders: the sixth unpaid in 15 minutes is refused in Chinese, nothing made", r.field_error("form"))
r = w.post("/m/pay", {"channel": "alipay", "amount": "10"})
check(count("pay_orders", f"account_id = {W}") == 5, "orders: and again on a repeated submission")
db(f"UPDATE pay_orders SET created_at = created_at - INTERVAL 16 MINUTE WHERE account_id = {W}")
r = w.post("/m/pay", {"channel": "alipay", "amount": "10"})
check('id="go-no"' in r.text and count("pay_orders", f"account_id = {W}") == 6,
      "orders: after 15 minutes another may be made")
meterW = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {W}")
for i in range(14):
    db(f"INSERT INTO pay_orders (out_trade_no, channel, account_id, meter_id, amount_fen, state, created_at)"
       f" VALUES ('{secrets.token_hex(16)}', 'alipay', {W}, {meterW}, 1000, 'credited',"
       f" UTC_TIMESTAMP(3) - INTERVAL 2 HOUR)")
r = w.post("/m/pay", {"channel": "alipay", "amount": "10"})
check(count("pay_orders", f"account_id = {W}") == 20 and "24小时内已下单20笔" in (r.field_error("form") or ""),
      "orders: the 21st in a day is refused", r.field_error("form"))
db(f"UPDATE pay_orders SET created_at = created_at - INTERVAL 1 DAY WHERE account_id = {W}")
r = w.post("/m/pay", {"channel": "alipay", "amount": "10"})
check('id="go-no"' in r.text, "orders: a day later it may order again")
check(count("oplog", f"action = 'pay.order.refused' AND login = 'student:{W}'") >= 2,
      "orders: the refusals are in the operation log")
# the orders made up above (credited without an entry) would be mismatches of the
# reconciliation for the tests after this one
db(f"DELETE FROM pay_orders WHERE account_id = {W}")
done()
