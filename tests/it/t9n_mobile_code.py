"""t9n_mobile_code.py - M1 sign-in by phone and SMS code, M4 the phone change by a code sent to the new phone: the code in the outbox, never stored, expired, reused, guessed (lock), one a minute and five an hour, the same answer for an unknown phone, bad input, form keys, the grants of the student site's account."""
import hashlib
import os
import random
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401



def cookie_of(r, name):
    for c in r.headers.get_all("Set-Cookie") or []:
        if c.startswith(name + "="):
            return c
    return ""


def new_phone():
    while True:
        p = "139" + "%08d" % random.randrange(10 ** 8)
        if count("accounts", f"phone = '{p}'") == 0 and count("student_codes", f"phone = '{p}'") == 0:
            return p


def student(phone, holder=None, must_change=0):
    """An open account with PHONE and a student login (no room: no other test's room is touched)."""
    holder = holder or "码" + uuid.uuid4().hex[:6]
    a = db_value(f"INSERT INTO accounts (holder, phone) VALUES ('{holder}', '{phone}') RETURNING id")
    db(f"INSERT INTO student_logins (account_id, pw_hash, must_change, privacy_agreed_at) VALUES ({a}, 'scrypt$unusable', {must_change}, UTC_TIMESTAMP())")
    return a


def send(c, phone):
    c.get("/m/code")
    return c.post("/m/code", {"step": "send", "phone": phone})


def verify(c, phone, code, remember=False):
    f = {"step": "check", "phone": phone, "code": code}
    if remember:
        f["remember"] = "1"
    return c.post("/m/code", f)


def outbox(phone):
    return count("sms_outbox", f"phone = '{phone}' AND recipient = 'code'")


def last_code(phone):
    body = db_value(f"SELECT body FROM sms_outbox WHERE phone = '{phone}' AND recipient = 'code' ORDER BY id DESC LIMIT 1")
    m = re.search(r"(?<!\d)(\d{6})(?!\d)", body or "")
    return m.group(1) if m else None


def age(phone, seconds):
    """Moves PHONE's codes SECONDS into the past (as the clock would)."""
    db(f"UPDATE student_codes SET created_at = created_at - INTERVAL {seconds} SECOND WHERE phone = '{phone}'")


def note(r):
    m = re.search(r'id="code-note">([^<]*)<', r.text)
    return m.group(1) if m else None


def signed_in_as(c):
    r = c.get("/m/")
    return r.status == 200 and 'action="/m/logout"' in r.text


def other_wrong(c, phone):
    """A code that is not the last one sent to PHONE."""
    code = last_code(phone) or "000000"
    return "%06d" % ((int(code) + 1) % 1000000)


db("DELETE FROM student_login_failures")

# --- the way in: a link on the sign-in page, the phone form
anon = Client()
r = anon.get("/m/login")
check(r.status == 200 and 'href="/m/code"' in r.text and "短信验证码登录" in r.text,
      "the sign-in page links to the sign-in by SMS code")
r = anon.get("/m/code")
check(r.status == 200 and 'name="phone"' in r.text and "获取验证码" in r.text and "<script" not in r.text
      and 'href="/m/login"' in r.text, "the code page asks for the phone, in Chinese, and links back")
check("Path=/m/" in cookie_of(r, "mccsrf") and "HttpOnly" in cookie_of(r, "mccsrf"), "with its own form key cookie")

# --- end to end: a code to a known phone, read from the outbox, signs in (remember me)
PA = new_phone()
A = student(PA, "学生码甲")
c = From("127.0.0.41")
n0 = outbox(PA)
r = send(c, PA)
check(r.status == 200 and note(r) and "验证码已通过短信发出" in note(r) and 'name="code"' in r.text,
      "the phone is taken: the page asks for the code", note(r))
check(outbox(PA) == n0 + 1, "one SMS is queued for the phone")
code = last_code(PA)
body = db_value(f"SELECT body FROM sms_outbox WHERE phone = '{PA}' ORDER BY id DESC LIMIT 1")
check(code is not None and "5分钟内有效" in body and db_value(
      f"SELECT status FROM sms_outbox WHERE phone = '{PA}' ORDER BY id DESC LIMIT 1") == "queued"
      and db_value(f"SELECT alarm_id IS NULL FROM sms_outbox WHERE phone = '{PA}' ORDER BY id DESC LIMIT 1") == "1",
      f"the SMS holds a 6-digit code, queued for the collector: {body}")
row = db(f"SELECT code_hash, account_id FROM student_codes WHERE phone = '{PA}' ORDER BY id DESC LIMIT 1")[0]
check(re.fullmatch(r"[0-9a-f]{64}", row[0]) and code not in row[0] and row[0] != hashlib.sha256(code.encode()).hexdigest()
      and row[1] == A, "the code is stored as an HMAC (not the code, not its plain SHA-256), for the account")
check(count("student_codes", f"code_hash = '{code}' OR phone = '{code}'") == 0, "no row holds the code itself")
r = verify(c, PA, code, remember=True)
sid = cookie_of(r, "msid")
check(r.status == 303 and r.location.endswith("/m/") and "Max-Age=604800" in sid and "Path=/m/" in sid,
      "the right code signs in, remembered 7 days", f"{r.status} {r.location} {sid}")
check(cookie_of(r, "mccsrf").startswith("mccsrf=;"), "and the form key cookie is cleared")
r = c.get("/m/")
check(r.status == 200 and "学生码甲" in r.text, "the student's own account opens")
check(db_value(f"SELECT remember FROM student_sessions WHERE account_id = {A} ORDER BY id DESC LIMIT 1") == "1"
      and db_value(f"SELECT client_addr FROM student_sessions WHERE account_id = {A} ORDER BY id DESC LIMIT 1") == "127.0.0.41",
      "a remembered session as the password's")
check(count("oplog", f"login = 'student:{A}' AND action = 'student.login' AND after_val LIKE '%code%'") == 1,
      "the sign-in is logged as the student, by code")
check(count("oplog", f"CONCAT_WS(' ', object, before_val, after_val) LIKE '%{code}%'") == 0,
      "the operation log never holds the code")
check(count("oplog", f"CONCAT_WS(' ', object, before_val, after_val) LIKE '%{PA}%'") == 0,
      "nor the phone (the lock's login is an HMAC of it)")
mlog = os.path.join(VAR, "log", "mobile.log")
check(not os.path.exists(mlog) or code not in open(mlog, encoding="utf-8", errors="replace").read(),
      "nor does the program's log")

# --- the outbox keeps the code only until it is used: then sent texts of the phone are masked
age(PA, 61)
cm = From("127.0.0.60")
send(cm, PA)
mcode = last_code(PA)
mid = db_value(f"SELECT MAX(id) FROM sms_outbox WHERE phone = '{PA}' AND recipient = 'code'")
db(f"UPDATE sms_outbox SET status = 'sent', sent_at = NOW(3) WHERE id = {mid}")  # as the collector does
check(mcode in db_value(f"SELECT body FROM sms_outbox WHERE id = {mid}"), "the sent text still holds the unused code")
r = verify(cm, PA, mcode)
body = db_value(f"SELECT body FROM sms_outbox WHERE id = {mid}")
check(r.status == 303 and mcode not in body and "******" in body and count(
      "sms_outbox", f"phone = '{PA}' AND recipient = 'code' AND status <> 'queued' AND body REGEXP '[0-9]{{6}}'") == 0,
      f"used, its text in the outbox is masked: {body}")

# --- reused: the same code once more
c2 = From("127.0.0.42")
c2.get("/m/code")
r = verify(c2, PA, mcode)
check(r.status == 200 and r.field_error("code") == "验证码不正确或已过期" and not cookie_of(r, "msid"),
      "a used code is refused", r.field_error("code"))

# --- without 'remember me': the browser's session
age(PA, 61)
c3 = From("127.0.0.43")
send(c3, PA)
r = verify(c3, PA, last_code(PA))
sid = cookie_of(r, "msid")
check(r.status == 303 and sid and "Max-Age" not in sid, "unticked, the cookie lives as long as the browser", sid)

# --- expired: 5 minutes
age(PA, 61)
c4 = From("127.0.0.44")
send(c4, PA)
code = last_code(PA)
age(PA, 5 * 60 + 1)
r = verify(c4, PA, code)
check(r.status == 200 and r.field_error("code") == "验证码不正确或已过期" and not cookie_of(r, "msid"),
      "a code of 5 minutes and 1 second ago is refused")
# ... and one of 4 minutes 50 seconds still signs in
c4 = From("127.0.0.44")
send(c4, PA)
code = last_code(PA)
age(PA, 4 * 60 + 50)
r = verify(c4, PA, code)
check(r.status == 303 and cookie_of(r, "msid"), "a code of 4 minutes 50 seconds ago still signs in")

# --- a newer code ends the older one
age(PA, 3600)
c5 = From("127.0.0.45")
send(c5, PA)
old = last_code(PA)
age(PA, 61)
send(c5, PA)
r = verify(c5, PA, old)
check(r.status == 200 and not cookie_of(r, "msid"), "a newer code ends the older one")

# --- one a minute, five an hour, per phone (and the same for an unknown one)
for phone, known in ((new_phone(), True), (new_phone(), False)):
    if known:
        student(phone)
    what = "a known phone" if known else "an unknown phone"
    c6 = From("127.0.0.46")
    r1 = send(c6, phone)
    r2 = send(c6, phone)
    check(r2.status == 200 and note(r2) and "1分钟内只能获取一次" in note(r2) and outbox(phone) == (1 if known else 0)
          and count("student_codes", f"phone = '{phone}'") == 1,
          f"{what}: a second code within a minute is refused, nothing sent", note(r2))
    for i in range(4):
        age(phone, 61)
        r = send(c6, phone)
    check(outbox(phone) == (5 if known else 0) and count("student_codes", f"phone = '{phone}'") == 5,
          f"{what}: five codes in an hour", outbox(phone))
    age(phone, 61)
    r6 = send(c6, phone)
    check(r6.status == 200 and note(r6) and "1小时内" in note(r6) and outbox(phone) == (5 if known else 0)
          and count("student_codes", f"phone = '{phone}'") == 5, f"{what}: the sixth in an hour is refused", note(r6))
    age(phone, 3600 - 5 * 61 + 1)
    r = send(c6, phone)
    check(r.status == 200 and "验证码已通过短信发出" in (note(r) or "") and outbox(phone) == (6 if known else 0),
          f"{what}: an hour after the first, a code again")

# --- an unknown phone: the same page, status and headers as a known one
PK, PU = new_phone(), new_phone()
student(PK)


def same(r):
    t = r.text
    t = re.sub(r'name="csrf" value="[0-9a-f]{64}"', 'name="csrf" value=""', t)
    return t.replace(PK, "PHONE").replace(PU, "PHONE")


def head_names(r):
    return sorted((k, v if k not in ("Date", "Set-Cookie", "Content-Length") else "")
                  for k, v in r.headers.items())


ck, cu = From("127.0.0.47"), From("127.0.0.48")
times = {}
rk = send(ck, PK)
ru = send(cu, PU)
check(rk.status == ru.status == 200 and same(rk) == same(ru), "step one: byte for byte the same page for an unknown phone")
check(head_names(rk) == head_names(ru) and [c.split("=")[0] for c in rk.headers.get_all("Set-Cookie")]
      == [c.split("=")[0] for c in ru.headers.get_all("Set-Cookie")], "and the same status line and headers")
check(outbox(PK) == 1 and outbox(PU) == 0, "only the known phone gets an SMS")
rk, ru = send(ck, PK), send(cu, PU)
check(same(rk) == same(ru), "a second request within a minute: the same page for both")
tk, tu = [], []
for i in range(4):
    w = other_wrong(ck, PK)
    t = time.time()
    rk = verify(ck, PK, w)
    tk.append(time.time() - t)
    t = time.time()
    ru = verify(cu, PU, "123456")
    tu.append(time.time() - t)
times["known wrong"] = sorted(tk)[len(tk) // 2]
times["unknown wrong"] = sorted(tu)[len(tu) // 2]
check(rk.status == ru.status == 200 and same(rk) == same(ru) and "验证码不正确或已过期" in rk.text,
      "step two: a wrong code, the same page for both")
# step one's time over fresh phones (an SMS queued or not), medians
sk, su = [], []
for i in range(5):
    k, u = new_phone(), new_phone()
    student(k)
    for p, lst in ((k, sk), (u, su)):
        t = time.time()
        ck.post("/m/code", {"step": "send", "phone": p, "csrf": ck.csrf_token})
        lst.append(time.time() - t)
times["known"], times["unknown"] = sorted(sk)[2], sorted(su)[2]
print("# answer times (s, medians): " + ", ".join(f"{k} {v:.3f}" for k, v in times.items()))
check(abs(times["known wrong"] - times["unknown wrong"]) < 0.06, "a wrong code takes as long for both (medians within 60 ms)",
      str(times))

# --- guessed: five wrong codes lock the phone from this address; then even the right one is refused
PL = new_phone()
L = student(PL)
g = From("127.0.0.49")
send(g, PL)
right = last_code(PL)
wrongs = ["%06d" % ((int(right) + k) % 1000000) for k in range(1, 6)]
for i, w in enumerate(wrongs):
    r = verify(g, PL, w)
check(r.status == 200 and r.field_error("code") == "验证码错误次数过多，已暂时锁定" and "15" in r.text,
      "the fifth wrong code locks, with the minutes to wait", r.field_error("code"))
r = verify(g, PL, right)
check(r.status == 200 and not cookie_of(r, "msid") and r.field_error("code") == "验证码错误次数过多，已暂时锁定",
      "locked: even the right code is refused")
check(count("oplog", "action = 'student.login.lock'") >= 1, "the lock is logged")
check(db_value(f"SELECT used_at IS NOT NULL AND tries = 5 FROM student_codes WHERE phone = '{PL}' ORDER BY id DESC LIMIT 1") == "1",
      "five wrong tries spend the code itself")
g2 = From("127.0.0.50")
g2.get("/m/code")
r = verify(g2, PL, right)
check(r.status == 200 and not cookie_of(r, "msid") and r.field_error("code") == "验证码不正确或已过期",
      "so from another address the right code is refused too (no guessing from many addresses)")
age(PL, 61)
send(g, PL)
r = verify(g, PL, last_code(PL))
check(r.status == 200 and not cookie_of(r, "msid") and r.field_error("code") == "验证码错误次数过多，已暂时锁定",
      "locked: a new right code from this address is refused too")
age(PL, 61)
send(g2, PL)
r = verify(g2, PL, last_code(PL))
check(r.status == 303 and cookie_of(r, "msid"), "a new code from another address signs in (the lock is per address)")
# twenty wrong codes from one address lock it for every phone, the password's sign-in too
many = From("127.0.0.51")
many.get("/m/code")
for i in range(20):
    r = verify(many, new_phone(), "%06d" % i)
check(r.field_error("code") == "验证码错误次数过多，已暂时锁定", "twenty wrong codes lock the address")
PM = new_phone()
student(PM)
send(many, PM)
r = verify(many, PM, last_code(PM))
check(r.status == 200 and not cookie_of(r, "msid"), "then even a right code of another phone is refused there")
many.get("/m/login")
r = many.post("/m/login", {"building": "1", "room": "101", "password": "x"})
check("锁定" in r.text, "and the password's sign-in is locked there too")

# --- bad input in the phone and the code
b = From("127.0.0.52")
nq = count("student_codes")
for phone, err in [("", "此项必填"), ("1" * 21, "内容过长"), ("abcdefghijk", "请输入11位手机号码"),
                   ("1380013800", "请输入11位手机号码"), ("12345678901", "请输入11位手机号码"),
                   ("138 0013 8000", "请输入11位手机号码"), ("１３８００１３８０００", "请输入11位手机号码"),
                   ("13800' OR '1'='1", "请输入11位手机号码"), ("<b>138</b>", "请输入11位手机号码"),
                   ("\"><script>x</script>", "请输入11位手机号码"), ("\"><script>x</script>1", "内容过长")]:
    r = send(b, phone)
    check(r.status == 200 and r.field_error("phone") == err and "<script>x" not in r.text and "<b>138" not in r.text,
          f"phone {phone!r}: {err}", f"{r.status} {r.field_error('phone')}")
check(count("student_codes") == nq, "no bad phone gets a code")
PB = new_phone()
B = student(PB)
send(b, PB)
good = last_code(PB)
for code, err in [("", "此项必填"), ("1234567", "请输入6位数字验证码"), ("12345", "请输入6位数字验证码"),
                  ("abcdef", "请输入6位数字验证码"), ("12345' OR '1'='1", "请输入6位数字验证码"), ("12345' OR '1'='1'", "内容过长"), ("1' OR 1#", "请输入6位数字验证码"),
                  ("<b>1</b>", "请输入6位数字验证码"), ("１２３４５６", "请输入6位数字验证码"), ("x" * 17, "内容过长")]:
    r = verify(b, PB, code)
    check(r.status == 200 and r.field_error("code") == err and not cookie_of(r, "msid") and "<b>1</b>" not in r.text,
          f"code {code!r}: {err}", f"{r.status} {r.field_error('code')}")
for phone in ["", "abc", "<i>x</i>"]:
    r = verify(b, phone, good)
    check(r.status == 200 and r.field_error("phone") and not cookie_of(r, "msid") and "<i>x" not in r.text,
          f"step two with phone {phone!r} is refused")
r = verify(b, PA, good)
check(r.status == 200 and not cookie_of(r, "msid"), "another phone with this code is refused")
r = verify(b, PB, good)
check(r.status == 303 and cookie_of(r, "msid"), "after all that, the right code still signs in (format errors are not guesses)")

# --- form keys
f = From("127.0.0.53")
PF = new_phone()
student(PF)
f.get("/m/code")
r = f.post("/m/code", {"step": "send", "phone": PF}, csrf=False)
check(r.status == 200 and "页面已过期" in r.text and outbox(PF) == 0, "step one without the form key sends nothing")
r = f.post("/m/code", {"step": "send", "phone": PF, "csrf": "0" * 64})
check(r.status == 200 and "页面已过期" in r.text and outbox(PF) == 0, "nor with another key")
g = Client()
r = g.post("/m/code", {"step": "send", "phone": PF, "csrf": f.csrf_token})
check(r.status == 200 and "页面已过期" in r.text and outbox(PF) == 0, "nor with a key stolen from another browser")
r = f.request("POST", "/m/code", ("step=send&phone=%s&csrf=%s" % (PF, f.csrf_token)).encode(),
              {"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"})
check(r.status == 403 and outbox(PF) == 0, "nor from another site's page", r.status)

# --- two open accounts with one phone: the newest
PS = new_phone()
S1 = student(PS, "共用甲")
S2 = student(PS, "共用乙")
s = From("127.0.0.54")
send(s, PS)
check(outbox(PS) == 1, "two accounts with one phone: one SMS")
r = verify(s, PS, last_code(PS))
r2 = s.get("/m/")
check(r.status == 303 and "共用乙" in r2.text and "共用甲" not in r2.text, "the code signs in to the newest open account")

# --- a phone stored with +86 is the same phone
PP = new_phone()
P86 = student("+86" + PP, "国际码")
s = From("127.0.0.61")
send(s, PP)
r = verify(s, PP, last_code(PP))
check(r.status == 303 and "国际码" in s.get("/m/").text, "an account whose phone is stored as +86... signs in by the 11 digits")

# --- a closed account's phone gets no code
PC = new_phone()
C = student(PC)
db(f"UPDATE accounts SET status = 'closed' WHERE id = {C}")
send(From("127.0.0.55"), PC)
check(outbox(PC) == 0, "a closed account's phone gets no SMS")

# --- the first password still due: the code signs in, then the new password first
PD = new_phone()
D = student(PD, must_change=1)
d = From("127.0.0.56")
send(d, PD)
r = verify(d, PD, last_code(PD))
check(r.status == 303 and r.location.endswith("/m/password?first=1"), "a first password still due is asked for after the code")
r = d.get("/m/password?first=1")
check(r.status == 200 and 'id="by-code"' in r.text and 'name="old"' not in r.text and 'name="new"' in r.text,
      "signed in by a code, the password page asks for no old password (the student may never have had it)")
r = d.post("/m/password", {"new": "Code2pass9ab", "confirm": "Code2pass9abx"})
check(r.status == 200 and "不一致" in (r.field_error("confirm") or ""), "the new password's own checks still apply",
      r.field_error("confirm"))
r = d.post("/m/password", {"new": "Code2pass9ab", "confirm": "Code2pass9ab"})
check(r.status == 303 and "/m/?ok=password_changed" in (r.location or "")
      and db_value(f"SELECT must_change FROM student_logins WHERE account_id = {D}") == "0"
      and count("oplog", f"login = 'student:{D}' AND action = 'student.password.change' AND after_val LIKE '%code%'") == 1,
      "and the new one is set, logged as set after a code", r.location)
check(db_value(f"SELECT by_code FROM student_sessions WHERE account_id = {D} ORDER BY id DESC LIMIT 1") == "1",
      "the session knows it was started by a code")
db(f"UPDATE student_sessions SET by_code = 0 WHERE account_id = {D}")  # as a password's sign-in makes it
r = d.get("/m/password")
check('name="old"' in r.text and 'id="by-code"' not in r.text, "a session started by a password asks for the old one")
r = d.post("/m/password", {"new": "Code3pass9ab", "confirm": "Code3pass9ab"})
check(r.status == 200 and r.field_error("old") is not None, "and refuses a change without it", r.status)

# --- M4: the phone for SMS, changed by a code sent to the new phone
a = From("127.0.0.57")
age(PA, 3600)
send(a, PA)
verify(a, PA, last_code(PA))
r = a.get("/m/phone")
masked = PA[:3] + "****" + PA[-4:]
check(r.status == 200 and masked in r.text and PA not in r.text and 'href="/m/"' in r.text,
      f"the phone page shows the phone masked ({masked}) and links back to my account")
NEWP = new_phone()
r = a.post("/m/phone", {"step": "send", "phone": NEWP})
check(r.status == 200 and 'name="code"' in r.text and outbox(NEWP) == 1 and outbox(PA) > 0,
      "a new phone: a code is sent to the new phone")
check(db_value(f"SELECT phone FROM accounts WHERE id = {A}") == PA, "the phone is not changed yet")
pcode = last_code(NEWP)
check(db_value(f"SELECT code_hash <> '{pcode}' AND purpose = 'phone' AND account_id = {A} FROM student_codes"
               f" WHERE phone = '{NEWP}' ORDER BY id DESC LIMIT 1") == "1", "stored hashed, for this student")
r = a.post("/m/phone", {"step": "check", "phone": NEWP, "code": "%06d" % ((int(pcode) + 1) % 1000000)})
check(r.status == 200 and r.field_error("code") == "验证码不正确或已过期"
      and db_value(f"SELECT phone FROM accounts WHERE id = {A}") == PA, "a wrong code leaves the old phone")
# another student's session cannot use the code
o = From("127.0.0.58")
age(PB, 61)
send(o, PB)
verify(o, PB, last_code(PB))
r = o.get("/m/phone")
check(r.status == 200 and PB[:3] + "****" + PB[-4:] in r.text, "another student sees their own phone")
r = o.post("/m/phone", {"step": "check", "phone": NEWP, "code": pcode})
check(r.status == 200 and r.field_error("code") == "验证码不正确或已过期"
      and db_value(f"SELECT phone FROM accounts WHERE id = {B}") == PB
      and db_value(f"SELECT phone FROM accounts WHERE id = {A}") == PA, "another student's session cannot use the code")
r = a.post("/m/phone", {"step": "check", "phone": NEWP, "code": pcode}, csrf=False)
check(r.status == 403 and db_value(f"SELECT phone FROM accounts WHERE id = {A}") == PA, "without the form key: refused")
r = a.post("/m/phone", {"step": "check", "phone": new_phone(), "code": pcode})
check(r.status == 200 and db_value(f"SELECT phone FROM accounts WHERE id = {A}") == PA,
      "the code with another new phone than it was sent to is refused")
r = a.post("/m/phone", {"step": "check", "phone": NEWP, "code": pcode})
check(r.status == 303 and r.location.endswith("/m/phone?ok=phone_changed"), "the right code changes the phone", r.status)
check(db_value(f"SELECT phone FROM accounts WHERE id = {A}") == NEWP, "accounts.phone is the new phone")
r = a.get("/m/phone?ok=phone_changed")
check("手机号码已更换" in r.text and NEWP[:3] + "****" + NEWP[-4:] in r.text, "the page says so and shows the new one masked")
check(count("oplog", f"login = 'student:{A}' AND action = 'student.phone.change' AND object = 'account:{A}'"
              f" AND before_val LIKE '%{masked}%'") == 1, "the change is logged as the student")
r = a.post("/m/phone", {"step": "check", "phone": NEWP, "code": pcode})
check(r.status == 200 and r.field_error("code"), "the code is used once")
age(PA, 400)
n0 = outbox(PA)
send(From("127.0.0.59"), PA)
check(outbox(PA) == n0, "the old phone no longer gets sign-in codes")
for phone, err in [("", "此项必填"), ("abc", "请输入11位手机号码"), ("1" * 21, "内容过长"), ("<b>13</b>", "请输入11位手机号码")]:
    r = a.post("/m/phone", {"step": "send", "phone": phone})
    check(r.status == 200 and r.field_error("phone") == err and "<b>13" not in r.text, f"new phone {phone!r}: {err}")
# one a minute for the student too, whatever the numbers
P1, P2 = new_phone(), new_phone()
db(f"UPDATE student_codes SET created_at = created_at - INTERVAL 61 SECOND WHERE account_id = {A} AND purpose = 'phone'")
a.post("/m/phone", {"step": "send", "phone": P1})
r = a.post("/m/phone", {"step": "send", "phone": P2})
check(outbox(P1) == 1 and outbox(P2) == 0 and "1分钟内只能获取一次" in (note(r) or ""),
      "a student cannot send codes to number after number")
r = a.post("/m/phone", {"step": "send", "phone": P1}, csrf=False)
check(r.status == 403, "a code request without the form key is refused")
anon = Client()
r = anon.get("/m/phone")
check(r.status == 303 and r.location.endswith("/m/login"), "signed out, /m/phone goes to the sign-in page")
r = anon.post("/m/phone", {"step": "send", "phone": P1, "csrf": "x" * 64})
check(r.status == 403, "signed out, a POST is refused")

# --- the grants: the student site's account never reads a phone or a code
pw = [l.split("=", 1)[1].strip() for l in open(f"{VAR}/mobile.conf") if l.startswith("mobile_password")][0]


def as_mobile(sql):
    p = subprocess.run(["mariadb", f"--socket={VAR}/run/mysqld.sock", "-uprepaid_mobile", f"-p{pw}", "-N", "prepaid",
                        "-e", sql], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


for sql, what in [("SELECT phone FROM accounts LIMIT 1", "SELECT of accounts.phone"),
                  ("SELECT COUNT(*) FROM accounts WHERE phone = '13900000000'", "a WHERE on accounts.phone"),
                  ("SELECT code_hash FROM student_codes LIMIT 1", "SELECT on the codes table"),
                  ("SELECT COUNT(*) FROM student_codes", "COUNT on the codes table"),
                  ("UPDATE accounts SET phone = '13900000000' WHERE id = 1", "UPDATE of accounts.phone"),
                  ("SELECT body FROM sms_outbox LIMIT 1", "SELECT on the SMS outbox"),
                  ("INSERT INTO sms_outbox (phone, body) VALUES ('13900000000', 'x')", "INSERT into the SMS outbox"),
                  ("DELETE FROM student_codes", "DELETE on the codes table")]:
    rc, out = as_mobile(sql)
    check(rc != 0 and "denied" in out.lower(), f"the mobile account is refused {what}", out.strip()[:200])
rc, out = as_mobile("SHOW CREATE FUNCTION student_code_send")
check("student_codes" not in out and "sms_outbox" not in out, "nor does it see the functions' text")
conf = open(f"{VAR}/mobile.conf").read()
check(re.search(r"^code_key = [0-9a-f]{64}$", conf, re.M) and "code_key" not in open(f"{VAR}/prepaid.conf").read(),
      "the codes' key is in the student site's configuration only")
rc, out = as_mobile(f"SELECT student_phone_masked({B})")
check(rc == 0 and out.strip() == PB[:3] + "****" + PB[-4:], "it reads a phone only masked", out.strip())
rc, out = as_mobile("SELECT student_code_send('login', 'x', NULL, 'y', 'z'), student_code_check('login', '13900000000', NULL, 'y')")
check(rc == 0 and out.split() == ["bad", "0"], "the functions refuse junk and give no phone out", out.strip())
done()
